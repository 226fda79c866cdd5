"""Findings and the report that ``tapcheck.check`` returns."""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from typing import Any

from . import __version__
from .catalog import ERROR, RULES, WARNING


@dataclass(frozen=True)
class Finding:
    """One problem at one place: ``path`` is relative to the project, POSIX style; ``line`` and ``column`` are
    1-based (``column`` None where the rule knows only the line). ``fingerprint`` identifies the finding across
    line shifts (rule, path and the text of its line, see :mod:`tapcheck.baseline`); ``check`` fills it in."""

    rule: str
    severity: str
    path: str
    line: int
    message: str
    fix: str
    column: int | None = None
    fingerprint: str = ""

    def to_dict(self) -> dict[str, Any]:
        """``{"rule", "severity", "path", "line", "column"?, "message", "fix", "fingerprint"?}``: ``column`` only
        where known, ``fingerprint`` once ``check`` has set it."""
        data = asdict(self)
        if self.column is None:
            del data["column"]
        if not self.fingerprint:
            del data["fingerprint"]
        return data

    def sort_key(self) -> tuple[str, int, int, str, str]:
        """Compiler order: file, line, column, rule."""
        return (self.path, self.line, self.column or 0, self.rule, self.message)


def finding(rule: str, path: str, line: int, message: str, fix: str | None = None, *,
            severity: str | None = None, column: int | None = None) -> Finding:
    """Build a finding with the catalog's severity (or ``severity``, for a rule whose finding is certain in some
    cases and only likely in others) and, unless given, the catalog's fix text. A project's own ``severity``
    setting still overrides both. ``column`` is 1-based (an AST node's ``col_offset + 1``)."""
    row = RULES[rule]
    return Finding(rule, severity or row.severity, path, max(int(line or 1), 1), message, fix or row.fix,
                   max(int(column), 1) if column is not None else None)


@dataclass
class Report:
    """What ``check`` found for one project: findings, the synth record (None when synth did not run), notes
    (what the checker could not see or had to assume), and where: ``path`` as given, the Pulumi ``project`` name
    and the ``stack`` whose config was used. ``synth_skipped`` says why synth did not run when it was asked to
    (``--strict`` fails on it); None when it ran or was not asked for."""

    findings: list[Finding] = field(default_factory=list)
    synth: dict[str, Any] | None = None
    notes: list[str] = field(default_factory=list)
    path: str = "."
    project: str | None = None
    stack: str | None = None
    synth_skipped: str | None = None

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
        """One project as plain data: ``{"path", "project", "stack", "findings": [Finding.to_dict(), ...],
        "notes": [...], "synth": {"stack", "resources", "exports"} or None, "synth_skipped": str or None}``."""
        synth = None
        if self.synth is not None:
            synth = {key: self.synth.get(key) for key in ("stack", "resources", "exports")}
        return {"path": self.path, "project": self.project, "stack": self.stack,
                "findings": [f.to_dict() for f in self.findings], "notes": list(self.notes), "synth": synth,
                "synth_skipped": self.synth_skipped}

    def to_json(self, indent: int | None = 2) -> str:
        """The CLI's ``--format json`` for this one project (see :func:`reports_to_dict`)."""
        return json.dumps(reports_to_dict([self]), indent=indent, sort_keys=False, default=str)


def reports_to_dict(reports: list[Report]) -> dict[str, Any]:
    """The CLI's JSON shape, the same for one project or several::

        {"tool": "tapcheck", "version": "...",
         "projects": [Report.to_dict(), ...],
         "findings": [every project's findings, each with its "project_path"],
         "notes": [every project's notes]}

    The flat ``findings`` serve callers that only count them (exit code, CI annotations); with several projects
    each flat note starts with its project's path (``"services/api: no Pulumi.dev.yaml ..."``). The published JSON
    Schema of this shape is ``docs/schema/report-v1.schema.json`` in the template repository."""
    projects = [r.to_dict() for r in reports]
    return {
        "tool": "tapcheck", "version": __version__, "projects": projects,
        "findings": [{**f, "project_path": p["path"]} for p in projects for f in p["findings"]],
        "notes": [f"{p['path']}: {note}" if len(projects) > 1 else note for p in projects for note in p["notes"]],
    }
