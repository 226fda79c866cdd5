"""Rules, split by what they read: project files, imports/layout, Python code, and the synth graph."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from ..findings import Finding
from ..project import Project


@dataclass
class Context:
    """What a rule may look at: the project, the synth record (None when synth did not run) and the stack."""

    project: Project
    record: dict[str, Any] | None
    stack: str

    @property
    def synth_ok(self) -> bool:
        """True when the program ran to the end under mocks (so absence of an export is meaningful)."""
        return bool(self.record and self.record.get("ok"))


RuleFn = Callable[[Context], list[Finding]]


def all_rules() -> list[RuleFn]:
    """Every rule function, static ones first."""
    from . import code, graph, imports, project_files

    return [*project_files.RULES, *imports.RULES, *code.RULES, *graph.RULES]


def run_rules(ctx: Context) -> list[Finding]:
    """Run every rule; graph rules return nothing when there is no synth record."""
    findings: list[Finding] = []
    for rule in all_rules():
        findings += rule(ctx)
    return findings
