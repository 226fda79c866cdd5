import pulumi
import pulumi_awsx as awsx

# awsx.ec2.Vpc takes `nat_gateways` as a configuration and outputs `nat_gateways` as the NAT gateways it made.
vpc = awsx.ec2.Vpc("vpc", nat_gateways=awsx.ec2.NatGatewayConfigurationArgs(
    strategy=awsx.ec2.NatGatewayStrategy.SINGLE))
pulumi.export("stack", pulumi.get_stack())
pulumi.export("nat_gateway_id", vpc.nat_gateways[0].id)
pulumi.export("private_subnet_id", vpc.private_subnets[0].id)
