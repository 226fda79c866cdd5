"""Security rules on the synth record: what deploys fine but leaves a gap (TAP050-TAP054).

They read what the program registered (the record's ``inputs``, camelCase wire names), so a rule written through a
helper or a loop counts the same as one written inline. Each returns nothing when synth did not run.
"""

from __future__ import annotations

import ast
import json
from collections.abc import Iterator
from typing import Any

from ..findings import Finding, finding
from .base import Context
from .graph import Locator, label, resources, snake, unwrap
from .project_files import looks_secret

WORLD = frozenset({"0.0.0.0/0", "::/0"})
#: Ports that must never face the internet: administration, then databases and caches.
SENSITIVE_PORTS: dict[int, str] = {
    22: "SSH", 3389: "RDP", 5985: "WinRM", 5986: "WinRM",
    3306: "MySQL", 5432: "PostgreSQL", 1433: "SQL Server", 1521: "Oracle", 5439: "Redshift", 27017: "MongoDB",
    6379: "Redis", 11211: "Memcached", 9200: "OpenSearch", 9042: "Cassandra",
}
_ALL_PROTOCOLS = ("-1", "all")

_SG = "aws:ec2/securityGroup:SecurityGroup"
_SG_RULE = "aws:ec2/securityGroupRule:SecurityGroupRule"
_SG_INGRESS = "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule"


def _number(value: Any) -> int | None:
    value = unwrap(value)
    if isinstance(value, bool) or not isinstance(value, (int, float, str)):
        return None
    try:
        return int(float(value))
    except ValueError:
        return None


def exposure(protocol: Any, from_port: Any, to_port: Any) -> str | None:
    """What an ingress rule opens, in words, when it reaches all ports or a sensitive one; None otherwise.

    ``protocol`` ``-1``/``all`` means every protocol and port (AWS ignores the ports then); for tcp/udp the range
    ``from_port``-``to_port`` counts (https://docs.aws.amazon.com/vpc/latest/userguide/security-group-rules.html)."""
    proto = str(unwrap(protocol) or "").lower()
    if proto in _ALL_PROTOCOLS:
        return "all ports and protocols"
    if proto not in ("tcp", "6", "udp", "17"):
        return None
    low, high = _number(from_port), _number(to_port)
    if low is None or high is None:
        return None
    if low <= 0 and high >= 65535:
        return "all ports"
    hits = [f"{name} ({port})" for port, name in SENSITIVE_PORTS.items() if low <= port <= high]
    return ", ".join(hits) if hits else None


def _world(*values: Any) -> list[str]:
    found: list[str] = []
    for raw in values:
        value = unwrap(raw)
        items = value if isinstance(value, list) else [value]
        found += [str(unwrap(i)) for i in items if str(unwrap(i)) in WORLD]
    return found


def _item_line(loc: Locator, res: dict[str, Any], prop: str, index: int) -> tuple[str, int]:
    """The line of the ``index``-th literal item of list input ``prop`` in the resource's call, else of ``prop``."""
    path, line = loc.where(res)
    keyword = snake(prop)
    if res.get("site"):
        spanning = sorted((c for c in loc.calls_in(path) if c.lineno <= line <= (c.end_lineno or c.lineno)),
                          key=lambda c: (c.end_lineno or c.lineno) - c.lineno)
        for call in spanning:
            for node in call.keywords:
                if node.arg in (keyword, prop) and isinstance(node.value, (ast.List, ast.Tuple)) \
                        and index < len(node.value.elts):
                    return path, node.value.elts[index].lineno
    return loc.where(res, prop)


def _open_ingress(res: dict[str, Any]) -> Iterator[tuple[str, int, str, list[str]]]:
    """(input, item index, what is open, world CIDRs) for each ingress rule of a resource open to the world."""
    inputs = res.get("inputs") or {}
    if res["type"] == _SG:
        for index, rule in enumerate(unwrap(inputs.get("ingress")) or []):
            if not isinstance(rule, dict):
                continue
            cidrs = _world(rule.get("cidrBlocks"), rule.get("ipv6CidrBlocks"))
            what = exposure(rule.get("protocol"), rule.get("fromPort"), rule.get("toPort"))
            if cidrs and what:
                yield "ingress", index, what, cidrs
    elif res["type"] == _SG_RULE and unwrap(inputs.get("type")) == "ingress":
        cidrs = _world(inputs.get("cidrBlocks"), inputs.get("ipv6CidrBlocks"))
        what = exposure(inputs.get("protocol"), inputs.get("fromPort"), inputs.get("toPort"))
        if cidrs and what:
            yield "cidrBlocks", -1, what, cidrs
    elif res["type"] == _SG_INGRESS:
        cidrs = _world(inputs.get("cidrIpv4"), inputs.get("cidrIpv6"))
        what = exposure(inputs.get("ipProtocol"), inputs.get("fromPort"), inputs.get("toPort"))
        if cidrs and what:
            yield "cidrIpv4" if "cidrIpv4" in inputs else "cidrIpv6", -1, what, cidrs


# ----- TAP050 -------------------------------------------------------------------------------------------------
def tap050(ctx: Context) -> list[Finding]:
    """Ingress from ``0.0.0.0/0`` or ``::/0`` to administration or database ports, or to every port, reported at
    each rule (inline ``ingress`` items, ``SecurityGroupRule``, ``vpc.SecurityGroupIngressRule``)."""
    loc = Locator(ctx.project)
    out = []
    for res in resources(ctx):
        for prop, index, what, cidrs in _open_ingress(res):
            path, line = _item_line(loc, res, prop, index) if index >= 0 else loc.where(res, prop)
            out.append(finding("TAP050", path, line,
                               f"{label(res)} opens {what} to the whole internet ({', '.join(sorted(set(cidrs)))})"))
    return out


# ----- TAP051 / TAP052 ----------------------------------------------------------------------------------------
#: type -> (input, must be true, default when unset is unencrypted). Defaults from the AWS API references:
#: RDS ``StorageEncrypted`` (false unless a KMS key or Aurora Serverless), EFS ``Encrypted`` (false), DocumentDB and
#: Neptune ``StorageEncrypted`` (false), Redshift ``Encrypted`` (false). An EBS volume follows the account's
#: encryption-by-default setting, so only an explicit ``encrypted=False`` counts there.
_ENCRYPTION: dict[str, tuple[str, bool]] = {
    "aws:rds/instance:Instance": ("storageEncrypted", True),
    "aws:rds/cluster:Cluster": ("storageEncrypted", True),
    "aws:docdb/cluster:Cluster": ("storageEncrypted", True),
    "aws:neptune/cluster:Cluster": ("storageEncrypted", True),
    "aws:redshift/cluster:Cluster": ("encrypted", True),
    "aws:efs/fileSystem:FileSystem": ("encrypted", True),
    "aws:ebs/volume:Volume": ("encrypted", False),
    "aws:elasticache/replicationGroup:ReplicationGroup": ("atRestEncryptionEnabled", False),
}
_PUBLIC_DB = ("aws:rds/instance:Instance", "aws:rds/clusterInstance:ClusterInstance",
              "aws:redshift/cluster:Cluster", "aws:dms/replicationInstance:ReplicationInstance")


#: Inputs through which a database takes its encryption from elsewhere (a snapshot, its source, its global cluster).
_INHERITED = ("snapshotIdentifier", "replicateSourceDb", "replicationSourceIdentifier", "globalClusterIdentifier",
              "sourceDbClusterIdentifier", "restoreToPointInTime", "s3Import")


def _encrypted_by_other_means(res: dict[str, Any]) -> bool:
    inputs = res.get("inputs") or {}
    if unwrap(inputs.get("kmsKeyId")):  # a KMS key implies encryption (RDS, EFS, EBS)
        return True
    if res["type"] == "aws:rds/cluster:Cluster" and unwrap(inputs.get("engineMode")) == "serverless":
        return True  # Aurora Serverless v1 is always encrypted
    return any(unwrap(inputs.get(key)) for key in _INHERITED)


def tap051(ctx: Context) -> list[Finding]:
    """Database, volume and file-system storage left unencrypted at rest."""
    loc = Locator(ctx.project)
    out = []
    for res in resources(ctx):
        row = _ENCRYPTION.get(res["type"])
        if row is None or _encrypted_by_other_means(res):
            continue
        prop, unset_is_plain = row
        value = unwrap((res.get("inputs") or {}).get(prop))
        if value in (False, "false") or (value is None and unset_is_plain):
            path, line = loc.where(res, prop)
            state = f"{snake(prop)}={value!r}" if value is not None else f"{snake(prop)} is not set (AWS: false)"
            out.append(finding("TAP051", path, line, f"{label(res)} stores data unencrypted at rest: {state}",
                               f"Set `{snake(prop)}=True` (with `kms_key_id` for a customer-managed key)."))
    return out


def tap052(ctx: Context) -> list[Finding]:
    """Databases given a public address (``publicly_accessible=True``)."""
    loc = Locator(ctx.project)
    out = []
    for res in resources(ctx):
        if res["type"] in _PUBLIC_DB and unwrap((res.get("inputs") or {}).get("publiclyAccessible")) in (True,
                                                                                                       "true"):
            path, line = loc.where(res, "publiclyAccessible")
            out.append(finding("TAP052", path, line, f"{label(res)} is publicly accessible: it gets a public DNS "
                                                     "name and address reachable from the internet"))
    return out


# ----- TAP053 -------------------------------------------------------------------------------------------------
_BUCKETS = ("aws:s3/bucket:Bucket", "aws:s3/bucketV2:BucketV2")
_ACL_TYPES = ("aws:s3/bucketAclV2:BucketAclV2", "aws:s3/bucketAcl:BucketAcl")
_PUBLIC_ACLS = frozenset({"public-read", "public-read-write"})


def _bucket_keys(res: dict[str, Any]) -> set[str]:
    outputs = res.get("outputs") or {}
    return {str(v) for v in (res.get("id"), unwrap(outputs.get("bucket")), unwrap(outputs.get("id"))) if v}


def _public_statements(policy: Any) -> bool:
    """An ``Allow`` statement for every principal (``"*"`` or ``{"AWS": "*"}``) with no condition."""
    policy = unwrap(policy)
    if isinstance(policy, str):
        try:
            policy = json.loads(policy)
        except ValueError:
            return False
    if not isinstance(policy, dict):
        return False
    statements = policy.get("Statement") or []
    for statement in statements if isinstance(statements, list) else [statements]:
        if not isinstance(statement, dict) or statement.get("Effect") != "Allow" or statement.get("Condition"):
            continue
        principal = statement.get("Principal")
        if principal == "*" or (isinstance(principal, dict) and "*" in (
                principal.get("AWS") if isinstance(principal.get("AWS"), list) else [principal.get("AWS")])):
            return True
    return False


def tap053(ctx: Context) -> list[Finding]:
    """A bucket made public: its public access block turned off and a public policy or ACL on it. (S3 blocks
    public access on new buckets by default since April 2023, so both halves are needed for it to be public.)"""
    res_list = resources(ctx)
    unblocked_policy: set[str] = set()
    unblocked_acl: set[str] = set()
    for res in res_list:
        if res["type"] == "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock":
            inputs = res.get("inputs") or {}
            bucket = str(unwrap(inputs.get("bucket")))
            if unwrap(inputs.get("blockPublicPolicy")) is not True and unwrap(
                    inputs.get("restrictPublicBuckets")) is not True:
                unblocked_policy.add(bucket)
            if unwrap(inputs.get("blockPublicAcls")) is not True and unwrap(inputs.get("ignorePublicAcls")) is not True:
                unblocked_acl.add(bucket)
    loc = Locator(ctx.project)
    out = []
    for res in res_list:
        inputs = res.get("inputs") or {}
        bucket = str(unwrap(inputs.get("bucket")))
        hit: tuple[str, str] | None = None
        if res["type"] == "aws:s3/bucketPolicy:BucketPolicy" and bucket in unblocked_policy \
                and _public_statements(inputs.get("policy")):
            hit = ("policy", "grants access to every principal (\"*\") with no condition")
        elif unwrap(inputs.get("acl")) in _PUBLIC_ACLS and (
                (res["type"] in _ACL_TYPES and bucket in unblocked_acl)
                or (res["type"] in _BUCKETS and _bucket_keys(res) & unblocked_acl)):
            hit = ("acl", f"sets the canned ACL '{unwrap(inputs.get('acl'))}'")
        if hit:
            path, line = loc.where(res, hit[0])
            out.append(finding("TAP053", path, line, f"{label(res)} {hit[1]} while the bucket's public access "
                                                     "block is off: the bucket is public"))
    return out


# ----- TAP054 -------------------------------------------------------------------------------------------------
def _env_pairs(res: dict[str, Any]) -> Iterator[tuple[str, str, Any]]:
    """(input, variable name, value) of container definition and Lambda environment variables."""
    inputs = res.get("inputs") or {}
    if res["type"] == "aws:ecs/taskDefinition:TaskDefinition":
        defs = unwrap(inputs.get("containerDefinitions"))
        if isinstance(defs, str):
            try:
                defs = json.loads(defs)
            except ValueError:
                defs = None
        for container in defs if isinstance(defs, list) else []:
            for item in (container.get("environment") or []) if isinstance(container, dict) else []:
                if isinstance(item, dict):
                    yield "containerDefinitions", str(item.get("name")), item.get("value")
    elif res["type"] == "aws:lambda/function:Function":
        env = unwrap(inputs.get("environment"))
        variables = unwrap(env.get("variables")) if isinstance(env, dict) else None
        for name, value in (variables or {}).items() if isinstance(variables, dict) else []:
            yield "environment", name, value


def tap054(ctx: Context) -> list[Finding]:
    """Secret-named environment variables of containers and Lambda functions holding plain values written in the
    program (not a pulumi_random result, not a secret config value, not another resource's output)."""
    from .graph import program_values  # noqa: PLC0415 - shared with TAP020

    loc = Locator(ctx.project)
    known = program_values(ctx)
    out = []
    for res in resources(ctx):
        for prop, name, raw in _env_pairs(res):
            value = unwrap(raw)
            if not looks_secret(name) or not isinstance(value, str) or not value or known.is_derived(value):
                continue
            path, line = loc.where(res, prop, literal=value)
            out.append(finding("TAP054", path, line,
                               f"{label(res)} passes the secret-named variable {name} as a plain value: it is "
                               "readable by anyone who can describe the function or task definition"))
    return out


RULES = [tap050, tap051, tap052, tap053, tap054]
