"""Findings and the report that ``tapcheck.check`` returns."""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from typing import Any

from .catalog import ERROR, RULES, WARNING


@dataclass(frozen=True)
class Finding:
    """One problem at one place: ``path`` is relative to the project, POSIX style; ``line`` is 1-based."""

    rule: str
    severity: str
    path: str
    line: int
    message: str
    fix: str

    def sort_key(self) -> tuple[str, int, str, str]:
        """Compiler order: file, line, rule."""
        return (self.path, self.line, self.rule, self.message)


def finding(rule: str, path: str, line: int, message: str, fix: str | None = None) -> Finding:
    """Build a finding with the catalog's severity and, unless given, the catalog's fix text."""
    row = RULES[rule]
    return Finding(rule, row.severity, path, max(int(line or 1), 1), message, fix or row.fix)


@dataclass
class Report:
    """What ``check`` found: findings, the synth record (None when synth did not run), and notes."""

    findings: list[Finding] = field(default_factory=list)
    synth: dict[str, Any] | None = None
    notes: list[str] = field(default_factory=list)

    @property
    def errors(self) -> list[Finding]:
        """Findings that fail the check."""
        return [f for f in self.findings if f.severity == ERROR]

    @property
    def warnings(self) -> list[Finding]:
        """Findings that fail the check only with ``--strict``."""
        return [f for f in self.findings if f.severity == WARNING]

    def rules(self) -> set[str]:
        """The rule ids found, for quick membership tests."""
        return {f.rule for f in self.findings}

    def to_dict(self) -> dict[str, Any]:
        """The JSON form as plain data: ``{"findings": [...], "synth": {...} or None}``."""
        synth = None
        if self.synth is not None:
            synth = {key: self.synth.get(key) for key in ("stack", "resources", "exports")}
        return {"findings": [asdict(f) for f in self.findings], "synth": synth}

    def to_json(self, indent: int | None = 2) -> str:
        """The JSON form as text (the CLI's ``--format json``)."""
        return json.dumps(self.to_dict(), indent=indent, sort_keys=False, default=str)
