"""Webhook function: a signed-webhook receiver on Lambda, traced, logging to an encrypted group, IAM-authenticated."""

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import pulumi
import pulumi_aws as aws
import pulumi_random as random

from lib.components.function import TracedFunction
from lib.naming import Naming
from lib.settings import Settings

CODE = Path(__file__).resolve().parent.parent / "lambdas" / "webhook"


@dataclass(frozen=True)
class WebhookFunctionArgs:
    """Inputs of the webhook function; VPC placement when private subnets (and the VPC) are given."""

    naming: Naming
    production: bool
    region: str
    kms_key_arn: pulumi.Input[str]
    log_retention_days: int
    function_url: bool
    table_arn: pulumi.Input[str] | None = None
    table_name: pulumi.Input[str] | None = None
    vpc_id: pulumi.Input[str] | None = None
    private_subnet_ids: Sequence[pulumi.Input[str]] = ()

    def __post_init__(self) -> None:
        if (self.table_arn is None) != (self.table_name is None):
            raise ValueError("table_arn and table_name go together: the function needs both to write its events")
        if self.private_subnet_ids and self.vpc_id is None:
            raise ValueError("private_subnet_ids need vpc_id: the function's security group lives in that VPC")

    @classmethod
    def from_settings(
        cls,
        settings: Settings,
        kms_key_arn: pulumi.Input[str],
        *,
        table_arn: pulumi.Input[str] | None = None,
        table_name: pulumi.Input[str] | None = None,
        vpc_id: pulumi.Input[str] | None = None,
        private_subnet_ids: Sequence[pulumi.Input[str]] = (),
    ) -> "WebhookFunctionArgs":
        """Webhook inputs from the stack's configuration."""
        return cls(
            naming=settings.naming,
            production=settings.production,
            region=settings.region,
            kms_key_arn=kms_key_arn,
            log_retention_days=settings.log_retention_days,
            function_url=settings.config.require_bool("functionUrl"),
            table_arn=table_arn,
            table_name=table_name,
            vpc_id=vpc_id,
            private_subnet_ids=private_subnet_ids,
        )


class WebhookFunction(pulumi.ComponentResource):
    """Lambda with X-Ray, its own encrypted log group, a generated signing secret and an optional IAM-only URL."""

    def __init__(self, name: str, args: WebhookFunctionArgs, opts: pulumi.ResourceOptions | None = None) -> None:
        super().__init__("tap:lambda_api:WebhookFunction", name, None, opts)
        self._args = args
        self._child = pulumi.ResourceOptions(parent=self)
        naming = args.naming

        # The signing secret is generated, never written down, and stored encrypted with the stack key.
        password = random.RandomPassword(
            naming.name("webhook-signing"), length=48, special=False, opts=self._child
        )
        self.secret = aws.secretsmanager.Secret(
            naming.name("webhook-secret"),
            description="HMAC-SHA256 key that webhook senders sign request bodies with",
            kms_key_id=args.kms_key_arn,
            recovery_window_in_days=30 if args.production else 0,
            opts=self._child,
        )
        self.secret_version = aws.secretsmanager.SecretVersion(
            naming.name("webhook-secret-value"),
            secret_id=self.secret.id,
            secret_string=password.result,
            opts=self._child,
        )
        traced = TracedFunction(
            "webhook", naming, kms_key_arn=args.kms_key_arn, log_retention_days=args.log_retention_days, parent=self
        )
        self.log_group, self.role = traced.log_group, traced.role
        self.security_group: aws.ec2.SecurityGroup | None = None
        vpc_config = self._vpc_config() if args.private_subnet_ids else None
        # Set when the function runs in the VPC, so data stores can admit it with allow_from.
        self.security_group_id = self.security_group.id if self.security_group else None
        self.role_policy = traced.policy(self._statements())
        grants: list[pulumi.Resource] = [self.role_policy]
        if vpc_config is not None:
            # Lambda creates and deletes the function's network interfaces itself, with the AWS-managed policy
            # made for it (https://docs.aws.amazon.com/lambda/latest/dg/configuration-vpc.html).
            partition = aws.get_partition_output(opts=pulumi.InvokeOutputOptions(parent=self)).partition
            grants.append(
                aws.iam.RolePolicyAttachment(
                    naming.name("webhook-vpc"),
                    role=self.role.name,
                    policy_arn=pulumi.Output.concat(
                        "arn:", partition, ":iam::aws:policy/service-role/AWSLambdaVPCAccessExecutionRole"
                    ),
                    opts=self._child,
                )
            )

        variables: dict[str, pulumi.Input[str]] = {"SECRET_ARN": self.secret.arn}
        if args.table_name is not None:
            variables["TABLE_NAME"] = args.table_name
        self.function = traced.create(
            handler="handler.handler",
            code=pulumi.AssetArchive({".": pulumi.FileArchive(str(CODE))}),
            timeout=10,
            architectures=["arm64"],
            variables=variables,
            vpc_config=vpc_config,
            # The role's grants must exist before Lambda attaches the function to the VPC and before the first
            # invocation writes logs or reads the secret.
            depends_on=grants,
        )

        self.outputs: dict[str, pulumi.Input[object]] = {
            "lambda_function_name": self.function.name,
            "lambda_function_arn": self.function.arn,
            "webhook_secret_arn": self.secret.arn,
        }
        if args.function_url:
            # Callers sign their requests with SigV4; an unauthenticated URL (NONE) is never created.
            self.url = aws.lambda_.FunctionUrl(
                naming.name("webhook-url"),
                function_name=self.function.name,
                authorization_type="AWS_IAM",
                opts=self._child,
            )
            self.outputs["lambda_function_url"] = self.url.function_url
        self.register_outputs(self.outputs)

    def _statements(self) -> list[dict[str, object]]:
        # What the webhook needs beyond its log group and X-Ray: its secret and its table.
        args = self._args
        statements: list[dict[str, object]] = [
            {
                "Sid": "OwnSecret",
                "Effect": "Allow",
                "Action": "secretsmanager:GetSecretValue",
                "Resource": self.secret.arn,
            },
            {
                # The secret is encrypted with the stack key; decryption only through Secrets Manager.
                "Sid": "DecryptOwnSecret",
                "Effect": "Allow",
                "Action": "kms:Decrypt",
                "Resource": args.kms_key_arn,
                "Condition": {"StringEquals": {"kms:ViaService": f"secretsmanager.{args.region}.amazonaws.com"}},
            },
        ]
        if args.table_arn is not None:
            # The handler only writes (conditionally, for idempotency).
            statements.append(
                {"Sid": "WriteEvents", "Effect": "Allow", "Action": "dynamodb:PutItem", "Resource": args.table_arn}
            )
        return statements

    def _vpc_config(self) -> aws.lambda_.FunctionVpcConfigArgs:
        naming = self._args.naming
        security_group = aws.ec2.SecurityGroup(
            naming.name("webhook-sg"),
            vpc_id=self._args.vpc_id,
            description="Webhook function: no inbound, out to AWS APIs",
            opts=self._child,
        )
        aws.vpc.SecurityGroupEgressRule(
            naming.name("webhook-egress"),
            security_group_id=security_group.id,
            description="Function to AWS APIs (DynamoDB, Secrets Manager)",
            cidr_ipv4="0.0.0.0/0",
            ip_protocol="-1",
            opts=self._child,
        )
        self.security_group = security_group
        return aws.lambda_.FunctionVpcConfigArgs(
            subnet_ids=list(self._args.private_subnet_ids), security_group_ids=[security_group.id]
        )
