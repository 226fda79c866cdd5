"""The private-bucket baseline every S3 bucket of the stack shares: no ACLs, no public access, TLS only."""

import pulumi
import pulumi_aws as aws

from lib.naming import Naming


def block_public_access(
    naming: Naming, role: str, bucket: aws.s3.Bucket, parent: pulumi.Resource
) -> tuple[aws.s3.BucketOwnershipControls, aws.s3.BucketPublicAccessBlock]:
    """ACLs off (the bucket owner owns every object) and every kind of public access blocked, on `bucket`.

    Children of `parent`, the component owning the bucket, named `<role>-ownership` and `<role>-public-access`.
    A bucket policy must depend on the returned public access block: S3 rejects one while the block is applied.
    """
    child = pulumi.ResourceOptions(parent=parent)
    ownership = aws.s3.BucketOwnershipControls(
        naming.name(f"{role}-ownership"),
        bucket=bucket.id,
        rule=aws.s3.BucketOwnershipControlsRuleArgs(object_ownership="BucketOwnerEnforced"),
        opts=child,
    )
    public_access_block = aws.s3.BucketPublicAccessBlock(
        naming.name(f"{role}-public-access"),
        bucket=bucket.id,
        block_public_acls=True,
        block_public_policy=True,
        ignore_public_acls=True,
        restrict_public_buckets=True,
        opts=child,
    )
    return ownership, public_access_block


def deny_insecure_transport(bucket: aws.s3.Bucket) -> dict[str, object]:
    """The bucket-policy statement refusing every request to `bucket` or its objects that is not made over TLS."""
    return {
        "Sid": "DenyInsecureTransport",
        "Effect": "Deny",
        "Principal": "*",
        "Action": "s3:*",
        "Resource": [bucket.arn, pulumi.Output.concat(bucket.arn, "/*")],
        "Condition": {"Bool": {"aws:SecureTransport": "false"}},
    }
