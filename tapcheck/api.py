"""``tapcheck.check`` and ``tapcheck.check_all``: the entry points the CLI, hooks and tests share."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

from . import policy, sdkargs
from .baseline import fingerprints
from .findings import Finding, Report
from .project import Project, ProjectError, find_projects, read_text
from .rules import Context, run_rules
from .rules.imports import predicted_import_error
from .selection import Selection
from .suppress import COMMENT_RULES, Suppressions
from .synth import run_synth

# Static rules whose findings claim that the program fails under the language host. When synth ran the same
# program to completion the claim is disproved, so the finding is dropped (the run is the stronger evidence);
# when the run failed the way TAP003 predicted, the two are one finding (see _confirmed_by_the_run).
_DISPROVED_BY_A_RUN = frozenset({"TAP003"})


def check(path: str | Path, *, stack: str | None = None, synth: bool = True, timeout: float = 120.0,
          python: str | None = None, select: Sequence[str] | None = None, extend_select: Sequence[str] = (),
          ignore: Sequence[str] = (), policy_packs: Sequence[str | Path] = ()) -> Report:
    """Check the one Pulumi project at ``path`` (the folder holding Pulumi.yaml; a nested project's files are
    not part of it).

    ``synth=False`` runs only the static rules (no subprocess). ``select`` replaces the project's
    ``[tool.tapcheck] select``; ``extend_select`` and ``ignore`` add to its settings (ruff's semantics, see
    :mod:`tapcheck.selection`). ``timeout`` is in seconds. Raises :class:`tapcheck.project.ProjectError` when the
    folder cannot be read at all or ``stack`` names none of the project's stack files
    (:meth:`tapcheck.project.Project.stack_problem`), and :class:`tapcheck.selection.SelectionError` for an unknown
    selector.

    ``policy_packs`` are Pulumi policy pack folders (relative to the working folder) evaluated on the synth record
    with those of ``[tool.tapcheck] policy-packs`` (TAP060, :mod:`tapcheck.policy`); a folder that does not exist
    raises :class:`tapcheck.project.ProjectError`."""
    project = Project(path, stack)
    if (problem := project.stack_problem()) is not None:
        raise ProjectError(problem)
    selection = project.settings.selection(select=select, extend_select=extend_select, ignore=ignore)
    report = Report(path=str(path), project=project.name, stack=project.stack_name)
    record: dict[str, Any] | None = None

    loadable = project.project_file is not None and project.load_error is None
    packs = policy.pack_folders(project, policy_packs) if loadable and policy.RULE in selection.enabled else []
    usages = sdkargs.collect(project) if loadable and "TAP024" in selection.enabled else []
    # When synth runs, its process (which has the SDK loaded anyway) checks the nested keys; importing pulumi_aws
    # here too would cost a second SDK import.
    sdk_in_process = bool(usages) and not (synth and loadable) and sdkargs.sdk_available()
    sdk_results: list[dict[str, Any]] | None = sdkargs.unknown_keys(usages) if sdk_in_process else None

    findings: list[Finding] = []
    if loadable:
        report.notes += project.stack_notes()
    if synth and not loadable:
        report.synth_skipped = "Pulumi.yaml is missing or unreadable (see TAP001)"
    if synth and loadable:
        result = run_synth(project, stack=project.stack_name, timeout=timeout, python=python,
                           sdk_usages=None if sdk_in_process else usages)
        findings += result.findings
        report.notes += result.notes
        record = result.record
        report.synth_skipped = result.skipped
        if sdk_results is None:
            sdk_results = result.sdk_findings
        if sdk_results is None and usages and sdkargs.sdk_available():  # synth could not import the SDK
            sdk_results = sdkargs.unknown_keys(usages)
    elif not synth:
        report.notes.append("synth skipped (--no-synth): TAP010 and the rules that read the program's run (the "
                            "graph rules) ran only their static parts")
    if usages and sdk_results is None:
        report.notes.append("TAP024 skipped: pulumi_aws is not importable here and synth did not run")

    if packs and record is not None:
        found, notes = policy.check_packs(project, record, packs)
        findings += found
        report.notes += notes
    elif packs:
        report.notes.append("TAP060 skipped: policy packs are evaluated on the program's run, and synth did not run")
    ctx = Context(project, record, project.stack_name)
    findings += run_rules(ctx)
    report.notes += ctx.notes
    findings += sdkargs.to_findings(sdk_results or [])
    if ctx.synth_ok:
        findings = [f for f in findings if f.rule not in _DISPROVED_BY_A_RUN]
    elif record is not None and {"TAP003", "TAP010"} <= selection.enabled:
        findings = _confirmed_by_the_run(findings)
    report.findings = _finalize(project, findings, selection, complete=ctx.synth_ok)
    report.notes = list(dict.fromkeys(report.notes))
    report.synth = record
    return report


def _confirmed_by_the_run(findings: list[Finding]) -> list[Finding]:
    """One finding per import failure: when the program's run (TAP010) failed with the import error a TAP003
    finding predicted, keep the run's finding, at the line that raised, with TAP003's explanation of why (the
    language host's sys.path) and its fix when the run gave none (synth's own fix already names the layout), and
    drop the TAP003 findings that predicted it."""
    failures = [f for f in findings if f.rule == "TAP010"]
    predicted = [f for f in findings if f.rule == "TAP003"]
    merged: dict[int, Finding] = {}
    confirmed: set[int] = set()
    for failure in failures:
        for item in predicted:
            why = predicted_import_error(item, failure.message)
            if why is None:
                continue
            confirmed.add(id(item))
            if id(failure) not in merged:
                merged[id(failure)] = dataclasses.replace(
                    failure, message=f"{failure.message.rstrip('.')}: {why}", fix=failure.fix or item.fix)
    return [merged.get(id(f), f) for f in findings if id(f) not in confirmed]


def check_all(paths: Iterable[str | Path], *, all_stacks: bool = False, **options: Any) -> list[Report]:
    """Check every Pulumi project found at or under ``paths`` (each folder holding a Pulumi.yaml, nested ones
    included, each on its own), in path order: one report per project, or with ``all_stacks`` one per stack file
    of each project (a project without stack files gets one, for its default stack). ``options`` are
    :func:`check`'s keyword arguments. A path with no Pulumi.yaml anywhere gives one report with TAP001. Raises
    what :func:`check` raises; an unknown ``stack`` before any project is checked."""
    folders: list[Path] = []
    for path in paths:
        folders += [f for f in find_projects(path) if f not in folders]
    stack = options.pop("stack", None)
    for problem in (Project(f, stack).stack_problem() for f in folders) if stack else ():
        if problem is not None:
            raise ProjectError(problem)
    reports: list[Report] = []
    for folder in folders:
        stacks = sorted(Project(folder).stacks)
        first: Report | None = None
        for name in stacks if all_stacks and stacks else [stack]:
            report = check(folder, stack=name, **options)
            if first is None:
                first = report
            else:  # a finding the same in every stack (a test file, a rule on code) is the first stack's only
                same = {(f.rule, f.path, f.line, f.message) for f in first.findings}
                kept = [f for f in report.findings if (f.rule, f.path, f.line, f.message) not in same]
                if len(kept) < len(report.findings):
                    report.notes.append(f"{len(report.findings) - len(kept)} finding(s) identical to stack "
                                        f"'{first.stack}''s are reported there only")
                    report.findings = kept
            others = [other for other in stacks if other != report.stack]
            if others and not all_stacks:
                report.notes.append(f"checked stack '{report.stack}' only; the project's other stacks "
                                    f"({', '.join(others)}) have their own config: --stack NAME or --all-stacks "
                                    "checks them")
            reports.append(report)
    return reports


class _Lines:
    """Project files' lines, read once (Python files through the project's own parse cache)."""

    def __init__(self, project: Project) -> None:
        self.project = project
        self._lines: dict[str, list[str]] = {}

    def text(self, path: str) -> str | None:
        target = self.project.root / path
        if path.endswith(".py"):
            source = self.project.source(target)
            return source.text if source else None
        return read_text(target)

    def line(self, path: str, line: int) -> str:
        if path not in self._lines:
            self._lines[path] = (self.text(path) or "").splitlines()
        lines = self._lines[path]
        return lines[line - 1] if 0 < line <= len(lines) else ""


def _finalize(project: Project, findings: list[Finding], selection: Selection, *, complete: bool) -> list[Finding]:
    """Drop findings of rules not selected, suppressed findings and duplicates (a rule's static and synth parts
    can meet on the same line), report suppression comments that silenced nothing (TAP090; ``complete`` says the
    program ran to the end, so every rule had its say) or give no reason (TAP091), give each finding the selected
    severity and its fingerprint, then sort like a compiler."""
    files = _Lines(project)
    suppressions = Suppressions(files.text)
    seen: set[tuple[str, str, int]] = set()
    kept: list[Finding] = []
    for item in findings:
        key = (item.rule, item.path, item.line)
        if item.rule not in selection.enabled or key in seen or suppressions.silences(item):
            continue
        seen.add(key)
        kept.append(item)
    if COMMENT_RULES & selection.enabled:
        commented = [project.rel(p) for p in project.python_files]
        commented += [project.rel(p) for p in (project.project_file, *(s.path for s in project.stacks.values()))
                      if p is not None]
        kept += [f for f in suppressions.problems(commented, selection.enabled, complete)
                 if f.rule in selection.enabled]
    kept = [dataclasses.replace(f, severity=selection.severities.get(f.rule, f.severity)) for f in kept]
    kept.sort(key=Finding.sort_key)
    return [dataclasses.replace(f, fingerprint=fp) for f, fp in zip(kept, fingerprints(kept, files.line),
                                                                    strict=True)]
