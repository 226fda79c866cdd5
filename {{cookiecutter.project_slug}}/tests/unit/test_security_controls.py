"""Every control SECURITY.md lists, proven over every resource the whole stack registers, in every stack.

These tests read the stack as built from each stack file, so they hold whichever components are selected and
keep holding as components are added: a new resource that breaks a control fails here.
"""

import json
from typing import Any

import pytest

from lib.settings import Settings
from lib.tap_stack import TapStack
from tests.unit.conftest import PROJECT, RecordingMocks, Registered, deploy, use_stack

WORLD = ("0.0.0.0/0", "::/0")
SECRET_SIGNATURE = "4dabf18193072939515e22adb298388d"  # pulumi.runtime.rpc's marker of a secret value
PUBLIC_LOAD_BALANCER_PORTS = (80, 443)


@pytest.fixture(scope="module", params=sorted(PROJECT.stacks))
def built(request) -> tuple[RecordingMocks, Settings]:
    """The whole stack as one stack file configures it."""
    mocks = use_stack(request.param)
    loaded: list[Settings] = []

    def program() -> None:
        settings = Settings.load()
        loaded.append(settings)
        TapStack(settings.naming.name("stack"), settings)

    deploy(program)
    return mocks, loaded[0]


def _json(value: Any) -> Any:
    return json.loads(value) if isinstance(value, str) else value


def _statements(document: Any) -> list[dict[str, Any]]:
    statements = _json(document).get("Statement", [])
    return statements if isinstance(statements, list) else [statements]


def _as_list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else [value]


def test_data_at_rest_is_encrypted_with_the_stack_key(built):
    mocks, _ = built
    keyed = {
        "aws:cloudwatch/logGroup:LogGroup": "kmsKeyId",
        "aws:secretsmanager/secret:Secret": "kmsKeyId",
        "aws:sqs/queue:Queue": "kmsMasterKeyId",
        "aws:sns/topic:Topic": "kmsMasterKeyId",
        "aws:rds/cluster:Cluster": "kmsKeyId",
        "aws:rds/instance:Instance": "kmsKeyId",
        "aws:elasticache/replicationGroup:ReplicationGroup": "kmsKeyId",
    }
    for resource_type, key in keyed.items():
        for resource in mocks.of_type(resource_type):
            assert resource.inputs.get(key), f"{resource.name} is not encrypted with the stack key"
    for resource in mocks.of_type("aws:dynamodb/table:Table"):
        assert resource.inputs["serverSideEncryption"]["enabled"] is True
        assert resource.inputs["serverSideEncryption"].get("kmsKeyArn")
    for resource in [*mocks.of_type("aws:rds/cluster:Cluster"), *mocks.of_type("aws:rds/instance:Instance")]:
        assert resource.inputs["storageEncrypted"] is True
    for resource in mocks.of_type("aws:elasticache/replicationGroup:ReplicationGroup"):
        assert resource.inputs["atRestEncryptionEnabled"] is True
    for resource in mocks.of_type(
        "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration"
    ):
        algorithm = resource.inputs["rules"][0]["applyServerSideEncryptionByDefault"]["sseAlgorithm"]
        assert algorithm in ("aws:kms", "AES256")  # load balancer access logs accept only SSE-S3 (AES256)


def test_every_bucket_blocks_public_access_and_refuses_requests_without_tls(built):
    mocks, _ = built
    buckets = mocks.of_type("aws:s3/bucket:Bucket")
    blocks = mocks.of_type("aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock")
    assert len(blocks) == len(buckets)
    assert all(all(block.inputs[flag] is True for flag in ("blockPublicAcls", "blockPublicPolicy",
                                                             "ignorePublicAcls", "restrictPublicBuckets"))
               for block in blocks)
    denies_insecure = [
        policy for policy in mocks.of_type("aws:s3/bucketPolicy:BucketPolicy")
        if any(statement.get("Effect") == "Deny"
               and statement.get("Condition", {}).get("Bool", {}).get("aws:SecureTransport") == "false"
               for statement in _statements(policy.inputs["policy"]))
    ]
    assert len(denies_insecure) == len(buckets)


def test_data_stores_are_never_public_and_caches_encrypt_in_transit(built):
    mocks, _ = built
    instances = [*mocks.of_type("aws:rds/instance:Instance"), *mocks.of_type("aws:rds/clusterInstance:ClusterInstance")]
    for resource in instances:
        assert resource.inputs.get("publiclyAccessible", False) is False, resource.name
    for resource in mocks.of_type("aws:elasticache/replicationGroup:ReplicationGroup"):
        assert resource.inputs["transitEncryptionEnabled"] is True


def _ingress(mocks: RecordingMocks) -> list[tuple[Registered, str, int, int]]:
    rules = [
        (rule, rule.inputs.get("cidrIpv4") or rule.inputs.get("cidrIpv6") or "", int(rule.inputs.get("fromPort", -1)),
         int(rule.inputs.get("toPort", -1)))
        for rule in mocks.of_type("aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule")
    ]
    for group in mocks.of_type("aws:ec2/securityGroup:SecurityGroup"):
        for rule in group.inputs.get("ingress", []):
            for cidr in [*rule.get("cidrBlocks", []), *rule.get("ipv6CidrBlocks", [])]:
                rules.append((group, cidr, int(rule["fromPort"]), int(rule["toPort"])))
    return rules


def test_no_port_is_open_to_the_world_except_a_public_load_balancers_80_and_443(built):
    mocks, _ = built
    load_balancer_groups = {
        group_id for balancer in mocks.of_type("aws:lb/loadBalancer:LoadBalancer")
        for group_id in balancer.inputs.get("securityGroups", [])
    }
    for rule, cidr, from_port, to_port in _ingress(mocks):
        if cidr in WORLD:
            assert from_port == to_port and from_port in PUBLIC_LOAD_BALANCER_PORTS, rule.name
            assert rule.inputs.get("securityGroupId", rule.id) in load_balancer_groups, rule.name


def test_instances_require_imdsv2(built):
    mocks, _ = built
    for template in mocks.of_type("aws:ec2/launchTemplate:LaunchTemplate"):
        assert template.inputs["metadataOptions"]["httpTokens"] == "required"


def _policies(mocks: RecordingMocks) -> list[tuple[str, Any]]:
    documents = [(r.name, r.inputs["policy"]) for t in ("aws:iam/rolePolicy:RolePolicy", "aws:iam/policy:Policy")
                 for r in mocks.of_type(t)]
    for role in mocks.of_type("aws:iam/role:Role"):
        documents += [(role.name, inline["policy"]) for inline in role.inputs.get("inlinePolicies", [])]
    return documents


def test_iam_grants_no_wildcard_action_on_every_resource(built):
    mocks, _ = built
    for name, document in _policies(mocks):
        for statement in _statements(document):
            if statement.get("Effect") != "Allow":
                continue
            actions, resources = _as_list(statement.get("Action", [])), _as_list(statement.get("Resource", []))
            wildcard_action = any(action == "*" or action.endswith(":*") for action in actions)
            assert not (wildcard_action and "*" in resources), f"{name} allows {actions} on *"


def test_every_vpc_has_a_flow_log_and_every_log_group_a_retention(built):
    mocks, settings = built
    vpcs = {vpc.id for vpc in mocks.of_type("aws:ec2/vpc:Vpc")}
    assert vpcs <= {log.inputs.get("vpcId") for log in mocks.of_type("aws:ec2/flowLog:FlowLog")}
    for group in mocks.of_type("aws:cloudwatch/logGroup:LogGroup"):
        assert group.inputs["retentionInDays"] == settings.log_retention_days, group.name


def _unwrap(value: Any) -> Any:
    """The value inside the engine's secret wrapper (`{<signature>: ..., "value": v}`), or the value itself."""
    return value.get("value") if isinstance(value, dict) and SECRET_SIGNATURE in value else value


def test_every_secret_value_is_generated_not_written(built):
    mocks, _ = built
    generated = [_unwrap(password.state["result"])
                 for password in mocks.of_type("random:index/randomPassword:RandomPassword")]
    for version in mocks.of_type("aws:secretsmanager/secretVersion:SecretVersion"):
        stored = str(_unwrap(version.inputs["secretString"]))
        assert any(password and password in stored for password in generated), f"{version.name}: no generated value"
    for data_store, key in (("aws:rds/cluster:Cluster", "masterPassword"), ("aws:rds/instance:Instance", "password"),
                            ("aws:elasticache/replicationGroup:ReplicationGroup", "authToken")):
        for resource in mocks.of_type(data_store):
            assert _unwrap(resource.inputs[key]) in generated, f"{resource.name} uses a password nobody generated"


def test_public_apis_sit_behind_waf(built):
    mocks, _ = built
    stages = mocks.of_type("aws:apigateway/stage:Stage")
    associations = mocks.of_type("aws:wafv2/webAclAssociation:WebAclAssociation")
    assert len(associations) >= len(stages)


def test_production_keeps_data_and_other_stacks_destroy_cleanly(built):
    mocks, settings = built
    production = settings.production
    for resource in [*mocks.of_type("aws:rds/cluster:Cluster"), *mocks.of_type("aws:rds/instance:Instance")]:
        assert resource.inputs["deletionProtection"] is production
        assert resource.inputs["skipFinalSnapshot"] is (not production)
    for balancer in mocks.of_type("aws:lb/loadBalancer:LoadBalancer"):
        assert balancer.inputs.get("enableDeletionProtection", False) is production
    for bucket in mocks.of_type("aws:s3/bucket:Bucket"):
        assert bucket.inputs.get("forceDestroy", False) is (not production)
    for table in mocks.of_type("aws:dynamodb/table:Table"):
        assert table.inputs.get("deletionProtectionEnabled", False) is production
