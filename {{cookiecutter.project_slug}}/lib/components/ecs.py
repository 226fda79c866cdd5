"""ECS: the application as a Fargate service in private subnets, reachable only through its load balancer.

The container is wired to what the stack gives it (`Wiring`): endpoints as plain environment variables, credentials
injected by ECS from Secrets Manager, and exactly the permissions each needs. In private subnets without NAT the image
comes through an ECR pull-through cache of ECR Public, which the VPC reaches through its ECR endpoints.
"""

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import pulumi
import pulumi_aws as aws

from lib.components.iam import trust_policy
from lib.components.load_balancer import Https, LoadBalancer, LoadBalancerArgs
from lib.naming import IAM_ROLE, Naming
from lib.settings import Settings

CONTAINER_NAME = "app"
ECR_PUBLIC = "public.ecr.aws"
ECR_PREFIX = 30  # the longest repository prefix of a pull-through cache rule (characters)
# A private ECR image: <account>.dkr.ecr.<region>.<dns suffix>/<repository>[:tag|@digest]
# (https://docs.aws.amazon.com/AmazonECR/latest/userguide/Registries.html).
PRIVATE_ECR_IMAGE = re.compile(r"\d{12}\.dkr\.ecr(?:-fips)?\.(?P<region>[a-z0-9-]+)\.amazonaws\.com(?:\.cn)?/.+")
# What the application does with its queues, and what SQS then does with the queue's KMS key on its behalf
# (https://docs.aws.amazon.com/AWSSimpleQueueService/latest/SQSDeveloperGuide/sqs-key-management.html).
QUEUE_ACTIONS = [
    "sqs:SendMessage",
    "sqs:ReceiveMessage",
    "sqs:DeleteMessage",
    "sqs:ChangeMessageVisibility",
    "sqs:GetQueueAttributes",
    "sqs:GetQueueUrl",
]
QUEUE_KEY_ACTIONS = ["kms:GenerateDataKey", "kms:Decrypt"]


@dataclass(frozen=True)
class SecretValue:
    """One value of a Secrets Manager secret: the whole secret, or one key of its JSON (`json_key`)."""

    secret_arn: pulumi.Input[str]
    json_key: str = ""

    def value_from(self) -> pulumi.Output[str]:
        """The container definition's `valueFrom`: `<secret ARN>:<json key>::` for one key
        (https://docs.aws.amazon.com/AmazonECS/latest/developerguide/secrets-envvar-secrets-manager.html)."""
        if not self.json_key:
            return pulumi.Output.from_input(self.secret_arn)
        return pulumi.Output.concat(self.secret_arn, f":{self.json_key}::")


@dataclass(frozen=True)
class QueueAccess:
    """A queue the application sends to and receives from, and the KMS key it is encrypted with."""

    url: pulumi.Input[str]
    arn: pulumi.Input[str]
    kms_key_arn: pulumi.Input[str]


@dataclass(frozen=True)
class Wiring:
    """What the stack gives the application: `environment` (plain, non-secret values such as endpoints),
    `secrets` (environment variable -> Secrets Manager value, injected by ECS at start-up, never in the task
    definition) and `queues` (send/receive, and the queue key through SQS only)."""

    environment: Mapping[str, pulumi.Input[str]] = field(default_factory=dict)
    secrets: Mapping[str, SecretValue] = field(default_factory=dict)
    queues: Sequence[QueueAccess] = ()


UNWIRED = Wiring()


@dataclass(frozen=True)
class ServiceArgs:
    """Inputs of the ECS service; the image is per stack (config `containerImage`), never a placeholder.

    `internet_egress` says whether the private subnets route to the internet (NAT). Without it an image must be
    in this region's private ECR or on ECR Public (pulled through the cache); anything else raises ValueError.
    """

    naming: Naming
    production: bool
    region: str
    vpc_id: pulumi.Input[str]
    public_subnet_ids: Sequence[pulumi.Input[str]]
    private_subnet_ids: Sequence[pulumi.Input[str]]
    kms_key_arn: pulumi.Input[str]
    log_retention_days: int
    container_image: str
    https: Https
    desired_count: int
    internet_egress: bool
    container_port: int = 8080
    cpu: int = 256
    memory: int = 512
    health_check_path: str = "/"
    wiring: Wiring = UNWIRED
    access_log_bucket: pulumi.Input[str] | None = None

    def __post_init__(self) -> None:
        if not self.internet_egress and not _reachable_without_nat(self.container_image, self.region):
            raise ValueError(
                f"containerImage {self.container_image!r} is on a registry the private subnets cannot reach without "
                f"NAT: use an image in this region's private ECR ({self.region}) or on {ECR_PUBLIC} (pulled through "
                "an ECR pull-through cache), or turn natGateway on"
            )

    @property
    def pull_through_cache(self) -> bool:
        """True when the image comes from ECR Public through this stack's pull-through cache."""
        return not self.internet_egress and self.container_image.startswith(f"{ECR_PUBLIC}/")

    @classmethod
    def from_settings(
        cls,
        settings: Settings,
        *,
        vpc_id: pulumi.Input[str],
        public_subnet_ids: Sequence[pulumi.Input[str]],
        private_subnet_ids: Sequence[pulumi.Input[str]],
        kms_key_arn: pulumi.Input[str],
        https: Https,
        wiring: Wiring = UNWIRED,
        access_log_bucket: pulumi.Input[str] | None = None,
    ) -> "ServiceArgs":
        """Service inputs from the stack's configuration and the network it runs in."""
        return cls(
            naming=settings.naming,
            production=settings.production,
            region=settings.region,
            vpc_id=vpc_id,
            public_subnet_ids=public_subnet_ids,
            private_subnet_ids=private_subnet_ids,
            kms_key_arn=kms_key_arn,
            log_retention_days=settings.log_retention_days,
            container_image=settings.config.require("containerImage"),
            https=https,
            # Two tasks in production survive the loss of a zone or a task; one elsewhere keeps cost down.
            desired_count=2 if settings.production else 1,
            internet_egress=settings.config.require_bool("natGateway"),
            wiring=wiring,
            access_log_bucket=access_log_bucket,
        )


def _reachable_without_nat(image: str, region: str) -> bool:
    """True for images a VPC without NAT can pull: this region's private ECR (through the ecr.api, ecr.dkr and S3
    endpoints), or ECR Public through a pull-through cache rule (ECR endpoints do not serve ECR Public itself)."""
    private = PRIVATE_ECR_IMAGE.fullmatch(image)
    return (private is not None and private["region"] == region) or image.startswith(f"{ECR_PUBLIC}/")


class Service(pulumi.ComponentResource):
    """Fargate cluster, task definition with separate execution and task roles, and a rolling-back service."""

    image: pulumi.Output[str]
    """The image the tasks pull: the configured one, or its pull-through-cache address in this account's ECR."""

    def __init__(self, name: str, args: ServiceArgs, opts: pulumi.ResourceOptions | None = None) -> None:
        super().__init__("tap:ecs:Service", name, None, opts)
        self._args = args
        self._child = pulumi.ResourceOptions(parent=self)
        naming = args.naming

        self.load_balancer = LoadBalancer(
            "ecs-lb",
            LoadBalancerArgs(
                naming=naming,
                production=args.production,
                role="ecs",
                vpc_id=args.vpc_id,
                public_subnet_ids=args.public_subnet_ids,
                target_type="ip",
                target_port=args.container_port,
                health_check_path=args.health_check_path,
                https=args.https,
                access_log_bucket=args.access_log_bucket,
            ),
            opts=self._child,
        )

        self.security_group = self.load_balancer.target_security_group(
            "ecs",
            description="ECS tasks: the load balancer on the container port only",
            target="the container",
            # Tasks pull images and call AWS APIs (through NAT or endpoints).
            egress_description="Tasks to AWS APIs and image registries",
            parent=self,
        )
        self.security_group_id = self.security_group.id

        self.log_group = aws.cloudwatch.LogGroup(
            naming.name("ecs-logs"),
            retention_in_days=args.log_retention_days,
            kms_key_id=args.kms_key_arn,
            opts=self._child,
        )
        invoke = pulumi.InvokeOutputOptions(parent=self)
        self._partition = aws.get_partition_output(opts=invoke)
        self._account_id = aws.get_caller_identity_output(opts=invoke).account_id
        self.cache_rule = (
            aws.ecr.PullThroughCacheRule(
                naming.name("ecr-public-cache"),
                # Rules are per registry (account and region): the prefix is this stack's own.
                ecr_repository_prefix=naming.name("ecr-public", limit=ECR_PREFIX, auto_named=False),
                upstream_registry_url=ECR_PUBLIC,
                opts=self._child,
            )
            if args.pull_through_cache
            else None
        )
        self.image = self._image()
        # Role policies the first tasks already need (secrets, the image cache, queues): the service waits for them.
        self._grants: list[pulumi.Resource] = []
        self.execution_role = self._execution_role()
        self.task_role = self._task_role()

        self.cluster = aws.ecs.Cluster(
            naming.name("cluster"),
            settings=[aws.ecs.ClusterSettingArgs(name="containerInsights", value="enabled")],
            opts=self._child,
        )
        self.task_definition = aws.ecs.TaskDefinition(
            naming.name("task"),
            # ECS requires a family name; it is per stack, so two stacks never share revisions.
            family=naming.name("app", auto_named=False),
            network_mode="awsvpc",
            requires_compatibilities=["FARGATE"],
            cpu=str(args.cpu),
            memory=str(args.memory),
            execution_role_arn=self.execution_role.arn,
            task_role_arn=self.task_role.arn,
            runtime_platform=aws.ecs.TaskDefinitionRuntimePlatformArgs(
                operating_system_family="LINUX", cpu_architecture="X86_64"
            ),
            container_definitions=pulumi.Output.json_dumps(
                [
                    {
                        "name": CONTAINER_NAME,
                        "image": self.image,
                        "essential": True,
                        "portMappings": [{"containerPort": args.container_port, "protocol": "tcp"}],
                        "environment": [
                            {"name": name, "value": value} for name, value in sorted(args.wiring.environment.items())
                        ],
                        "secrets": [
                            {"name": name, "valueFrom": secret.value_from()}
                            for name, secret in sorted(args.wiring.secrets.items())
                        ],
                        "logConfiguration": {
                            "logDriver": "awslogs",
                            "options": {
                                "awslogs-group": self.log_group.name,
                                "awslogs-region": args.region,
                                "awslogs-stream-prefix": CONTAINER_NAME,
                            },
                        },
                    }
                ]
            ),
            opts=self._child,
        )
        self.service = aws.ecs.Service(
            naming.name("service"),
            cluster=self.cluster.arn,
            task_definition=self.task_definition.arn,
            launch_type="FARGATE",
            desired_count=args.desired_count,
            network_configuration=aws.ecs.ServiceNetworkConfigurationArgs(
                subnets=list(args.private_subnet_ids),
                security_groups=[self.security_group.id],
                assign_public_ip=False,
            ),
            load_balancers=[
                aws.ecs.ServiceLoadBalancerArgs(
                    target_group_arn=self.load_balancer.target_group_arn,
                    container_name=CONTAINER_NAME,
                    container_port=args.container_port,
                )
            ],
            health_check_grace_period_seconds=60,
            # A deployment whose tasks never get healthy stops and rolls back to the last working revision.
            deployment_circuit_breaker=aws.ecs.ServiceDeploymentCircuitBreakerArgs(enable=True, rollback=True),
            propagate_tags="SERVICE",
            enable_ecs_managed_tags=True,
            # ECS rejects a target group that no listener uses yet.
            opts=pulumi.ResourceOptions(parent=self, depends_on=[*self.load_balancer.listeners, *self._grants]),
        )

        self.outputs = {
            "ecs_cluster_name": self.cluster.name,
            "ecs_cluster_arn": self.cluster.arn,
            "ecs_service_name": self.service.name,
            "ecs_image": self.image,
            **self.load_balancer.outputs,
        }
        self.register_outputs(self.outputs)

    def _image(self) -> pulumi.Output[str]:
        # Without NAT, ECR Public is reached through a pull-through cache rule of this stack: ECR fetches the image
        # upstream and serves it from this account's registry, which the VPC's ECR endpoints reach
        # (https://docs.aws.amazon.com/AmazonECR/latest/userguide/pull-through-cache.html).
        args = self._args
        if self.cache_rule is None:
            return pulumi.Output.from_input(args.container_image)
        path = args.container_image.removeprefix(f"{ECR_PUBLIC}/")
        # The account's private registry: <account>.dkr.ecr.<region>.<partition DNS suffix>.
        return pulumi.Output.concat(
            self._account_id, f".dkr.ecr.{args.region}.", self._partition.dns_suffix, "/",
            self.cache_rule.ecr_repository_prefix, f"/{path}",
        )

    def _execution_role(self) -> aws.iam.Role:
        # Used by ECS itself to pull the image, write logs and inject secrets; the application never sees it.
        args = self._args
        role = aws.iam.Role(
            args.naming.name("ecs-exec", limit=IAM_ROLE),
            assume_role_policy=trust_policy("ecs-tasks.amazonaws.com"),
            opts=self._child,
        )
        partition = self._partition.partition
        aws.iam.RolePolicyAttachment(
            args.naming.name("ecs-exec-policy"),
            role=role.name,
            policy_arn=pulumi.Output.concat(
                "arn:", partition, ":iam::aws:policy/service-role/AmazonECSTaskExecutionRolePolicy"
            ),
            opts=self._child,
        )
        statements: list[dict[str, object]] = []
        if args.wiring.secrets:
            # Exactly the secrets injected into the container, decrypted with the stack key through Secrets Manager
            # only (https://docs.aws.amazon.com/AmazonECS/latest/developerguide/secrets-envvar-secrets-manager.html).
            secret_arns = list(dict.fromkeys(secret.secret_arn for secret in args.wiring.secrets.values()))
            statements += [
                {"Sid": "InjectSecrets", "Effect": "Allow", "Action": "secretsmanager:GetSecretValue",
                 "Resource": secret_arns},
                {"Sid": "DecryptSecrets", "Effect": "Allow", "Action": "kms:Decrypt", "Resource": args.kms_key_arn,
                 "Condition": {"StringEquals": {"kms:ViaService": f"secretsmanager.{args.region}.amazonaws.com"}}},
            ]
        if self.cache_rule is not None:
            # The first pull of an image creates its repository under the cache prefix and imports it upstream
            # (https://docs.aws.amazon.com/AmazonECR/latest/userguide/pull-through-cache-iam.html).
            statements.append(
                {"Sid": "PullThroughCache", "Effect": "Allow",
                 "Action": ["ecr:CreateRepository", "ecr:BatchImportUpstreamImage"],
                 "Resource": pulumi.Output.concat(
                     "arn:", partition, ":ecr:", args.region, ":", self._account_id, ":repository/",
                     self.cache_rule.ecr_repository_prefix, "/*",
                 )}
            )
        if statements:
            grant = aws.iam.RolePolicy(
                args.naming.name("ecs-exec-wiring"),
                role=role.id,
                policy=pulumi.Output.json_dumps({"Version": "2012-10-17", "Statement": statements}),
                opts=self._child,
            )
            self._grants.append(grant)
        return role

    def _task_role(self) -> aws.iam.Role:
        # The application's own identity: nothing by default, plus exactly the queues it is wired to.
        args = self._args
        role = aws.iam.Role(
            args.naming.name("ecs-task", limit=IAM_ROLE),
            assume_role_policy=trust_policy("ecs-tasks.amazonaws.com"),
            opts=self._child,
        )
        if args.wiring.queues:
            queues = args.wiring.queues
            grant = aws.iam.RolePolicy(
                args.naming.name("ecs-task-queues"),
                role=role.id,
                policy=pulumi.Output.json_dumps(
                    {
                        "Version": "2012-10-17",
                        "Statement": [
                            {"Sid": "UseQueues", "Effect": "Allow", "Action": QUEUE_ACTIONS,
                             "Resource": [queue.arn for queue in queues]},
                            {
                                # Encrypted queues: SQS uses the key on the application's behalf, and only SQS may.
                                "Sid": "QueueKeys",
                                "Effect": "Allow",
                                "Action": QUEUE_KEY_ACTIONS,
                                "Resource": list(dict.fromkeys(queue.kms_key_arn for queue in queues)),
                                "Condition": {"StringEquals": {"kms:ViaService": f"sqs.{args.region}.amazonaws.com"}},
                            },
                        ],
                    }
                ),
                opts=self._child,
            )
            self._grants.append(grant)
        return role
