"""pytest-style tests decorated with @pulumi.runtime.test imported under another name."""
import pulumi
from pulumi.runtime import test as pulumi_test


class Mocks(pulumi.runtime.Mocks):
    def new_resource(self, args):
        return f"{args.name}-id", args.inputs

    def call(self, args):
        return {}


pulumi.runtime.set_mocks(Mocks())

from lib.network import Network  # noqa: E402


@pulumi_test
def test_vpc_cidr():
    network = Network("test")

    def check(cidr):
        assert cidr == "10.0.0.0/16"

    return network.vpc.cidr_block.apply(check)
