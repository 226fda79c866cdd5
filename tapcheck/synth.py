"""Synth: run the program in a subprocess exactly as the Pulumi language host does, against mocks.

As pulumi/pulumi ``sdk/python/cmd/pulumi-language-python`` and its ``pulumi-language-python-exec`` script do: the
interpreter the host would pick, the runner started as a file (``sys.path[0]`` is the runner's own folder),
working folder = the program folder, ``sys.argv = [PROGRAM]``, config through ``PULUMI_CONFIG`` /
``PULUMI_CONFIG_SECRET_KEYS``, ``runpy.run_path(PROGRAM)``.

``run_synth`` runs one stack; ``run_synth_stacks`` runs several in one interpreter (the SDK imported once, the
project's modules and the Pulumi runtime fresh for each stack), with the same record per stack.
"""

from __future__ import annotations

import difflib
import json
import os
import re
import subprocess
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .findings import Finding, finding
from .project import Interpreter, Project, StackFile, choose_interpreter, read_text
from .rules.imports import local_names

PACKAGE_DIR = Path(__file__).resolve().parent
RUNNER = PACKAGE_DIR / "_runner" / "run_program.py"
# Environment variables that would change how the interpreter builds sys.path; the language host does not
# set them (it passes its own environment through, sdk/python/cmd/pulumi-language-python in
# https://github.com/pulumi/pulumi), and a developer's shell must not hide TAP003.
_SCRUBBED_ENV = ("PYTHONPATH", "PYTHONSAFEPATH", "PYTHONHOME", "PYTHONSTARTUP", "PYTHONINSPECT", "PYTHONNOUSERSITE")


@dataclass
class SynthResult:
    """The record (None when synth did not run) plus findings (TAP010) and notes for the text output;
    ``skipped`` says why the program could not be run at all (None when it ran)."""

    record: dict[str, Any] | None = None
    findings: list[Finding] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    sdk_findings: list[dict[str, Any]] | None = None
    skipped: str | None = None

    def skip(self, reason: str) -> SynthResult:
        """Record why synth did not run (also as a note)."""
        self.skipped = reason
        self.notes.append(f"synth skipped: {reason}")
        return self


def _environment(project: Project, stack: str, venv: Path | None) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in _SCRUBBED_ENV and not k.startswith("PULUMI_CONFIG")}
    env["PULUMI_CONFIG"], env["PULUMI_CONFIG_SECRET_KEYS"] = project.host_config(stack)
    env["PYTHONDONTWRITEBYTECODE"] = "1"  # keep the project folder clean; no effect on imports
    env["PYTHONUNBUFFERED"] = "1"
    # Local packages the project installs (`-e ./packages/naming`): an editable install puts their folder on
    # sys.path; without a virtualenv holding them, PYTHONPATH does the same.
    folders = sorted({str(i.folder) for i in project.installed_packages.values() if i.folder is not None})
    if folders:
        env["PYTHONPATH"] = os.pathsep.join(folders)
    if venv is not None:  # an activated environment, as the pip toolchain runs it
        env["VIRTUAL_ENV"] = str(venv)
        env["PATH"] = str(venv / "bin") + os.pathsep + env.get("PATH", "")
    return env


def run_synth(project: Project, *, stack: str, timeout: float = 120.0, python: str | None = None,
              sdk_usages: list[dict[str, Any]] | None = None) -> SynthResult:
    """Run the program under mocks and return the record, or TAP010 on any failure."""
    return run_synth_stacks(project, [stack], timeout=timeout, python=python, sdk_usages=sdk_usages)[stack]


# Python's words for a module another thread is still executing (CPython's moduleobject.c and import.c). The
# mocks answer the engine's calls on the SDK's worker threads, as the engine's RPCs arrive there, and reading a
# declared type can load an SDK module lazily (pulumi's ``_utils.lazy_import``, Python's ``LazyLoader``), which
# before Python 3.12 is not thread-safe (https://github.com/python/cpython/issues/114763): the program's thread may
# then see that module half-loaded. Such a run is made once more: a race does not repeat, while a circular import
# of the program's own fails the same way again and is reported.
_PARTLY_IMPORTED = re.compile(r"most likely due to a circular import|partially initialized module")


def run_synth_stacks(project: Project, stacks: list[str], *, timeout: float = 120.0, python: str | None = None,
                     sdk_usages: list[dict[str, Any]] | None = None, retried: bool = False
                     ) -> dict[str, SynthResult]:
    """Run the program under mocks once per stack, in one interpreter, and return ``{stack: SynthResult}`` in
    the order given. Each result is the one ``run_synth`` gives for that stack alone; the interpreter and the SDK
    are started once, so N stacks cost one start-up plus N program runs. ``timeout`` (seconds) is per stack. A run
    that failed on a module another thread was still loading is made once more (``_PARTLY_IMPORTED``)."""
    stacks = list(dict.fromkeys(stacks))
    layout = project.layout
    if layout.entry is None:  # TAP002 already says why; there is nothing to run
        return {s: SynthResult().skip("the entry point does not exist (see TAP002)") for s in stacks}
    if not stacks:
        return {}
    interpreter = choose_interpreter(project, python)
    job = {"project": project.name or "project", "stack": stacks[0], "pwd": str(layout.pwd),
           "program": layout.program, "root": str(project.root), "package_dir": str(PACKAGE_DIR),
           "sdk_usages": sdk_usages or None,
           "stacks": [{"stack": s, "env": dict(zip(("PULUMI_CONFIG", "PULUMI_CONFIG_SECRET_KEYS"),
                                                   project.host_config(s), strict=True))} for s in stacks]}
    entry_rel = project.rel(layout.entry)
    with tempfile.TemporaryDirectory(prefix="tapcheck-") as tmp:
        job_path, out_path = Path(tmp) / "job.json", Path(tmp) / "out.json"
        job_path.write_text(json.dumps(job), encoding="utf-8")
        failed: Finding | None = None
        try:
            proc = subprocess.run(
                [interpreter.python, str(RUNNER), str(job_path), str(out_path)], cwd=str(layout.pwd),
                env=_environment(project, stacks[0], interpreter.venv), capture_output=True, text=True,
                timeout=timeout * len(stacks), check=False, stdin=subprocess.DEVNULL,
            )
        except subprocess.TimeoutExpired:
            failed = finding("TAP010", entry_rel, 1, f"the program did not finish within {timeout:g} s under mocks",
                             "Look for loops or blocking calls at import time (network, input()); raise --timeout "
                             "if the program is just large.")
        except OSError as exc:
            return {s: SynthResult().skip(f"cannot start {interpreter.python} ({interpreter.why}): {exc.strerror}")
                    for s in stacks}
        else:
            if not out_path.is_file():
                tail = (proc.stderr or proc.stdout or "").strip().splitlines()[-1:] or [
                    f"exit code {proc.returncode}"]
                failed = finding("TAP010", entry_rel, 1, f"the program crashed the runner: {tail[0]}")
        raws = [] if failed else json.loads(out_path.read_text(encoding="utf-8"))["stacks"]
    if not retried and any(_PARTLY_IMPORTED.search(str((raw.get("error") or {}).get("message", ""))) for raw in raws):
        return run_synth_stacks(project, stacks, timeout=timeout, python=python, sdk_usages=sdk_usages, retried=True)
    results = {}
    for index, stack in enumerate(stacks):
        result = SynthResult()
        if interpreter.note:
            result.notes.append(interpreter.note)
        if failed is not None:
            result.findings.append(failed)
        else:
            _read_record(project, stack, raws[index], interpreter, result)
        results[stack] = result
    return results


def synth_stacks(path: str | os.PathLike[str], stacks: list[str] | None = None, *, timeout: float = 120.0,
                 python: str | None = None) -> dict[str, SynthResult]:
    """Synth the Pulumi project at ``path`` for each of ``stacks`` (default: every ``Pulumi.<stack>.yaml``, sorted)
    in one interpreter: ``{stack: SynthResult}``, whose ``record`` is what ``python -m tapcheck PATH --stack STACK
    --synth-out FILE`` writes and whose ``findings`` are the program's failures (TAP010). For test suites that
    read every stack's record: the SDK is imported once instead of once per stack."""
    project = Project(Path(path))
    return run_synth_stacks(project, sorted(project.stacks) if stacks is None else stacks, timeout=timeout,
                            python=python)


def _read_record(project: Project, stack: str, raw: dict[str, Any], interpreter: Interpreter,
                 result: SynthResult) -> None:
    """Fill ``result`` from the runner's record for one stack: notes, TAP010 for the program's error, the record."""
    if raw.get("status") == "no-pulumi":
        result.skip(f"{interpreter.python} ({interpreter.why}) cannot import pulumi "
                    f"({raw['error']['message']}); install the project's dependencies or pass --python")
        return
    result.sdk_findings = raw.pop("sdk_findings", None)
    result.notes += [str(note) for note in raw.get("notes") or []]
    result.notes += _unexpanded_notes(raw.get("unexpanded") or [])
    result.notes += [_stack_reference_note(project, ref) for ref in raw.get("stack_references") or []]
    error = raw.get("error")
    if error:
        explained = explain_error(project, stack, error, interpreter)
        if explained.unfinished:  # the environment, not the project: synth could not run the program through
            result.skipped = explained.unfinished
        if explained.note:
            result.notes.append(explained.note)
        else:
            result.findings.append(finding("TAP010", explained.path, explained.line, explained.message,
                                           explained.fix))
    result.record = _record(project, raw)


# Rules that read the resources under a component: a component the mocks could not expand hides them from every
# rule that reads the synth record; these are the ones whose findings a reader would miss first.
_CHILD_RULES = "graph rules such as TAP015 (duplicate names), TAP021 (flow logs), TAP029 (tags) and TAP030 (subnets)"


def _unexpanded_notes(unexpanded: list[dict[str, Any]]) -> list[str]:
    if not unexpanded:
        return []
    named = ", ".join(f"{u.get('type')} '{u.get('name')}'" for u in unexpanded[:5])
    more = f" and {len(unexpanded) - 5} more" if len(unexpanded) > 5 else ""
    return [f"{len(unexpanded)} component{'s' if len(unexpanded) != 1 else ''} could not be expanded under mocks "
            f"({named}{more}): {_CHILD_RULES} did not see their child resources"]


def _stack_reference_note(project: Project, ref: dict[str, Any]) -> str:
    """What synth could not check because of one ``pulumi.StackReference``: another stack's outputs are not knowable
    offline, so the mocks answer them as unknown (``tapcheck.mocks.unknown``) and the SDK skips the callbacks applied
    to them (``Output.apply`` in pulumi/pulumi ``sdk/python/lib/pulumi/output.py``; stack references:
    https://www.pulumi.com/docs/iac/concepts/stacks/#stackreferences)."""
    site = ref.get("site") or {}
    about = [f"stack '{ref.get('stack')}'"] if ref.get("stack") != ref.get("name") else []
    about += [f"{project.rel(site['path'])}:{site.get('line') or 1}"] if site.get("path") else []
    outputs = ref.get("outputs") or []
    read = f"the outputs it reads ({', '.join(outputs)})" if outputs else "its outputs"
    context = f" ({', '.join(about)})" if about else ""
    return (f"StackReference '{ref.get('name')}'{context}: {read} come from "
            "another stack and cannot be known offline; synth took them as unknown, the way a preview takes a value "
            "that is not known yet, so code applied to them (apply, Output.all, Output.concat, Output.format) did "
            "not run, and the resources it would create and the inputs and exports they feed were not checked")


# ----- TAP010: the program's error, told where it is and what to do -----------------------------------------------
_CONFIG_MISSING = re.compile(r"Missing required configuration variable '([^']+)'")
_CONFIG_TYPE = re.compile(r"Configuration '([^']+)' value '(.*)' is not a valid '([^']+)'")
_NO_MODULE = re.compile(r"No module named '([^']+)'")
# Import names that differ from the distribution that provides them (the common ones in infrastructure repos).
_DISTRIBUTIONS = {"yaml": "pyyaml", "dateutil": "python-dateutil", "dotenv": "python-dotenv", "jwt": "pyjwt",
                  "attr": "attrs", "PIL": "pillow", "bs4": "beautifulsoup4", "OpenSSL": "pyopenssl",
                  "Crypto": "pycryptodome", "google": "protobuf", "grpc": "grpcio"}


@dataclass
class _Explained:
    """A runner error as one TAP010 finding (path, line, message, fix) or, when the project is not at fault or
    the checker cannot tell, a ``note``; ``unfinished`` says why synth could not run the program through when the
    checker's environment is to blame (``--strict`` fails on it)."""

    path: str
    line: int
    message: str
    fix: str | None = None
    note: str | None = None
    unfinished: str | None = None


def _full_text(error: dict[str, Any]) -> str:
    """``Type: message`` on one line, whitespace collapsed. A runner that sends no ``type`` sent only the
    exception's last line as ``message``; the full text then ends its traceback."""
    message = " ".join(str(error.get("message") or "").split())
    kind = error.get("type")
    if kind:  # the message normally starts with the (qualified) type already: pulumi.config.ConfigMissingError: ...
        head = message.split(":", 1)[0]
        return message if head == kind or head.endswith(f".{kind}") else f"{kind}: {message}"
    tail = str(error.get("traceback") or "").rstrip()
    if message and tail.endswith(str(error.get("message")).strip()):
        lines = tail.splitlines()
        start = max((i for i, text in enumerate(lines) if text.startswith("  ")), default=-1) + 1
        return " ".join(" ".join(lines[start:]).split()) or message
    return message


def explain_error(project: Project, stack: str, error: dict[str, Any], interpreter: Interpreter) -> _Explained:
    """Turn the runner's ``error`` (``type``, ``message``, ``location``, ``traceback``, optional ``created_at`` and
    ``fed``) into one clean TAP010 line at the project line it concerns, or a note when the checker cannot tell
    (config that an ESC environment may provide)."""
    text = _full_text(error)
    everything = f"{text} {error.get('traceback') or ''}"
    location = error.get("location") or error.get("created_at") or {}
    entry_rel = project.rel(project.layout.entry) if project.layout.entry else project.project_file_rel
    path = project.rel(location["path"]) if location.get("path") else entry_rel
    line = int(location.get("line") or 1)
    config = _CONFIG_MISSING.search(everything)
    if config:
        return _missing_config(project, stack, config.group(1), path=path, line=line, text=everything)
    typed = _CONFIG_TYPE.search(text)
    if typed:
        return _config_type(project, stack, typed.groups(), path=path, line=line)
    mismatch = _sdk_mismatch(project, error, text=text, path=path, line=line, interpreter=interpreter)
    if mismatch:
        return mismatch
    module = _NO_MODULE.search(text)
    if module:
        return _missing_module(project, module.group(1), text=text, path=path, line=line, interpreter=interpreter)
    message = f"the program fails under the language host ({_how(project)}): {text}"
    fix = "Fix the error at the line shown, then run `python -m tapcheck .` again."
    unset = _unset_config_suspects(project, error, path) if "NoneType" in text else []
    if unset:
        stack_file = project.stacks.get(stack)
        where = project.rel(stack_file.path) if stack_file else f"no Pulumi.{stack}.yaml exists"
        message += (f" (config {', '.join(repr(k) for k, _ in unset)}, read at {', '.join(w for _, w in unset)}, "
                    f"{'is' if len(unset) == 1 else 'are'} not set for stack '{stack}' ({where}); "
                    f"Config.get returns None for an unset key)")
        fix = (f"Set it (`pulumi config set {unset[0][0]} <value> --stack {stack}`), or give the read a default, "
               "or use `require` so that a missing value is named.")
    fed, created = error.get("fed"), error.get("created_at")
    if fed or created:
        where = f"{project.rel(created['path'])}:{created.get('line') or 1}" if created and created.get("path") \
            else None
        parts = [f"its result feeds {fed}" if fed else "", f"the Output was created at {where}" if where else ""]
        message += f" (raised inside an apply; {'; '.join(p for p in parts if p)})"
    return _Explained(path, line, message, fix)


def _unset_config_suspects(project: Project, error: dict[str, Any], path: str) -> list[tuple[str, str]]:
    """Config keys the program read that are not set, read in the failing file (up to three), as ``(key shown,
    "file:line")``: an error on None there is likely one of them."""
    suspects = []
    for key, site in (error.get("unset_config") or {}).items():
        if not site or not site.get("path") or project.rel(site["path"]) != path:
            continue
        namespace, _, bare = key.rpartition(":")
        suspects.append((bare if namespace == project.name else key, f"{path}:{site.get('line') or 1}"))
    return suspects[:3]


def _how(project: Project) -> str:
    layout = project.layout
    return f"cwd {project.rel(layout.pwd) or '.'}, run_path({layout.program!r})"


def _missing_config(project: Project, stack: str, key: str, *, path: str, line: int, text: str) -> _Explained:
    """``config.require`` of a key that neither the stack file nor Pulumi.yaml sets (the SDK's
    ``ConfigMissingError``; https://www.pulumi.com/docs/iac/concepts/config/)."""
    namespace, _, bare = key.rpartition(":")
    shown = bare if namespace == project.name else key
    stack_file = project.stacks.get(stack)
    stack_rel = project.rel(stack_file.path if stack_file else project.stack_dir / f"Pulumi.{stack}.yaml")
    source = project.source(project.root / path) if path.endswith(".py") else None
    program_line = source.lines[line - 1] if source and 0 < line <= len(source.lines) else ""
    secret = "--secret" in text or "require_secret" in program_line
    environments = stack_file.environments if stack_file else []
    if environments:
        plural = "s" if len(environments) > 1 else ""
        return _Explained(path, line, "", note=(
            f"config '{shown}' is not in {stack_rel}; it may come from the Pulumi ESC environment{plural} "
            f"{', '.join(environments)} that {stack_rel} imports, which the checker cannot read: the program stopped "
            f"at {path}:{line}, so synth saw only what it built before that line"))
    where = f"{stack_rel} does not set it{_near_miss(project, stack_file, key)}" if stack_file \
        else f"there is no {stack_rel}"
    message = (f"config '{shown}' is required but not set for stack '{stack}': {where} and Pulumi.yaml gives no "
               f"default (Missing required configuration variable '{key}')")
    command = f"pulumi config set{' --secret' if secret else ''} {shown} <value> --stack {stack}"
    fix = (f"Run `{command}` (it writes `{shown}` under `config:` in {stack_rel}), or declare a default in "
           f"Pulumi.yaml (`config: {{{shown}: {{default: ...}}}}`).")
    if not path.endswith(".py"):  # no project frame: point at the stack file's config block
        path, line = stack_rel, stack_file.doc.line("config") if stack_file and stack_file.doc else 1
    return _Explained(path, line, message, fix)


def _near_miss(project: Project, stack_file: StackFile, key: str) -> str:
    """`` (it sets 'old:targetDomain', in another namespace)`` when the stack file holds the key under another
    project name or in another spelling; empty otherwise."""
    namespace, _, bare = key.rpartition(":")
    written = {project.namespaced(str(k)): str(k) for k in stack_file.config}
    same_name = [w for full, w in written.items() if full.rpartition(":")[2] == bare and full != key]
    if same_name:
        return f" (it sets '{same_name[0]}', in another namespace than '{namespace}')"
    close = difflib.get_close_matches(bare.lower(), [full.rpartition(":")[2].lower() for full in written], n=1,
                                      cutoff=0.8)
    if close:
        spelled = next(w for full, w in written.items() if full.rpartition(":")[2].lower() == close[0])
        return f" (it sets '{spelled}': config keys are case-sensitive and spelled exactly)"
    return ""


def _config_type(project: Project, stack: str, found: tuple[str, ...], *, path: str, line: int) -> _Explained:
    """``require_bool``/``require_int``/... on a value of another type (the SDK's ``ConfigTypeError``). Stack files
    are YAML 1.2, so ``yes``/``no``/``on``/``off`` are strings, not booleans."""
    key, value, expected = found
    namespace, _, bare = key.rpartition(":")
    shown = bare if namespace == project.name else key
    stack_file = project.stacks.get(stack)
    where = project.rel(stack_file.path) if stack_file else "Pulumi.yaml"
    hint = " (YAML 1.2, as Pulumi reads it: only true/false are booleans)" if expected == "bool" else ""
    example = {"bool": "true or false", "int": "a whole number such as 3", "float": "a number such as 0.5",
               "JSON object": "a map or a JSON object string"}.get(expected, f"a {expected}")
    message = (f"config '{shown}' for stack '{stack}' is '{value}', which is not a valid {expected}{hint}: "
               f"Configuration '{key}' value '{value}' is not a valid '{expected}'")
    fix = f"Set `{shown}` in {where} to {example} (`pulumi config set {shown} <value> --stack {stack}`)."
    return _Explained(path, line, message, fix)


def _missing_module(project: Project, module: str, *, text: str, path: str, line: int,
                    interpreter: Interpreter) -> _Explained:
    """A project module the host's sys.path cannot reach (a layout fault), or a package the interpreter lacks."""
    top = module.split(".", maxsplit=1)[0]
    installed = project.installed_packages.get(top)
    if top in local_names(project) and installed is None:
        if project.main:
            fix = (f"{project.main_behaviour()}, so '{top}' does not resolve: remove `main` and put `__main__.py` "
                   "at the project root.")
        else:
            fix = "Import project modules by their path from the program folder (the only project folder on sys.path)."
        return _Explained(path, line, f"the program fails under the language host ({_how(project)}): {text}", fix)
    listed = [installed.by] if installed else requirement_files(project, top)
    ran = f"{interpreter.python} ({interpreter.why}), which cannot import '{top}'"
    if listed:  # the project declares it: the environment lacks it, the program is not at fault
        lists = f"{' and '.join(listed)} list{'s' if len(listed) == 1 else ''} it"
        unfinished = f"{text} at {path}:{line}: synth ran {ran}; {lists}"
        return _Explained(path, line, "", note=(
            f"synth stopped: {unfinished}. Install the project's dependencies into the environment Pulumi uses "
            f"(`pulumi install`, or `pip install -r {listed[0]}`) or pass `--python` with that environment's "
            "interpreter; rules that need the whole program saw only what it built before that line"),
            unfinished=unfinished)
    message = f"{text}: the program ran with {ran}; no requirements file of the project lists it"
    fix = (f"Add the package that provides '{top}' to the project's requirements (requirements.txt or "
           "pyproject.toml) and install it, or pass `--python` with an interpreter that has it.")
    return _Explained(path, line, message, fix)


# Migration guides of pulumi-aws majors (https://www.pulumi.com/registry/packages/aws/how-to-guides/); other
# providers' changes are on their registry page.
_MIGRATION_GUIDES = {("pulumi-aws", major): f"https://www.pulumi.com/registry/packages/aws/how-to-guides/{major}-0-migration/"
                     for major in (6, 7)}


def _sdk_mismatch(project: Project, error: dict[str, Any], *, text: str, path: str, line: int,
                  interpreter: Interpreter) -> _Explained | None:
    """An error raised in or about a provider SDK (``error["sdk"]``: TypeError, AttributeError, ImportError) while
    the installed version of that SDK is not the one the project declares (``Project.declared_requirements``):
    the program was written for another version, so the environment is at fault, as with a missing module. A
    note, and synth counts as not run (``--strict`` fails). None when every implicated SDK fits its declaration."""
    if not error.get("sdk"):
        return None
    # pylint: disable-next=import-outside-toplevel
    from packaging.specifiers import InvalidSpecifier, SpecifierSet  # noqa: PLC0415  # only on this path
    from packaging.version import InvalidVersion, Version  # noqa: PLC0415  # pylint: disable=import-outside-toplevel

    for sdk in error.get("sdk") or []:
        name, installed = _canonical(str(sdk.get("distribution"))), str(sdk.get("version"))
        declared = project.declared_requirements.get(name)
        if declared is None:
            continue
        try:
            if SpecifierSet(declared.specifier).contains(installed, prereleases=True):
                continue
            major = Version(installed).major
        except (InvalidSpecifier, InvalidVersion):
            continue
        guide = _MIGRATION_GUIDES.get((name, major)) or \
            f"https://www.pulumi.com/registry/packages/{name.removeprefix('pulumi-')}/"
        unfinished = (f"{text} at {path}:{line}: synth ran {interpreter.python} ({interpreter.why}), which has "
                      f"{name} {installed}, while {declared.file} declares {name}{declared.specifier}")
        return _Explained(path, line, "", note=(
            f"synth stopped: {unfinished}; the program was written for that version. Install the declared version "
            f"(or pass `--python` with an interpreter that has it), or port the call to {name} {major} ({guide}); "
            "rules that need the whole program saw only what it built before that line"), unfinished=unfinished)
    return None


def _canonical(name: str) -> str:
    """PEP 503 normalized distribution name."""
    return re.sub(r"[-_.]+", "-", name).lower()


_REQUIREMENT = re.compile(r"^[\s\"']*([A-Za-z0-9][A-Za-z0-9._-]*)", re.MULTILINE)


def requirement_files(project: Project, module: str) -> list[str]:
    """The project's requirement files (``requirements*.txt``, ``pyproject.toml``, ``Pipfile``) that name the
    distribution providing import name ``module`` (``pulumi_awsx`` -> ``pulumi-awsx``), project-relative.

    A line-start match is enough: requirement lines, TOML array items and TOML keys all start with the name."""
    wanted = {_canonical(module), _canonical(_DISTRIBUTIONS.get(module, module))}
    candidates = [*sorted(project.root.glob("requirements*.txt")), project.root / "pyproject.toml",
                  project.root / "Pipfile"]
    found: list[str] = []
    for path in candidates:
        text = read_text(path) if path.is_file() else None
        if text is not None and wanted & {_canonical(m) for m in _REQUIREMENT.findall(text)}:
            found.append(project.rel(path))
    return found


def _sorted(value: Any) -> Any:
    """``value`` with every map's keys in sorted order: the engine's property maps arrive in no fixed order, and the
    same program must give the same record (and JSON output) on every run."""
    if isinstance(value, dict):
        return {key: _sorted(value[key]) for key in sorted(value, key=str)}
    if isinstance(value, list):
        return [_sorted(item) for item in value]
    return value


def _record(project: Project, raw: dict[str, Any]) -> dict[str, Any]:
    """Shape the runner's output: paths relative to the project, sites as ``{"path","line"}``, property maps in
    sorted key order."""

    def site(value: Any) -> dict[str, Any] | None:
        if isinstance(value, dict) and value.get("path"):
            return {"path": project.rel(value["path"]), "line": int(value.get("line") or 1)}
        return None

    resources = []
    for res in raw.get("resources", []):
        res["site"] = site(res.get("site"))
        for key in ("inputs", "outputs", "property_dependencies"):
            if key in res:
                res[key] = _sorted(res[key])
        resources.append(res)
    exports = {}
    for name, exp in (raw.get("exports") or {}).items():
        exp["site"] = site(exp.get("site"))
        exports[name] = exp
    return {"stack": raw.get("stack"), "project": raw.get("project"), "ok": raw.get("status") == "ok",
            "error": (raw.get("error") or {}).get("message"), "resources": resources, "exports": exports,
            "asset_sites": {k: site(v) for k, v in (raw.get("asset_sites") or {}).items()},
            "unexpanded": list(raw.get("unexpanded") or []), "provided": list(raw.get("provided") or []),
            "stack_references": [{**ref, "site": site(ref.get("site"))} for ref in raw.get("stack_references") or []]}
