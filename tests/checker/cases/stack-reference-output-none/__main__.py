import pulumi
import pulumi_aws as aws

# Another stack exports its private subnet ids; this stack places an instance in the first one.
network = pulumi.StackReference("acme/network/dev")
subnet_ids = network.require_output("private_subnet_ids")
aws.ec2.Instance("app", ami="ami-0abcdef1234567890", instance_type="t3.micro", subnet_id=subnet_ids[0])
pulumi.export("stack", pulumi.get_stack())
