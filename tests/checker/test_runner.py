"""The synth runner: deterministic with resource references, notes components it cannot expand, and places errors
raised inside Output callbacks at the project line that created the Output."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from tapcheck import synth
from tapcheck.project import Project
from tests.checker.helpers import fixture


def run_raw(project_dir: Path, stack: str = "dev") -> dict[str, Any]:
    """Run the runner script on a project exactly as synth starts it, and return its raw JSON record."""
    project = Project(project_dir)
    layout = project.layout
    job = {"project": project.name, "stack": stack, "pwd": str(layout.pwd), "program": layout.program,
           "root": str(project_dir), "package_dir": str(synth.PACKAGE_DIR), "sdk_usages": None}
    job_path, out_path = project_dir.parent / "job.json", project_dir.parent / "out.json"
    job_path.write_text(json.dumps(job), encoding="utf-8")
    config, secret_keys = project.host_config(stack)
    env = {"PULUMI_CONFIG": config, "PULUMI_CONFIG_SECRET_KEYS": secret_keys, "PATH": "/usr/bin:/bin"}
    proc = subprocess.run([sys.executable, str(synth.RUNNER), str(job_path), str(out_path)], cwd=str(layout.pwd),
                          env=env, capture_output=True, text=True, timeout=180, check=False)
    assert proc.returncode == 0, proc.stderr
    return json.loads(out_path.read_text(encoding="utf-8"))


def _copy(name: str, tmp_path: Path) -> Path:
    target = tmp_path / name
    shutil.copytree(fixture(name), target)
    return target


def test_resource_passed_as_input_is_deterministic_over_20_runs(tmp_path: Path) -> None:
    project = _copy("mock-resource-ref", tmp_path)
    records = []
    for _ in range(20):
        raw = run_raw(project)
        assert raw["status"] == "ok", raw["error"]
        records.append(json.dumps([raw["resources"], raw["exports"]], sort_keys=True))
    assert len(set(records)) == 1
    resources = {(r["type"], r["name"]): r for r in json.loads(records[0])[0]}
    function = resources[("aws:lambda/function:Function", "f")]
    # The engine hands pulumi-aws a referenced resource's id: a Lambda function's id is its name.
    assert resources[("aws:lambda/permission:Permission", "p")]["inputs"]["function"] == function["id"]
    assert function["id"] == function["inputs"].get("name", function["outputs"].get("name"))
    role = resources[("aws:iam/role:Role", "r")]
    assert resources[("aws:iam/rolePolicyAttachment:RolePolicyAttachment", "logs")]["inputs"]["role"] == role["id"]


def test_unexpanded_component_is_noted_not_an_error(tmp_path: Path) -> None:
    raw = run_raw(_copy("mock-unexpanded", tmp_path))
    assert raw["status"] == "ok", raw["error"]
    assert raw["unexpanded"] == [{"type": "awsx:ec2:Vpc", "name": "network",
                                  "urn": "urn:pulumi:dev::mock-unexpanded::pulumi:pulumi:Stack$awsx:ec2:Vpc::network"}]
    assert raw["notes"] == []  # synth describes unexpanded components, once (test_synth_errors)
    # Its outputs still have their declared types, so the program and the resources fed from them run.
    assert raw["exports"]["vpc_id"]["value"].startswith("vpc-")
    assert all(s.startswith("subnet-") for s in raw["exports"]["private_subnet_ids"]["value"])
    assert [r["type"] for r in raw["resources"]] == ["awsx:ec2:Vpc", "aws:ec2/securityGroup:SecurityGroup"]
    assert [r["unknown_keys"] for r in raw["resources"]] == [[], []]  # checked where the SDK is loaded


def test_plain_program_has_no_notes(tmp_path: Path) -> None:
    raw = run_raw(_copy("mock-resource-ref", tmp_path))
    assert raw["unexpanded"] == [] and raw["notes"] == []


def test_error_in_concat_is_placed_at_the_line_that_created_the_output(tmp_path: Path) -> None:
    project = _copy("mock-apply-error", tmp_path)
    error = run_raw(project)["error"]
    assert error["type"] == "TypeError"
    assert error["message"] == "TypeError: sequence item 2: expected str instance, int found"
    assert error["location"] is None  # raised inside the SDK's join, not on a project line
    assert error["created_at"] == {"path": str(project / "__main__.py"), "line": 8}
    assert error["fed"] == "input `source_arn` of aws.lambda.Permission 'invoke'"
    assert error["traceback"].startswith("Traceback (most recent call last):")


def test_error_fed_to_an_export_names_it(tmp_path: Path) -> None:
    project = _copy("mock-apply-error", tmp_path)
    main = project / "__main__.py"
    text = main.read_text(encoding="utf-8")
    start = text.index("aws.lambda_.Permission")
    end = text.index("pulumi.export")
    main.write_text(text[:start] + 'pulumi.export("source", source)\n' + text[end:], encoding="utf-8")
    error = run_raw(project)["error"]
    assert error["created_at"]["line"] == 8 and error["fed"] == "export 'source'"


def test_error_in_a_project_callback_has_its_location_and_full_message(tmp_path: Path) -> None:
    project = _copy("mock-apply-error", tmp_path)
    main = project / "__main__.py"
    main.write_text(main.read_text(encoding="utf-8").replace(
        'source = pulumi.Output.concat(api.execution_arn, "/", queue.delay_seconds)',
        'source = api.execution_arn.apply(lambda arn: arn + "/" + {"a": 1}["b\\tc\\nd"])'), encoding="utf-8")
    error = run_raw(project)["error"]
    assert error["type"] == "KeyError"
    assert error["location"] == {"path": str(main), "line": 8}
    assert error["message"] == "KeyError: 'b\\tc\\nd'"
    # raised in the program's own callback: located there, and still naming what its Output fed
    assert error["created_at"]["line"] == 8 and error["fed"]


@pytest.mark.parametrize("text", ["raise ValueError('first line\\n\\tsecond line')"])
def test_multiline_messages_are_kept_whole_on_one_line(tmp_path: Path, text: str) -> None:
    project = _copy("mock-apply-error", tmp_path)
    (project / "__main__.py").write_text(text + "\n", encoding="utf-8")
    error = run_raw(project)["error"]
    assert error["message"] == "ValueError: first line second line"
    assert error["location"]["line"] == 1


def test_stacks_in_one_process_give_the_records_of_one_process_each(tmp_path: Path) -> None:
    project = Project(_copy("mock-stacks", tmp_path))
    stacks = ["dev", "staging", "prod"]
    together = synth.run_synth_stacks(project, stacks)
    assert list(together) == stacks
    for stack in stacks:
        alone = synth.run_synth(project, stack=stack)
        assert together[stack].record == alone.record
        assert (together[stack].findings, together[stack].notes) == (alone.findings, alone.notes)
    # Each stack ran with its own config and a fresh copy of the project's modules.
    names = {s: [r["name"] for r in together[s].record["resources"]] for s in stacks}
    assert names["dev"] == ["dev-logs-1", "dev-app-2"]
    assert names["prod"] == ["prod-logs-1", "prod-app-2", "prod-app-3", "prod-app-4"]
    assert together["prod"].record["exports"]["bucket_arn"]["value"].startswith("arn:aws:s3:::")


def test_synth_stacks_defaults_to_every_stack_of_the_project(tmp_path: Path) -> None:
    results = synth.synth_stacks(_copy("mock-stacks", tmp_path))
    assert list(results) == ["dev", "prod", "staging"]
    assert all(r.findings == [] and r.record["stack"] == s for s, r in results.items())


def test_error_under_the_sdks_input_wrappers_is_the_programs_own_without_addresses(tmp_path: Path) -> None:
    """The SDK wraps a ValueError met while serializing an input in "While processing input ... value <Output
    object at 0x...>": the record keeps the program's error, where it was raised, and the input it fed."""
    project = _copy("mock-apply-error", tmp_path)
    main = project / "__main__.py"
    main.write_text(main.read_text(encoding="utf-8").replace(
        'source = pulumi.Output.concat(api.execution_arn, "/", queue.delay_seconds)',
        'source = api.execution_arn\n'
        'def page(name):\n'
        '    raise ValueError(f"no template for {name} at 0x7f00deadbeef")\n'
        'aws.s3.BucketObject("index", bucket="b", content=api.execution_arn.apply(page))'), encoding="utf-8")
    error = run_raw(project)["error"]
    assert error["message"].startswith("ValueError: no template for ")
    assert "0x" not in error["message"] and "While processing" not in error["message"]
    assert error["fed"] == "input `content` of aws.s3.BucketObject 'index'"
