"""Physical names of AWS resources, checked against AWS limits before anything is deployed.

Every name is `<prefix>-<role>-<suffix>`. Pulumi auto-names a resource by appending `-` and 7 random
characters to its logical name (pulumi-aws provider/autonaming.go), so a name that AWS limits to N
characters may use N - 8 of them.
"""

import re
from dataclasses import dataclass

PREFIX_PATTERN = re.compile(r"[a-z][a-z0-9]{0,7}")
SUFFIX_PATTERN = re.compile(r"[a-z0-9]{1,10}")
AUTO_NAME_SUFFIX = 8

# AWS name limits of the resources this program creates (characters).
LOAD_BALANCER = 32
TARGET_GROUP = 32
ELASTICACHE_REPLICATION_GROUP = 40
S3_BUCKET = 63
RDS_IDENTIFIER = 63
IAM_ROLE = 64
LAMBDA_FUNCTION = 64
DEFAULT_LIMIT = 255


@dataclass(frozen=True)
class Naming:
    """The prefix and environment suffix shared by every resource name of a stack."""

    prefix: str
    suffix: str

    def __post_init__(self) -> None:
        if not PREFIX_PATTERN.fullmatch(self.prefix):
            raise ValueError(
                f"namePrefix {self.prefix!r} must be a lowercase letter followed by up to 7 lowercase letters or digits"
            )
        if not SUFFIX_PATTERN.fullmatch(self.suffix):
            raise ValueError(f"environmentSuffix {self.suffix!r} must be 1 to 10 lowercase letters or digits")

    def name(self, role: str, limit: int = DEFAULT_LIMIT, auto_named: bool = True) -> str:
        """The logical (and, once auto-named, physical) name of the resource playing `role`."""
        name = f"{self.prefix}-{role}-{self.suffix}"
        room = limit - AUTO_NAME_SUFFIX if auto_named else limit
        if len(name) > room:
            raise ValueError(f"name {name!r} has {len(name)} characters; AWS allows {room} here (limit {limit})")
        return name
