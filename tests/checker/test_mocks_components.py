"""Multi-language components under the mocks: outputs declared as resources are resource objects with outputs."""

from __future__ import annotations

import types

import pulumi
import pulumi_aws as aws
import pulumi_awsx as awsx
import pytest
from helpers import resolve

from tapcheck.mocks import AwsMocks, MockMonitor

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")


@pytest.fixture(autouse=True)
def mocks() -> None:
    pulumi.runtime.settings.reset_options(project="mocked", stack="dev")
    aws_mocks = AwsMocks()
    pulumi.runtime.set_mocks(aws_mocks, project="mocked", stack="dev", preview=False, monitor=MockMonitor(aws_mocks))



def test_resource_output_of_a_component_is_a_resource_with_outputs() -> None:
    alb = awsx.lb.ApplicationLoadBalancer("web")
    balancer = resolve(alb.load_balancer)
    assert isinstance(balancer, aws.lb.LoadBalancer)
    assert str(resolve(balancer.dns_name)).endswith(".us-east-1.elb.amazonaws.com")
    assert str(resolve(balancer.arn)).startswith("arn:aws:elasticloadbalancing:us-east-1:")


def test_list_of_resources_output_of_a_component() -> None:
    vpc = awsx.ec2.Vpc("network")
    subnets = resolve(vpc.private_subnets)
    assert len(subnets) == 3 and all(isinstance(s, aws.ec2.Subnet) for s in subnets)  # one per zone, 3 zones
    ids = resolve(pulumi.Output.all(*[s.id for s in subnets]))
    assert len(set(ids)) == 3 and all(i.startswith("subnet-") for i in ids)


@pulumi.output_type
class _KubeconfigResult:
    def __init__(self, result: str | None = None) -> None:
        pulumi.set(self, "result", result)

    @property
    @pulumi.getter
    def result(self) -> str:
        return pulumi.get(self, "result")


class FakeCluster(pulumi.ComponentResource):
    """A multi-language component shaped like pulumi-eks's ``Cluster``: a method answered by the engine's Call."""

    GetKubeconfigResult = _KubeconfigResult

    def __init__(self, name: str) -> None:
        super().__init__("fakeeks:index:Cluster", name, {}, None, remote=True)

    def get_kubeconfig(self, role_arn: str) -> pulumi.Output[str]:
        result = pulumi.runtime.call("fakeeks:index:Cluster/getKubeconfig", {"__self__": self, "roleArn": role_arn},
                                     res=self, typ=FakeCluster.GetKubeconfigResult)
        return result.result


def test_component_method_call_answers_its_declared_result_type() -> None:
    module = types.ModuleType("fakeeks_module")
    module.mod_info = {"fqn": __name__, "classes": {"fakeeks:index:Cluster": "FakeCluster"}}  # type: ignore[attr-defined]
    pulumi.runtime.register_resource_module("fakeeks", "index", module)  # as generated SDKs register themselves
    kubeconfig = FakeCluster("k8s").get_kubeconfig("arn:aws:iam::123456789012:role/eks-admin")
    value = resolve(kubeconfig)
    assert isinstance(value, str) and value


def test_method_of_an_unknown_component_answers_an_empty_result() -> None:
    assert AwsMocks().method_call("nowhere:index:Thing/doIt", {}) == {}


@pytest.mark.parametrize(("kwargs", "expected"), [
    ({}, {"subnets": 6, "public_subnet_ids": 3, "private_subnet_ids": 3, "isolated_subnet_ids": 0,
          "nat_gateways": 3}),
    ({"availability_zone_names": ["eu-west-1a", "eu-west-1b"],
      "nat_gateways": awsx.ec2.NatGatewayConfigurationArgs(strategy=awsx.ec2.NatGatewayStrategy.SINGLE)},
     {"subnets": 4, "public_subnet_ids": 2, "private_subnet_ids": 2, "isolated_subnet_ids": 0, "nat_gateways": 1}),
    ({"number_of_availability_zones": 2,
      "subnet_specs": [awsx.ec2.SubnetSpecArgs(type=awsx.ec2.SubnetType.PRIVATE),
                       awsx.ec2.SubnetSpecArgs(type=awsx.ec2.SubnetType.ISOLATED),
                       awsx.ec2.SubnetSpecArgs(type=awsx.ec2.SubnetType.UNUSED)]},
     {"subnets": 4, "public_subnet_ids": 0, "private_subnet_ids": 2, "isolated_subnet_ids": 2, "nat_gateways": 0}),
], ids=["defaults", "two-zones-single-nat", "private-isolated-unused"])
def test_awsx_vpc_lists_are_as_long_as_its_inputs_make_them(kwargs, expected) -> None:
    vpc = awsx.ec2.Vpc("net", **kwargs)
    assert {name: len(resolve(getattr(vpc, name))) for name in expected} == expected
    assert all(isinstance(subnet, aws.ec2.Subnet) for subnet in resolve(vpc.subnets))
