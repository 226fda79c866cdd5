"""The Python API and the project model: catalog, report, YAML lines, stacks, config, settings, suppression,
interpreter choice, and the synth runner's isolation from the project folder."""

from __future__ import annotations

import dataclasses
import json
import os
import shutil
import stat
import subprocess
import sys
from pathlib import Path

import pytest
from helpers import expected, fixture, located, write

import tapcheck
from tapcheck.findings import Finding, Report, finding
from tapcheck.project import Project, ProjectError, config_to_env, placeholder_secret
from tapcheck.synth import choose_interpreter
from tapcheck.yamlloc import YamlError, load_yaml

PACKAGE = Path(tapcheck.__file__).resolve().parent
# The reference failure catalog's rules, plus TAP009 (a file that does not compile), which the post-generation
# check needs when synth cannot import every module.
CATALOG_IDS = {f"TAP{n:03d}" for n in (1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 20, 21, 22, 23, 24, 25,
                                          26, 27, 28, 29, 30, 40, 41)}
# Security findings warn unless a repo raises them; placeholder tests (TAP040) do not stop a deployment.
WARNINGS = {"TAP020", "TAP027", "TAP028", "TAP029", "TAP040", "TAP041"}



def test_catalog_covers_the_failure_catalog() -> None:
    assert set(tapcheck.RULES) >= CATALOG_IDS  # rules may be added, never renumbered or dropped
    for rule_id, rule in tapcheck.RULES.items():
        assert rule.id == rule_id and rule.severity in ("error", "warning")
        assert rule.title and rule.why and rule.fix and rule.example and not rule.retired
    assert {r for r in CATALOG_IDS if tapcheck.RULES[r].severity == "warning"} == WARNINGS


def test_finding_is_frozen_and_report_splits_severities() -> None:
    err, warn = finding("TAP023", "a.py", 0, "m"), finding("TAP029", "b.py", 4, "n")
    assert err.line == 1  # lines are 1-based even when a rule has no better line
    with pytest.raises(dataclasses.FrozenInstanceError):
        err.line = 2  # type: ignore[misc]
    report = Report(findings=[err, warn])
    assert report.errors == [err] and report.warnings == [warn]
    assert report.to_dict()["findings"][1] == {"rule": "TAP029", "severity": "warning", "path": "b.py", "line": 4,
                                               "message": "n", "fix": tapcheck.RULES["TAP029"].fix}
    assert isinstance(err, Finding)


def test_yaml_lines_and_errors() -> None:
    doc = load_yaml("name: x\nconfig:\n  aws:region:\n    value: us-east-1\nlist:\n  - a\n  - b\n")
    assert doc.line("config", "aws:region", "value") == 4
    assert doc.line("list", 1) == 7
    assert doc.line("config", "missing") == 2
    with pytest.raises(YamlError) as info:
        load_yaml("name: x\nconfig:\n  a: [1,\n")
    assert info.value.line == 4


def test_missing_folder_is_a_project_error(tmp_path: Path) -> None:
    with pytest.raises(ProjectError):
        tapcheck.check(tmp_path / "nope")


def test_missing_pulumi_yaml_is_tap001(tmp_path: Path) -> None:
    report = tapcheck.check(write(tmp_path, {"__main__.py": "x = 1\n"}))
    assert [(f.rule, f.path, f.line) for f in report.findings] == [("TAP001", "Pulumi.yaml", 1)]
    assert report.synth is None


def test_unparsable_pulumi_yaml_is_tap001(tmp_path: Path) -> None:
    report = tapcheck.check(write(tmp_path, {"Pulumi.yaml": "name: x\nruntime: [python\n"}), synth=False)
    assert [(f.rule, f.line) for f in report.findings] == [("TAP001", 3)]


@pytest.mark.parametrize(("stacks", "chosen"), [(["prod", "dev", "ci"], "dev"), (["qa", "ci"], "ci"), ([], "dev")])
def test_default_stack(tmp_path: Path, stacks: list[str], chosen: str) -> None:
    write(tmp_path, {"Pulumi.yaml": "name: x\nruntime: python\n",
                     **{f"Pulumi.{s}.yaml": "config: {}\n" for s in stacks}})
    assert Project(tmp_path).stack_name == chosen
    assert Project(tmp_path, "other").stack_name == "other"


def test_config_the_way_the_host_passes_it(tmp_path: Path) -> None:
    write(tmp_path, {
        "Pulumi.yaml": "name: app\nruntime: python\nconfig:\n  size: {type: integer, default: 2}\n"
                       "  aws:region: us-west-2\n  tags: {value: {Owner: me}}\n",
        "Pulumi.dev.yaml": "config:\n  app:size: 3\n  name: web\n  other:key: v\n  dbPassword:\n"
                           "    secure: v1:abc\n  aws:defaultTags:\n    tags: {Owner: x}\n",
    })
    values, secure = Project(tmp_path).effective_config("dev")
    env, keys = config_to_env(values, secure)
    assert json.loads(env) == {
        "app:size": "3", "app:name": "web", "other:key": "v", "aws:region": "us-west-2",
        "app:tags": '{"Owner": "me"}', "aws:defaultTags": '{"tags": {"Owner": "x"}}',
        "app:dbPassword": placeholder_secret("app:dbPassword"),
    }
    assert json.loads(keys) == ["app:dbPassword"]


def test_pyproject_ignore_and_inline_suppression(tmp_path: Path) -> None:
    write(tmp_path, {
        "Pulumi.yaml": "name: app\nruntime: python\n",
        "__main__.py": "import sys\n\nimport pulumi\n\nsys.path.insert(0, '.')  # tapcheck: ignore[TAP041]\n"
                       "sys.path.append('..')\npulumi.export('stack', pulumi.get_stack())\n",
        "tests/test_x.py": "def test_nothing():\n    pass\n",
    })
    report = tapcheck.check(tmp_path, synth=False)
    assert {(f.rule, f.path, f.line) for f in report.findings} == {("TAP041", "__main__.py", 6),
                                                                   ("TAP040", "tests/test_x.py", 1)}
    write(tmp_path, {"pyproject.toml": '[tool.tapcheck]\nignore = ["TAP040"]\n'})
    assert {f.rule for f in tapcheck.check(tmp_path, synth=False).findings} == {"TAP041"}


def test_required_tags_from_pyproject(tmp_path: Path) -> None:
    write(tmp_path, {
        "Pulumi.yaml": "name: app\nruntime: python\n",
        "Pulumi.dev.yaml": "config:\n  aws:region: us-east-1\n",
        "pyproject.toml": '[tool.tapcheck]\nextend-select = ["house"]\nrequired-tags = ["team", "cost_center"]\n',
        "__main__.py": "import pulumi\nimport pulumi_aws as aws\n\n"
                       "aws.sqs.Queue('a', tags={'Team': 'x', 'Cost-Center': '1'})\n"
                       "aws.sqs.Queue('b', tags={'Owner': 'x', 'CostCenter': '1'})\n"
                       "pulumi.export('stack', pulumi.get_stack())\n",
    })
    report = tapcheck.check(tmp_path)
    assert [(f.rule, f.line) for f in report.findings] == [("TAP029", 5)]
    assert "team" in report.findings[0].message


def _fake_venv(venv: Path) -> None:
    """A virtual environment with an interpreter and pulumi installed, as the chooser sees one."""
    (venv / "bin").mkdir(parents=True)
    (venv / "bin/python").write_text("", encoding="utf-8")
    (venv / "lib/python3.11/site-packages/pulumi").mkdir(parents=True)
    (venv / "lib/python3.11/site-packages/pulumi/__init__.py").write_text("", encoding="utf-8")


def test_interpreter_choice(tmp_path: Path) -> None:
    write(tmp_path, {"Pulumi.yaml": "name: app\nruntime:\n  name: python\n  options:\n    virtualenv: envs/py\n"})
    chosen = choose_interpreter(Project(tmp_path))
    assert (chosen.python, chosen.venv) == (sys.executable, None)
    assert chosen.why.startswith("the checker's own interpreter")
    assert chosen.note == ("Pulumi.yaml `runtime.options.virtualenv: envs/py` was passed over: it does not exist; "
                           f"synth ran {sys.executable} (the checker's own interpreter; the project has no usable "
                           "virtual environment) instead. `pulumi install` (or `uv sync`, `pip install -r "
                           "requirements.txt`) makes the project's environment usable")
    _fake_venv(tmp_path / ".venv")
    chosen = choose_interpreter(Project(tmp_path))
    assert (chosen.python, chosen.venv, chosen.why) == (str(tmp_path / ".venv/bin/python"), tmp_path / ".venv",
                                                        "the project's `.venv` folder")
    assert chosen.note is not None and "envs/py` was passed over: it does not exist" in chosen.note
    _fake_venv(tmp_path / "envs/py")
    chosen = choose_interpreter(Project(tmp_path))
    assert (chosen.python, chosen.venv, chosen.note) == (str(tmp_path / "envs/py/bin/python"), tmp_path / "envs/py",
                                                         None)
    assert chosen.why == "Pulumi.yaml `runtime.options.virtualenv: envs/py`"
    chosen = choose_interpreter(Project(tmp_path), "/usr/bin/python9")
    assert (chosen.python, chosen.venv, chosen.why) == ("/usr/bin/python9", None, "given with --python")


def test_interpreter_without_pulumi_skips_synth(tmp_path: Path) -> None:
    wrapper = tmp_path / "bin" / "python"
    wrapper.parent.mkdir()
    wrapper.write_text(f'#!/bin/sh\nexec "{sys.executable}" -S "$@"\n', encoding="utf-8")  # -S: no site-packages
    wrapper.chmod(wrapper.stat().st_mode | stat.S_IEXEC)
    project = write(tmp_path / "p", {"Pulumi.yaml": "name: app\nruntime: python\n",
                                     "__main__.py": "import pulumi\npulumi.export('stack', pulumi.get_stack())\n"})
    report = tapcheck.check(project, python=str(wrapper))
    assert report.synth is None
    assert report.findings == []
    assert any("cannot import pulumi" in note for note in report.notes)


def test_timeout_is_tap010(tmp_path: Path) -> None:
    write(tmp_path, {"Pulumi.yaml": "name: app\nruntime: python\n",
                     "__main__.py": "import time\n\nimport pulumi\n\ntime.sleep(60)\n"
                                    "pulumi.export('stack', pulumi.get_stack())\n"})
    report = tapcheck.check(tmp_path, timeout=1.5)
    assert [(f.rule, f.path, f.line) for f in report.findings] == [("TAP010", "__main__.py", 1)]
    assert "did not finish within 1.5 s" in report.findings[0].message


def _project_with_tapcheck_at_root(root: Path, main: str | None) -> Path:
    shutil.copytree(PACKAGE, root / "tapcheck", ignore=shutil.ignore_patterns("__pycache__"))
    program = ("import sys\n\nimport pulumi\n\npulumi.export('stack', pulumi.get_stack())\n"
               "pulumi.export('path0', sys.path[0])\n\nfrom lib.names import QUEUE  # noqa: E402\n\n"
               "pulumi.export('queue', QUEUE)\n")
    files = {"Pulumi.yaml": "name: app\nruntime: python\n" + (f"main: {main}\n" if main else ""),
             "lib/__init__.py": "", "lib/names.py": "QUEUE = 'jobs'\n",
             (main or "__main__.py"): program}
    return write(root, files)


def _run_copied_checker(root: Path) -> dict:
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    proc = subprocess.run([sys.executable, "-m", "tapcheck", ".", "--format", "json", "--synth-out", "synth.json"],
                          cwd=root, capture_output=True, text=True, timeout=120, env=env, check=False)
    assert proc.returncode in (0, 1), proc.stderr
    data = json.loads(proc.stdout)
    data["record"] = json.loads((root / "synth.json").read_text(encoding="utf-8"))
    return data


def test_tapcheck_at_project_root_does_not_hide_a_file_main(tmp_path: Path) -> None:
    root = _project_with_tapcheck_at_root(tmp_path, "tap.py")
    data = _run_copied_checker(root)
    tap010 = [f for f in data["findings"] if f["rule"] == "TAP010"]
    assert [(f["path"], f["line"]) for f in tap010] == [("tap.py", 8)]
    assert "ModuleNotFoundError: No module named 'lib': no project folder is on sys.path for `main: tap.py`" \
        in tap010[0]["message"]  # TAP003's why, folded into the run's finding
    assert not [f for f in data["findings"] if f["rule"] == "TAP003"]
    path0 = Path(data["record"]["exports"]["path0"]["value"])
    assert path0.name == "_runner" and path0.parent == (root / "tapcheck").resolve()


def test_tapcheck_at_project_root_with_root_main_runs(tmp_path: Path) -> None:
    root = _project_with_tapcheck_at_root(tmp_path, None)
    data = _run_copied_checker(root)
    assert not [f for f in data["findings"] if f["rule"] in ("TAP003", "TAP010")]
    assert data["record"]["exports"]["queue"]["value"] == "jobs"
    assert data["record"]["exports"]["path0"]["value"] == "."


def test_tap024_runs_in_the_synth_subprocess_without_a_local_sdk(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("tapcheck.api.sdkargs.sdk_available", lambda: False)
    path = fixture("TAP024-nested-key")
    report = tapcheck.check(path)
    assert located(report, "TAP024") == expected(path, "TAP024")
    static = tapcheck.check(path, synth=False)
    assert "TAP024" not in static.rules()
    assert any(note.startswith("TAP024 skipped") for note in static.notes)


@pytest.mark.parametrize(("files", "finds"), [
    ({}, None),  # the host runs `uv init` and moves requirements.txt into a new pyproject.toml
    ({"pyproject.toml": "[tool.ruff]\nline-length = 120\n"}, "pyproject.toml, the nearest pyproject.toml, has no "),
    ({"pyproject.toml": "[project]\nname = 'app'\nversion = '0'\n"}, None),
    ({"../pyproject.toml": "[project]\nname = 'repo'\nversion = '0'\n"}, None),  # a component repo's examples/
    ({"../pyproject.toml": "[tool.uv.workspace]\nmembers = ['app']\n"}, None),  # a virtual workspace root
    ({"../pyproject.toml": "[tool.black]\n"}, "../pyproject.toml, the nearest pyproject.toml, has no "),
])
def test_uv_toolchain_finds_pyproject_as_the_host_does(tmp_path: Path, files: dict[str, str],
                                                       finds: str | None) -> None:
    """pulumi/pulumi sdk/python/toolchain/uv.go: uv.lock, then pyproject.toml, searched from the project folder
    upward; `uv init` when there is none."""
    project = tmp_path / "app"
    write(project, {"Pulumi.yaml": "name: app\nruntime:\n  name: python\n  options:\n    toolchain: uv\n",
                    "__main__.py": "import pulumi\n\npulumi.export('stack', pulumi.get_stack())\n"})
    for name, text in files.items():
        (project / name).write_text(text, encoding="utf-8")
    report = tapcheck.check(project, synth=False)
    hits = [f.message for f in report.findings if f.rule == "TAP006"]
    assert len(hits) == (finds is not None)
    if finds is not None:
        assert hits[0].startswith(f"`toolchain: uv` but {finds}")
    else:
        assert any("uv init" in note for note in report.notes) == (not files)


@pytest.mark.parametrize(("pulumi_yaml", "rule", "line", "message"), [
    ("nmae: app\nruntime: python\n", "TAP001", 1, "project is missing a 'name' attribute; found 'nmae' instead"),
    ("name: Pulumi.core\nruntime: python\n", "TAP001", 1, "project name must not be `Pulumi`"),
    ("name: app\nruntime: python\nconfig:\n  zones:\n    type: array\n", "TAP005", 4,
     "The configuration key 'zones' declares an array but does not specify the underlying type via the 'items' "
     "attribute"),
    ("name: app\nruntime: python\nconfig:\n  size:\n    type: integer\n    default: big\n", "TAP005", 4,
     "The default value specified for configuration key 'size' is not of the expected type 'integer'"),
    ("name: app\nruntime: python\nconfig:\n  tags:\n    Owner: me\n", "TAP005", 5,
     "#/config/tags: additional property 'Owner' not allowed"),
    ("name: app\nruntime: python\nconfig:\n  x:\n    default: 1\n    value: 2\n", "TAP005", 4,
     "project config 'x' cannot have both a 'default' and 'value' attribute"),
    ("name: app\nruntime:\n  name: python\n  options:\n    virtualenv: ~/venvs/app\n", "TAP006", 5,
     "`virtualenv: ~/venvs/app` is relative to one user's home folder"),
])
def test_project_file_variants(tmp_path: Path, pulumi_yaml: str, rule: str, line: int, message: str) -> None:
    write(tmp_path, {"Pulumi.yaml": pulumi_yaml,
                     "__main__.py": "import pulumi\n\npulumi.export('stack', pulumi.get_stack())\n"})
    report = tapcheck.check(tmp_path, synth=False)
    hits = [f for f in report.findings if f.rule == rule]
    assert [(f.path, f.line) for f in hits] == [("Pulumi.yaml", line)]
    assert hits[0].message.startswith(message)
