"""AwsMocks: data-source answers and computed outputs, as generated repos' unit tests use them."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pulumi
import pulumi_aws as aws
import pulumi_random as random
import pytest
from helpers import resolve

from tapcheck.mocks import AwsMocks, MockMonitor, policy_document

ROOT = Path(__file__).resolve().parents[2]
pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")  # pulumi-aws's deprecated v6 aliases


@pytest.fixture(autouse=True)
def mocks() -> None:
    pulumi.runtime.settings.reset_options(project="mocked", stack="dev")
    pulumi.runtime.set_mocks(AwsMocks(), project="mocked", stack="dev", preview=False)



def test_availability_zones_follow_the_region() -> None:
    zones = aws.get_availability_zones(region="us-west-2")
    assert zones.names == ["us-west-2a", "us-west-2b", "us-west-2c"]
    assert zones.zone_ids == ["usw2-az1", "usw2-az2", "usw2-az3"]
    assert aws.get_availability_zones().names == ["us-east-1a", "us-east-1b", "us-east-1c"]


def test_identity_region_partition() -> None:
    assert aws.get_caller_identity().account_id == "123456789012"
    region = aws.get_region()
    with pytest.warns(UserWarning, match="Use region instead"):  # pulumi-aws v7 deprecates `name`
        name = region.name
    assert (name, region.region) == ("us-east-1", "us-east-1")
    assert aws.get_partition().partition == "aws"


def test_engine_version_is_valid_for_the_engine() -> None:
    pg = aws.rds.get_engine_version(engine="aurora-postgresql")
    assert pg.version == "16.10" and pg.parameter_group_family == "aurora-postgresql16"
    mysql = aws.rds.get_engine_version(engine="aurora-mysql", version="8.0.mysql_aurora.3.10.0")
    assert mysql.version == "8.0.mysql_aurora.3.10.0" and mysql.parameter_group_family == "aurora-mysql8.0"
    newest_15 = aws.rds.get_engine_version(engine="aurora-postgresql", version="15.3")
    assert newest_15.version == "15.14"


def test_policy_document_renders_iam_json() -> None:
    doc = aws.iam.get_policy_document(statements=[{
        "effect": "Allow", "actions": ["s3:GetObject"], "resources": ["arn:aws:s3:::b/*"],
        "principals": [{"type": "Service", "identifiers": ["lambda.amazonaws.com"]}],
        "conditions": [{"test": "StringEquals", "variable": "aws:SourceAccount", "values": ["123456789012"]}],
    }])
    policy = json.loads(doc.json)
    assert policy == {"Version": "2012-10-17", "Statement": [{
        "Effect": "Allow", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::b/*",
        "Principal": {"Service": "lambda.amazonaws.com"},
        "Condition": {"StringEquals": {"aws:SourceAccount": "123456789012"}}}]}


def test_unknown_call_returns_empty() -> None:
    assert AwsMocks().call(pulumi.runtime.MockCallArgs("aws:foo/getBar:getBar", {}, "")) == {}
    assert policy_document({})["json"].startswith("{")


def test_new_resource_ids_arns_and_auto_names() -> None:
    queue = aws.sqs.Queue("jobs")
    bucket = aws.s3.Bucket("logs")
    assert resolve(queue.id) == "jobs-id"
    name = resolve(queue.name)
    assert isinstance(name, str) and name.startswith("jobs-") and len(name) == len("jobs-") + 7
    assert resolve(queue.arn) == f"arn:aws:sqs:us-east-1:123456789012:{name}"
    assert resolve(queue.url) == f"https://sqs.us-east-1.amazonaws.com/123456789012/{name}"
    assert resolve(bucket.bucket).startswith("logs-")
    assert resolve(bucket.arn) == f"arn:aws:s3:::{resolve(bucket.bucket)}"


def test_computed_endpoints() -> None:
    cluster = aws.rds.Cluster("db", engine="aurora-postgresql", cluster_identifier="payments",
                              skip_final_snapshot=True)
    instance = aws.rds.Instance("pg", engine="postgres", instance_class="db.t4g.micro", identifier="pg1")
    alb = aws.lb.LoadBalancer("web")
    api = aws.apigateway.RestApi("api")
    stage = aws.apigateway.Stage("stage", rest_api=api.id, deployment="dep", stage_name="prod")
    url = aws.lambda_.FunctionUrl("url", function_name="fn", authorization_type="NONE")
    cache = aws.elasticache.ReplicationGroup("cache", description="c", replication_group_id="sessions")
    assert resolve(cluster.endpoint) == "payments.cluster-abcdefghijkl.us-east-1.rds.amazonaws.com"
    assert resolve(cluster.reader_endpoint).startswith("payments.cluster-ro-")
    assert resolve(instance.address) == "pg1.abcdefghijkl.us-east-1.rds.amazonaws.com"
    assert str(resolve(alb.dns_name)).endswith(".us-east-1.elb.amazonaws.com")
    assert resolve(stage.invoke_url) == "https://api-id.execute-api.us-east-1.amazonaws.com/prod"
    assert str(resolve(url.function_url)).endswith(".lambda-url.us-east-1.on.aws/")
    assert str(resolve(cache.primary_endpoint_address)).startswith("master.sessions.")


def test_random_password_is_secret() -> None:
    password = random.RandomPassword("db", length=20, special=False)
    secret_flag: list[bool] = []

    @pulumi.runtime.test
    def probe() -> pulumi.Output:
        async def check() -> None:
            secret_flag.append(await password.result.is_secret())
        return pulumi.Output.from_input(check())

    probe()
    assert secret_flag == [True]
    value = resolve(password.result)
    assert isinstance(value, str) and len(value) == 20


def test_importable_with_only_pulumi() -> None:
    code = ("import sys; sys.modules['pulumi_aws'] = None\n"
            "from tapcheck.mocks import AwsMocks\n"
            "assert 'tapcheck.api' not in sys.modules and 'tapcheck.project' not in sys.modules\n"
            "print(AwsMocks.__mro__[1].__name__)")
    proc = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=60,
                          check=False)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.strip() == "Mocks"


def test_mock_monitor_passes_resource_references_as_ids() -> None:
    mocks = AwsMocks()
    pulumi.runtime.settings.reset_options(project="mocked", stack="dev")
    pulumi.runtime.set_mocks(mocks, project="mocked", stack="dev", preview=False, monitor=MockMonitor(mocks))
    fn = aws.lambda_.Function("fn", role="arn:aws:iam::123456789012:role/r", runtime="python3.12",
                              handler="index.handler", code=pulumi.AssetArchive({}))
    permission = aws.lambda_.Permission("invoke", action="lambda:InvokeFunction", principal="s3.amazonaws.com",
                                        function=fn)
    name = resolve(fn.name)
    assert isinstance(name, str) and name.startswith("fn-")
    assert resolve(permission.function) == name == resolve(fn.id)  # a Lambda function's id is its name


def test_maps_aws_keys_answer_any_key_plausibly() -> None:
    api = aws.appsync.GraphQLApi("api", authentication_type="API_KEY", schema="type Query { ping: String }")
    assert str(resolve(api.uris["GRAPHQL"])).startswith("https://")
    assert resolve(api.uris["GRAPHQL"]) == resolve(api.uris["GRAPHQL"])  # every read agrees
    outputs = aws.cloudformation.get_stack(name="shared-network").outputs
    assert outputs["PrivateSubnetId"].startswith("subnet-")
    assert outputs.get("VpcId").startswith("vpc-")


def test_resource_get_has_every_declared_property_and_its_id() -> None:
    vpc = aws.ec2.Vpc.get("shared", "vpc-0123456789abcdef0")
    assert resolve(vpc.id) == "vpc-0123456789abcdef0"
    assert str(resolve(vpc.cidr_block)).endswith("/20")


def test_stack_reference_outputs_are_unknown_so_callbacks_on_them_do_not_run() -> None:
    network = pulumi.StackReference("acme/network/dev")
    ran: list[object] = []
    az_count = network.get_output("az_count").apply(lambda n: ran.append(int(n)))
    first_subnet = network.require_output("private_subnet_ids")[0]
    seen: dict[str, tuple[bool, object]] = {}

    async def known_and_value() -> None:
        for label, output in {"outputs": network.outputs, "az_count": az_count, "first_subnet": first_subnet,
                              "name": network.name}.items():
            seen[label] = (await output.is_known(), await output.future())

    @pulumi.runtime.test
    def probe() -> pulumi.Output:
        return pulumi.Output.from_input(known_and_value())

    probe()
    assert ran == []  # int(n) never ran on a made-up value
    assert seen == {"outputs": (False, None), "az_count": (False, None), "first_subnet": (False, None),
                    "name": (True, "acme/network/dev")}


def test_mocks_of_a_test_suite_may_still_give_a_stack_reference_its_outputs() -> None:
    class WithNetwork(AwsMocks):
        def new_resource(self, args: pulumi.runtime.MockResourceArgs) -> tuple[str, dict]:
            rid, state = super().new_resource(args)
            if args.typ == "pulumi:pulumi:StackReference":
                state["outputs"] = {"az_count": 3}
            return rid, state

    pulumi.runtime.set_mocks(WithNetwork(), project="mocked", stack="dev", preview=False)
    network = pulumi.StackReference("acme/network/dev")
    assert resolve(network.get_output("az_count").apply(int)) == 3


def test_secret_version_is_json_of_database_credentials() -> None:
    version = aws.secretsmanager.get_secret_version(secret_id="prod/db")
    secret = json.loads(version.secret_string)
    assert set(secret) >= {"username", "password", "host", "port", "dbname", "engine"}
    assert secret == json.loads(aws.secretsmanager.get_secret_version(secret_id="prod/db").secret_string)
