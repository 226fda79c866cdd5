"""The ECS service: private Fargate tasks behind the ALB only, separate least-privilege roles, safe deployments,
images the network can reach, and each wire the stack gives the application."""

import json

import pytest

from lib.components.ecs import UNWIRED, QueueAccess, SecretValue, Service, ServiceArgs, Wiring
from lib.components.load_balancer import Https
from lib.naming import Naming
from tests.unit.conftest import PROJECT, RecordingMocks, deploy, policy, use_stack

KEY_ARN = "arn:aws:kms:us-east-1:123456789012:key/test"
IMAGE = "123456789012.dkr.ecr.us-east-1.amazonaws.com/app:1.4.2"
PUBLIC_IMAGE = "public.ecr.aws/nginx/nginx-unprivileged:1.27-alpine"
SECRET_ARN = "arn:aws:secretsmanager:us-east-1:123456789012:secret:db-abc"
QUEUE_ARN = "arn:aws:sqs:us-east-1:123456789012:tap-queue-test"
QUEUE_URL = "https://sqs.us-east-1.amazonaws.com/123456789012/tap-queue-test"
INGRESS = "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule"
ROLE_POLICY = "aws:iam/rolePolicy:RolePolicy"
WIRING = Wiring(
    environment={"DATABASE_HOST": "db.internal", "QUEUE_URL": QUEUE_URL},
    secrets={"DATABASE_PASSWORD": SecretValue(SECRET_ARN, "password"), "API_TOKEN": SecretValue(SECRET_ARN)},
    queues=[QueueAccess(url=QUEUE_URL, arn=QUEUE_ARN, kms_key_arn=KEY_ARN)],
)


def args_for(
    production: bool = False, wiring: Wiring = UNWIRED, image: str = IMAGE, internet_egress: bool = True
) -> ServiceArgs:
    """Service inputs in two private subnets of us-east-1."""
    return ServiceArgs(
        naming=Naming("tap", "test"),
        production=production,
        region="us-east-1",
        vpc_id="vpc-1",
        public_subnet_ids=["public-a", "public-b"],
        private_subnet_ids=["private-a", "private-b"],
        kms_key_arn=KEY_ARN,
        log_retention_days=30,
        container_image=image,
        https=Https(certificate_arn="arn:aws:acm:us-east-1:123456789012:certificate/test" if production else ""),
        desired_count=2 if production else 1,
        internet_egress=internet_egress,
        wiring=wiring,
    )


def build_service(mocks: RecordingMocks, production: bool = False, **options) -> tuple[RecordingMocks, list[Service]]:
    """An ECS service with the given options (those of `args_for`), registered under `mocks`."""
    args = args_for(production, **options)
    built: list[Service] = []
    deploy(lambda: built.append(Service("ecs", args)))
    return mocks, built


@pytest.fixture(scope="module")
def default_service() -> RecordingMocks:
    """`build_service` with its defaults, registered once for the tests of this module that only read it."""
    mocks = use_stack(PROJECT.stack_name)
    build_service(mocks)
    use_stack(PROJECT.stack_name)  # the tests' own deployments record elsewhere
    return mocks


def by_name(mocks: RecordingMocks, resource_type: str, fragment: str):
    """The only resource of a type whose logical name contains `fragment`."""
    (resource,) = [r for r in mocks.of_type(resource_type) if fragment in r.name]
    return resource


def test_cluster_has_container_insights(default_service):
    settings = default_service.one("aws:ecs/cluster:Cluster").inputs["settings"]
    assert {"name": "containerInsights", "value": "enabled"} in settings


def test_tasks_run_privately_behind_the_load_balancer(default_service):
    service = default_service.one("aws:ecs/service:Service")
    network = service.inputs["networkConfiguration"]
    assert network["assignPublicIp"] is False
    assert network["subnets"] == ["private-a", "private-b"]
    target_group = default_service.one("aws:lb/targetGroup:TargetGroup")
    assert target_group.inputs["targetType"] == "ip"
    (binding,) = service.inputs["loadBalancers"]
    assert binding == {"targetGroupArn": target_group.state["arn"], "containerName": "app", "containerPort": 8080}


def test_task_security_group_admits_only_the_load_balancer_on_the_container_port(default_service):
    task_group = by_name(default_service, "aws:ec2/securityGroup:SecurityGroup", "ecs-sg")
    alb_group = by_name(default_service, "aws:ec2/securityGroup:SecurityGroup", "alb-sg")
    rules = [r for r in default_service.of_type(INGRESS) if r.inputs["securityGroupId"] == task_group.id]
    assert len(rules) == 1
    assert rules[0].inputs["referencedSecurityGroupId"] == alb_group.id
    assert (rules[0].inputs["fromPort"], rules[0].inputs["toPort"]) == (8080, 8080)
    assert "cidrIpv4" not in rules[0].inputs
    egress = by_name(default_service, "aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule", "alb-to-ecs")
    assert egress.inputs["securityGroupId"] == alb_group.id
    assert egress.inputs["referencedSecurityGroupId"] == task_group.id


def test_container_uses_the_configured_image_and_encrypted_logs(default_service):
    task = default_service.one("aws:ecs/taskDefinition:TaskDefinition")
    (container,) = json.loads(task.inputs["containerDefinitions"])
    log_group = default_service.one("aws:cloudwatch/logGroup:LogGroup")
    assert container["image"] == IMAGE
    assert container["portMappings"] == [{"containerPort": 8080, "protocol": "tcp"}]
    assert container["logConfiguration"]["options"]["awslogs-group"] == log_group.state["name"]
    assert log_group.inputs["kmsKeyId"] == KEY_ARN
    assert log_group.inputs["retentionInDays"] == 30
    assert task.inputs["requiresCompatibilities"] == ["FARGATE"]
    assert task.inputs["networkMode"] == "awsvpc"


def test_execution_and_task_roles_are_separate(default_service):
    task = default_service.one("aws:ecs/taskDefinition:TaskDefinition")
    execution = by_name(default_service, "aws:iam/role:Role", "ecs-exec")
    task_role = by_name(default_service, "aws:iam/role:Role", "ecs-task")
    assert task.inputs["executionRoleArn"] == execution.state["arn"]
    assert task.inputs["taskRoleArn"] == task_role.state["arn"]
    (attachment,) = default_service.of_type("aws:iam/rolePolicyAttachment:RolePolicyAttachment")
    assert attachment.inputs["policyArn"].endswith(":policy/service-role/AmazonECSTaskExecutionRolePolicy")
    assert attachment.inputs["role"] == execution.state["name"]
    trust = policy(task_role, "assumeRolePolicy")["Statement"][0]
    assert trust["Principal"] == {"Service": "ecs-tasks.amazonaws.com"}


def test_task_role_has_no_permissions_by_default(default_service):
    assert not default_service.of_type(ROLE_POLICY)


def test_secrets_are_injected_by_ecs_never_written_into_the_task_definition(stack_mocks):
    build_service(stack_mocks, wiring=WIRING)
    (container,) = json.loads(stack_mocks.one("aws:ecs/taskDefinition:TaskDefinition").inputs["containerDefinitions"])
    assert container["environment"] == [
        {"name": "DATABASE_HOST", "value": "db.internal"},
        {"name": "QUEUE_URL", "value": QUEUE_URL},
    ]
    assert container["secrets"] == [
        {"name": "API_TOKEN", "valueFrom": SECRET_ARN},
        {"name": "DATABASE_PASSWORD", "valueFrom": f"{SECRET_ARN}:password::"},
    ]


def test_execution_role_reads_exactly_the_injected_secrets(stack_mocks):
    build_service(stack_mocks, wiring=WIRING)
    execution = by_name(stack_mocks, "aws:iam/role:Role", "ecs-exec")
    role_policy = by_name(stack_mocks, ROLE_POLICY, "ecs-exec")
    assert role_policy.inputs["role"] == execution.id
    read, decrypt = policy(role_policy)["Statement"]
    assert read == {"Sid": "InjectSecrets", "Effect": "Allow", "Action": "secretsmanager:GetSecretValue",
                    "Resource": [SECRET_ARN]}
    assert (decrypt["Action"], decrypt["Resource"]) == ("kms:Decrypt", KEY_ARN)
    assert decrypt["Condition"]["StringEquals"]["kms:ViaService"] == "secretsmanager.us-east-1.amazonaws.com"


def test_task_role_sends_and_receives_on_exactly_the_wired_queues(stack_mocks):
    build_service(stack_mocks, wiring=WIRING)
    task_role = by_name(stack_mocks, "aws:iam/role:Role", "ecs-task")
    role_policy = by_name(stack_mocks, ROLE_POLICY, "ecs-task")
    assert role_policy.inputs["role"] == task_role.id
    queues, key = policy(role_policy)["Statement"]
    assert queues["Resource"] == [QUEUE_ARN]
    assert {"sqs:SendMessage", "sqs:ReceiveMessage", "sqs:DeleteMessage"} <= set(queues["Action"])
    assert not any(action.endswith("*") for action in queues["Action"])
    # The queue is encrypted: SQS needs the key for the application, and only SQS may use it.
    assert key["Resource"] == [KEY_ARN]
    assert set(key["Action"]) == {"kms:GenerateDataKey", "kms:Decrypt"}
    assert key["Condition"]["StringEquals"]["kms:ViaService"] == "sqs.us-east-1.amazonaws.com"


def test_without_nat_ecr_public_images_come_through_a_pull_through_cache(stack_mocks):
    _, built = build_service(stack_mocks, image=PUBLIC_IMAGE, internet_egress=False)
    rule = stack_mocks.one("aws:ecr/pullThroughCacheRule:PullThroughCacheRule")
    assert rule.inputs["upstreamRegistryUrl"] == "public.ecr.aws"
    prefix = rule.inputs["ecrRepositoryPrefix"]
    (container,) = json.loads(stack_mocks.one("aws:ecs/taskDefinition:TaskDefinition").inputs["containerDefinitions"])
    registry = "123456789012.dkr.ecr.us-east-1.amazonaws.com"
    assert container["image"] == f"{registry}/{prefix}/nginx/nginx-unprivileged:1.27-alpine"
    assert built[0].outputs["ecs_image"] is built[0].image
    # The first pull creates the cached repository and imports the image: allowed under this prefix only.
    statements = policy(by_name(stack_mocks, ROLE_POLICY, "ecs-exec"))["Statement"]
    (cache,) = [statement for statement in statements if statement["Sid"] == "PullThroughCache"]
    assert set(cache["Action"]) == {"ecr:CreateRepository", "ecr:BatchImportUpstreamImage"}
    assert cache["Resource"] == f"arn:aws:ecr:us-east-1:123456789012:repository/{prefix}/*"


@pytest.mark.parametrize("image", [IMAGE, PUBLIC_IMAGE])
def test_with_nat_or_a_private_image_the_image_is_used_as_configured(stack_mocks, image):
    build_service(stack_mocks, image=image, internet_egress=image == PUBLIC_IMAGE)
    assert not stack_mocks.of_type("aws:ecr/pullThroughCacheRule:PullThroughCacheRule")
    (container,) = json.loads(stack_mocks.one("aws:ecs/taskDefinition:TaskDefinition").inputs["containerDefinitions"])
    assert container["image"] == image


@pytest.mark.parametrize(
    "image", ["docker.io/library/nginx:1.27", "123456789012.dkr.ecr.eu-west-1.amazonaws.com/app:1.4.2", "nginx:1.27"]
)
def test_without_nat_an_image_the_network_cannot_reach_is_refused(image):
    with pytest.raises(ValueError, match="cannot reach without NAT"):
        args_for(image=image, internet_egress=False)


@pytest.mark.parametrize(("production", "count"), [(False, 1), (True, 2)])
def test_deployments_roll_back_and_production_runs_two_tasks(stack_mocks, production, count):
    build_service(stack_mocks, production=production)
    service = stack_mocks.one("aws:ecs/service:Service")
    assert service.inputs["deploymentCircuitBreaker"] == {"enable": True, "rollback": True}
    assert service.inputs["desiredCount"] == count
    assert service.inputs["launchType"] == "FARGATE"


def test_outputs_name_the_cluster_service_and_load_balancer(stack_mocks):
    _, built = build_service(stack_mocks)
    outputs = built[0].outputs
    assert {"ecs_cluster_name", "ecs_cluster_arn", "ecs_service_name", "ecs_image", "load_balancer_dns_name",
            "load_balancer_arn", "target_group_arn", "load_balancer_web_acl_arn"} == set(outputs)



def _plain(value):
    """A recorded value without the record's secret marker ({"__secret__": value})."""
    while isinstance(value, dict) and set(value) == {"__secret__"}:
        value = value["__secret__"]
    return value


@pytest.fixture
def stack(stack_records) -> dict[str, list[dict]]:
    """The default stack as the program registered it (the session's shared synth): type -> resources."""
    result = stack_records[PROJECT.stack_name]
    assert result.record is not None, result.notes
    by_type: dict[str, list[dict]] = {}
    for resource in result.record["resources"]:
        by_type.setdefault(resource["type"], []).append(resource)
    return by_type


def _named(stack: dict[str, list[dict]], resource_type: str, fragment: str = "") -> dict:
    """The only resource of a type whose logical name contains `fragment`."""
    (resource,) = [r for r in stack.get(resource_type, []) if fragment in r["name"]]
    return resource


def test_the_stack_wires_the_service_to_what_it_gives_it(stack):
    task = _named(stack, "aws:ecs/taskDefinition:TaskDefinition")
    (container,) = json.loads(_plain(task["inputs"]["containerDefinitions"]))
    environment = {item["name"]: item["value"] for item in container["environment"]}
    secrets = {item["name"]: item["valueFrom"] for item in container["secrets"]}
    expected_environment, expected_secrets = set(), set()
{%- if cookiecutter.database != "none" %}
    database = _named(stack, "aws:rds/{{ 'cluster:Cluster' if cookiecutter.database.startswith('aurora') else 'instance:Instance' }}")
    expected_environment |= {"DATABASE_HOST", "DATABASE_PORT", "DATABASE_NAME"}
    expected_secrets |= {"DATABASE_USERNAME", "DATABASE_PASSWORD"}
    assert environment["DATABASE_HOST"] == database["outputs"]["{{ 'endpoint' if cookiecutter.database.startswith('aurora') else 'address' }}"]
    db_secret = _named(stack, "aws:secretsmanager/secret:Secret", "db-secret")
    assert secrets["DATABASE_PASSWORD"] == f"{db_secret['outputs']['arn']}:password::"
{%- endif %}
{%- if cookiecutter.cache %}
    group = _named(stack, "aws:elasticache/replicationGroup:ReplicationGroup")
    expected_environment |= {"CACHE_HOST", "CACHE_PORT"}
    expected_secrets |= {"CACHE_AUTH_TOKEN"}
    assert environment["CACHE_HOST"] == group["outputs"]["primaryEndpointAddress"]
    cache_secret = _named(stack, "aws:secretsmanager/secret:Secret", "cache-secret")
    assert secrets["CACHE_AUTH_TOKEN"] == f"{cache_secret['outputs']['arn']}:auth_token::"
{%- endif %}
{%- if cookiecutter.queue %}
    (queue,) = [q for q in stack["aws:sqs/queue:Queue"] if "dlq" not in q["name"]]
    expected_environment.add("QUEUE_URL")
    assert environment["QUEUE_URL"] == queue["outputs"]["url"]
    task_policy = json.loads(_plain(_named(stack, ROLE_POLICY, "ecs-task")["inputs"]["policy"]))
    assert task_policy["Statement"][0]["Resource"] == [queue["outputs"]["arn"]]
    assert task_policy["Statement"][1]["Resource"] == [queue["inputs"]["kmsMasterKeyId"]]
{%- endif %}
    assert set(environment) == expected_environment
    assert set(secrets) == expected_secrets
    # Credentials never travel as plain values.
    assert not any(word in name for name in environment for word in ("PASSWORD", "TOKEN", "SECRET"))
