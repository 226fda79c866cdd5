"""ECS: the application as a Fargate service in private subnets, reachable only through its load balancer."""

from collections.abc import Sequence
from dataclasses import dataclass

import pulumi
import pulumi_aws as aws

from lib.components.iam import trust_policy
from lib.components.load_balancer import LoadBalancer, LoadBalancerArgs
from lib.naming import IAM_ROLE, Naming
from lib.settings import Settings

CONTAINER_NAME = "app"


@dataclass(frozen=True)
class ServiceArgs:
    """Inputs of the ECS service; the image is per stack (config `containerImage`), never a placeholder."""

    naming: Naming
    production: bool
    region: str
    vpc_id: pulumi.Input[str]
    public_subnet_ids: Sequence[pulumi.Input[str]]
    private_subnet_ids: Sequence[pulumi.Input[str]]
    kms_key_arn: pulumi.Input[str]
    log_retention_days: int
    container_image: str
    certificate_arn: str
    desired_count: int
    container_port: int = 8080
    cpu: int = 256
    memory: int = 512
    health_check_path: str = "/"
    # Secrets the application reads at run time (Secrets Manager ARNs); the task role may read exactly these.
    secret_arns: Sequence[pulumi.Input[str]] = ()
    access_log_bucket: pulumi.Input[str] | None = None

    @classmethod
    def from_settings(
        cls,
        settings: Settings,
        *,
        vpc_id: pulumi.Input[str],
        public_subnet_ids: Sequence[pulumi.Input[str]],
        private_subnet_ids: Sequence[pulumi.Input[str]],
        kms_key_arn: pulumi.Input[str],
        secret_arns: Sequence[pulumi.Input[str]] = (),
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
            certificate_arn=settings.config.require("certificateArn"),
            # Two tasks in production survive the loss of a zone or a task; one elsewhere keeps cost down.
            desired_count=2 if settings.production else 1,
            secret_arns=secret_arns,
            access_log_bucket=access_log_bucket,
        )


class Service(pulumi.ComponentResource):
    """Fargate cluster, task definition with separate execution and task roles, and a rolling-back service."""

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
                certificate_arn=args.certificate_arn,
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
                        "image": args.container_image,
                        "essential": True,
                        "portMappings": [{"containerPort": args.container_port, "protocol": "tcp"}],
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
            opts=pulumi.ResourceOptions(parent=self, depends_on=self.load_balancer.listeners),
        )

        self.outputs = {
            "ecs_cluster_name": self.cluster.name,
            "ecs_cluster_arn": self.cluster.arn,
            "ecs_service_name": self.service.name,
            **self.load_balancer.outputs,
        }
        self.register_outputs(self.outputs)

    def _execution_role(self) -> aws.iam.Role:
        # Used by ECS itself to pull the image and write logs; the application never sees it.
        role = aws.iam.Role(
            self._args.naming.name("ecs-exec", limit=IAM_ROLE),
            assume_role_policy=trust_policy("ecs-tasks.amazonaws.com"),
            opts=self._child,
        )
        partition = aws.get_partition_output(opts=pulumi.InvokeOutputOptions(parent=self)).partition
        aws.iam.RolePolicyAttachment(
            self._args.naming.name("ecs-exec-policy"),
            role=role.name,
            policy_arn=pulumi.Output.concat(
                "arn:", partition, ":iam::aws:policy/service-role/AmazonECSTaskExecutionRolePolicy"
            ),
            opts=self._child,
        )
        return role

    def _task_role(self) -> aws.iam.Role:
        # The application's own identity: nothing by default, plus read access to exactly the secrets it is given.
        args = self._args
        role = aws.iam.Role(
            args.naming.name("ecs-task", limit=IAM_ROLE),
            assume_role_policy=trust_policy("ecs-tasks.amazonaws.com"),
            opts=self._child,
        )
        if args.secret_arns:
            aws.iam.RolePolicy(
                args.naming.name("ecs-task-secrets"),
                role=role.id,
                policy=pulumi.Output.json_dumps(
                    {
                        "Version": "2012-10-17",
                        "Statement": [
                            {
                                "Effect": "Allow",
                                "Action": "secretsmanager:GetSecretValue",
                                "Resource": list(args.secret_arns),
                            },
                            {
                                # The secrets are encrypted with the stack key; decrypting is allowed only through
                                # Secrets Manager.
                                "Effect": "Allow",
                                "Action": "kms:Decrypt",
                                "Resource": args.kms_key_arn,
                                "Condition": {
                                    "StringEquals": {"kms:ViaService": f"secretsmanager.{args.region}.amazonaws.com"}
                                },
                            },
                        ],
                    }
                ),
                opts=self._child,
            )
        return role
