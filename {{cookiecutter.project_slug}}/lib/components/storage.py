"""Storage: a private, versioned, KMS-encrypted S3 bucket reachable over TLS only."""

from dataclasses import dataclass

import pulumi
import pulumi_aws as aws

from lib.components.bucket import block_public_access, deny_insecure_transport
from lib.naming import S3_BUCKET, Naming


@dataclass(frozen=True)
class StorageArgs:
    """Inputs of the storage component."""

    naming: Naming
    production: bool
    kms_key_arn: pulumi.Input[str]


class Storage(pulumi.ComponentResource):
    """An S3 bucket with versioning, KMS encryption, all public access blocked and a TLS-only policy."""

    def __init__(self, name: str, args: StorageArgs, opts: pulumi.ResourceOptions | None = None) -> None:
        super().__init__("tap:storage:Storage", name, None, opts)
        child = pulumi.ResourceOptions(parent=self)
        naming = args.naming

        self.bucket = aws.s3.Bucket(
            naming.name("data", limit=S3_BUCKET),
            # Non-production buckets may be emptied on destroy so ephemeral stacks tear down cleanly.
            force_destroy=not args.production,
            opts=child,
        )
        self.ownership, self.public_access_block = block_public_access(naming, "data", self.bucket, self)
        self.versioning = aws.s3.BucketVersioning(
            naming.name("data-versioning"),
            bucket=self.bucket.id,
            versioning_configuration=aws.s3.BucketVersioningVersioningConfigurationArgs(status="Enabled"),
            opts=child,
        )
        self.encryption = aws.s3.BucketServerSideEncryptionConfiguration(
            naming.name("data-encryption"),
            bucket=self.bucket.id,
            rules=[
                aws.s3.BucketServerSideEncryptionConfigurationRuleArgs(
                    apply_server_side_encryption_by_default=(
                        aws.s3.BucketServerSideEncryptionConfigurationRuleApplyServerSideEncryptionByDefaultArgs(
                            sse_algorithm="aws:kms", kms_master_key_id=args.kms_key_arn
                        )
                    ),
                    bucket_key_enabled=True,
                )
            ],
            opts=child,
        )
        self.policy = aws.s3.BucketPolicy(
            naming.name("data-tls-only"),
            bucket=self.bucket.id,
            policy=pulumi.Output.json_dumps(
                {
                    "Version": "2012-10-17",
                    "Statement": [deny_insecure_transport(self.bucket)],
                }
            ),
            # S3 rejects a bucket policy while the public access block is still being applied.
            opts=pulumi.ResourceOptions(parent=self, depends_on=[self.public_access_block]),
        )
        self.outputs = {"bucket_name": self.bucket.bucket, "bucket_arn": self.bucket.arn}
        self.register_outputs(self.outputs)
