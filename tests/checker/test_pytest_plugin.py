"""tapcheck's pytest plugin in a Pulumi project's own test run: tests that use `stack_records` run after the others
(its synth runs in the background meanwhile) and get every stack's synth; the other tests keep their order."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import tapcheck

PROGRAM = """\
import pulumi
import pulumi_aws as aws

logs = aws.s3.Bucket("logs")
pulumi.export("stack", pulumi.get_stack())
pulumi.export("bucket", logs.bucket)
"""

TESTS = """\
def test_records_hold_every_stack(stack_records):
    assert sorted(stack_records) == ["dev", "prod"]
    for stack, result in stack_records.items():
        assert not result.findings, [finding.message for finding in result.findings]
        assert result.record["exports"]["stack"]["value"] == stack
        assert [r["name"] for r in result.record["resources"] if r["type"] == "aws:s3/bucket:Bucket"] == ["logs"]


def test_project_is_the_rootdir(pulumi_project):
    assert pulumi_project.name == "app"


def test_stacks_are_the_stack_files(pulumi_project):
    assert sorted(pulumi_project.stacks) == ["dev", "prod"]
"""


def _project(tmp_path: Path, tests: str) -> dict[str, str]:
    """The project and its tests in tmp_path; the environment that runs this checkout's plugin."""
    (tmp_path / "Pulumi.yaml").write_text("name: app\nruntime: python\n", encoding="utf-8")
    for stack in ("dev", "prod"):
        (tmp_path / f"Pulumi.{stack}.yaml").write_text("config:\n  aws:region: us-east-1\n", encoding="utf-8")
    (tmp_path / "__main__.py").write_text(PROGRAM, encoding="utf-8")
    (tmp_path / "test_app.py").write_text(tests, encoding="utf-8")
    (tmp_path / "pytest.ini").write_text("[pytest]\n", encoding="utf-8")
    # This checkout's plugin, loaded alone (as generated repos load it), not an installed copy.
    return {**os.environ, "PYTHONPATH": str(Path(tapcheck.__file__).resolve().parents[1])}


def test_tests_using_stack_records_run_last_and_get_every_stack(tmp_path: Path) -> None:
    env = _project(tmp_path, TESTS)
    proc = subprocess.run([sys.executable, "-m", "pytest", "-v", "-p", "no:cacheprovider", "--disable-plugin-autoload",
                           "-p", "tapcheck.pytest_plugin", "test_app.py"], cwd=tmp_path, env=env, capture_output=True,
                          text=True, timeout=300, check=False)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    ran = [line.split("::")[1].split()[0] for line in proc.stdout.splitlines() if line.startswith("test_app.py::")]
    assert ran == ["test_project_is_the_rootdir", "test_stacks_are_the_stack_files", "test_records_hold_every_stack"]


def test_a_session_stopped_early_leaves_no_process_or_file_of_the_background_synth(tmp_path: Path) -> None:
    project, temporary = tmp_path / "project", tmp_path / "tmp"
    project.mkdir()
    temporary.mkdir()
    env = _project(project, "import time\n\n\ndef test_fails_first():\n    time.sleep(1)\n    assert False\n\n\n"
                   + TESTS) | {"TMPDIR": str(temporary)}
    proc = subprocess.run([sys.executable, "-m", "pytest", "-x", "-p", "no:cacheprovider", "--disable-plugin-autoload",
                           "-p", "tapcheck.pytest_plugin", "test_app.py"], cwd=project, env=env, capture_output=True,
                          text=True, timeout=300, check=False)
    assert proc.returncode == 1 and "1 failed" in proc.stdout, proc.stdout + proc.stderr
    # The synth had started (the records test was collected) and was stopped with the session: nothing remains.
    assert not list(temporary.iterdir())
