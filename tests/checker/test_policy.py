"""Pulumi policy packs evaluated offline (TAP060): a team's pack on the fixture's program run, levels per stack, the
arguments each policy receives, and what happens when a pack cannot run."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

import pytest
from helpers import expected, fixture, located, run, write

from tapcheck import cli
from tapcheck.catalog import ERROR, WARNING
from tapcheck.policy import PolicyPackError, check_packs, evaluate, policy_names
from tapcheck.project import Project

FIXTURE = "TAP060-policy-pack"


def test_violations_are_findings_at_the_lines_that_created_the_resources() -> None:
    report = run(FIXTURE)
    assert located(report, "TAP060") == expected(fixture(FIXTURE), "TAP060")
    by_line = {(f.path, f.line): f for f in report.findings if f.rule == "TAP060"}
    assert all(f.severity == WARNING for f in by_line.values())  # the pack is advisory outside production
    bucket = by_line[("__main__.py", 8)].message
    assert "aws.s3.Bucket 'logs'" in bucket and "policy 's3-encrypted' (advisory)" in bucket
    assert "pack 'shop-guardrails'" in bucket and "bucket logs has no server-side encryption" in bucket
    loop = by_line[("storage.py", 11)].message  # two buckets created at one line: one finding naming both
    assert "'data-a'" in loop and "'data-b'" in loop
    assert not any("queue" in f.message for f in by_line.values())  # the pack disables that policy


def test_production_makes_the_pack_mandatory_and_more_packs_come_from_the_command_line(capsys) -> None:
    root = fixture(FIXTURE)
    code = cli.main([str(root), "--stack", "prod", "--select", "TAP060", "--format", "json",
                     "--policy-pack", str(root / "team-pack"), "--policy-pack", str(root / "policy")])
    findings = json.loads(capsys.readouterr().out)["findings"]
    assert code == 1
    severities = {(f["path"], f["line"]): f["severity"] for f in findings}
    assert severities == {("__main__.py", 8): ERROR, ("__main__.py", 10): WARNING,  # no-public-ssh: advisory itself
                          ("__main__.py", 13): ERROR, ("storage.py", 11): ERROR}
    queue = next(f["message"] for f in findings if f["line"] == 13)
    assert "policy 'sqs-kms' (mandatory) of pack 'platform-team'" in queue


def test_a_pack_folder_that_does_not_exist_is_bad_usage(tmp_path, capsys) -> None:
    code = cli.main([str(fixture(FIXTURE)), "--no-synth", "--policy-pack", str(tmp_path / "missing")])
    assert code == 2
    assert "no such policy pack folder" in capsys.readouterr().err


PROVIDER = "urn:pulumi:dev::shop::pulumi:providers:aws::default"
PASSWORD = "urn:pulumi:dev::shop::random:index/randomPassword:RandomPassword::pw"
DATABASE = "urn:pulumi:dev::shop::aws:rds/instance:Instance::db"
RECORD: dict[str, Any] = {
    "stack": "dev", "project": "shop",
    "resources": [
        {"type": "pulumi:providers:aws", "name": "default", "urn": PROVIDER,
         "inputs": {"region": "eu-west-1"}, "outputs": {}, "parent": None, "dependencies": [],
         "property_dependencies": {}, "options": {"protect": False}, "site": None},
        {"type": "random:index/randomPassword:RandomPassword", "name": "pw",
         "urn": PASSWORD, "inputs": {"length": 32.0},
         "outputs": {"result": {"__secret__": "s3cret"}}, "parent": None, "dependencies": [],
         "property_dependencies": {}, "options": {"protect": False}, "site": {"path": "__main__.py", "line": 3}},
        {"type": "aws:rds/instance:Instance", "name": "db", "urn": DATABASE,
         "inputs": {"password": {"__secret__": "s3cret"}, "storageEncrypted": False},
         "outputs": {"arn": "arn:aws:rds:eu-west-1:123456789012:db:db", "id": "db-id"},
         "provider": f"{PROVIDER}::default-id",
         "parent": None, "dependencies": [PASSWORD],
         "property_dependencies": {"password": [PASSWORD]},
         "options": {"protect": True}, "site": {"path": "lib/db.py", "line": 12}},
    ],
}

RECORDING_PACK = '''
import json
import os

from pulumi_policy import (EnforcementLevel, PolicyConfigSchema, PolicyPack, ResourceValidationPolicy,
                           StackValidationPolicy)

SEEN = os.environ["TAPCHECK_TEST_OUT"]


def resource(args, report_violation):
    if args.resource_type == "aws:rds/instance:Instance":
        with open(SEEN + ".resource", "w", encoding="utf-8") as out:
            json.dump({"props": dict(args.props), "urn": args.urn, "name": args.name, "protect": args.opts.protect,
                       "provider": args.provider.resource_type, "region": args.provider.props["region"],
                       "config": dict(args.get_config()), "stack": os.environ["PULUMI_STACK"],
                       "project_config": json.loads(os.environ["PULUMI_CONFIG"])}, out)
        report_violation("storage is not encrypted")


def stack(args, report_violation):
    db = next(r for r in args.resources if r.name == "db")
    with open(SEEN + ".stack", "w", encoding="utf-8") as out:
        json.dump({"password_from": [r.name for r in db.property_dependencies["password"]],
                   "dependencies": [r.name for r in db.dependencies]}, out)
    report_violation("stack-wide")


PolicyPack("recording", [
    ResourceValidationPolicy("encrypted", "Storage is encrypted.", resource,
                             config_schema=PolicyConfigSchema({"minimum": {"type": "integer", "default": 1}})),
    StackValidationPolicy("whole-stack", "The stack is fine.", stack),
], enforcement_level=EnforcementLevel.ADVISORY, initial_config={"encrypted": {"enforcementLevel": "mandatory",
                                                                             "label": "x"}})
'''


def _pack(root: Path, program: str) -> Path:
    return write(root, {"PulumiPolicy.yaml": "runtime: python\n", "__main__.py": program})


def test_each_policy_gets_what_the_analyzer_gives_it(tmp_path, monkeypatch) -> None:
    pack = _pack(tmp_path / "pack", RECORDING_PACK)
    monkeypatch.setenv("TAPCHECK_TEST_OUT", str(tmp_path / "seen"))
    found = evaluate(pack, RECORD, config={"shop:production": "false"})
    assert [(v.policy, v.level, v.message, v.urn) for v in found] == [
        ("encrypted", "mandatory", "storage is not encrypted", DATABASE),
        ("whole-stack", "advisory", "stack-wide", None),
    ]
    seen = json.loads((tmp_path / "seen.resource").read_text(encoding="utf-8"))
    assert seen["props"] == {"password": "s3cret", "storageEncrypted": False,  # secrets unwrapped, camelCase
                             "arn": "arn:aws:rds:eu-west-1:123456789012:db:db"}
    assert (seen["name"], seen["protect"], seen["provider"], seen["region"]) == ("db", True, "pulumi:providers:aws",
                                                                                 "eu-west-1")
    assert seen["config"] == {"minimum": 1, "label": "x"}
    assert (seen["stack"], seen["project_config"]) == ("dev", {"shop:production": "false"})
    assert json.loads((tmp_path / "seen.stack").read_text(encoding="utf-8")) == {"password_from": ["pw"],
                                                                                 "dependencies": ["pw"]}
    assert policy_names(pack) == ["encrypted", "whole-stack"]


def test_findings_sit_at_the_resource_line_or_the_entry_point_for_the_stack(tmp_path, monkeypatch) -> None:
    project = write(tmp_path / "shop", {"Pulumi.yaml": "name: shop\nruntime: python\n", "__main__.py": "\n"})
    pack = _pack(tmp_path / "pack", RECORDING_PACK)
    monkeypatch.setenv("TAPCHECK_TEST_OUT", str(tmp_path / "seen"))
    findings, notes = check_packs(Project(project), RECORD, [pack])
    assert notes == []
    assert {(f.path, f.line, f.severity) for f in findings} == {("lib/db.py", 12, ERROR),
                                                                ("__main__.py", 1, WARNING)}


def test_a_disabled_level_from_the_pack_config_reports_nothing(tmp_path, monkeypatch) -> None:
    monkeypatch.setenv("TAPCHECK_TEST_OUT", str(tmp_path / "seen"))
    pack = _pack(tmp_path / "pack", RECORDING_PACK.replace(
        'initial_config={"encrypted"', 'initial_config={"all": EnforcementLevel.DISABLED, "other"'))
    assert evaluate(pack, RECORD) == []


def test_a_pack_that_cannot_run_is_a_note_not_a_crash(tmp_path, monkeypatch) -> None:
    project = Project(write(tmp_path / "shop", {"Pulumi.yaml": "name: shop\nruntime: python\n"}))
    failing = _pack(tmp_path / "failing", RECORDING_PACK.replace('report_violation("stack-wide")', "1 / 0"))
    monkeypatch.setenv("TAPCHECK_TEST_OUT", str(tmp_path / "seen"))
    findings, notes = check_packs(project, RECORD, [failing])
    assert findings == [] and len(notes) == 1
    assert "policy 'whole-stack' of pack 'recording' raised ZeroDivisionError" in notes[0]
    monkeypatch.setitem(sys.modules, "pulumi_policy", None)  # as if pulumi-policy were not installed
    with pytest.raises(PolicyPackError, match="cannot import pulumi_policy"):
        evaluate(failing, RECORD)
