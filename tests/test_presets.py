"""Every preset bakes a repo that would deploy: checked clean, run as Pulumi runs it, with the seed's system in it.

For each preset the checker's synth (the program run exactly as the language host runs it, against mocks) must
register the resources its system needs, export `stack` and each component's key outputs (lists as lists), and
report nothing, which includes TAP013: the integration tests read only keys the program exports.
"""

import json
from pathlib import Path
from typing import Any

import pytest
import yaml
from cookiecutter.main import cookiecutter

from tests.conftest import TEMPLATE, python_tool, run, run_unit_tests

PRESETS = sorted(path.stem for path in (TEMPLATE / "presets").glob("*.yaml"))
# What each seed's system must contain: resource types (with a count where more than one is needed), and exports.
REQUIRED = {
    "pci-payments": {
        "types": ["aws:ec2/vpc:Vpc", "aws:ec2/flowLog:FlowLog", "aws:kms/key:Key", "aws:rds/cluster:Cluster",
                  "aws:ecs/cluster:Cluster", "aws:ecs/service:Service", "aws:lb/loadBalancer:LoadBalancer",
                  "aws:cloudwatch/metricAlarm:MetricAlarm", "aws:s3/bucket:Bucket"],
        "absent": ["aws:ec2/natGateway:NatGateway"],
        "exports": ["vpc_id", "private_subnet_ids", "database_endpoint", "ecs_cluster_name", "access_log_bucket_name"],
    },
    "web-app": {
        "types": ["aws:ec2/natGateway:NatGateway", "aws:lb/loadBalancer:LoadBalancer", "aws:autoscaling/group:Group",
                  "aws:ec2/launchTemplate:LaunchTemplate", "aws:rds/instance:Instance",
                  "aws:secretsmanager/secret:Secret", "aws:s3/bucket:Bucket"],
        "absent": [],
        "exports": ["vpc_id", "asg_load_balancer_dns_name", "database_endpoint", "database_secret_arn", "bucket_name"],
    },
    "serverless-webhook": {
        "types": ["aws:lambda/function:Function", "aws:lambda/functionUrl:FunctionUrl", "aws:dynamodb/table:Table",
                  "aws:secretsmanager/secret:Secret", "aws:cloudwatch/logGroup:LogGroup"],
        "absent": ["aws:ec2/vpc:Vpc"],
        "exports": ["lambda_function_url", "lambda_function_name", "dynamodb_table_name", "webhook_secret_arn"],
    },
    "payments-platform": {
        "types": ["aws:ec2/vpc:Vpc", "aws:ec2/flowLog:FlowLog", "aws:rds/cluster:Cluster", "aws:ecs/service:Service",
                  "aws:lb/loadBalancer:LoadBalancer", "aws:elasticache/replicationGroup:ReplicationGroup",
                  "aws:sqs/queue:Queue", "aws:cloudwatch/metricAlarm:MetricAlarm",
                  "aws:cloudwatch/dashboard:Dashboard", "aws:lambda/function:Function"],
        "absent": [],
        "exports": ["database_endpoint", "migrations_function_name", "cache_primary_endpoint", "queue_url",
                    "dead_letter_queue_url", "load_balancer_dns_name", "alarm_topic_arn", "dashboard_name"],
    },
    "serverless-transactions": {
        "types": ["aws:apigateway/restApi:RestApi", "aws:apigateway/deployment:Deployment",
                  "aws:apigateway/stage:Stage", "aws:apigateway/usagePlan:UsagePlan", "aws:apigateway/apiKey:ApiKey",
                  "aws:wafv2/webAcl:WebAcl", "aws:wafv2/webAclAssociation:WebAclAssociation",
                  "aws:dynamodb/table:Table", "aws:ec2/vpc:Vpc"],
        "absent": [],
        "exports": ["api_url", "api_stage_name", "web_acl_arn", "transaction_function_names", "dynamodb_table_name"],
    },
}


def test_every_preset_has_expectations():
    assert sorted(REQUIRED) == PRESETS


@pytest.fixture(scope="module", params=PRESETS)
def preset(request, tmp_path_factory) -> tuple[str, Path, dict[str, Any]]:
    """A baked preset and the checker's record of its program, run as the Pulumi language host runs it."""
    name = request.param
    output = tmp_path_factory.mktemp(name)
    repo = Path(cookiecutter(str(TEMPLATE), no_input=True, output_dir=str(output),
                             config_file=str(TEMPLATE / "presets" / f"{name}.yaml")))
    record = output / "synth.json"
    run(python_tool("tapcheck", ".", "--strict", "--synth-out", str(record)), repo)
    return name, repo, json.loads(record.read_text(encoding="utf-8"))


def _types(synth: dict[str, Any]) -> list[str]:
    return [resource["type"] for resource in synth["resources"]]


def test_preset_registers_its_systems_resources(preset):
    name, _, synth = preset
    types = _types(synth)
    missing = [t for t in REQUIRED[name]["types"] if t not in types]
    assert not missing
    assert not [t for t in REQUIRED[name]["absent"] if t in types]


def test_preset_exports_stack_and_component_outputs_with_lists_as_lists(preset):
    name, _, synth = preset
    exports = synth["exports"]
    assert exports["stack"]["value"] == synth["stack"]
    assert set(REQUIRED[name]["exports"]) <= set(exports)
    for key, export in exports.items():
        if key.endswith(("_ids", "_names")):
            assert isinstance(export["value"], list), key


def test_preset_systems_fix_their_seeds_failures(preset):
    name, _, synth = preset
    resources = synth["resources"]

    def inputs(resource_type: str) -> list[dict[str, Any]]:
        return [r["inputs"] for r in resources if r["type"] == resource_type]

    if name in ("pci-payments", "payments-platform"):
        (cluster,) = inputs("aws:rds/cluster:Cluster")
        assert cluster["engine"] == "aurora-postgresql" and cluster["storageEncrypted"] is True
        assert "random:index/randomPassword:RandomPassword" in _types(synth)
        image = inputs("aws:ecs/taskDefinition:TaskDefinition")[0]["containerDefinitions"]
        assert ":latest" not in json.dumps(image)
    if name == "pci-payments":
        assert cluster["serverlessv2ScalingConfiguration"]["minCapacity"] > 0
        interface = [e for e in inputs("aws:ec2/vpcEndpoint:VpcEndpoint") if e["vpcEndpointType"] == "Interface"]
        services = {endpoint["serviceName"].split(".", 3)[-1] for endpoint in interface}  # com.amazonaws.<region>.
        assert {"ecr.api", "ecr.dkr", "logs"} <= services
    if name == "serverless-webhook":
        (url,) = inputs("aws:lambda/functionUrl:FunctionUrl")
        assert url["authorizationType"] == "AWS_IAM"
        assert all(f["tracingConfig"]["mode"] == "Active" for f in inputs("aws:lambda/function:Function"))
    if name == "serverless-transactions":
        stage_urns = {r["urn"] for r in resources if r["type"] == "aws:apigateway/stage:Stage"}
        for dependent in ("aws:apigateway/usagePlan:UsagePlan", "aws:wafv2/webAclAssociation:WebAclAssociation"):
            for resource in (r for r in resources if r["type"] == dependent):
                assert stage_urns & set(resource["dependencies"]), f"{dependent} does not depend on the Stage"
        assert len(inputs("aws:lambda/function:Function")) == 3
    providers = inputs("pulumi:providers:aws")
    assert all({"Owner", "CostCenter"} <= set(json.loads(p["defaultTags"])["tags"]) for p in providers)


def test_preset_unit_tests_pass(preset):
    _, repo, _ = preset
    run_unit_tests(repo)


def test_preset_readme_describes_architecture_outputs_and_costs(preset):
    name, repo, synth = preset
    readme = (repo / "README.md").read_text(encoding="utf-8")
    description = yaml.safe_load((TEMPLATE / "presets" / f"{name}.yaml").read_text(encoding="utf-8"))
    assert description["default_context"]["description"] in readme
    assert "## What it deploys" in readme and "## What it costs" in readme
    assert all(f"`{key}`" in readme for key in synth["exports"])
