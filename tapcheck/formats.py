"""Output formats besides JSON and SARIF: compiler-style text and GitHub Actions workflow commands."""

from __future__ import annotations

import os
from pathlib import Path

from .catalog import ERROR, WARNING
from .findings import Finding, Report


def summary(reports: list[Report]) -> str:
    """``"2 errors, 1 warning"``, or ``"no findings"``; ``"... (static rules only: synth did not run)"`` when the
    program run was asked for and could not happen (``"... (synth stopped before the program's end)"`` when it
    started and the checker's environment stopped it), so a skipped run never reads as a clean one."""
    errors = sum(len(r.errors) for r in reports)
    warnings = sum(len(r.warnings) for r in reports)
    text = "no findings" if not errors and not warnings else \
        f"{errors} error{'s' if errors != 1 else ''}, {warnings} warning{'s' if warnings != 1 else ''}"
    skipped = [r for r in reports if r.synth_skipped]
    if skipped:
        which = "" if len(reports) == 1 else f" in {len(skipped)} of {len(reports)} checks"
        if all(r.synth is not None for r in skipped):  # the program started and stopped before its end
            text += f" (synth stopped before the program's end{which}, see the note; --strict fails on it)"
        else:
            text += f" (static rules only{which}: synth did not run, see the note; --strict fails on it)"
    return text


def scope(reports: list[Report]) -> str:
    """``"3 projects"``, or ``"1 project, 3 stacks"`` when a project was checked once per stack (--all-stacks)."""
    projects = len({report.path for report in reports})
    plural = "s" if projects != 1 else ""
    return f"{projects} project{plural}" + (f", {len(reports)} stacks" if len(reports) > projects else "")


def _path(report: Report, found: Finding, many: bool) -> str:
    """The finding's file: relative to the project for one project, to the working folder for several."""
    return os.path.normpath(os.path.join(report.path, found.path)) if many else found.path


def render_text(report: Report | list[Report]) -> str:
    """Compiler-style lines (``path:line[:column]: TAPxxx message``), one indented fix line each, notes, then a
    summary line. With several projects each gets a header line and its findings' paths start at the working
    folder."""
    reports = report if isinstance(report, list) else [report]
    many = len(reports) > 1
    out: list[str] = []
    for item in reports:
        if many:
            name = f"project '{item.project}'" if item.project else "no Pulumi project"
            stack = f", stack '{item.stack}'" if item.stack and item.project else ""
            out.append(f"== {item.path} ({name}{stack}): {summary([item])}")
        for found in item.findings:
            column = f":{found.column}" if found.column is not None else ""
            out.append(f"{_path(item, found, many)}:{found.line}{column}: {found.rule} {found.message}")
            out.append(f"    fix: {found.fix}")
        out += [f"note: {note}" for note in item.notes]
    out.append((f"{scope(reports)}: " if many else "") + summary(reports))
    return "\n".join(out)


def _escape_data(text: str) -> str:
    # https://github.com/actions/toolkit/blob/main/packages/core/src/command.ts (escapeData)
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _escape_property(text: str) -> str:
    # The same file's escapeProperty: data escaping plus the separators of the property list.
    return _escape_data(text).replace(":", "%3A").replace(",", "%2C")


def _relative(path: Path) -> str:
    """``path`` relative to the working folder, POSIX style (absolute when on another Windows drive)."""
    try:
        return Path(os.path.relpath(path)).as_posix()
    except ValueError:
        return path.resolve().as_posix()


def render_github(reports: list[Report]) -> str:
    """GitHub Actions workflow commands (https://docs.github.com/en/actions/reference/workflows-and-actions/
    workflow-commands): ``::error`` for errors, ``::warning`` for warnings, ``::notice`` for notes, each finding
    with ``file`` (relative to the working folder: run from the repository root), ``line``, ``col`` where known
    and ``title`` (the rule id); the message carries the fix on a second line. A plain summary line ends it."""
    level = {ERROR: "error", WARNING: "warning"}
    out: list[str] = []
    for report in reports:
        for found in report.findings:
            file = _relative(Path(report.path, found.path))
            props = [f"file={_escape_property(file)}", f"line={found.line}"]
            if found.column is not None:
                props.append(f"col={found.column}")
            props.append(f"title={_escape_property(found.rule)}")
            message = _escape_data(f"{found.message}\nfix: {found.fix}")
            out.append(f"::{level.get(found.severity, 'warning')} {','.join(props)}::{message}")
        out += [f"::notice title=tapcheck::{_escape_data(f'{report.path}: {note}')}" for note in report.notes]
    out.append(summary(reports))
    return "\n".join(out)
