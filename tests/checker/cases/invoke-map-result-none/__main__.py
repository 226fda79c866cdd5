import pulumi
import pulumi_aws as aws

# Read an existing CloudFormation stack and use one of its outputs: `outputs` is a map[string]string.
network = aws.cloudformation.get_stack(name="shared-network")
subnet_id = network.outputs["PrivateSubnetId"]
aws.ec2.Instance("app", ami="ami-0abcdef1234567890", instance_type="t3.micro", subnet_id=subnet_id)
pulumi.export("stack", pulumi.get_stack())
