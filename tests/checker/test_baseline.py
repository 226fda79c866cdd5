"""--write-baseline records today's findings; --baseline then fails only on new ones, across line shifts, and
says which recorded findings are gone."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from helpers import write

from tapcheck.cli import main

MAIN = ("import sys\n\nimport pulumi\n\nsys.path.insert(0, '.')\nsys.path.append('lib')\n"
        "pulumi.export('stack', pulumi.get_stack())\n")


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A project with two warnings (TAP041) and one error (TAP006), checked from its own folder."""
    write(tmp_path, {"Pulumi.yaml": "name: app\nruntime:\n  name: python\n  options:\n    virtualenv: /opt/venv\n",
                     "__main__.py": MAIN})
    monkeypatch.chdir(tmp_path)
    return tmp_path


def _check(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, list[dict], list[str]]:
    code = main([".", "--no-synth", "--strict", "--format", "json", *argv])
    out, err = capsys.readouterr()
    data = json.loads(out)
    return code, data["findings"], [*data["notes"], *err.splitlines()]


def test_a_baseline_hides_what_it_records(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, findings, _ = _check(capsys)
    assert code == 1 and sorted(f["rule"] for f in findings) == ["TAP006", "TAP041", "TAP041"]
    code, findings, notes = _check(capsys, "--write-baseline", "baseline.json")
    assert (code, findings) == (0, [])
    assert notes[-2:] == ["baseline baseline.json: 3 recorded findings not shown",
                          "tapcheck: recorded 3 findings in baseline.json"]
    data = json.loads((project / "baseline.json").read_text(encoding="utf-8"))
    assert (data["tool"], data["format"]) == ("tapcheck", 1)
    assert {(e["rule"], e["path"]) for e in data["findings"]} == {("TAP006", "Pulumi.yaml"),
                                                                  ("TAP041", "__main__.py")}
    assert all("line" not in e for e in data["findings"])  # line numbers are not part of a finding's identity

    code, findings, notes = _check(capsys, "--baseline", "baseline.json")
    assert (code, findings) == (0, [])
    assert notes[-1] == "baseline baseline.json: 3 recorded findings not shown"


def test_only_new_findings_fail_and_moved_ones_stay_recorded(project: Path,
                                                             capsys: pytest.CaptureFixture[str]) -> None:
    main([".", "--no-synth", "--write-baseline", "baseline.json"])
    capsys.readouterr()
    # Ten lines above move every finding; one new hack is added at the end.
    (project / "__main__.py").write_text("# moved\n" * 10 + MAIN + "sys.path.append('vendor')\n", encoding="utf-8")
    code, findings, notes = _check(capsys, "--baseline", "baseline.json")
    assert code == 1
    assert [(f["rule"], f["path"], f["line"]) for f in findings] == [("TAP041", "__main__.py", 18)]
    assert notes[-1] == "baseline baseline.json: 3 recorded findings not shown"


def test_gone_findings_are_named(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    main([".", "--no-synth", "--write-baseline", "baseline.json"])
    capsys.readouterr()
    (project / "__main__.py").write_text(MAIN.replace("sys.path.append('lib')\n", ""), encoding="utf-8")
    code, findings, notes = _check(capsys, "--baseline", "baseline.json")
    assert (code, findings) == (0, [])
    assert notes[-1].startswith("baseline baseline.json: 2 recorded findings not shown; 1 recorded finding is gone "
                                "(fixed, or its line changed; --write-baseline drops them): TAP041 __main__.py: ")


def test_several_projects_keep_their_own_entries(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                 capsys: pytest.CaptureFixture[str]) -> None:
    for name in ("a", "b"):
        write(tmp_path / name, {"Pulumi.yaml": "name: app\nruntime: python\n", "__main__.py": MAIN})
    monkeypatch.chdir(tmp_path)
    main(["a", "--no-synth", "--write-baseline", "baseline.json"])
    capsys.readouterr()
    code = main([".", "--no-synth", "--strict", "--baseline", "baseline.json", "--format", "json"])
    data = json.loads(capsys.readouterr().out)
    assert code == 1  # b's identical findings are not a's
    assert {f["project_path"] for f in data["findings"]} == {"b"}


@pytest.mark.parametrize(("content", "message"), [
    (None, "cannot read baseline"),
    ("{", "is not JSON"),
    ('{"tool": "ruff", "format": 1, "findings": []}', "is not a tapcheck baseline"),
    ('{"tool": "tapcheck", "format": 1, "findings": [{"rule": "TAP001"}]}', "every finding needs"),
])
def test_a_bad_baseline_is_bad_usage(content: str | None, message: str, project: Path,
                                     capsys: pytest.CaptureFixture[str]) -> None:
    if content is not None:
        (project / "baseline.json").write_text(content, encoding="utf-8")
    assert main([".", "--no-synth", "--baseline", "baseline.json"]) == 2
    assert message in capsys.readouterr().err


def test_baseline_and_write_baseline_exclude_each_other(project: Path) -> None:
    assert main([".", "--baseline", "a.json", "--write-baseline", "b.json"]) == 2
