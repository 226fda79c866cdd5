"""Security: the customer-managed KMS key that encrypts the stack's logs and data."""

from dataclasses import dataclass

import pulumi
import pulumi_aws as aws

from lib.naming import Naming


@dataclass(frozen=True)
class SecurityArgs:
    """Inputs of the security component."""

    naming: Naming
    region: str
    production: bool
    # CloudWatch alarms publish to a KMS-encrypted SNS topic only if the key lets CloudWatch use it.
    alarms_publish: bool = False


class Security(pulumi.ComponentResource):
    """A KMS key with yearly rotation and an alias, usable by CloudWatch Logs in this account and region."""

    def __init__(self, name: str, args: SecurityArgs, opts: pulumi.ResourceOptions | None = None) -> None:
        super().__init__("tap:security:Security", name, None, opts)
        child = pulumi.ResourceOptions(parent=self)
        invoke = pulumi.InvokeOutputOptions(parent=self)
        account_id = aws.get_caller_identity_output(opts=invoke).account_id
        partition = aws.get_partition_output(opts=invoke).partition

        statements = [
            {
                # The account keeps control of its key (AWS's default key policy).
                "Sid": "AccountAdministers",
                "Effect": "Allow",
                "Principal": {"AWS": pulumi.Output.concat("arn:", partition, ":iam::", account_id, ":root")},
                "Action": "kms:*",
                "Resource": "*",
            },
            {
                # CloudWatch Logs may use the key only for this account's log groups in this region.
                "Sid": "CloudWatchLogsEncrypt",
                "Effect": "Allow",
                "Principal": {"Service": f"logs.{args.region}.amazonaws.com"},
                "Action": ["kms:Encrypt*", "kms:Decrypt*", "kms:ReEncrypt*", "kms:GenerateDataKey*", "kms:Describe*"],
                "Resource": "*",
                "Condition": {
                    "ArnLike": {
                        "kms:EncryptionContext:aws:logs:arn": pulumi.Output.concat(
                            "arn:", partition, ":logs:", args.region, ":", account_id, ":*"
                        )
                    }
                },
            },
        ]
        if args.alarms_publish:
            statements.append(
                {
                    # Alarms of this account may publish to the encrypted alarm topic.
                    "Sid": "CloudWatchAlarmsPublish",
                    "Effect": "Allow",
                    "Principal": {"Service": "cloudwatch.amazonaws.com"},
                    "Action": ["kms:Decrypt", "kms:GenerateDataKey*"],
                    "Resource": "*",
                    "Condition": {"StringEquals": {"aws:SourceAccount": account_id}},
                }
            )
        self.key = aws.kms.Key(
            args.naming.name("key"),
            description=f"Encrypts logs and data of {args.naming.name('stack', auto_named=False)}",
            enable_key_rotation=True,
            deletion_window_in_days=30 if args.production else 7,
            policy=pulumi.Output.json_dumps({"Version": "2012-10-17", "Statement": statements}),
            opts=child,
        )
        self.alias = aws.kms.Alias(
            args.naming.name("key-alias"),
            name=f"alias/{args.naming.name('key', auto_named=False)}",
            target_key_id=self.key.key_id,
            opts=child,
        )
        self.outputs = {"kms_key_arn": self.key.arn, "kms_key_alias": self.alias.name}
        self.register_outputs(self.outputs)
