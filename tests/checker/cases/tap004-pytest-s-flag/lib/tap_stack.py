"""The stack's resources."""
import pulumi_aws as aws


def create() -> aws.s3.Bucket:
    return aws.s3.Bucket("data")
