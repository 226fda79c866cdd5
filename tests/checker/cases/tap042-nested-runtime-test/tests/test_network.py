"""The test method calls a nested function decorated with @pulumi.runtime.test: the decorator awaits the Output
it returns, and (pulumi >= 3.x) every outstanding apply, so a failing assertion in the callback fails the test."""
import unittest

import pulumi


class Mocks(pulumi.runtime.Mocks):
    def new_resource(self, args):
        return f"{args.name}-id", args.inputs

    def call(self, args):
        return {}


pulumi.runtime.set_mocks(Mocks())

from lib.network import Network  # noqa: E402  (after set_mocks, as Pulumi's guide does)


class TestNetwork(unittest.TestCase):
    def test_vpc_cidr(self):
        @pulumi.runtime.test
        def check():
            network = Network("test")

            def verify(cidr):
                self.assertEqual(cidr, "10.0.0.0/16")

            return network.vpc.cidr_block.apply(verify)

        check()

    def test_vpc_cidr_not_returned(self):
        @pulumi.runtime.test
        def check():
            network = Network("test2")

            def verify(args):
                self.assertEqual(args[0], "10.0.0.0/16")

            pulumi.Output.all(network.vpc.cidr_block).apply(verify)
            return {}

        check()
