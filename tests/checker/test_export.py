"""`tapcheck export`: a synth record as a Terraform plan (types and attribute names of the Terraform provider,
blocks as lists, secrets marked sensitive, references in the configuration), and the command on a fixture."""

from __future__ import annotations

import importlib.util
import json
from pathlib import Path

from helpers import fixture

from tapcheck import export
from tapcheck.cli import main

ROOT = Path(__file__).resolve().parents[2]
STACK = "urn:pulumi:dev::site::pulumi:pulumi:Stack::site-dev"
BUCKET = "urn:pulumi:dev::site::aws:s3/bucket:Bucket::data"


def _resource(type_: str, name: str, inputs: dict, **extra) -> dict:
    return {"type": type_, "name": name, "urn": f"urn:pulumi:dev::site::{type_}::{name}", "custom": True,
            "inputs": inputs, "property_dependencies": {}, "site": {"path": "__main__.py", "line": 7}, **extra}


RECORD = {"stack": "dev", "project": "site", "ok": True, "resources": [
    {"type": "pulumi:pulumi:Stack", "name": "site-dev", "urn": STACK, "custom": False, "inputs": {}},
    _resource("pulumi:providers:aws", "default", {"region": "us-east-1"}),
    _resource("aws:s3/bucket:Bucket", "data", {"forceDestroy": True, "tags": {"CostCenter": "42"}}),
    _resource("aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration", "sse",
              {"bucket": "data-1234", "rules": [{"applyServerSideEncryptionByDefault": {"sseAlgorithm": "aws:kms"},
                                                 "bucketKeyEnabled": True}]},
              property_dependencies={"bucket": [BUCKET]}),
    _resource("aws:lambda/function:Function", "fn", {
        "environment": {"variables": {"API_TOKEN": {"__secret__": "s3cr3t"}, "MODE": "prod"}},
        "memorySize": 128.0, "role": "arn:aws:iam::123456789012:role/fn"}),
    _resource("aws:autoscaling/group:Group", "asg", {"vpcZoneIdentifiers": ["subnet-1"], "maxSize": 2.0}),
    _resource("tls:index/privateKey:PrivateKey", "admin", {"algorithm": "ED25519"}),
]}


def _by_address(plan: dict) -> dict[str, dict]:
    return {r["address"]: r for r in plan["planned_values"]["root_module"]["resources"]}


def test_types_and_attribute_names_are_the_terraform_providers() -> None:
    planned = _by_address(export.terraform_plan(RECORD))
    assert planned["aws_s3_bucket.data"]["values"] == {"force_destroy": True, "tags": {"CostCenter": "42"}}
    assert planned["aws_s3_bucket.data"]["provider_name"] == "registry.terraform.io/hashicorp/aws"
    # A list block takes Terraform's singular name; a single nested block becomes a one-item list.
    assert planned["aws_s3_bucket_server_side_encryption_configuration.sse"]["values"]["rule"] == [
        {"apply_server_side_encryption_by_default": [{"sse_algorithm": "aws:kms"}], "bucket_key_enabled": True}]
    # Renames the provider records, and whole numbers as numbers.
    assert planned["aws_autoscaling_group.asg"]["values"] == {"vpc_zone_identifier": ["subnet-1"], "max_size": 2}


def test_secrets_keep_their_value_and_are_marked_sensitive() -> None:
    fn = _by_address(export.terraform_plan(RECORD))["aws_lambda_function.fn"]
    assert fn["values"]["environment"] == [{"variables": {"API_TOKEN": "s3cr3t", "MODE": "prod"}}]
    assert fn["sensitive_values"] == {"environment": [{"variables": {"API_TOKEN": True}}]}
    assert fn["values"]["memory_size"] == 128


def test_references_between_resources_are_kept_in_the_configuration() -> None:
    plan = export.terraform_plan(RECORD)
    (sse,) = [r for r in plan["configuration"]["root_module"]["resources"] if r["name"] == "sse"]
    assert sse["expressions"]["bucket"] == {"references": ["aws_s3_bucket.data.id", "aws_s3_bucket.data"]}
    assert sse["expressions"]["rule"] == {"constant_value": None}
    changes = {c["address"]: c["change"]["actions"] for c in plan["resource_changes"]}
    assert len(changes) == 4 and all(actions == ["create"] for actions in changes.values())


def test_unmapped_types_are_listed_and_components_and_providers_left_out() -> None:
    plan = export.terraform_plan(RECORD)
    assert plan["tapcheck"]["unmapped"] == [
        {"urn": "urn:pulumi:dev::site::tls:index/privateKey:PrivateKey::admin",
         "type": "tls:index/privateKey:PrivateKey"}]
    assert sorted(_by_address(plan)) == ["aws_autoscaling_group.asg", "aws_lambda_function.fn", "aws_s3_bucket.data",
                                         "aws_s3_bucket_server_side_encryption_configuration.sse"]
    assert plan["tapcheck"]["sites"]["aws_s3_bucket.data"] == {"path": "__main__.py", "line": 7}


def test_names_terraform_would_reject_or_that_clash_are_made_unique() -> None:
    record = {"resources": [_resource("aws:s3/bucket:Bucket", "logs/a.b", {}),
                            _resource("aws:s3/bucket:Bucket", "logs_a_b", {}),
                            _resource("aws:s3/bucket:Bucket", "9lives", {})]}
    assert sorted(_by_address(export.terraform_plan(record))) == [
        "aws_s3_bucket._9lives", "aws_s3_bucket.logs_a_b", "aws_s3_bucket.logs_a_b_2"]


def test_every_type_in_the_data_file_is_a_resource_of_the_installed_sdk() -> None:
    types = json.loads(export.DATA.read_text(encoding="utf-8"))["types"]
    assert [t for t in types if export._resource_args(t) is None] == []


def test_command_writes_the_plan_of_a_fixture(tmp_path, capsys) -> None:
    out = tmp_path / "plan.json"
    assert main(["export", str(fixture("TAP056-iam-policies")), "-o", str(out)]) == 0
    plan = json.loads(out.read_text(encoding="utf-8"))
    assert plan["format_version"] and plan["tapcheck"]["unmapped"] == []
    types = {r["type"] for r in plan["planned_values"]["root_module"]["resources"]}
    assert {"aws_s3_bucket", "aws_iam_role_policy", "aws_iam_policy", "aws_kms_key", "aws_s3_bucket_policy"} <= types
    assert capsys.readouterr().err == ""


def test_command_fails_without_a_project(tmp_path, capsys) -> None:
    assert main(["export", str(tmp_path)]) == 2
    assert "no loadable Pulumi.yaml" in capsys.readouterr().err


def test_update_script_takes_types_and_renames_from_the_bridge_metadata() -> None:
    spec = importlib.util.spec_from_file_location("update_tf", ROOT / "scripts" / "update_terraform_types.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    data = {"types": {"aws:lb/loadBalancer:LoadBalancer": "aws_alb"}, "renames": {}, "plural_blocks": {}}
    metadata = {"renames": {
        "resources": {"aws:lb/loadBalancer:LoadBalancer": "aws_lb", "aws:sns/topic:Topic": "aws_sns_topic"},
        "renamedProperties": {"aws:sns/topic:Topic": {"kmsMasterKeyId": "kms_master_key_id",
                                                       "subscriptions": "subscription"}}}}
    changes = module.update(data, metadata, ["aws:sns/topic:Topic"])
    assert data["types"] == {"aws:lb/loadBalancer:LoadBalancer": "aws_lb", "aws:sns/topic:Topic": "aws_sns_topic"}
    assert data["renames"] == {"aws:sns/topic:Topic": {"subscriptions": "subscription"}}
    assert len(changes) == 3
