"""Cache: a Valkey replication group in the private subnets, encrypted at rest and in transit, behind a token.

Why Valkey rather than Redis OSS: ElastiCache for Valkey speaks the same protocol (Redis clients work unchanged),
is open source under the BSD licence, and AWS prices it below Redis OSS for node-based clusters. The engine is
lowercase, as pulumi-aws v7 requires.
"""

from dataclasses import dataclass

import pulumi
import pulumi_aws as aws
import pulumi_random as random

from lib.naming import ELASTICACHE_REPLICATION_GROUP, Naming
from lib.settings import Settings

ENGINE = "valkey"
PORT = 6379
# ElastiCache AUTH tokens allow only these printable specials (no '@', '"' or '/', among others).
TOKEN_SPECIALS = "!&#$^<>-"


@dataclass(frozen=True)
class CacheArgs:
    """Inputs of the cache component."""

    naming: Naming
    vpc_id: pulumi.Input[str]
    private_subnet_ids: list[pulumi.Input[str]]
    kms_key_arn: pulumi.Input[str]
    production: bool
    log_retention_days: int
    node_type: str
    engine_version: str

    @classmethod
    def from_settings(
        cls,
        settings: Settings,
        *,
        vpc_id: pulumi.Input[str],
        private_subnet_ids: list[pulumi.Input[str]],
        kms_key_arn: pulumi.Input[str],
    ) -> "CacheArgs":
        """Cache inputs from the stack's configuration."""
        return cls(
            naming=settings.naming,
            vpc_id=vpc_id,
            private_subnet_ids=private_subnet_ids,
            kms_key_arn=kms_key_arn,
            production=settings.production,
            log_retention_days=settings.log_retention_days,
            node_type=settings.config.require("cacheNodeType"),
            engine_version=settings.config.require("cacheEngineVersion"),
        )


class Cache(pulumi.ComponentResource):
    """A replication group: two nodes across zones with failover in production, one node elsewhere."""

    def __init__(self, name: str, args: CacheArgs, opts: pulumi.ResourceOptions | None = None) -> None:
        super().__init__("tap:cache:Cache", name, None, opts)
        self._args = args
        self._child = pulumi.ResourceOptions(parent=self)
        child = self._child
        naming = args.naming
        production = args.production

        # No ingress until allow_from; a cache needs no egress rule.
        self.security_group = aws.ec2.SecurityGroup(
            naming.name("cache-sg"),
            vpc_id=args.vpc_id,
            description="Valkey cache; ingress only from allowed security groups",
            opts=child,
        )
        self.subnet_group = aws.elasticache.SubnetGroup(
            naming.name("cache-subnets"),
            subnet_ids=args.private_subnet_ids,
            description="Private subnets only: the cache is never reachable from the internet",
            opts=child,
        )
        self.auth_token = random.RandomPassword(
            naming.name("cache-token"), length=64, special=True, override_special=TOKEN_SPECIALS, opts=child
        )
        self.slow_log = aws.cloudwatch.LogGroup(
            naming.name("cache-slow-log"),
            retention_in_days=args.log_retention_days,
            kms_key_id=args.kms_key_arn,
            opts=child,
        )
        # ElastiCache requires an explicit id (at most 40 characters), so it is named here, not auto-named.
        group_id = naming.name("cache", limit=ELASTICACHE_REPLICATION_GROUP, auto_named=False)
        # Two nodes with automatic failover in production; one node elsewhere (cost).
        self.node_count = 2 if production else 1
        self.replication_group = aws.elasticache.ReplicationGroup(
            naming.name("cache"),
            replication_group_id=group_id,
            description=f"Valkey cache of {naming.name('stack', auto_named=False)}",
            engine=ENGINE,
            engine_version=args.engine_version,
            node_type=args.node_type,
            port=PORT,
            num_cache_clusters=self.node_count,
            automatic_failover_enabled=production,
            multi_az_enabled=production,
            subnet_group_name=self.subnet_group.name,
            security_group_ids=[self.security_group.id],
            at_rest_encryption_enabled=True,
            kms_key_id=args.kms_key_arn,
            transit_encryption_enabled=True,
            transit_encryption_mode="required",
            auth_token=self.auth_token.result,
            # ROTATE keeps the old token valid next to a new one, so clients can move over without an outage.
            auth_token_update_strategy="ROTATE",
            snapshot_retention_limit=7 if production else 0,
            final_snapshot_identifier=self._final_snapshot_name() if production else None,
            apply_immediately=not production,
            log_delivery_configurations=[
                aws.elasticache.ReplicationGroupLogDeliveryConfigurationArgs(
                    destination=self.slow_log.name,
                    destination_type="cloudwatch-logs",
                    log_format="json",
                    log_type="slow-log",
                )
            ],
            opts=child,
        )
        self.secret = aws.secretsmanager.Secret(
            naming.name("cache-secret"),
            description=f"AUTH token of the Valkey cache {group_id}",
            kms_key_id=args.kms_key_arn,
            recovery_window_in_days=30 if production else 0,
            opts=child,
        )
        self.secret_version = aws.secretsmanager.SecretVersion(
            naming.name("cache-secret-value"),
            secret_id=self.secret.id,
            secret_string=pulumi.Output.json_dumps(
                {
                    "auth_token": self.auth_token.result,
                    "host": self.replication_group.primary_endpoint_address,
                    "port": PORT,
                }
            ),
            opts=child,
        )

        self.outputs = {
            "cache_primary_endpoint": self.replication_group.primary_endpoint_address,
            "cache_port": PORT,
            "cache_auth_secret_arn": self.secret.arn,
            "cache_security_group_id": self.security_group.id,
        }
        self.register_outputs(self.outputs)

    def _final_snapshot_name(self) -> pulumi.Output[str]:
        """`<prefix>-cache-final-<suffix>-<7 random>`: new for each cache, so a stack destroyed and deployed again
        does not stop on the snapshot its predecessor left (SnapshotAlreadyExistsFault)."""
        naming = self._args.naming
        unique = random.RandomString(
            naming.name("cache-final"), length=7, special=False, upper=False, opts=self._child
        )
        return pulumi.Output.concat(naming.physical("cache-final"), "-", unique.result)

    def allow_from(self, role: str, source_security_group_id: pulumi.Input[str]) -> None:
        """Let one security group reach the cache port, and nothing else."""
        aws.vpc.SecurityGroupIngressRule(
            self._args.naming.name(f"cache-from-{role}"),
            security_group_id=self.security_group.id,
            referenced_security_group_id=source_security_group_id,
            ip_protocol="tcp",
            from_port=PORT,
            to_port=PORT,
            description=f"{role} to Valkey",
            opts=self._child,
        )
