import pulumi
import pulumi_aws as aws

stack_name = "/".join([pulumi.get_organization(), pulumi.get_project(), pulumi.get_stack()])
bucket = aws.s3.Bucket("logs", tags={"pulumi:stack": stack_name})
pulumi.export("stack_name", stack_name)
