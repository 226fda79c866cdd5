"""Rules, split by what they read: project files, imports/layout, Python code, and the synth graph."""

from __future__ import annotations

from ..findings import Finding
from . import aws, code, egress, graph, iam, imports, program, project_files, security
from .base import Context, RuleFn

__all__ = ["Context", "RuleFn", "all_rules", "run_rules"]


def all_rules() -> list[RuleFn]:
    """Every rule function, static ones first."""
    return [*project_files.RULES, *imports.RULES, *code.RULES, *graph.RULES, *program.RULES, *aws.RULES,
            *security.RULES, *iam.RULES, *egress.RULES]


def run_rules(ctx: Context) -> list[Finding]:
    """Run every rule; graph rules return nothing when there is no synth record. Without a loadable
    Pulumi.yaml nothing else is meaningful (no entry point, no project name), so only TAP001 runs."""
    if ctx.project.project_file is None or ctx.project.load_error is not None:
        return project_files.tap001(ctx)
    findings: list[Finding] = []
    for rule in all_rules():
        findings += rule(ctx)
    return findings
