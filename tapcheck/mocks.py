"""Pulumi mocks that answer like AWS, for unit tests and for the checker's synth.

Why: ``pulumi.runtime.Mocks`` returns nothing by default, so programs that read ``bucket.arn``, call
``aws.get_availability_zones()`` or take ``aws.rds.get_engine_version().version`` see ``None`` and fail or
pass for the wrong reason. These mocks give deterministic, plausible values (facts 5.2, 5.6, 5.7).

Importable with only ``pulumi`` installed: ``pulumi_aws`` is never imported here.
"""

from __future__ import annotations

import hashlib
import json
from typing import Any

import pulumi

from .engines import default_version, parameter_group_family

ACCOUNT_ID = "123456789012"
DEFAULT_REGION = "us-east-1"

# Pulumi's wire format for a secret value: ``{SIG_KEY: SECRET_SIG, "value": v}``. The mock monitor turns it into a
# secret Output (facts 5.6, 5.7; ``pulumi.runtime.rpc._special_sig_key`` / ``_special_secret_sig``).
SIG_KEY = "4dabf18193072939515e22adb298388d"
SECRET_SIG = "1b47061264138c4ac30d75fd1eb44270"

_ZONE_PREFIX = {
    "us-east-1": "use1", "us-east-2": "use2", "us-west-1": "usw1", "us-west-2": "usw2", "eu-west-1": "euw1",
    "eu-west-2": "euw2", "eu-central-1": "euc1", "ap-southeast-1": "apse1", "ap-southeast-2": "apse2",
    "ap-northeast-1": "apne1", "ca-central-1": "cac1", "sa-east-1": "sae1", "ap-south-1": "aps1",
}

# Type tokens whose physical name lives in another input than ``name`` (only S3 buckets matter for state).
_SECRET_RESULT_TYPES = ("random:index/randomPassword:RandomPassword",)


def secret(value: Any) -> dict[str, Any]:
    """Wrap a value the way the engine marks secrets, so ``Output.is_secret()`` is True in the program."""
    return {SIG_KEY: SECRET_SIG, "value": value}


def suffix(name: str, length: int = 7) -> str:
    """Deterministic stand-in for Pulumi's random auto-name suffix (``<name>-<7 chars>``)."""
    return hashlib.sha256(name.encode("utf-8")).hexdigest()[:length]


def random_result(name: str, length: int = 24) -> str:
    """Deterministic value for a ``random`` provider result; the checker recognises it as generated."""
    return "Rnd" + hashlib.sha256(("random:" + name).encode("utf-8")).hexdigest()[: max(length - 3, 8)]


def _region(args_region: Any = None) -> str:
    """The region asked for, else the stack's ``aws:region``, else us-east-1."""
    if isinstance(args_region, str) and args_region:
        return args_region
    return pulumi.runtime.get_config("aws:region") or DEFAULT_REGION


def _service(token: str) -> str:
    """``aws:s3/bucket:Bucket`` -> ``s3``; ``aws:lambda/function:Function`` -> ``lambda``."""
    parts = token.split(":")
    module = parts[1] if len(parts) > 2 else ""
    return module.split("/")[0] or "aws"


class AwsMocks(pulumi.runtime.Mocks):
    """Mocks for pulumi-aws v7 programs: deterministic ids, ARNs, endpoints and data-source answers."""

    def new_resource(self, args: pulumi.runtime.MockResourceArgs) -> tuple[str, dict[str, Any]]:
        """Return ``<name>-id`` and the inputs plus the computed outputs a real deployment would add."""
        state: dict[str, Any] = dict(args.inputs)
        typ = args.typ
        rid = f"{args.name}-id"
        if typ.startswith("random:"):
            return rid, self._random_state(typ, args.name, state)
        if not typ.startswith("aws:"):
            return rid, state
        region = _region(state.get("region"))
        physical = state.get("name") or f"{args.name}-{suffix(args.name)}"
        state.setdefault("id", rid)
        state.setdefault("name", physical)
        service = _service(typ)
        state.setdefault("arn", f"arn:aws:{service}:{region}:{ACCOUNT_ID}:{physical}")
        self._add_computed(typ, args.name, state, region)
        return rid, state

    @staticmethod
    def _random_state(typ: str, name: str, state: dict[str, Any]) -> dict[str, Any]:
        length = int(state.get("length") or 24)
        value = random_result(name, length)
        if typ in _SECRET_RESULT_TYPES:
            state["result"] = secret(value)
            state["bcryptHash"] = secret("$2a$10$" + suffix(value, 53))
        elif typ.endswith("randomId:RandomId"):
            state.update(hex=suffix(name, 16), b64Url=suffix(name, 11), b64Std=suffix(name, 11) + "=",
                         dec=str(int(suffix(name, 12), 16)))
        elif typ.endswith("randomInteger:RandomInteger"):
            state["result"] = float(state.get("min") or 1)
        else:
            state["result"] = value
        return state

    @staticmethod
    def _add_computed(typ: str, name: str, state: dict[str, Any], region: str) -> None:
        physical = state["name"]
        if typ in ("aws:s3/bucket:Bucket", "aws:s3/bucketV2:BucketV2"):
            bucket = state.get("bucket") or f"{name}-{suffix(name)}".lower()
            state["bucket"] = bucket
            state["arn"] = f"arn:aws:s3:::{bucket}"
            state.setdefault("bucketDomainName", f"{bucket}.s3.amazonaws.com")
            state.setdefault("bucketRegionalDomainName", f"{bucket}.s3.{region}.amazonaws.com")
        elif typ == "aws:rds/cluster:Cluster":
            ident = state.get("clusterIdentifier") or physical
            state.setdefault("clusterIdentifier", ident)
            state.setdefault("endpoint", f"{ident}.cluster-abcdefghijkl.{region}.rds.amazonaws.com")
            state.setdefault("readerEndpoint", f"{ident}.cluster-ro-abcdefghijkl.{region}.rds.amazonaws.com")
            state.setdefault("port", 5432.0 if "postgres" in str(state.get("engine", "")) else 3306.0)
        elif typ in ("aws:rds/instance:Instance", "aws:rds/clusterInstance:ClusterInstance"):
            ident = state.get("identifier") or physical
            state.setdefault("identifier", ident)
            state.setdefault("address", f"{ident}.abcdefghijkl.{region}.rds.amazonaws.com")
            state.setdefault("port", 5432.0)
            state.setdefault("endpoint", f"{state['address']}:{int(state['port'])}")
        elif typ in ("aws:lb/loadBalancer:LoadBalancer", "aws:alb/loadBalancer:LoadBalancer"):
            state.setdefault("dnsName", f"{physical[:32]}-1234567890.{region}.elb.amazonaws.com")
            state.setdefault("zoneId", "Z35SXDOTRQ7X7K")
            # CloudWatch names load balancers by the ARN's suffix.
            state.setdefault("arnSuffix", f"app/{physical[:32]}/{suffix(name, 16)}")
        elif typ in ("aws:lb/targetGroup:TargetGroup", "aws:alb/targetGroup:TargetGroup"):
            state.setdefault("arnSuffix", f"targetgroup/{physical[:32]}/{suffix(name, 16)}")
        elif typ == "aws:apigateway/stage:Stage":
            api = state.get("restApi") or "api"
            stage = state.get("stageName") or "stage"
            state.setdefault("invokeUrl", f"https://{api}.execute-api.{region}.amazonaws.com/{stage}")
            state.setdefault("executionArn", f"arn:aws:execute-api:{region}:{ACCOUNT_ID}:{api}/{stage}")
        elif typ == "aws:lambda/functionUrl:FunctionUrl":
            state.setdefault("functionUrl", f"https://{suffix(name, 32)}.lambda-url.{region}.on.aws/")
            state.setdefault("urlId", suffix(name, 32))
        elif typ == "aws:lambda/function:Function":
            state.setdefault("invokeArn", f"arn:aws:apigateway:{region}:lambda:path/2015-03-31/functions/"
                                          f"{state['arn']}/invocations")
        elif typ == "aws:elasticache/replicationGroup:ReplicationGroup":
            ident = state.get("replicationGroupId") or physical
            state.setdefault("primaryEndpointAddress", f"master.{ident}.abcdef.{region.replace('-', '')}.cache."
                                                       "amazonaws.com")
            state.setdefault("readerEndpointAddress", f"replica.{ident}.abcdef.cache.amazonaws.com")
        elif typ == "aws:sqs/queue:Queue":
            state.setdefault("url", f"https://sqs.{region}.amazonaws.com/{ACCOUNT_ID}/{physical}")
        elif typ == "aws:ec2/vpc:Vpc":
            state.setdefault("defaultSecurityGroupId", f"{name}-default-sg")
            state.setdefault("mainRouteTableId", f"{name}-main-rtb")
        elif typ == "aws:cloudwatch/logGroup:LogGroup":
            state["arn"] = f"arn:aws:logs:{region}:{ACCOUNT_ID}:log-group:{physical}"
        elif typ == "aws:iam/role:Role":
            state["arn"] = f"arn:aws:iam::{ACCOUNT_ID}:role/{physical}"

    def call(self, args: pulumi.runtime.MockCallArgs) -> dict[str, Any]:
        """Answer the data sources programs commonly call; unknown calls get ``{}``."""
        token = args.token
        inputs = args.args or {}
        region = _region(inputs.get("region"))
        if token == "aws:index/getAvailabilityZones:getAvailabilityZones":
            prefix = _ZONE_PREFIX.get(region, region.replace("-", "")[:5])
            return {"names": [f"{region}{z}" for z in "abc"], "zoneIds": [f"{prefix}-az{i}" for i in (1, 2, 3)],
                    "groupNames": [region], "id": region, "state": "available"}
        if token == "aws:index/getCallerIdentity:getCallerIdentity":
            return {"accountId": ACCOUNT_ID, "arn": f"arn:aws:iam::{ACCOUNT_ID}:user/mock", "userId": "AIDAMOCKUSER",
                    "id": ACCOUNT_ID}
        if token == "aws:index/getRegion:getRegion":
            return {"name": region, "region": region, "id": region, "endpoint": f"ec2.{region}.amazonaws.com",
                    "description": region}
        if token == "aws:index/getPartition:getPartition":
            return {"partition": "aws", "dnsSuffix": "amazonaws.com", "reverseDnsPrefix": "com.amazonaws",
                    "id": "aws"}
        if token == "aws:rds/getEngineVersion:getEngineVersion":
            return self._engine_version(inputs)
        if token == "aws:iam/getPolicyDocument:getPolicyDocument":
            return policy_document(inputs)
        if token == "aws:ec2/getAmi:getAmi":
            image = f"ami-{suffix(str(inputs.get('nameRegex') or inputs.get('filters') or 'image'), 17)}"
            return {"id": image, "imageId": image, "architecture": "x86_64", "name": "al2023-ami-mock",
                    "rootDeviceName": "/dev/xvda", "owners": inputs.get("owners", ["amazon"])}
        return {}

    @staticmethod
    def _engine_version(inputs: dict[str, Any]) -> dict[str, Any]:
        engine = str(inputs.get("engine") or "aurora-postgresql")
        requested = inputs.get("version") or None
        preferred = inputs.get("preferredVersions") or []
        if not requested and preferred:
            requested = preferred[0]
        version = default_version(engine, requested) or requested or "1.0"
        return {"engine": engine, "version": version, "versionActual": version,
                "parameterGroupFamily": parameter_group_family(engine, version), "status": "available",
                "defaultOnly": bool(inputs.get("defaultOnly")), "validUpgradeTargets": [],
                "supportedModes": ["provisioned", "serverless"] if engine.startswith("aurora") else [],
                "engineDescription": engine, "id": f"{engine}-{version}"}


def _as_list(value: Any) -> list[Any]:
    if value is None:
        return []
    return value if isinstance(value, list) else [value]


def _one_or_list(values: list[Any]) -> Any:
    return values[0] if len(values) == 1 else values


def policy_document(inputs: dict[str, Any]) -> dict[str, Any]:
    """Render ``getPolicyDocument`` statements (camelCase call args) to the IAM JSON AWS would return."""
    statements = []
    for stmt in inputs.get("statements") or []:
        out: dict[str, Any] = {}
        if stmt.get("sid"):
            out["Sid"] = stmt["sid"]
        out["Effect"] = stmt.get("effect") or "Allow"
        for key, field in (("actions", "Action"), ("notActions", "NotAction"), ("resources", "Resource"),
                           ("notResources", "NotResource")):
            if stmt.get(key):
                out[field] = _one_or_list(_as_list(stmt[key]))
        for key, field in (("principals", "Principal"), ("notPrincipals", "NotPrincipal")):
            if stmt.get(key):
                principal: dict[str, Any] = {}
                for p in stmt[key]:
                    principal[p.get("type", "AWS")] = _one_or_list(_as_list(p.get("identifiers")))
                out[field] = principal
        if stmt.get("conditions"):
            cond: dict[str, dict[str, Any]] = {}
            for c in stmt["conditions"]:
                cond.setdefault(c.get("test", "StringEquals"), {})[c.get("variable", "")] = _one_or_list(
                    _as_list(c.get("values")))
            out["Condition"] = cond
        statements.append(out)
    doc = {"Version": inputs.get("version") or "2012-10-17", "Statement": statements}
    text = json.dumps(doc, indent=2)
    minified = json.dumps(doc, separators=(",", ":"))
    return {"json": text, "minifiedJson": minified, "id": suffix(minified, 10)}
