import pulumi
from vpc_component import Vpc

vpc = Vpc("main", cidr_block="10.0.0.0/16")
pulumi.export("vpc_id", vpc.vpc.id)
