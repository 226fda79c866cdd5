import pulumi
import pulumi_aws as aws

# The stack file also holds `kafka:bootstrapServers`, the pulumi-kafka provider's setting, used by a later step.
# This program does not read it; Pulumi ignores config no program reads, so `pulumi up` succeeds.
aws.msk.Configuration("brokers", kafka_versions=["3.6.0"], server_properties="auto.create.topics.enable=true\n")
pulumi.export("stack", pulumi.get_stack())
