import pulumi
import pulumi_aws as aws
import pulumi_awsx as awsx

spoke = awsx.ec2.Vpc(
    "spoke",
    cidr_block="10.1.0.0/16",
    subnet_specs=[
        awsx.ec2.SubnetSpecArgs(type=awsx.ec2.SubnetType.ISOLATED, name="app", cidr_mask=20),
        awsx.ec2.SubnetSpecArgs(type=awsx.ec2.SubnetType.ISOLATED, name="tgw", cidr_mask=28),
    ],
    nat_gateways=awsx.ec2.NatGatewayConfigurationArgs(strategy=awsx.ec2.NatGatewayStrategy.NONE),
)
# Zones 0-2 are the "app" tier, 3-5 the "tgw" tier (awsx creates each spec in each zone, in order).
tgw_subnet_ids = [spoke.isolated_subnet_ids.apply(lambda ids, i=i: ids[i]) for i in (3, 4, 5)]
attachment_sg = aws.ec2.SecurityGroup("tgw", vpc_id=spoke.vpc_id)

hub = awsx.ec2.Vpc(
    "hub",
    number_of_availability_zones=2,
    nat_gateways=awsx.ec2.NatGatewayConfigurationArgs(strategy=awsx.ec2.NatGatewayStrategy.SINGLE),
)
pulumi.export("tgw_subnet_ids", tgw_subnet_ids)
pulumi.export("hub_last_private_subnet", hub.subnets[3].id)
pulumi.export("hub_nat_gateway", hub.nat_gateways[0].id)
