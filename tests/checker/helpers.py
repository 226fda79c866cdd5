"""Shared helpers for the checker tests: fixture paths, cached check runs, and `# expect:` markers.

A fixture line that should be reported carries a marker comment such as ``# expect: TAP020`` (several ids may
follow). Tests compare the (path, line) pairs a rule reports with the markers for that rule, so each assertion
pins the rule id, the file and the 1-based line.
"""

from __future__ import annotations

import os
import pickle
import re
import tempfile
from functools import cache
from pathlib import Path
from typing import Any

try:
    import fcntl
except ImportError:  # not POSIX: each worker computes its own results
    fcntl = None  # type: ignore[assignment]

import tapcheck
from tapcheck.findings import Report

FIXTURES = Path(__file__).resolve().parent / "fixtures"
_MARKER = re.compile(r"expect:((?:\s+TAP\d{3})+)")
# Each fixture proves its rule whatever the rule's default selection (house rules are off by default).
EVERY_RULE = ("ALL",)
_TEXT_SUFFIXES = {".py", ".yaml", ".yml", ".toml", ".sh", ".txt", ".cfg", ".ini", ""}


def fixture(name: str) -> Path:
    """Path of a fixture repo."""
    path = FIXTURES / name
    assert path.is_dir(), f"missing fixture {name}"
    return path


@cache
def run(name: str, synth: bool = True, stack: str | None = None) -> Report:
    """``tapcheck.check`` on a fixture with every rule selected, once per test run (synth runs are the expensive
    part).

    Under pytest-xdist the workers share results through files keyed by the run's unique id, under a lock,
    so each fixture is synthesised once per run whichever worker asks first.
    """
    uid = os.environ.get("PYTEST_XDIST_TESTRUNUID")
    if fcntl is None or not uid:
        return tapcheck.check(fixture(name), synth=synth, stack=stack, timeout=120.0, select=EVERY_RULE)
    folder = Path(tempfile.gettempdir()) / f"tapcheck-tests-{uid}"
    folder.mkdir(exist_ok=True)
    key = f"{name}-{int(synth)}-{stack or ''}"
    with (folder / f"{key}.lock").open("w", encoding="utf-8") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        data = folder / f"{key}.pickle"
        if data.is_file():
            return pickle.loads(data.read_bytes())
        report = tapcheck.check(fixture(name), synth=synth, stack=stack, timeout=120.0, select=EVERY_RULE)
        data.write_bytes(pickle.dumps(report))
        return report


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


def resolve(output: Any) -> object:
    """Run one ``pulumi.Output`` to its value inside the mocked runtime the calling test set up."""
    import pulumi  # noqa: PLC0415 - only the mock tests need the SDK here

    box: list[object] = []

    @pulumi.runtime.test
    def probe() -> Any:
        return output.apply(box.append)

    probe()
    return box[0]


def write(root: Path, files: dict[str, str]) -> Path:
    """Write ``files`` (relative path -> text) under ``root``, folders included; return ``root``."""
    for rel, text in files.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    return root
