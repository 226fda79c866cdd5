"""Layout rules: TAP003 (imports that the language host cannot resolve) and TAP041 (hacks that hide it).

TAP003 computes sys.path the way the language host builds it: pulumi-language-python-exec starts the program
with ``runpy.run_path`` (https://docs.python.org/3/library/runpy.html#runpy.run_path), so a folder entry point gets the
program folder (``run_path('.')`` inserts ``.``, the working folder); a file entry point gets no project folder
at all. It then follows the entry point's local imports, module by module. Local packages that the project's
requirement files install (``-e ./packages/naming``) are importable from the project's virtualenv, wherever
they live.
"""

from __future__ import annotations

import ast
import re
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from ..findings import Finding, finding
from ..project import Project, read_text
from .base import Context
from .project_files import _script_files

_IMPORT_ERRORS = frozenset({"ImportError", "ModuleNotFoundError", "Exception", "BaseException"})


@dataclass
class _Import:
    module: str  # absolute dotted name, or "" for `from . import x`
    level: int
    names: tuple[str, ...]
    line: int
    text: str


def _catches_import_error(handler: ast.ExceptHandler) -> bool:
    if handler.type is None:
        return True
    types = handler.type.elts if isinstance(handler.type, ast.Tuple) else [handler.type]
    return any(isinstance(t, ast.Name) and t.id in _IMPORT_ERRORS for t in types)


def _to_import(node: ast.Import | ast.ImportFrom, src_lines: list[str]) -> list[_Import]:
    del src_lines  # the statement is rebuilt from the AST, without comments or line breaks
    if isinstance(node, ast.Import):
        return [_Import(a.name, 0, (), node.lineno, f"import {a.name}") for a in node.names]
    names = ", ".join(a.name for a in node.names)
    text = f"from {'.' * node.level}{node.module or ''} import {names}"
    return [_Import(node.module or "", node.level, tuple(a.name for a in node.names), node.lineno, text)]


def _is_type_checking(test: ast.expr) -> bool:
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING")


def _groups(body: list[ast.stmt], lines: list[str]) -> Iterator[list[list[_Import]]]:
    """Import groups: a plain import is one alternative; ``try: A except ImportError: B`` gives [A, B]."""
    for stmt in body:
        if isinstance(stmt, (ast.Import, ast.ImportFrom)):
            yield [_to_import(stmt, lines)]
        elif isinstance(stmt, ast.Try) and any(_catches_import_error(h) for h in stmt.handlers):
            first = [i for s in stmt.body if isinstance(s, (ast.Import, ast.ImportFrom)) for i in _to_import(s, lines)]
            alternatives = [first]
            for handler in stmt.handlers:
                alt = [i for s in handler.body if isinstance(s, (ast.Import, ast.ImportFrom))
                       for i in _to_import(s, lines)]
                if alt:
                    alternatives.append(alt)
                yield from _groups([s for s in handler.body if not isinstance(s, (ast.Import, ast.ImportFrom))],
                                   lines)
            yield alternatives
            yield from _groups([s for s in stmt.body if not isinstance(s, (ast.Import, ast.ImportFrom))], lines)
            yield from _groups(stmt.orelse + stmt.finalbody, lines)
        elif isinstance(stmt, ast.If) and _is_type_checking(stmt.test):
            yield from _groups(stmt.orelse, lines)
        else:
            for field in ("body", "orelse", "finalbody", "handlers"):
                inner = getattr(stmt, field, None)
                if isinstance(inner, list) and inner and isinstance(inner[0], (ast.stmt, ast.ExceptHandler)):
                    if isinstance(inner[0], ast.ExceptHandler):
                        for handler in inner:
                            yield from _groups(handler.body, lines)
                    else:
                        yield from _groups(inner, lines)
            if isinstance(stmt, ast.Match):
                for case in stmt.cases:
                    yield from _groups(case.body, lines)


def _resolve(module: str, dirs: list[Path]) -> Path | None:
    """Where ``module`` is found on ``dirs`` (a package folder's ``__init__.py``, a namespace folder, a file)."""
    parts = module.split(".")
    for base in dirs:
        current = base
        for index, part in enumerate(parts):
            if (current / part).is_dir():
                current = current / part
                continue
            if (current / f"{part}.py").is_file() and index == len(parts) - 1:
                current = current / f"{part}.py"
                break
            current = None  # type: ignore[assignment]
            break
        if current is not None:
            init = current / "__init__.py"
            return init if current.is_dir() and init.is_file() else current
    return None


def local_names(p: Project) -> dict[str, Path]:
    """Top-level names that exist somewhere in the project (folder or module), with one location each."""
    names: dict[str, Path] = {}
    for path in p.python_files:
        rel_parts = path.relative_to(p.root).parts
        for index, part in enumerate(rel_parts):
            name = part[:-3] if index == len(rel_parts) - 1 else part
            if name.isidentifier() and name != "__init__":
                names.setdefault(name, p.root.joinpath(*rel_parts[: index + 1]))
    for std in sys.stdlib_module_names:
        names.pop(std, None)
    return names


_FAILS = " fails under the language host: "
_RELATIVE = "attempted relative import with no known parent package"
_NOT_IMPORTABLE = re.compile(r"so '([^']+)' \(found at ")
_NO_MODULE = re.compile(r"No module named '([^']+)'")


def predicted_import_error(item: Finding, error: str) -> str | None:
    """When the TAP003 finding ``item`` predicted the import failure that the program's run then raised
    (``error``, the text of synth's TAP010 message), TAP003's explanation of why: ``"no project folder is on
    sys.path for `main: tap.py` (a file entry point), so 'lib' (found at lib) is not importable"`` for
    ``No module named 'lib'`` or ``'lib.tap_stack'``; None for anything else."""
    if item.rule != "TAP003":
        return None
    if _RELATIVE in item.message:
        return item.message.split(": ", 1)[1] if _RELATIVE in error else None
    name = _NOT_IMPORTABLE.search(item.message)
    raised = _NO_MODULE.search(error)
    if name is None or raised is None or _FAILS not in item.message:
        return None
    if raised.group(1) != name.group(1) and not raised.group(1).startswith(f"{name.group(1)}."):
        return None
    return item.message.split(_FAILS, 1)[1]


def _fix(p: Project) -> str:
    if p.main:
        return (f"Remove `main: {p.main}` from Pulumi.yaml and move the entry point to `__main__.py` at the project "
                "root, so every `lib.*` import resolves from the root (the only layout where they work).")
    return "Import project packages by their path from the project root (e.g. `from lib.components.vpc import ...`)."


def tap003(ctx: Context) -> list[Finding]:
    """Follow the entry point's local imports with the host's sys.path; report each that cannot resolve."""
    p = ctx.project
    entry = p.layout.entry
    if entry is None or p.load_error is not None:
        return []
    dirs = p.host_sys_path()
    # A package the project installs into its environment is importable wherever it lives in the repo.
    local = {name: path for name, path in local_names(p).items() if name not in p.installed_packages}
    where = (f"no project folder is on sys.path for `main: {p.main}` (a file entry point)" if not p.layout.is_dir
             else f"sys.path holds only the program folder `{p.rel(p.layout.pwd) or '.'}/`")
    out: list[Finding] = []
    seen: set[Path] = set()
    queue: list[Path] = [entry]
    while queue:
        path = queue.pop(0)
        if path in seen:
            continue
        seen.add(path)
        src = p.source(path)
        if src is None or src.tree is None:
            continue
        for alternatives in _groups(src.tree.body, src.lines):
            failures: list[tuple[_Import, str]] = []
            resolved_any = False
            for alternative in alternatives:
                problems, targets = _check_alternative(path, entry, alternative, dirs=dirs, local=local)
                if not problems:
                    resolved_any = True
                    queue += targets
                    break
                failures += problems
            if not resolved_any and failures:
                imp, name = failures[0]
                if imp.level:
                    message = (f"`{imp.text}`: {_RELATIVE} (Pulumi runs `{p.rel(entry)}` as a script via "
                               "runpy.run_path)")
                else:
                    message = (f"`{imp.text}`{_FAILS}{where}, so '{name}' (found at {p.rel(local[name])}) is not "
                               "importable")
                out.append(finding("TAP003", p.rel(path), imp.line, message, _fix(p)))
    return out


def _check_alternative(path: Path, entry: Path, imports: list[_Import], *, dirs: list[Path],
                       local: dict[str, Path]) -> tuple[list[tuple[_Import, str]], list[Path]]:
    problems: list[tuple[_Import, str]] = []
    targets: list[Path] = []
    for imp in imports:
        if imp.level:
            if path == entry:
                problems.append((imp, imp.module))
                continue
            base = path.parent
            for _ in range(imp.level - 1):
                base = base.parent
            found = _resolve(imp.module, [base]) if imp.module else base / "__init__.py"
            if found is not None and found.is_file():
                targets.append(found)
            targets += [t for n in imp.names if (t := _resolve(n, [found.parent if found else base])) is not None]
            continue
        top = imp.module.split(".")[0]
        if top not in local:
            continue
        found = _resolve(imp.module, dirs)
        if found is None:
            problems.append((imp, top))
            continue
        if found.is_file():
            targets.append(found)
        package = found.parent if found.name == "__init__.py" else found
        for name in imp.names:
            sub = _resolve(name, [package]) if package.is_dir() else None
            if sub is not None and sub.is_file():
                targets.append(sub)
    return problems, targets


# ----- TAP041 -------------------------------------------------------------------------------------------------
def _sys_path_edit(node: ast.AST) -> bool:
    def is_sys_path(expr: ast.AST) -> bool:
        return isinstance(expr, ast.Attribute) and expr.attr == "path" and isinstance(expr.value, ast.Name) \
            and expr.value.id == "sys"

    if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
        if node.func.attr in ("insert", "append", "extend") and is_sys_path(node.func.value):
            return True
        if node.func.attr == "addsitedir" and isinstance(node.func.value, ast.Name) and node.func.value.id == "site":
            return True
    if isinstance(node, ast.AugAssign) and is_sys_path(node.target):
        return True
    if isinstance(node, ast.Assign):
        return any(is_sys_path(t) or (isinstance(t, ast.Subscript) and is_sys_path(t.value)) for t in node.targets)
    return False


def tap041(ctx: Context) -> list[Finding]:
    """sys.path edits, try/except import fallbacks, PYTHONPATH in scripts."""
    p = ctx.project
    out: list[Finding] = []
    local = local_names(p)
    for src in p.sources():
        rel = p.rel(src.path)
        for node in src.nodes:  # type: ignore[arg-type]
            if _sys_path_edit(node):
                out.append(finding("TAP041", rel, node.lineno,  # type: ignore[attr-defined]
                                   "sys.path is edited at run time: it hides a layout that fails under the Pulumi "
                                   "language host and in a clean checkout",
                                   column=node.col_offset + 1))  # type: ignore[attr-defined]
            elif isinstance(node, ast.Try) and any(_catches_import_error(h) for h in node.handlers):
                body = [i for s in node.body if isinstance(s, (ast.Import, ast.ImportFrom))
                        for i in _to_import(s, src.lines)]
                fallback = [i for h in node.handlers for s in h.body if isinstance(s, (ast.Import, ast.ImportFrom))
                            for i in _to_import(s, src.lines)]
                modules = [i.module for i in body + fallback if i.module]
                if body and fallback and any(m.split(".")[0] in local for m in modules):
                    out.append(finding(
                        "TAP041", rel, node.lineno,
                        f"import fallback `{body[0].module or '.'}` / `{fallback[0].module or '.'}`: one of the two "
                        "paths is wrong under the language host and tests only ever see the one that works",
                        column=node.col_offset + 1))
    pythonpath = re.compile(r"PYTHONPATH\s*[=:]|export\s+PYTHONPATH|environ\[[\"']PYTHONPATH[\"']\]\s*=")
    for path in _script_files(p):
        text = read_text(path)
        if text is None:
            continue
        for lineno, line in enumerate(text.splitlines(), 1):
            if pythonpath.search(line) and not line.lstrip().startswith("#"):
                out.append(finding("TAP041", p.rel(path), lineno,
                                   "PYTHONPATH is set by a script: the Pulumi language host never sets it, so "
                                   "deploys from other entry points fail"))
    return out


RULES = [tap003, tap041]
