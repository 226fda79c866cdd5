"""The deployed Auto Scaling group: private instances with IMDSv2, encrypted volumes, behind the target group."""


def test_group_uses_elb_health_checks_and_the_target_group(outputs, aws_session):
    autoscaling = aws_session.client("autoscaling")
    (group,) = autoscaling.describe_auto_scaling_groups(AutoScalingGroupNames=[outputs["autoscaling_group_name"]])[
        "AutoScalingGroups"
    ]
    assert group["HealthCheckType"] == "ELB"
    assert group["TargetGroupARNs"] == [outputs["asg_target_group_arn"]]
    assert all(tag["PropagateAtLaunch"] for tag in group["Tags"])


def test_launch_template_requires_imdsv2_and_encrypts_the_root_volume(outputs, aws_session):
    ec2 = aws_session.client("ec2")
    (version,) = ec2.describe_launch_template_versions(
        LaunchTemplateId=outputs["launch_template_id"], Versions=["$Latest"]
    )["LaunchTemplateVersions"]
    data = version["LaunchTemplateData"]
    assert data["MetadataOptions"]["HttpTokens"] == "required"
    assert data["BlockDeviceMappings"][0]["Ebs"]["Encrypted"] is True
    assert data["NetworkInterfaces"][0]["AssociatePublicIpAddress"] is False


def test_load_balancer_is_internet_facing(outputs, aws_session):
    elb = aws_session.client("elbv2")
    (balancer,) = elb.describe_load_balancers(LoadBalancerArns=[outputs["asg_load_balancer_arn"]])["LoadBalancers"]
    assert balancer["DNSName"] == outputs["asg_load_balancer_dns_name"]
