"""Monitoring: alarms for exactly the components present, all to one encrypted topic; a log bucket ELB can use."""

import json

import pulumi_aws as aws
import pytest

from lib.components.monitoring import (
    ELB_LOG_SERVICE,
    AccessLogBucket,
    AccessLogBucketArgs,
    LoadBalancerMetrics,
    Monitoring,
    MonitoringArgs,
)
from lib.naming import Naming
from tests.unit.conftest import RecordingMocks, deploy, policy

KEY_ARN = "arn:aws:kms:us-east-1:123456789012:key/test"
ALARM = "aws:cloudwatch/metricAlarm:MetricAlarm"
EVERYTHING = {
    "load_balancers": [LoadBalancerMetrics("ecs", "app/tap-ecs/abc", "targetgroup/tap-ecs/def")],
    "ecs_cluster_name": "cluster",
    "ecs_service_name": "service",
    "db_cluster_identifier": "db-cluster",
    "cache_replication_group_id": "cache",
    "cache_node_count": 2,
    "dead_letter_queue_names": ["orders-dlq"],
    "lambda_function_names": ["fn-a", "fn-b"],
    "api_name": "api",
    "api_stage_name": "v1",
}


def build_monitoring(alarm_email: str = "", **identifiers) -> Monitoring:
    """Monitoring of the given components, registered under the current mocks."""
    args = MonitoringArgs(naming=Naming("tap", "test"), region="us-east-1", kms_key_arn=KEY_ARN,
                          alarm_email=alarm_email, **identifiers)
    built: list[Monitoring] = []
    deploy(lambda: built.append(Monitoring("monitoring", args)))
    return built[0]


def build_bucket(production: bool = False, region: str = "us-east-1") -> AccessLogBucket:
    """An access-log bucket, registered under the current mocks."""
    args = AccessLogBucketArgs(naming=Naming("tap", "test"), production=production, region=region, expiry_days=90)
    built: list[AccessLogBucket] = []
    deploy(lambda: built.append(AccessLogBucket("access-logs", args)))
    return built[0]


def alarms_by_metric(mocks: RecordingMocks) -> dict[tuple[str, str], list]:
    """Alarms keyed by (namespace, metric name)."""
    found: dict[tuple[str, str], list] = {}
    for alarm in mocks.of_type(ALARM):
        found.setdefault((alarm.inputs["namespace"], alarm.inputs["metricName"]), []).append(alarm)
    return found


def test_topic_is_encrypted_with_the_stack_key(stack_mocks):
    build_monitoring()
    assert stack_mocks.one("aws:sns/topic:Topic").inputs["kmsMasterKeyId"] == KEY_ARN
    assert not stack_mocks.of_type("aws:sns/topicSubscription:TopicSubscription")


def test_email_subscription_only_when_configured(stack_mocks):
    build_monitoring(alarm_email="ops@example.com")
    subscription = stack_mocks.one("aws:sns/topicSubscription:TopicSubscription")
    assert subscription.inputs["protocol"] == "email"
    assert subscription.inputs["endpoint"] == "ops@example.com"
    assert subscription.inputs["topic"] == stack_mocks.one("aws:sns/topic:Topic").state["arn"]


def test_no_components_no_alarms(stack_mocks):
    build_monitoring()
    assert not stack_mocks.of_type(ALARM)
    assert json.loads(stack_mocks.one("aws:cloudwatch/dashboard:Dashboard").inputs["dashboardBody"]) == {
        "widgets": []}


def test_every_component_present_gets_its_alarms(stack_mocks):
    build_monitoring(**EVERYTHING)
    found = alarms_by_metric(stack_mocks)
    expected = {
        ("AWS/ApplicationELB", "HTTPCode_ELB_5XX_Count"): 1,
        ("AWS/ApplicationELB", "HTTPCode_Target_5XX_Count"): 1,
        ("AWS/ApplicationELB", "TargetResponseTime"): 1,
        ("AWS/ECS", "CPUUtilization"): 1,
        ("AWS/ECS", "MemoryUtilization"): 1,
        ("AWS/RDS", "CPUUtilization"): 1,
        ("AWS/RDS", "FreeableMemory"): 1,
        ("AWS/ElastiCache", "EngineCPUUtilization"): 2,
        ("AWS/ElastiCache", "Evictions"): 2,
        ("AWS/SQS", "ApproximateNumberOfMessagesVisible"): 1,
        ("AWS/Lambda", "Errors"): 2,
        ("AWS/Lambda", "Throttles"): 2,
        ("AWS/ApiGateway", "5XXError"): 1,
    }
    assert {key: len(value) for key, value in found.items()} == expected


def test_alarm_dimensions_name_the_given_resources(stack_mocks):
    build_monitoring(**EVERYTHING)
    found = alarms_by_metric(stack_mocks)
    (target_5xx,) = found[("AWS/ApplicationELB", "HTTPCode_Target_5XX_Count")]
    assert target_5xx.inputs["dimensions"] == {"LoadBalancer": "app/tap-ecs/abc",
                                               "TargetGroup": "targetgroup/tap-ecs/def"}
    (dlq,) = found[("AWS/SQS", "ApproximateNumberOfMessagesVisible")]
    assert dlq.inputs["dimensions"] == {"QueueName": "orders-dlq"}
    assert dlq.inputs["comparisonOperator"] == "GreaterThanThreshold" and dlq.inputs["threshold"] == 0
    caches = sorted(a.inputs["dimensions"]["CacheClusterId"] for a in found[("AWS/ElastiCache", "Evictions")])
    assert caches == ["cache-001", "cache-002"]
    (memory,) = found[("AWS/RDS", "FreeableMemory")]
    assert memory.inputs["comparisonOperator"] == "LessThanThreshold"
    (api,) = found[("AWS/ApiGateway", "5XXError")]
    assert api.inputs["dimensions"] == {"ApiName": "api", "Stage": "v1"}


def test_every_alarm_notifies_the_topic(stack_mocks):
    build_monitoring(**EVERYTHING)
    topic_arn = stack_mocks.one("aws:sns/topic:Topic").state["arn"]
    alarms = stack_mocks.of_type(ALARM)
    assert alarms
    assert all(a.inputs["alarmActions"] == [topic_arn] and a.inputs["okActions"] == [topic_arn] for a in alarms)


def test_dashboard_has_a_widget_per_component_and_the_alarm_list(stack_mocks):
    built = build_monitoring(**EVERYTHING)
    dashboard = stack_mocks.one("aws:cloudwatch/dashboard:Dashboard")
    widgets = json.loads(dashboard.inputs["dashboardBody"])["widgets"]
    titles = [w["properties"]["title"] for w in widgets if w["type"] == "metric"]
    assert titles == ["ecs load balancer", "ecs service", "database", "cache", "dead-letter queues", "functions",
                      "api"]
    (alarm_widget,) = [w for w in widgets if w["type"] == "alarm"]
    assert len(alarm_widget["properties"]["alarms"]) == len(stack_mocks.of_type(ALARM))
    (api_widget,) = [w for w in widgets if w["properties"]["title"] == "api"]
    assert api_widget["properties"]["metrics"] == [["AWS/ApiGateway", "5XXError", "ApiName", "api", "Stage", "v1",
                                                    {"stat": "Sum"}]]
    assert set(built.outputs) == {"alarm_topic_arn", "dashboard_name"}


def test_half_given_identifiers_are_refused():
    with pytest.raises(ValueError, match="ecs_cluster_name"):
        MonitoringArgs(Naming("tap", "test"), "us-east-1", KEY_ARN, "", ecs_cluster_name="cluster")
    with pytest.raises(ValueError, match="api_name"):
        MonitoringArgs(Naming("tap", "test"), "us-east-1", KEY_ARN, "", api_name="api")


def test_log_bucket_is_private_versioned_expiring_and_sse_s3(stack_mocks):
    build_bucket()
    block = stack_mocks.one("aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock")
    assert all(block.inputs[flag] is True for flag in ("blockPublicAcls", "blockPublicPolicy", "ignorePublicAcls",
                                                       "restrictPublicBuckets"))
    versioning = stack_mocks.one("aws:s3/bucketVersioning:BucketVersioning")
    assert versioning.inputs["versioningConfiguration"]["status"] == "Enabled"
    sse = stack_mocks.one("aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration")
    # ALB access logs can only be delivered to SSE-S3 buckets.
    assert sse.inputs["rules"][0]["applyServerSideEncryptionByDefault"] == {"sseAlgorithm": "AES256"}
    (rule,) = stack_mocks.one("aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration").inputs["rules"]
    assert rule["status"] == "Enabled" and rule["expiration"] == {"days": 90}
    ownership = stack_mocks.one("aws:s3/bucketOwnershipControls:BucketOwnershipControls")
    assert ownership.inputs["rule"]["objectOwnership"] == "BucketOwnerEnforced"


@pytest.mark.parametrize(("region", "principal"), [
    ("us-east-1", {"AWS": "arn:aws:iam::127311923021:root"}),
    ("ap-southeast-4", {"Service": ELB_LOG_SERVICE}),
])
def test_log_bucket_policy_is_tls_only_and_lets_elb_write_this_accounts_logs(stack_mocks, region, principal):
    build_bucket(region=region)
    statements = {s["Sid"]: s for s in policy(stack_mocks.one("aws:s3/bucketPolicy:BucketPolicy"))["Statement"]}
    deny = statements["DenyInsecureTransport"]
    assert deny["Effect"] == "Deny" and deny["Condition"] == {"Bool": {"aws:SecureTransport": "false"}}
    delivery = statements["ElbLogDelivery"]
    assert delivery["Principal"] == principal
    assert delivery["Action"] == "s3:PutObject"
    assert delivery["Resource"].endswith("/*/AWSLogs/123456789012/*")


@pytest.mark.parametrize(("production", "force_destroy"), [(False, True), (True, False)])
def test_log_bucket_force_destroy_only_outside_production(stack_mocks, production, force_destroy):
    built = build_bucket(production=production)
    bucket = stack_mocks.one("aws:s3/bucket:Bucket")
    assert bucket.inputs["forceDestroy"] is force_destroy
    assert set(built.outputs) == {"access_log_bucket_name"}


def test_bucket_name_is_given_out_only_after_the_delivery_policy_exists(stack_mocks):
    def program() -> None:
        bucket = AccessLogBucket("access-logs", AccessLogBucketArgs(Naming("tap", "test"), False, "us-east-1", 90))
        # Stands in for a load balancer: any consumer of bucket_name must wait for the bucket policy.
        aws.sns.Topic("consumer", display_name=bucket.bucket_name)

    deploy(program)
    bucket = stack_mocks.one("aws:s3/bucket:Bucket")
    bucket_policy = stack_mocks.one("aws:s3/bucketPolicy:BucketPolicy")
    (consumer,) = [t for t in stack_mocks.of_type("aws:sns/topic:Topic") if t.name == "consumer"]
    assert consumer.inputs["displayName"] == bucket.state["bucket"]
    assert stack_mocks.resources.index(bucket_policy) < stack_mocks.resources.index(consumer)
