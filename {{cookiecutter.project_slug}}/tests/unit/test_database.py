"""The database: private, encrypted, generated credentials in Secrets Manager, kept in production only."""

import dataclasses
import json
from typing import Any

import pulumi
import pytest
from tapcheck import engines

from lib.components.database import (
    ENGINE_VERSION_PATTERNS,
    PASSWORD_SPECIALS,
    SUGGESTED_ENGINE_VERSIONS,
    Database,
    DatabaseArgs,
    check_engine_version,
)
from lib.naming import Naming
from tests.unit.conftest import PROJECT, RecordingMocks, deploy, use_stack

KEY_ARN = "arn:aws:kms:us-east-1:123456789012:key/test"
SUBNETS = ["subnet-private-a", "subnet-private-b"]
CLUSTER = "aws:rds/cluster:Cluster"
INSTANCE = "aws:rds/instance:Instance"
CLUSTER_INSTANCE = "aws:rds/clusterInstance:ClusterInstance"
SECRET_SIG = "4dabf18193072939515e22adb298388d"


def database_args(
    engine: str = "aurora-postgresql", capacity: str = "serverless", production: bool = False, **overrides: Any
) -> DatabaseArgs:
    """Database inputs as a stack's default config would give them."""
    values: dict[str, Any] = {
        "naming": Naming("tap", "test"),
        "engine": engine,
        "capacity": capacity,
        "vpc_id": "vpc-test",
        "private_subnet_ids": SUBNETS,
        "kms_key_arn": KEY_ARN,
        "production": production,
        "log_retention_days": 30,
        "engine_version": SUGGESTED_ENGINE_VERSIONS[engine],
        "database_name": "app",
        "master_username": "dbadmin",
        "instance_class": "db.t4g.medium",
        "min_capacity": 0.5,
        "max_capacity": 4.0,
        "allocated_storage": 20,
    }
    values.update(overrides)
    return DatabaseArgs(**values)


def build_database(mocks: RecordingMocks, allow: bool = True, **kwargs: Any) -> dict[str, Any]:
    """Register a database (letting 'app' in when `allow`) and return its resolved outputs."""
    outputs: dict[str, Any] = {}

    def program() -> pulumi.Output:
        database = Database("database", database_args(**kwargs))
        if allow:
            database.allow_from("app", "sg-app")
        return pulumi.Output.all(**database.outputs).apply(outputs.update)

    deploy(program)
    assert mocks.resources
    return outputs


@pytest.fixture(scope="module")
def default_database() -> RecordingMocks:
    """`build_database` with its defaults, registered once for the tests of this module that only read it."""
    mocks = use_stack(PROJECT.stack_name)
    build_database(mocks)
    use_stack(PROJECT.stack_name)  # the tests' own deployments record elsewhere
    return mocks


def unwrap(value: Any) -> Any:
    """The value inside the engine's secret wrapper, and whether it was wrapped."""
    if isinstance(value, dict) and SECRET_SIG in value:
        return value["value"]
    return value


def test_serverless_aurora_scales_in_acus_on_serverless_instances(default_database):
    cluster = default_database.one(CLUSTER)
    assert cluster.inputs["engine"] == "aurora-postgresql"
    assert cluster.inputs["engineMode"] == "provisioned"
    assert cluster.inputs["serverlessv2ScalingConfiguration"] == {"minCapacity": 0.5, "maxCapacity": 4.0}
    (instance,) = default_database.of_type(CLUSTER_INSTANCE)
    assert instance.inputs["instanceClass"] == "db.serverless"
    assert instance.inputs["clusterIdentifier"] == cluster.id
    assert instance.inputs["publiclyAccessible"] is False


def test_provisioned_aurora_uses_the_configured_instance_class(stack_mocks):
    build_database(stack_mocks, engine="aurora-mysql", capacity="provisioned")
    cluster = stack_mocks.one(CLUSTER)
    assert "serverlessv2ScalingConfiguration" not in cluster.inputs
    assert cluster.inputs["engineVersion"] == SUGGESTED_ENGINE_VERSIONS["aurora-mysql"]
    assert stack_mocks.one(CLUSTER_INSTANCE).inputs["instanceClass"] == "db.t4g.medium"


@pytest.mark.parametrize("engine", ["aurora-postgresql", "aurora-mysql"])
def test_aurora_is_encrypted_private_and_serves_the_data_api(stack_mocks, engine):
    build_database(stack_mocks, engine=engine)
    cluster = stack_mocks.one(CLUSTER)
    subnet_group = stack_mocks.one("aws:rds/subnetGroup:SubnetGroup")
    security_group = stack_mocks.one("aws:ec2/securityGroup:SecurityGroup")
    assert cluster.inputs["storageEncrypted"] is True
    assert cluster.inputs["kmsKeyId"] == KEY_ARN
    assert cluster.inputs["enableHttpEndpoint"] is True
    assert cluster.inputs["dbSubnetGroupName"] == subnet_group.state["name"]
    assert cluster.inputs["vpcSecurityGroupIds"] == [security_group.id]
    assert subnet_group.inputs["subnetIds"] == SUBNETS
    assert not stack_mocks.of_type(INSTANCE)


@pytest.mark.parametrize(("engine", "port"), [("postgres", 5432), ("mysql", 3306)])
def test_rds_engines_get_a_private_encrypted_instance(stack_mocks, engine, port):
    outputs = build_database(stack_mocks, engine=engine)
    instance = stack_mocks.one(INSTANCE)
    assert not stack_mocks.of_type(CLUSTER)
    assert instance.inputs["engine"] == engine
    assert instance.inputs["engineVersion"] == SUGGESTED_ENGINE_VERSIONS[engine]
    assert instance.inputs["publiclyAccessible"] is False
    assert instance.inputs["storageEncrypted"] is True
    assert instance.inputs["kmsKeyId"] == KEY_ARN
    assert instance.inputs["port"] == port
    assert outputs["database_port"] == port
    assert outputs["database_endpoint"] == outputs["database_reader_endpoint"] == instance.state["address"]
    assert outputs["database_cluster_arn"] == instance.state["arn"]


def test_master_password_is_generated_secret_and_free_of_characters_rds_rejects(default_database):
    password = default_database.one("random:index/randomPassword:RandomPassword")
    cluster = default_database.one(CLUSTER)
    assert not set(PASSWORD_SPECIALS) & set("/@\" '")
    assert password.inputs["overrideSpecial"] == PASSWORD_SPECIALS
    assert password.inputs["length"] >= 16
    assert SECRET_SIG in cluster.inputs["masterPassword"]
    assert unwrap(cluster.inputs["masterPassword"]) == unwrap(password.state["result"])


def test_secret_holds_the_connection_document_encrypted_with_the_stack_key(stack_mocks):
    outputs = build_database(stack_mocks)
    secret = stack_mocks.one("aws:secretsmanager/secret:Secret")
    version = stack_mocks.one("aws:secretsmanager/secretVersion:SecretVersion")
    cluster = stack_mocks.one(CLUSTER)
    password = stack_mocks.one("random:index/randomPassword:RandomPassword")
    document = json.loads(unwrap(version.inputs["secretString"]))
    assert secret.inputs["kmsKeyId"] == KEY_ARN
    assert version.inputs["secretId"] == secret.id
    assert document == {
        "username": "dbadmin",
        "password": unwrap(password.state["result"]),
        "engine": "postgres",
        "host": cluster.state["endpoint"],
        "port": 5432,
        "dbname": "app",
    }
    assert outputs["database_secret_arn"] == secret.state["arn"]
    assert outputs["database_reader_endpoint"] == cluster.state["readerEndpoint"]


@pytest.mark.parametrize("engine", ["aurora-postgresql", "postgres"])
def test_outside_production_the_database_destroys_cleanly(stack_mocks, engine):
    build_database(stack_mocks, engine=engine, production=False)
    database = (stack_mocks.of_type(CLUSTER) + stack_mocks.of_type(INSTANCE))[0]
    assert database.inputs["skipFinalSnapshot"] is True
    assert database.inputs["deletionProtection"] is False
    assert "finalSnapshotIdentifier" not in database.inputs
    assert database.inputs["backupRetentionPeriod"] == 7
    assert stack_mocks.one("aws:secretsmanager/secret:Secret").inputs["recoveryWindowInDays"] == 0


@pytest.mark.parametrize("engine", ["aurora-postgresql", "postgres"])
def test_production_keeps_a_final_snapshot_and_blocks_deletion(stack_mocks, engine):
    build_database(stack_mocks, engine=engine, production=True)
    database = (stack_mocks.of_type(CLUSTER) + stack_mocks.of_type(INSTANCE))[0]
    assert database.inputs["skipFinalSnapshot"] is False
    assert database.inputs["deletionProtection"] is True
    # A name of its own for each database, so destroying a re-created stack does not collide with the last snapshot.
    (unique,) = [r for r in stack_mocks.of_type("random:index/randomString:RandomString") if r.name == "db-final"]
    assert database.inputs["finalSnapshotIdentifier"] == f"tap-db-final-test-{unique.state['result']}"
    assert len(unique.state["result"]) == 7
    assert database.inputs["backupRetentionPeriod"] == 30
    assert stack_mocks.one("aws:secretsmanager/secret:Secret").inputs["recoveryWindowInDays"] == 30


@pytest.mark.parametrize(("production", "instances"), [(False, 1), (True, 2)])
def test_aurora_adds_a_reader_in_production(stack_mocks, production, instances):
    build_database(stack_mocks, production=production)
    assert len(stack_mocks.of_type(CLUSTER_INSTANCE)) == instances


@pytest.mark.parametrize("production", [False, True])
def test_rds_instance_is_multi_az_in_production_only(stack_mocks, production):
    build_database(stack_mocks, engine="mysql", production=production)
    assert stack_mocks.one(INSTANCE).inputs["multiAz"] is production


@pytest.mark.parametrize(("engine", "port"), [("aurora-postgresql", 5432), ("aurora-mysql", 3306)])
def test_only_allowed_groups_reach_only_the_engine_port(stack_mocks, engine, port):
    outputs = build_database(stack_mocks, engine=engine)
    security_group = stack_mocks.one("aws:ec2/securityGroup:SecurityGroup")
    rule = stack_mocks.one("aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule")
    assert "ingress" not in security_group.inputs
    assert "egress" not in security_group.inputs
    assert rule.inputs["securityGroupId"] == security_group.id
    assert rule.inputs["referencedSecurityGroupId"] == "sg-app"
    assert (rule.inputs["fromPort"], rule.inputs["toPort"], rule.inputs["ipProtocol"]) == (port, port, "tcp")
    assert "cidrIpv4" not in rule.inputs
    assert outputs["database_security_group_id"] == security_group.id


def test_without_allow_from_nothing_may_connect(stack_mocks):
    build_database(stack_mocks, allow=False)
    assert not stack_mocks.of_type("aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule")


@pytest.mark.parametrize(("engine", "prefix"), [("aurora-mysql", "/aws/rds/cluster/"), ("mysql", "/aws/rds/instance/")])
def test_exported_logs_land_in_encrypted_log_groups_with_retention(stack_mocks, engine, prefix):
    build_database(stack_mocks, engine=engine)
    database = (stack_mocks.of_type(CLUSTER) + stack_mocks.of_type(INSTANCE))[0]
    identifier = database.inputs.get("clusterIdentifier") or database.inputs["identifier"]
    exports = database.inputs["enabledCloudwatchLogsExports"]
    groups = stack_mocks.of_type("aws:cloudwatch/logGroup:LogGroup")
    assert exports
    assert sorted(group.inputs["name"] for group in groups) == sorted(f"{prefix}{identifier}/{log}" for log in exports)
    assert all(group.inputs["kmsKeyId"] == KEY_ARN and group.inputs["retentionInDays"] == 30 for group in groups)


def test_outputs_name_the_database(stack_mocks):
    outputs = build_database(stack_mocks)
    cluster = stack_mocks.one(CLUSTER)
    assert outputs["database_endpoint"] == cluster.state["endpoint"]
    assert outputs["database_cluster_arn"] == cluster.state["arn"]
    assert outputs["database_name"] == cluster.inputs["databaseName"] == "app"
    assert outputs["database_port"] == 5432


@pytest.mark.parametrize("engine", sorted(SUGGESTED_ENGINE_VERSIONS))
def test_suggested_versions_have_the_engine_format_and_are_offered(engine):
    version = SUGGESTED_ENGINE_VERSIONS[engine]
    assert ENGINE_VERSION_PATTERNS[engine].fullmatch(version)
    assert engines.is_known(engine, version) is True


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"engine": "aurora"}, "engine 'aurora'"),
        ({"capacity": "serverless-v1"}, "capacity"),
        ({"engine_version": "16.10", "engine": "aurora-mysql"}, "not a aurora-mysql version"),
        ({"min_capacity": 8.0}, "databaseMinCapacity"),
    ],
)
def test_invalid_settings_are_refused_before_deploying(overrides, message):
    with pytest.raises(ValueError, match=message):
        dataclasses.replace(database_args(), **overrides)


def test_version_check_names_a_valid_example():
    with pytest.raises(ValueError, match=r"8\.0\.mysql_aurora"):
        check_engine_version("aurora-mysql", "8.0.36")
