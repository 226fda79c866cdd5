import pulumi

from lib.network import Network

network = Network("main")
pulumi.export("vpc_id", network.vpc.id)
