"""What every rule receives."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from ..findings import Finding
from ..project import Project


@dataclass
class Context:
    """What a rule may look at: the project, the synth record (None when synth did not run) and the stack.

    A rule that could only look at part of the program (say, components the mocks could not expand) adds a
    sentence to ``notes``; the report shows it beside the findings."""

    project: Project
    record: dict[str, Any] | None
    stack: str
    notes: list[str] = field(default_factory=list)

    @property
    def synth_ok(self) -> bool:
        """True when the program ran to the end under mocks (so absence of an export is meaningful)."""
        return bool(self.record and self.record.get("ok"))


RuleFn = Callable[[Context], list[Finding]]
