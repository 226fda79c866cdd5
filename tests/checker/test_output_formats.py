"""Output formats: SARIF 2.1.0 (validated against the official schema), GitHub workflow commands, and JSON
validated against the published report schema."""

from __future__ import annotations

import json
from pathlib import Path

import jsonschema
import pytest
from helpers import FIXTURES

from tapcheck import __version__
from tapcheck.catalog import RULES
from tapcheck.cli import main
from tapcheck.findings import Report, finding
from tapcheck.formats import render_github

ROOT = Path(__file__).resolve().parents[2]
SARIF_SCHEMA = json.loads((Path(__file__).parent / "data" / "sarif-schema-2.1.0.json").read_text(encoding="utf-8"))
REPORT_SCHEMA = json.loads((ROOT / "docs" / "schema" / "report-v1.schema.json").read_text(encoding="utf-8"))


def _run(argv: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str]:
    code = main(argv)
    return code, capsys.readouterr().out


@pytest.fixture
def in_fixtures(monkeypatch: pytest.MonkeyPatch) -> Path:
    """Run from the fixtures folder, as a workflow runs from the repository root."""
    monkeypatch.chdir(FIXTURES)
    return FIXTURES


def test_sarif_validates_and_locates_findings(in_fixtures: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out = _run(["TAP041-import-hacks", "--no-synth", "--format", "sarif"], capsys)
    assert code == 0  # warnings only
    log = json.loads(out)
    jsonschema.Draft4Validator(SARIF_SCHEMA).validate(log)
    [run] = log["runs"]
    driver = run["tool"]["driver"]
    assert (driver["name"], driver["version"]) == ("tapcheck", __version__)
    assert [r["id"] for r in driver["rules"]] == [r.id for r in RULES.values() if not r.retired]
    rule = driver["rules"][[r["id"] for r in driver["rules"]].index("TAP041")]
    assert rule["helpUri"] == RULES["TAP041"].url and rule["defaultConfiguration"]["level"] == "warning"
    assert rule["name"] == "import-hack" and rule["shortDescription"]["text"] == RULES["TAP041"].title
    assert RULES["TAP041"].fixed in rule["help"]["markdown"]
    located = {(r["ruleId"], r["level"], r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"],
                r["locations"][0]["physicalLocation"]["region"].get("startLine"),
                r["locations"][0]["physicalLocation"]["region"].get("startColumn")) for r in run["results"]}
    assert located == {("TAP041", "warning", "TAP041-import-hacks/Makefile", 2, None),
                       ("TAP041", "warning", "TAP041-import-hacks/__main__.py", 8, 1),
                       ("TAP041", "warning", "TAP041-import-hacks/__main__.py", 10, 1)}
    assert all(r["locations"][0]["physicalLocation"]["artifactLocation"]["uriBaseId"] == "%SRCROOT%"
               for r in run["results"])
    assert all(driver["rules"][r["ruleIndex"]]["id"] == r["ruleId"] for r in run["results"])
    assert run["originalUriBaseIds"]["%SRCROOT%"]["uri"] == in_fixtures.resolve().as_uri() + "/"
    notes = [n["message"]["text"] for n in run["invocations"][0]["toolExecutionNotifications"]]
    assert notes and notes[-1].startswith("synth skipped (--no-synth)")


def test_sarif_fingerprints_survive_a_line_shift(tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    main_py = "import sys\n\nimport pulumi\n\nsys.path.insert(0, '.')\npulumi.export('stack', pulumi.get_stack())\n"
    (tmp_path / "Pulumi.yaml").write_text("name: app\nruntime: python\n", encoding="utf-8")
    (tmp_path / "__main__.py").write_text(main_py, encoding="utf-8")
    monkeypatch.chdir(tmp_path)

    def results() -> list[tuple[int, str]]:
        _, out = _run([".", "--no-synth", "--format", "sarif"], capsys)
        return [(r["locations"][0]["physicalLocation"]["region"]["startLine"],
                 r["partialFingerprints"]["tapcheckLineHash/v1"]) for r in json.loads(out)["runs"][0]["results"]]

    [(line, before)] = results()
    (tmp_path / "__main__.py").write_text('"""Docs."""\n\n' + main_py, encoding="utf-8")
    [(moved, after)] = results()
    assert (line, moved) == (5, 7) and before == after


def test_sarif_covers_several_projects_in_one_run(in_fixtures: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out = _run(["TAP006-absolute-venv", "TAP009-syntax-error", "--no-synth", "--format", "sarif"], capsys)
    assert code == 1
    log = json.loads(out)
    jsonschema.Draft4Validator(SARIF_SCHEMA).validate(log)
    [run] = log["runs"]
    uris = {r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"].split("/")[0] for r in run["results"]}
    assert uris == {"TAP006-absolute-venv", "TAP009-syntax-error"}
    assert {r["level"] for r in run["results"]} == {"error"}
    syntax = [r for r in run["results"] if r["ruleId"] == "TAP009"]
    assert syntax and all("startColumn" in r["locations"][0]["physicalLocation"]["region"] for r in syntax)
    notes = [n["message"]["text"] for n in run["invocations"][0]["toolExecutionNotifications"]]
    assert any(n.startswith("TAP006-absolute-venv: ") for n in notes)


def test_github_annotations_escape_data_and_properties() -> None:
    report = Report(path="infra", findings=[
        finding("TAP023", "lib/a,b:c.py", 3, "100% sure\nsecond line", "do\rthis", column=7),
        finding("TAP029", "b.py", 1, "tags"),
    ], notes=["50% seen"])
    lines = render_github([report]).splitlines()
    assert lines[0] == ("::error file=infra/lib/a%2Cb%3Ac.py,line=3,col=7,title=TAP023::100%25 sure%0Asecond line"
                        "%0Afix: do%0Dthis")
    assert lines[1].startswith("::warning file=infra/b.py,line=1,title=TAP029::tags%0Afix: ")
    assert lines[2] == "::notice title=tapcheck::infra: 50%25 seen"
    assert lines[3] == "1 error, 1 warning"


def test_github_format_from_the_cli(in_fixtures: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out = _run(["TAP005-provider-default", "--no-synth", "--format", "github"], capsys)
    assert code == 1
    errors = [line for line in out.splitlines() if line.startswith("::error ")]
    assert errors and all(line.startswith("::error file=TAP005-provider-default/Pulumi.yaml,line=") for line in errors)
    assert out.splitlines()[-1] == "3 errors, 0 warnings"


def test_report_schema_is_versioned_and_valid() -> None:
    jsonschema.Draft202012Validator.check_schema(REPORT_SCHEMA)
    assert REPORT_SCHEMA["$id"].endswith("/docs/schema/report-v1.schema.json")
    assert REPORT_SCHEMA["$id"].startswith(RULES["TAP001"].url.split("/blob/")[0])


@pytest.mark.parametrize("argv", [
    ["clean"],  # synth record included
    ["TAP041-import-hacks", "--no-synth"],  # columns
    ["TAP006-absolute-venv", "TAP009-syntax-error", "--no-synth"],  # several projects
    ["TAP090-unused-suppression", "--select", "ALL"],
])
def test_json_output_matches_its_schema(argv: list[str], in_fixtures: Path,
                                        capsys: pytest.CaptureFixture[str]) -> None:
    _, out = _run([*argv, "--format", "json"], capsys)
    data = json.loads(out)
    jsonschema.Draft202012Validator(REPORT_SCHEMA).validate(data)
    findings = [f for p in data["projects"] for f in p["findings"]]
    assert all(f["fingerprint"] for f in findings)
    if "TAP041-import-hacks" in argv:
        assert {f.get("column") for f in findings} == {None, 1}


def test_json_schema_rejects_what_the_format_never_holds() -> None:
    bad = {"tool": "tapcheck", "version": "1", "notes": [], "findings": [],
           "projects": [{"path": ".", "project": None, "stack": None, "notes": [], "synth": None,
                         "synth_skipped": None,
                         "findings": [{"rule": "TAP001", "severity": "fatal", "path": "x", "line": 0,
                                       "message": "m", "fix": "f"}]}]}
    errors = {e.validator for e in jsonschema.Draft202012Validator(REPORT_SCHEMA).iter_errors(bad)}
    assert {"enum", "minimum"} <= errors
