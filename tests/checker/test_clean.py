"""The clean fixture is a small but realistic correct project: the checker must report nothing."""

from __future__ import annotations

import os
import subprocess
import sys

from helpers import fixture, run


def test_clean_project_has_no_findings_with_synth() -> None:
    report = run("clean", synth=True)
    assert report.findings == []
    assert report.synth is not None
    assert report.synth["ok"] is True
    assert report.synth["exports"]["stack"]["value"] == "dev"
    types = {r["type"] for r in report.synth["resources"]}
    assert {"aws:ec2/vpc:Vpc", "aws:ec2/flowLog:FlowLog", "aws:s3/bucket:Bucket", "pulumi:providers:aws"} <= types


def test_clean_project_has_no_findings_static_only() -> None:
    report = run("clean", synth=False)
    assert report.findings == []
    assert report.synth is None


def test_clean_project_tags_come_from_the_provider() -> None:
    record = run("clean", synth=True).synth
    assert record is not None
    bucket = next(r for r in record["resources"] if r["type"] == "aws:s3/bucket:Bucket")
    assert "tags" not in bucket["inputs"]
    assert bucket["provider"].startswith("urn:pulumi:dev::clean-app::pulumi:pulumi:Stack$pulumi:providers:aws::aws")


def test_clean_project_unit_test_passes() -> None:
    """The clean fixture's own unit test is real: run it (without pytest, to keep the suite fast)."""
    env = {**os.environ, "PYTHONDONTWRITEBYTECODE": "1"}
    code = ("import importlib.util, sys\n"
            "spec = importlib.util.spec_from_file_location('t', 'tests/unit/test_network.py')\n"
            "module = importlib.util.module_from_spec(spec); spec.loader.exec_module(module)\n"
            "module.test_subnets_are_inside_the_vpc(); print('passed')\n")
    proc = subprocess.run([sys.executable, "-W", "ignore", "-c", code], cwd=fixture("clean"), capture_output=True,
                          text=True, env=env, timeout=120, check=False)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert proc.stdout.strip() == "passed"
