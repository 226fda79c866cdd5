"""Command line: ``python -m tapcheck PATH [--stack NAME] [--format text|json] [--no-synth] [--strict]
[--synth-out FILE] [--python INTERPRETER] [--timeout SECONDS]``.

Exit codes: 0 no error, 1 an error (or a warning with --strict), 2 bad usage or an unreadable project.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path

from .api import check
from .findings import Report
from .project import ProjectError


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m tapcheck",
        description="Offline checker for Pulumi Python (AWS) repos: static rules plus a run of the program "
                    "under mocks, the way the Pulumi language host runs it.")
    parser.add_argument("path", help="the project folder (the one holding Pulumi.yaml)")
    parser.add_argument("--stack", help="stack whose config to use (default: dev, else the first stack file)")
    parser.add_argument("--format", choices=("text", "json"), default="text", help="output format")
    parser.add_argument("--no-synth", action="store_true", help="run only the static rules (no subprocess)")
    parser.add_argument("--strict", action="store_true", help="warnings fail the check too")
    parser.add_argument("--synth-out", metavar="FILE", help="write the synth record (resources, exports) here")
    parser.add_argument("--python", metavar="INTERPRETER", help="interpreter to run the program with")
    parser.add_argument("--timeout", type=float, default=120.0, metavar="SECONDS",
                        help="time limit for the program run (default 120)")
    return parser


def render_text(report: Report) -> str:
    """Compiler-style lines, one indented fix line each, then a summary line."""
    out: list[str] = []
    for item in report.findings:
        out.append(f"{item.path}:{item.line}: {item.rule} {item.message}")
        out.append(f"    fix: {item.fix}")
    out += [f"note: {note}" for note in report.notes]
    errors, warnings = len(report.errors), len(report.warnings)
    if not report.findings:
        out.append("no findings")
    else:
        parts = [f"{errors} error{'s' if errors != 1 else ''}"]
        parts.append(f"{warnings} warning{'s' if warnings != 1 else ''}")
        out.append(", ".join(parts))
    return "\n".join(out)


def main(argv: list[str] | None = None) -> int:
    """Run the CLI; returns the exit code."""
    parser = _parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit as exc:  # argparse exits 2 on bad usage, 0 on --help
        return int(exc.code or 0)
    if args.timeout <= 0:
        print("tapcheck: error: --timeout must be positive", file=sys.stderr)
        return 2
    try:
        report = check(args.path, stack=args.stack, synth=not args.no_synth, timeout=args.timeout,
                       python=args.python)
    except ProjectError as exc:
        print(f"tapcheck: error: {exc}", file=sys.stderr)
        return 2
    if args.synth_out:
        if report.synth is None:
            print("tapcheck: no synth record to write (synth did not run)", file=sys.stderr)
        else:
            Path(args.synth_out).write_text(json.dumps(report.synth, indent=2, default=str) + "\n",
                                            encoding="utf-8")
    try:
        print(report.to_json() if args.format == "json" else render_text(report))
        sys.stdout.flush()
    except BrokenPipeError:  # `| head`: the reader left; exit quietly (Python docs, "Note on SIGPIPE")
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
    failed = bool(report.errors) or (args.strict and bool(report.warnings))
    return 1 if failed else 0
