"""Projects found as Pulumi finds them: one per Pulumi.yaml, nested ones on their own, output grouped by project;
rule selection from settings and the command line."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from helpers import write

import tapcheck
from tapcheck.cli import main
from tapcheck.project import Project, find_projects
from tapcheck.selection import SelectionError

PROGRAM = "import pulumi\n\npulumi.export('stack', pulumi.get_stack())\n"



def monorepo(root: Path) -> Path:
    """A root project, a nested project with a placeholder test, and a folder that only looks like code."""
    return write(root, {
        "Pulumi.yaml": "name: root-infra\nruntime: python\n",
        "Pulumi.dev.yaml": "config: {}\n",
        "__main__.py": PROGRAM,
        "services/api/Pulumi.yaml": "name: api\nruntime: python\n",
        "services/api/Pulumi.dev.yaml": "config: {}\n",
        "services/api/__main__.py": PROGRAM,
        "services/api/tests/test_nothing.py": "def test_placeholder():\n    pass\n",
        "services/api/.venv/Pulumi.yaml": "name: not-a-project\nruntime: python\n",
        "tools/helper.py": "VALUE = 1\n",
    })


def test_every_folder_holding_pulumi_yaml_is_a_project(tmp_path: Path) -> None:
    root = monorepo(tmp_path)
    assert find_projects(root) == [root, root / "services" / "api"]
    assert find_projects(root / "tools") == [root / "tools"]  # none: the folder itself, so TAP001 says so


def test_a_nested_project_is_not_part_of_its_parent(tmp_path: Path) -> None:
    root = monorepo(tmp_path)
    project = Project(root)
    assert [project.rel(p) for p in project.python_files] == ["__main__.py", "tools/helper.py"]
    report = tapcheck.check(root, synth=False)
    assert report.findings == []
    nested = tapcheck.check(root / "services" / "api", synth=False)
    assert [(f.rule, f.path) for f in nested.findings] == [("TAP040", "tests/test_nothing.py")]


def test_check_all_gives_one_report_per_project(tmp_path: Path) -> None:
    root = monorepo(tmp_path)
    reports = tapcheck.check_all([root, root / "services" / "api"], synth=False)
    assert [(Path(r.path), r.project) for r in reports] == [(root, "root-infra"), (root / "services" / "api", "api")]
    assert [[f.rule for f in r.findings] for r in reports] == [[], ["TAP040"]]


def test_cli_groups_text_output_by_project(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    root = monorepo(tmp_path)
    assert main([str(root), "--no-synth", "--strict"]) == 1  # the exit code covers every project
    lines = capsys.readouterr().out.splitlines()
    headers = [line for line in lines if line.startswith("== ")]
    assert headers == [f"== {root} (project 'root-infra', stack 'dev'): no findings",
                       f"== {root / 'services' / 'api'} (project 'api', stack 'dev'): 0 errors, 1 warning"]
    assert f"{root / 'services' / 'api' / 'tests' / 'test_nothing.py'}:1: TAP040" in "\n".join(lines)
    assert lines[-1] == "2 projects: 0 errors, 1 warning"


def test_cli_json_carries_every_project(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    root = monorepo(tmp_path)
    assert main([str(root), "--no-synth", "--format", "json", "--strict"]) == 1
    data = json.loads(capsys.readouterr().out)
    assert [(p["path"], p["project"], len(p["findings"])) for p in data["projects"]] == [
        (str(root), "root-infra", 0), (str(root / "services" / "api"), "api", 1)]
    assert [(f["rule"], f["project_path"]) for f in data["findings"]] == [("TAP040", str(root / "services" / "api"))]
    assert all(p["notes"] and p["synth"] is None for p in data["projects"])


def test_a_folder_without_any_pulumi_yaml_keeps_tap001(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    write(tmp_path, {"app.py": "print('hi')\n"})
    assert main([str(tmp_path), "--no-synth"]) == 1
    assert capsys.readouterr().out.startswith("Pulumi.yaml:1: TAP001 no Pulumi.yaml in the project folder")


# ----- rule selection ---------------------------------------------------------------------------------------------
HOUSE_PROGRAM = ("import pulumi\nimport pulumi_aws as aws\n\naws.sqs.Queue('jobs')\n"
                 "pulumi.export('queue', 'jobs')\n")


def house_project(root: Path, settings: str = "") -> Path:
    """No `stack` export (TAP012, house) and an untagged queue (TAP029, house); a literal password (TAP020)."""
    files = {"Pulumi.yaml": "name: app\nruntime: python\n", "Pulumi.dev.yaml": "config:\n  aws:region: us-east-1\n",
             "__main__.py": HOUSE_PROGRAM + "aws.rds.Cluster('db', engine='aurora-postgresql', "
                                            "master_password='Hunter2Hunter2')\n"}
    if settings:
        files["pyproject.toml"] = f"[tool.tapcheck]\n{settings}\n"
    return write(root, files)


def test_house_rules_are_off_unless_selected(tmp_path: Path) -> None:
    plain = tapcheck.check(house_project(tmp_path / "plain"))
    assert not {"TAP012", "TAP029"} & plain.rules()
    assert "TAP020" in plain.rules()
    generated = tapcheck.check(house_project(tmp_path / "gen", 'extend-select = ["house"]\n'
                                                                'severity = { security = "error" }'))
    assert {"TAP012", "TAP020", "TAP029"} <= generated.rules()
    assert {f.severity for f in generated.findings if f.rule == "TAP020"} == {"error"}


def test_cli_select_replaces_and_ignore_adds(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    root = house_project(tmp_path, 'extend-select = ["house"]')
    assert main([str(root), "--format", "json", "--select", "TAP012,TAP029"]) == 1
    rules = {f["rule"] for f in json.loads(capsys.readouterr().out)["findings"]}
    assert rules == {"TAP012", "TAP029"}
    assert main([str(root), "--format", "json", "--ignore", "TAP012", "--ignore", "security"]) == 0
    rules = {f["rule"] for f in json.loads(capsys.readouterr().out)["findings"]}
    assert rules == {"TAP028", "TAP029"}  # warnings: exit 0


def test_severity_setting_overrides_the_catalog(tmp_path: Path) -> None:
    root = house_project(tmp_path, 'extend-select = ["house"]\nseverity = { TAP029 = "error", TAP012 = "warning" }')
    report = tapcheck.check(root)
    assert {f.rule: f.severity for f in report.findings if f.rule in ("TAP012", "TAP029")} == {
        "TAP012": "warning", "TAP029": "error"}


@pytest.mark.parametrize(("settings", "named"), [
    ('select = ["pulumi", "nope"]', "select: unknown rule selector 'nope'"),
    ('extend-select = "house"', "[tool.tapcheck] extend-select: expected a list of strings"),
    ('severity = { security = "fatal" }', "severity: 'security' = 'fatal'"),
])
def test_a_bad_selector_names_the_setting(tmp_path: Path, settings: str, named: str,
                                          capsys: pytest.CaptureFixture[str]) -> None:
    root = house_project(tmp_path, settings)
    with pytest.raises(SelectionError, match=named.replace("[", r"\[").replace("]", r"\]")):
        tapcheck.check(root, synth=False)
    assert main([str(root), "--no-synth"]) == 2
    assert named in capsys.readouterr().err


def test_every_stack_is_checked_with_its_own_config_when_asked(tmp_path: Path,
                                                               capsys: pytest.CaptureFixture[str]) -> None:
    # Only prod's config breaks the program: the default run checks dev and says which stacks it left.
    write(tmp_path, {
        "Pulumi.yaml": "name: infra\nruntime: python\n",
        "Pulumi.dev.yaml": "config:\n  infra:replicas: '2'\n",
        "Pulumi.prod.yaml": "config:\n  infra:replicas: many\n",
        "__main__.py": "import pulumi\n\npulumi.export('replicas', pulumi.Config().require_int('replicas'))\n",
        "tests/test_placeholder.py": "def test_nothing():\n    pass\n",
    })
    assert main([str(tmp_path)]) == 0  # TAP040 is a warning
    out = capsys.readouterr().out
    assert "note: checked stack 'dev' only; the project's other stacks (prod) have their own config: --stack NAME " \
           "or --all-stacks checks them" in out

    assert main([str(tmp_path), "--all-stacks"]) == 1
    lines = capsys.readouterr().out.splitlines()
    headers = [line for line in lines if line.startswith("== ")]
    # The placeholder test (TAP040) is the same in every stack: reported once, under the first stack.
    assert headers[0] == f"== {tmp_path} (project 'infra', stack 'dev'): 0 errors, 1 warning"
    assert headers[1].startswith(f"== {tmp_path} (project 'infra', stack 'prod'): 1 error, 0 warnings")
    assert any("TAP010" in line and "replicas" in line for line in lines)
    assert "note: 1 finding(s) identical to stack 'dev''s are reported there only" in lines
    assert lines[-1] == "1 project, 2 stacks: 1 error, 1 warning"
    assert not any("checked stack" in line for line in lines)


def test_all_stacks_and_one_stack_are_exclusive(capsys: pytest.CaptureFixture[str]) -> None:
    assert main([".", "--stack", "dev", "--all-stacks"]) == 2
    assert "not allowed with argument" in capsys.readouterr().err
