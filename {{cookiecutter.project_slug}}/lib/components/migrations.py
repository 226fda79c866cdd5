"""Migrations: a Lambda in the VPC that applies the repository's `migrations/*.sql` to the Aurora database.

Why: a schema that lives only in someone's SQL client cannot be reproduced; versioned files applied in order,
each once (recorded in `schema_migrations`), make every stack's schema the same. The Lambda talks to the
database through the RDS Data API, so it needs an Aurora engine (aurora-postgresql or aurora-mysql, whose
clusters have the Data API enabled by the database component); RDS instances have no Data API.

The function sits in the private subnets with its own security group: egress on 443 to an interface endpoint
for the Data API (so it works without a NAT gateway) and on the database port to the database only. Run it
after `pulumi up` with `aws lambda invoke --function-name <migrations_function_name> out.json`.
"""

from dataclasses import dataclass
from pathlib import Path

import pulumi
import pulumi_aws as aws

from lib.components.database import AURORA_ENGINES, Database
from lib.components.function import TracedFunction
from lib.naming import Naming
from lib.settings import Settings

CODE = Path(__file__).resolve().parent.parent / "lambdas" / "migrations"
SQL = Path(__file__).resolve().parent.parent.parent / "migrations"
HTTPS = 443


@dataclass(frozen=True)
class MigrationsArgs:
    """Inputs of the migrations component: where the function runs and which database it migrates."""

    naming: Naming
    region: str
    engine: str
    vpc_id: pulumi.Input[str]
    private_subnet_ids: list[pulumi.Input[str]]
    kms_key_arn: pulumi.Input[str]
    log_retention_days: int
    database_cluster_arn: pulumi.Input[str]
    database_secret_arn: pulumi.Input[str]
    database_name: str
    database_port: int
    database_security_group_id: pulumi.Input[str]

    def __post_init__(self) -> None:
        if self.engine not in AURORA_ENGINES:
            choices = ", ".join(AURORA_ENGINES)
            raise ValueError(f"migrations use the RDS Data API, which {self.engine!r} lacks: choose one of {choices}")

    @classmethod
    def for_database(
        cls,
        settings: Settings,
        database: Database,
        *,
        vpc_id: pulumi.Input[str],
        private_subnet_ids: list[pulumi.Input[str]],
        kms_key_arn: pulumi.Input[str],
    ) -> "MigrationsArgs":
        """Migrations of `database`, running in the stack's private subnets."""
        return cls(
            naming=settings.naming,
            region=settings.region,
            engine=database.engine,
            vpc_id=vpc_id,
            private_subnet_ids=private_subnet_ids,
            kms_key_arn=kms_key_arn,
            log_retention_days=settings.log_retention_days,
            database_cluster_arn=database.arn,
            database_secret_arn=database.secret.arn,
            database_name=database.database_name,
            database_port=database.port,
            database_security_group_id=database.security_group.id,
        )


class Migrations(pulumi.ComponentResource):
    """The migrations Lambda, its least-privilege role, encrypted logs and private path to the Data API."""

    def __init__(self, name: str, args: MigrationsArgs, opts: pulumi.ResourceOptions | None = None) -> None:
        super().__init__("tap:migrations:Migrations", name, None, opts)
        child = pulumi.ResourceOptions(parent=self)
        naming = args.naming
        partition = aws.get_partition_output(opts=pulumi.InvokeOutputOptions(parent=self)).partition

        self.security_group = aws.ec2.SecurityGroup(
            naming.name("migrations-sg"),
            vpc_id=args.vpc_id,
            description="Migrations Lambda: egress to the Data API endpoint and the database only",
            opts=child,
        )
        endpoint_group = aws.ec2.SecurityGroup(
            naming.name("rds-data-endpoint-sg"),
            vpc_id=args.vpc_id,
            description="RDS Data API endpoint: HTTPS from the migrations Lambda only",
            opts=child,
        )
        aws.vpc.SecurityGroupIngressRule(
            naming.name("rds-data-from-migrations"),
            security_group_id=endpoint_group.id,
            referenced_security_group_id=self.security_group.id,
            ip_protocol="tcp",
            from_port=HTTPS,
            to_port=HTTPS,
            description="migrations Lambda to the Data API",
            opts=child,
        )
        aws.vpc.SecurityGroupEgressRule(
            naming.name("migrations-to-rds-data"),
            security_group_id=self.security_group.id,
            referenced_security_group_id=endpoint_group.id,
            ip_protocol="tcp",
            from_port=HTTPS,
            to_port=HTTPS,
            description="HTTPS to the RDS Data API endpoint",
            opts=child,
        )
        aws.vpc.SecurityGroupEgressRule(
            naming.name("migrations-to-db"),
            security_group_id=self.security_group.id,
            referenced_security_group_id=args.database_security_group_id,
            ip_protocol="tcp",
            from_port=args.database_port,
            to_port=args.database_port,
            description="the database port, for SQL clients bundled later",
            opts=child,
        )
        # The Data API is a public AWS endpoint: an interface endpoint keeps the call inside the VPC, so private
        # subnets without NAT can still reach it.
        self.endpoint = aws.ec2.VpcEndpoint(
            naming.name("rds-data-endpoint"),
            vpc_id=args.vpc_id,
            service_name=f"com.amazonaws.{args.region}.rds-data",
            vpc_endpoint_type="Interface",
            subnet_ids=args.private_subnet_ids,
            security_group_ids=[endpoint_group.id],
            private_dns_enabled=True,
            opts=child,
        )

        traced = TracedFunction(
            "migrations", naming, kms_key_arn=args.kms_key_arn, log_retention_days=args.log_retention_days, parent=self
        )
        self.log_group, self.role = traced.log_group, traced.role
        grants = self._grants(args, partition)
        self.function = traced.create(
            description="Applies migrations/*.sql to the database through the RDS Data API",
            handler="handler.handler",
            # The handler at the archive root, the SQL files in migrations/ next to it (where it looks).
            code=pulumi.AssetArchive(
                {"handler.py": pulumi.FileAsset(str(CODE / "handler.py")), "migrations": pulumi.FileArchive(str(SQL))}
            ),
            timeout=300,
            variables={
                "DATABASE_CLUSTER_ARN": args.database_cluster_arn,
                "DATABASE_SECRET_ARN": args.database_secret_arn,
                "DATABASE_NAME": args.database_name,
            },
            vpc_config=aws.lambda_.FunctionVpcConfigArgs(
                subnet_ids=args.private_subnet_ids, security_group_ids=[self.security_group.id]
            ),
            # Lambda checks at creation that the role may create network interfaces in the VPC.
            depends_on=[self.endpoint, *grants],
        )

        self.security_group_id = self.security_group.id
        self.outputs = {
            "migrations_function_name": self.function.name,
            "migrations_function_arn": self.function.arn,
        }
        self.register_outputs(self.outputs)

    def _grants(self, args: MigrationsArgs, partition: pulumi.Output[str]) -> list[pulumi.Resource]:
        naming, role = args.naming, self.role
        child = pulumi.ResourceOptions(parent=self)
        # AWS-managed: network interfaces in the VPC plus log writing; X-Ray segment upload.
        grants: list[pulumi.Resource] = [
            aws.iam.RolePolicyAttachment(
                naming.name(role_name),
                role=role.name,
                policy_arn=pulumi.Output.concat("arn:", partition, ":iam::aws:policy/", policy),
                opts=child,
            )
            for role_name, policy in (
                ("migrations-vpc", "service-role/AWSLambdaVPCAccessExecutionRole"),
                ("migrations-xray", "AWSXRayDaemonWriteAccess"),
            )
        ]
        # Least privilege: SQL on this cluster only, this secret only, and the stack key to decrypt it.
        data_api = aws.iam.RolePolicy(
            naming.name("migrations-data-api"),
            role=role.id,
            policy=pulumi.Output.json_dumps(
                {
                    "Version": "2012-10-17",
                    "Statement": [
                        {
                            "Sid": "DataApi",
                            "Effect": "Allow",
                            "Action": [
                                "rds-data:ExecuteStatement",
                                "rds-data:BatchExecuteStatement",
                                "rds-data:BeginTransaction",
                                "rds-data:CommitTransaction",
                                "rds-data:RollbackTransaction",
                            ],
                            "Resource": args.database_cluster_arn,
                        },
                        {
                            "Sid": "DatabaseSecret",
                            "Effect": "Allow",
                            "Action": "secretsmanager:GetSecretValue",
                            "Resource": args.database_secret_arn,
                        },
                        {
                            "Sid": "StackKey",
                            "Effect": "Allow",
                            "Action": "kms:Decrypt",
                            "Resource": args.kms_key_arn,
                        },
                    ],
                }
            ),
            opts=child,
        )
        return [*grants, data_api]
