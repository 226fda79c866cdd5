"""The stack file holds where a credential file lives, not the credential: reading the file is the program's job."""
import pulumi
import pulumi_aws as aws

config = pulumi.Config()
key_file = config.require("google_api_key_file")
ssh_key_path = config.require("ssh_private_key_path")

bucket = aws.s3.Bucket("events")
pulumi.export("bucket", bucket.bucket)
pulumi.export("key_file_name", key_file.rsplit("/", 1)[-1])
pulumi.export("ssh_key_path", ssh_key_path)
