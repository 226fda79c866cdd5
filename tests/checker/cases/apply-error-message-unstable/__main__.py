"""A real program error inside an apply that feeds a resource input: `pulumi up` fails the same way."""
import pulumi
import pulumi_aws as aws

bucket = aws.s3.Bucket("site")


def index_html(name: str) -> str:
    raise ValueError(f"no template for {name}")


page = aws.s3.BucketObject("index", bucket=bucket.id, content=bucket.bucket.apply(index_html))
pulumi.export("key", page.key)
