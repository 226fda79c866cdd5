"""Auto Scaling: EC2 instances in private subnets behind their own load balancer, hardened at launch.

Instances take no public address and no SSH key (Session Manager instead), require IMDSv2, boot from an encrypted
volume, and carry the cost-allocation tags themselves: provider default tags never reach launched instances.
"""

import base64
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import pulumi
import pulumi_aws as aws

from lib.components.iam import trust_policy
from lib.components.load_balancer import Https, LoadBalancer, LoadBalancerArgs
from lib.naming import IAM_ROLE, Naming
from lib.settings import Settings
from lib.tags import cost_allocation_tags

# Amazon Linux 2023 (standard kernel, x86_64), as AWS publishes it in a public SSM parameter
# (https://docs.aws.amazon.com/linux/al2023/ug/ec2.html). A launch template given `resolve:ssm:<parameter>` lets EC2
# resolve it at each launch (https://docs.aws.amazon.com/autoscaling/ec2/userguide/
# using-systems-manager-parameters.html): the template, and so `pulumi up`, never changes when AWS releases an
# image. Pin one with `instanceAmi` (an AMI id, or `resolve:ssm:<parameter>:<version>`); README, "Auto Scaling
# image", says how to refresh it.
AL2023_PARAMETER = "/aws/service/ami-amazon-linux-latest/al2023-ami-kernel-default-x86_64"
DEFAULT_IMAGE = f"resolve:ssm:{AL2023_PARAMETER}"
IMAGE_PATTERN = re.compile(r"ami-[0-9a-f]{8}([0-9a-f]{9})?|resolve:ssm:/[A-Za-z0-9_./-]+(:[0-9]+)?")
# Account-wide, created by AWS with the account's first Auto Scaling group or by `aws iam create-service-linked-role
# --aws-service-name autoscaling.amazonaws.com` (https://docs.aws.amazon.com/autoscaling/ec2/userguide/
# autoscaling-service-linked-role.html). The key grant below needs it to exist first.
AUTO_SCALING_SERVICE_ROLE = "AWSServiceRoleForAutoScaling"
# What the Auto Scaling service-linked role must do with a customer key to launch from an encrypted volume.
EBS_KEY_OPERATIONS = [
    "Encrypt",
    "Decrypt",
    "ReEncryptFrom",
    "ReEncryptTo",
    "GenerateDataKey",
    "GenerateDataKeyWithoutPlaintext",
    "DescribeKey",
    "CreateGrant",
]


# Until the instances run your application, each serves a static page on the app port, so load balancer health
# checks pass and the group stays stable. Replace it with your application's start-up through `user_data`.
PLACEHOLDER_USER_DATA = """#!/bin/bash
mkdir -p /srv/www && echo ok > /srv/www/index.html
cat > /etc/systemd/system/placeholder-web.service <<'UNIT'
[Unit]
Description=Placeholder web server for load balancer health checks
[Service]
ExecStart=/usr/bin/python3 -m http.server 8080 --directory /srv/www
Restart=always
DynamicUser=yes
[Install]
WantedBy=multi-user.target
UNIT
systemctl enable --now placeholder-web.service
"""


@dataclass(frozen=True)
class AutoScalingArgs:
    """Inputs of the Auto Scaling group; `tags` are put on the instances and volumes it launches."""

    naming: Naming
    production: bool
    vpc_id: pulumi.Input[str]
    public_subnet_ids: Sequence[pulumi.Input[str]]
    private_subnet_ids: Sequence[pulumi.Input[str]]
    kms_key_arn: pulumi.Input[str]
    https: Https
    instance_type: str
    min_size: int
    max_size: int
    desired_capacity: int
    tags: Mapping[str, str]
    # An AMI id, or `resolve:ssm:<parameter>[:<version>]` for EC2 to resolve at launch.
    image: str = DEFAULT_IMAGE
    app_port: int = 8080
    health_check_path: str = "/"
    root_volume_gb: int = 20
    # Boot script that starts the application on app_port; without one, ELB health checks replace instances.
    user_data: str = PLACEHOLDER_USER_DATA
    access_log_bucket: pulumi.Input[str] | None = None

    def __post_init__(self) -> None:
        if not 0 <= self.min_size <= self.desired_capacity <= self.max_size or self.max_size < 1:
            raise ValueError(
                f"need 0 <= min_size ({self.min_size}) <= desired_capacity ({self.desired_capacity}) <= "
                f"max_size ({self.max_size}), max_size >= 1"
            )
        if self.production and self.min_size < 2:
            raise ValueError("production Auto Scaling groups keep at least 2 instances (min_size >= 2)")
        if not IMAGE_PATTERN.fullmatch(self.image):
            raise ValueError(
                f"instanceAmi {self.image!r} must be an AMI id (ami-0123456789abcdef0) or "
                f"resolve:ssm:<parameter>[:<version>] (e.g. {DEFAULT_IMAGE})"
            )

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
        access_log_bucket: pulumi.Input[str] | None = None,
    ) -> "AutoScalingArgs":
        """Auto Scaling inputs from the stack's configuration and the network it runs in."""
        # Two instances in two zones in production; one elsewhere (cost), scaling out to twice that.
        size = 2 if settings.production else 1
        return cls(
            naming=settings.naming,
            production=settings.production,
            vpc_id=vpc_id,
            public_subnet_ids=public_subnet_ids,
            private_subnet_ids=private_subnet_ids,
            kms_key_arn=kms_key_arn,
            https=https,
            instance_type=settings.config.require("instanceType"),
            image=settings.config.require("instanceAmi"),
            min_size=size,
            max_size=2 * size,
            desired_capacity=size,
            tags=cost_allocation_tags(settings),
            access_log_bucket=access_log_bucket,
        )


class AutoScaling(pulumi.ComponentResource):
    """Launch template (IMDSv2, encrypted gp3, SSM-only role) and an ELB-health-checked group behind an ALB."""

    def __init__(self, name: str, args: AutoScalingArgs, opts: pulumi.ResourceOptions | None = None) -> None:
        super().__init__("tap:asg:AutoScaling", name, None, opts)
        self._args = args
        self._child = pulumi.ResourceOptions(parent=self)
        naming = args.naming
        invoke = pulumi.InvokeOutputOptions(parent=self)
        partition = aws.get_partition_output(opts=invoke).partition

        self.load_balancer = LoadBalancer(
            "asg-lb",
            LoadBalancerArgs(
                naming=naming,
                production=args.production,
                role="asg",
                vpc_id=args.vpc_id,
                public_subnet_ids=args.public_subnet_ids,
                target_type="instance",
                target_port=args.app_port,
                health_check_path=args.health_check_path,
                https=args.https,
                access_log_bucket=args.access_log_bucket,
            ),
            opts=self._child,
        )
        self.security_group = self.load_balancer.target_security_group(
            "asg",
            description="Instances: the load balancer on the application port only",
            target="the application",
            # Instances reach Session Manager, package repositories and AWS APIs (through NAT or endpoints).
            egress_description="Instances to AWS APIs and package repositories",
            parent=self,
        )
        self.security_group_id = self.security_group.id

        self.role = aws.iam.Role(
            naming.name("asg-instance", limit=IAM_ROLE),
            assume_role_policy=trust_policy("ec2.amazonaws.com"),
            opts=self._child,
        )
        # Session Manager access replaces SSH keys and open SSH ports; nothing else.
        aws.iam.RolePolicyAttachment(
            naming.name("asg-instance-ssm"),
            role=self.role.name,
            policy_arn=pulumi.Output.concat("arn:", partition, ":iam::aws:policy/AmazonSSMManagedInstanceCore"),
            opts=self._child,
        )
        self.instance_profile = aws.iam.InstanceProfile(
            naming.name("asg-instance"), role=self.role.name, opts=self._child
        )

        launch_tags = {**args.tags, "Name": naming.name("app", auto_named=False)}
        self.launch_template = aws.ec2.LaunchTemplate(
            naming.name("asg-lt"),
            image_id=args.image,
            instance_type=args.instance_type,
            iam_instance_profile=aws.ec2.LaunchTemplateIamInstanceProfileArgs(arn=self.instance_profile.arn),
            # IMDSv2 only, one hop: containers or proxies on the instance cannot reach its credentials.
            metadata_options=aws.ec2.LaunchTemplateMetadataOptionsArgs(
                http_endpoint="enabled", http_tokens="required", http_put_response_hop_limit=1
            ),
            network_interfaces=[
                aws.ec2.LaunchTemplateNetworkInterfaceArgs(
                    device_index=0,
                    associate_public_ip_address="false",
                    delete_on_termination="true",
                    security_groups=[self.security_group.id],
                )
            ],
            block_device_mappings=[
                aws.ec2.LaunchTemplateBlockDeviceMappingArgs(
                    device_name="/dev/xvda",
                    ebs=aws.ec2.LaunchTemplateBlockDeviceMappingEbsArgs(
                        volume_type="gp3",
                        volume_size=args.root_volume_gb,
                        encrypted="true",
                        kms_key_id=args.kms_key_arn,
                        delete_on_termination="true",
                    ),
                )
            ],
            monitoring=aws.ec2.LaunchTemplateMonitoringArgs(enabled=True),
            user_data=_base64(args.user_data) if args.user_data else None,
            tag_specifications=[
                aws.ec2.LaunchTemplateTagSpecificationArgs(resource_type=kind, tags=launch_tags)
                for kind in ("instance", "volume")
            ],
            update_default_version=True,
            opts=self._child,
        )
        # Auto Scaling launches with its service-linked role, which may use the stack key only through this grant.
        # KMS refuses a grant to a role that does not exist, so the role is looked up: in an account without one,
        # `pulumi preview` stops here naming it, instead of `pulumi up` failing halfway (README, "Prerequisites").
        service_role = aws.iam.get_role_output(name=AUTO_SCALING_SERVICE_ROLE, opts=invoke)
        self.key_grant = aws.kms.Grant(
            naming.name("asg-ebs-key"),
            key_id=args.kms_key_arn,
            grantee_principal=service_role.arn,
            operations=EBS_KEY_OPERATIONS,
            opts=self._child,
        )
        self.group = aws.autoscaling.Group(
            naming.name("asg"),
            vpc_zone_identifiers=list(args.private_subnet_ids),
            min_size=args.min_size,
            max_size=args.max_size,
            desired_capacity=args.desired_capacity,
            launch_template=aws.autoscaling.GroupLaunchTemplateArgs(
                id=self.launch_template.id, version=self.launch_template.latest_version.apply(str)
            ),
            target_group_arns=[self.load_balancer.target_group_arn],
            health_check_type="ELB",
            health_check_grace_period=300,
            # A new launch template version replaces instances gradually, keeping the target group served.
            instance_refresh=aws.autoscaling.GroupInstanceRefreshArgs(
                strategy="Rolling",
                preferences=aws.autoscaling.GroupInstanceRefreshPreferencesArgs(min_healthy_percentage=50),
            ),
            tags=[
                aws.autoscaling.GroupTagArgs(key=key, value=value, propagate_at_launch=True)
                for key, value in sorted(launch_tags.items())
            ],
            # The key grant must exist before the first launch; the target group must be in use by a listener.
            opts=pulumi.ResourceOptions(parent=self, depends_on=[self.key_grant, *self.load_balancer.listeners]),
        )

        self.outputs = {
            "autoscaling_group_name": self.group.name,
            "launch_template_id": self.launch_template.id,
            **{f"asg_{key}": value for key, value in self.load_balancer.outputs.items()},
        }
        self.register_outputs(self.outputs)


def _base64(text: str) -> str:
    """Launch templates take user data base64-encoded."""
    return base64.b64encode(text.encode("utf-8")).decode("ascii")
