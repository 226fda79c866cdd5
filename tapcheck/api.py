"""``tapcheck.check``: the one entry point the CLI, hooks and tests share."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from . import sdkargs
from .findings import Finding, Report
from .project import Project
from .rules import Context, run_rules
from .synth import run_synth

_SUPPRESS = re.compile(r"#\s*tapcheck:\s*ignore\[([A-Za-z0-9_,\s]+)\]")


def check(path: str | Path, *, stack: str | None = None, synth: bool = True, timeout: float = 120.0,
          python: str | None = None) -> Report:
    """Check the Pulumi project at ``path``; raises :class:`tapcheck.project.ProjectError` when the folder
    cannot be read at all. ``synth=False`` runs only the static rules (no subprocess)."""
    project = Project(path, stack)
    report = Report()
    record: dict[str, Any] | None = None

    loadable = project.project_file is not None and project.load_error is None
    usages = sdkargs.collect(project) if loadable else []
    sdk_in_process = bool(usages) and sdkargs.sdk_available()
    sdk_results: list[dict[str, Any]] | None = sdkargs.unknown_keys(usages) if sdk_in_process else None

    findings: list[Finding] = []
    if synth and loadable:
        result = run_synth(project, stack=project.stack_name, timeout=timeout, python=python,
                           sdk_usages=None if sdk_in_process else usages)
        findings += result.findings
        report.notes += result.notes
        record = result.record
        if sdk_results is None:
            sdk_results = result.sdk_findings
    elif not synth:
        report.notes.append("synth skipped (--no-synth): graph rules TAP010, TAP012-TAP015, TAP020-TAP030 "
                            "ran only their static parts")
    if usages and sdk_results is None:
        report.notes.append("TAP024 skipped: pulumi_aws is not importable here and synth did not run")

    ctx = Context(project, record, project.stack_name)
    findings += run_rules(ctx)
    report.notes += ctx.notes
    findings += sdkargs.to_findings(sdk_results or [])
    report.findings = _finalize(project, findings)
    report.synth = record
    return report


def _suppressed(project: Project, item: Finding, cache: dict[str, list[str]]) -> bool:
    if item.path not in cache:
        source = project.source(project.root / item.path) if item.path.endswith(".py") else None
        cache[item.path] = source.lines if source else []
    lines = cache[item.path]
    if not 0 < item.line <= len(lines):
        return False
    match = _SUPPRESS.search(lines[item.line - 1])
    return bool(match) and item.rule in {c.strip().upper() for c in match.group(1).split(",")}


def _finalize(project: Project, findings: list[Finding]) -> list[Finding]:
    """Drop ignored and suppressed findings and duplicates (a rule's static and synth parts can meet on
    the same line), then sort like a compiler."""
    ignored = project.settings.ignore
    cache: dict[str, list[str]] = {}
    seen: set[tuple[str, str, int]] = set()
    kept: list[Finding] = []
    for item in findings:
        key = (item.rule, item.path, item.line)
        if item.rule in ignored or key in seen or _suppressed(project, item, cache):
            continue
        seen.add(key)
        kept.append(item)
    return sorted(kept, key=Finding.sort_key)
