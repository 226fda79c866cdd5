"""Monitoring: alarms on every component present, sent to one encrypted topic, a dashboard, and an access-log bucket.

Two components, because of ordering: `AccessLogBucket` exists before the load balancers (they log into it), while
`Monitoring` is built last, from the identifiers of whatever the stack contains.
"""

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import pulumi
import pulumi_aws as aws

from lib.components.bucket import block_public_access, deny_insecure_transport
from lib.naming import S3_BUCKET, Naming
from lib.settings import Settings

# Elastic Load Balancing's log-delivery account in Regions opened before August 2022; newer Regions use the
# logdelivery.elasticloadbalancing.amazonaws.com service principal instead (ELB user guide, "Enable access logs").
ELB_LOG_ACCOUNTS = {
    "us-east-1": "127311923021",
    "us-east-2": "033677994240",
    "us-west-1": "027434742980",
    "us-west-2": "797873946194",
    "af-south-1": "098369216593",
    "ap-east-1": "754344448648",
    "ap-southeast-3": "589379963580",
    "ap-south-1": "718504428378",
    "ap-northeast-3": "383597477331",
    "ap-northeast-2": "600734575887",
    "ap-southeast-1": "114774131450",
    "ap-southeast-2": "783225319266",
    "ap-northeast-1": "582318560864",
    "ca-central-1": "985666609251",
    "eu-central-1": "054676820928",
    "eu-west-1": "156460612806",
    "eu-west-2": "652711504416",
    "eu-south-1": "635631232127",
    "eu-west-3": "009996457667",
    "eu-north-1": "897822967062",
    "me-south-1": "076674570225",
    "sa-east-1": "507241528517",
}
ELB_LOG_SERVICE = "logdelivery.elasticloadbalancing.amazonaws.com"
PERIOD = 300


# ----- access-log bucket ----------------------------------------------------------------------------------------
@dataclass(frozen=True)
class AccessLogBucketArgs:
    """Inputs of the access-log bucket."""

    naming: Naming
    production: bool
    region: str
    expiry_days: int

    @classmethod
    def from_settings(cls, settings: Settings) -> "AccessLogBucketArgs":
        """Access logs are kept as long as the stack's other logs."""
        return cls(
            naming=settings.naming,
            production=settings.production,
            region=settings.region,
            expiry_days=settings.log_retention_days,
        )


class AccessLogBucket(pulumi.ComponentResource):
    """A private, versioned, expiring, TLS-only bucket that Elastic Load Balancing may write access logs into.

    ALB access logs support only SSE-S3 (not KMS), so this bucket uses S3-managed keys.
    """

    def __init__(self, name: str, args: AccessLogBucketArgs, opts: pulumi.ResourceOptions | None = None) -> None:
        super().__init__("tap:monitoring:AccessLogBucket", name, None, opts)
        child = pulumi.ResourceOptions(parent=self)
        naming = args.naming

        self.bucket = aws.s3.Bucket(
            naming.name("access-logs", limit=S3_BUCKET),
            # Non-production log buckets may be emptied on destroy so ephemeral stacks tear down cleanly.
            force_destroy=not args.production,
            opts=child,
        )
        # ACLs off: the bucket owner owns every log object, ELB writes through the bucket policy alone.
        _, public_access_block = block_public_access(naming, "access-logs", self.bucket, self)
        aws.s3.BucketVersioning(
            naming.name("access-logs-versioning"),
            bucket=self.bucket.id,
            versioning_configuration=aws.s3.BucketVersioningVersioningConfigurationArgs(status="Enabled"),
            opts=child,
        )
        aws.s3.BucketServerSideEncryptionConfiguration(
            naming.name("access-logs-encryption"),
            bucket=self.bucket.id,
            rules=[
                aws.s3.BucketServerSideEncryptionConfigurationRuleArgs(
                    apply_server_side_encryption_by_default=(
                        aws.s3.BucketServerSideEncryptionConfigurationRuleApplyServerSideEncryptionByDefaultArgs(
                            sse_algorithm="AES256"
                        )
                    ),
                )
            ],
            opts=child,
        )
        aws.s3.BucketLifecycleConfiguration(
            naming.name("access-logs-lifecycle"),
            bucket=self.bucket.id,
            rules=[
                aws.s3.BucketLifecycleConfigurationRuleArgs(
                    id="expire-access-logs",
                    status="Enabled",
                    filter=aws.s3.BucketLifecycleConfigurationRuleFilterArgs(prefix=""),
                    expiration=aws.s3.BucketLifecycleConfigurationRuleExpirationArgs(days=args.expiry_days),
                    noncurrent_version_expiration=(
                        aws.s3.BucketLifecycleConfigurationRuleNoncurrentVersionExpirationArgs(noncurrent_days=7)
                    ),
                    abort_incomplete_multipart_upload=(
                        aws.s3.BucketLifecycleConfigurationRuleAbortIncompleteMultipartUploadArgs(
                            days_after_initiation=1
                        )
                    ),
                )
            ],
            opts=child,
        )
        account_id = aws.get_caller_identity_output(opts=pulumi.InvokeOutputOptions(parent=self)).account_id
        self.policy = aws.s3.BucketPolicy(
            naming.name("access-logs-policy"),
            bucket=self.bucket.id,
            policy=pulumi.Output.json_dumps(
                {
                    "Version": "2012-10-17",
                    "Statement": [
                        deny_insecure_transport(self.bucket),
                        {
                            # Load balancers of this account only, into AWSLogs/<this account>/ only.
                            "Sid": "ElbLogDelivery",
                            "Effect": "Allow",
                            "Principal": _elb_log_principal(args.region),
                            "Action": "s3:PutObject",
                            "Resource": pulumi.Output.concat(self.bucket.arn, "/*/AWSLogs/", account_id, "/*"),
                        },
                    ],
                }
            ),
            # S3 rejects a bucket policy while the public access block is still being applied.
            opts=pulumi.ResourceOptions(parent=self, depends_on=[public_access_block]),
        )
        # The name resolves only once the policy is in place: a load balancer given it cannot enable logging early
        # (ELB checks write access when logging is turned on).
        self.bucket_name: pulumi.Output[str] = pulumi.Output.all(self.bucket.bucket, self.policy.id).apply(
            lambda values: values[0]
        )
        self.outputs = {"access_log_bucket_name": self.bucket_name}
        self.register_outputs(self.outputs)


def _elb_log_principal(region: str) -> dict[str, str]:
    account = ELB_LOG_ACCOUNTS.get(region)
    if account:
        return {"AWS": f"arn:aws:iam::{account}:root"}
    return {"Service": ELB_LOG_SERVICE}


# ----- alarms and dashboard -------------------------------------------------------------------------------------
@dataclass(frozen=True)
class LoadBalancerMetrics:
    """CloudWatch identifiers of one load balancer: `LoadBalancer.arn_suffix` and `.target_group_arn_suffix`."""

    role: str
    load_balancer_arn_suffix: pulumi.Input[str]
    target_group_arn_suffix: pulumi.Input[str]


@dataclass(frozen=True)
class MonitoringArgs:
    """Inputs of monitoring: identifiers of the components present; an absent one gets no alarms or widget.

    ElastiCache publishes per member cluster: alarms cover `<replication group id>-001` .. `-<cache_node_count>`
    (cluster mode disabled).
    """

    naming: Naming
    region: str
    kms_key_arn: pulumi.Input[str]
    alarm_email: str
    load_balancers: Sequence[LoadBalancerMetrics] = ()
    ecs_cluster_name: pulumi.Input[str] | None = None
    ecs_service_name: pulumi.Input[str] | None = None
    db_cluster_identifier: pulumi.Input[str] | None = None
    cache_replication_group_id: pulumi.Input[str] | None = None
    cache_node_count: int = 1
    dead_letter_queue_names: Sequence[pulumi.Input[str]] = ()
    lambda_function_names: Sequence[pulumi.Input[str]] = ()
    api_name: pulumi.Input[str] | None = None
    api_stage_name: pulumi.Input[str] | None = None
    thresholds: dict[str, float] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if (self.ecs_cluster_name is None) != (self.ecs_service_name is None):
            raise ValueError("ecs_cluster_name and ecs_service_name go together (ECS metrics need both)")
        if (self.api_name is None) != (self.api_stage_name is None):
            raise ValueError("api_name and api_stage_name go together (API Gateway metrics need both)")

    @classmethod
    def from_settings(cls, settings: Settings, kms_key_arn: pulumi.Input[str], **identifiers: Any) -> "MonitoringArgs":
        """Monitoring inputs from the stack's configuration plus the identifiers of the components present."""
        return cls(
            naming=settings.naming,
            region=settings.region,
            kms_key_arn=kms_key_arn,
            alarm_email=settings.config.require("alarmEmail"),
            **identifiers,
        )


@dataclass(frozen=True)
class _Metric:
    """One alarmed metric: what to watch and when it is bad."""

    role: str
    namespace: str
    metric: str
    dimensions: dict[str, pulumi.Input[str]]
    statistic: str
    comparison: str
    threshold: float
    description: str
    missing: str = "notBreaching"
    evaluation_periods: int = 1


class Monitoring(pulumi.ComponentResource):
    """A KMS-encrypted alarm topic (optional email), alarms per component present, and a dashboard of them."""

    def __init__(self, name: str, args: MonitoringArgs, opts: pulumi.ResourceOptions | None = None) -> None:
        super().__init__("tap:monitoring:Monitoring", name, None, opts)
        self._args = args
        self._child = pulumi.ResourceOptions(parent=self)
        naming = args.naming

        self.topic = aws.sns.Topic(naming.name("alarms"), kms_master_key_id=args.kms_key_arn, opts=self._child)
        if args.alarm_email:
            aws.sns.TopicSubscription(
                naming.name("alarms-email"),
                topic=self.topic.arn,
                protocol="email",
                endpoint=args.alarm_email,
                opts=self._child,
            )

        self.metric_groups = self._metric_groups()
        self.alarms = [self._alarm(metric) for metrics in self.metric_groups.values() for metric in metrics]
        self.dashboard = aws.cloudwatch.Dashboard(
            naming.name("dashboard"),
            # CloudWatch requires a dashboard name; it is per stack.
            dashboard_name=naming.name("dashboard", auto_named=False),
            dashboard_body=pulumi.Output.json_dumps({"widgets": self._widgets()}),
            opts=self._child,
        )
        self.outputs = {"alarm_topic_arn": self.topic.arn, "dashboard_name": self.dashboard.dashboard_name}
        self.register_outputs(self.outputs)

    def _threshold(self, key: str, default: float) -> float:
        return self._args.thresholds.get(key, default)

    def _metric_groups(self) -> dict[str, list[_Metric]]:
        """The alarmed metrics, grouped by the component (and dashboard widget) they belong to."""
        args = self._args
        groups: dict[str, list[_Metric]] = {}
        for lb in args.load_balancers:
            alb = {"LoadBalancer": lb.load_balancer_arn_suffix}
            target = {"LoadBalancer": lb.load_balancer_arn_suffix, "TargetGroup": lb.target_group_arn_suffix}
            groups[f"{lb.role} load balancer"] = [
                _Metric(f"{lb.role}-alb-5xx", "AWS/ApplicationELB", "HTTPCode_ELB_5XX_Count", alb, "Sum",
                        "GreaterThanOrEqualToThreshold", self._threshold("alb5xx", 10),
                        f"{lb.role} load balancer answered 5xx itself (no healthy target or errors)"),
                _Metric(f"{lb.role}-target-5xx", "AWS/ApplicationELB", "HTTPCode_Target_5XX_Count", target, "Sum",
                        "GreaterThanOrEqualToThreshold", self._threshold("target5xx", 10),
                        f"{lb.role} targets returned 5xx"),
                _Metric(f"{lb.role}-latency", "AWS/ApplicationELB", "TargetResponseTime", target, "Average",
                        "GreaterThanThreshold", self._threshold("latencySeconds", 1.0),
                        f"{lb.role} targets respond slower than expected", evaluation_periods=3),
            ]
        if args.ecs_cluster_name is not None and args.ecs_service_name is not None:
            ecs = {"ClusterName": args.ecs_cluster_name, "ServiceName": args.ecs_service_name}
            groups["ecs service"] = [
                _Metric("ecs-cpu", "AWS/ECS", "CPUUtilization", ecs, "Average", "GreaterThanThreshold",
                        self._threshold("cpuPercent", 80), "ECS service CPU is high", evaluation_periods=3),
                _Metric("ecs-memory", "AWS/ECS", "MemoryUtilization", ecs, "Average", "GreaterThanThreshold",
                        self._threshold("memoryPercent", 80), "ECS service memory is high", evaluation_periods=3),
            ]
        if args.db_cluster_identifier is not None:
            db = {"DBClusterIdentifier": args.db_cluster_identifier}
            groups["database"] = [
                _Metric("db-cpu", "AWS/RDS", "CPUUtilization", db, "Average", "GreaterThanThreshold",
                        self._threshold("cpuPercent", 80), "Database CPU is high", evaluation_periods=3),
                _Metric("db-memory", "AWS/RDS", "FreeableMemory", db, "Average", "LessThanThreshold",
                        self._threshold("dbFreeableMemoryBytes", 256 * 1024 * 1024), "Database memory is low",
                        evaluation_periods=3),
            ]
        if args.cache_replication_group_id is not None:
            cache_metrics = groups.setdefault("cache", [])
            for index in range(1, args.cache_node_count + 1):
                cache = {"CacheClusterId": pulumi.Output.format("{0}-{1:03d}", args.cache_replication_group_id,
                                                                index)}
                cache_metrics += [
                    _Metric(f"cache{index}-cpu", "AWS/ElastiCache", "EngineCPUUtilization", cache, "Average",
                            "GreaterThanThreshold", self._threshold("cpuPercent", 80), "Cache engine CPU is high",
                            evaluation_periods=3),
                    _Metric(f"cache{index}-evictions", "AWS/ElastiCache", "Evictions", cache, "Sum",
                            "GreaterThanThreshold", self._threshold("cacheEvictions", 100),
                            "Cache is evicting keys: it is too small for its data"),
                ]
        for index, queue in enumerate(args.dead_letter_queue_names):
            groups.setdefault("dead-letter queues", []).append(
                _Metric(f"dlq{index}", "AWS/SQS", "ApproximateNumberOfMessagesVisible", {"QueueName": queue},
                        "Maximum", "GreaterThanThreshold", 0, "Messages are waiting in a dead-letter queue")
            )
        for index, function in enumerate(args.lambda_function_names):
            dims = {"FunctionName": function}
            groups.setdefault("functions", []).extend([
                _Metric(f"fn{index}-errors", "AWS/Lambda", "Errors", dims, "Sum", "GreaterThanThreshold", 0,
                        "Lambda function invocations failed"),
                _Metric(f"fn{index}-throttles", "AWS/Lambda", "Throttles", dims, "Sum", "GreaterThanThreshold", 0,
                        "Lambda function invocations were throttled"),
            ])
        if args.api_name is not None and args.api_stage_name is not None:
            groups["api"] = [
                _Metric("api-5xx", "AWS/ApiGateway", "5XXError", {"ApiName": args.api_name,
                                                                   "Stage": args.api_stage_name},
                        "Sum", "GreaterThanOrEqualToThreshold", self._threshold("api5xx", 5),
                        "API Gateway returned 5xx")
            ]
        return groups

    def _alarm(self, metric: _Metric) -> aws.cloudwatch.MetricAlarm:
        return aws.cloudwatch.MetricAlarm(
            self._args.naming.name(f"alarm-{metric.role}"),
            alarm_description=metric.description,
            namespace=metric.namespace,
            metric_name=metric.metric,
            dimensions=metric.dimensions,
            statistic=metric.statistic,
            comparison_operator=metric.comparison,
            threshold=metric.threshold,
            period=PERIOD,
            evaluation_periods=metric.evaluation_periods,
            treat_missing_data=metric.missing,
            alarm_actions=[self.topic.arn],
            ok_actions=[self.topic.arn],
            opts=self._child,
        )

    def _widgets(self) -> list[dict[str, Any]]:
        """One metric widget per component present, then the alarm status of them all."""
        groups = self.metric_groups
        widgets: list[dict[str, Any]] = []
        for index, (component, metrics) in enumerate(groups.items()):
            widgets.append(
                {
                    "type": "metric",
                    "x": (index % 2) * 12,
                    "y": (index // 2) * 6,
                    "width": 12,
                    "height": 6,
                    "properties": {
                        "title": component,
                        "region": self._args.region,
                        "period": PERIOD,
                        "metrics": [
                            [metric.namespace, metric.metric, *_flatten(metric.dimensions),
                             {"stat": metric.statistic}]
                            for metric in metrics
                        ],
                    },
                }
            )
        if self.alarms:
            widgets.append(
                {
                    "type": "alarm",
                    "x": 0,
                    "y": ((len(groups) + 1) // 2) * 6,
                    "width": 24,
                    "height": 4,
                    "properties": {"title": "Alarms", "alarms": [alarm.arn for alarm in self.alarms]},
                }
            )
        return widgets


def _flatten(dimensions: dict[str, pulumi.Input[str]]) -> list[pulumi.Input[str]]:
    """CloudWatch dashboard metrics list dimensions as name, value, name, value..."""
    return [item for pair in dimensions.items() for item in pair]
