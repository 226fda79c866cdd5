import pulumi
import pulumi_aws as aws

config = pulumi.Config()
logs = aws.cloudwatch.LogGroup("app", retention_in_days=config.require_int("retentionDays"))
pulumi.export("stack", pulumi.get_stack())
pulumi.export("log_group", logs.name)
