"""The stack's settings, read once from Pulumi config into a typed object.

Pulumi.yaml declares every project key with its default, so `require` never fails on a deployed stack.
"""

from dataclasses import dataclass

import pulumi

from lib.naming import Naming


@dataclass(frozen=True)
class Settings:
    """Settings shared by every component of the stack."""

    project: str
    stack: str
    region: str
    naming: Naming
    production: bool
    owner: str
    cost_center: str
    log_retention_days: int
    config: pulumi.Config

    @classmethod
    def load(cls) -> "Settings":
        """Read the current stack's configuration."""
        config = pulumi.Config()
        return cls(
            project=pulumi.get_project(),
            stack=pulumi.get_stack(),
            region=pulumi.Config("aws").require("region"),
            naming=Naming(prefix=config.require("namePrefix"), suffix=config.require("environmentSuffix")),
            production=config.require_bool("production"),
            owner=config.require("owner"),
            cost_center=config.require("costCenter"),
            log_retention_days=config.require_int("logRetentionDays"),
            config=config,
        )
