"""The ECS service: private Fargate tasks behind the ALB only, separate least-privilege roles, safe deployments."""

import json

import pytest

from lib.components.ecs import Service, ServiceArgs
from lib.naming import Naming
from tests.unit.conftest import RecordingMocks, deploy, policy

KEY_ARN = "arn:aws:kms:us-east-1:123456789012:key/test"
IMAGE = "123456789012.dkr.ecr.us-east-1.amazonaws.com/app:1.4.2"
SECRET_ARN = "arn:aws:secretsmanager:us-east-1:123456789012:secret:db-abc"
INGRESS = "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule"


def build_service(
    mocks: RecordingMocks, production: bool = False, secret_arns: tuple[str, ...] = ()
) -> tuple[RecordingMocks, list[Service]]:
    """An ECS service with the given options, registered under `mocks`."""
    args = ServiceArgs(
        naming=Naming("tap", "test"),
        production=production,
        region="us-east-1",
        vpc_id="vpc-1",
        public_subnet_ids=["public-a", "public-b"],
        private_subnet_ids=["private-a", "private-b"],
        kms_key_arn=KEY_ARN,
        log_retention_days=30,
        container_image=IMAGE,
        certificate_arn="",
        desired_count=2 if production else 1,
        secret_arns=secret_arns,
    )
    built: list[Service] = []
    deploy(lambda: built.append(Service("ecs", args)))
    return mocks, built


def by_name(mocks: RecordingMocks, resource_type: str, fragment: str):
    """The only resource of a type whose logical name contains `fragment`."""
    (resource,) = [r for r in mocks.of_type(resource_type) if fragment in r.name]
    return resource


def test_cluster_has_container_insights(stack_mocks):
    build_service(stack_mocks)
    settings = stack_mocks.one("aws:ecs/cluster:Cluster").inputs["settings"]
    assert {"name": "containerInsights", "value": "enabled"} in settings


def test_tasks_run_privately_behind_the_load_balancer(stack_mocks):
    build_service(stack_mocks)
    service = stack_mocks.one("aws:ecs/service:Service")
    network = service.inputs["networkConfiguration"]
    assert network["assignPublicIp"] is False
    assert network["subnets"] == ["private-a", "private-b"]
    target_group = stack_mocks.one("aws:lb/targetGroup:TargetGroup")
    assert target_group.inputs["targetType"] == "ip"
    (binding,) = service.inputs["loadBalancers"]
    assert binding == {"targetGroupArn": target_group.state["arn"], "containerName": "app", "containerPort": 8080}


def test_task_security_group_admits_only_the_load_balancer_on_the_container_port(stack_mocks):
    build_service(stack_mocks)
    task_group = by_name(stack_mocks, "aws:ec2/securityGroup:SecurityGroup", "ecs-sg")
    alb_group = by_name(stack_mocks, "aws:ec2/securityGroup:SecurityGroup", "alb-sg")
    rules = [r for r in stack_mocks.of_type(INGRESS) if r.inputs["securityGroupId"] == task_group.id]
    assert len(rules) == 1
    assert rules[0].inputs["referencedSecurityGroupId"] == alb_group.id
    assert (rules[0].inputs["fromPort"], rules[0].inputs["toPort"]) == (8080, 8080)
    assert "cidrIpv4" not in rules[0].inputs
    egress = by_name(stack_mocks, "aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule", "alb-to-ecs")
    assert egress.inputs["securityGroupId"] == alb_group.id
    assert egress.inputs["referencedSecurityGroupId"] == task_group.id


def test_container_uses_the_configured_image_and_encrypted_logs(stack_mocks):
    build_service(stack_mocks)
    task = stack_mocks.one("aws:ecs/taskDefinition:TaskDefinition")
    (container,) = json.loads(task.inputs["containerDefinitions"])
    log_group = stack_mocks.one("aws:cloudwatch/logGroup:LogGroup")
    assert container["image"] == IMAGE
    assert container["portMappings"] == [{"containerPort": 8080, "protocol": "tcp"}]
    assert container["logConfiguration"]["options"]["awslogs-group"] == log_group.state["name"]
    assert log_group.inputs["kmsKeyId"] == KEY_ARN
    assert log_group.inputs["retentionInDays"] == 30
    assert task.inputs["requiresCompatibilities"] == ["FARGATE"]
    assert task.inputs["networkMode"] == "awsvpc"


def test_execution_and_task_roles_are_separate(stack_mocks):
    build_service(stack_mocks)
    task = stack_mocks.one("aws:ecs/taskDefinition:TaskDefinition")
    execution = by_name(stack_mocks, "aws:iam/role:Role", "ecs-exec")
    task_role = by_name(stack_mocks, "aws:iam/role:Role", "ecs-task")
    assert task.inputs["executionRoleArn"] == execution.state["arn"]
    assert task.inputs["taskRoleArn"] == task_role.state["arn"]
    (attachment,) = stack_mocks.of_type("aws:iam/rolePolicyAttachment:RolePolicyAttachment")
    assert attachment.inputs["policyArn"].endswith(":policy/service-role/AmazonECSTaskExecutionRolePolicy")
    assert attachment.inputs["role"] == execution.state["name"]
    trust = policy(task_role, "assumeRolePolicy")["Statement"][0]
    assert trust["Principal"] == {"Service": "ecs-tasks.amazonaws.com"}


def test_task_role_has_no_permissions_by_default(stack_mocks):
    build_service(stack_mocks)
    assert not stack_mocks.of_type("aws:iam/rolePolicy:RolePolicy")


def test_task_role_reads_exactly_the_given_secrets(stack_mocks):
    build_service(stack_mocks, secret_arns=(SECRET_ARN,))
    task_role = by_name(stack_mocks, "aws:iam/role:Role", "ecs-task")
    role_policy = stack_mocks.one("aws:iam/rolePolicy:RolePolicy")
    assert role_policy.inputs["role"] == task_role.id
    read, decrypt = policy(role_policy)["Statement"]
    assert read == {"Effect": "Allow", "Action": "secretsmanager:GetSecretValue", "Resource": [SECRET_ARN]}
    assert decrypt["Action"] == "kms:Decrypt"
    assert decrypt["Resource"] == KEY_ARN
    assert decrypt["Condition"]["StringEquals"]["kms:ViaService"] == "secretsmanager.us-east-1.amazonaws.com"


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
    assert {"ecs_cluster_name", "ecs_cluster_arn", "ecs_service_name", "load_balancer_dns_name",
            "load_balancer_arn", "target_group_arn"} == set(outputs)
