"""Reported cases: small inputs on which the checker was once wrong, each with the right result as the assertion.

Each folder under ``cases/`` holds a ``case.json`` (see ``cases/README.md``):

- ``standalone``: the folder is a Pulumi project; the checker runs on a copy of it.
- ``bake-edit``: ``recipe.json`` gives cookiecutter answers and exact-text edits; the template is baked, edited,
  then checked.

``expect`` is ``no-errors`` (no finding of severity error), ``finding`` (a finding at one of the places in ``at``
or on any line of ``at_file``, its message matching ``message_re`` and fix ``fix_re``) or ``deterministic``
(``runs`` runs give identical findings, none an error). Findings of ``ignore_rules`` do not count.
"""

from __future__ import annotations

import dataclasses
import json
import re
import shutil
from pathlib import Path
from typing import Any

import pytest
from cookiecutter.exceptions import FailedHookException

import tapcheck
from tapcheck.findings import Finding, Report
from tests.conftest import bake

CASES = Path(__file__).resolve().parent / "cases"
ALL = sorted(p.parent.name for p in CASES.glob("*/case.json"))


def load_case(name: str) -> dict[str, Any]:
    """The case's ``case.json``."""
    return json.loads((CASES / name / "case.json").read_text(encoding="utf-8"))


def prepare(name: str, case: dict[str, Any], tmp_path: Path) -> Path | str:
    """The project to check: a copy of a standalone case, or a baked and edited repo. A refused bake whose
    message satisfies ``refusal_holds`` returns the refusal text instead."""
    source = CASES / name
    if case["kind"] == "standalone":
        target = tmp_path / name
        shutil.copytree(source, target, ignore=shutil.ignore_patterns("case.json"))
        return target
    recipe = json.loads((source / "recipe.json").read_text(encoding="utf-8"))
    answers = {k: {"true": True, "false": False}.get(v, v) if isinstance(v, str) else v
               for k, v in recipe["answers"].items()}
    try:
        repo = bake(tmp_path, **answers)
    except FailedHookException as exc:
        holds = recipe.get("refusal_holds")
        assert holds, f"the template refused answers the case expects to bake: {exc}"
        return str(exc)
    for edit in recipe["edits"]:
        path = repo / edit["file"]
        if edit["old"] is None:
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(edit["new"], encoding="utf-8")
            continue
        text = path.read_text(encoding="utf-8")
        count = edit.get("count", 1)
        assert text.count(edit["old"]) >= count, f"edit target not found in {edit['file']}: {edit['old']!r}"
        path.write_text(text.replace(edit["old"], edit["new"], count), encoding="utf-8")
    return repo


def check_folder(folder: Path) -> Report:
    """The case's folder checked as the command line checks it: every Pulumi project at or under it, each on its
    own (nested ones included); findings with paths from the folder."""
    merged: list[Finding] = []
    for report in tapcheck.check_all([folder], timeout=180.0):
        prefix = Path(report.path).resolve().relative_to(folder.resolve())
        merged += [f if prefix == Path() else dataclasses.replace(f, path=(prefix / f.path).as_posix())
                   for f in report.findings]
    return Report(findings=merged)


def counted(report: Report, case: dict[str, Any]) -> list[Finding]:
    """Findings that count for the case (``ignore_rules`` left out)."""
    ignored = set(case.get("ignore_rules") or [])
    return [f for f in report.findings if f.rule not in ignored]


def places(repo: Path, case: dict[str, Any]) -> set[tuple[str, int]]:
    """Every (path, line) the case accepts a finding at."""
    accepted: set[tuple[str, int]] = set()
    for place in case.get("at") or []:
        if isinstance(place, str):
            path, line = place.rsplit(":", 1)
            accepted.add((path, int(line)))
        else:
            lines = (repo / place["file"]).read_text(encoding="utf-8").splitlines()
            accepted |= {(place["file"], n) for n, text in enumerate(lines, 1) if place["contains"] in text}
    return accepted


def describe(findings: list[Finding]) -> str:
    """Findings as compiler lines, for assertion messages."""
    return "\n".join(f"{f.path}:{f.line}: {f.rule} [{f.severity}] {f.message}" for f in findings) or "(none)"


@pytest.mark.parametrize("name", ALL)
def test_case(name: str, tmp_path: Path) -> None:
    """The checker gives the case's right result."""
    case = load_case(name)
    project = prepare(name, case, tmp_path)
    if isinstance(project, str):  # refused at generation, naming the field and the rule
        recipe = json.loads((CASES / name / "recipe.json").read_text(encoding="utf-8"))
        for pattern in recipe["refusal_holds"]:
            assert re.search(pattern, project), f"refusal does not match {pattern!r}: {project}"
        return
    runs = case.get("runs", 1) if case["expect"] == "deterministic" else 1
    reports = [check_folder(project) for _ in range(runs)]
    findings = counted(reports[0], case)
    errors = [f for f in findings if f.severity == "error"]
    if case["expect"] == "no-errors":
        assert not errors, describe(errors)
    elif case["expect"] == "deterministic":
        for report in reports[1:]:
            assert counted(report, case) == findings, "runs differ:\n" + describe(counted(report, case))
        assert not errors, describe(errors)
    else:
        accepted = places(project, case)
        files = set(case.get("at_file") or [])
        hits = [f for f in findings if (f.path, f.line) in accepted or f.path in files]
        assert hits, f"no finding at {sorted(accepted)} or in {sorted(files)}:\n{describe(findings)}"
        if case.get("message_re"):
            hits = [f for f in hits if re.search(case["message_re"], f.message)]
            assert hits, f"no finding there matches {case['message_re']!r}:\n{describe(findings)}"
        if case.get("fix_re"):
            assert any(re.search(case["fix_re"], f.fix) for f in hits), f"no fix matches {case['fix_re']!r}"
