"""Network: a VPC with public and private subnets across zones, gateway endpoints and flow logs."""

import ipaddress
from dataclasses import dataclass

import pulumi
import pulumi_aws as aws

from lib.components.iam import trust_policy
from lib.naming import IAM_ROLE, Naming
from lib.settings import Settings

# Each subnet is 1/16th of the VPC block (a /20 in a /16), leaving room for 8 zones of public + private.
SUBNET_BITS = 4


def subnet_cidrs(vpc_cidr: str, az_count: int) -> tuple[list[str], list[str]]:
    """Disjoint public and private subnet blocks, one of each per zone, carved from the VPC block."""
    blocks = list(ipaddress.ip_network(vpc_cidr).subnets(prefixlen_diff=SUBNET_BITS))
    if not 1 <= az_count <= len(blocks) // 2:
        raise ValueError(f"azCount {az_count} must be between 1 and {len(blocks) // 2} for VPC block {vpc_cidr}")
    return [str(b) for b in blocks[:az_count]], [str(b) for b in blocks[az_count : 2 * az_count]]


@dataclass(frozen=True)
class NetworkArgs:
    """Inputs of the network component."""

    naming: Naming
    region: str
    vpc_cidr: str
    az_count: int
    nat_gateway: bool
    production: bool
    log_retention_days: int
    kms_key_arn: pulumi.Input[str]
    # AWS services private workloads call (e.g. "ecr.api"): reached through interface endpoints when there is no NAT.
    interface_endpoints: tuple[str, ...] = ()

    @classmethod
    def from_settings(
        cls, settings: Settings, kms_key_arn: pulumi.Input[str], interface_endpoints: tuple[str, ...] = ()
    ) -> "NetworkArgs":
        """Network inputs from the stack's configuration."""
        return cls(
            naming=settings.naming,
            region=settings.region,
            vpc_cidr=settings.config.require("vpcCidr"),
            az_count=settings.config.require_int("azCount"),
            nat_gateway=settings.config.require_bool("natGateway"),
            production=settings.production,
            log_retention_days=settings.log_retention_days,
            kms_key_arn=kms_key_arn,
            interface_endpoints=interface_endpoints,
        )


class Network(pulumi.ComponentResource):
    """VPC, subnets, routing, optional NAT, S3/DynamoDB gateway endpoints and encrypted flow logs."""

    def __init__(self, name: str, args: NetworkArgs, opts: pulumi.ResourceOptions | None = None) -> None:
        super().__init__("tap:network:Network", name, None, opts)
        self._args = args
        self._child = pulumi.ResourceOptions(parent=self)
        naming = args.naming
        public_cidrs, private_cidrs = subnet_cidrs(args.vpc_cidr, args.az_count)
        zones = aws.get_availability_zones_output(state="available", opts=pulumi.InvokeOutputOptions(parent=self))

        self.vpc = aws.ec2.Vpc(
            naming.name("vpc"),
            cidr_block=args.vpc_cidr,
            enable_dns_hostnames=True,
            enable_dns_support=True,
            tags={"Name": naming.name("vpc", auto_named=False)},
            opts=self._child,
        )
        self.internet_gateway = aws.ec2.InternetGateway(
            naming.name("igw"), vpc_id=self.vpc.id, opts=self._child
        )
        self.public_subnets = [
            self._subnet("public", index, cidr, zones) for index, cidr in enumerate(public_cidrs)
        ]
        self.private_subnets = [
            self._subnet("private", index, cidr, zones) for index, cidr in enumerate(private_cidrs)
        ]

        public_table = aws.ec2.RouteTable(
            naming.name("public-rt"),
            vpc_id=self.vpc.id,
            routes=[aws.ec2.RouteTableRouteArgs(cidr_block="0.0.0.0/0", gateway_id=self.internet_gateway.id)],
            opts=self._child,
        )
        for index, subnet in enumerate(self.public_subnets):
            aws.ec2.RouteTableAssociation(
                naming.name(f"public-rta{index}"), subnet_id=subnet.id, route_table_id=public_table.id, opts=self._child
            )

        self.nat_gateways = self._nat_gateways() if args.nat_gateway else []
        self.private_route_tables = []
        for index, subnet in enumerate(self.private_subnets):
            routes = []
            if self.nat_gateways:
                nat = self.nat_gateways[index % len(self.nat_gateways)]
                routes.append(aws.ec2.RouteTableRouteArgs(cidr_block="0.0.0.0/0", nat_gateway_id=nat.id))
            table = aws.ec2.RouteTable(
                naming.name(f"private-rt{index}"), vpc_id=self.vpc.id, routes=routes, opts=self._child
            )
            aws.ec2.RouteTableAssociation(
                naming.name(f"private-rta{index}"), subnet_id=subnet.id, route_table_id=table.id, opts=self._child
            )
            self.private_route_tables.append(table)

        # Gateway endpoints keep S3 and DynamoDB traffic off the internet and off NAT (they are free).
        self.endpoints = [
            aws.ec2.VpcEndpoint(
                naming.name(f"{service}-endpoint"),
                vpc_id=self.vpc.id,
                service_name=f"com.amazonaws.{args.region}.{service}",
                vpc_endpoint_type="Gateway",
                route_table_ids=[table.id for table in self.private_route_tables],
                opts=self._child,
            )
            for service in ("s3", "dynamodb")
        ]
        needs_endpoints = args.interface_endpoints and not args.nat_gateway
        self.interface_endpoints = self._interface_endpoints() if needs_endpoints else []
        self.flow_log_group, self.flow_log = self._flow_logs()

        self.outputs = {
            "vpc_id": self.vpc.id,
            "vpc_cidr": self.vpc.cidr_block,
            "public_subnet_ids": [subnet.id for subnet in self.public_subnets],
            "private_subnet_ids": [subnet.id for subnet in self.private_subnets],
            "flow_log_id": self.flow_log.id,
            "flow_log_group_name": self.flow_log_group.name,
        }
        self.register_outputs(self.outputs)

    def _subnet(
        self, tier: str, index: int, cidr: str, zones: pulumi.Output[aws.GetAvailabilityZonesResult]
    ) -> aws.ec2.Subnet:
        role = f"{tier}{index}"
        return aws.ec2.Subnet(
            self._args.naming.name(role),
            vpc_id=self.vpc.id,
            cidr_block=cidr,
            availability_zone=zones.names.apply(lambda names: _zone(names, index)),
            # Nothing gets a public IP by default, not even in public subnets: load balancers and NAT bring their own.
            map_public_ip_on_launch=False,
            tags={"Name": self._args.naming.name(role, auto_named=False), "Tier": tier},
            opts=self._child,
        )

    def _nat_gateways(self) -> list[aws.ec2.NatGateway]:
        # One NAT per zone in production (a zone outage keeps egress); one shared NAT elsewhere (cost).
        subnets = self.public_subnets if self._args.production else self.public_subnets[:1]
        gateways = []
        for index, subnet in enumerate(subnets):
            eip = aws.ec2.Eip(self._args.naming.name(f"nat-eip{index}"), domain="vpc", opts=self._child)
            gateways.append(
                aws.ec2.NatGateway(
                    self._args.naming.name(f"nat{index}"),
                    allocation_id=eip.id,
                    subnet_id=subnet.id,
                    opts=pulumi.ResourceOptions(parent=self, depends_on=[self.internet_gateway]),
                )
            )
        return gateways

    def _interface_endpoints(self) -> list[aws.ec2.VpcEndpoint]:
        # Private subnets without NAT reach these AWS APIs through endpoints; only HTTPS from inside the VPC.
        naming = self._args.naming
        group = aws.ec2.SecurityGroup(
            naming.name("endpoints"),
            vpc_id=self.vpc.id,
            description="HTTPS from inside the VPC to AWS service endpoints",
            opts=self._child,
        )
        aws.vpc.SecurityGroupIngressRule(
            naming.name("endpoints-https"),
            security_group_id=group.id,
            cidr_ipv4=self._args.vpc_cidr,
            ip_protocol="tcp",
            from_port=443,
            to_port=443,
            opts=self._child,
        )
        return [
            aws.ec2.VpcEndpoint(
                naming.name(f"{service.replace('.', '-')}-endpoint"),
                vpc_id=self.vpc.id,
                service_name=f"com.amazonaws.{self._args.region}.{service}",
                vpc_endpoint_type="Interface",
                private_dns_enabled=True,
                subnet_ids=[subnet.id for subnet in self.private_subnets],
                security_group_ids=[group.id],
                opts=self._child,
            )
            for service in self._args.interface_endpoints
        ]

    def _flow_logs(self) -> tuple[aws.cloudwatch.LogGroup, aws.ec2.FlowLog]:
        naming = self._args.naming
        log_group = aws.cloudwatch.LogGroup(
            naming.name("flow-logs"),
            retention_in_days=self._args.log_retention_days,
            kms_key_id=self._args.kms_key_arn,
            opts=self._child,
        )
        # Only flow logs of this account and region may use the role (the confused-deputy conditions the flow logs
        # guide recommends: https://docs.aws.amazon.com/vpc/latest/userguide/flow-logs-iam-role.html).
        invoke = pulumi.InvokeOutputOptions(parent=self)
        account_id = aws.get_caller_identity_output(opts=invoke).account_id
        partition = aws.get_partition_output(opts=invoke).partition
        role = aws.iam.Role(
            naming.name("flow-logs", limit=IAM_ROLE),
            assume_role_policy=trust_policy(
                "vpc-flow-logs.amazonaws.com",
                source_account=account_id,
                source_arn=pulumi.Output.concat(
                    "arn:", partition, ":ec2:", self._args.region, ":", account_id, ":vpc-flow-log/*"
                ),
            ),
            opts=self._child,
        )
        # Least privilege: write to this log group only.
        aws.iam.RolePolicy(
            naming.name("flow-logs-write"),
            role=role.id,
            policy=pulumi.Output.json_dumps(
                {
                    "Version": "2012-10-17",
                    "Statement": [
                        {
                            "Effect": "Allow",
                            "Action": ["logs:CreateLogStream", "logs:PutLogEvents", "logs:DescribeLogStreams"],
                            "Resource": [log_group.arn, pulumi.Output.concat(log_group.arn, ":*")],
                        }
                    ],
                }
            ),
            opts=self._child,
        )
        flow_log = aws.ec2.FlowLog(
            naming.name("flow-log"),
            vpc_id=self.vpc.id,
            traffic_type="ALL",
            log_destination_type="cloud-watch-logs",
            log_destination=log_group.arn,
            iam_role_arn=role.arn,
            max_aggregation_interval=60,
            opts=self._child,
        )
        return log_group, flow_log


def _zone(names: list[str], index: int) -> str:
    if index >= len(names):
        raise ValueError(f"azCount asks for zone {index + 1}, but the region has {len(names)} available zones")
    return names[index]
