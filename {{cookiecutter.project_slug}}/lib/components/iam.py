"""IAM documents shared by the components."""

import pulumi


def trust_policy(
    service: str,
    *,
    source_account: pulumi.Input[str] | None = None,
    source_arn: pulumi.Input[str] | None = None,
) -> pulumi.Output[str]:
    """The assume-role policy of a role that only `service` (e.g. "vpc-flow-logs.amazonaws.com") may assume.

    With `source_account` (an account id) and `source_arn` (an ARN pattern, e.g. this account's flow logs), the
    service may assume the role only on behalf of those resources: AWS's protection against the cross-service
    confused deputy (https://docs.aws.amazon.com/IAM/latest/UserGuide/confused-deputy.html). Give them only where
    the service's own documentation says it sends `aws:SourceAccount` / `aws:SourceArn` when assuming the role:
    a condition on a key that is absent from the request denies it, so the role could never be assumed. Lambda
    execution roles and EC2 instance roles are assumed without those keys and take neither.

    Every role of the stack is assumed by exactly one AWS service; writing that document once keeps a stray
    principal or action from creeping into one copy of it.
    """
    statement: dict[str, object] = {"Effect": "Allow", "Principal": {"Service": service}, "Action": "sts:AssumeRole"}
    condition: dict[str, dict[str, pulumi.Input[str]]] = {}
    if source_account is not None:
        condition["StringEquals"] = {"aws:SourceAccount": source_account}
    if source_arn is not None:
        condition["ArnLike"] = {"aws:SourceArn": source_arn}
    if condition:
        statement["Condition"] = condition
    return pulumi.Output.json_dumps({"Version": "2012-10-17", "Statement": [statement]})
