"""Traced Lambda functions: an encrypted log group, a role only Lambda may assume, and a function with X-Ray on.

The webhook, every transactions route and the migrations runner are built the same way, so they are built here.
The resources are children of the calling component, not of a component of their own: their URNs (and so the
stacks already deployed) stay what they were when each component built them itself.
"""

from collections.abc import Mapping, Sequence

import pulumi
import pulumi_aws as aws

from lib.components.iam import trust_policy
from lib.naming import IAM_ROLE, LAMBDA_FUNCTION, Naming

RUNTIME = "python3.12"


class TracedFunction:
    """One Lambda, in two steps: its log group and role now, the function (`create`) once the role's grants exist.

    Two steps because the grants name the log group and the role, and the function must wait for the grants:
    Lambda checks some of them at creation, and the first invocation needs them all.
    """

    def __init__(
        self,
        name: str,
        naming: Naming,
        *,
        kms_key_arn: pulumi.Input[str],
        log_retention_days: int,
        parent: pulumi.Resource,
    ) -> None:
        self._name = name
        self._naming = naming
        self._kms_key_arn = kms_key_arn
        self._parent = parent
        self._child = pulumi.ResourceOptions(parent=parent)
        # Created before the function and named in its logging config, so Lambda never creates an unencrypted one.
        self.log_group = aws.cloudwatch.LogGroup(
            naming.name(f"{name}-logs"),
            retention_in_days=log_retention_days,
            kms_key_id=kms_key_arn,
            opts=self._child,
        )
        self.role = aws.iam.Role(
            naming.name(name, limit=IAM_ROLE),
            assume_role_policy=trust_policy("lambda.amazonaws.com"),
            opts=self._child,
        )

    def policy(self, statements: Sequence[dict[str, object]]) -> aws.iam.RolePolicy:
        """The role's inline policy: writing to its own log group and to X-Ray, plus the function's `statements`."""
        baseline: list[dict[str, object]] = [
            {
                "Sid": "OwnLogGroup",
                "Effect": "Allow",
                "Action": ["logs:CreateLogStream", "logs:PutLogEvents"],
                "Resource": [self.log_group.arn, pulumi.Output.concat(self.log_group.arn, ":*")],
            },
            {
                # X-Ray's write actions have no resource-level permissions: AWS requires "*" here.
                "Sid": "XRayWrite",
                "Effect": "Allow",
                "Action": ["xray:PutTraceSegments", "xray:PutTelemetryRecords"],
                "Resource": "*",
            },
        ]
        return aws.iam.RolePolicy(
            self._naming.name(f"{self._name}-policy"),
            role=self.role.id,
            policy=pulumi.Output.json_dumps({"Version": "2012-10-17", "Statement": [*baseline, *statements]}),
            opts=self._child,
        )

    def create(
        self,
        *,
        handler: str,
        code: pulumi.Archive,
        timeout: int,
        depends_on: Sequence[pulumi.Resource],
        variables: Mapping[str, pulumi.Input[str]] | None = None,
        vpc_config: aws.lambda_.FunctionVpcConfigArgs | None = None,
        architectures: Sequence[str] | None = None,
        description: str | None = None,
    ) -> aws.lambda_.Function:
        """The function: traced, its environment encrypted with the stack key, logging JSON to its own group.

        `depends_on` names the role's grants, which the function must not run (or, in a VPC, be created) without.
        """
        return aws.lambda_.Function(
            self._naming.name(self._name, limit=LAMBDA_FUNCTION),
            description=description,
            runtime=RUNTIME,
            handler=handler,
            code=code,
            role=self.role.arn,
            timeout=timeout,
            memory_size=256,
            architectures=list(architectures) if architectures else None,
            kms_key_arn=self._kms_key_arn,
            environment=aws.lambda_.FunctionEnvironmentArgs(variables=dict(variables)) if variables else None,
            vpc_config=vpc_config,
            tracing_config=aws.lambda_.FunctionTracingConfigArgs(mode="Active"),
            logging_config=aws.lambda_.FunctionLoggingConfigArgs(log_format="JSON", log_group=self.log_group.name),
            opts=pulumi.ResourceOptions(parent=self._parent, depends_on=list(depends_on)),
        )
