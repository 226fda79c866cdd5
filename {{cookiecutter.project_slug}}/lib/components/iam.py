"""IAM documents shared by the components."""

import pulumi


def trust_policy(service: str) -> pulumi.Output[str]:
    """The assume-role policy of a role that only `service` (e.g. "lambda.amazonaws.com") may assume.

    Every role of the stack is assumed by exactly one AWS service; writing that document once keeps a stray
    principal or action from creeping into one copy of it.
    """
    return pulumi.Output.json_dumps(
        {
            "Version": "2012-10-17",
            "Statement": [{"Effect": "Allow", "Principal": {"Service": service}, "Action": "sts:AssumeRole"}],
        }
    )
