"""The load balancer: world-open only on its listener ports, HTTPS-only when a certificate is set, logs on demand."""

import pytest

from lib.components.load_balancer import TLS_POLICY, LoadBalancer, LoadBalancerArgs
from lib.naming import Naming
from tests.unit.conftest import RecordingMocks, deploy

CERTIFICATE = "arn:aws:acm:us-east-1:123456789012:certificate/test"
INGRESS = "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule"
LISTENER = "aws:lb/listener:Listener"


def build_load_balancer(
    mocks: RecordingMocks,
    certificate_arn: str = "",
    production: bool = False,
    access_log_bucket: str | None = None,
    target_type: str = "ip",
) -> RecordingMocks:
    """A load balancer in two public subnets, registered under `mocks`."""
    args = LoadBalancerArgs(
        naming=Naming("tap", "test"),
        production=production,
        role="web",
        vpc_id="vpc-1",
        public_subnet_ids=["subnet-a", "subnet-b"],
        target_type=target_type,
        target_port=8080,
        health_check_path="/health",
        certificate_arn=certificate_arn,
        access_log_bucket=access_log_bucket,
    )
    deploy(lambda: LoadBalancer("lb", args))
    return mocks


def test_public_alb_in_public_subnets_drops_invalid_headers(stack_mocks):
    build_load_balancer(stack_mocks)
    alb = stack_mocks.one("aws:lb/loadBalancer:LoadBalancer")
    group = stack_mocks.one("aws:ec2/securityGroup:SecurityGroup")
    assert alb.inputs["internal"] is False
    assert alb.inputs["loadBalancerType"] == "application"
    assert alb.inputs["subnets"] == ["subnet-a", "subnet-b"]
    assert alb.inputs["securityGroups"] == [group.id]
    assert alb.inputs["dropInvalidHeaderFields"] is True


@pytest.mark.parametrize("production", [False, True])
def test_deletion_protection_only_in_production(stack_mocks, production):
    build_load_balancer(stack_mocks, production=production)
    assert stack_mocks.one("aws:lb/loadBalancer:LoadBalancer").inputs["enableDeletionProtection"] is production


def test_without_certificate_http_forwards_and_only_port_80_is_open(stack_mocks):
    build_load_balancer(stack_mocks)
    target_group = stack_mocks.one("aws:lb/targetGroup:TargetGroup")
    (listener,) = stack_mocks.of_type(LISTENER)
    assert listener.inputs["port"] == 80
    assert listener.inputs["protocol"] == "HTTP"
    assert listener.inputs["defaultActions"] == [{"type": "forward", "targetGroupArn": target_group.state["arn"]}]
    (rule,) = stack_mocks.of_type(INGRESS)
    assert (rule.inputs["cidrIpv4"], rule.inputs["fromPort"], rule.inputs["toPort"]) == ("0.0.0.0/0", 80, 80)


def test_with_certificate_https_forwards_with_tls12_and_http_redirects(stack_mocks):
    build_load_balancer(stack_mocks, certificate_arn=CERTIFICATE)
    target_group = stack_mocks.one("aws:lb/targetGroup:TargetGroup")
    listeners = {listener.inputs["port"]: listener for listener in stack_mocks.of_type(LISTENER)}
    assert set(listeners) == {80, 443}
    https = listeners[443]
    assert https.inputs["protocol"] == "HTTPS"
    assert https.inputs["sslPolicy"] == TLS_POLICY
    assert https.inputs["certificateArn"] == CERTIFICATE
    assert https.inputs["defaultActions"][0]["targetGroupArn"] == target_group.state["arn"]
    (redirect,) = listeners[80].inputs["defaultActions"]
    assert redirect["type"] == "redirect"
    assert redirect["redirect"] == {"port": "443", "protocol": "HTTPS", "statusCode": "HTTP_301"}
    ports = sorted(rule.inputs["fromPort"] for rule in stack_mocks.of_type(INGRESS))
    assert ports == [80, 443]


def test_world_open_rules_cover_listener_ports_only(stack_mocks):
    build_load_balancer(stack_mocks, certificate_arn=CERTIFICATE)
    for rule in stack_mocks.of_type(INGRESS):
        assert rule.inputs["fromPort"] == rule.inputs["toPort"]
        assert rule.inputs["fromPort"] in (80, 443)
        assert rule.inputs["ipProtocol"] == "tcp"
    group = stack_mocks.one("aws:ec2/securityGroup:SecurityGroup")
    assert not group.inputs.get("ingress")
    assert not group.inputs.get("egress")


@pytest.mark.parametrize("target_type", ["ip", "instance"])
def test_target_group_health_checks_the_configured_path(stack_mocks, target_type):
    build_load_balancer(stack_mocks, target_type=target_type)
    target_group = stack_mocks.one("aws:lb/targetGroup:TargetGroup")
    assert target_group.inputs["targetType"] == target_type
    assert target_group.inputs["port"] == 8080
    assert target_group.inputs["healthCheck"]["path"] == "/health"
    assert target_group.inputs["healthCheck"]["enabled"] is True


def test_access_logs_go_to_the_given_bucket(stack_mocks):
    build_load_balancer(stack_mocks, access_log_bucket="logs-bucket")
    logs = stack_mocks.one("aws:lb/loadBalancer:LoadBalancer").inputs["accessLogs"]
    assert logs == {"bucket": "logs-bucket", "enabled": True, "prefix": "web"}


def test_no_access_logs_without_a_bucket(stack_mocks):
    build_load_balancer(stack_mocks)
    assert not stack_mocks.one("aws:lb/loadBalancer:LoadBalancer").inputs.get("accessLogs")


def test_names_fit_the_32_character_limit_with_auto_naming(stack_mocks):
    build_load_balancer(stack_mocks)
    for resource_type in ("aws:lb/loadBalancer:LoadBalancer", "aws:lb/targetGroup:TargetGroup"):
        assert len(stack_mocks.one(resource_type).name) <= 24


def test_long_roles_and_unknown_target_types_are_refused():
    with pytest.raises(ValueError, match="at most 4"):
        LoadBalancerArgs(Naming("tap", "test"), False, "toolong", "vpc", [], "ip", 80, "/", "")
    with pytest.raises(ValueError, match="target_type"):
        LoadBalancerArgs(Naming("tap", "test"), False, "web", "vpc", [], "lambda", 80, "/", "")
