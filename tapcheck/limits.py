"""AWS physical-name limits per resource type (facts section 8), as data for TAP026.

Pulumi auto-naming (pulumi-aws ``tfbridge.AutoName``): when the name input is absent the physical name is
``<logical name>-<7 random chars>``, so a logical name must leave 8 characters of room. Auto-naming does not
lowercase in general, so S3 bucket logical names must be lowercase. Provider-side validators never run under
mocks (facts 5.8), hence this table.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

AUTONAME_SUFFIX = 8  # "-" + 7 random characters


@dataclass(frozen=True)
class NameLimit:
    """One row: the input holding the physical name, its length range, allowed characters, extra shape rules."""

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
    source: str = ""

    def problems(self, name: str) -> list[str]:
        """Every rule ``name`` breaks, in words."""
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
        return out


_S3 = NameLimit("S3 bucket", "bucket", 63, 3, r"[a-z0-9.-]", "lowercase letters, digits, '.' and '-'",
                start_end_alnum=True, source="pulumi-aws docstring; AWS bucket naming rules")
_LB = NameLimit("load balancer", "name", 32, 1, r"[A-Za-z0-9-]", "letters, digits and '-'", no_edge_dash=True,
                source="pulumi-aws docstring")
_TG = NameLimit("target group", "name", 32, 1, r"[A-Za-z0-9-]", "letters, digits and '-'", no_edge_dash=True,
                source="pulumi-aws resources.go AutoName('name', 32, '-')")
_RDS: dict[str, Any] = {"chars": r"[a-z0-9-]", "described": "lowercase letters, digits and '-'",
                        "start_letter": True, "no_double_dash": True, "source": "TF validators; 63 from AWS docs"}

#: type token -> limit row.
NAME_LIMITS: dict[str, NameLimit] = {
    "aws:s3/bucket:Bucket": _S3,
    "aws:s3/bucketV2:BucketV2": _S3,
    "aws:lb/loadBalancer:LoadBalancer": _LB,
    "aws:alb/loadBalancer:LoadBalancer": _LB,
    "aws:lb/targetGroup:TargetGroup": _TG,
    "aws:alb/targetGroup:TargetGroup": _TG,
    "aws:iam/role:Role": NameLimit("IAM role", "name", 64, 1, r"[\w+=,.@-]", "letters, digits and +=,.@_-",
                                   source="TF validator roleNameMaxLen"),
    "aws:iam/policy:Policy": NameLimit("IAM policy", "name", 128, 1, r"[\w+=,.@-]", "letters, digits and +=,.@_-",
                                       source="TF validator policyNameMaxLen"),
    "aws:iam/rolePolicy:RolePolicy": NameLimit("IAM role policy", "name", 128, 1, r"[\w+=,.@-]",
                                               "letters, digits and +=,.@_-", source="TF rolePolicyNameMaxLen"),
    "aws:lambda/function:Function": NameLimit("Lambda function", "name", 64, 1,
                                              source="TF validFunctionName; 64 from AWS API docs"),
    "aws:rds/cluster:Cluster": NameLimit("RDS cluster identifier", "clusterIdentifier", 63, 1, no_edge_dash=True,
                                         **_RDS),
    "aws:rds/instance:Instance": NameLimit("RDS instance identifier", "identifier", 63, 1, no_edge_dash=True,
                                           **_RDS),
    "aws:rds/clusterInstance:ClusterInstance": NameLimit("RDS instance identifier", "identifier", 63, 1,
                                                         no_edge_dash=True, **_RDS),
    "aws:elasticache/replicationGroup:ReplicationGroup": NameLimit(
        "ElastiCache replication group id", "replicationGroupId", 40, 1, r"[0-9A-Za-z-]", "letters, digits and '-'",
        start_letter=True, no_double_dash=True, no_edge_dash=True, source="TF validateReplicationGroupID"),
    "aws:sqs/queue:Queue": NameLimit("SQS queue", "name", 80, 1, r"[A-Za-z0-9_-]",
                                     "letters, digits, '-', '_' (and a final '.fifo')", fifo_suffix=True,
                                     source="pulumi-aws docstring"),
    "aws:sns/topic:Topic": NameLimit("SNS topic", "name", 256, 1, r"[A-Za-z0-9_-]",
                                     "letters, digits, '-', '_' (and a final '.fifo')", fifo_suffix=True,
                                     source="pulumi-aws docstring"),
    "aws:dynamodb/table:Table": NameLimit("DynamoDB table", "name", 255, 3, r"[A-Za-z0-9_.-]",
                                          "letters, digits, '_', '.' and '-'", source="AWS docs (UNVERIFIED)"),
    "aws:secretsmanager/secret:Secret": NameLimit("Secrets Manager secret", "name", 512, 1, r"[A-Za-z0-9/_+=.@-]",
                                                  "letters, digits and /_+=.@-", source="pulumi-aws docstring"),
    "aws:cloudwatch/logGroup:LogGroup": NameLimit("CloudWatch log group", "name", 512, 1, r"[.\-_/#A-Za-z0-9]",
                                                  "letters, digits and ._-/#", source="TF validLogGroupName"),
    "aws:ecs/cluster:Cluster": NameLimit("ECS cluster", "name", 255, source="pulumi-aws docstring"),
    "aws:ecs/service:Service": NameLimit("ECS service", "name", 255, source="pulumi-aws docstring"),
    "aws:apigatewayv2/api:Api": NameLimit("API Gateway v2 API", "name", 128, 1, r".", "any character",
                                          source="pulumi-aws docstring"),
    "aws:wafv2/webAcl:WebAcl": NameLimit("WAFv2 web ACL", "name", 128, source="TF wafv2 web_acl schema"),
    "aws:kms/alias:Alias": NameLimit("KMS alias", "name", 256, 1, r"[A-Za-z0-9/_-]", "letters, digits and /_-",
                                     autonames=False, source="TF validNameForResource"),
}


def fifo_base(name: str) -> str:
    """SQS/SNS FIFO names end in ``.fifo`` (counted in the length); the rest follows the plain charset."""
    return name[: -len(".fifo")] if name.endswith(".fifo") else name
