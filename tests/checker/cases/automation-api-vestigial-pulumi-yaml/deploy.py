"""Deploy with `python deploy.py` (or `python deploy.py destroy`): an inline program run by the Automation API."""

import sys

import pulumi
import pulumi_aws as aws
from pulumi import automation as auto


def program() -> None:
    bucket = aws.s3.Bucket("site")
    pulumi.export("bucket", bucket.id)


def main() -> None:
    stack = auto.create_or_select_stack(stack_name="dev", project_name="inline-site", program=program)
    stack.set_config("aws:region", auto.ConfigValue(value="us-east-1"))
    if len(sys.argv) > 1 and sys.argv[1] == "destroy":
        stack.destroy(on_output=print)
    else:
        stack.up(on_output=print)


if __name__ == "__main__":
    main()
