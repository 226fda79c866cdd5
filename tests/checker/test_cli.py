"""CLI: exit codes, text and JSON output, --strict, --synth-out, --stack."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from helpers import fixture

import tapcheck
from tapcheck.cli import main, render_text
from tapcheck.findings import Report, finding


def test_clean_exits_zero(capsys: pytest.CaptureFixture[str]) -> None:
    assert main([str(fixture("clean")), "--no-synth"]) == 0
    out = capsys.readouterr().out
    assert out.splitlines()[-2:] == ["note: synth skipped (--no-synth): TAP010 and the rules that read the "
                                     "program's run (the graph rules) ran only their static parts", "no findings"]


def test_errors_exit_one_with_compiler_style_text(capsys: pytest.CaptureFixture[str]) -> None:
    assert main([str(fixture("TAP005-provider-default")), "--no-synth"]) == 1
    lines = capsys.readouterr().out.splitlines()
    assert lines[0].startswith("Pulumi.yaml:8: TAP005 Configuration key 'aws:region' is not namespaced")
    assert lines[1].startswith("    fix: Write `aws:region: <value>`")
    assert lines[-1] == "3 errors, 0 warnings"


def test_warnings_fail_only_with_strict(capsys: pytest.CaptureFixture[str]) -> None:
    path = str(fixture("TAP041-import-hacks"))
    assert main([path, "--no-synth"]) == 0
    assert capsys.readouterr().out.splitlines()[-1] == "0 errors, 3 warnings"
    assert main([path, "--no-synth", "--strict"]) == 1


@pytest.mark.parametrize("argv", [["/no/such/folder"], ["--format", "xml", "."], [".", "--timeout", "0"],
                                  [".", "--select", "TAP9"], [".", "--ignore", "securty"]])
def test_bad_usage_exits_two(argv: list[str], capsys: pytest.CaptureFixture[str]) -> None:
    assert main(argv) == 2
    assert "error" in capsys.readouterr().err


def test_a_file_is_not_a_project(tmp_path: Path) -> None:
    path = tmp_path / "Pulumi.yaml"
    path.write_text("name: x\nruntime: python\n", encoding="utf-8")
    assert main([str(path)]) == 2


def test_json_shape_and_synth_out(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out_file = tmp_path / "synth.json"
    path = str(fixture("TAP012-no-stack-export"))
    code = main([path, "--format", "json", "--synth-out", str(out_file), "--extend-select", "house"])
    assert code == 1
    data = json.loads(capsys.readouterr().out)
    assert set(data) == {"tool", "version", "projects", "findings", "notes"}
    assert (data["tool"], data["version"]) == ("tapcheck", tapcheck.__version__)
    [project] = data["projects"]
    assert set(project) == {"path", "project", "stack", "findings", "notes", "synth", "synth_skipped"}
    assert (project["path"], project["project"], project["stack"]) == (path, "TapStack", "dev")
    assert [f["rule"] for f in project["findings"]] == ["TAP012"]
    # "column" appears only where the rule knows it; the fingerprint is what --baseline matches.
    assert set(project["findings"][0]) == {"rule", "severity", "path", "line", "message", "fix", "fingerprint"}
    assert project["findings"][0]["path"] == "__main__.py" and project["findings"][0]["line"] == 6
    assert data["findings"] == [{**project["findings"][0], "project_path": path}]
    assert set(project["synth"]) == {"stack", "resources", "exports"}
    assert project["synth"]["exports"]["environment_suffix"]["value"] == "dev"
    written = json.loads(out_file.read_text(encoding="utf-8"))
    assert written["project"] == "TapStack" and written["stack"] == "dev"
    assert written["exports"]["environment_suffix"] == project["synth"]["exports"]["environment_suffix"]
    assert main([path, "--format", "json"]) == 0  # the `stack` export is a house rule: off by default
    assert json.loads(capsys.readouterr().out)["findings"] == []


def test_json_without_synth_has_null_synth(capsys: pytest.CaptureFixture[str]) -> None:
    assert main([str(fixture("TAP006-absolute-venv")), "--no-synth", "--format", "json"]) == 1
    data = json.loads(capsys.readouterr().out)
    assert data["projects"][0]["synth"] is None
    assert data["notes"] == data["projects"][0]["notes"] and data["notes"][-1].startswith("synth skipped (--no-synth)")
    assert {(f["rule"], f["path"], f["line"]) for f in data["findings"]} == {
        ("TAP006", "Pulumi.yaml", 5), ("TAP006", "Pulumi.yaml", 6)}


def test_stack_option_selects_the_stack_file(capsys: pytest.CaptureFixture[str]) -> None:
    path = str(fixture("TAP028-undestroyable"))
    assert main([path, "--stack", "prod", "--format", "json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["projects"][0]["synth"]["stack"] == "prod"
    assert not [f for f in data["findings"] if f["rule"] == "TAP028"]


def test_module_entry_point_runs() -> None:
    proc = subprocess.run([sys.executable, "-m", "tapcheck", str(fixture("TAP002-missing-main")), "--no-synth"],
                          capture_output=True, text=True, timeout=60, check=False,
                          cwd=Path(__file__).resolve().parents[2])
    assert proc.returncode == 1
    assert proc.stdout.startswith("Pulumi.yaml:3: TAP002 project 'main' could not be read")


def test_render_text_counts_singular_and_plural() -> None:
    report = Report(findings=[finding("TAP027", "a.py", 3, "m"), finding("TAP023", "b.py", 1, "n")])
    assert render_text(report).splitlines()[-1] == "1 error, 1 warning"
    assert render_text(report).splitlines()[0] == "a.py:3: TAP027 m"


def test_json_output_is_identical_on_every_run(capsys: pytest.CaptureFixture[str]) -> None:
    # The engine hands property maps over in no fixed order; the record must not show it.
    outputs = []
    for _ in range(3):
        main([str(fixture("clean")), "--format", "json"])
        outputs.append(capsys.readouterr().out)
    assert outputs[0] == outputs[1] == outputs[2]
    resources = json.loads(outputs[0])["projects"][0]["synth"]["resources"]
    assert all(list(r["inputs"]) == sorted(r["inputs"]) for r in resources)


@pytest.mark.parametrize(("argv", "message"), [
    (["--synth-out", "{missing}/record.json"], "cannot write {missing}/record.json: folder {missing} does not exist"),
    (["--write-baseline", "{missing}/baseline.json"], "folder {missing} does not exist"),
    (["--python", "{missing}/python"], "--python {missing}/python: no such interpreter"),
    (["--policy-pack", "{tmp}"], "is not a Python policy pack (it needs PulumiPolicy.yaml and __main__.py)"),
    (["graph", "--output", "{missing}/stack.mmd"], "cannot write {missing}/stack.mmd"),
    (["graph", "--update-readme", "{missing}/README.md"], "no such file: {missing}/README.md"),
    (["export", "--output", "{missing}/plan.json"], "cannot write {missing}/plan.json"),
], ids=["synth-out", "write-baseline", "python", "policy-pack", "graph-output", "graph-readme", "export-output"])
def test_bad_usage_is_one_line_before_any_work(argv: list[str], message: str, tmp_path: Path,
                                               capsys: pytest.CaptureFixture[str]) -> None:
    names = {"missing": str(tmp_path / "missing"), "tmp": str(tmp_path)}
    argv = [part.format(**names) for part in argv]
    command, rest = (argv[:1], argv[1:]) if argv[0] in ("graph", "export") else ([], argv)
    assert main([*command, str(fixture("clean")), *rest]) == 2
    captured = capsys.readouterr()
    assert message.format(**names) in captured.err
    assert len(captured.err.strip().splitlines()) == 1 and not captured.out
    assert not (tmp_path / "missing").exists()


def test_a_skipped_synth_is_said_in_the_summary_line() -> None:
    report = Report(findings=[], synth_skipped="cannot import pulumi")
    assert render_text(report).splitlines()[-1] == (
        "no findings (static rules only: synth did not run, see the note; --strict fails on it)")


@pytest.mark.parametrize(("path", "hint"), [("grpah", " (did you mean `tapcheck graph`?)"),
                                            ("exprot", " (did you mean `tapcheck export`?)"),
                                            ("infrastructure", "")])
def test_missing_path_spelled_like_a_command_names_the_command(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], path: str,
        hint: str) -> None:
    monkeypatch.chdir(tmp_path)
    assert main([path]) == 2
    assert capsys.readouterr().err == f"tapcheck: error: no such folder: {path}{hint}\n"
