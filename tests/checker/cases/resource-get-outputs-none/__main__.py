import pulumi
import pulumi_aws as aws

# Adopt an existing VPC by id and carve a subnet from its CIDR block.
vpc = aws.ec2.Vpc.get("shared", "vpc-0123456789abcdef0")
first_block = vpc.cidr_block.apply(lambda cidr: cidr.rsplit(".", 2)[0] + ".0.0/24")
aws.ec2.Subnet("app", vpc_id=vpc.id, cidr_block=first_block)
pulumi.export("stack", pulumi.get_stack())
