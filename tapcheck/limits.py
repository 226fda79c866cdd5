"""AWS physical-name limits per resource type, as data for TAP026.

Where botocore's service models carry a name's length and pattern, a row names that shape (``botocore=(service,
operation, member)``) and ``tests/checker/test_rules_facts.py`` keeps the row's numbers equal to botocore's; the
other rows cite the AWS page that states the limit (the API models of those services give no bounds).

Pulumi auto-naming (pulumi-aws ``resources.go``, ``tfbridge.AutoName``): when the name input is absent the physical
name is ``<logical name>-<7 random chars>``, so a logical name must leave 8 characters of room. S3 buckets are the
exception in case: pulumi-aws auto-names them with ``AutoNameTransform(..., strings.ToLower)``, so an upper-case
logical name is fine. Provider-side validators never run under mocks, hence this table.
"""

from __future__ import annotations

import ipaddress
import re
from dataclasses import dataclass
from typing import Any

AUTONAME_SUFFIX = 8  # "-" + 7 random characters


@dataclass(frozen=True)
class NameLimit:
    """One row: the input holding the physical name, its length range, allowed characters, extra shape rules.

    ``botocore`` is ``(service, operation, member)`` when botocore's model carries the limit; ``source`` is the
    public page otherwise. ``lowercase_auto`` means the provider lower-cases auto-names."""

    label: str
    prop: str
    max_len: int
    min_len: int = 1
    chars: str = r"[A-Za-z0-9_-]"
    described: str = "letters, digits, '-' and '_'"
    autonames: bool = True
    lowercase_auto: bool = False
    start_letter: bool = False
    no_double_dash: bool = False
    no_edge_dash: bool = False
    start_end_alnum: bool = False
    fifo_suffix: bool = False
    s3_rules: bool = False
    botocore: tuple[str, str, str] | None = None
    source: str = ""

    def problems(self, name: str) -> list[str]:
        """Every rule ``name`` breaks, in words (empty when the name is valid)."""
        out: list[str] = []
        if not self.min_len <= len(name) <= self.max_len:
            out.append(f"is {len(name)} characters; {self.label} names must be {self.min_len}-{self.max_len}")
        body = fifo_base(name) if self.fifo_suffix else name
        bad = sorted({c for c in body if not re.fullmatch(self.chars, c)})
        if bad:
            out.append(f"contains {''.join(bad)!r}; allowed: {self.described}")
        if self.start_letter and name and not name[0].isalpha():
            out.append("must begin with a letter")
        if self.no_double_dash and "--" in name:
            out.append("must not contain '--'")
        if self.no_edge_dash and (name.startswith("-") or name.endswith("-")):
            out.append("must not begin or end with '-'")
        if self.start_end_alnum and name and not (name[0].isalnum() and name[-1].isalnum()):
            out.append("must begin and end with a letter or digit")
        if self.s3_rules:
            out += s3_problems(name)
        return out


def s3_problems(name: str) -> list[str]:
    """The S3 general-purpose bucket rules beyond length and characters (AWS, "General purpose bucket naming
    rules": https://docs.aws.amazon.com/AmazonS3/latest/userguide/bucketnamingrules.html)."""
    out = [f"must not contain {seq!r}" for seq in ("..", ".-", "-.") if seq in name]
    try:
        ipaddress.IPv4Address(name)
        out.append("must not be formatted as an IP address")
    except ValueError:
        pass
    out += [f"must not begin with {p!r}" for p in ("xn--", "sthree-", "amzn-s3-demo-") if name.startswith(p)]
    out += [f"must not end with {s!r}" for s in ("-s3alias", "--ol-s3", ".mrap", "--x-s3", "--table-s3")
            if name.endswith(s)]
    return out


_S3 = NameLimit("S3 bucket", "bucket", 63, 3, r"[a-z0-9.-]", "lowercase letters, digits, '.' and '-'",
                lowercase_auto=True, start_end_alnum=True, s3_rules=True,
                source="https://docs.aws.amazon.com/AmazonS3/latest/userguide/bucketnamingrules.html")
_ELB = "https://docs.aws.amazon.com/elasticloadbalancing/latest/APIReference/API_CreateLoadBalancer.html"
_LB = NameLimit("load balancer", "name", 32, 1, r"[A-Za-z0-9-]", "letters, digits and '-'", no_edge_dash=True,
                source=_ELB)
_TG = NameLimit("target group", "name", 32, 1, r"[A-Za-z0-9-]", "letters, digits and '-'", no_edge_dash=True,
                source="https://docs.aws.amazon.com/elasticloadbalancing/latest/APIReference/API_CreateTargetGroup.html")
_RDS: dict[str, Any] = {"chars": r"[a-z0-9-]", "described": "lowercase letters, digits and '-'",
                        "start_letter": True, "no_double_dash": True, "no_edge_dash": True,
                        "source": "https://docs.aws.amazon.com/AmazonRDS/latest/APIReference/API_CreateDBCluster.html"}
_IAM_CHARS = {"chars": r"[\w+=,.@-]", "described": "letters, digits and +=,.@_-"}

#: type token -> limit row.
NAME_LIMITS: dict[str, NameLimit] = {
    "aws:s3/bucket:Bucket": _S3,
    "aws:s3/bucketV2:BucketV2": _S3,
    "aws:lb/loadBalancer:LoadBalancer": _LB,
    "aws:alb/loadBalancer:LoadBalancer": _LB,
    "aws:lb/targetGroup:TargetGroup": _TG,
    "aws:alb/targetGroup:TargetGroup": _TG,
    "aws:iam/role:Role": NameLimit("IAM role", "name", 64, 1, **_IAM_CHARS,
                                   botocore=("iam", "CreateRole", "RoleName")),
    "aws:iam/policy:Policy": NameLimit("IAM policy", "name", 128, 1, **_IAM_CHARS,
                                       botocore=("iam", "CreatePolicy", "PolicyName")),
    "aws:iam/rolePolicy:RolePolicy": NameLimit("IAM role policy", "name", 128, 1, **_IAM_CHARS,
                                               botocore=("iam", "PutRolePolicy", "PolicyName")),
    "aws:iam/user:User": NameLimit("IAM user", "name", 64, 1, **_IAM_CHARS, autonames=False,
                                   botocore=("iam", "CreateUser", "UserName")),
    # botocore's FunctionName shape (1-140) also admits ARNs; a bare name is 64 at most.
    "aws:lambda/function:Function": NameLimit(
        "Lambda function", "name", 64, 1,
        source="https://docs.aws.amazon.com/lambda/latest/api/API_CreateFunction.html#lambda-CreateFunction-request-FunctionName"),
    "aws:rds/cluster:Cluster": NameLimit("RDS cluster identifier", "clusterIdentifier", 63, 1, **_RDS),
    "aws:rds/instance:Instance": NameLimit("RDS instance identifier", "identifier", 63, 1, **_RDS),
    "aws:rds/clusterInstance:ClusterInstance": NameLimit("RDS instance identifier", "identifier", 63, 1, **_RDS),
    "aws:elasticache/replicationGroup:ReplicationGroup": NameLimit(
        "ElastiCache replication group id", "replicationGroupId", 40, 1, r"[0-9A-Za-z-]", "letters, digits and '-'",
        start_letter=True, no_double_dash=True, no_edge_dash=True,
        source="https://docs.aws.amazon.com/AmazonElastiCache/latest/APIReference/API_CreateReplicationGroup.html"),
    "aws:sqs/queue:Queue": NameLimit("SQS queue", "name", 80, 1, r"[A-Za-z0-9_-]",
                                     "letters, digits, '-', '_' (and a final '.fifo')", fifo_suffix=True,
                                     source="https://docs.aws.amazon.com/AWSSimpleQueueService/latest/APIReference/API_CreateQueue.html"),
    "aws:sns/topic:Topic": NameLimit("SNS topic", "name", 256, 1, r"[A-Za-z0-9_-]",
                                     "letters, digits, '-', '_' (and a final '.fifo')", fifo_suffix=True,
                                     source="https://docs.aws.amazon.com/sns/latest/api/API_CreateTopic.html"),
    "aws:dynamodb/table:Table": NameLimit("DynamoDB table", "name", 255, 3, r"[A-Za-z0-9_.-]",
                                          "letters, digits, '_', '.' and '-'",
                                          source="https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/HowItWorks.NamingRulesDataTypes.html"),
    "aws:secretsmanager/secret:Secret": NameLimit("Secrets Manager secret", "name", 512, 1, r"[A-Za-z0-9/_+=.@-]",
                                                  "letters, digits and /_+=.@-",
                                                  botocore=("secretsmanager", "CreateSecret", "Name")),
    "aws:cloudwatch/logGroup:LogGroup": NameLimit("CloudWatch log group", "name", 512, 1, r"[.\-_/#A-Za-z0-9]",
                                                  "letters, digits and ._-/#",
                                                  botocore=("logs", "CreateLogGroup", "logGroupName")),
    "aws:ecs/cluster:Cluster": NameLimit("ECS cluster", "name", 255,
                                         source="https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_CreateCluster.html"),
    "aws:ecs/service:Service": NameLimit("ECS service", "name", 255,
                                         source="https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_CreateService.html"),
    "aws:apigatewayv2/api:Api": NameLimit("API Gateway v2 API", "name", 128, 1, r".", "any character",
                                          source="https://docs.aws.amazon.com/apigatewayv2/latest/api-reference/apis.html"),
    "aws:wafv2/webAcl:WebAcl": NameLimit("WAFv2 web ACL", "name", 128, 1, r"[\w-]", "letters, digits, '-' and '_'",
                                         botocore=("wafv2", "CreateWebACL", "Name")),
    "aws:kms/alias:Alias": NameLimit("KMS alias", "name", 256, 1, r"[A-Za-z0-9:/_-]", "letters, digits and :/_-",
                                     autonames=False, botocore=("kms", "CreateAlias", "AliasName")),
}


def fifo_base(name: str) -> str:
    """SQS/SNS FIFO names end in ``.fifo`` (counted in the length); the rest follows the plain charset."""
    return name[: -len(".fifo")] if name.endswith(".fifo") else name
