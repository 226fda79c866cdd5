"""Another stack's outputs under synth: unknown, as a preview shows a value that is not known yet, and a note saying
what was therefore not checked (case ``stackreference-output-unknown``)."""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import tapcheck

CASE = Path(__file__).resolve().parent / "cases" / "stackreference-output-unknown"


def test_outputs_of_another_stack_are_unknown_and_a_note_says_what_was_not_checked(tmp_path: Path) -> None:
    project = shutil.copytree(CASE, tmp_path / CASE.name, ignore=shutil.ignore_patterns("case.json"))
    case = json.loads((CASE / "case.json").read_text(encoding="utf-8"))
    report = tapcheck.check(project, timeout=120.0)

    assert not [f for f in report.findings if f.severity == "error"], report.findings
    assert any(re.search(case["note_re"], note) for note in report.notes), report.notes
    record = report.synth
    assert record is not None and record["ok"]
    assert record["stack_references"] == [{
        "name": "network", "stack": "acme/network/dev", "site": {"path": "__main__.py", "line": 6},
        "outputs": ["az_count", "vpc_id", "private_subnet_ids"]}]
    by_type = {r["type"]: r for r in record["resources"]}
    # The callback that makes one subnet per zone never ran on a made-up count ...
    assert "aws:ec2/subnet:Subnet" not in by_type
    assert record["exports"]["app_subnets"]["value"] == "__unknown__"
    # ... and inputs fed by the list are recorded as unknown, not as missing.
    assert by_type["aws:rds/subnetGroup:SubnetGroup"]["inputs"]["subnetIds"] == "__unknown__"
    assert by_type["aws:ec2/instance:Instance"]["inputs"]["subnetId"] == "__unknown__"
    assert record["exports"]["stack"]["value"] == "dev"


def test_a_program_without_stack_references_gets_no_such_note(tmp_path: Path) -> None:
    (tmp_path / "Pulumi.yaml").write_text("name: plain\nruntime: python\n", encoding="utf-8")
    (tmp_path / "Pulumi.dev.yaml").write_text("config:\n  aws:region: us-east-1\n", encoding="utf-8")
    (tmp_path / "__main__.py").write_text(
        "import pulumi\nimport pulumi_aws as aws\n\nbucket = aws.s3.Bucket('logs')\n"
        "pulumi.export('stack', pulumi.get_stack())\npulumi.export('bucket', bucket.bucket)\n", encoding="utf-8")
    report = tapcheck.check(tmp_path, timeout=120.0)
    assert report.synth is not None and report.synth["stack_references"] == []
    assert not [note for note in report.notes if "StackReference" in note]
    assert str(report.synth["exports"]["bucket"]["value"]).startswith("logs-")
