import pulumi_aws as aws

# A program that exports nothing is valid: `pulumi up` deploys the queue; there are simply no outputs to read.
aws.sqs.Queue("jobs", message_retention_seconds=86400)
