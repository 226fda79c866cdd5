"""The stack: one AWS provider carrying the cost-allocation tags, and every selected component under it.

Components are built in dependency order; security groups are opened here, where both sides are known, with
`allow_from` on the component being reached.
"""

import pulumi
import pulumi_aws as aws

{% set lb = cookiecutter.ecs or cookiecutter.asg -%}
{% set in_vpc_lambda = cookiecutter.lambda_api and cookiecutter.network -%}
{% set uses_key = cookiecutter.network or cookiecutter.storage or cookiecutter.database != "none" or cookiecutter.cache
   or cookiecutter.dynamodb or cookiecutter.queue or lb or cookiecutter.lambda_api or cookiecutter.rest_api
   or cookiecutter.monitoring -%}
{% if cookiecutter.asg -%}
from lib.components.asg import AutoScaling, AutoScalingArgs
{% endif -%}
{% if cookiecutter.cache -%}
from lib.components.cache import Cache, CacheArgs
{% endif -%}
{% if cookiecutter.database != "none" -%}
from lib.components.database import Database, DatabaseArgs
{% endif -%}
{% if cookiecutter.dynamodb -%}
from lib.components.dynamodb import Table, TableArgs
{% endif -%}
{% if cookiecutter.ecs -%}
{% set wired = cookiecutter.database != "none" or cookiecutter.cache or cookiecutter.queue -%}
from lib.components.ecs import {% if cookiecutter.queue %}QueueAccess, {% endif %}{% if cookiecutter.database != "none" or cookiecutter.cache %}SecretValue, {% endif %}Service, ServiceArgs{% if wired %}, Wiring{% endif %}
{% endif -%}
{% if cookiecutter.lambda_api -%}
from lib.components.lambda_api import WebhookFunction, WebhookFunctionArgs
{% endif -%}
{% if lb -%}
from lib.components.load_balancer import Https
{% endif -%}
{% if cookiecutter.migrations -%}
from lib.components.migrations import Migrations, MigrationsArgs
{% endif -%}
{% if cookiecutter.monitoring -%}
{% if lb -%}
from lib.components.monitoring import (
    AccessLogBucket,
    AccessLogBucketArgs,
    LoadBalancerMetrics,
    Monitoring,
    MonitoringArgs,
)
{% else -%}
from lib.components.monitoring import Monitoring, MonitoringArgs
{% endif -%}
{% endif -%}
{% if cookiecutter.network -%}
from lib.components.network import Network, NetworkArgs
{% endif -%}
{% if cookiecutter.queue -%}
from lib.components.queue import Queue, QueueArgs
{% endif -%}
{% if cookiecutter.rest_api -%}
from lib.components.rest_api import TransactionsApi, TransactionsApiArgs
{% endif -%}
from lib.components.security import Security, SecurityArgs
{% if cookiecutter.storage -%}
from lib.components.storage import Storage, StorageArgs
{% endif -%}
from lib.naming import STACK_TYPE
from lib.settings import Settings
from lib.tags import cost_allocation_tags
{%- if cookiecutter.network %}

# AWS APIs that private workloads call. Without NAT they are reached through interface endpoints (S3 and DynamoDB
# always through free gateway endpoints; ECR keeps image layers in S3).
PRIVATE_API_ENDPOINTS: tuple[str, ...] = (
{%- if cookiecutter.ecs %}
    "ecr.api",  # registry authorization and the pull-through cache
    "ecr.dkr",  # image manifests (layers come from S3)
    "logs",  # the awslogs driver
{%- endif %}
{%- if cookiecutter.asg %}
    "ssm",
    "ssmmessages",
    "ec2messages",
{%- endif %}
{%- if in_vpc_lambda or cookiecutter.ecs %}
    "secretsmanager",  # secrets injected into containers, read by functions
{%- endif %}
{%- if cookiecutter.ecs and cookiecutter.queue %}
    "sqs",
{%- endif %}
{%- if in_vpc_lambda or cookiecutter.migrations %}
    "xray",  # trace segments of functions with active tracing
{%- endif %}
)
{%- endif %}


class TapStack(pulumi.ComponentResource):
    """Everything this project deploys into one stack; `outputs` lists what the program exports."""

    def __init__(self, name: str, settings: Settings, opts: pulumi.ResourceOptions | None = None) -> None:
{%- if lb %}
        # First, before anything is registered: a production stack refuses a public load balancer without HTTPS.
        https = Https.from_settings(settings)
{%- endif %}
        # Stacks deployed when logical names carried the prefix and suffix keep every resource (lib/naming.py).
        renamed = pulumi.ResourceOptions(transformations=[settings.naming.former_names])
        super().__init__(STACK_TYPE, name, None, pulumi.ResourceOptions.merge(opts, renamed))
        # An explicit provider: every resource gets the region and the cost-allocation tags from one place.
        self.provider = aws.Provider(
            settings.naming.name("aws"),
            region=settings.region,
            default_tags=aws.ProviderDefaultTagsArgs(tags=cost_allocation_tags(settings)),
            opts=pulumi.ResourceOptions(parent=self),
        )
        child = pulumi.ResourceOptions(parent=self, provider=self.provider)

        self.security = Security(
            "security",
            SecurityArgs(
                naming=settings.naming,
                region=settings.region,
                production=settings.production,
                alarms_publish={{ cookiecutter.monitoring }},
            ),
            opts=child,
        )
{%- if uses_key %}
        key = self.security.key.arn
{%- endif %}
        self.outputs: dict[str, pulumi.Input[object]] = {
            "region": settings.region,
            "environment_suffix": settings.naming.suffix,
            **self.security.outputs,
        }
{%- if cookiecutter.network %}

        self.network = Network(
            "network", NetworkArgs.from_settings(settings, key, interface_endpoints=PRIVATE_API_ENDPOINTS), opts=child
        )
        self.outputs.update(self.network.outputs)
{%- if cookiecutter.database != "none" or cookiecutter.cache or lb or in_vpc_lambda %}
        vpc_id = self.network.vpc.id
        private_subnet_ids = [subnet.id for subnet in self.network.private_subnets]
{%- endif %}
{%- if lb %}
        public_subnet_ids = [subnet.id for subnet in self.network.public_subnets]
{%- endif %}
{%- endif %}
{%- if cookiecutter.storage %}

        self.storage = Storage(
            "storage",
            StorageArgs(naming=settings.naming, production=settings.production, kms_key_arn=key),
            opts=child,
        )
        self.outputs.update(self.storage.outputs)
{%- endif %}
{%- if cookiecutter.database != "none" %}

        self.database = Database(
            "database",
            DatabaseArgs.from_settings(
                settings,
                engine="{{ cookiecutter.database }}",
                capacity="{{ cookiecutter.database_capacity }}",
                vpc_id=vpc_id,
                private_subnet_ids=private_subnet_ids,
                kms_key_arn=key,
            ),
            opts=child,
        )
        self.outputs.update(self.database.outputs)
{%- endif %}
{%- if cookiecutter.migrations %}

        self.migrations = Migrations(
            "migrations",
            MigrationsArgs.for_database(
                settings, self.database, vpc_id=vpc_id, private_subnet_ids=private_subnet_ids, kms_key_arn=key
            ),
            opts=child,
        )
        self.database.allow_from("migrations", self.migrations.security_group_id)
        self.outputs.update(self.migrations.outputs)
{%- endif %}
{%- if cookiecutter.cache %}

        self.cache = Cache(
            "cache",
            CacheArgs.from_settings(settings, vpc_id=vpc_id, private_subnet_ids=private_subnet_ids, kms_key_arn=key),
            opts=child,
        )
        self.outputs.update(self.cache.outputs)
{%- endif %}
{%- if cookiecutter.dynamodb %}

        self.table = Table(
            "table",
{%- if cookiecutter.lambda_api or cookiecutter.rest_api %}
            # The functions' handlers key items by a string `id`.
            TableArgs(
                naming=settings.naming, production=settings.production, kms_key_arn=key, hash_key="id", range_key=None
            ),
{%- else %}
            TableArgs(naming=settings.naming, production=settings.production, kms_key_arn=key),
{%- endif %}
            opts=child,
        )
        self.outputs.update(self.table.outputs)
{%- endif %}
{%- if cookiecutter.queue %}

        self.queue = Queue("queue", QueueArgs(naming=settings.naming, kms_key_arn=key), opts=child)
        self.outputs.update(self.queue.outputs)
{%- endif %}
{%- if cookiecutter.monitoring and lb %}

        # Load balancers write access logs here; it exists before them.
        self.access_logs = AccessLogBucket("access-logs", AccessLogBucketArgs.from_settings(settings), opts=child)
        self.outputs.update(self.access_logs.outputs)
{%- endif %}
{%- if cookiecutter.ecs and (cookiecutter.database != "none" or cookiecutter.cache or cookiecutter.queue) %}

        # The application's settings: endpoints as plain variables, credentials from Secrets Manager (injected by ECS).
        wiring = Wiring(
            environment={
{%- if cookiecutter.database != "none" %}
                "DATABASE_HOST": self.database.endpoint,
                "DATABASE_PORT": str(self.database.port),
                "DATABASE_NAME": self.database.database_name,
{%- endif %}
{%- if cookiecutter.cache %}
                "CACHE_HOST": self.cache.replication_group.primary_endpoint_address,
                "CACHE_PORT": self.cache.replication_group.port.apply(str),
{%- endif %}
{%- if cookiecutter.queue %}
                "QUEUE_URL": self.queue.queue.url,
{%- endif %}
            },
{%- if cookiecutter.database != "none" or cookiecutter.cache %}
            secrets={
{%- if cookiecutter.database != "none" %}
                "DATABASE_USERNAME": SecretValue(self.database.secret.arn, "username"),
                "DATABASE_PASSWORD": SecretValue(self.database.secret.arn, "password"),
{%- endif %}
{%- if cookiecutter.cache %}
                "CACHE_AUTH_TOKEN": SecretValue(self.cache.secret.arn, "auth_token"),
{%- endif %}
            },
{%- endif %}
{%- if cookiecutter.queue %}
            queues=[
                QueueAccess(url=self.queue.queue.url, arn=self.queue.queue.arn, kms_key_arn=self.queue.kms_key_arn)
            ],
{%- endif %}
        )
{%- endif %}
{%- for component, cls in [("ecs", "Service"), ("asg", "AutoScaling")] %}
{%- if cookiecutter[component] %}

        self.{{ component }} = {{ cls }}(
            "{{ component }}",
            {{ cls }}Args.from_settings(
                settings,
                vpc_id=vpc_id,
                public_subnet_ids=public_subnet_ids,
                private_subnet_ids=private_subnet_ids,
                kms_key_arn=key,
                https=https,
{%- if component == "ecs" and (cookiecutter.database != "none" or cookiecutter.cache or cookiecutter.queue) %}
                wiring=wiring,
{%- endif %}
{%- if cookiecutter.monitoring %}
                access_log_bucket=self.access_logs.bucket_name,
{%- endif %}
            ),
            opts=child,
        )
{%- if cookiecutter.database != "none" %}
        self.database.allow_from("{{ component }}", self.{{ component }}.security_group_id)
{%- endif %}
{%- if cookiecutter.cache %}
        self.cache.allow_from("{{ component }}", self.{{ component }}.security_group_id)
{%- endif %}
        self.outputs.update(self.{{ component }}.outputs)
{%- endif %}
{%- endfor %}
{%- if cookiecutter.lambda_api %}

        self.webhook = WebhookFunction(
            "webhook",
            WebhookFunctionArgs.from_settings(
                settings,
                key,
{%- if cookiecutter.dynamodb %}
                table_arn=self.table.table.arn,
                table_name=self.table.table.name,
{%- endif %}
{%- if cookiecutter.network %}
                vpc_id=vpc_id,
                private_subnet_ids=private_subnet_ids,
{%- endif %}
            ),
            opts=child,
        )
        self.outputs.update(self.webhook.outputs)
{%- endif %}
{%- if cookiecutter.rest_api %}

        self.api = TransactionsApi(
            "api",
            TransactionsApiArgs(
                naming=settings.naming,
                production=settings.production,
                region=settings.region,
                kms_key_arn=key,
                log_retention_days=settings.log_retention_days,
{%- if cookiecutter.dynamodb %}
                table_arn=self.table.table.arn,
                table_name=self.table.table.name,
{%- endif %}
                manage_account_role=settings.config.require_bool("apiGatewayAccountRole"),
            ),
            opts=child,
        )
        self.outputs.update(self.api.outputs)
{%- endif %}
{%- if cookiecutter.monitoring %}

        self.monitoring = Monitoring(
            "monitoring",
            MonitoringArgs.from_settings(
                settings,
                key,
{%- if lb %}
                load_balancers=[
{%- for component in ["ecs", "asg"] if cookiecutter[component] %}
                    LoadBalancerMetrics(
                        "{{ component }}",
                        self.{{ component }}.load_balancer.arn_suffix,
                        self.{{ component }}.load_balancer.target_group_arn_suffix,
                    ),
{%- endfor %}
                ],
{%- endif %}
{%- if cookiecutter.ecs %}
                ecs_cluster_name=self.ecs.cluster.name,
                ecs_service_name=self.ecs.service.name,
{%- endif %}
{%- if cookiecutter.database.startswith("aurora") %}
                db_cluster_identifier=self.database.identifier,
{%- endif %}
{%- if cookiecutter.cache %}
                cache_replication_group_id=self.cache.replication_group.id,
                cache_node_count=self.cache.node_count,
{%- endif %}
{%- if cookiecutter.queue %}
                dead_letter_queue_names=[self.queue.dead_letter_queue.name],
{%- endif %}
{%- set functions = [] -%}
{%- if cookiecutter.migrations %}{% set _ = functions.append("self.migrations.function.name") %}{% endif -%}
{%- if cookiecutter.lambda_api %}{% set _ = functions.append("self.webhook.function.name") %}{% endif -%}
{%- if cookiecutter.rest_api %}{% set _ = functions.append("*(function.name for function in self.api.functions.values())") %}{% endif -%}
{%- if functions %}
                lambda_function_names=[
{%- for function in functions %}
                    {{ function }},
{%- endfor %}
                ],
{%- endif %}
{%- if cookiecutter.rest_api %}
                api_name=self.api.rest_api.name,
                api_stage_name=self.api.stage.stage_name,
{%- endif %}
            ),
            opts=child,
        )
        self.outputs.update(self.monitoring.outputs)
{%- endif %}

        self.register_outputs(self.outputs)
