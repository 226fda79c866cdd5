"""Loading a Pulumi Python project the way Pulumi does: Pulumi.yaml, stack files, entry point, sources.

Everything here is read-only and cached on the ``Project`` object, so that the rules share one parse of
each file. Line numbers come from :mod:`tapcheck.yamlloc` for YAML and from ``ast`` for Python.
"""

from __future__ import annotations

import ast
import difflib
import fnmatch
import json
import os
import re
import sys
import tomllib
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Any, NamedTuple

from .selection import Selection, SelectionError, resolve
from .yamlloc import YamlDoc, YamlError, load_yaml

PROJECT_FILES = ("Pulumi.yaml", "Pulumi.yml")
UNREADABLE = "the file is not readable UTF-8 text"  # a project or stack file's load error when it is not text
DEFAULT_REQUIRED_TAGS = ("Owner", "CostCenter")
# Folders never scanned: tooling caches, virtual environments, build output, dependencies.
SKIP_DIRS = frozenset({
    ".git", ".hg", ".svn", ".venv", "venv", "env", ".env", "__pycache__", "node_modules", ".tox", ".nox",
    ".mypy_cache", ".pytest_cache", ".ruff_cache", "build", "dist", ".eggs", "site-packages", ".pulumi",
    "cdk.out", ".idea", ".vscode", "htmlcov", ".tap-template-backup",
})
_OWN_PACKAGE = Path(__file__).resolve().parent


class ProjectError(Exception):
    """The path cannot be checked at all (not a folder, unreadable, an unknown ``--stack``): the CLI exits 2."""


@dataclass
class Settings:
    """``[tool.tapcheck]`` in the project's pyproject.toml.

    ``select`` (None: the default groups), ``extend_select``, ``ignore`` and ``severity`` (selector -> ``error`` or
    ``warning``) are rule selectors as :mod:`tapcheck.selection` reads them; ``exclude`` holds globs of project
    paths never read; ``required_tags`` the cost-allocation tag keys TAP029 asks for; ``policy_packs`` the Pulumi policy
    pack folders (relative to the project root) TAP060 evaluates."""

    required_tags: tuple[str, ...] = DEFAULT_REQUIRED_TAGS
    select: tuple[str, ...] | None = None
    extend_select: tuple[str, ...] = ()
    ignore: tuple[str, ...] = ()
    severity: dict[str, str] = field(default_factory=dict)
    exclude: tuple[str, ...] = ()
    policy_packs: tuple[str, ...] = ()

    def selection(self, *, select: Sequence[str] | None = None, extend_select: Sequence[str] = (),
                  ignore: Sequence[str] = ()) -> Selection:
        """The resolved rule set with the CLI's options on top, as ruff layers them: ``select`` replaces the
        settings' select and extend-select, ``extend_select`` and ``ignore`` add to theirs. Raises
        :class:`tapcheck.selection.SelectionError` for an unknown selector."""
        if select is not None:
            return resolve(select, extend_select, (*self.ignore, *ignore), self.severity)
        return resolve(self.select, (*self.extend_select, *extend_select), (*self.ignore, *ignore), self.severity)


@dataclass
class StackFile:
    """One ``Pulumi.<stack>.yaml``; ``doc`` is None when it could not be parsed (``error`` says why)."""

    name: str
    path: Path
    doc: YamlDoc | None = None
    error: YamlError | None = None

    @property
    def config(self) -> dict[str, Any]:
        """The raw ``config:`` map (keys as written)."""
        data = self.doc.data if self.doc else None
        config = data.get("config") if isinstance(data, dict) else None
        return config if isinstance(config, dict) else {}

    @property
    def environments(self) -> list[str]:
        """Pulumi ESC environments the stack imports (``environment: [project/env, ...]``, or the
        ``environment: {imports: [...]}`` form); their values become config the checker cannot read
        (https://www.pulumi.com/docs/esc/integrations/infrastructure/pulumi-iac/)."""
        data = self.doc.data if self.doc else None
        imports = data.get("environment") if isinstance(data, dict) else None
        if isinstance(imports, dict):
            imports = imports.get("imports")
        if isinstance(imports, str):
            imports = [imports]
        if not isinstance(imports, list):
            return []
        return [str(next(iter(i))) if isinstance(i, dict) and i else str(i) for i in imports if i]


@dataclass(frozen=True)
class LocalInstall:
    """A package the project's requirement files install: ``by`` the file (project-relative) and ``folder``, the
    sys.path entry the install adds (None when it is not in this checkout, e.g. a git URL's ``#egg=``)."""

    by: str
    folder: Path | None


@dataclass
class Layout:
    """How the language host runs the program: working folder, argv[0], and the file it runs (``getPwdMain`` in
    pulumi/pulumi pkg/engine/project.go)."""

    pwd: Path
    program: str
    entry: Path | None
    is_dir: bool
    error: str | None = None


@dataclass
class PySource:
    """A parsed Python file: text, lines and AST (None when it does not parse)."""

    path: Path
    text: str
    tree: ast.Module | None
    lines: list[str] = field(default_factory=list)

    @cached_property
    def nodes(self) -> list[ast.AST]:
        """Every AST node, walked once and shared by all rules (the static rules' main cost)."""
        return list(ast.walk(self.tree)) if self.tree is not None else []


def normalize_tag(key: str) -> str:
    """Tag keys compare case-insensitively, ignoring ``-`` and ``_`` (``cost-center`` == ``CostCenter``)."""
    return key.replace("-", "").replace("_", "").lower()


def read_text(path: Path) -> str | None:
    """Read a text file as UTF-8; None when it is missing or not text."""
    try:
        return path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        return None


class Project:
    """A project folder, loaded lazily and cached."""

    def __init__(self, root: Path | str, stack: str | None = None) -> None:
        path = Path(root)
        if not path.exists():
            raise ProjectError(f"no such folder: {root}")
        if not path.is_dir():
            raise ProjectError(f"not a folder: {root}")
        try:
            next(path.iterdir(), None)
        except OSError as exc:
            raise ProjectError(f"cannot read {root}: {exc.strerror}") from exc
        self.root = path.resolve()
        self._requested_stack = stack
        self._sources: dict[Path, PySource | None] = {}
        self._rel: dict[str, str] = {}
        self.project_file: Path | None = None
        self.doc: YamlDoc | None = None
        self.load_error: YamlError | None = None
        for name in PROJECT_FILES:
            candidate = self.root / name
            if candidate.is_file():
                self.project_file = candidate
                break
        if self.project_file is not None:
            text = read_text(self.project_file)
            if text is None:
                self.load_error = YamlError(UNREADABLE, 1)
            else:
                try:
                    self.doc = load_yaml(text)
                except YamlError as exc:
                    self.load_error = exc

    # ----- paths -----------------------------------------------------------------------------------------
    def rel(self, path: Path | str) -> str:
        """Path relative to the project root, POSIX style (absolute when outside the project)."""
        key = str(path)
        if key not in self._rel:
            self._rel[key] = self._relative(path)
        return self._rel[key]

    def _relative(self, path: Path | str) -> str:
        target = Path(path)
        if not target.is_absolute():
            target = self.root / target
        try:
            return target.resolve().relative_to(self.root).as_posix()
        except ValueError:
            return target.as_posix()

    @property
    def project_file_rel(self) -> str:
        """``Pulumi.yaml`` (or ``Pulumi.yml``) as a relative path, for findings."""
        return self.project_file.name if self.project_file else "Pulumi.yaml"

    # ----- Pulumi.yaml -----------------------------------------------------------------------------------
    @property
    def data(self) -> dict[str, Any]:
        """Pulumi.yaml as a mapping (empty when missing or not a mapping)."""
        data = self.doc.data if self.doc else None
        return data if isinstance(data, dict) else {}

    @property
    def name(self) -> str | None:
        """The project name when it is a non-empty string."""
        name = self.data.get("name")
        return name if isinstance(name, str) and name.strip() else None

    @property
    def runtime_name(self) -> str | None:
        """``runtime`` or ``runtime.name``."""
        runtime = self.data.get("runtime")
        if isinstance(runtime, dict):
            runtime = runtime.get("name")
        return runtime if isinstance(runtime, str) else None

    @property
    def runtime_options(self) -> dict[str, Any]:
        """``runtime.options`` (empty when absent)."""
        runtime = self.data.get("runtime")
        options = runtime.get("options") if isinstance(runtime, dict) else None
        return options if isinstance(options, dict) else {}

    @property
    def main(self) -> str | None:
        """The ``main`` entry when set to a non-empty string."""
        main = self.data.get("main")
        return main if isinstance(main, str) and main.strip() else None

    @property
    def config_block(self) -> dict[str, Any]:
        """The Pulumi.yaml ``config:`` map (empty when it is the deprecated string form)."""
        config = self.data.get("config")
        return config if isinstance(config, dict) else {}

    def is_project_key(self, key: str) -> bool:
        """A key is namespaced by the project iff it has no ``:`` or starts with ``<project>:`` (Pulumi's
        ``Project.Validate``, https://github.com/pulumi/pulumi/blob/master/sdk/go/common/workspace/project.go)."""
        return ":" not in key or (self.name is not None and key.startswith(self.name + ":"))

    # ----- layout ----------------------------------------------------------------------------------------
    @cached_property
    def layout(self) -> Layout:
        """``getPwdMain`` from the engine (pulumi/pulumi pkg/engine/project.go)."""
        main = self.main
        if main is None:
            entry = self.root / "__main__.py"
            return Layout(self.root, ".", entry if entry.is_file() else None, True,
                          None if entry.is_file() else "no `main` in Pulumi.yaml and no `__main__.py` at the "
                                                        "project root")
        target = Path(main).expanduser()
        if not target.is_absolute():
            target = self.root / target
        if not target.exists():
            return Layout(self.root, ".", None, True, f"project 'main' could not be read: `{main}` does not exist")
        if target.is_dir():
            entry = target / "__main__.py"
            if not entry.is_file():
                return Layout(target, ".", None, True,
                              f"unable to find main python program `__main__.py` in `{self.rel(target)}`")
            return Layout(target, ".", entry, True)
        return Layout(target.parent, target.name, target, False)

    def main_behaviour(self) -> str:
        """What Pulumi does with this project's ``main``, in one sentence for messages: a folder is run as its
        ``__main__.py`` with that folder as working folder and the only project folder on sys.path; a file is run
        by path with no project folder on sys.path (the ``main`` attribute,
        https://www.pulumi.com/docs/iac/concepts/projects/project-file/; ``getPwdMain`` in pulumi/pulumi
        pkg/engine/project.go; pulumi-language-python-exec runs ``runpy.run_path(main)``)."""
        main, layout = self.main, self.layout
        if main is None:
            return "with no `main`, Pulumi runs `__main__.py` at the project root, with the root on sys.path"
        if layout.entry is None:
            return f"`main: {main}` names no runnable program ({layout.error})"
        folder = self.rel(layout.pwd) or "."
        if not layout.is_dir:
            return f"`main: {main}` is a file: Pulumi runs it by path, with no project folder on sys.path"
        if folder == ".":
            return f"`main: {main}` is the project root: Pulumi runs `__main__.py` there, with the root on sys.path"
        return (f"`main: {main}` is a folder: Pulumi runs `{folder}/__main__.py` with `{folder}/` as the only project "
                "folder on sys.path")

    def host_sys_path(self) -> list[Path]:
        """Project folders on sys.path under the language host (``runpy.run_path`` as pulumi-language-python-exec
        calls it): the program folder for a folder
        entry point (``run_path('.')`` inserts ``.`` = pwd), none at all for a file entry point."""
        layout = self.layout
        return [layout.pwd] if layout.is_dir else []

    # ----- settings --------------------------------------------------------------------------------------
    @cached_property
    def pyproject(self) -> dict[str, Any] | None:
        """The project's pyproject.toml, parsed (None when absent or invalid)."""
        text = read_text(self.root / "pyproject.toml")
        if text is None:
            return None
        try:
            return tomllib.loads(text)
        except tomllib.TOMLDecodeError:
            return None

    @cached_property
    def settings(self) -> Settings:
        """``[tool.tapcheck]``: required-tags, select, extend-select, ignore, severity, exclude, policy-packs.

        Raises :class:`tapcheck.selection.SelectionError` for a key it does not know (naming the closest known
        one) and when a setting has the wrong shape (a list setting that is not a list of strings, a severity that
        is not a table)."""
        table = ((self.pyproject or {}).get("tool") or {}).get("tapcheck") or {}
        if not isinstance(table, dict):
            raise SelectionError(f"[tool.tapcheck]: expected a table, got {table!r}")
        for key in table:
            if str(key).replace("_", "-") not in SETTING_KEYS:
                close = difflib.get_close_matches(str(key).replace("_", "-"), SETTING_KEYS, n=1)
                hint = f" (did you mean '{close[0]}'?)" if close else ""
                raise SelectionError(f"[tool.tapcheck] unknown key '{key}'{hint}; known keys: "
                                     f"{', '.join(sorted(SETTING_KEYS))}")
        select = _setting(table, "select")
        severity = table.get("severity") or {}
        if not isinstance(severity, dict):
            raise SelectionError("[tool.tapcheck] severity: expected a table such as { security = \"error\" }")
        return Settings(
            required_tags=tuple(_setting(table, "required-tags")) if "required-tags" in table
            or "required_tags" in table else DEFAULT_REQUIRED_TAGS,
            select=tuple(select) if "select" in table else None,
            extend_select=tuple(_setting(table, "extend-select")),
            ignore=tuple(_setting(table, "ignore")),
            severity={str(k): str(v).lower() for k, v in severity.items()},
            exclude=tuple(_setting(table, "exclude")),
            policy_packs=tuple(_setting(table, "policy-packs")),
        )

    @cached_property
    def installed_packages(self) -> dict[str, LocalInstall]:
        """Top-level import names that the project's own requirement files install into its environment: local
        folders (``-e ./packages/naming``, ``./libs/x``, ``file:./x``, ``name @ file:///...``, Pipfile / Poetry /
        uv ``{path = "..."}``) give the packages and modules found in them (or in their ``src/``), and
        ``#egg=<name>`` gives ``<name>`` (``-e git+...#egg=pulumi_crds&subdirectory=...``). The Pulumi language
        host runs the program in the project's virtualenv, where ``pulumi install`` put them
        (https://www.pulumi.com/docs/iac/languages-sdks/python/)."""
        found: dict[str, LocalInstall] = {}
        for path, kind in [*((f, "txt") for f in sorted(self.root.glob("requirements*.txt"))),
                           (self.root / "pyproject.toml", "toml"), (self.root / "Pipfile", "toml")]:
            text = read_text(path) if path.is_file() else None
            if text is None:
                continue
            rel = self.rel(path)
            for location, egg in (_requirement_lines(text) if kind == "txt" else _toml_paths(text)):
                folder = (path.parent / location).resolve() if location else None
                for name, base in _importable_in(folder) if folder else []:
                    found.setdefault(name, LocalInstall(rel, base))
                if egg:
                    found.setdefault(egg.replace("-", "_").replace(".", "_"), LocalInstall(rel, None))
        if self._installs_itself():
            for name, base in _importable_in(self.root):
                found.setdefault(name, LocalInstall("pyproject.toml", base))
        return found

    @cached_property
    def declared_requirements(self) -> dict[str, DeclaredRequirement]:
        """The version each distribution must have, as the project's dependency files declare it, by PEP 503 name
        (``pulumi-aws`` -> ``>=3.2.0,<4.0.0`` from requirements.txt): ``requirements*.txt`` lines, pyproject.toml
        ``[project] dependencies`` (what ``uv sync`` and pip install, https://packaging.python.org/en/latest/
        specifications/pyproject-toml/#dependencies-optional-dependencies) and Pipfile ``[packages]``. The first
        file that names a distribution wins; names without a version, URLs and unparsable lines are left out."""
        found: dict[str, DeclaredRequirement] = {}
        for path in sorted(self.root.glob("requirements*.txt")):
            text = read_text(path) or ""
            for line in text.splitlines():
                _declare(found, line.split(" #", 1)[0].strip(), self.rel(path))
        for item in ((self.pyproject or {}).get("project") or {}).get("dependencies") or []:
            _declare(found, str(item), "pyproject.toml")
        pipfile = self.root / "Pipfile"
        text = read_text(pipfile) if pipfile.is_file() else None
        try:
            packages = (tomllib.loads(text).get("packages") or {}) if text else {}
        except tomllib.TOMLDecodeError:
            packages = {}
        for name, spec in packages.items():
            version = spec.get("version") if isinstance(spec, dict) else spec
            if isinstance(version, str) and version.strip() not in ("", "*"):
                _declare(found, f"{name}{version}", "Pipfile")
        return found

    def _installs_itself(self) -> bool:
        """``toolchain: uv`` / ``poetry`` install the project itself into its environment when pyproject.toml
        defines a build system (https://docs.astral.sh/uv/concepts/projects/config/#build-systems,
        https://python-poetry.org/docs/basic-usage/#operating-modes), unless ``tool.uv.package`` or
        ``tool.poetry.package-mode`` is false."""
        pyproject = self.pyproject or {}
        tool = pyproject.get("tool") or {}
        toolchain = self.runtime_options.get("toolchain")
        if "build-system" not in pyproject or toolchain not in ("uv", "poetry"):
            return False
        switch = (tool.get("uv") or {}).get("package") if toolchain == "uv" else \
            (tool.get("poetry") or {}).get("package-mode")
        return switch is not False

    # ----- stacks ----------------------------------------------------------------------------------------
    @property
    def stack_dir(self) -> Path:
        """Where stack files live: ``stackConfigDir`` (or the deprecated string ``config``), else the root."""
        configured = self.data.get("stackConfigDir")
        if not isinstance(configured, str):
            legacy = self.data.get("config")
            configured = legacy if isinstance(legacy, str) else None
        return (self.root / configured) if configured else self.root

    @cached_property
    def stacks(self) -> dict[str, StackFile]:
        """Every ``Pulumi.<stack>.yaml`` (and ``.yml``), sorted by stack name."""
        found: dict[str, StackFile] = {}
        folder = self.stack_dir
        if not folder.is_dir():
            return found
        for path in sorted(folder.iterdir()):
            name = path.name
            if not path.is_file() or not name.startswith("Pulumi.") or name in PROJECT_FILES:
                continue
            for ext in (".yaml", ".yml"):
                if name.endswith(ext) and len(name) > len("Pulumi.") + len(ext):
                    stack = name[len("Pulumi."):-len(ext)]
                    found.setdefault(stack, self._load_stack(stack, path))
        return dict(sorted(found.items()))

    def _load_stack(self, stack: str, path: Path) -> StackFile:
        text = read_text(path)
        if text is None:
            return StackFile(stack, path, None, YamlError(UNREADABLE, 1))
        try:
            return StackFile(stack, path, load_yaml(text))
        except YamlError as exc:
            return StackFile(stack, path, None, exc)

    @property
    def stack_name(self) -> str:
        """The stack to synthesise: ``--stack``, else ``dev`` when present, else the first stack file, else
        ``dev``."""
        if self._requested_stack:  # `org/project/stack` names the stack `stack` (its file is Pulumi.<stack>.yaml)
            return self._requested_stack.rsplit("/", 1)[-1]
        if "dev" in self.stacks:
            return "dev"
        return next(iter(self.stacks), "dev")

    def stack_problem(self) -> str | None:
        """Why the ``--stack`` asked for cannot be meant, or None. Pulumi itself runs a stack that has no
        ``Pulumi.<stack>.yaml`` (``LoadProjectStack`` in pulumi/pulumi sdk/go/common/workspace/loaders.go returns an
        empty config for a missing file; stacks with Pulumi Cloud-managed config keep none), so a project without
        any stack file is checked with Pulumi.yaml's config and a note. A project that keeps its stacks' config in
        stack files (https://www.pulumi.com/docs/iac/concepts/projects/stack-settings-file/) and has none for
        the name asked for most likely got a misspelled name: checking it with defaults only would check a stack
        nobody deploys, so this is a usage error naming the stacks that exist (and the closest one). An empty
        ``Pulumi.<stack>.yaml`` checks such a stack deliberately. A fully qualified ``org/project/stack`` names the
        file of its last part, as Pulumi's ``DetectProjectStackPath`` does."""
        if not self._requested_stack or not self.stacks or self.project_file is None:
            return None
        asked = self.stack_name
        if asked in self.stacks:
            return None
        close = difflib.get_close_matches(asked, list(self.stacks), n=1, cutoff=0.5)
        hint = f"; did you mean '{close[0]}'?" if close else "."
        where = self.rel(self.stack_dir / f"Pulumi.{asked}.yaml")
        project = f"project '{self.name}' at {self.root}" if self.name else str(self.root)
        return (f"--stack {self._requested_stack}: {project} has no {where} (its stacks: "
                f"{', '.join(self.stacks)}){hint} To check a stack that keeps no config file, create an empty {where}.")

    def stack_notes(self) -> list[str]:
        """What the report should say about the stack whose config synth uses: a missing stack file (Pulumi
        then runs with Pulumi.yaml's config only) and ESC environments whose config the checker cannot read."""
        stack = self.stack_name
        stack_file = self.stacks.get(stack)
        if stack_file is None:  # the project has no stack file at all (stack_problem refuses any other case)
            return [f"no {self.rel(self.stack_dir / f'Pulumi.{stack}.yaml')} (the project has no stack files): stack "
                    f"'{stack}' was checked with Pulumi.yaml's config only, as Pulumi runs a stack without one; "
                    "config set elsewhere (Pulumi Cloud, ESC) was not seen"]
        if stack_file.environments:
            return [f"{self.rel(stack_file.path)} imports Pulumi ESC environment(s) "
                    f"{', '.join(stack_file.environments)}: their config is not visible offline, so config the "
                    "checker finds missing may come from there"]
        return []

    def declared_types(self) -> dict[str, str]:
        """Namespaced project key -> ``type`` declared in Pulumi.yaml."""
        return {self.namespaced(str(k)): d["type"] for k, d in self.config_block.items()
                if isinstance(d, dict) and isinstance(d.get("type"), str)}

    def namespaced(self, key: str) -> str:
        """A stack-file key without ``:`` belongs to the project (``stackConfigNamespacedWithProject``,
        https://github.com/pulumi/pulumi/blob/master/sdk/go/common/workspace/loaders.go)."""
        return key if ":" in key else f"{self.name or 'project'}:{key}"

    def effective_config(self, stack: str) -> tuple[dict[str, Any], set[str]]:
        """Config the language host would pass for ``stack``: namespaced keys -> raw values, and the secure
        keys. Pulumi.yaml ``default``/``value`` apply when the stack file does not set the key (pulumi/pulumi
        pkg/workspace/config.go, ``mergeConfig``)."""
        values: dict[str, Any] = {}
        secure: set[str] = set()
        for key, decl in self.config_block.items():
            if not isinstance(key, str):
                continue
            full = self.namespaced(key)
            if isinstance(decl, dict):
                for attr in ("value", "default"):
                    if attr in decl:
                        values[full] = decl[attr]
                        break
            elif decl is not None:
                values[full] = decl
        stack_file = self.stacks.get(stack)
        if stack_file is not None:
            for key, value in stack_file.config.items():
                if not isinstance(key, str):
                    continue
                full = self.namespaced(key)
                if isinstance(value, dict) and set(value) == {"secure"}:
                    secure.add(full)
                values[full] = value
        return values, secure

    def host_config(self, stack: str) -> tuple[str, str]:
        """``PULUMI_CONFIG`` and ``PULUMI_CONFIG_SECRET_KEYS`` for ``stack``, as the CLI passes them to the program
        (synth and generated unit tests both load config through this)."""
        values, secure = self.effective_config(stack)
        return config_to_env(values, secure, self.declared_types())

    # ----- sources ---------------------------------------------------------------------------------------
    def _skipped(self, folder: Path) -> bool:
        # A folder holding its own Pulumi.yaml is another project, checked on its own (Pulumi never reads it as
        # part of this one).
        return _not_source(folder) or holds_project(folder)

    def _excluded(self, rel: str) -> bool:
        return any(fnmatch.fnmatch(rel, pattern) or rel.startswith(pattern.rstrip("/") + "/")
                   for pattern in self.settings.exclude)

    @cached_property
    def files(self) -> list[Path]:
        """Every file of the project, minus tooling folders, virtual environments and excluded globs."""
        found: list[Path] = []
        for folder, dirs, names in os.walk(self.root):
            base = Path(folder)
            dirs[:] = sorted(d for d in dirs if not self._skipped(base / d))
            for name in sorted(names):
                path = base / name
                if not self._excluded(self.rel(path)):
                    found.append(path)
        return found

    @cached_property
    def python_files(self) -> list[Path]:
        """Every ``.py`` file of the project."""
        return [p for p in self.files if p.suffix == ".py"]

    def source(self, path: Path) -> PySource | None:
        """Parse a Python file once; None when unreadable."""
        if path not in self._sources:
            text = read_text(path)
            if text is None:
                self._sources[path] = None
            else:
                try:
                    tree: ast.Module | None = ast.parse(text, filename=str(path))
                except (SyntaxError, ValueError):
                    tree = None
                self._sources[path] = PySource(path, text, tree, text.splitlines())
        return self._sources[path]

    def sources(self) -> list[PySource]:
        """All parseable project Python files."""
        return [s for p in self.python_files if (s := self.source(p)) is not None and s.tree is not None]

    @cached_property
    def uses_aws(self) -> bool:
        """True when any project file imports ``pulumi_aws``."""
        for src in self.sources():
            for node in src.nodes:
                if isinstance(node, ast.Import) and any(a.name.split(".")[0] == "pulumi_aws" for a in node.names):
                    return True
                if isinstance(node, ast.ImportFrom) and (node.module or "").split(".")[0] == "pulumi_aws":
                    return True
        return False

    def is_test_file(self, path: Path) -> bool:
        """``test_*.py`` / ``*_test.py`` anywhere, the way pytest collects them."""
        return path.suffix == ".py" and (path.name.startswith("test_") or path.stem.endswith("_test"))


class Interpreter(NamedTuple):
    """The interpreter synth runs the program with: ``python`` (a command or path), its virtual environment
    (None when not one), ``why`` it was chosen (for messages), and ``note`` (what was passed over and why, or
    None)."""

    python: str
    venv: Path | None
    why: str
    note: str | None = None


def _venv_python(venv: Path) -> Path | None:
    for candidate in (venv / "bin" / "python", venv / "Scripts" / "python.exe"):
        if candidate.is_file():  # follows symlinks: a link to a removed interpreter is not one
            return candidate
    return None


def venv_problem(venv: Path) -> str | None:
    """Why the virtual environment ``venv`` cannot run a Pulumi program, or None when it can: it does not exist,
    holds no interpreter (or a link to one that is gone), or has no ``pulumi`` package, as a failed or interrupted
    ``uv sync`` / ``pip install`` leaves it. Read from the file system (no interpreter is started): a venv that
    also sees the system's packages (``include-system-site-packages = true`` in ``pyvenv.cfg``) is given the
    benefit of the doubt."""
    if not venv.exists():
        return "does not exist"
    if _venv_python(venv) is None:
        if any(p.is_symlink() for p in (venv / "bin" / "python", venv / "Scripts" / "python.exe")):
            return "links bin/python to an interpreter that no longer exists"
        return "holds no bin/python"
    config = read_text(venv / "pyvenv.cfg") or ""
    if re.search(r"^\s*include-system-site-packages\s*=\s*true\s*$", config, re.MULTILINE | re.IGNORECASE):
        return None
    for site in (*venv.glob("lib*/python3*/site-packages"), venv / "Lib" / "site-packages"):
        # The site folder itself, and the folders its .pth files add (https://docs.python.org/3/library/site.html)
        folders = [site, *(site / line.strip() for pth in sorted(site.glob("*.pth"))
                           for line in (read_text(pth) or "").splitlines()
                           if line.strip() and not line.startswith(("#", "import ", "import\t")))]
        if any((folder / "pulumi" / "__init__.py").is_file() for folder in folders):
            return None
    return "cannot import pulumi (its site-packages holds no pulumi: the install into it failed or never ran)"


def choose_interpreter(project: Project, python: str | None = None) -> Interpreter:
    """The interpreter that runs the program: ``--python``, else the project's virtual environment, else the
    checker's own interpreter.

    The language host runs ``runtime.options.virtualenv`` resolved against the project root
    (https://www.pulumi.com/docs/iac/languages-sdks/python/#virtual-environments); without the option it runs
    ``python3`` from PATH, so the checker tries the conventional ``.venv`` and ``venv`` folders before its own
    interpreter. A virtual environment that cannot run the program (:func:`venv_problem`: missing, no
    interpreter, no pulumi) is passed over, and ``note`` names it, why, and the interpreter used instead (for a
    configured ``virtualenv`` Pulumi itself stops: "doesn't appear to be a virtual environment")."""
    if python:
        return Interpreter(python, None, "given with --python")
    candidates: list[tuple[Path, str]] = []
    configured = project.runtime_options.get("virtualenv")
    if isinstance(configured, str) and configured.strip():
        path = Path(configured).expanduser()
        candidates.append((path if path.is_absolute() else project.root / path,
                           f"Pulumi.yaml `runtime.options.virtualenv: {configured}`"))
    for name in (".venv", "venv"):
        if (project.root / name).exists() and all(c[0] != project.root / name for c in candidates):
            candidates.append((project.root / name, f"the project's `{name}` folder"))
    passed: list[str] = []
    chosen: Interpreter | None = None
    for venv, label in candidates:
        problem = venv_problem(venv)
        if problem is None:
            chosen = Interpreter(str(_venv_python(venv)), venv, label)
            break
        passed.append(f"{label} was passed over: it {problem}")
    if chosen is None:
        chosen = Interpreter(sys.executable, None, "the checker's own interpreter; the project has no "
                                                   f"{'usable virtual environment' if passed else '.venv or venv'}")
    if not passed:
        return chosen
    return chosen._replace(note=f"{'; '.join(passed)}; synth ran {chosen.python} ({chosen.why}) instead. "
                                "`pulumi install` (or `uv sync`, `pip install -r requirements.txt`) makes the "
                                "project's environment usable")


def holds_project(folder: Path) -> bool:
    """True when ``folder`` holds a ``Pulumi.yaml`` or ``Pulumi.yml``: it is a Pulumi project of its own."""
    return any((folder / name).is_file() for name in PROJECT_FILES)


def _not_source(folder: Path) -> bool:
    """Tooling folders, virtual environments, and the checker itself (this copy or a vendored one)."""
    if folder.name in SKIP_DIRS or folder.name.endswith(".egg-info") or (folder / "pyvenv.cfg").is_file():
        return True
    return folder.resolve() == _OWN_PACKAGE or (
        (folder / "catalog.py").is_file() and (folder / "_runner" / "run_program.py").is_file())


def find_projects(path: Path | str) -> list[Path]:
    """Every folder at or under ``path`` that holds a ``Pulumi.yaml``/``Pulumi.yml``, the way Pulumi finds
    projects (https://www.pulumi.com/docs/iac/concepts/projects/): each is a project of its own, nested ones
    included. Returns ``[path]`` when there is none (so the check reports the missing Pulumi.yaml), paths
    joined to ``path`` as given, sorted. Raises :class:`ProjectError` when ``path`` is not a readable folder."""
    root = Path(path)
    if not root.exists():
        raise ProjectError(f"no such folder: {path}")
    if not root.is_dir():
        raise ProjectError(f"not a folder: {path}")
    found: list[Path] = []
    for folder, dirs, _names in os.walk(root):
        base = Path(folder)
        if holds_project(base):
            found.append(base)
        dirs[:] = sorted(d for d in dirs if not _not_source(base / d))
    return sorted(found, key=lambda p: p.parts) or [root]


_EGG = re.compile(r"[#&]egg=([A-Za-z0-9][A-Za-z0-9._-]*)")
_LOCAL = re.compile(r"^(?:(?:-e|--editable)\s+)?(?:[A-Za-z0-9._-]+\s*@\s*)?(?:file:(?://)?)?(?P<path>\.{1,2}(?:/\S*)?|[\w.-]*/\S*)(?:\s|$)")


class DeclaredRequirement(NamedTuple):
    """A distribution's version specifier as a project file declares it (``>=3.2.0,<4.0.0``) and that file."""

    specifier: str
    file: str


def _declare(found: dict[str, DeclaredRequirement], text: str, file: str) -> None:
    """Add the PEP 508 requirement ``text`` to ``found`` when it names a version (not a URL, option or path)."""
    if not text or text.startswith(("-", "#")):
        return
    # Imported here: only synth's SDK-version check reads declarations, and the static rules (run at generation by
    # whatever Python runs cookiecutter) must not need it.
    # pylint: disable-next=import-outside-toplevel
    from packaging.requirements import InvalidRequirement, Requirement  # noqa: PLC0415
    from packaging.utils import canonicalize_name  # noqa: PLC0415  # pylint: disable=import-outside-toplevel

    try:
        requirement = Requirement(text)
    except InvalidRequirement:
        return
    if requirement.specifier and not requirement.url:
        found.setdefault(canonicalize_name(requirement.name), DeclaredRequirement(str(requirement.specifier), file))


def _requirement_lines(text: str) -> list[tuple[str | None, str | None]]:
    """``(local folder or None, egg name or None)`` for each requirements.txt line that installs a local folder or
    names an ``#egg=`` (https://pip.pypa.io/en/stable/reference/requirements-file-format/). Like pip, a name
    holding a ``/`` or starting with ``.`` is a path."""
    out: list[tuple[str | None, str | None]] = []
    for raw in text.splitlines():
        line = raw.split(" #", 1)[0].strip()
        egg = _EGG.search(line)
        local = _LOCAL.match(line)
        path = local.group("path").split("#", 1)[0] if local else None
        if path or egg:
            out.append((path, egg.group(1) if egg else None))
    return out


def _toml_paths(text: str) -> list[tuple[str | None, str | None]]:
    """Local path dependencies of a pyproject.toml or Pipfile: ``name = {path = "..."}`` tables (Pipfile, Poetry,
    ``[tool.uv.sources]``) and PEP 508 ``name @ file:...`` items of ``[project] dependencies``."""
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError:
        return []
    out: list[tuple[str | None, str | None]] = []

    def visit(node: Any) -> None:
        if isinstance(node, dict):
            for name, value in node.items():
                if isinstance(value, dict) and isinstance(value.get("path"), str):
                    out.append((value["path"], str(name)))
                else:
                    visit(value)
        elif isinstance(node, list):
            for item in node:
                if isinstance(item, str) and (local := _LOCAL.match(item.strip())):
                    name = item.split("@", 1)[0].strip() if "@" in item else None
                    out.append((local.group("path"), name))
                else:
                    visit(item)

    visit(data)
    return out


def _importable_in(folder: Path) -> list[tuple[str, Path]]:
    """Top-level packages and modules a local distribution at ``folder`` provides (flat or ``src/`` layout), each
    with the folder an install puts on sys.path."""
    names: list[tuple[str, Path]] = []
    for base in (folder, folder / "src"):
        if not base.is_dir():
            continue
        for child in sorted(base.iterdir()):
            if child.is_dir() and child.name.isidentifier() and any(child.glob("*.py")):
                names.append((child.name, base))
            elif child.suffix == ".py" and child.stem.isidentifier() and child.stem != "setup":
                names.append((child.stem, base))
    return names


# Every key [tool.tapcheck] takes (each also spelled with underscores); any other is refused, as ruff refuses an
# unknown key in [tool.ruff] rather than ignoring a misspelled setting.
SETTING_KEYS = ("select", "extend-select", "ignore", "severity", "exclude", "required-tags", "policy-packs")


def _setting(table: dict[str, Any], name: str) -> list[str]:
    """A list-of-strings setting (``extend-select`` also read as ``extend_select``)."""
    value = table.get(name, table.get(name.replace("-", "_"), []))
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise SelectionError(f"[tool.tapcheck] {name}: expected a list of strings, got {value!r}")
    return value


def config_to_env(values: dict[str, Any], secure: set[str],
                  types: dict[str, str] | None = None) -> tuple[str, str]:
    """``PULUMI_CONFIG`` / ``PULUMI_CONFIG_SECRET_KEYS`` JSON as the CLI sends them: strings, objects as JSON.
    ``secure:`` values get a placeholder of the declared type (``types``: namespaced key -> Pulumi.yaml type)."""
    out: dict[str, str] = {}
    typed = {"integer": "1", "boolean": "true", "array": "[]", "object": "{}"}
    for key, value in values.items():
        if key in secure:
            out[key] = typed.get((types or {}).get(key, ""), placeholder_secret(key))
        elif isinstance(value, bool):
            out[key] = "true" if value else "false"
        elif isinstance(value, (dict, list)):
            out[key] = json.dumps(value)
        elif value is None:
            out[key] = ""
        else:
            out[key] = str(value)
    return json.dumps(out, sort_keys=True), json.dumps(sorted(secure))


def placeholder_secret(key: str) -> str:
    """Plaintext stand-in for a ``secure:`` value (the checker has no passphrase); recognisable in TAP020."""
    return "TapcheckSecret-" + key.rsplit(":", maxsplit=1)[-1].replace("_", "-")[:40] + "-0123456789"
