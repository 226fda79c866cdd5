"""Database: an Aurora cluster or an RDS instance in the private subnets, its master secret and its firewall.

Why one component for four engines: every relational store of the stack needs the same guarantees (private,
encrypted with the stack key, credentials generated and kept in Secrets Manager, backups, protected in
production, disposable elsewhere); only the resource that carries them differs.

Engine versions come from config (`databaseEngineVersion`) because RDS retires minor versions: a version that
AWS no longer offers for new databases fails only at deploy time ("Cannot find version 15.3 for
aurora-postgresql"). To pick one that is valid in your region, ask RDS instead of guessing:
`aws.rds.get_engine_version(engine="aurora-postgresql", default_only=True).version` in Python (or
`preferred_versions=[...]` to take the first one still offered, `latest=True` for the newest), or
`aws rds describe-db-engine-versions --engine aurora-postgresql --default-only` on the command line, then set
the answer with `pulumi config set databaseEngineVersion <version>`.
"""

import re
from dataclasses import dataclass

import pulumi
import pulumi_aws as aws
import pulumi_random as random

from lib.naming import RDS_IDENTIFIER, Naming
from lib.settings import Settings

AURORA_ENGINES = ("aurora-postgresql", "aurora-mysql")
RDS_ENGINES = ("postgres", "mysql")
ENGINES = AURORA_ENGINES + RDS_ENGINES
CAPACITIES = ("serverless", "provisioned")

ENGINE_PORTS = {"aurora-postgresql": 5432, "postgres": 5432, "aurora-mysql": 3306, "mysql": 3306}

# The shape RDS expects for each engine's version: Aurora MySQL versions carry their own release number.
ENGINE_VERSION_PATTERNS = {
    "aurora-postgresql": re.compile(r"\d+\.\d+"),
    "postgres": re.compile(r"\d+(\.\d+)?"),
    "aurora-mysql": re.compile(r"\d+\.\d+\.mysql_aurora\.\d+\.\d+\.\d+"),
    "mysql": re.compile(r"\d+\.\d+(\.\d+)?"),
}

# Versions offered for new databases when this template was written, one per engine (the Pulumi.yaml default of
# `databaseEngineVersion` is rendered from this table). Sources: AWS's 2025 minor-release announcements for
# Aurora PostgreSQL and RDS for PostgreSQL (17.6, 16.10, 15.14, 14.19, 13.22); Aurora MySQL 3.10 as the
# regional default in 2026 (public IaC repos, pulumi-facts section 7); RDS for MySQL 8.4 rather than 8.0,
# whose RDS standard support ends on 2026-07-31. Cross-checked with tapcheck/engines.py (table dated 2026-01).
SUGGESTED_ENGINE_VERSIONS = {
    "aurora-postgresql": "16.10",
    "aurora-mysql": "8.0.mysql_aurora.3.10.3",
    "postgres": "16.10",
    "mysql": "8.4.6",
}

# Log types each engine can publish to CloudWatch Logs (general/slow logs only fill if enabled in parameters).
LOG_EXPORTS = {
    "aurora-postgresql": ["postgresql"],
    "postgres": ["postgresql"],
    "aurora-mysql": ["error", "slowquery"],
    "mysql": ["error", "slowquery"],
}

# RDS accepts any printable ASCII in a master password except '/', '@', '"' and space; quotes and backticks
# are left out too so the password survives shells and connection strings.
PASSWORD_SPECIALS = "!#$%&*()-_=+[]{}<>:?"


def check_engine_version(engine: str, version: str) -> None:
    """Refuse a version written for another engine (e.g. a PostgreSQL number for Aurora MySQL) before deploying."""
    if not ENGINE_VERSION_PATTERNS[engine].fullmatch(version):
        example = SUGGESTED_ENGINE_VERSIONS[engine]
        raise ValueError(f"databaseEngineVersion {version!r} is not a {engine} version (e.g. {example!r})")


@dataclass(frozen=True)
class DatabaseArgs:
    """Inputs of the database component; `capacity` and the ACU range apply to Aurora engines only."""

    naming: Naming
    engine: str
    capacity: str
    vpc_id: pulumi.Input[str]
    private_subnet_ids: list[pulumi.Input[str]]
    kms_key_arn: pulumi.Input[str]
    production: bool
    log_retention_days: int
    engine_version: str
    database_name: str
    master_username: str
    instance_class: str
    min_capacity: float
    max_capacity: float
    allocated_storage: int

    def __post_init__(self) -> None:
        if self.engine not in ENGINES:
            raise ValueError(f"database engine {self.engine!r} must be one of {', '.join(ENGINES)}")
        if self.capacity not in CAPACITIES:
            raise ValueError(f"database capacity {self.capacity!r} must be one of {', '.join(CAPACITIES)}")
        check_engine_version(self.engine, self.engine_version)
        if not 0 <= self.min_capacity <= self.max_capacity:
            raise ValueError(
                f"databaseMinCapacity {self.min_capacity} must be between 0 and databaseMaxCapacity {self.max_capacity}"
            )

    @property
    def aurora(self) -> bool:
        """Aurora engines get a cluster (and the Data API); the others a single RDS instance."""
        return self.engine in AURORA_ENGINES

    @property
    def port(self) -> int:
        """The engine's port, opened by `allow_from`."""
        return ENGINE_PORTS[self.engine]

    @classmethod
    def from_settings(
        cls,
        settings: Settings,
        *,
        engine: str,
        capacity: str,
        vpc_id: pulumi.Input[str],
        private_subnet_ids: list[pulumi.Input[str]],
        kms_key_arn: pulumi.Input[str],
    ) -> "DatabaseArgs":
        """Database inputs from the stack's configuration."""
        config = settings.config
        return cls(
            naming=settings.naming,
            engine=engine,
            capacity=capacity,
            vpc_id=vpc_id,
            private_subnet_ids=private_subnet_ids,
            kms_key_arn=kms_key_arn,
            production=settings.production,
            log_retention_days=settings.log_retention_days,
            engine_version=config.require("databaseEngineVersion"),
            database_name=config.require("databaseName"),
            master_username=config.require("databaseMasterUsername"),
            instance_class=config.require("databaseInstanceClass"),
            min_capacity=config.require_float("databaseMinCapacity"),
            max_capacity=config.require_float("databaseMaxCapacity"),
            allocated_storage=config.require_int("databaseAllocatedStorage"),
        )


class Database(pulumi.ComponentResource):
    """A private, encrypted Aurora cluster (serverless v2 or provisioned) or RDS instance with its secret."""

    def __init__(self, name: str, args: DatabaseArgs, opts: pulumi.ResourceOptions | None = None) -> None:
        super().__init__("tap:database:Database", name, None, opts)
        self._args = args
        self._child = pulumi.ResourceOptions(parent=self)
        naming = args.naming
        self.engine = args.engine
        self.port = args.port
        self.database_name = args.database_name

        # Its own group with no ingress: callers are let in one by one through allow_from, and a database needs
        # no egress rule (pulumi-aws removes AWS's default allow-all egress).
        self.security_group = aws.ec2.SecurityGroup(
            naming.name("db-sg"),
            vpc_id=args.vpc_id,
            description=f"{args.engine} database; ingress only from allowed security groups",
            opts=self._child,
        )
        self.subnet_group = aws.rds.SubnetGroup(
            naming.name("db-subnets"),
            subnet_ids=args.private_subnet_ids,
            description="Private subnets only: the database is never reachable from the internet",
            opts=self._child,
        )
        self.password = random.RandomPassword(
            naming.name("db-password"), length=32, special=True, override_special=PASSWORD_SPECIALS, opts=self._child
        )
        # An explicit identifier, because RDS names the log groups of its log exports after it: they are created
        # first, with retention and the stack key, instead of by RDS without either.
        self.identifier = naming.name("db", limit=RDS_IDENTIFIER, auto_named=False)
        self.log_groups = self._log_groups()

        if args.aurora:
            self.cluster, self.instances = self._aurora()
            self.arn = self.cluster.arn
            self.endpoint = self.cluster.endpoint
            self.reader_endpoint = self.cluster.reader_endpoint
        else:
            self.instance = self._rds_instance()
            self.arn = self.instance.arn
            self.endpoint = self.instance.address
            self.reader_endpoint = self.instance.address

        self.secret = aws.secretsmanager.Secret(
            naming.name("db-secret"),
            description=f"Master credentials of the {args.engine} database {self.identifier}",
            kms_key_id=args.kms_key_arn,
            recovery_window_in_days=30 if args.production else 0,
            opts=self._child,
        )
        self.secret_version = aws.secretsmanager.SecretVersion(
            naming.name("db-secret-value"),
            secret_id=self.secret.id,
            # The layout of RDS-managed secrets, so rotation functions and the Data API can read it.
            secret_string=pulumi.Output.json_dumps(
                {
                    "username": args.master_username,
                    "password": self.password.result,
                    "engine": "postgres" if "postgres" in args.engine else "mysql",
                    "host": self.endpoint,
                    "port": args.port,
                    "dbname": args.database_name,
                }
            ),
            opts=self._child,
        )

        self.outputs = {
            "database_endpoint": self.endpoint,
            "database_reader_endpoint": self.reader_endpoint,
            "database_port": args.port,
            "database_name": args.database_name,
            "database_secret_arn": self.secret.arn,
            "database_security_group_id": self.security_group.id,
            "database_cluster_arn": self.arn,
        }
        self.register_outputs(self.outputs)

    def allow_from(self, role: str, source_security_group_id: pulumi.Input[str]) -> None:
        """Let one security group (an app, a Lambda) reach the database port, and nothing else."""
        aws.vpc.SecurityGroupIngressRule(
            self._args.naming.name(f"db-from-{role}"),
            security_group_id=self.security_group.id,
            referenced_security_group_id=source_security_group_id,
            ip_protocol="tcp",
            from_port=self.port,
            to_port=self.port,
            description=f"{role} to {self.engine}",
            opts=self._child,
        )

    def _log_groups(self) -> list[aws.cloudwatch.LogGroup]:
        kind = "cluster" if self._args.aurora else "instance"
        return [
            aws.cloudwatch.LogGroup(
                self._args.naming.name(f"db-{log}-logs"),
                name=f"/aws/rds/{kind}/{self.identifier}/{log}",
                retention_in_days=self._args.log_retention_days,
                kms_key_id=self._args.kms_key_arn,
                opts=self._child,
            )
            for log in LOG_EXPORTS[self._args.engine]
        ]

    def _protection(self) -> dict[str, object]:
        """Keep data in production (final snapshot, deletion protection); destroy cleanly elsewhere."""
        production = self._args.production
        return {
            "backup_retention_period": 30 if production else 7,
            "skip_final_snapshot": not production,
            "final_snapshot_identifier": self._final_snapshot_identifier() if production else None,
            "deletion_protection": production,
            "copy_tags_to_snapshot": True,
            # Outside production, changes apply now instead of in the next maintenance window.
            "apply_immediately": not production,
        }

    def _final_snapshot_identifier(self) -> pulumi.Output[str]:
        """`<prefix>-db-final-<suffix>-<7 random>`: a stack destroyed and deployed again gets a new database and a
        new name, so its next destroy does not stop on the snapshot the first one left (DBSnapshotAlreadyExists)."""
        naming = self._args.naming
        unique = random.RandomString(
            naming.name("db-final", limit=RDS_IDENTIFIER), length=7, special=False, upper=False, opts=self._child
        )
        return pulumi.Output.concat(naming.physical("db-final"), "-", unique.result)

    def _aurora(self) -> tuple[aws.rds.Cluster, list[aws.rds.ClusterInstance]]:
        args = self._args
        serverless = args.capacity == "serverless"
        cluster = aws.rds.Cluster(
            args.naming.name("db", limit=RDS_IDENTIFIER),
            cluster_identifier=self.identifier,
            engine=args.engine,
            engine_mode="provisioned",  # Serverless v2 runs on the provisioned engine mode.
            engine_version=args.engine_version,
            database_name=args.database_name,
            master_username=args.master_username,
            master_password=self.password.result,
            port=args.port,
            db_subnet_group_name=self.subnet_group.name,
            vpc_security_group_ids=[self.security_group.id],
            storage_encrypted=True,
            kms_key_id=args.kms_key_arn,
            # The RDS Data API: the migrations Lambda runs SQL over HTTPS with IAM and the secret, no driver.
            enable_http_endpoint=True,
            enabled_cloudwatch_logs_exports=LOG_EXPORTS[args.engine],
            serverlessv2_scaling_configuration=(
                aws.rds.ClusterServerlessv2ScalingConfigurationArgs(
                    min_capacity=args.min_capacity, max_capacity=args.max_capacity
                )
                if serverless
                else None
            ),
            opts=pulumi.ResourceOptions(parent=self, depends_on=self.log_groups),
            **self._protection(),
        )
        # A writer, plus a reader in another zone in production so a zone failure is a failover, not an outage.
        instances = [
            aws.rds.ClusterInstance(
                args.naming.name(f"db{index}", limit=RDS_IDENTIFIER),
                cluster_identifier=cluster.id,
                engine=args.engine,
                engine_version=cluster.engine_version,
                instance_class="db.serverless" if serverless else args.instance_class,
                db_subnet_group_name=self.subnet_group.name,
                publicly_accessible=False,
                # The version is pinned in config: an upgrade is a reviewed config change, and an automatic one
                # would make the next `pulumi up` try to downgrade to the configured version.
                auto_minor_version_upgrade=False,
                apply_immediately=not args.production,
                opts=self._child,
            )
            for index in range(2 if args.production else 1)
        ]
        return cluster, instances

    def _rds_instance(self) -> aws.rds.Instance:
        args = self._args
        return aws.rds.Instance(
            args.naming.name("db", limit=RDS_IDENTIFIER),
            identifier=self.identifier,
            engine=args.engine,
            engine_version=args.engine_version,
            instance_class=args.instance_class,
            allocated_storage=args.allocated_storage,
            storage_type="gp3",
            storage_encrypted=True,
            kms_key_id=args.kms_key_arn,
            db_name=args.database_name,
            username=args.master_username,
            password=self.password.result,
            port=args.port,
            db_subnet_group_name=self.subnet_group.name,
            vpc_security_group_ids=[self.security_group.id],
            publicly_accessible=False,
            multi_az=args.production,
            auto_minor_version_upgrade=False,  # pinned in config, as for Aurora instances
            enabled_cloudwatch_logs_exports=LOG_EXPORTS[args.engine],
            opts=pulumi.ResourceOptions(parent=self, depends_on=self.log_groups),
            **self._protection(),
        )
