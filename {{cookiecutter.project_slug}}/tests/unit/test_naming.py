"""Resource names: logical names are roles, physical names follow one pattern within AWS limits, and stacks
deployed with the former logical names keep every resource."""

import dataclasses
from collections.abc import Callable
from typing import Any

import pulumi
import pytest
import yaml
from tapcheck.limits import AUTONAME_SUFFIX, NAME_LIMITS

from lib import naming
from lib.naming import AUTO_NAME_SUFFIX, LOAD_BALANCER, RDS_IDENTIFIER, Naming
from lib.settings import Settings
from lib.tap_stack import TapStack
from tests.unit.conftest import ROOT, deploy, use_stack

# The program keeps its own limits (it must deploy without the checker); the checker's table, kept equal to
# botocore's service models where they carry a limit, is the one truth both must agree with.
LIMITS_BY_TYPE = {
    "LOAD_BALANCER": "aws:lb/loadBalancer:LoadBalancer",
    "TARGET_GROUP": "aws:lb/targetGroup:TargetGroup",
    "ELASTICACHE_REPLICATION_GROUP": "aws:elasticache/replicationGroup:ReplicationGroup",
    "S3_BUCKET": "aws:s3/bucket:Bucket",
    "RDS_IDENTIFIER": "aws:rds/cluster:Cluster",
    "IAM_ROLE": "aws:iam/role:Role",
    "LAMBDA_FUNCTION": "aws:lambda/function:Function",
}


@pytest.mark.parametrize(("constant", "token"), sorted(LIMITS_BY_TYPE.items()))
def test_name_limits_are_the_checkers(constant, token):
    assert getattr(naming, constant) == NAME_LIMITS[token].max_len


def test_auto_name_suffix_is_the_checkers():
    assert AUTO_NAME_SUFFIX == AUTONAME_SUFFIX


def test_logical_names_are_roles_and_physical_names_join_prefix_role_and_suffix():
    assert Naming("tap", "dev").name("vpc") == "vpc"
    assert Naming("tap", "dev").name("db", limit=RDS_IDENTIFIER, auto_named=False) == "tap-db-dev"


def test_pulumi_auto_names_with_the_same_pattern():
    # Pulumi.yaml's autonaming pattern gives auto-named resources the physical names lib/naming.py checks.
    config = yaml.safe_load((ROOT / "Pulumi.yaml").read_text(encoding="utf-8"))["config"]
    pattern = config["pulumi:autonaming"]["value"]["pattern"]
    random_part = "${alphanum(" + str(AUTO_NAME_SUFFIX - 1) + ")}"
    assert pattern == "${config.namePrefix}-${name}-${config.environmentSuffix}-" + random_part
    assert {"namePrefix", "environmentSuffix"} <= set(config)


def test_longest_prefix_and_suffix_fit_a_load_balancer_name():
    longest = Naming("a" * 8, "b" * 10)
    assert len(longest.physical(longest.name("alb", limit=LOAD_BALANCER))) + AUTO_NAME_SUFFIX <= LOAD_BALANCER


def test_a_name_beyond_its_limit_is_refused():
    with pytest.raises(ValueError, match="AWS allows 24 here"):
        Naming("a" * 8, "b" * 10).name("toolong", limit=LOAD_BALANCER)


@pytest.mark.parametrize("suffix", ["", "Dev", "pr-1", "a" * 11])
def test_invalid_suffixes_are_refused(suffix):
    with pytest.raises(ValueError, match="environmentSuffix"):
        Naming("tap", suffix)


@pytest.mark.parametrize("prefix", ["", "1tap", "Tap", "a" * 9])
def test_invalid_prefixes_are_refused(prefix):
    with pytest.raises(ValueError, match="namePrefix"):
        Naming(prefix, "dev")


class FormerNaming(Naming):
    """Naming as the template had it before logical names became roles: every logical name was the physical
    `<prefix>-<role>-<suffix>`, and nothing was aliased."""

    def name(self, role: str, limit: int = naming.DEFAULT_LIMIT, auto_named: bool = True) -> str:
        super().name(role, limit, auto_named)  # the same limit check
        return self.physical(role)

    def former_names(self, args: pulumi.ResourceTransformationArgs) -> None:
        return None


def _registrations(stack: str, naming_class: type[Naming]) -> dict[str, set[str]]:
    """URN -> alias URNs of every resource the whole program registers for `stack`, named by `naming_class`."""
    use_stack(stack)
    monitor: Any = pulumi.runtime.settings.SETTINGS.monitor
    register: Callable[[Any], Any] = monitor.RegisterResource
    registered: dict[str, set[str]] = {}

    def recording(request: Any) -> Any:
        if request.type != "pulumi:pulumi:Stack":  # the root, named after the project and stack by Pulumi
            registered[monitor.make_urn(request.parent, request.type, request.name)] = {
                alias.urn or monitor.make_urn(alias.spec.parentUrn or request.parent,
                                              alias.spec.type or request.type, alias.spec.name or request.name)
                for alias in request.aliases
            }
        return register(request)

    monitor.RegisterResource = recording

    def program() -> None:
        settings = Settings.load()
        settings = dataclasses.replace(settings, naming=naming_class(settings.naming.prefix, settings.naming.suffix))
        TapStack(settings.naming.name("stack"), settings)

    deploy(program)
    return registered


def covering_stacks(records: dict[str, dict[str, Any]]) -> list[str]:
    """Stacks, largest first, each creating a resource the ones before it do not (by URN less the stack's name):
    together they create every resource any stack creates."""
    covered: set[str] = set()
    chosen = []
    for stack in sorted(records, key=lambda name: (-len(records[name]["resources"]), name)):
        urns = {resource["urn"].split("::", 2)[2] for resource in records[stack]["resources"]}
        if urns - covered:
            chosen.append(stack)
            covered |= urns
    return chosen


def test_stacks_deployed_with_former_names_keep_every_resource(stack_records):
    # Which name a resource had is decided where the code creates it, the same in every stack; so the program runs
    # both ways (a former and a current run each) in the stacks that together create every resource of every stack.
    records = {stack: result.record for stack, result in stack_records.items()}
    assert all(records.values()), {stack: result.notes for stack, result in stack_records.items()}
    for stack in covering_stacks(records):
        former = _registrations(stack, FormerNaming)
        current = _registrations(stack, Naming)
        # The run here registers what the program run as `pulumi up` runs it registered (the records compared).
        assert set(current) == {resource["urn"] for resource in records[stack]["resources"]}, stack
        assert any(urn.endswith(f"-{stack}") for urn in former), f"{stack}: the former program named by stack"
        assert not any(urn.endswith(f"-{stack}") for urn in current), f"{stack}: logical names carry no suffix"
        # Each former URN is a current URN or the alias of one: Pulumi updates it in place instead of replacing it.
        reachable = set(current) | {alias for aliases in current.values() for alias in aliases}
        assert not sorted(set(former) - reachable), stack
        assert len(current) == len(former), stack
