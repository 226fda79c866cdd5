"""Command line: ``tapcheck [PATH ...] [--stack NAME] [--format text|json|sarif|github] [--no-synth] [--strict]
[--select RULES] [--extend-select RULES] [--ignore RULES] [--baseline FILE | --write-baseline FILE]
[--synth-out FILE] [--python INTERPRETER] [--timeout SECONDS]``.

Every folder holding a Pulumi.yaml at or under the given paths is checked as a project of its own.
Exit codes: 0 no error, 1 an error in any project (or, with --strict, a warning or a synth that could not run),
2 bad usage, an unreadable folder, a ``--stack`` that names none of a project's stack files, an unknown rule
selector or an unreadable baseline. Findings a baseline
records are left out before the exit code is decided (:mod:`tapcheck.baseline`).

Other commands are a first word, like ``git``'s: ``tapcheck COMMAND ...`` runs the module named in
:data:`COMMANDS` (a path that is also a command's name is written ``./NAME``).
"""

from __future__ import annotations

import argparse
import difflib
import gc
import json
import os
import shutil
import sys
from importlib import import_module
from pathlib import Path

from . import baseline, version_text
from .api import check_all
from .findings import reports_to_dict
from .formats import render_github, render_text
from .project import ProjectError
from .sarif import to_sarif
from .selection import SelectionError

__all__ = ["COMMANDS", "main", "render_text"]

# Commands besides the check: name -> module (relative to this package) with ``add_arguments(parser)`` and
# ``run(args) -> int`` (the exit code). Imported only when used, so the check itself starts fast.
COMMANDS: dict[str, str] = {
    "export": "export",
    "graph": "diagram",
    "rule": "explain",
    "rules": "ruleslist",
}


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="tapcheck",
        description="Offline checker for Pulumi Python (AWS) repos: static rules plus a run of the program "
                    "under mocks, the way the Pulumi language host runs it.")
    parser.add_argument("--version", action="version", version=version_text(),
                        help="print the version and the git commit it was built from, then exit")
    parser.add_argument("paths", nargs="*", default=["."], metavar="PATH",
                        help="project folders, or folders holding several projects (default: .)")
    stacks = parser.add_mutually_exclusive_group()
    stacks.add_argument("--stack", help="stack whose config to use (default: dev, else the first stack file); in a "
                                        "project with stack files it must be one of them")
    stacks.add_argument("--all-stacks", action="store_true",
                        help="check every stack file of each project, one report per stack")
    parser.add_argument("--format", choices=("text", "json", "sarif", "github"), default="text",
                        help="output format: text, json (schema: docs/schema/report-v1.schema.json), sarif "
                             "(SARIF 2.1.0, for code scanning) or github (workflow annotations)")
    parser.add_argument("--no-synth", action="store_true", help="run only the static rules (no subprocess)")
    parser.add_argument("--strict", action="store_true",
                        help="warnings fail the check too, and so does a synth that could not run")
    for option, what in (("--select", "rules to run instead of the configured ones"),
                         ("--extend-select", "rules to run in addition to the configured ones"),
                         ("--ignore", "rules not to run, in addition to the configured ones")):
        parser.add_argument(option, action="append", default=None, metavar="RULES",
                            help=f"{what}: comma-separated groups, ids or prefixes (ALL, security, TAP02, ...)")
    recorded = parser.add_mutually_exclusive_group()
    recorded.add_argument("--baseline", metavar="FILE",
                          help="leave out the findings FILE records (written by --write-baseline): only new ones fail")
    recorded.add_argument("--write-baseline", metavar="FILE",
                          help="record every finding of this run in FILE (then none of them fails)")
    parser.add_argument("--synth-out", metavar="FILE", help="write the synth record (resources, exports) here")
    parser.add_argument("--python", metavar="INTERPRETER", help="interpreter to run the program with")
    parser.add_argument("--timeout", type=float, default=120.0, metavar="SECONDS",
                        help="time limit for the program run (default 120)")
    parser.add_argument("--policy-pack", action="append", default=[], metavar="DIR", dest="policy_packs",
                        help="Pulumi policy pack (Python, pulumi_policy) to evaluate on the program's run (TAP060); "
                             "repeatable, added to [tool.tapcheck] policy-packs")
    return parser


def _selectors(values: list[str] | None) -> list[str]:
    """``["TAP001,tap02", "security"]`` -> ``["TAP001", "tap02", "security"]``."""
    return [part.strip() for value in values or [] for part in value.split(",") if part.strip()]


def output_problem(path: str | None) -> str | None:
    """Why *path* cannot be written (its folder does not exist, or it is a folder), checked before any work; None
    when it can be, or when no path was given."""
    if not path:
        return None
    target = Path(path)
    if target.is_dir():
        return f"{path} is a folder; give a file to write"
    if not target.parent.is_dir():
        return f"cannot write {path}: folder {target.parent} does not exist"
    return None


def interpreter_problem(python: str | None) -> str | None:
    """Why ``--python`` *python* cannot run a program (no such file or command); None when it can or none was
    given."""
    if python and shutil.which(python) is None:
        return f"--python {python}: no such interpreter"
    return None


def _run_command(name: str, argv: list[str]) -> int:
    """Parse *argv* for the command *name* and run it; returns its exit code (2 on bad usage)."""
    module = import_module(f"{__package__}.{COMMANDS[name]}")
    parser = argparse.ArgumentParser(prog=f"tapcheck {name}", description=(module.__doc__ or "").split("\n\n")[0])
    module.add_arguments(parser)
    try:
        args = parser.parse_args(argv)
    except SystemExit as exc:
        return int(exc.code or 0)
    try:
        code = int(module.run(args))
        sys.stdout.flush()
    except BrokenPipeError:
        return _reader_left(0)
    return code


def _reader_left(code: int) -> int:
    """After ``| head`` closed stdout: exit quietly with ``code`` (Python docs, "Note on SIGPIPE")."""
    os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
    return code


def _path_problem(path: str) -> str | None:
    """For a PATH that does not exist and is spelled like a command (``grpah``), the error with the command it
    probably meant; None otherwise (the check reports other missing folders itself)."""
    if os.path.exists(path) or os.sep in path or "/" in path:
        return None
    close = difflib.get_close_matches(path, COMMANDS, n=1)
    return f"no such folder: {path} (did you mean `tapcheck {close[0]}`?)" if close else None


def main(argv: list[str] | None = None) -> int:
    """Run the CLI on *argv* (default ``sys.argv[1:]``); returns the exit code."""
    if argv is None:  # the command line's own process: a check allocates much and frees little until it ends, so
        # the cyclic collector would walk an ever-growing heap for nothing (https://docs.python.org/3/library/gc.html)
        gc.freeze()
        gc.set_threshold(50_000, 20, 20)
    argv = sys.argv[1:] if argv is None else list(argv)
    if argv and argv[0] in COMMANDS:
        return _run_command(argv[0], argv[1:])
    parser = _parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit as exc:  # argparse exits 2 on bad usage, 0 on --help
        return int(exc.code or 0)
    if args.timeout <= 0:
        print("tapcheck: error: --timeout must be positive", file=sys.stderr)
        return 2
    for problem in (*map(_path_problem, args.paths), output_problem(args.synth_out),
                    output_problem(args.write_baseline), interpreter_problem(args.python)):
        if problem:
            print(f"tapcheck: error: {problem}", file=sys.stderr)
            return 2
    select = _selectors(args.select) if args.select is not None else None
    try:
        recorded = baseline.read(args.baseline) if args.baseline else None
        reports = check_all(args.paths, stack=args.stack, all_stacks=args.all_stacks, synth=not args.no_synth,
                            timeout=args.timeout, python=args.python, select=select,
                            extend_select=_selectors(args.extend_select), ignore=_selectors(args.ignore),
                            policy_packs=args.policy_packs)
    except (ProjectError, SelectionError, baseline.BaselineError) as exc:
        print(f"tapcheck: error: {exc}", file=sys.stderr)
        return 2
    if args.write_baseline:
        recorded = baseline.entries(reports)
        baseline.write(recorded, args.write_baseline)
        print(f"tapcheck: recorded {len(recorded)} finding{'s' if len(recorded) != 1 else ''} in "
              f"{args.write_baseline}", file=sys.stderr)
    if recorded is not None:
        baseline.apply(reports, recorded, args.baseline or args.write_baseline)
    if args.synth_out:
        records = [r.synth for r in reports if r.synth is not None]
        if not records:
            print("tapcheck: no synth record to write (synth did not run)", file=sys.stderr)
        else:  # one project: its record; several: a list, in the order of the output
            data = records[0] if len(reports) == 1 else records
            Path(args.synth_out).write_text(json.dumps(data, indent=2, default=str) + "\n", encoding="utf-8")
    strict_failures = [f"{r.path}: synth did not run: {r.synth_skipped}" for r in reports
                       if args.strict and r.synth_skipped]
    try:
        if args.format == "json":
            print(json.dumps(reports_to_dict(reports), indent=2, default=str))
        elif args.format == "sarif":
            print(json.dumps(to_sarif(reports), indent=2))
        elif args.format == "github":
            print(render_github(reports))
        else:
            print(render_text(reports))
        for line in strict_failures:
            print(f"tapcheck: --strict: {line}", file=sys.stderr)
        sys.stdout.flush()
    except BrokenPipeError:  # `| head`: the reader left
        _reader_left(0)
    failed = any(r.errors for r in reports) or (args.strict and any(r.warnings for r in reports))
    return 1 if failed or strict_failures else 0
