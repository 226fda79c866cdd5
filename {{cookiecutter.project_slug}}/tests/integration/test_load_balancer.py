"""The deployed load balancer: public, dropping invalid headers, with a health-checked target group, HTTPS with the
current TLS policy when it has a certificate, and a WAF web ACL."""


def test_load_balancer_is_public_and_drops_invalid_headers(outputs, aws_session):
    elb = aws_session.client("elbv2")
    (balancer,) = elb.describe_load_balancers(LoadBalancerArns=[outputs["load_balancer_arn"]])["LoadBalancers"]
    assert balancer["Scheme"] == "internet-facing"
    assert balancer["DNSName"] == outputs["load_balancer_dns_name"]
    attributes = elb.describe_load_balancer_attributes(LoadBalancerArn=outputs["load_balancer_arn"])["Attributes"]
    values = {attribute["Key"]: attribute["Value"] for attribute in attributes}
    assert values["routing.http.drop_invalid_header_fields.enabled"] == "true"


def test_listeners_forward_to_the_target_group_or_redirect_to_https(outputs, aws_session):
    elb = aws_session.client("elbv2")
    listeners = elb.describe_listeners(LoadBalancerArn=outputs["load_balancer_arn"])["Listeners"]
    assert listeners
    for listener in listeners:
        (action,) = listener["DefaultActions"]
        if action["Type"] == "redirect":
            assert action["RedirectConfig"]["Protocol"] == "HTTPS"
        else:
            assert action["TargetGroupArn"] == outputs["target_group_arn"]


def test_target_group_is_health_checked(outputs, aws_session):
    elb = aws_session.client("elbv2")
    (group,) = elb.describe_target_groups(TargetGroupArns=[outputs["target_group_arn"]])["TargetGroups"]
    assert group["HealthCheckEnabled"] is True


def test_waf_web_acl_guards_the_load_balancer(outputs, aws_session):
    waf = aws_session.client("wafv2")
    web_acl = waf.get_web_acl_for_resource(ResourceArn=outputs["load_balancer_arn"])["WebACL"]
    assert web_acl["ARN"] == outputs["load_balancer_web_acl_arn"]
    groups = {rule["Statement"]["ManagedRuleGroupStatement"]["Name"] for rule in web_acl["Rules"]}
    assert "AWSManagedRulesCommonRuleSet" in groups


def test_https_listeners_use_the_current_tls_policy(outputs, aws_session):
    elb = aws_session.client("elbv2")
    listeners = elb.describe_listeners(LoadBalancerArn=outputs["load_balancer_arn"])["Listeners"]
    https = [listener for listener in listeners if listener["Protocol"] == "HTTPS"]
    plain = [listener for listener in listeners if listener["Protocol"] == "HTTP"]
    assert all(listener["SslPolicy"] == "ELBSecurityPolicy-TLS13-1-2-Res-PQ-2025-09" for listener in https)
    # With HTTPS, plain HTTP only redirects; without a certificate (non-production only) HTTP is the one listener.
    if https:
        assert all(listener["DefaultActions"][0]["Type"] == "redirect" for listener in plain)
    else:
        assert len(plain) == 1
