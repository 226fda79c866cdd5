"""A VPC component."""
import pulumi
import pulumi_aws as aws


class Vpc(pulumi.ComponentResource):
    def __init__(self, name: str, cidr_block: str, opts: pulumi.ResourceOptions | None = None) -> None:
        super().__init__("vpc-component:index:Vpc", name, None, opts)
        self.vpc = aws.ec2.Vpc(name, cidr_block=cidr_block, opts=pulumi.ResourceOptions(parent=self))
        self.register_outputs({"vpc_id": self.vpc.id})
