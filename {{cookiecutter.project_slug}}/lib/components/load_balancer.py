"""Load balancer: the one public entry point of a web tier, so compute itself never needs a public address."""

from collections.abc import Sequence
from dataclasses import dataclass

import pulumi
import pulumi_aws as aws

from lib.naming import LOAD_BALANCER, TARGET_GROUP, Naming

# TLS 1.2 minimum with TLS 1.3 preferred: AWS's recommended listener policy.
TLS_POLICY = "ELBSecurityPolicy-TLS13-1-2-2021-06"
HTTP_PORT = 80
HTTPS_PORT = 443


@dataclass(frozen=True)
class LoadBalancerArgs:
    """Inputs of a load balancer; `role` (at most 4 characters) keeps names unique when a stack has two."""

    naming: Naming
    production: bool
    role: str
    vpc_id: pulumi.Input[str]
    public_subnet_ids: Sequence[pulumi.Input[str]]
    target_type: str
    target_port: int
    health_check_path: str
    certificate_arn: str
    access_log_bucket: pulumi.Input[str] | None = None

    def __post_init__(self) -> None:
        if len(self.role) > 4:
            raise ValueError(f"load balancer role {self.role!r} must be at most 4 characters (32-character names)")
        if self.target_type not in ("ip", "instance"):
            raise ValueError(f"target_type {self.target_type!r} must be 'ip' (Fargate) or 'instance' (EC2)")


class LoadBalancer(pulumi.ComponentResource):
    """A public ALB with a health-checked target group; HTTPS with an HTTP redirect when a certificate is set."""

    def __init__(self, name: str, args: LoadBalancerArgs, opts: pulumi.ResourceOptions | None = None) -> None:
        super().__init__("tap:load_balancer:LoadBalancer", name, None, opts)
        self._args = args
        self._child = pulumi.ResourceOptions(parent=self)
        naming, role = args.naming, args.role

        self.security_group = aws.ec2.SecurityGroup(
            naming.name(f"{role}-alb-sg"),
            vpc_id=args.vpc_id,
            description="Public load balancer: HTTP(S) from the internet, out to its targets only",
            opts=self._child,
        )
        self.security_group_id = self.security_group.id
        # The only world-open rules of the stack, and only on the ports a listener answers.
        listener_ports = [HTTP_PORT, HTTPS_PORT] if args.certificate_arn else [HTTP_PORT]
        for port in listener_ports:
            aws.vpc.SecurityGroupIngressRule(
                naming.name(f"{role}-alb-in{port}"),
                security_group_id=self.security_group.id,
                description=f"Internet to the load balancer on {port}",
                cidr_ipv4="0.0.0.0/0",
                ip_protocol="tcp",
                from_port=port,
                to_port=port,
                opts=self._child,
            )

        access_logs = None
        if args.access_log_bucket is not None:
            access_logs = aws.lb.LoadBalancerAccessLogsArgs(bucket=args.access_log_bucket, prefix=role, enabled=True)
        self.load_balancer = aws.lb.LoadBalancer(
            naming.name(role, limit=LOAD_BALANCER),
            load_balancer_type="application",
            internal=False,
            subnets=list(args.public_subnet_ids),
            security_groups=[self.security_group.id],
            # Requests with malformed headers are dropped instead of reaching the application (request smuggling).
            drop_invalid_header_fields=True,
            enable_deletion_protection=args.production,
            access_logs=access_logs,
            opts=self._child,
        )
        self.target_group = aws.lb.TargetGroup(
            naming.name(role, limit=TARGET_GROUP),
            vpc_id=args.vpc_id,
            target_type=args.target_type,
            port=args.target_port,
            protocol="HTTP",
            deregistration_delay=30,
            health_check=aws.lb.TargetGroupHealthCheckArgs(
                enabled=True,
                path=args.health_check_path,
                protocol="HTTP",
                matcher="200-399",
                interval=15,
                timeout=5,
                healthy_threshold=2,
                unhealthy_threshold=3,
            ),
            opts=self._child,
        )
        self.target_group_arn = self.target_group.arn
        # CloudWatch names load balancers and target groups by these suffixes (for Monitoring).
        self.arn_suffix = self.load_balancer.arn_suffix
        self.target_group_arn_suffix = self.target_group.arn_suffix
        self.listeners = self._listeners()

        self.outputs = {
            "load_balancer_dns_name": self.load_balancer.dns_name,
            "load_balancer_arn": self.load_balancer.arn,
            "target_group_arn": self.target_group.arn,
        }
        self.register_outputs(self.outputs)

    def _listeners(self) -> list[aws.lb.Listener]:
        naming, role = self._args.naming, self._args.role
        forward = aws.lb.ListenerDefaultActionArgs(type="forward", target_group_arn=self.target_group.arn)
        if not self._args.certificate_arn:
            return [
                aws.lb.Listener(
                    naming.name(f"{role}-http"),
                    load_balancer_arn=self.load_balancer.arn,
                    port=HTTP_PORT,
                    protocol="HTTP",
                    default_actions=[forward],
                    opts=self._child,
                )
            ]
        https = aws.lb.Listener(
            naming.name(f"{role}-https"),
            load_balancer_arn=self.load_balancer.arn,
            port=HTTPS_PORT,
            protocol="HTTPS",
            ssl_policy=TLS_POLICY,
            certificate_arn=self._args.certificate_arn,
            default_actions=[forward],
            opts=self._child,
        )
        # Plain HTTP only ever answers with a permanent redirect to HTTPS.
        redirect = aws.lb.Listener(
            naming.name(f"{role}-http"),
            load_balancer_arn=self.load_balancer.arn,
            port=HTTP_PORT,
            protocol="HTTP",
            default_actions=[
                aws.lb.ListenerDefaultActionArgs(
                    type="redirect",
                    redirect=aws.lb.ListenerDefaultActionRedirectArgs(
                        port=str(HTTPS_PORT), protocol="HTTPS", status_code="HTTP_301"
                    ),
                )
            ],
            opts=self._child,
        )
        return [https, redirect]

    def allow_to_targets(self, role: str, target_security_group_id: pulumi.Input[str]) -> None:
        """Let the load balancer reach its targets' security group on the target port, and nothing else."""
        aws.vpc.SecurityGroupEgressRule(
            self._args.naming.name(f"{self._args.role}-alb-to-{role}"),
            security_group_id=self.security_group.id,
            description=f"Load balancer to {role} on {self._args.target_port}",
            referenced_security_group_id=target_security_group_id,
            ip_protocol="tcp",
            from_port=self._args.target_port,
            to_port=self._args.target_port,
            opts=self._child,
        )

    def target_security_group(
        self, role: str, *, description: str, target: str, egress_description: str, parent: pulumi.Resource
    ) -> aws.ec2.SecurityGroup:
        """The security group of this load balancer's targets, a child of `parent` (the component they belong to).

        Inbound: only this load balancer, only on the target port; this load balancer may reach it there. Outbound:
        anywhere, for AWS APIs and package or image downloads (through NAT or endpoints). `target` names what
        listens, for the ingress rule's description.
        """
        naming, port = self._args.naming, self._args.target_port
        child = pulumi.ResourceOptions(parent=parent)
        security_group = aws.ec2.SecurityGroup(
            naming.name(f"{role}-sg"), vpc_id=self._args.vpc_id, description=description, opts=child
        )
        aws.vpc.SecurityGroupIngressRule(
            naming.name(f"{role}-from-alb"),
            security_group_id=security_group.id,
            description=f"Load balancer to {target} on {port}",
            referenced_security_group_id=self.security_group_id,
            ip_protocol="tcp",
            from_port=port,
            to_port=port,
            opts=child,
        )
        aws.vpc.SecurityGroupEgressRule(
            naming.name(f"{role}-egress"),
            security_group_id=security_group.id,
            description=egress_description,
            cidr_ipv4="0.0.0.0/0",
            ip_protocol="-1",
            opts=child,
        )
        self.allow_to_targets(role, security_group.id)
        return security_group
