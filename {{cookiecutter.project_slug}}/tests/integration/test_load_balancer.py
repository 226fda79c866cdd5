"""The deployed load balancer: public, dropping invalid headers, with a health-checked target group."""


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
