"""TAP035: a task or function in subnets without internet egress needs an image or AWS API the VPC cannot reach.

Private subnets without a default route to a NAT gateway (or another egress device) reach AWS only through VPC
endpoints (https://docs.aws.amazon.com/vpc/latest/privatelink/create-interface-endpoint.html). The rule reads the
synth record: which subnets each ECS service and Lambda function runs in, whether those subnets' route tables have
a default route out, and which VPC endpoints the VPC has; then it lists what the workload needs that nothing serves:

- an image not in this region's private ECR (ECR Public, Docker Hub, another region): the ECR endpoints serve only
  the account's private registry in their own region
  (https://docs.aws.amazon.com/AmazonECR/latest/userguide/vpc-endpoints.html);
- for private ECR images, ``ecr.api``, ``ecr.dkr`` and S3 (image layers live in S3);
- ``logs`` for the ``awslogs`` log driver, ``secretsmanager``/``ssm`` for injected ``secrets``;
- ``xray`` for functions with active tracing;
- every service whose actions the task or function role's inline policies allow, except calls AWS makes on the
  workload's behalf: key use conditioned on ``kms:ViaService``, a function's log writing and network interfaces
  (the Lambda service's), and the secret the RDS Data API reads with its caller's permissions
  (https://docs.aws.amazon.com/AmazonRDS/latest/AuroraUserGuide/data-api.access.html).

Subnets, route tables or roles the record does not hold (passed in from elsewhere) are not judged.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from typing import Any

from ..findings import Finding, finding
from .base import Context
from .graph import Locator, label, resources, unwrap

_DEFAULT_ROUTES = frozenset({"0.0.0.0/0", "::/0"})
# Route targets that carry traffic out of the VPC without a public address on the workload.
_EGRESS_TARGETS = ("natGatewayId", "transitGatewayId", "networkInterfaceId", "vpcPeeringConnectionId",
                   "egressOnlyGatewayId", "instanceId", "coreNetworkArn", "vpcEndpointId")
_PRIVATE_ECR = re.compile(r"\d{12}\.dkr\.ecr(?:-fips)?\.(?P<region>[a-z0-9-]+)\.amazonaws\.com(?:\.cn)?/.+")
# IAM action prefixes whose endpoint service name differs from the prefix.
_ENDPOINT_OF_PREFIX = {"ecr": "ecr.api", "kinesis": "kinesis-streams", "firehose": "kinesis-firehose",
                       "execute-api": "execute-api", "elasticfilesystem": "elasticfilesystem", "es": "es"}
# Services reached without an endpoint (global, or called by AWS on the workload's behalf).
_NO_ENDPOINT = frozenset({"iam"})
# What the Lambda service itself does with a function's role: write its logs, manage its network interfaces.
_LAMBDA_SERVICE_PREFIXES = ("logs:", "ec2:")
# What the RDS Data API does with its caller's permissions: read the database secret, decrypted by its key.
_DATA_API_ON_BEHALF = ("secretsmanager:getsecretvalue", "kms:decrypt")


def _json(value: Any) -> Any:
    value = unwrap(value)
    if isinstance(value, str):
        try:
            return json.loads(value)
        except ValueError:
            return None
    return value


def _as_list(value: Any) -> list[Any]:
    value = unwrap(value)
    if value is None:
        return []
    return [unwrap(item) for item in value] if isinstance(value, list) else [value]


class _Network:
    """The record's subnets, route tables and endpoints, joined by id."""

    def __init__(self, res_list: list[dict[str, Any]]) -> None:
        self.subnets = {r.get("id"): r for r in res_list if r["type"] == "aws:ec2/subnet:Subnet"}
        self.tables: dict[str, dict[str, Any]] = {}
        self.routes: dict[str, list[dict[str, Any]]] = {}
        self.table_of: dict[str, str] = {}
        self.main_table: dict[str, str] = {}
        self.endpoints: list[dict[str, Any]] = []
        for res in res_list:
            inputs = res.get("inputs") or {}
            typ = res["type"]
            if typ == "aws:ec2/vpc:Vpc":
                # A new VPC's main route table routes only inside the VPC, until routes or another table are added.
                self.main_table.setdefault(res.get("id"), unwrap((res.get("outputs") or {}).get("mainRouteTableId")))
            elif typ in ("aws:ec2/routeTable:RouteTable", "aws:ec2/defaultRouteTable:DefaultRouteTable"):
                self.tables[res.get("id")] = res
                self.routes.setdefault(res.get("id"), []).extend(
                    item for item in _as_list(inputs.get("routes")) if isinstance(item, dict))
                if typ == "aws:ec2/defaultRouteTable:DefaultRouteTable":
                    self.main_table[unwrap((res.get("outputs") or {}).get("vpcId"))] = res.get("id")
                    self.tables[unwrap(inputs.get("defaultRouteTableId"))] = res
                    self.routes.setdefault(unwrap(inputs.get("defaultRouteTableId")), []).extend(
                        item for item in _as_list(inputs.get("routes")) if isinstance(item, dict))
            elif typ == "aws:ec2/route:Route":
                self.routes.setdefault(unwrap(inputs.get("routeTableId")), []).append(inputs)
            elif typ == "aws:ec2/routeTableAssociation:RouteTableAssociation" and inputs.get("subnetId"):
                self.table_of[unwrap(inputs["subnetId"])] = unwrap(inputs.get("routeTableId"))
            elif typ == "aws:ec2/mainRouteTableAssociation:MainRouteTableAssociation":
                self.main_table[unwrap(inputs.get("vpcId"))] = unwrap(inputs.get("routeTableId"))
            elif typ == "aws:ec2/vpcEndpoint:VpcEndpoint":
                self.endpoints.append(inputs)

    def route_table(self, subnet_id: str) -> str | None:
        """The route table a subnet uses: its association, else its VPC's main table; None when the record does
        not say (a VPC made elsewhere)."""
        if subnet_id in self.table_of:
            return self.table_of[subnet_id]
        vpc = unwrap((self.subnets[subnet_id].get("inputs") or {}).get("vpcId"))
        return self.main_table.get(vpc)

    def has_egress(self, subnet_id: str, public_ip: bool) -> bool:
        """True when the subnet's default route leaves the VPC (an internet gateway only with a public IP)."""
        for route in self.routes.get(self.route_table(subnet_id) or "", []):
            destination = unwrap(route.get("cidrBlock") or route.get("destinationCidrBlock")
                                 or route.get("ipv6CidrBlock") or route.get("destinationIpv6CidrBlock"))
            if destination not in _DEFAULT_ROUTES and not route.get("destinationPrefixListId"):
                continue
            if any(route.get(target) for target in _EGRESS_TARGETS):
                return True
            if public_ip and route.get("gatewayId"):
                return True
        return False

    def reachable(self, vpc_id: Any, table_id: str | None, region: str) -> set[str]:
        """Services with an endpoint usable from a subnet of ``vpc_id`` using route table ``table_id``."""
        found: set[str] = set()
        for endpoint in self.endpoints:
            if unwrap(endpoint.get("vpcId")) != vpc_id:
                continue
            name = str(unwrap(endpoint.get("serviceName")) or "")
            prefix = f"com.amazonaws.{region}."
            if not name.startswith(prefix):
                continue
            service = name[len(prefix):]
            kind = str(unwrap(endpoint.get("vpcEndpointType")) or "Gateway")
            if kind == "Gateway":
                if table_id in _as_list(endpoint.get("routeTableIds")):
                    found.add(service)
            elif kind == "Interface" and unwrap(endpoint.get("privateDnsEnabled")) is not False:
                # Without private DNS the SDKs' default endpoint names still resolve to the public service.
                found.add(service)
        return found


def _policy_actions(document: Any) -> set[str]:
    """Actions (lowercase ``service:action``) a role's policy lets the workload use itself."""
    actions: set[str] = set()
    for statement in _as_list((_json(document) or {}).get("Statement")):
        if not isinstance(statement, dict) or statement.get("Effect") != "Allow":
            continue
        if "kms:ViaService" in json.dumps(statement.get("Condition") or {}):
            continue  # the named service uses the key on the workload's behalf
        actions |= {str(action).lower() for action in _as_list(statement.get("Action")) if ":" in str(action)}
    return actions


def _services(actions: set[str], function: bool) -> set[str]:
    """Endpoint services the workload calls, from the actions its role allows."""
    if function:
        actions = {action for action in actions if not action.startswith(_LAMBDA_SERVICE_PREFIXES)}
    if any(action.startswith("rds-data:") for action in actions):
        actions = {action for action in actions if action not in _DATA_API_ON_BEHALF}
    prefixes = {action.split(":", 1)[0] for action in actions} - _NO_ENDPOINT - {"*"}
    return {_ENDPOINT_OF_PREFIX.get(prefix, prefix) for prefix in prefixes}


class _Roles:
    """Inline policies per role, found by the role's id, name or ARN."""

    def __init__(self, res_list: list[dict[str, Any]]) -> None:
        keys: dict[str, str] = {}
        for res in res_list:
            if res["type"] == "aws:iam/role:Role":
                outputs = res.get("outputs") or {}
                for key in (res.get("id"), outputs.get("name"), outputs.get("arn")):
                    if isinstance(key, str):
                        keys[key] = res["urn"]
        self.actions: dict[str, set[str]] = {}
        for res in res_list:
            inputs = res.get("inputs") or {}
            if res["type"] == "aws:iam/role:Role":
                for inline in _as_list(inputs.get("inlinePolicies")):
                    if isinstance(inline, dict):
                        self.actions.setdefault(res["urn"], set()).update(_policy_actions(inline.get("policy")))
            elif res["type"] == "aws:iam/rolePolicy:RolePolicy":
                urn = keys.get(unwrap(inputs.get("role")))
                if urn:
                    self.actions.setdefault(urn, set()).update(_policy_actions(inputs.get("policy")))
        self._keys = keys

    def of(self, role: Any) -> set[str]:
        """Actions the role with this id, name or ARN allows (empty for a role the record does not hold)."""
        return self.actions.get(self._keys.get(unwrap(role), ""), set())


def _container_needs(definitions: Any, region: str) -> Iterator[str]:
    """What the containers of a task definition need from the network, each as an endpoint service name or as a
    sentence about an image no endpoint serves."""
    for container in _as_list(_json(definitions)):
        if not isinstance(container, dict):
            continue
        image = unwrap(container.get("image"))
        if isinstance(image, str):
            private = _PRIVATE_ECR.fullmatch(image)
            if private and private["region"] == region:
                yield from ("ecr.api", "ecr.dkr", "s3")
            elif private:
                yield f"image {image} (private ECR of {private['region']}; endpoints serve only {region})"
            else:
                yield f"image {image} (not in this region's private ECR; use an ECR pull-through cache)"
        logging = container.get("logConfiguration") or {}
        if isinstance(logging, dict) and logging.get("logDriver") == "awslogs":
            yield "logs"
        for secret in _as_list(container.get("secrets")):
            source = str(secret.get("valueFrom", "")) if isinstance(secret, dict) else ""
            yield "ssm" if ":ssm:" in source or not source.startswith("arn:") else "secretsmanager"


def _workloads(res_list: list[dict[str, Any]], roles: _Roles, region: str
               ) -> Iterator[tuple[dict[str, Any], list[str], bool, set[str]]]:
    """(resource, subnet ids, public IP, needs) for every ECS service and Lambda function in a VPC."""
    task_definitions = {}
    for res in res_list:
        if res["type"] == "aws:ecs/taskDefinition:TaskDefinition":
            for key in (res.get("id"), (res.get("outputs") or {}).get("arn")):
                if isinstance(key, str):
                    task_definitions[key] = res
    for res in res_list:
        inputs = res.get("inputs") or {}
        if res["type"] == "aws:ecs/service:Service":
            network = unwrap(inputs.get("networkConfiguration")) or {}
            task = task_definitions.get(unwrap(inputs.get("taskDefinition")))
            if not isinstance(network, dict) or task is None:
                continue
            task_inputs = task.get("inputs") or {}
            needs = set(_container_needs(task_inputs.get("containerDefinitions"), region))
            needs |= _services(roles.of(task_inputs.get("taskRoleArn")), function=False)
            yield res, _as_list(network.get("subnets")), bool(unwrap(network.get("assignPublicIp"))), needs
        elif res["type"] == "aws:lambda/function:Function":
            vpc = unwrap(inputs.get("vpcConfig")) or {}
            if not isinstance(vpc, dict) or not vpc.get("subnetIds"):
                continue
            needs = _services(roles.of(inputs.get("role")), function=True)
            tracing = unwrap(inputs.get("tracingConfig")) or {}
            if isinstance(tracing, dict) and tracing.get("mode") == "Active":
                needs.add("xray")
            # Lambda in a VPC never has a public IP, whatever its subnet's routes.
            yield res, _as_list(vpc.get("subnetIds")), False, needs


def tap035(ctx: Context) -> list[Finding]:
    """Tasks and functions in subnets without egress whose image or AWS APIs no VPC endpoint serves."""
    res_list = resources(ctx)
    if not res_list:
        return []
    network = _Network(res_list)
    if not network.subnets:
        return []
    region = next((str(unwrap((r.get("outputs") or {}).get("region"))) for r in res_list
                   if r["type"] == "aws:ec2/subnet:Subnet" and (r.get("outputs") or {}).get("region")), "")
    roles = _Roles(res_list)
    loc = Locator(ctx.project)
    out = []
    for res, subnet_ids, public_ip, needs in _workloads(res_list, roles, region):
        known = [subnet for subnet in subnet_ids if subnet in network.subnets and network.route_table(subnet)]
        if not known or len(known) < len(subnet_ids) or any(network.has_egress(s, public_ip) for s in known):
            continue
        subnet = known[0]
        vpc_id = unwrap((network.subnets[subnet].get("inputs") or {}).get("vpcId"))
        reachable = network.reachable(vpc_id, network.route_table(subnet), region)
        missing = sorted(needs - reachable)
        if missing:
            path, line = loc.where(res)
            out.append(finding("TAP035", path, line,
                               f"{label(res)} runs in subnets without internet egress (no NAT route), but nothing "
                               f"in the VPC serves what it needs: {', '.join(missing)}"))
    return out


RULES = [tap035]
