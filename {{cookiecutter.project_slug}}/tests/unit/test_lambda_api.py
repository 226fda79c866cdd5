"""The webhook function: traced, encrypted logs made first, a generated secret, least privilege, IAM-only URL."""

import pytest

from lib.components.lambda_api import CODE, WebhookFunction, WebhookFunctionArgs
from lib.naming import Naming
from tests.unit.conftest import PROJECT, RecordingMocks, deploy, policy, use_stack

KEY_ARN = "arn:aws:kms:us-east-1:123456789012:key/test"
TABLE_ARN = "arn:aws:dynamodb:us-east-1:123456789012:table/events"
FUNCTION = "aws:lambda/function:Function"


def build_webhook(
    mocks: RecordingMocks,
    production: bool = False,
    function_url: bool = True,
    table: bool = False,
    in_vpc: bool = False,
) -> tuple[RecordingMocks, list[WebhookFunction]]:
    """A webhook function with the given options, registered under `mocks`."""
    args = WebhookFunctionArgs(
        naming=Naming("tap", "test"),
        production=production,
        region="us-east-1",
        kms_key_arn=KEY_ARN,
        log_retention_days=30,
        function_url=function_url,
        table_arn=TABLE_ARN if table else None,
        table_name="events" if table else None,
        vpc_id="vpc-1" if in_vpc else None,
        private_subnet_ids=["private-a", "private-b"] if in_vpc else (),
    )
    built: list[WebhookFunction] = []
    deploy(lambda: built.append(WebhookFunction("webhook", args)))
    return mocks, built


@pytest.fixture(scope="module")
def default_webhook() -> RecordingMocks:
    """`build_webhook` with its defaults, registered once for the tests of this module that only read it."""
    mocks = use_stack(PROJECT.stack_name)
    build_webhook(mocks)
    use_stack(PROJECT.stack_name)  # the tests' own deployments record elsewhere
    return mocks


def statements(mocks: RecordingMocks) -> dict[str, dict]:
    """The function role's policy statements by Sid."""
    return {s["Sid"]: s for s in policy(mocks.one("aws:iam/rolePolicy:RolePolicy"))["Statement"]}


def test_function_is_traced_and_logs_to_its_encrypted_group(default_webhook):
    function = default_webhook.one(FUNCTION)
    log_group = default_webhook.one("aws:cloudwatch/logGroup:LogGroup")
    assert function.inputs["runtime"] == "python3.12"
    assert function.inputs["tracingConfig"] == {"mode": "Active"}
    assert function.inputs["loggingConfig"]["logGroup"] == log_group.state["name"]
    assert log_group.inputs["kmsKeyId"] == KEY_ARN
    assert log_group.inputs["retentionInDays"] == 30
    # The log group is registered before the function, so Lambda never creates an unencrypted one.
    assert default_webhook.resources.index(log_group) < default_webhook.resources.index(function)


def test_code_ships_the_handler_folder():
    assert (CODE / "handler.py").is_file()


def test_signing_secret_is_generated_and_encrypted(default_webhook):
    password = default_webhook.one("random:index/randomPassword:RandomPassword")
    secret = default_webhook.one("aws:secretsmanager/secret:Secret")
    version = default_webhook.one("aws:secretsmanager/secretVersion:SecretVersion")
    assert secret.inputs["kmsKeyId"] == KEY_ARN
    assert version.inputs["secretId"] == secret.id
    assert version.inputs["secretString"]["value"] == password.state["result"]["value"]
    function = default_webhook.one(FUNCTION)
    assert function.inputs["environment"]["variables"]["SECRET_ARN"] == secret.state["arn"]


@pytest.mark.parametrize(("production", "window"), [(False, 0), (True, 30)])
def test_secret_recovery_window_depends_on_production(stack_mocks, production, window):
    build_webhook(stack_mocks, production=production)
    assert stack_mocks.one("aws:secretsmanager/secret:Secret").inputs["recoveryWindowInDays"] == window


def test_role_writes_only_its_log_group_and_reads_only_its_secret(default_webhook):
    log_group = default_webhook.one("aws:cloudwatch/logGroup:LogGroup")
    secret = default_webhook.one("aws:secretsmanager/secret:Secret")
    found = statements(default_webhook)
    assert found["OwnLogGroup"]["Resource"] == [log_group.state["arn"], log_group.state["arn"] + ":*"]
    assert "logs:CreateLogGroup" not in found["OwnLogGroup"]["Action"]
    assert found["OwnSecret"]["Resource"] == secret.state["arn"]
    assert found["DecryptOwnSecret"]["Resource"] == KEY_ARN
    assert "WriteEvents" not in found
    for statement in found.values():
        actions = statement["Action"] if isinstance(statement["Action"], list) else [statement["Action"]]
        assert all(action != "*" and not action.endswith(":*") for action in actions)


def test_table_access_is_put_item_on_the_given_table(stack_mocks):
    build_webhook(stack_mocks, table=True)
    assert statements(stack_mocks)["WriteEvents"]["Action"] == "dynamodb:PutItem"
    assert statements(stack_mocks)["WriteEvents"]["Resource"] == TABLE_ARN
    assert stack_mocks.one(FUNCTION).inputs["environment"]["variables"]["TABLE_NAME"] == "events"


def test_function_url_requires_iam(stack_mocks):
    _, built = build_webhook(stack_mocks)
    url = stack_mocks.one("aws:lambda/functionUrl:FunctionUrl")
    assert url.inputs["authorizationType"] == "AWS_IAM"
    assert url.inputs["functionName"] == stack_mocks.one(FUNCTION).state["name"]
    assert "lambda_function_url" in built[0].outputs


def test_no_function_url_when_disabled(stack_mocks):
    _, built = build_webhook(stack_mocks, function_url=False)
    assert not stack_mocks.of_type("aws:lambda/functionUrl:FunctionUrl")
    assert set(built[0].outputs) == {"lambda_function_name", "lambda_function_arn", "webhook_secret_arn"}


def test_vpc_placement_uses_private_subnets_and_its_own_group(stack_mocks):
    _, built = build_webhook(stack_mocks, in_vpc=True)
    group = stack_mocks.one("aws:ec2/securityGroup:SecurityGroup")
    vpc_config = stack_mocks.one(FUNCTION).inputs["vpcConfig"]
    assert vpc_config == {"subnetIds": ["private-a", "private-b"], "securityGroupIds": [group.id]}
    assert not stack_mocks.of_type("aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule")
    # Network interfaces through AWS's managed policy for VPC functions, never an inline grant on "*".
    (attachment,) = stack_mocks.of_type("aws:iam/rolePolicyAttachment:RolePolicyAttachment")
    assert attachment.inputs["policyArn"] == "arn:aws:iam::aws:policy/service-role/AWSLambdaVPCAccessExecutionRole"
    assert not [s for s in statements(stack_mocks).values() if "ec2:CreateNetworkInterface" in s["Action"]]
    assert built[0].security_group_id is not None


def test_outside_a_vpc_there_is_no_network_config(default_webhook):
    assert not default_webhook.one(FUNCTION).inputs.get("vpcConfig")
    assert not default_webhook.of_type("aws:iam/rolePolicyAttachment:RolePolicyAttachment")


def test_half_given_table_or_subnets_without_vpc_are_refused():
    common = {"naming": Naming("tap", "test"), "production": False, "region": "us-east-1",
              "kms_key_arn": KEY_ARN, "log_retention_days": 30, "function_url": True}
    with pytest.raises(ValueError, match="table_arn and table_name"):
        WebhookFunctionArgs(**common, table_arn=TABLE_ARN)
    with pytest.raises(ValueError, match="vpc_id"):
        WebhookFunctionArgs(**common, private_subnet_ids=["private-a"])
