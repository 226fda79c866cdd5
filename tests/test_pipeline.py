"""The generated repo's deploy scripts, run as the workflows run them, against a fake `pulumi` command.

The fake records every command line it is given (one JSON array per line) and answers `stack output --json` with
canned outputs, so the tests prove which stacks the scripts select, create, preview, deploy and destroy, in which
order, and what they write to cfn-outputs/flat-outputs.json, with no Pulumi CLI and no cloud.
"""

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from cookiecutter.exceptions import FailedHookException

from tests.conftest import bake

# One worker bakes this module's repos once (run with --dist loadgroup, as CI does).
pytestmark = pytest.mark.xdist_group("pipeline")

# Outputs as `pulumi stack output --json` prints them: lists stay lists.
CANNED_OUTPUTS = {"stack": "dev", "region": "us-east-1", "private_subnet_ids": ["subnet-1", "subnet-2"]}
FAKE_PULUMI = '''#!{python}
"""A stand-in for the Pulumi CLI: records its arguments, answers `stack output --json`, fails when told to."""
import json, os, sys
args = sys.argv[1:]
with open(os.environ["FAKE_PULUMI_LOG"], "a", encoding="utf-8") as log:
    log.write(json.dumps(args) + "\\n")
if os.environ.get("FAKE_PULUMI_FAIL") == args[0]:
    print("error: the fake failed as asked", file=sys.stderr)
    sys.exit(255)
if args[:3] == ["stack", "output", "--json"]:
    print(os.environ["FAKE_PULUMI_OUTPUTS"])
elif args[0] == "preview":
    print("Previewing update:")
    print("    + aws:s3/bucket:Bucket created\\n" * int(os.environ.get("FAKE_PULUMI_LINES", "0")), end="")
    print("Resources:\\n    + 3 to create")
'''


@pytest.fixture(scope="module")
def repos(tmp_path_factory) -> dict[str, Path]:
    """One repo with the default answers (self-managed backend) and one for Pulumi Cloud with other names."""
    return {
        "default": bake(tmp_path_factory.mktemp("pipeline")),
        "cloud": bake(tmp_path_factory.mktemp("pipeline"), pulumi_backend="cloud", pulumi_org="acme",
                      pulumi_project="Payments", stacks="qa,prod"),
    }


@pytest.fixture
def fake_pulumi(tmp_path) -> dict[str, str]:
    """An environment whose PATH starts with the fake `pulumi`; its log is at env["FAKE_PULUMI_LOG"]."""
    folder = tmp_path / "bin"
    folder.mkdir()
    executable = folder / "pulumi"
    executable.write_text(FAKE_PULUMI.format(python=sys.executable), encoding="utf-8")
    executable.chmod(0o755)
    env = {key: value for key, value in os.environ.items() if not key.startswith(("PULUMI_", "FAKE_PULUMI_"))}
    return env | {
        "PATH": os.pathsep.join([str(folder), env.get("PATH", "")]),
        "FAKE_PULUMI_LOG": str(tmp_path / "pulumi.log"),
        "FAKE_PULUMI_OUTPUTS": json.dumps(CANNED_OUTPUTS),
    }


def stack_script(repo: Path, env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    """Run `python scripts/stack.py ARGS` from the repo, as the workflows do."""
    return subprocess.run([sys.executable, "scripts/stack.py", *args], cwd=repo, env=env, capture_output=True,
                          text=True, check=False, timeout=60)


def calls(env: dict[str, str]) -> list[list[str]]:
    """The command lines the fake `pulumi` received, in order, without the flag every call carries."""
    lines = Path(env["FAKE_PULUMI_LOG"]).read_text(encoding="utf-8").splitlines()
    recorded = [json.loads(line) for line in lines]
    assert all(call[-1] == "--non-interactive" for call in recorded if call[:2] != ["stack", "output"])
    return [[arg for arg in call if arg != "--non-interactive"] for call in recorded]


def outputs_file(repo: Path) -> Any:
    return json.loads((repo / "cfn-outputs" / "flat-outputs.json").read_text(encoding="utf-8"))


def test_pull_request_flow_previews_every_stack_by_its_fully_qualified_name(repos, fake_pulumi, tmp_path):
    repo = repos["default"]
    for stack in ("dev", "staging", "prod"):
        result = stack_script(repo, fake_pulumi, "preview", stack, "--summary", str(tmp_path / f"{stack}.md"))
        assert result.returncode == 0, result.stderr
    expected = []
    for stack in ("dev", "staging", "prod"):
        name = f"organization/TapStack/{stack}"
        expected += [["stack", "select", "--create", "--stack", name],
                     ["preview", "--stack", name, "--color", "never"]]
    assert calls(fake_pulumi) == expected
    summary = (tmp_path / "staging.md").read_text(encoding="utf-8")
    assert summary.startswith("<!-- pulumi-preview organization/TapStack/staging -->\n")
    assert "+ 3 to create" in summary and "FAILED" not in summary


def test_merge_flow_deploys_in_order_and_writes_outputs_with_lists_as_lists(repos, fake_pulumi):
    repo = repos["default"]
    secrets_provider = "awskms://alias/pulumi-secrets?region=us-east-1"
    env = fake_pulumi | {"PULUMI_SECRETS_PROVIDER": secrets_provider}
    for stack in ("dev", "staging", "prod"):
        result = stack_script(repo, env, "up", stack)
        assert result.returncode == 0, result.stderr
        assert outputs_file(repo) == CANNED_OUTPUTS
    expected = []
    for stack in ("dev", "staging", "prod"):
        name = f"organization/TapStack/{stack}"
        expected += [["stack", "select", "--create", "--stack", name, "--secrets-provider", secrets_provider],
                     ["up", "--stack", name, "--yes", "--skip-preview"],
                     ["stack", "output", "--json", "--stack", name]]
    assert calls(fake_pulumi) == expected
    assert isinstance(outputs_file(repo)["private_subnet_ids"], list)


def test_review_stack_copies_the_first_stacks_config_then_is_destroyed_and_removed(repos, fake_pulumi):
    repo = repos["cloud"]
    assert stack_script(repo, fake_pulumi, "review", "42").returncode == 0
    assert stack_script(repo, fake_pulumi, "review", "42", "--destroy").returncode == 0
    review, source = "acme/Payments/pr42", "acme/Payments/qa"
    assert calls(fake_pulumi) == [
        ["stack", "select", "--create", "--stack", review],
        ["config", "cp", "--stack", source, "--dest", review],
        ["config", "set", "--stack", review, "environmentSuffix", "pr42"],
        ["stack", "select", "--create", "--stack", review],
        ["up", "--stack", review, "--yes", "--skip-preview"],
        ["stack", "output", "--json", "--stack", review],
        ["stack", "select", "--create", "--stack", review],
        ["destroy", "--stack", review, "--yes", "--skip-preview", "--remove"],
    ]
    assert outputs_file(repo) == CANNED_OUTPUTS


def test_stack_names_follow_pulumi_yaml_so_they_cannot_disagree(repos, fake_pulumi, tmp_path):
    repo = repos["cloud"]
    project_file = repo / "Pulumi.yaml"
    original = project_file.read_text(encoding="utf-8")
    try:
        project_file.write_text(original.replace("name: Payments\n", 'name: "Renamed"\n'), encoding="utf-8")
        assert stack_script(repo, fake_pulumi, "preview", "qa").returncode == 0
    finally:
        project_file.write_text(original, encoding="utf-8")
    assert calls(fake_pulumi)[0] == ["stack", "select", "--create", "--stack", "acme/Renamed/qa"]


def test_a_failed_preview_is_reported_in_the_summary_and_the_exit_status(repos, fake_pulumi, tmp_path):
    summary = tmp_path / "preview.md"
    result = stack_script(repos["default"], fake_pulumi | {"FAKE_PULUMI_FAIL": "preview"}, "preview", "dev",
                          "--summary", str(summary))
    assert result.returncode == 255
    text = summary.read_text(encoding="utf-8")
    assert "Preview FAILED: `organization/TapStack/dev`" in text and "the fake failed as asked" in text


def test_a_failed_deploy_stops_before_writing_outputs(repos, fake_pulumi):
    repo = repos["cloud"]
    (repo / "cfn-outputs" / "flat-outputs.json").unlink(missing_ok=True)
    result = stack_script(repo, fake_pulumi | {"FAKE_PULUMI_FAIL": "up"}, "up", "prod")
    assert result.returncode == 255
    assert [call[0] for call in calls(fake_pulumi)] == ["stack", "up"]
    assert not (repo / "cfn-outputs" / "flat-outputs.json").exists()


@pytest.mark.parametrize("stack", ["Dev", "dev/x", "averyveryverylongname"])
def test_a_stack_name_that_is_not_a_resource_suffix_is_refused_before_pulumi_runs(repos, fake_pulumi, stack):
    result = stack_script(repos["default"], fake_pulumi, "up", stack)
    assert result.returncode == 2
    assert f"stack {stack!r}: must be 1-10 lowercase letters or digits" in result.stderr
    assert not Path(fake_pulumi["FAKE_PULUMI_LOG"]).exists()


def test_without_the_pulumi_cli_the_script_says_where_to_get_it(repos, fake_pulumi, tmp_path):
    env = fake_pulumi | {"PATH": str(tmp_path / "empty")}
    result = subprocess.run([sys.executable, "scripts/stack.py", "up", "dev"], cwd=repos["default"], env=env,
                            capture_output=True, text=True, check=False, timeout=60)
    assert result.returncode == 2
    assert "the Pulumi CLI is not on PATH" in result.stderr


def test_a_long_preview_keeps_its_summary_within_githubs_comment_limit(repos, fake_pulumi, tmp_path):
    summary = tmp_path / "preview.md"
    result = stack_script(repos["default"], fake_pulumi | {"FAKE_PULUMI_LINES": "5000"}, "preview", "dev",
                          "--summary", str(summary))
    assert result.returncode == 0, result.stderr
    text = summary.read_text(encoding="utf-8")
    assert len(text) < 65_536, "GitHub's limit for a comment"
    assert "(the beginning is in the job's log)" in text and text.rstrip().endswith("+ 3 to create\n```\n\n</details>")


def test_a_self_managed_backend_with_an_organization_is_refused(tmp_path):
    with pytest.raises(FailedHookException) as refusal:
        bake(tmp_path, pulumi_backend="s3", pulumi_org="acme")
    assert "pulumi_org = 'acme': a self-managed (s3) backend names every stack organization/<project>/<stack>" in str(
        refusal.value)
    assert not list(tmp_path.iterdir()), "nothing generated"
