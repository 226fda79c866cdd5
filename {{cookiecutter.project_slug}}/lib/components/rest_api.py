"""Transactions API: three Lambda routes behind an API Gateway REST API with IAM auth, API keys, throttling and WAF.

The order matters and is explicit: routes, then a Deployment that depends on every method and integration, then
the Stage, and only then what names the stage (usage plan, method settings, WAF association), each depending on the
Stage resource and reading `stage.stage_name` / `stage.arn`.

API Gateway writes access logs to CloudWatch only once the account names a CloudWatch role, a setting shared by
every REST API of the account in a region (https://docs.aws.amazon.com/apigateway/latest/developerguide/
set-up-logging.html). One stack per account and region owns it (`manage_account_role`, config
`apiGatewayAccountRole`); every other stack, here or in another repo, relies on it (README, "Prerequisites").
"""

import hashlib
import json
from dataclasses import dataclass
from pathlib import Path

import pulumi
import pulumi_aws as aws

from lib.components.function import TracedFunction
from lib.components.iam import trust_policy
from lib.components.waf import managed_rule_group, regional_web_acl, rule_visibility
from lib.naming import IAM_ROLE, Naming

CODE = Path(__file__).resolve().parent.parent / "lambdas" / "transactions"


@dataclass(frozen=True)
class Route:
    """One API route and the function serving it, with the single DynamoDB action that function needs."""

    role: str
    method: str
    path: str
    handler: str
    table_action: str


ROUTES = (
    Route("tx-create", "POST", "/transactions", "handler.create", "dynamodb:PutItem"),
    Route("tx-list", "GET", "/transactions", "handler.list_transactions", "dynamodb:Scan"),
    Route("tx-get", "GET", "/transactions/{id}", "handler.get", "dynamodb:GetItem"),
)

ACCESS_LOG_FORMAT = json.dumps(
    {
        "requestId": "$context.requestId",
        "ip": "$context.identity.sourceIp",
        "caller": "$context.identity.caller",
        "user": "$context.identity.user",
        "requestTime": "$context.requestTime",
        "httpMethod": "$context.httpMethod",
        "resourcePath": "$context.resourcePath",
        "status": "$context.status",
        "protocol": "$context.protocol",
        "responseLength": "$context.responseLength",
        "integrationError": "$context.integration.error",
        "wafResponse": "$context.waf.status",
    },
    separators=(",", ":"),
)


@dataclass(frozen=True)
class TransactionsApiArgs:
    """Inputs of the transactions API; the table is optional (routes answer 503 without one)."""

    naming: Naming
    production: bool
    region: str
    kms_key_arn: pulumi.Input[str]
    log_retention_days: int
    table_arn: pulumi.Input[str] | None = None
    table_name: pulumi.Input[str] | None = None
    # Whether this stack owns the account's API Gateway CloudWatch role setting (one stack per account and region).
    manage_account_role: bool = False
    stage_name: str = "v1"
    throttle_rate_limit: float = 50
    throttle_burst_limit: int = 100
    daily_quota: int = 100_000
    # Requests per IP per 5 minutes before WAF blocks that IP.
    waf_rate_limit: int = 2000

    def __post_init__(self) -> None:
        if (self.table_arn is None) != (self.table_name is None):
            raise ValueError("table_arn and table_name go together: the functions need both")


class TransactionsApi(pulumi.ComponentResource):
    """REST API -> routes -> Deployment -> Stage -> usage plan, API key, WAF; one least-privilege Lambda per route."""

    def __init__(self, name: str, args: TransactionsApiArgs, opts: pulumi.ResourceOptions | None = None) -> None:
        super().__init__("tap:rest_api:TransactionsApi", name, None, opts)
        self._args = args
        self._child = pulumi.ResourceOptions(parent=self)
        naming = args.naming
        invoke = pulumi.InvokeOutputOptions(parent=self)
        self._partition = aws.get_partition_output(opts=invoke).partition
        self._account_id = aws.get_caller_identity_output(opts=invoke).account_id

        self.functions = {route.role: self._function(route) for route in ROUTES}

        self.rest_api = aws.apigateway.RestApi(
            naming.name("api"),
            description="Transactions API",
            endpoint_configuration=aws.apigateway.RestApiEndpointConfigurationArgs(types="REGIONAL"),
            opts=self._child,
        )
        collection = aws.apigateway.Resource(
            naming.name("api-transactions"),
            rest_api=self.rest_api.id,
            parent_id=self.rest_api.root_resource_id,
            path_part="transactions",
            opts=self._child,
        )
        item = aws.apigateway.Resource(
            naming.name("api-transaction"),
            rest_api=self.rest_api.id,
            parent_id=collection.id,
            path_part="{id}",
            opts=self._child,
        )
        resources = {"/transactions": collection, "/transactions/{id}": item}
        route_resources: list[pulumi.Resource] = []
        for route in ROUTES:
            route_resources.extend(self._route(route, resources[route.path]))

        # v7 Deployments have no stage: they snapshot the routes, and are replaced whenever the routes change.
        self.deployment = aws.apigateway.Deployment(
            naming.name("api-deployment"),
            rest_api=self.rest_api.id,
            description="Transactions API routes",
            triggers={"routes": routes_fingerprint(), "resources": _ids_fingerprint(route_resources)},
            opts=pulumi.ResourceOptions(parent=self, depends_on=route_resources),
        )
        self.stage = self._stage()
        self.method_settings = aws.apigateway.MethodSettings(
            naming.name("api-method-settings"),
            rest_api=self.rest_api.id,
            stage_name=self.stage.stage_name,
            method_path="*/*",
            # Per-method CloudWatch metrics; execution logging stays off (it would create an unencrypted group).
            settings=aws.apigateway.MethodSettingsSettingsArgs(
                metrics_enabled=True,
                throttling_rate_limit=args.throttle_rate_limit,
                throttling_burst_limit=args.throttle_burst_limit,
            ),
            opts=pulumi.ResourceOptions(parent=self, depends_on=[self.stage]),
        )
        self.usage_plan, self.api_key = self._usage_plan()
        self.web_acl = self._web_acl()
        self.web_acl_association = aws.wafv2.WebAclAssociation(
            naming.name("api-waf-association"),
            resource_arn=self.stage.arn,
            web_acl_arn=self.web_acl.arn,
            opts=pulumi.ResourceOptions(parent=self, depends_on=[self.stage]),
        )

        self.outputs = {
            "api_url": self.stage.invoke_url,
            "rest_api_id": self.rest_api.id,
            "api_stage_name": self.stage.stage_name,
            "api_key_id": self.api_key.id,
            "web_acl_arn": self.web_acl.arn,
            "transaction_function_names": [function.name for function in self.functions.values()],
        }
        self.register_outputs(self.outputs)

    # ----- Lambda functions ---------------------------------------------------------------------------------------
    def _function(self, route: Route) -> aws.lambda_.Function:
        args = self._args
        traced = TracedFunction(
            route.role, args.naming, kms_key_arn=args.kms_key_arn, log_retention_days=args.log_retention_days,
            parent=self,
        )
        statements: list[dict[str, object]] = []
        variables: dict[str, pulumi.Input[str]] = {}
        if args.table_arn is not None and args.table_name is not None:
            statements.append(
                {"Sid": "TableAccess", "Effect": "Allow", "Action": route.table_action, "Resource": args.table_arn}
            )
            variables["TABLE_NAME"] = args.table_name
        role_policy = traced.policy(statements)
        return traced.create(
            handler=route.handler,
            code=pulumi.AssetArchive({".": pulumi.FileArchive(str(CODE))}),
            timeout=10,
            architectures=["arm64"],
            variables=variables,
            depends_on=[role_policy],
        )

    # ----- routes -------------------------------------------------------------------------------------------------
    def _route(self, route: Route, resource: aws.apigateway.Resource) -> list[pulumi.Resource]:
        naming = self._args.naming
        function = self.functions[route.role]
        method = aws.apigateway.Method(
            naming.name(f"{route.role}-method"),
            rest_api=self.rest_api.id,
            resource_id=resource.id,
            http_method=route.method,
            # Callers sign with SigV4 (IAM) and present an API key, which ties them to the usage plan.
            authorization="AWS_IAM",
            api_key_required=True,
            request_parameters={"method.request.path.id": True} if "{id}" in route.path else None,
            opts=self._child,
        )
        integration = aws.apigateway.Integration(
            naming.name(f"{route.role}-integration"),
            rest_api=self.rest_api.id,
            resource_id=resource.id,
            http_method=method.http_method,
            type="AWS_PROXY",
            integration_http_method="POST",
            uri=function.invoke_arn,
            opts=self._child,
        )
        # Only this API, this method and this path may invoke the function.
        aws.lambda_.Permission(
            naming.name(f"{route.role}-invoke"),
            action="lambda:InvokeFunction",
            function=function.name,
            principal="apigateway.amazonaws.com",
            source_arn=pulumi.Output.concat(
                "arn:", self._partition, ":execute-api:", self._args.region, ":", self._account_id, ":",
                self.rest_api.id, "/*/", route.method, route.path,
            ),
            opts=self._child,
        )
        return [method, integration]

    # ----- stage --------------------------------------------------------------------------------------------------
    def _stage(self) -> aws.apigateway.Stage:
        args, naming = self._args, self._args.naming
        access_logs = aws.cloudwatch.LogGroup(
            naming.name("api-access-logs"),
            retention_in_days=args.log_retention_days,
            kms_key_id=args.kms_key_arn,
            opts=self._child,
        )
        account = [self._account_role()] if args.manage_account_role else []
        return aws.apigateway.Stage(
            naming.name("api-stage"),
            rest_api=self.rest_api.id,
            deployment=self.deployment.id,
            stage_name=args.stage_name,
            xray_tracing_enabled=True,
            access_log_settings=aws.apigateway.StageAccessLogSettingsArgs(
                destination_arn=access_logs.arn, format=ACCESS_LOG_FORMAT
            ),
            opts=pulumi.ResourceOptions(parent=self, depends_on=account),
        )

    def _account_role(self) -> aws.apigateway.Account:
        """The account's API Gateway CloudWatch role, owned by this stack for every REST API in the region.

        The role and the setting outlive this stack (`retain_on_delete`, and an Account resource leaves the
        setting as it is on delete): destroying the owner must not stop the other stacks' access logs.
        """
        naming = self._args.naming
        outlives = pulumi.ResourceOptions(parent=self, retain_on_delete=True)
        logs_role = aws.iam.Role(
            naming.name("api-logs", limit=IAM_ROLE),
            assume_role_policy=trust_policy("apigateway.amazonaws.com"),
            opts=outlives,
        )
        attachment = aws.iam.RolePolicyAttachment(
            naming.name("api-logs-policy"),
            role=logs_role.name,
            policy_arn=pulumi.Output.concat(
                "arn:", self._partition, ":iam::aws:policy/service-role/AmazonAPIGatewayPushToCloudWatchLogs"
            ),
            opts=outlives,
        )
        return aws.apigateway.Account(
            naming.name("api-account"),
            cloudwatch_role_arn=logs_role.arn,
            opts=pulumi.ResourceOptions(parent=self, depends_on=[attachment]),
        )

    # ----- usage plan and key -------------------------------------------------------------------------------------
    def _usage_plan(self) -> tuple[aws.apigateway.UsagePlan, aws.apigateway.ApiKey]:
        args, naming = self._args, self._args.naming
        after_stage = pulumi.ResourceOptions(parent=self, depends_on=[self.stage])
        plan = aws.apigateway.UsagePlan(
            naming.name("api-usage-plan"),
            description="Throttle and daily quota for transactions API keys",
            api_stages=[aws.apigateway.UsagePlanApiStageArgs(api_id=self.rest_api.id, stage=self.stage.stage_name)],
            throttle_settings=aws.apigateway.UsagePlanThrottleSettingsArgs(
                rate_limit=args.throttle_rate_limit, burst_limit=args.throttle_burst_limit
            ),
            quota_settings=aws.apigateway.UsagePlanQuotaSettingsArgs(limit=args.daily_quota, period="DAY"),
            opts=after_stage,
        )
        # The key value is generated by API Gateway and stays in the (secret) state; only its id is exported.
        key = aws.apigateway.ApiKey(
            naming.name("api-key"), description="Transactions API client key", enabled=True, opts=self._child
        )
        aws.apigateway.UsagePlanKey(
            naming.name("api-usage-plan-key"),
            key_id=key.id,
            key_type="API_KEY",
            usage_plan_id=plan.id,
            opts=self._child,
        )
        return plan, key

    # ----- WAF ----------------------------------------------------------------------------------------------------
    def _web_acl(self) -> aws.wafv2.WebAcl:
        args, naming = self._args, self._args.naming
        rules = [
            managed_rule_group(naming, "AWSManagedRulesCommonRuleSet", 1, metric_role="waf"),
            managed_rule_group(naming, "AWSManagedRulesKnownBadInputsRuleSet", 2, metric_role="waf"),
            aws.wafv2.WebAclRuleArgs(
                name="rate-limit-per-ip",
                priority=3,
                action=aws.wafv2.WebAclRuleActionArgs(block=aws.wafv2.WebAclRuleActionBlockArgs()),
                statement=aws.wafv2.WebAclRuleStatementArgs(
                    rate_based_statement=aws.wafv2.WebAclRuleStatementRateBasedStatementArgs(
                        limit=args.waf_rate_limit, aggregate_key_type="IP"
                    )
                ),
                visibility_config=rule_visibility(naming, "waf-rate-limit"),
            ),
        ]
        return regional_web_acl(
            naming,
            "api-waf",
            description="Transactions API: AWS managed rules and a per-IP rate limit",
            rules=rules,
            metric_role="waf",
            opts=self._child,
        )


def routes_fingerprint() -> str:
    """A hash of the route table: a new Deployment is made whenever a route, method or handler changes."""
    spec = [[route.method, route.path, route.handler, "AWS_IAM", "api-key"] for route in ROUTES]
    return hashlib.sha256(json.dumps(spec).encode("utf-8")).hexdigest()


def _ids_fingerprint(resources: list[pulumi.Resource]) -> pulumi.Output[str]:
    # Replaced methods or integrations get new ids, which must also trigger a new Deployment.
    ids = [resource.id for resource in resources if isinstance(resource, pulumi.CustomResource)]
    return pulumi.Output.all(*ids).apply(
        lambda values: hashlib.sha256(json.dumps([str(v) for v in values]).encode("utf-8")).hexdigest()
    )
