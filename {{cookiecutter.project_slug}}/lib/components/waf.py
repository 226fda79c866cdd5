"""AWS WAF for regional resources (a load balancer, an API Gateway stage): web ACLs of AWS managed rule groups.

The load balancer and the transactions API both build their web ACL here, so they screen requests the same way:
each managed rule group acts as AWS ships it, and every rule and web ACL reports CloudWatch metrics and keeps
sampled requests (https://docs.aws.amazon.com/waf/latest/APIReference/API_VisibilityConfig.html).
"""

from collections.abc import Sequence

import pulumi
import pulumi_aws as aws

from lib.naming import Naming


def rule_visibility(naming: Naming, role: str) -> aws.wafv2.WebAclRuleVisibilityConfigArgs:
    """A rule's CloudWatch metrics, named `<prefix>-<role>-<suffix>`, with sampled requests kept."""
    return aws.wafv2.WebAclRuleVisibilityConfigArgs(
        cloudwatch_metrics_enabled=True,
        metric_name=naming.name(role, auto_named=False),
        sampled_requests_enabled=True,
    )


def managed_rule_group(naming: Naming, group: str, priority: int, metric_role: str) -> aws.wafv2.WebAclRuleArgs:
    """A rule applying the AWS managed rule group `group` (vendor AWS) with the group's own actions, as AWS ships
    it (override action `none`), evaluated at `priority` (lower first); its metrics are named after
    `<metric_role>-<group>`.

    The groups: https://docs.aws.amazon.com/waf/latest/developerguide/aws-managed-rule-groups-list.html
    """
    return aws.wafv2.WebAclRuleArgs(
        name=group,
        priority=priority,
        override_action=aws.wafv2.WebAclRuleOverrideActionArgs(none=aws.wafv2.WebAclRuleOverrideActionNoneArgs()),
        statement=aws.wafv2.WebAclRuleStatementArgs(
            managed_rule_group_statement=aws.wafv2.WebAclRuleStatementManagedRuleGroupStatementArgs(
                name=group, vendor_name="AWS"
            )
        ),
        visibility_config=rule_visibility(naming, f"{metric_role}-{group}"),
    )


def regional_web_acl(
    naming: Naming,
    role: str,
    *,
    description: str,
    rules: Sequence[aws.wafv2.WebAclRuleArgs],
    metric_role: str,
    opts: pulumi.ResourceOptions,
) -> aws.wafv2.WebAcl:
    """A web ACL for regional resources (scope `REGIONAL`) named after `role`, allowing what none of `rules`
    blocks; its own metrics are named `<prefix>-<metric_role>-<suffix>`. Associate it with the resource it
    guards (`aws.wafv2.WebAclAssociation`)."""
    return aws.wafv2.WebAcl(
        naming.name(role),
        description=description,
        scope="REGIONAL",
        default_action=aws.wafv2.WebAclDefaultActionArgs(allow=aws.wafv2.WebAclDefaultActionAllowArgs()),
        rules=list(rules),
        visibility_config=aws.wafv2.WebAclVisibilityConfigArgs(
            cloudwatch_metrics_enabled=True,
            metric_name=naming.name(metric_role, auto_named=False),
            sampled_requests_enabled=True,
        ),
        opts=opts,
    )
