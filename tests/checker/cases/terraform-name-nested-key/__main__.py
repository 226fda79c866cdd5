import pulumi
import pulumi_aws as aws

# `definition` is the Terraform attribute behind pulumi-aws's `definitions`; the provider maps the name, so
# `pulumi up` deploys this rule group.
rules = aws.networkfirewall.RuleGroup(
    "allow-icmp",
    capacity=10,
    type="STATEFUL",
    rule_group={
        "rule_variables": {"ip_sets": [{"key": "HOME_NET", "ip_set": {"definition": ["10.0.0.0/16"]}}]},
        "rules_source": {"rules_string": "pass icmp $HOME_NET any -> any any (sid:1;)"},
    },
)
pulumi.export("rule_group_arn", rules.arn)
pulumi.export("stack", pulumi.get_stack())
