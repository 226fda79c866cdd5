import pulumi_aws as aws

# Operators find the queue in the console; run `pulumi stack output` only after adding exports.
aws.sqs.Queue("jobs", message_retention_seconds=86400)
