import pulumi
import pulumi_aws as aws

queue = aws.sqs.Queue("jobs")
pulumi.export("queue_url", queue.url)
pulumi.export("stack", pulumi.get_stack())
