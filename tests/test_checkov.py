"""checkov, offline, on the production stack of the default answers and of every preset.

Each bake's program is exported with `tapcheck export` (the generated repo's own copy of the checker) and all the
plans are scanned in one checkov run with the agreed checks (tests/checkov_checks.py). Every failure must be
accepted in that bake's SECURITY.md (a `| CHECK | terraform_type ...|` row), and every accepted row must still
fail: an exception that no longer applies is removed, so the table stays true.
"""

import json
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml

from tests.checkov_checks import CHECK_IDS, CHECKOV_VERSION, CHECKS
from tests.conftest import TEMPLATE, bake, run

SCANNER = [pytest.mark.slow, pytest.mark.xdist_group("checkov")]

BAKES = {"default": {}} | {
    path.stem: yaml.safe_load(path.read_text(encoding="utf-8"))["default_context"]
    for path in sorted((TEMPLATE / "presets").glob("*.yaml"))
}
ACCEPTED_ROW = re.compile(r"^\| (CKV2?_AWS_\d+) \| (\w+)", re.MULTILINE)
README_ROW = re.compile(r"^\| ([a-zA-Z ]+) \| ((?:CKV2?_AWS_\d+(?:, )?)+) \|$", re.MULTILINE)


def test_readme_lists_the_agreed_checks() -> None:
    readme = (TEMPLATE / "README.md").read_text(encoding="utf-8")
    assert {group: checks.split(", ") for group, checks in README_ROW.findall(readme)} == {
        group: list(checks) for group, checks in CHECKS.items()}


@pytest.fixture(scope="session")
def checkov(tmp_path_factory) -> Path:
    """checkov in an environment of its own (its pins of boto3, packaging, ... conflict with the template's),
    made with the dev group's uv."""
    folder = tmp_path_factory.mktemp("checkov-venv")
    uv = [sys.executable, "-m", "uv"]
    run([*uv, "venv", "-q", str(folder)], folder)
    run([*uv, "pip", "install", "-q", "--python", str(folder / "bin" / "python"), f"checkov=={CHECKOV_VERSION}"],
        folder, timeout=900)
    return folder / "bin" / "checkov"


@pytest.fixture(scope="session")
def scanned(tmp_path_factory, checkov) -> dict[str, Any]:
    """``{bake: {"repo": Path, "failed": {(check, terraform_type)}, "plan": dict}}`` after one checkov run."""
    plans = tmp_path_factory.mktemp("plans")
    repos: dict[str, Path] = {}
    for name, answers in BAKES.items():
        repo = bake(tmp_path_factory.mktemp(name), **answers)
        run([sys.executable, "-m", "tapcheck", "export", ".", "--stack", "prod", "-o", str(plans / f"{name}.json")],
            repo)
        repos[name] = repo
    result = subprocess.run(
        [str(checkov), *[arg for name in BAKES for arg in ("-f", str(plans / f"{name}.json"))],
         "--framework", "terraform_plan", "--check", ",".join(CHECK_IDS), "--skip-download", "-o", "json"],
        capture_output=True, text=True, timeout=600, check=False)
    assert result.returncode in (0, 1), result.stderr  # 1: some check failed
    reports = json.loads(result.stdout)
    failed: dict[str, set[tuple[str, str]]] = {name: set() for name in BAKES}
    for report in reports if isinstance(reports, list) else [reports]:
        assert report["summary"]["parsing_errors"] == 0, report
        for check in report["results"]["failed_checks"]:
            bake_name = Path(check["file_path"]).stem
            failed[bake_name].add((check["check_id"], check["resource"].split(".")[0]))
    return {name: {"repo": repos[name], "failed": failed[name],
                   "plan": json.loads((plans / f"{name}.json").read_text(encoding="utf-8"))} for name in BAKES}


@pytest.mark.parametrize("name", [pytest.param(name, marks=SCANNER) for name in BAKES])
def test_export_maps_every_resource_of_the_production_stack(scanned, name):
    plan = scanned[name]["plan"]
    assert plan["tapcheck"]["unmapped"] == []
    assert plan["planned_values"]["root_module"]["resources"]


@pytest.mark.parametrize("name", [pytest.param(name, marks=SCANNER) for name in BAKES])
def test_agreed_checks_pass_or_are_accepted_in_security_md(scanned, name):
    security = (scanned[name]["repo"] / "SECURITY.md").read_text(encoding="utf-8")
    accepted = set(ACCEPTED_ROW.findall(security))
    failed = scanned[name]["failed"]
    assert failed - accepted == set(), f"{name}: checkov failures not accepted in SECURITY.md"
    assert accepted - failed == set(), f"{name}: SECURITY.md accepts findings checkov no longer reports"
