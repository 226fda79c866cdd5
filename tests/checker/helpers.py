"""Shared helpers for the checker tests: fixture paths, cached check runs, and `# expect:` markers.

A fixture line that should be reported carries a marker comment such as ``# expect: TAP020`` (several ids may
follow). Tests compare the (path, line) pairs a rule reports with the markers for that rule, so each assertion
pins the rule id, the file and the 1-based line.
"""

from __future__ import annotations

import re
from functools import cache
from pathlib import Path

import tapcheck
from tapcheck.findings import Report

FIXTURES = Path(__file__).resolve().parent / "fixtures"
_MARKER = re.compile(r"expect:((?:\s+TAP\d{3})+)")
_TEXT_SUFFIXES = {".py", ".yaml", ".yml", ".toml", ".sh", ".txt", ".cfg", ".ini", ""}


def fixture(name: str) -> Path:
    """Path of a fixture repo."""
    path = FIXTURES / name
    assert path.is_dir(), f"missing fixture {name}"
    return path


@cache
def run(name: str, synth: bool = True, stack: str | None = None) -> Report:
    """``tapcheck.check`` on a fixture, once per process (synth runs are the expensive part)."""
    return tapcheck.check(fixture(name), synth=synth, stack=stack, timeout=120.0)


def markers(root: Path) -> set[tuple[str, str, int]]:
    """Every ``expect:`` marker under ``root`` as (rule, path, line)."""
    found: set[tuple[str, str, int]] = set()
    for path in sorted(root.rglob("*")):
        if not path.is_file() or (path.suffix not in _TEXT_SUFFIXES and path.name not in ("Pipfile", "Makefile")):
            continue
        for lineno, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            match = _MARKER.search(line)
            if match:
                for rule in match.group(1).split():
                    found.add((rule, path.relative_to(root).as_posix(), lineno))
    return found


def located(report: Report, rule: str) -> set[tuple[str, str, int]]:
    """(rule, path, line) of every finding of ``rule``."""
    return {(f.rule, f.path, f.line) for f in report.findings if f.rule == rule}


def expected(root: Path, rule: str) -> set[tuple[str, str, int]]:
    """The markers of one rule."""
    return {m for m in markers(root) if m[0] == rule}
