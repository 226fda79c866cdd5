"""Synth: run the program in a subprocess exactly as the Pulumi language host does, against mocks.

Reproduced from facts 1.1-1.4 and 5.5: the interpreter the host would pick, the runner started as a file
(``sys.path[0]`` is the runner's own folder), working folder = the program folder, ``sys.argv = [PROGRAM]``,
config through ``PULUMI_CONFIG`` / ``PULUMI_CONFIG_SECRET_KEYS``, ``runpy.run_path(PROGRAM)``.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .findings import Finding, finding
from .project import Project

PACKAGE_DIR = Path(__file__).resolve().parent
RUNNER = PACKAGE_DIR / "_runner" / "run_program.py"
# Environment variables that would change how the interpreter builds sys.path; the language host does not
# set them (facts 1.3: "PYTHONPATH is never set by the host"), and a developer's shell must not hide TAP003.
_SCRUBBED_ENV = ("PYTHONPATH", "PYTHONSAFEPATH", "PYTHONHOME", "PYTHONSTARTUP", "PYTHONINSPECT", "PYTHONNOUSERSITE")


@dataclass
class SynthResult:
    """The record (None when synth did not run) plus findings (TAP010) and notes for the text output."""

    record: dict[str, Any] | None = None
    findings: list[Finding] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    sdk_findings: list[dict[str, Any]] | None = None


def _venv_python(venv: Path) -> Path | None:
    for candidate in (venv / "bin" / "python", venv / "Scripts" / "python.exe"):
        if candidate.is_file():
            return candidate
    return None


def choose_interpreter(project: Project, python: str | None = None) -> tuple[str, Path | None]:
    """``--python``, else the project's virtual environment (runtime option ``virtualenv`` is resolved against
    the project root, facts 1.4; then ``.venv``/``venv``), else this interpreter. Returns (python, venv)."""
    if python:
        return python, None
    candidates: list[Path] = []
    configured = project.runtime_options.get("virtualenv")
    if isinstance(configured, str) and configured.strip():
        path = Path(configured).expanduser()
        candidates.append(path if path.is_absolute() else project.root / path)
    candidates += [project.root / ".venv", project.root / "venv"]
    for venv in candidates:
        found = _venv_python(venv)
        if found is not None:
            return str(found), venv
    return sys.executable, None


def _environment(project: Project, stack: str, venv: Path | None) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in _SCRUBBED_ENV and not k.startswith("PULUMI_CONFIG")}
    env["PULUMI_CONFIG"], env["PULUMI_CONFIG_SECRET_KEYS"] = project.host_config(stack)
    env["PYTHONDONTWRITEBYTECODE"] = "1"  # keep the project folder clean; no effect on imports
    env["PYTHONUNBUFFERED"] = "1"
    if venv is not None:  # an activated environment, as the pip toolchain runs it
        env["VIRTUAL_ENV"] = str(venv)
        env["PATH"] = str(venv / "bin") + os.pathsep + env.get("PATH", "")
    return env


def run_synth(project: Project, *, stack: str, timeout: float = 120.0, python: str | None = None,
              sdk_usages: list[dict[str, Any]] | None = None) -> SynthResult:
    """Run the program under mocks and return the record, or TAP010 on any failure."""
    result = SynthResult()
    layout = project.layout
    if layout.entry is None:  # TAP002 already says why; there is nothing to run
        result.notes.append("synth skipped: the entry point does not exist (see TAP002)")
        return result
    interpreter, venv = choose_interpreter(project, python)
    job = {"project": project.name or "project", "stack": stack, "pwd": str(layout.pwd),
           "program": layout.program, "root": str(project.root), "package_dir": str(PACKAGE_DIR),
           "sdk_usages": sdk_usages or None}
    entry_rel = project.rel(layout.entry)
    with tempfile.TemporaryDirectory(prefix="tapcheck-") as tmp:
        job_path, out_path = Path(tmp) / "job.json", Path(tmp) / "out.json"
        job_path.write_text(json.dumps(job), encoding="utf-8")
        try:
            proc = subprocess.run(
                [interpreter, str(RUNNER), str(job_path), str(out_path)], cwd=str(layout.pwd),
                env=_environment(project, stack, venv), capture_output=True, text=True, timeout=timeout,
                check=False, stdin=subprocess.DEVNULL,
            )
        except subprocess.TimeoutExpired:
            result.findings.append(finding(
                "TAP010", entry_rel, 1, f"the program did not finish within {timeout:g} s under mocks",
                "Look for loops or blocking calls at import time (network, input()); raise --timeout if the "
                "program is just large."))
            return result
        except OSError as exc:
            result.notes.append(f"synth skipped: cannot start {interpreter}: {exc.strerror}")
            return result
        if not out_path.is_file():
            tail = (proc.stderr or proc.stdout or "").strip().splitlines()[-1:] or [f"exit code {proc.returncode}"]
            result.findings.append(finding("TAP010", entry_rel, 1, f"the program crashed the runner: {tail[0]}"))
            return result
        raw = json.loads(out_path.read_text(encoding="utf-8"))
    if raw.get("status") == "no-pulumi":
        result.notes.append(f"synth skipped: {interpreter} cannot import pulumi ({raw['error']['message']}); "
                            "install the project's dependencies or pass --python")
        return result
    result.sdk_findings = raw.pop("sdk_findings", None)
    error = raw.get("error")
    if error:
        location = error.get("location") or {}
        path = project.rel(location["path"]) if location.get("path") else entry_rel
        result.findings.append(finding(
            "TAP010", path, location.get("line") or 1,
            f"the program fails under the language host ({_how(project)}): {error['message']}",
            _tap010_fix(error["message"], project)))
    result.record = _record(project, raw)
    return result


def _how(project: Project) -> str:
    layout = project.layout
    return f"cwd {project.rel(layout.pwd) or '.'}, run_path({layout.program!r})"


def _tap010_fix(message: str, project: Project) -> str:
    if "ModuleNotFoundError" in message or "ImportError" in message:
        if project.main:
            return ("The language host puts no project folder on sys.path for `main: "
                    f"{project.main}` (facts 1.3): remove `main` and put `__main__.py` at the project root.")
        return "Make the imported package importable from the program folder, or add it to the dependencies."
    if "Missing required configuration" in message or "ConfigMissingError" in message:
        return "Set the key in the stack file (`pulumi config set KEY VALUE`) or give it a default."
    return "Fix the error at the line shown; run the program with `python -m tapcheck .` again."


def _record(project: Project, raw: dict[str, Any]) -> dict[str, Any]:
    """Shape the runner's output: paths relative to the project, sites as ``{"path","line"}``."""

    def site(value: Any) -> dict[str, Any] | None:
        if isinstance(value, dict) and value.get("path"):
            return {"path": project.rel(value["path"]), "line": int(value.get("line") or 1)}
        return None

    resources = []
    for res in raw.get("resources", []):
        res["site"] = site(res.get("site"))
        resources.append(res)
    exports = {}
    for name, exp in (raw.get("exports") or {}).items():
        exp["site"] = site(exp.get("site"))
        exports[name] = exp
    return {"stack": raw.get("stack"), "project": raw.get("project"), "ok": raw.get("status") == "ok",
            "error": (raw.get("error") or {}).get("message"), "resources": resources, "exports": exports,
            "asset_sites": {k: site(v) for k, v in (raw.get("asset_sites") or {}).items()}}
