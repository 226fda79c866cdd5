"""An application stack placed in the network another stack built: it reads that stack's outputs."""

import pulumi
import pulumi_aws as aws

network = pulumi.StackReference("network", stack_name=f"acme/network/{pulumi.get_stack()}")

# A count: one subnet per availability zone the network stack spans.
az_count = network.require_output("az_count")
vpc_id = network.require_output("vpc_id")


def subnets(count: object) -> list[str]:
    return [aws.ec2.Subnet(f"app-{i}", vpc_id=vpc_id, cidr_block=f"10.0.{i}.0/24").id for i in range(int(count))]


subnet_ids = az_count.apply(subnets)

# A list: the database goes into the network stack's private subnets.
private_subnet_ids = network.get_output("private_subnet_ids")
db_subnets = aws.rds.SubnetGroup("db", subnet_ids=private_subnet_ids.apply(lambda ids: sorted(ids)[:2]))
app = aws.ec2.Instance("app", ami="ami-0abcdef1234567890", instance_type="t3.micro",
                       subnet_id=private_subnet_ids.apply(lambda ids: ids[0]))

pulumi.export("stack", pulumi.get_stack())
pulumi.export("app_subnets", subnet_ids)
