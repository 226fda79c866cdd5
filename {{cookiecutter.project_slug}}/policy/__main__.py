"""The security controls of SECURITY.md as a Pulumi policy pack: one policy per control, written once.

`pulumi preview --policy-pack policy` runs it before every deployment; `tests/unit/test_security_controls.py` and
`python -m tapcheck .` run the same policies offline on the program's run under mocks. Violations are mandatory in
production stacks (the stack config `production: true`, the switch the program itself reads) and advisory in the
others; `pulumi preview --policy-pack policy --policy-pack-config FILE` sets any policy's level (`{"all":
"mandatory"}`, `{"no-world-open-ports": "disabled"}`), see https://www.pulumi.com/docs/iac/using-pulumi/crossguard/.

Properties carry the engine's camelCase names. Stack policies link resources by their property dependencies (the
bucket a bucket policy names, the group a rule opens), which Pulumi passes to stack policies.
"""

import json
import os
from collections.abc import Iterator
from typing import Any

from pulumi_policy import (
    EnforcementLevel,
    PolicyPack,
    PolicyResource,
    ReportViolation,
    ResourceValidationArgs,
    ResourceValidationPolicy,
    StackValidationArgs,
    StackValidationPolicy,
)

WORLD = ("0.0.0.0/0", "::/0")
PUBLIC_LOAD_BALANCER_PORTS = (80, 443)
PRODUCTION_LOG_RETENTION_DAYS = 365
BUCKET = "aws:s3/bucket:Bucket"
DB_CLUSTER = "aws:rds/cluster:Cluster"
DB_INSTANCE = "aws:rds/instance:Instance"
CACHE = "aws:elasticache/replicationGroup:ReplicationGroup"
LOAD_BALANCER = "aws:lb/loadBalancer:LoadBalancer"
RANDOM_PASSWORD = "random:index/randomPassword:RandomPassword"
SECRETS_MANAGER_SECRET = "aws:secretsmanager/secret:Secret"
SECRETS_MANAGER_VERSION = "aws:secretsmanager/secretVersion:SecretVersion"


def production() -> bool:
    """Whether the stack is a production one: its `production` config, which Pulumi passes to a policy pack in
    PULUMI_CONFIG with the project's name in PULUMI_PROJECT (`constructEnv` in pulumi/pulumi
    sdk/go/common/resource/plugin/analyzer_plugin.go)."""
    config = json.loads(os.environ.get("PULUMI_CONFIG") or "{}")
    return str(config.get(f"{os.environ.get('PULUMI_PROJECT', '')}:production", "false")).lower() == "true"


def _json(value: Any) -> Any:
    return json.loads(value) if isinstance(value, str) else value or {}


def _statements(document: Any) -> list[dict[str, Any]]:
    statements = _json(document).get("Statement", [])
    return statements if isinstance(statements, list) else [statements]


def _as_list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else [value]


def _of_type(args: StackValidationArgs, resource_type: str) -> list[PolicyResource]:
    return [resource for resource in args.resources if resource.resource_type == resource_type]


def _linked(resource: PolicyResource, key: str) -> set[str]:
    """URNs of the resources the property `key` was built from."""
    return {dependency.urn for dependency in resource.property_dependencies.get(key, [])}


# ----- encryption at rest ---------------------------------------------------------------------------------------
# type -> the input naming the customer-managed KMS key
KMS_KEYS = {
    "aws:cloudwatch/logGroup:LogGroup": "kmsKeyId",
    SECRETS_MANAGER_SECRET: "kmsKeyId",
    "aws:sqs/queue:Queue": "kmsMasterKeyId",
    "aws:sns/topic:Topic": "kmsMasterKeyId",
    DB_CLUSTER: "kmsKeyId",
    DB_INSTANCE: "kmsKeyId",
    CACHE: "kmsKeyId",
}


def _encrypted_at_rest(args: ResourceValidationArgs, report_violation: ReportViolation) -> None:
    props, kind = args.props, args.resource_type
    if kind in KMS_KEYS and not props.get(KMS_KEYS[kind]):
        report_violation(f"`{KMS_KEYS[kind]}` is not set: the data is not encrypted with the stack's KMS key")
    if kind in (DB_CLUSTER, DB_INSTANCE) and props.get("storageEncrypted") is not True:
        report_violation("`storageEncrypted` is not true")
    if kind == CACHE and props.get("atRestEncryptionEnabled") is not True:
        report_violation("`atRestEncryptionEnabled` is not true")
    if kind == "aws:dynamodb/table:Table":
        encryption = props.get("serverSideEncryption") or {}
        if encryption.get("enabled") is not True or not encryption.get("kmsKeyArn"):
            report_violation("`serverSideEncryption` is not enabled with the stack's KMS key")
    if kind == "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration":
        for rule in props.get("rules") or []:
            algorithm = (rule.get("applyServerSideEncryptionByDefault") or {}).get("sseAlgorithm")
            if algorithm not in ("aws:kms", "AES256"):  # load balancer access logs accept only SSE-S3 (AES256)
                report_violation(f"server-side encryption algorithm {algorithm!r} is neither aws:kms nor AES256")


def _buckets_encrypted(args: StackValidationArgs, report_violation: ReportViolation) -> None:
    configured = {urn for config in _of_type(
        args, "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration")
        for urn in _linked(config, "bucket")}
    for bucket in _of_type(args, BUCKET):
        if bucket.urn not in configured and not bucket.props.get("serverSideEncryptionConfiguration"):
            report_violation("the bucket has no server-side encryption configuration", bucket.urn)


# ----- TLS-only access ------------------------------------------------------------------------------------------
def _denies_insecure_transport(statement: dict[str, Any]) -> bool:
    secure = (statement.get("Condition") or {}).get("Bool", {}).get("aws:SecureTransport")
    return statement.get("Effect") == "Deny" and str(secure).lower() == "false"


def _buckets_refuse_plain_http(args: StackValidationArgs, report_violation: ReportViolation) -> None:
    tls_only = {urn for policy in _of_type(args, "aws:s3/bucketPolicy:BucketPolicy")
                if any(_denies_insecure_transport(s) for s in _statements(policy.props.get("policy")))
                for urn in _linked(policy, "bucket")}
    for bucket in _of_type(args, BUCKET):
        if bucket.urn not in tls_only:
            report_violation("no bucket policy denies requests without TLS (aws:SecureTransport false)", bucket.urn)


def _caches_encrypt_in_transit(args: ResourceValidationArgs, report_violation: ReportViolation) -> None:
    if args.resource_type == CACHE and args.props.get("transitEncryptionEnabled") is not True:
        report_violation("`transitEncryptionEnabled` is not true")


def _redirects_to_https(listener: PolicyResource) -> bool:
    actions = listener.props.get("defaultActions") or []
    return bool(actions) and all(
        action.get("type") == "redirect" and (action.get("redirect") or {}).get("protocol") == "HTTPS"
        for action in actions)


def _load_balancers_serve_https(args: StackValidationArgs, report_violation: ReportViolation) -> None:
    listeners = _of_type(args, "aws:lb/listener:Listener")
    with_https = {urn for listener in listeners if listener.props.get("protocol") == "HTTPS"
                  for urn in _linked(listener, "loadBalancerArn")}
    for listener in listeners:
        if listener.props.get("protocol") != "HTTP" or _redirects_to_https(listener):
            continue
        if production():
            report_violation("a production listener serves plain HTTP: it must redirect to HTTPS (set "
                             "`domainName` or `certificateArn` in the stack file)", listener.urn)
        elif _linked(listener, "loadBalancerArn") & with_https:
            report_violation("the load balancer has an HTTPS listener, but this HTTP listener does not redirect to "
                             "it", listener.urn)


# ----- no public data stores ------------------------------------------------------------------------------------
def _buckets_block_public_access(args: StackValidationArgs, report_violation: ReportViolation) -> None:
    flags = ("blockPublicAcls", "blockPublicPolicy", "ignorePublicAcls", "restrictPublicBuckets")
    blocked = {urn for block in _of_type(args, "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock")
               if all(block.props.get(flag) is True for flag in flags) for urn in _linked(block, "bucket")}
    for bucket in _of_type(args, BUCKET):
        if bucket.urn not in blocked:
            report_violation(f"the bucket has no public access block with {', '.join(flags)} all true", bucket.urn)


def _databases_are_private(args: ResourceValidationArgs, report_violation: ReportViolation) -> None:
    if args.resource_type in (DB_INSTANCE, "aws:rds/clusterInstance:ClusterInstance") and \
            args.props.get("publiclyAccessible"):
        report_violation("`publiclyAccessible` is true: the database gets a public address")


# ----- no world-open ports --------------------------------------------------------------------------------------
def _world_ingress(args: StackValidationArgs) -> Iterator[tuple[PolicyResource, set[str], int, int]]:
    """(resource, the groups it opens, from port, to port) for every rule that admits the whole internet."""
    for rule in _of_type(args, "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule"):
        if rule.props.get("cidrIpv4") in WORLD or rule.props.get("cidrIpv6") in WORLD:
            yield rule, _linked(rule, "securityGroupId"), int(rule.props.get("fromPort", -1)), \
                int(rule.props.get("toPort", -1))
    for rule in _of_type(args, "aws:ec2/securityGroupRule:SecurityGroupRule"):
        cidrs = [*(rule.props.get("cidrBlocks") or []), *(rule.props.get("ipv6CidrBlocks") or [])]
        if rule.props.get("type") == "ingress" and set(cidrs) & set(WORLD):
            yield rule, _linked(rule, "securityGroupId"), int(rule.props.get("fromPort", -1)), \
                int(rule.props.get("toPort", -1))
    for group in _of_type(args, "aws:ec2/securityGroup:SecurityGroup"):
        for rule in group.props.get("ingress") or []:
            if set([*(rule.get("cidrBlocks") or []), *(rule.get("ipv6CidrBlocks") or [])]) & set(WORLD):
                yield group, {group.urn}, int(rule.get("fromPort", -1)), int(rule.get("toPort", -1))


def _no_world_open_ports(args: StackValidationArgs, report_violation: ReportViolation) -> None:
    load_balancer_groups = {urn for balancer in _of_type(args, LOAD_BALANCER)
                            for urn in _linked(balancer, "securityGroups")}
    for resource, groups, from_port, to_port in _world_ingress(args):
        public_port = from_port == to_port and from_port in PUBLIC_LOAD_BALANCER_PORTS
        if not (public_port and groups and groups <= load_balancer_groups):
            report_violation(f"ports {from_port}-{to_port} are open to the whole internet; only a public load "
                             "balancer may accept 80 and 443 from anywhere", resource.urn)


# ----- IMDSv2 ---------------------------------------------------------------------------------------------------
def _instances_require_imdsv2(args: ResourceValidationArgs, report_violation: ReportViolation) -> None:
    if args.resource_type not in ("aws:ec2/launchTemplate:LaunchTemplate", "aws:ec2/instance:Instance"):
        return
    options = args.props.get("metadataOptions") or {}
    if options.get("httpTokens") != "required":
        report_violation("`metadataOptions.httpTokens` is not \"required\": instances accept IMDSv1")
    if args.resource_type == "aws:ec2/launchTemplate:LaunchTemplate" and \
            options.get("httpPutResponseHopLimit") not in (1, 1.0):
        report_violation("`metadataOptions.httpPutResponseHopLimit` is not 1")


# ----- least-privilege IAM --------------------------------------------------------------------------------------
def _no_wildcard_admin(args: ResourceValidationArgs, report_violation: ReportViolation) -> None:
    documents = []
    if args.resource_type in ("aws:iam/rolePolicy:RolePolicy", "aws:iam/policy:Policy"):
        documents.append(args.props.get("policy"))
    if args.resource_type == "aws:iam/role:Role":
        documents += [inline.get("policy") for inline in args.props.get("inlinePolicies") or []]
    for document in documents:
        for statement in _statements(document):
            if statement.get("Effect") != "Allow":
                continue
            actions, resources = _as_list(statement.get("Action", [])), _as_list(statement.get("Resource", []))
            if "*" in resources and any(action == "*" or str(action).endswith(":*") for action in actions):
                report_violation(f"allows {actions} on every resource (*)")


# ----- flow logs and log retention ------------------------------------------------------------------------------
def _vpcs_have_flow_logs(args: StackValidationArgs, report_violation: ReportViolation) -> None:
    logged = {urn for flow_log in _of_type(args, "aws:ec2/flowLog:FlowLog") for urn in _linked(flow_log, "vpcId")}
    for vpc in _of_type(args, "aws:ec2/vpc:Vpc"):
        if vpc.urn not in logged:
            report_violation("the VPC has no flow log", vpc.urn)


def _log_groups_expire(args: ResourceValidationArgs, report_violation: ReportViolation) -> None:
    if args.resource_type != "aws:cloudwatch/logGroup:LogGroup":
        return
    days = args.props.get("retentionInDays") or 0
    if not days:
        report_violation("`retentionInDays` is not set: logs are kept forever")
    elif production() and days < PRODUCTION_LOG_RETENTION_DAYS:
        report_violation(f"`retentionInDays` is {days:g}: production keeps logs {PRODUCTION_LOG_RETENTION_DAYS} days")


# ----- secrets --------------------------------------------------------------------------------------------------
SECRET_INPUTS = {
    SECRETS_MANAGER_VERSION: "secretString",
    DB_CLUSTER: "masterPassword",
    DB_INSTANCE: "password",
    CACHE: "authToken",
}


def _secrets_are_generated(args: StackValidationArgs, report_violation: ReportViolation) -> None:
    generated = {password.urn for password in _of_type(args, RANDOM_PASSWORD)}
    for resource in args.resources:
        key = SECRET_INPUTS.get(resource.resource_type)
        if key and resource.props.get(key) and not _linked(resource, key) & generated:
            report_violation(f"`{key}` is not built from a generated password (pulumi_random.RandomPassword)",
                             resource.urn)


# ----- WAF ------------------------------------------------------------------------------------------------------
def _api_stages_sit_behind_waf(args: StackValidationArgs, report_violation: ReportViolation) -> None:
    protected = {urn for association in _of_type(args, "aws:wafv2/webAclAssociation:WebAclAssociation")
                 for urn in _linked(association, "resourceArn")}
    for stage in _of_type(args, "aws:apigateway/stage:Stage"):
        if stage.urn not in protected:
            report_violation("the API stage is not associated with a WAF web ACL", stage.urn)


# ----- deletion protection --------------------------------------------------------------------------------------
def _production_keeps_data(args: ResourceValidationArgs, report_violation: ReportViolation) -> None:
    props, kind, keep = args.props, args.resource_type, production()
    expected = {
        DB_CLUSTER: {"deletionProtection": keep, "skipFinalSnapshot": not keep},
        DB_INSTANCE: {"deletionProtection": keep, "skipFinalSnapshot": not keep},
        LOAD_BALANCER: {"enableDeletionProtection": keep},
        BUCKET: {"forceDestroy": not keep},
        "aws:dynamodb/table:Table": {"deletionProtectionEnabled": keep},
    }.get(kind, {})
    for key, value in expected.items():
        if bool(props.get(key, False)) is not value:
            stack = "production keeps its data" if keep else "stacks other than production destroy cleanly"
            report_violation(f"`{key}` should be {str(value).lower()}: {stack}")


def policies() -> list[ResourceValidationPolicy | StackValidationPolicy]:
    """One policy per SECURITY.md control, in its order; names are what violations and the policy config use."""
    return [
        ResourceValidationPolicy("kms-encryption-at-rest", "Data at rest is encrypted with the stack's KMS key.",
                                 _encrypted_at_rest),
        StackValidationPolicy("s3-bucket-encryption", "Every bucket has a server-side encryption configuration.",
                              _buckets_encrypted),
        StackValidationPolicy("s3-tls-only", "Every bucket's policy denies requests without TLS.",
                              _buckets_refuse_plain_http),
        ResourceValidationPolicy("cache-in-transit-encryption", "Caches encrypt connections in transit.",
                                 _caches_encrypt_in_transit),
        StackValidationPolicy("load-balancer-https", "Production load balancers serve HTTPS; HTTP only redirects to "
                              "it.", _load_balancers_serve_https),
        StackValidationPolicy("s3-public-access-block", "Every bucket blocks all public access.",
                              _buckets_block_public_access),
        ResourceValidationPolicy("databases-not-public", "Databases are not publicly accessible.",
                                 _databases_are_private),
        StackValidationPolicy("no-world-open-ports", "No port is open to the internet except a public load "
                              "balancer's 80 and 443.", _no_world_open_ports),
        ResourceValidationPolicy("imdsv2-required", "Instances require IMDSv2 session tokens, hop limit 1.",
                                 _instances_require_imdsv2),
        ResourceValidationPolicy("iam-no-wildcard-admin", "No IAM policy allows every action of a service on "
                                 "every resource.", _no_wildcard_admin),
        StackValidationPolicy("vpc-flow-logs", "Every VPC records its traffic in flow logs.", _vpcs_have_flow_logs),
        ResourceValidationPolicy("log-retention", "Every log group expires its logs (a year in production).",
                                 _log_groups_expire),
        StackValidationPolicy("generated-secrets", "Passwords and tokens come from a generated random password.",
                              _secrets_are_generated),
        StackValidationPolicy("waf-on-api-stages", "Every API Gateway stage sits behind a WAF web ACL.",
                              _api_stages_sit_behind_waf),
        ResourceValidationPolicy("production-deletion-protection", "Production protects its data from deletion; "
                                 "other stacks destroy cleanly.", _production_keeps_data),
    ]


PolicyPack(
    name="{{ cookiecutter.project_slug }}-security",
    policies=policies(),
    enforcement_level=EnforcementLevel.MANDATORY if production() else EnforcementLevel.ADVISORY,
)
