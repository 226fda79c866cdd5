"""DynamoDB: an on-demand table, encrypted with the stack key, recoverable to any second of the last 35 days."""

from dataclasses import dataclass

import pulumi
import pulumi_aws as aws

from lib.naming import Naming


@dataclass(frozen=True)
class TableArgs:
    """Inputs of the table: string keys `pk`/`sk` by default (the single-table design); TTL only when named."""

    naming: Naming
    production: bool
    kms_key_arn: pulumi.Input[str]
    hash_key: str = "pk"
    range_key: str | None = "sk"
    ttl_attribute: str | None = None


class Table(pulumi.ComponentResource):
    """A pay-per-request table with point-in-time recovery, KMS encryption and deletion protection in production."""

    def __init__(self, name: str, args: TableArgs, opts: pulumi.ResourceOptions | None = None) -> None:
        super().__init__("tap:dynamodb:Table", name, None, opts)
        keys = [args.hash_key] if args.range_key is None else [args.hash_key, args.range_key]

        self.table = aws.dynamodb.Table(
            args.naming.name("table"),
            # On demand: no capacity to size or to pay for while idle.
            billing_mode="PAY_PER_REQUEST",
            hash_key=args.hash_key,
            range_key=args.range_key,
            attributes=[aws.dynamodb.TableAttributeArgs(name=key, type="S") for key in keys],
            point_in_time_recovery=aws.dynamodb.TablePointInTimeRecoveryArgs(enabled=True),
            server_side_encryption=aws.dynamodb.TableServerSideEncryptionArgs(
                enabled=True, kms_key_arn=args.kms_key_arn
            ),
            ttl=(
                aws.dynamodb.TableTtlArgs(attribute_name=args.ttl_attribute, enabled=True)
                if args.ttl_attribute
                else None
            ),
            deletion_protection_enabled=args.production,
            opts=pulumi.ResourceOptions(parent=self),
        )
        self.outputs = {"dynamodb_table_name": self.table.name, "dynamodb_table_arn": self.table.arn}
        self.register_outputs(self.outputs)
