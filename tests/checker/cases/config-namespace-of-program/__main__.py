import pulumi
import pulumi_aws as aws

# The program reads its own namespace `cfg`, not the project name: `cfg:clusterSize` in the stack file is used.
size = int(pulumi.Config("cfg").require("clusterSize"))
for i in range(size):
    aws.sqs.Queue(f"worker-{i}")
pulumi.export("stack", pulumi.get_stack())
