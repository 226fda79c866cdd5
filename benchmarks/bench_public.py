"""Run the checker over a folder of public Pulumi Python projects and count what it reports.

Every folder under PROJECTS that holds a ``Pulumi.yaml`` (the outermost one; projects nested inside a project are
part of its tree) is checked with ``python -m tapcheck PROJECT --format json``, at most ``--jobs`` at a time, each
with a time limit. The table gives, per checker: projects checked, projects without an error, findings per rule
(errors and warnings apart), and the errors sorted into kinds:

- ``env: missing module X``: the program imports a package the program interpreter lacks (TAP010);
- ``env: SDK outside the project's pin``: the program calls an API its pinned SDK has and the installed one does
  not (an unexpected keyword or a missing attribute, while requirements.txt/pyproject.toml excludes the installed
  version of a ``pulumi*`` package);
- ``env: program calls AWS itself``: boto3/botocore found no region or credentials;
- ``config: missing required value``: the project has no stack config for a key it requires;
- ``checker: mock monitor lacks an RPC``: the checker's stand-in for the engine cannot answer (e.g. ``Call``);
- ``synth: timeout``: the program did not finish within the time limit;
- ``synth: <first message kind>``: any other program failure (TAP010), by exception name, "on None" when the
  failing value was None (under mocks, usually an output or data-source result the mocks left empty);
- ``rule TAPnnn``: every other error.

``--baseline REV`` checks out REV of this repository into a temporary ``git worktree`` and runs its checker on the
same projects, printing both columns side by side. ``--json-out FILE`` keeps every finding for reading.

The checker's JSON is read defensively: ``{"findings": [...], "notes": [...]}`` for one project, or
``{"projects": [{"path": ..., "findings": [...], "notes": [...]}, ...]}`` when it reports several; an optional
``synth_skipped`` (why synth did not run) is counted; other keys are ignored.

Usage::

    python benchmarks/bench_public.py PROJECTS [--python INTERPRETER] [--checker DIR] [--baseline REV]
        [--jobs 2] [--timeout 300] [--json-out FILE] [--errors]
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import re
import subprocess
import sys
import tomllib
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

from common import ROOT, release
from packaging.requirements import InvalidRequirement, Requirement

SKIP_DIRS = {".git", ".venv", "venv", "node_modules", "__pycache__"}
_MISSING_MODULE = re.compile(r"No module named '?([\w.]+)")
_EXCEPTION = re.compile(r"\b((?:[A-Z]\w*)?(?:Error|Exception|Exit|Interrupt|Warning))\b")
# An API the installed SDK lacks: a removed argument, function or class (not an attribute of a None value).
_API_GONE = re.compile(r"unexpected keyword argument|module '[\w.]+' has no attribute"
                       r"|'(?!NoneType')\w+' object has no attribute")
_INSTALLED = ("import importlib.metadata as m, json; print(json.dumps({d.metadata['Name'].lower().replace('_', '-'): "
              "d.version for d in m.distributions()}))")


@dataclass
class Outcome:
    """One checker run on one project: its findings (dicts as the JSON gives them), notes and failure, if any."""

    project: str
    findings: list[dict] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)  # why synth did not run or finish ("synth_skipped")
    failure: str = ""  # "timeout", or "exit N: <stderr tail>" when the checker gave no JSON
    off_pin: list[str] = field(default_factory=list)  # "pulumi-aws>=5,<6 (installed 7.51.1)"

    @property
    def errors(self) -> list[dict]:
        """The findings of severity ``error``."""
        return [f for f in self.findings if f.get("severity") == "error"]


def discover(folder: Path) -> list[Path]:
    """The outermost folders under ``folder`` (itself included) that hold a Pulumi.yaml, sorted."""
    found: list[Path] = []
    for current, dirs, files in os.walk(folder, followlinks=True):  # a folder of symlinks selects projects
        dirs[:] = sorted(d for d in dirs if d not in SKIP_DIRS)
        if "Pulumi.yaml" in files:
            found.append(Path(current))
            dirs[:] = []  # nested projects belong to this one's tree
    return found


def parse(project: str, text: str) -> Outcome:
    """Read the checker's JSON output, either shape, ignoring keys this script does not know."""
    data = json.loads(text)
    outcome = Outcome(project)
    parts = data.get("projects") if isinstance(data.get("projects"), list) else [data]
    for part in parts:
        if not isinstance(part, dict):
            continue
        # A sub-project's folder, relative to the checked project (the checker may print it absolute).
        prefix = os.path.relpath(os.path.join(project, str(part.get("path") or ".")), project)
        for item in part.get("findings") or []:
            if isinstance(item, dict):
                found = dict(item)
                if prefix != ".":
                    found["path"] = f"{prefix}/{found.get('path', '')}"
                outcome.findings.append(found)
        outcome.notes += [str(note) for note in part.get("notes") or []]
        if part.get("synth_skipped"):
            outcome.skipped.append(str(part["synth_skipped"]))
    return outcome


def installed_versions(python: str | None) -> dict[str, str]:
    """Distribution name (lower case, dashes) -> version, for the interpreter that runs the programs."""
    proc = subprocess.run([python or sys.executable, "-c", _INSTALLED], capture_output=True, text=True, check=True)
    return json.loads(proc.stdout)


def off_pin(project: Path, installed: dict[str, str]) -> list[str]:
    """The project's ``pulumi*`` requirements (requirements.txt, pyproject.toml) that the installed versions break."""
    lines: list[str] = []
    requirements = project / "requirements.txt"
    if requirements.is_file():
        lines += requirements.read_text(encoding="utf-8", errors="replace").splitlines()
    pyproject = project / "pyproject.toml"
    if pyproject.is_file():
        with contextlib.suppress(tomllib.TOMLDecodeError):
            lines += tomllib.loads(pyproject.read_text(encoding="utf-8")).get("project", {}).get("dependencies", [])
    broken = []
    for line in lines:
        try:
            requirement = Requirement(line.split("#")[0].strip())
        except InvalidRequirement:
            continue
        name = requirement.name.lower().replace("_", "-")
        version = installed.get(name)
        if name.startswith("pulumi") and version and requirement.specifier \
                and not requirement.specifier.contains(version, prereleases=True):
            broken.append(f"{name}{requirement.specifier} (installed {version})")
    return broken


def run_one(checker: Path, project: Path, python: str | None, timeout: float) -> Outcome:
    """Run the checker found in ``checker`` on ``project``; never raises for a failed run."""
    command = [sys.executable, "-m", "tapcheck", str(project), "--format", "json", "--timeout", str(timeout)]
    if python:
        command += ["--python", python]
    env = {**os.environ, "PYTHONPATH": str(checker)}
    try:
        proc = subprocess.run(command, cwd=checker, env=env, capture_output=True, text=True, check=False,
                              timeout=timeout + 60)
    except subprocess.TimeoutExpired:
        return Outcome(str(project), failure="timeout")
    try:
        return parse(str(project), proc.stdout)
    except (json.JSONDecodeError, AttributeError):
        tail = (proc.stderr.strip().splitlines() or ["no output"])[-1]
        return Outcome(str(project), failure=f"exit {proc.returncode}: {tail[:120]}")


def error_kind(item: dict, off_pins: list[str] = ()) -> str:
    """The class an error is counted in (see the module docstring)."""
    rule, message = item.get("rule", "?"), str(item.get("message", ""))
    if rule == "TAP010":
        missing = _MISSING_MODULE.search(message)
        if missing:
            return f"env: missing module {missing.group(1).split('.')[0]}"
        if "pulumi config set" in message or "Missing required configuration" in message \
                or "is required but not set" in message:
            return "config: missing required value"
        if "botocore" in message or "NoRegionError" in message or "NoCredentialsError" in message:
            return "env: program calls AWS itself"
        if "did not finish within" in message:
            return "synth: timeout"
        if "Monitor' object has no attribute" in message:  # the checker's own mock engine lacks an RPC
            return "checker: mock monitor lacks an RPC"
        if off_pins and _API_GONE.search(message):
            return "env: SDK outside the project's pin"
        exception = _EXCEPTION.search(message)
        on_none = " on None" if "NoneType" in message else ""  # a value the mocks left empty, usually
        return f"synth: {exception.group(1) if exception else message[:50]}{on_none}"
    return f"rule {rule}"


def summarize(outcomes: list[Outcome]) -> Counter:
    """Counts for the table: one key per row."""
    rows: Counter = Counter()
    for outcome in outcomes:
        rows["projects checked"] += 1
        if outcome.failure:
            rows[f"checker failed ({outcome.failure.split(':')[0]})"] += 1
            continue
        rows["projects with no error"] += not outcome.errors
        rows["projects with a note"] += bool(outcome.notes)
        rows["projects whose synth was skipped"] += bool(outcome.skipped)
        for item in outcome.findings:
            rows[f"{item.get('severity', '?')}s {item.get('rule', '?')}"] += 1
            rows[f"{item.get('severity', '?')}s, all rules"] += 1
        for item in outcome.errors:
            rows[f"error kind: {error_kind(item, outcome.off_pin)}"] += 1
    return rows


def print_table(columns: dict[str, Counter]) -> None:
    """Rows in a stable order (totals, errors by rule, warnings by rule, error kinds), one column per checker."""
    keys = set().union(*columns.values())
    head = [k for k in ("projects checked", "projects with no error", "projects with a note",
                        "projects whose synth was skipped", "errors, all rules", "warnings, all rules") if k in keys]
    order = head + sorted(k for k in keys if k.startswith("checker failed")) \
        + sorted(k for k in keys if k.startswith("errors ")) + sorted(k for k in keys if k.startswith("warnings ")) \
        + sorted(k for k in keys if k.startswith("error kind: ")) \
        + sorted(k for k in keys if k not in head and not k.startswith(("checker failed", "errors ", "warnings ",
                                                                         "error kind: ")))
    width = max([len(k) for k in order] + [10])
    print(f"{'':<{width}}  " + "  ".join(f"{name:>12}" for name in columns))
    for key in order:
        print(f"{key:<{width}}  " + "  ".join(f"{column.get(key, 0):>12}" for column in columns.values()))


def run_all(projects: list[Path], args: argparse.Namespace) -> dict[str, list[Outcome]]:
    """Run the current checker (and the baseline's, in a temporary worktree) on every project; outcomes per
    checker name, in project order."""
    with contextlib.ExitStack() as stack:
        checkers = {"current": args.checker.resolve()}  # insertion order = column order
        if args.baseline:
            checkers = {f"baseline {args.baseline}": stack.enter_context(release(args.baseline)), **checkers}
        jobs = [(name, path, project) for project in projects for name, path in checkers.items()]
        with ThreadPoolExecutor(max_workers=max(1, args.jobs)) as pool:
            results = list(pool.map(lambda job: (job[0], run_one(job[1], job[2], args.python, args.timeout)), jobs))
    by_checker: dict[str, list[Outcome]] = {name: [] for name in checkers}
    for name, outcome in results:
        by_checker[name].append(outcome)
    return by_checker


def print_errors(by_checker: dict[str, list[Outcome]], folder: Path) -> None:
    """Every error, one line each: project/path:line: rule [kind] message."""
    for name, outcomes in by_checker.items():
        print(f"\n== errors: {name}")
        for outcome in outcomes:
            project = os.path.relpath(outcome.project, folder)
            for item in outcome.errors:
                print(f"{project}/{item.get('path')}:{item.get('line')}: {item.get('rule')} "
                      f"[{error_kind(item, outcome.off_pin)}] {str(item.get('message', ''))[:300]}")
            for reason in outcome.skipped:
                print(f"{project}: synth skipped: {reason[:300]}")
            if outcome.failure:
                print(f"{project}: checker failed: {outcome.failure}")


def main(argv: list[str] | None = None) -> int:
    """Run every checker on every project (or reload a ``--json-out`` file), print the table and, with
    ``--errors``, every error."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("projects", type=Path, help="folder holding Pulumi projects (searched recursively)")
    parser.add_argument("--python", help="interpreter to run the programs with (passed to tapcheck --python)")
    parser.add_argument("--checker", type=Path, default=ROOT, help="repository whose tapcheck to run (default: "
                                                                       "the one this script is in)")
    parser.add_argument("--baseline", metavar="REV", help="also run the tapcheck of this commit of this repository")
    parser.add_argument("--jobs", type=int, default=2, help="checker runs at once (default 2)")
    parser.add_argument("--timeout", type=float, default=300.0, help="seconds per program run (default 300)")
    parser.add_argument("--json-out", type=Path, help="write every outcome here as JSON")
    parser.add_argument("--from-json", type=Path, help="do not run: reload the outcomes a --json-out run wrote")
    parser.add_argument("--errors", action="store_true", help="also print every error, per project")
    args = parser.parse_args(argv)

    folder = args.projects.resolve()
    if args.from_json:
        saved = json.loads(args.from_json.read_text(encoding="utf-8"))
        by_checker = {name: [Outcome(**row) for row in rows] for name, rows in saved.items()}
    else:
        by_checker = run_all(discover(folder), args)
    installed = installed_versions(args.python)
    for outcomes in by_checker.values():
        for outcome in outcomes:
            outcome.off_pin = off_pin(Path(outcome.project), installed)
    count = len(next(iter(by_checker.values()), []))
    print(f"{count} projects under {args.projects}; program interpreter: {args.python or sys.executable}")
    print_table({name: summarize(outcomes) for name, outcomes in by_checker.items()})
    if args.errors:
        print_errors(by_checker, folder)
    if args.json_out:
        args.json_out.write_text(json.dumps({name: [vars(o) for o in outcomes] for name, outcomes
                                             in by_checker.items()}, indent=1), encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
