"""Multi-language components under the mocks: outputs declared as resources are resource objects with outputs."""

from __future__ import annotations

import pulumi
import pulumi_aws as aws
import pulumi_awsx as awsx
import pytest

from tapcheck.mocks import AwsMocks, MockMonitor

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")


@pytest.fixture(autouse=True)
def mocks() -> None:
    pulumi.runtime.settings.reset_options(project="mocked", stack="dev")
    aws_mocks = AwsMocks()
    pulumi.runtime.set_mocks(aws_mocks, project="mocked", stack="dev", preview=False, monitor=MockMonitor(aws_mocks))


def _resolve(output: pulumi.Output) -> object:
    box: list[object] = []

    @pulumi.runtime.test
    def probe() -> pulumi.Output:
        return output.apply(box.append)

    probe()
    return box[0]


def test_resource_output_of_a_component_is_a_resource_with_outputs() -> None:
    alb = awsx.lb.ApplicationLoadBalancer("web")
    balancer = _resolve(alb.load_balancer)
    assert isinstance(balancer, aws.lb.LoadBalancer)
    assert str(_resolve(balancer.dns_name)).endswith(".us-east-1.elb.amazonaws.com")
    assert str(_resolve(balancer.arn)).startswith("arn:aws:elasticloadbalancing:us-east-1:")


def test_list_of_resources_output_of_a_component() -> None:
    vpc = awsx.ec2.Vpc("network")
    subnets = _resolve(vpc.private_subnets)
    assert len(subnets) == 2 and all(isinstance(s, aws.ec2.Subnet) for s in subnets)
    ids = _resolve(pulumi.Output.all(*[s.id for s in subnets]))
    assert len(set(ids)) == 2 and all(i.startswith("subnet-") for i in ids)
