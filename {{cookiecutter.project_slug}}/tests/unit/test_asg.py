"""The Auto Scaling group: private, IMDSv2-only, encrypted, SSM-only instances behind the ALB, tagged at launch."""

import base64

import pytest

from lib.components.asg import AL2023_PARAMETER, DEFAULT_IMAGE, AutoScaling, AutoScalingArgs
from lib.components.load_balancer import Https
from lib.naming import Naming
from tests.unit.conftest import RecordingMocks, deploy

KEY_ARN = "arn:aws:kms:us-east-1:123456789012:key/test"
AMI_ID = "ami-0123456789abcdef0"
TAGS = {"Owner": "platform-team", "CostCenter": "engineering"}
GET_ROLE = "aws:iam/getRole:getRole"
SERVICE_ROLE_ARN = (
    "arn:aws:iam::123456789012:role/aws-service-role/autoscaling.amazonaws.com/AWSServiceRoleForAutoScaling"
)


@pytest.fixture
def ami_mocks(stack_mocks, monkeypatch) -> RecordingMocks:
    """The stack mocks, also answering (and recording) the service-linked role lookup."""
    calls: list = []
    answer = stack_mocks.call

    def call(args):
        calls.append(args)
        return {"arn": SERVICE_ROLE_ARN, "name": args.args["name"]} if args.token == GET_ROLE else answer(args)

    monkeypatch.setattr(stack_mocks, "call", call)
    monkeypatch.setattr(stack_mocks, "calls", calls, raising=False)
    return stack_mocks


def build_asg(production: bool = False, user_data: str | None = None, image: str = DEFAULT_IMAGE) -> AutoScaling:
    """An Auto Scaling group sized for the environment, registered under the current mocks."""
    size = 2 if production else 1
    args = AutoScalingArgs(
        naming=Naming("tap", "test"),
        production=production,
        vpc_id="vpc-1",
        public_subnet_ids=["public-a", "public-b"],
        private_subnet_ids=["private-a", "private-b"],
        kms_key_arn=KEY_ARN,
        # Production load balancers serve HTTPS only.
        https=Https(certificate_arn="arn:aws:acm:us-east-1:123456789012:certificate/test" if production else ""),
        instance_type="t3.micro",
        min_size=size,
        max_size=2 * size,
        desired_capacity=size,
        tags=TAGS,
        image=image,
        **({} if user_data is None else {"user_data": user_data}),
    )
    built: list[AutoScaling] = []
    deploy(lambda: built.append(AutoScaling("asg", args)))
    return built[0]


def test_image_is_amazon_linux_2023_resolved_by_ec2_at_launch(ami_mocks):
    # No lookup at preview: an image release changes nothing Pulumi sees, so no `pulumi up` rolls the instances.
    build_asg()
    assert not [call for call in ami_mocks.calls if call.token == "aws:ec2/getAmi:getAmi"]
    assert ami_mocks.one("aws:ec2/launchTemplate:LaunchTemplate").inputs["imageId"] == f"resolve:ssm:{AL2023_PARAMETER}"


@pytest.mark.parametrize("image", [AMI_ID, f"resolve:ssm:{AL2023_PARAMETER}:42"])
def test_a_pinned_image_is_launched_as_given(ami_mocks, image):
    build_asg(image=image)
    assert ami_mocks.one("aws:ec2/launchTemplate:LaunchTemplate").inputs["imageId"] == image


@pytest.mark.parametrize("image", ["", "latest", "ami-123", f"resolve:ssm:{AL2023_PARAMETER}:latest"])
def test_an_image_that_is_neither_an_ami_nor_a_parameter_is_refused(image):
    with pytest.raises(ValueError, match="instanceAmi"):
        AutoScalingArgs(Naming("tap", "test"), False, "vpc", [], [], KEY_ARN, "", "t3.micro", 1, 2, 1, TAGS, image)


def test_instances_require_imdsv2_with_one_hop(ami_mocks):
    build_asg()
    metadata = ami_mocks.one("aws:ec2/launchTemplate:LaunchTemplate").inputs["metadataOptions"]
    assert metadata["httpTokens"] == "required"
    assert metadata["httpPutResponseHopLimit"] == 1


def test_root_volume_is_encrypted_gp3_with_the_stack_key(ami_mocks):
    build_asg()
    (device,) = ami_mocks.one("aws:ec2/launchTemplate:LaunchTemplate").inputs["blockDeviceMappings"]
    assert device["ebs"]["volumeType"] == "gp3"
    assert device["ebs"]["encrypted"] == "true"
    assert device["ebs"]["kmsKeyId"] == KEY_ARN
    grant = ami_mocks.one("aws:kms/grant:Grant")
    assert grant.inputs["keyId"] == KEY_ARN
    # The grantee is the account's service-linked role as IAM reports it: preview stops where it does not exist.
    (lookup,) = [call for call in ami_mocks.calls if call.token == GET_ROLE]
    assert lookup.args["name"] == "AWSServiceRoleForAutoScaling"
    assert grant.inputs["granteePrincipal"] == SERVICE_ROLE_ARN
    assert "CreateGrant" in grant.inputs["operations"]


def test_instances_get_no_public_ip_and_only_the_instance_group(ami_mocks):
    build_asg()
    group = next(g for g in ami_mocks.of_type("aws:ec2/securityGroup:SecurityGroup") if "asg-sg" in g.name)
    (interface,) = ami_mocks.one("aws:ec2/launchTemplate:LaunchTemplate").inputs["networkInterfaces"]
    assert interface["associatePublicIpAddress"] == "false"
    assert interface["securityGroups"] == [group.id]


def test_instance_role_has_ssm_core_only(ami_mocks):
    build_asg()
    (attachment,) = ami_mocks.of_type("aws:iam/rolePolicyAttachment:RolePolicyAttachment")
    assert attachment.inputs["policyArn"] == "arn:aws:iam::aws:policy/AmazonSSMManagedInstanceCore"
    assert not ami_mocks.of_type("aws:iam/rolePolicy:RolePolicy")
    role = ami_mocks.one("aws:iam/role:Role")
    profile = ami_mocks.one("aws:iam/instanceProfile:InstanceProfile")
    assert profile.inputs["role"] == role.state["name"]
    template = ami_mocks.one("aws:ec2/launchTemplate:LaunchTemplate")
    assert template.inputs["iamInstanceProfile"] == {"arn": profile.state["arn"]}


def test_group_runs_in_private_subnets_behind_the_target_group_with_elb_checks(ami_mocks):
    build_asg()
    group = ami_mocks.one("aws:autoscaling/group:Group")
    target_group = ami_mocks.one("aws:lb/targetGroup:TargetGroup")
    assert group.inputs["vpcZoneIdentifiers"] == ["private-a", "private-b"]
    assert group.inputs["targetGroupArns"] == [target_group.state["arn"]]
    assert target_group.inputs["targetType"] == "instance"
    assert group.inputs["healthCheckType"] == "ELB"


def test_tags_propagate_to_launched_instances_and_volumes(ami_mocks):
    build_asg()
    group_tags = {t["key"]: t for t in ami_mocks.one("aws:autoscaling/group:Group").inputs["tags"]}
    assert {"Owner", "CostCenter", "Name"} <= set(group_tags)
    assert all(tag["propagateAtLaunch"] is True for tag in group_tags.values())
    specs = ami_mocks.one("aws:ec2/launchTemplate:LaunchTemplate").inputs["tagSpecifications"]
    assert sorted(spec["resourceType"] for spec in specs) == ["instance", "volume"]
    assert all(spec["tags"]["Owner"] == "platform-team" for spec in specs)


def test_instance_group_admits_only_the_load_balancer_on_the_app_port(ami_mocks):
    build_asg()
    groups = {g.name: g for g in ami_mocks.of_type("aws:ec2/securityGroup:SecurityGroup")}
    instance_group = next(g for name, g in groups.items() if "asg-sg" in name)
    alb_group = next(g for name, g in groups.items() if "alb-sg" in name)
    rules = [r for r in ami_mocks.of_type("aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule")
             if r.inputs["securityGroupId"] == instance_group.id]
    assert len(rules) == 1
    assert rules[0].inputs["referencedSecurityGroupId"] == alb_group.id
    assert rules[0].inputs["fromPort"] == rules[0].inputs["toPort"] == 8080


@pytest.mark.parametrize(("production", "size"), [(False, 1), (True, 2)])
def test_group_size_follows_the_environment(ami_mocks, production, size):
    build_asg(production=production)
    group = ami_mocks.one("aws:autoscaling/group:Group")
    assert (group.inputs["minSize"], group.inputs["desiredCapacity"], group.inputs["maxSize"]) == (
        size, size, 2 * size)
    assert ami_mocks.one("aws:lb/loadBalancer:LoadBalancer").inputs["enableDeletionProtection"] is production


def test_user_data_is_base64_encoded(ami_mocks):
    build_asg(user_data="#!/bin/bash\necho hi\n")
    encoded = ami_mocks.one("aws:ec2/launchTemplate:LaunchTemplate").inputs["userData"]
    assert base64.b64decode(encoded).decode() == "#!/bin/bash\necho hi\n"


def test_outputs_prefix_the_load_balancer_keys(ami_mocks):
    built = build_asg()
    assert ami_mocks.one("aws:autoscaling/group:Group")
    assert set(built.outputs) == {"autoscaling_group_name", "launch_template_id", "asg_load_balancer_dns_name",
                                  "asg_load_balancer_arn", "asg_target_group_arn", "asg_load_balancer_web_acl_arn"}


def test_production_groups_below_two_instances_are_refused():
    with pytest.raises(ValueError, match="at least 2"):
        AutoScalingArgs(Naming("tap", "prod"), True, "vpc", [], [], KEY_ARN, Https(), "t3.micro", 1, 2, 1, TAGS)
    with pytest.raises(ValueError, match="min_size"):
        AutoScalingArgs(Naming("tap", "test"), False, "vpc", [], [], KEY_ARN, Https(), "t3.micro", 3, 2, 2, TAGS)


def test_default_user_data_answers_health_checks_on_the_app_port(ami_mocks):
    build_asg()
    template = ami_mocks.one("aws:ec2/launchTemplate:LaunchTemplate")
    script = base64.b64decode(template.inputs["userData"]).decode()
    assert script.startswith("#!/bin/bash") and "http.server 8080" in script
