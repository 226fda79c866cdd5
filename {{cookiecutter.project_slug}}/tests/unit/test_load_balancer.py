"""The load balancer: world-open only on its listener ports, HTTPS-only with a certificate (configured, or issued by
ACM after DNS validation), WAF in front, production refused without HTTPS, logs on demand."""

import json
import logging

import pulumi
import pytest

from lib.components.load_balancer import MANAGED_RULE_GROUPS, TLS_POLICY, Https, LoadBalancer, LoadBalancerArgs
from lib.naming import Naming
from lib.settings import Settings
from lib.tap_stack import TapStack
from tests.unit.conftest import PROJECT, RecordingMocks, deploy, use_stack

CERTIFICATE = "arn:aws:acm:us-east-1:123456789012:certificate/test"
INGRESS = "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule"
LISTENER = "aws:lb/listener:Listener"
RECORD = "aws:route53/record:Record"


def build_load_balancer(
    mocks: RecordingMocks,
    *,
    certificate_arn: str = "",
    production: bool = False,
    access_log_bucket: str | None = None,
    target_type: str = "ip",
    domain_name: str = "",
    web_acl: bool = True,
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
        https=Https(certificate_arn=certificate_arn, domain_name=domain_name, web_acl=web_acl),
        access_log_bucket=access_log_bucket,
    )
    deploy(lambda: LoadBalancer("lb", args))
    return mocks


@pytest.fixture(scope="module")
def default_load_balancer() -> RecordingMocks:
    """`build_load_balancer` with its defaults, registered once for the tests of this module that only read it."""
    mocks = use_stack(PROJECT.stack_name)
    build_load_balancer(mocks)
    use_stack(PROJECT.stack_name)  # the tests' own deployments record elsewhere
    return mocks


def test_public_alb_in_public_subnets_drops_invalid_headers(default_load_balancer):
    alb = default_load_balancer.one("aws:lb/loadBalancer:LoadBalancer")
    group = default_load_balancer.one("aws:ec2/securityGroup:SecurityGroup")
    assert alb.inputs["internal"] is False
    assert alb.inputs["loadBalancerType"] == "application"
    assert alb.inputs["subnets"] == ["subnet-a", "subnet-b"]
    assert alb.inputs["securityGroups"] == [group.id]
    assert alb.inputs["dropInvalidHeaderFields"] is True


@pytest.mark.parametrize("production", [False, True])
def test_deletion_protection_only_in_production(stack_mocks, production):
    build_load_balancer(stack_mocks, production=production, certificate_arn=CERTIFICATE)
    assert stack_mocks.one("aws:lb/loadBalancer:LoadBalancer").inputs["enableDeletionProtection"] is production


def test_without_certificate_http_forwards_and_only_port_80_is_open(stack_mocks, caplog):
    with caplog.at_level(logging.WARNING):
        build_load_balancer(stack_mocks)
    assert any("serves plain HTTP" in record.getMessage() for record in caplog.records)
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


def test_no_access_logs_without_a_bucket(default_load_balancer):
    assert not default_load_balancer.one("aws:lb/loadBalancer:LoadBalancer").inputs.get("accessLogs")


def test_names_fit_the_32_character_limit_with_auto_naming(default_load_balancer):
    for resource_type in ("aws:lb/loadBalancer:LoadBalancer", "aws:lb/targetGroup:TargetGroup"):
        assert len(default_load_balancer.one(resource_type).name) <= 24


def test_long_roles_and_unknown_target_types_are_refused():
    with pytest.raises(ValueError, match="at most 4"):
        LoadBalancerArgs(Naming("tap", "test"), False, "toolong", "vpc", [], "ip", 80, "/", Https())
    with pytest.raises(ValueError, match="target_type"):
        LoadBalancerArgs(Naming("tap", "test"), False, "web", "vpc", [], "lambda", 80, "/", Https())


def test_production_without_a_certificate_is_refused():
    with pytest.raises(ValueError, match="needs a certificate"):
        LoadBalancerArgs(Naming("tap", "test"), True, "web", "vpc", [], "ip", 80, "/", Https())
    for domain in ("localhost", "App.Example.org", "pay..example.org", "-pay.example.org"):
        with pytest.raises(ValueError, match="fully qualified"):
            Https(domain_name=domain)


def test_a_domain_gets_an_acm_certificate_validated_in_its_route53_zone(stack_mocks):
    build_load_balancer(stack_mocks, domain_name="pay.example.org", production=True)
    certificate = stack_mocks.one("aws:acm/certificate:Certificate")
    assert certificate.inputs["domainName"] == "pay.example.org"
    assert certificate.inputs["validationMethod"] == "DNS"
    (record,) = [record for record in stack_mocks.of_type(RECORD) if record.inputs["type"] != "A"]
    validation = stack_mocks.one("aws:acm/certificateValidation:CertificateValidation")
    assert validation.inputs["certificateArn"] == certificate.state["arn"]
    assert validation.inputs["validationRecordFqdns"] == [record.state["fqdn"]]
    listeners = {listener.inputs["port"]: listener for listener in stack_mocks.of_type(LISTENER)}
    # The listener takes the certificate from the validation, so it waits until ACM has issued it.
    assert listeners[443].inputs["certificateArn"] == validation.state["certificateArn"]
    assert listeners[443].inputs["sslPolicy"] == TLS_POLICY
    assert listeners[80].inputs["defaultActions"][0]["type"] == "redirect"


def test_the_domain_it_validates_points_at_the_load_balancer_through_a_route53_alias(stack_mocks):
    build_load_balancer(stack_mocks, domain_name="pay.example.org")
    alb = stack_mocks.one("aws:lb/loadBalancer:LoadBalancer")
    (alias,) = [record for record in stack_mocks.of_type(RECORD) if record.inputs["type"] == "A"]
    (validation,) = [record for record in stack_mocks.of_type(RECORD) if record.inputs["type"] != "A"]
    assert alias.inputs["name"] == "pay.example.org"
    assert alias.inputs["zoneId"] == validation.inputs["zoneId"]
    assert alias.inputs["aliases"] == [
        {"name": alb.state["dnsName"], "zoneId": alb.state["zoneId"], "evaluateTargetHealth": True}
    ]
    assert "records" not in alias.inputs and "ttl" not in alias.inputs


def test_a_configured_certificate_is_used_as_is(stack_mocks):
    build_load_balancer(stack_mocks, certificate_arn=CERTIFICATE, domain_name="pay.example.org")
    assert not stack_mocks.of_type("aws:acm/certificate:Certificate")
    assert not stack_mocks.of_type(RECORD), "the stack writes DNS records only in a zone it validates a certificate in"
    (https,) = [listener for listener in stack_mocks.of_type(LISTENER) if listener.inputs["port"] == 443]
    assert https.inputs["certificateArn"] == CERTIFICATE


def test_waf_web_acl_of_aws_managed_rule_groups_guards_the_load_balancer(stack_mocks):
    build_load_balancer(stack_mocks, certificate_arn=CERTIFICATE)
    web_acl = stack_mocks.one("aws:wafv2/webAcl:WebAcl")
    assert web_acl.inputs["scope"] == "REGIONAL"
    groups = [rule["statement"]["managedRuleGroupStatement"] for rule in web_acl.inputs["rules"]]
    assert [(group["vendorName"], group["name"]) for group in groups] == [("AWS", g) for g in MANAGED_RULE_GROUPS]
    assert all(rule["overrideAction"] == {"none": {}} for rule in web_acl.inputs["rules"])
    association = stack_mocks.one("aws:wafv2/webAclAssociation:WebAclAssociation")
    assert association.inputs["webAclArn"] == web_acl.state["arn"]
    assert association.inputs["resourceArn"] == stack_mocks.one("aws:lb/loadBalancer:LoadBalancer").state["arn"]


def test_waf_can_be_turned_off(stack_mocks):
    build_load_balancer(stack_mocks, web_acl=False)
    assert not stack_mocks.of_type("aws:wafv2/webAcl:WebAcl")


def configure(stack: str, **overrides: str) -> RecordingMocks:
    """Fresh mocks and the stack's configuration, with some project keys overridden."""
    mocks = use_stack(stack)
    config, secret_keys = PROJECT.host_config(stack)
    values = json.loads(config) | {f"{PROJECT.name}:{key}": value for key, value in overrides.items()}
    pulumi.runtime.set_all_config(values, json.loads(secret_keys))
    return mocks


def build_stack() -> None:
    """The whole stack under the current mocks and configuration."""

    def program() -> None:
        settings = Settings.load()
        TapStack(settings.naming.name("stack"), settings)

    deploy(program)


def test_a_production_stack_without_a_certificate_is_refused_before_anything_is_registered():
    stack = PROJECT.stack_name
    mocks = configure(stack, production="true", domainName="", certificateArn="")
    with pytest.raises(ValueError, match="is production but its public load balancer has no certificate") as refused:
        build_stack()
    assert f"Pulumi.{stack}.yaml" in str(refused.value)
    assert not mocks.resources


@pytest.mark.parametrize("stack", sorted(PROJECT.stacks))
def test_production_stacks_serve_https_only_and_every_load_balancer_sits_behind_waf(stack, stack_records):
    result = stack_records[stack]
    assert result.record is not None, result.notes
    resources = result.record["resources"]

    def of_type(resource_type: str) -> list[dict]:
        return [resource for resource in resources if resource["type"] == resource_type]

    balancers = {balancer["outputs"]["arn"] for balancer in of_type("aws:lb/loadBalancer:LoadBalancer")}
    associations = of_type("aws:wafv2/webAclAssociation:WebAclAssociation")
    assert balancers and {association["inputs"]["resourceArn"] for association in associations} >= balancers
    listeners = [listener["inputs"] for listener in of_type(LISTENER)]
    configure(stack)
    if Settings.load().production:
        https = [listener for listener in listeners if listener["protocol"] == "HTTPS"]
        assert {listener["loadBalancerArn"] for listener in https} == balancers
        assert all(listener["sslPolicy"] == TLS_POLICY for listener in https)
        plain = [listener for listener in listeners if listener["protocol"] == "HTTP"]
        assert all(listener["defaultActions"][0]["type"] == "redirect" for listener in plain)
    else:
        # Other stacks may stay on HTTP (with a warning) until they set domainName or certificateArn.
        assert {listener["loadBalancerArn"] for listener in listeners} == balancers
