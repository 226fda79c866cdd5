"""The network: disjoint subnets inside the VPC, private egress only through NAT, flow logs always on."""

import ipaddress

import pytest

from lib.components.network import Network, NetworkArgs, subnet_cidrs
from lib.naming import Naming
from tests.unit.conftest import PROJECT, RecordingMocks, deploy, policy, use_stack

VPC_CIDR = "10.0.0.0/16"


def build_network(
    mocks: RecordingMocks,
    nat_gateway: bool = False,
    production: bool = False,
    az_count: int = 2,
    interface_endpoints: tuple[str, ...] = (),
) -> RecordingMocks:
    """A network in us-east-1 with the given options, registered under `mocks`."""
    args = NetworkArgs(
        naming=Naming("tap", "test"),
        region="us-east-1",
        vpc_cidr=VPC_CIDR,
        az_count=az_count,
        nat_gateway=nat_gateway,
        production=production,
        log_retention_days=30,
        kms_key_arn="arn:aws:kms:us-east-1:123456789012:key/test",
        interface_endpoints=interface_endpoints,
    )
    deploy(lambda: Network("network", args))
    return mocks


@pytest.fixture(scope="module")
def default_network() -> RecordingMocks:
    """`build_network` with its defaults, registered once for the tests of this module that only read it."""
    mocks = use_stack(PROJECT.stack_name)
    build_network(mocks)
    use_stack(PROJECT.stack_name)  # the tests' own deployments record elsewhere
    return mocks


@pytest.mark.parametrize("az_count", [1, 2, 3, 8])
def test_subnet_blocks_are_disjoint_and_inside_the_vpc(az_count):
    public, private = subnet_cidrs(VPC_CIDR, az_count)
    blocks = [ipaddress.ip_network(cidr) for cidr in public + private]
    assert len(public) == len(private) == az_count
    assert all(block.subnet_of(ipaddress.ip_network(VPC_CIDR)) for block in blocks)
    assert not any(a.overlaps(b) for i, a in enumerate(blocks) for b in blocks[i + 1 :])


def test_too_many_zones_for_the_block_is_refused():
    with pytest.raises(ValueError, match="azCount 9"):
        subnet_cidrs(VPC_CIDR, 9)


def test_registered_subnets_use_the_computed_blocks(stack_mocks):
    build_network(stack_mocks, az_count=3)
    vpc = stack_mocks.one("aws:ec2/vpc:Vpc")
    subnets = stack_mocks.of_type("aws:ec2/subnet:Subnet")
    assert len(subnets) == 6
    assert all(subnet.inputs["vpcId"] == vpc.id for subnet in subnets)
    assert all(subnet.inputs["mapPublicIpOnLaunch"] is False for subnet in subnets)
    zones = {subnet.inputs["availabilityZone"] for subnet in subnets}
    assert len(zones) == 3


def test_flow_log_records_all_vpc_traffic_to_an_encrypted_log_group(default_network):
    vpc = default_network.one("aws:ec2/vpc:Vpc")
    flow_log = default_network.one("aws:ec2/flowLog:FlowLog")
    log_group = default_network.one("aws:cloudwatch/logGroup:LogGroup")
    assert flow_log.inputs["vpcId"] == vpc.id
    assert flow_log.inputs["trafficType"] == "ALL"
    assert flow_log.inputs["logDestinationType"] == "cloud-watch-logs"
    assert flow_log.inputs["logDestination"] == log_group.state["arn"]
    assert log_group.inputs["kmsKeyId"].startswith("arn:aws:kms:")
    assert log_group.inputs["retentionInDays"] == 30


def test_flow_log_role_may_only_write_its_log_group(default_network):
    statements = policy(default_network.one("aws:iam/rolePolicy:RolePolicy"))["Statement"]
    actions = {action for statement in statements for action in statement["Action"]}
    resources = [resource for statement in statements for resource in statement["Resource"]]
    assert actions == {"logs:CreateLogStream", "logs:PutLogEvents", "logs:DescribeLogStreams"}
    assert "*" not in resources
    trust = policy(default_network.one("aws:iam/role:Role"), "assumeRolePolicy")
    assert trust["Statement"][0]["Principal"] == {"Service": "vpc-flow-logs.amazonaws.com"}


def test_only_this_accounts_flow_logs_may_assume_the_role(stack_mocks):
    # Confused-deputy protection: the flow logs service acts for this account's flow logs in this region only.
    build_network(stack_mocks)
    (statement,) = policy(stack_mocks.one("aws:iam/role:Role"), "assumeRolePolicy")["Statement"]
    account = statement["Condition"]["StringEquals"]["aws:SourceAccount"]
    assert account.isdigit() and len(account) == 12
    assert statement["Condition"]["ArnLike"]["aws:SourceArn"] == f"arn:aws:ec2:us-east-1:{account}:vpc-flow-log/*"


def test_gateway_endpoints_serve_s3_and_dynamodb_from_private_route_tables(default_network):
    endpoints = default_network.of_type("aws:ec2/vpcEndpoint:VpcEndpoint")
    assert sorted(e.inputs["serviceName"] for e in endpoints) == [
        "com.amazonaws.us-east-1.dynamodb",
        "com.amazonaws.us-east-1.s3",
    ]
    assert all(e.inputs["vpcEndpointType"] == "Gateway" and len(e.inputs["routeTableIds"]) == 2 for e in endpoints)


def test_without_nat_private_subnets_have_no_internet_route(stack_mocks):
    build_network(stack_mocks, nat_gateway=False)
    assert not stack_mocks.of_type("aws:ec2/natGateway:NatGateway")
    private_tables = [t for t in stack_mocks.of_type("aws:ec2/routeTable:RouteTable") if "private" in t.name]
    assert private_tables and all(not t.inputs.get("routes") for t in private_tables)


def test_public_route_table_reaches_the_internet_gateway(default_network):
    gateway = default_network.one("aws:ec2/internetGateway:InternetGateway")
    (public,) = [t for t in default_network.of_type("aws:ec2/routeTable:RouteTable") if "public" in t.name]
    assert public.inputs["routes"] == [{"cidrBlock": "0.0.0.0/0", "gatewayId": gateway.id}]


@pytest.mark.parametrize(("production", "expected"), [(False, 1), (True, 2)])
def test_nat_gateways_one_shared_or_one_per_zone_in_production(stack_mocks, production, expected):
    build_network(stack_mocks, nat_gateway=True, production=production)
    gateways = stack_mocks.of_type("aws:ec2/natGateway:NatGateway")
    assert len(gateways) == expected
    private_tables = [t for t in stack_mocks.of_type("aws:ec2/routeTable:RouteTable") if "private" in t.name]
    assert all(t.inputs["routes"][0]["natGatewayId"] in {g.id for g in gateways} for t in private_tables)


def test_interface_endpoints_accept_https_from_inside_the_vpc_only(stack_mocks):
    build_network(stack_mocks, interface_endpoints=("ecr.api", "secretsmanager"))
    endpoints = [
        e for e in stack_mocks.of_type("aws:ec2/vpcEndpoint:VpcEndpoint") if e.inputs["vpcEndpointType"] == "Interface"
    ]
    assert sorted(e.inputs["serviceName"] for e in endpoints) == [
        "com.amazonaws.us-east-1.ecr.api",
        "com.amazonaws.us-east-1.secretsmanager",
    ]
    assert all(e.inputs["privateDnsEnabled"] is True and len(e.inputs["subnetIds"]) == 2 for e in endpoints)
    rule = stack_mocks.one("aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule")
    assert (rule.inputs["cidrIpv4"], rule.inputs["fromPort"], rule.inputs["toPort"]) == (VPC_CIDR, 443, 443)


def test_no_interface_endpoints_unless_asked(default_network):
    endpoints = default_network.of_type("aws:ec2/vpcEndpoint:VpcEndpoint")
    assert all(e.inputs["vpcEndpointType"] == "Gateway" for e in endpoints)
    assert not default_network.of_type("aws:ec2/securityGroup:SecurityGroup")


def test_with_nat_private_workloads_reach_aws_apis_through_it(stack_mocks):
    build_network(stack_mocks, nat_gateway=True, interface_endpoints=("ecr.api",))
    endpoints = stack_mocks.of_type("aws:ec2/vpcEndpoint:VpcEndpoint")
    assert all(e.inputs["vpcEndpointType"] == "Gateway" for e in endpoints)
