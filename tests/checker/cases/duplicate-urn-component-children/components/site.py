"""A static website: a bucket and its public-access block, as one component."""

import pulumi
import pulumi_aws as aws


class StaticSite(pulumi.ComponentResource):
    """The children are named without the component's name."""

    def __init__(self, name: str, opts: pulumi.ResourceOptions | None = None) -> None:
        super().__init__("acme:web:StaticSite", name, None, opts)
        child = pulumi.ResourceOptions(parent=self)
        self.bucket = aws.s3.Bucket("content", opts=child)
        aws.s3.BucketPublicAccessBlock("content", bucket=self.bucket.id, block_public_acls=True,
                                       block_public_policy=True, ignore_public_acls=True,
                                       restrict_public_buckets=True, opts=child)
        self.register_outputs({"bucket": self.bucket.id})
