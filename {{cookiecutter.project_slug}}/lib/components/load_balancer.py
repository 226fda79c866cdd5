"""Load balancer: the one public entry point of a web tier, so compute itself never needs a public address.

Production load balancers serve HTTPS only (plain HTTP answers with a redirect), with a certificate from config or
one ACM issues after DNS validation in Route 53, and an AWS WAF web ACL screens every request.
"""

import re
from collections.abc import Sequence
from dataclasses import dataclass

import pulumi
import pulumi_aws as aws

from lib.components.waf import managed_rule_group, regional_web_acl
from lib.naming import LOAD_BALANCER, TARGET_GROUP, Naming
from lib.settings import Settings

# AWS's recommended listener policy: TLS 1.3 and 1.2 with restricted ciphers and hybrid post-quantum key exchange
# (https://docs.aws.amazon.com/elasticloadbalancing/latest/application/describe-ssl-policies.html).
TLS_POLICY = "ELBSecurityPolicy-TLS13-1-2-Res-PQ-2025-09"
# A fully qualified domain name ACM can certify: dot-separated labels of letters, digits and inner hyphens.
DOMAIN_NAME = re.compile(r"(?=.{1,253}$)(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}")
HTTP_PORT = 80
HTTPS_PORT = 443
# AWS managed rule groups of the web ACL, in evaluation order: known-bad sources first, then the OWASP-style
# baseline and known exploit patterns
# (https://docs.aws.amazon.com/waf/latest/developerguide/aws-managed-rule-groups-list.html).
MANAGED_RULE_GROUPS = (
    "AWSManagedRulesAmazonIpReputationList",
    "AWSManagedRulesCommonRuleSet",
    "AWSManagedRulesKnownBadInputsRuleSet",
)


@dataclass(frozen=True)
class Https:
    """How a public load balancer gets its certificate, and whether AWS WAF screens its requests.

    `certificate_arn` (config `certificateArn`): an ACM certificate in the stack's region. Otherwise `domain_name`
    (config `domainName`): the stack requests an ACM certificate for it, validated by a DNS record it writes in the
    Route 53 public hosted zone `hosted_zone_name` (config `hostedZoneName`; empty means the domain's parent, so
    `pay.example.org` is validated in `example.org`). Neither: plain HTTP, which production stacks refuse.
    Raises ValueError for a domain name that is not fully qualified and lowercase.
    """

    certificate_arn: str = ""
    domain_name: str = ""
    hosted_zone_name: str = ""
    web_acl: bool = True

    def __post_init__(self) -> None:
        if self.domain_name and not DOMAIN_NAME.fullmatch(self.domain_name):
            raise ValueError(
                f"domainName {self.domain_name!r} must be a fully qualified, lowercase domain name such as "
                "app.example.org"
            )

    @property
    def enabled(self) -> bool:
        """True when the load balancer serves HTTPS."""
        return bool(self.certificate_arn or self.domain_name)

    @property
    def issues_certificate(self) -> bool:
        """True when the stack requests the certificate itself (`domain_name` without `certificate_arn`), so it
        writes DNS records in the Route 53 zone `zone`."""
        return bool(self.domain_name and not self.certificate_arn)

    @property
    def zone(self) -> str:
        """The Route 53 hosted zone the certificate is validated in."""
        return self.hosted_zone_name or self.domain_name.partition(".")[2]

    @classmethod
    def from_settings(cls, settings: Settings) -> "Https":
        """The stack's HTTPS settings. Raises ValueError for a production stack without a certificate, so
        `pulumi preview` stops before anything is planned."""
        config = settings.config
        https = cls(
            certificate_arn=config.require("certificateArn"),
            domain_name=config.require("domainName"),
            hosted_zone_name=config.require("hostedZoneName"),
            web_acl=config.require_bool("webAcl"),
        )
        if settings.production and not https.enabled:
            raise ValueError(refusal(settings.stack))
        return https


def refusal(stack: str) -> str:
    """Why a production stack with a public load balancer and no certificate is refused, and what to set."""
    return (
        f"stack {stack!r} is production but its public load balancer has no certificate, so it would serve plain "
        f"HTTP: set domainName (the stack requests an ACM certificate and validates it in Route 53) or "
        f"certificateArn (an issued ACM certificate in the stack's region) in Pulumi.{stack}.yaml"
    )


@dataclass(frozen=True)
class LoadBalancerArgs:
    """Inputs of a load balancer; `role` (at most 4 characters) keeps names unique when a stack has two.

    Raises ValueError for a longer role, an unknown target type, or a production load balancer without HTTPS.
    """

    naming: Naming
    production: bool
    role: str
    vpc_id: pulumi.Input[str]
    public_subnet_ids: Sequence[pulumi.Input[str]]
    target_type: str
    target_port: int
    health_check_path: str
    https: Https
    access_log_bucket: pulumi.Input[str] | None = None

    def __post_init__(self) -> None:
        if len(self.role) > 4:
            raise ValueError(f"load balancer role {self.role!r} must be at most 4 characters (32-character names)")
        if self.target_type not in ("ip", "instance"):
            raise ValueError(f"target_type {self.target_type!r} must be 'ip' (Fargate) or 'instance' (EC2)")
        if self.production and not self.https.enabled:
            raise ValueError(
                f"production load balancer {self.role!r} needs a certificate (domainName or certificateArn)"
            )


class LoadBalancer(pulumi.ComponentResource):
    """A public ALB with a health-checked target group; HTTPS with an HTTP redirect when it has a certificate, and
    an AWS WAF web ACL unless `https.web_acl` is off. Without a certificate it forwards HTTP and warns."""

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
        listener_ports = [HTTP_PORT, HTTPS_PORT] if args.https.enabled else [HTTP_PORT]
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
        self.certificate_arn: pulumi.Input[str] | None = args.https.certificate_arn or None
        self.domain_record: aws.route53.Record | None = None
        if args.https.issues_certificate:
            zone_id = aws.route53.get_zone_output(
                name=args.https.zone, private_zone=False, opts=pulumi.InvokeOutputOptions(parent=self)
            ).zone_id
            self.certificate_arn = self._issued_certificate_arn(zone_id)
            self.domain_record = self._domain_record(zone_id)
        self.listeners = self._listeners()
        self.web_acl = self._web_acl() if args.https.web_acl else None
        if not args.https.enabled:
            pulumi.log.warn(
                f"load balancer {role!r} serves plain HTTP: set domainName or certificateArn for HTTPS "
                "(production stacks require it)",
                resource=self,
            )

        self.outputs = {
            "load_balancer_dns_name": self.load_balancer.dns_name,
            "load_balancer_arn": self.load_balancer.arn,
            "target_group_arn": self.target_group.arn,
        }
        if self.web_acl is not None:
            self.outputs["load_balancer_web_acl_arn"] = self.web_acl.arn
        self.register_outputs(self.outputs)

    def _listeners(self) -> list[aws.lb.Listener]:
        naming, role = self._args.naming, self._args.role
        forward = aws.lb.ListenerDefaultActionArgs(type="forward", target_group_arn=self.target_group.arn)
        if self.certificate_arn is None:
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
            certificate_arn=self.certificate_arn,
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

    def _issued_certificate_arn(self, zone_id: pulumi.Input[str]) -> pulumi.Output[str]:
        """An ACM certificate for the domain, validated in the hosted zone `zone_id`; its ARN is known once ACM has
        issued it."""
        https, naming, role = self._args.https, self._args.naming, self._args.role
        certificate = aws.acm.Certificate(
            naming.name(f"{role}-cert"),
            domain_name=https.domain_name,
            validation_method="DNS",
            opts=self._child,
        )
        # One domain, so one validation record: the CNAME ACM looks up to prove control of the domain
        # (https://docs.aws.amazon.com/acm/latest/userguide/dns-validation.html).
        option = certificate.domain_validation_options[0]
        record = aws.route53.Record(
            naming.name(f"{role}-cert-validation"),
            zone_id=zone_id,
            name=option.resource_record_name,
            type=option.resource_record_type,
            records=[option.resource_record_value],
            ttl=300,
            # Every certificate for this domain in the account is validated by the same record.
            allow_overwrite=True,
            opts=self._child,
        )
        validation = aws.acm.CertificateValidation(
            naming.name(f"{role}-cert-issued"),
            certificate_arn=certificate.arn,
            validation_record_fqdns=[record.fqdn],
            opts=self._child,
        )
        return validation.certificate_arn

    def _domain_record(self, zone_id: pulumi.Input[str]) -> aws.route53.Record:
        """The domain's A record in the hosted zone `zone_id`: a Route 53 alias to the load balancer, which follows
        its changing addresses at no query charge
        (https://docs.aws.amazon.com/Route53/latest/DeveloperGuide/resource-record-sets-choosing-alias-non-alias.html).

        IPv4 only, as the load balancer is: an AAAA alias would answer nothing until it is dualstack, in a VPC with
        IPv6. The record inherits the load balancer's health (`evaluate_target_health`), which lets a failover
        record added later take over
        (https://docs.aws.amazon.com/Route53/latest/APIReference/API_AliasTarget.html).
        """
        naming, role = self._args.naming, self._args.role
        return aws.route53.Record(
            naming.name(f"{role}-domain"),
            zone_id=zone_id,
            name=self._args.https.domain_name,
            type="A",
            aliases=[
                aws.route53.RecordAliasArgs(
                    name=self.load_balancer.dns_name,
                    zone_id=self.load_balancer.zone_id,
                    evaluate_target_health=True,
                )
            ],
            opts=self._child,
        )

    def _web_acl(self) -> aws.wafv2.WebAcl:
        """A regional web ACL of AWS managed rule groups, associated with the load balancer."""
        naming, role = self._args.naming, self._args.role
        rules = [
            managed_rule_group(naming, group, priority, metric_role=f"{role}-waf")
            for priority, group in enumerate(MANAGED_RULE_GROUPS, start=1)
        ]
        web_acl = regional_web_acl(
            naming,
            f"{role}-waf",
            description=f"Load balancer {role}: AWS managed rule groups",
            rules=rules,
            metric_role=f"{role}-waf",
            opts=self._child,
        )
        aws.wafv2.WebAclAssociation(
            naming.name(f"{role}-waf-association"),
            resource_arn=self.load_balancer.arn,
            web_acl_arn=web_acl.arn,
            opts=self._child,
        )
        return web_acl

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
