"""The cache: private Valkey, encrypted at rest and in transit, a generated token in Secrets Manager."""

import json
from typing import Any

import pulumi
import pytest

from lib.components.cache import TOKEN_SPECIALS, Cache, CacheArgs
from lib.naming import ELASTICACHE_REPLICATION_GROUP, Naming
from tests.unit.conftest import PROJECT, RecordingMocks, deploy, use_stack

KEY_ARN = "arn:aws:kms:us-east-1:123456789012:key/test"
SUBNETS = ["subnet-private-a", "subnet-private-b"]
GROUP = "aws:elasticache/replicationGroup:ReplicationGroup"
SECRET_SIG = "4dabf18193072939515e22adb298388d"


def build_cache(mocks: RecordingMocks, production: bool = False, allow: bool = True) -> dict[str, Any]:
    """Register a cache (letting 'app' in when `allow`) and return its resolved outputs."""
    args = CacheArgs(
        naming=Naming("tap", "test"),
        vpc_id="vpc-test",
        private_subnet_ids=SUBNETS,
        kms_key_arn=KEY_ARN,
        production=production,
        log_retention_days=30,
        node_type="cache.t4g.micro",
        engine_version="8.0",
    )
    outputs: dict[str, Any] = {}

    def program() -> pulumi.Output:
        cache = Cache("cache", args)
        if allow:
            cache.allow_from("app", "sg-app")
        return pulumi.Output.all(**cache.outputs).apply(outputs.update)

    deploy(program)
    assert mocks.resources
    return outputs


@pytest.fixture(scope="module")
def default_cache() -> RecordingMocks:
    """`build_cache` with its defaults, registered once for the tests of this module that only read it."""
    mocks = use_stack(PROJECT.stack_name)
    build_cache(mocks)
    use_stack(PROJECT.stack_name)  # the tests' own deployments record elsewhere
    return mocks


def unwrap(value: Any) -> Any:
    """The value inside the engine's secret wrapper."""
    return value["value"] if isinstance(value, dict) and SECRET_SIG in value else value


def test_uses_v7_argument_names_and_a_lowercase_engine(default_cache):
    group = default_cache.one(GROUP)
    assert group.inputs["engine"] == "valkey"
    assert group.inputs["description"]
    assert group.inputs["numCacheClusters"] == 1
    assert "replicationGroupDescription" not in group.inputs
    assert "numberCacheClusters" not in group.inputs


def test_replication_group_id_is_explicit_and_within_the_limit(default_cache):
    group_id = default_cache.one(GROUP).inputs["replicationGroupId"]
    assert group_id == "tap-cache-test"
    assert len(group_id) <= ELASTICACHE_REPLICATION_GROUP


def test_encrypted_at_rest_with_the_stack_key_and_in_transit(default_cache):
    group = default_cache.one(GROUP)
    assert group.inputs["atRestEncryptionEnabled"] is True
    assert group.inputs["kmsKeyId"] == KEY_ARN
    assert group.inputs["transitEncryptionEnabled"] is True
    assert group.inputs["transitEncryptionMode"] == "required"


def test_auth_token_is_generated_valid_for_elasticache_and_kept_in_secrets_manager(stack_mocks):
    outputs = build_cache(stack_mocks)
    token = stack_mocks.one("random:index/randomPassword:RandomPassword")
    group = stack_mocks.one(GROUP)
    secret = stack_mocks.one("aws:secretsmanager/secret:Secret")
    version = stack_mocks.one("aws:secretsmanager/secretVersion:SecretVersion")
    assert 16 <= token.inputs["length"] <= 128
    assert not set(token.inputs["overrideSpecial"]) & set('@"/ ')
    assert token.inputs["overrideSpecial"] == TOKEN_SPECIALS
    assert SECRET_SIG in group.inputs["authToken"]
    assert unwrap(group.inputs["authToken"]) == unwrap(token.state["result"])
    assert group.inputs["authTokenUpdateStrategy"] in ("SET", "ROTATE")
    document = json.loads(unwrap(version.inputs["secretString"]))
    assert document == {
        "auth_token": unwrap(token.state["result"]),
        "host": group.state["primaryEndpointAddress"],
        "port": 6379,
    }
    assert secret.inputs["kmsKeyId"] == KEY_ARN
    assert outputs["cache_auth_secret_arn"] == secret.state["arn"]
    assert unwrap(token.state["result"]) not in json.dumps(outputs)


def test_lives_in_the_private_subnets_behind_its_own_group(stack_mocks):
    outputs = build_cache(stack_mocks)
    group = stack_mocks.one(GROUP)
    subnets = stack_mocks.one("aws:elasticache/subnetGroup:SubnetGroup")
    security_group = stack_mocks.one("aws:ec2/securityGroup:SecurityGroup")
    assert subnets.inputs["subnetIds"] == SUBNETS
    assert group.inputs["subnetGroupName"] == subnets.state["name"]
    assert group.inputs["securityGroupIds"] == [security_group.id]
    assert "ingress" not in security_group.inputs
    assert outputs["cache_security_group_id"] == security_group.id
    assert outputs["cache_primary_endpoint"] == group.state["primaryEndpointAddress"]
    assert outputs["cache_port"] == 6379


def test_allow_from_opens_only_6379_to_the_source_group(default_cache):
    rule = default_cache.one("aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule")
    assert rule.inputs["referencedSecurityGroupId"] == "sg-app"
    assert (rule.inputs["fromPort"], rule.inputs["toPort"], rule.inputs["ipProtocol"]) == (6379, 6379, "tcp")
    assert "cidrIpv4" not in rule.inputs


def test_without_allow_from_nothing_may_connect(stack_mocks):
    build_cache(stack_mocks, allow=False)
    assert not stack_mocks.of_type("aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule")


@pytest.mark.parametrize(("production", "nodes"), [(False, 1), (True, 2)])
def test_failover_across_zones_in_production_a_single_node_elsewhere(stack_mocks, production, nodes):
    build_cache(stack_mocks, production=production)
    group = stack_mocks.one(GROUP)
    assert group.inputs["numCacheClusters"] == nodes
    assert group.inputs["automaticFailoverEnabled"] is production
    assert group.inputs["multiAzEnabled"] is production
    assert ("finalSnapshotIdentifier" in group.inputs) is production
    if production:  # a name of its own for each cache: a re-created stack's destroy does not collide with the last
        strings = stack_mocks.of_type("random:index/randomString:RandomString")
        (unique,) = [r for r in strings if r.name == "cache-final"]
        assert group.inputs["finalSnapshotIdentifier"] == f"tap-cache-final-test-{unique.state['result']}"
    assert stack_mocks.one("aws:secretsmanager/secret:Secret").inputs["recoveryWindowInDays"] == (
        30 if production else 0
    )


def test_slow_log_goes_to_an_encrypted_log_group(default_cache):
    log_group = default_cache.one("aws:cloudwatch/logGroup:LogGroup")
    (delivery,) = default_cache.one(GROUP).inputs["logDeliveryConfigurations"]
    assert delivery["destination"] == log_group.state["name"]
    assert delivery["logType"] == "slow-log"
    assert log_group.inputs["kmsKeyId"] == KEY_ARN
    assert log_group.inputs["retentionInDays"] == 30
