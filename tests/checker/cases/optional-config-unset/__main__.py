import pulumi
import pulumi_aws as aws

config = pulumi.Config()
tiers = config.get_object("tiers")
for name, cidr in tiers["subnets"].items():
    aws.ec2.Vpc(name, cidr_block=cidr, tags={"owner": config.require("owner")})
