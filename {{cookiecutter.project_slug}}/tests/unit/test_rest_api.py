"""The transactions API: authenticated routes, a stage built in the right order, throttling, WAF, least privilege."""

import pytest

from lib.components.rest_api import CODE, ROUTES, TransactionsApi, TransactionsApiArgs, routes_fingerprint
from lib.naming import Naming
from tests.unit.conftest import PROJECT, RecordingMocks, deploy, policy, use_stack

KEY_ARN = "arn:aws:kms:us-east-1:123456789012:key/test"
TABLE_ARN = "arn:aws:dynamodb:us-east-1:123456789012:table/transactions"
STAGE = "aws:apigateway/stage:Stage"
FUNCTION = "aws:lambda/function:Function"


def build_api(
    mocks: RecordingMocks, table: bool = True, manage_account_role: bool = False
) -> tuple[RecordingMocks, list[TransactionsApi]]:
    """A transactions API, with or without its table, registered under `mocks`."""
    args = TransactionsApiArgs(
        naming=Naming("tap", "test"),
        production=False,
        region="us-east-1",
        kms_key_arn=KEY_ARN,
        log_retention_days=30,
        table_arn=TABLE_ARN if table else None,
        table_name="transactions" if table else None,
        manage_account_role=manage_account_role,
    )
    built: list[TransactionsApi] = []
    deploy(lambda: built.append(TransactionsApi("api", args)))
    return mocks, built


@pytest.fixture(scope="module")
def default_api() -> RecordingMocks:
    """`build_api` with its defaults, registered once for the tests of this module that only read it."""
    mocks = use_stack(PROJECT.stack_name)
    build_api(mocks)
    use_stack(PROJECT.stack_name)  # the tests' own deployments record elsewhere
    return mocks


def component(built: list[TransactionsApi]) -> TransactionsApi:
    """The one component built."""
    return built[0]


def test_three_traced_functions_with_encrypted_logs(default_api):
    functions = default_api.of_type(FUNCTION)
    assert sorted(f.inputs["handler"] for f in functions) == sorted(route.handler for route in ROUTES)
    assert all(f.inputs["tracingConfig"] == {"mode": "Active"} for f in functions)
    assert all(f.inputs["runtime"] == "python3.12" for f in functions)
    groups = {g.state["name"]: g for g in default_api.of_type("aws:cloudwatch/logGroup:LogGroup")}
    for function in functions:
        group = groups[function.inputs["loggingConfig"]["logGroup"]]
        assert group.inputs["kmsKeyId"] == KEY_ARN
        assert default_api.resources.index(group) < default_api.resources.index(function)
    assert (CODE / "handler.py").is_file()


def test_each_function_may_do_only_its_own_table_action(default_api):
    actions = set()
    for role_policy in default_api.of_type("aws:iam/rolePolicy:RolePolicy"):
        statements = {s["Sid"]: s for s in policy(role_policy)["Statement"]}
        assert statements["TableAccess"]["Resource"] == TABLE_ARN
        actions.add(statements["TableAccess"]["Action"])
        assert "logs:CreateLogGroup" not in statements["OwnLogGroup"]["Action"]
    assert actions == {"dynamodb:PutItem", "dynamodb:GetItem", "dynamodb:Scan"}


def test_without_a_table_functions_get_no_table_access(stack_mocks):
    build_api(stack_mocks, table=False)
    for role_policy in stack_mocks.of_type("aws:iam/rolePolicy:RolePolicy"):
        assert all(s["Sid"] != "TableAccess" for s in policy(role_policy)["Statement"])
    assert all(not f.inputs.get("environment") for f in stack_mocks.of_type(FUNCTION))


def test_every_method_requires_iam_and_an_api_key(default_api):
    methods = default_api.of_type("aws:apigateway/method:Method")
    assert sorted(m.inputs["httpMethod"] for m in methods) == ["GET", "GET", "POST"]
    assert all(m.inputs["authorization"] == "AWS_IAM" and m.inputs["apiKeyRequired"] is True for m in methods)


def test_integrations_proxy_to_the_functions(default_api):
    invoke_arns = {f.state["invokeArn"] for f in default_api.of_type(FUNCTION)}
    integrations = default_api.of_type("aws:apigateway/integration:Integration")
    assert len(integrations) == 3
    assert all(i.inputs["type"] == "AWS_PROXY" and i.inputs["integrationHttpMethod"] == "POST" for i in integrations)
    assert {i.inputs["uri"] for i in integrations} == invoke_arns


def test_invoke_permissions_are_scoped_to_this_api_method_and_path(default_api):
    api = default_api.one("aws:apigateway/restApi:RestApi")
    source_arns = sorted(p.inputs["sourceArn"] for p in default_api.of_type("aws:lambda/permission:Permission"))
    prefix = f"arn:aws:execute-api:us-east-1:123456789012:{api.id}/*/"
    assert source_arns == sorted(prefix + route.method + route.path for route in ROUTES)


def test_deployment_has_no_stage_and_redeploys_when_routes_change(default_api):
    deployment = default_api.one("aws:apigateway/deployment:Deployment")
    assert "stageName" not in deployment.inputs
    assert deployment.inputs["triggers"]["routes"] == routes_fingerprint()
    assert len(deployment.inputs["triggers"]["resources"]) == 64


def test_stage_is_traced_logs_to_an_encrypted_group_and_uses_the_deployment(default_api):
    stage = default_api.one(STAGE)
    deployment = default_api.one("aws:apigateway/deployment:Deployment")
    assert stage.inputs["deployment"] == deployment.id
    assert stage.inputs["xrayTracingEnabled"] is True
    (log_group,) = [g for g in default_api.of_type("aws:cloudwatch/logGroup:LogGroup") if "api-access" in g.name]
    assert stage.inputs["accessLogSettings"]["destinationArn"] == log_group.state["arn"]
    assert "$context.requestId" in stage.inputs["accessLogSettings"]["format"]
    assert log_group.inputs["kmsKeyId"] == KEY_ARN


def test_the_account_wide_cloudwatch_role_is_left_alone_unless_this_stack_owns_it(default_api):
    assert not default_api.of_type("aws:apigateway/account:Account")
    assert not [role for role in default_api.of_type("aws:iam/role:Role") if role.name == "api-logs"]


def test_the_owning_stack_sets_the_cloudwatch_role_before_the_stage(stack_mocks):
    build_api(stack_mocks, manage_account_role=True)
    account = stack_mocks.one("aws:apigateway/account:Account")
    (role,) = [role for role in stack_mocks.of_type("aws:iam/role:Role") if role.name == "api-logs"]
    assert account.inputs["cloudwatchRoleArn"] == role.state["arn"]
    order = [r.type for r in stack_mocks.resources]
    assert order.index("aws:apigateway/account:Account") < order.index(STAGE)


def test_order_is_routes_then_deployment_then_stage_then_what_names_it(default_api):
    order = [r.type for r in default_api.resources]
    deployment = order.index("aws:apigateway/deployment:Deployment")
    stage = order.index(STAGE)
    assert max(i for i, t in enumerate(order) if t == "aws:apigateway/integration:Integration") < deployment < stage
    for named in ("aws:apigateway/usagePlan:UsagePlan", "aws:wafv2/webAclAssociation:WebAclAssociation",
                  "aws:apigateway/methodSettings:MethodSettings"):
        assert order.index(named) > stage, named


def test_usage_plan_throttles_and_names_the_stage_through_the_stage_resource(default_api):
    stage = default_api.one(STAGE)
    plan = default_api.one("aws:apigateway/usagePlan:UsagePlan")
    api = default_api.one("aws:apigateway/restApi:RestApi")
    assert plan.inputs["apiStages"] == [{"apiId": api.id, "stage": stage.state["stageName"]}]
    assert plan.inputs["throttleSettings"] == {"rateLimit": 50, "burstLimit": 100}
    assert plan.inputs["quotaSettings"] == {"limit": 100000, "period": "DAY"}
    key = default_api.one("aws:apigateway/apiKey:ApiKey")
    plan_key = default_api.one("aws:apigateway/usagePlanKey:UsagePlanKey")
    assert "value" not in key.inputs
    assert (plan_key.inputs["keyId"], plan_key.inputs["usagePlanId"], plan_key.inputs["keyType"]) == (
        key.id, plan.id, "API_KEY")


def test_waf_uses_managed_rules_and_a_rate_limit_with_typed_visibility(default_api):
    acl = default_api.one("aws:wafv2/webAcl:WebAcl")
    assert acl.inputs["scope"] == "REGIONAL"
    visibility = acl.inputs["visibilityConfig"]
    assert visibility["cloudwatchMetricsEnabled"] is True and visibility["sampledRequestsEnabled"] is True
    rules = {rule["name"]: rule for rule in acl.inputs["rules"]}
    assert set(rules) == {"AWSManagedRulesCommonRuleSet", "AWSManagedRulesKnownBadInputsRuleSet", "rate-limit-per-ip"}
    assert rules["rate-limit-per-ip"]["statement"]["rateBasedStatement"] == {"limit": 2000, "aggregateKeyType": "IP"}
    assert "block" in rules["rate-limit-per-ip"]["action"]
    for rule in rules.values():
        assert set(rule["visibilityConfig"]) == {"cloudwatchMetricsEnabled", "metricName", "sampledRequestsEnabled"}
    assert len({rule["priority"] for rule in rules.values()}) == 3


def test_waf_is_associated_with_the_stage_arn(default_api):
    association = default_api.one("aws:wafv2/webAclAssociation:WebAclAssociation")
    assert association.inputs["resourceArn"] == default_api.one(STAGE).state["arn"]
    assert association.inputs["webAclArn"] == default_api.one("aws:wafv2/webAcl:WebAcl").state["arn"]


def test_outputs_expose_the_url_and_a_list_of_function_names(stack_mocks):
    _, built = build_api(stack_mocks)
    outputs = component(built).outputs
    assert set(outputs) == {"api_url", "rest_api_id", "api_stage_name", "api_key_id", "web_acl_arn",
                            "transaction_function_names"}
    assert isinstance(outputs["transaction_function_names"], list)
    assert len(outputs["transaction_function_names"]) == 3


def test_half_given_table_is_refused():
    with pytest.raises(ValueError, match="table_arn and table_name"):
        TransactionsApiArgs(Naming("tap", "test"), False, "us-east-1", KEY_ARN, 30, table_arn=TABLE_ARN)
