"""How the program handles Outputs and secret config: TAP016 (an Output rendered into a string), TAP017
(``pulumi.export`` inside an ``apply`` callback) and TAP055 (a ``secure:`` value read as plain text).

Each confirms the fault in the synth record (what the program actually registered) and points at the line that
caused it when the source shows it, else at the input or export that received the value.
"""

from __future__ import annotations

import ast
import re
import weakref
from collections.abc import Iterator
from typing import Any

from ..findings import Finding, finding
from ..project import Project, placeholder_secret
from .base import Context
from .code import dotted, is_export, program_sources
from .graph import Locator, label, resources, snake, unwrap
from .project_files import looks_secret

#: The text ``Output.__str__`` returns (pulumi ``output.py``): what reaches AWS when an Output is formatted.
OUTPUT_STR = "Calling __str__ on an Output[T] is not supported"
_OUTPUT_STR_RE = re.compile(re.escape(OUTPUT_STR) + r".*?(?:This function may throw in a future version of "
                            r"Pulumi\.|for more details\.)", re.DOTALL)


def _strings(value: Any, path: str = "") -> Iterator[tuple[str, str]]:
    """(path, string) for every string inside a recorded value."""
    value = unwrap(value)
    if isinstance(value, str):
        yield path, value
    elif isinstance(value, dict):
        for key, item in value.items():
            yield from _strings(item, f"{path}.{key}" if path else str(key))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from _strings(item, f"{path}[{index}]")


def _entry(project: Project) -> str:
    entry = project.layout.entry
    return project.rel(entry) if entry else project.project_file_rel


# ----- TAP016 -------------------------------------------------------------------------------------------------
def _formatted(node: ast.AST) -> list[ast.AST] | None:
    """The expressions ``node`` renders into a string (f-string, ``.format``, ``str()``, ``%`` and ``+`` with a
    string literal), or None when it renders nothing."""
    if isinstance(node, ast.JoinedStr):
        return [v.value for v in node.values if isinstance(v, ast.FormattedValue)]
    if isinstance(node, ast.Call):
        if isinstance(node.func, ast.Attribute) and node.func.attr == "format" \
                and isinstance(node.func.value, ast.Constant) and isinstance(node.func.value.value, str):
            return [*node.args, *(k.value for k in node.keywords)]
        if dotted(node.func) == "str" and node.args:
            return [node.args[0]]
    if isinstance(node, ast.BinOp) and isinstance(node.op, (ast.Add, ast.Mod)):
        sides = (node.left, node.right)
        if any((isinstance(s, ast.Constant) and isinstance(s.value, str)) or isinstance(s, ast.JoinedStr)
               for s in sides):
            return [s for s in sides if not isinstance(s, (ast.Constant, ast.JoinedStr))]
    return None


def _literal_parts(node: ast.AST) -> list[str]:
    return [n.value for n in ast.walk(node) if isinstance(n, ast.Constant) and isinstance(n.value, str) and n.value]


def _inside_apply(tree: ast.Module) -> set[int]:
    """ids of nodes inside ``apply``/``Output.all(...).apply`` callbacks (lambdas passed to ``.apply``), where
    values are plain."""
    inside: set[int] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr == "apply":
            for arg in node.args[:1]:
                inside |= {id(n) for n in ast.walk(arg)}
    return inside


def output_formatting_sites(project: Project, attributes: set[str]) -> list[tuple[str, int, list[str]]]:
    """(path, line, literal parts) of expressions that format an attribute named like a resource output
    (``f"{bucket.arn}/*"``, ``"arn:" + role.arn``) outside an ``apply`` callback."""
    sites = []
    for src in program_sources(project):
        tree = src.tree
        if tree is None:
            continue
        inside = _inside_apply(tree)
        for node in ast.walk(tree):
            if id(node) in inside:
                continue
            rendered = _formatted(node)
            if rendered and any(isinstance(e, ast.Attribute) and e.attr in attributes for e in rendered):
                sites.append((project.rel(src.path), node.lineno, _literal_parts(node)))
    return sites


def tap016(ctx: Context) -> list[Finding]:
    """An Output rendered into a string: the SDK's "Calling __str__ on an Output[T]" text reached an input or an
    export. Reported at the line that formatted it when the source shows one, else at the receiving input."""
    if ctx.record is None:
        return []
    res_list = resources(ctx)
    attributes = {snake(key) for res in res_list for key in (res.get("outputs") or {})} | {"id", "urn"}
    sites = output_formatting_sites(ctx.project, attributes)
    loc = Locator(ctx.project)
    received: list[tuple[str, str, int, str]] = []  # (what, path, line, value)
    for res in res_list:
        for key, value in (res.get("inputs") or {}).items():
            for inner, text in _strings(value, snake(key)):
                if OUTPUT_STR in text:
                    path, line = loc.where(res, key)
                    received.append((f"{label(res)} input `{inner}`", path, line, text))
    for name, exp in (ctx.record.get("exports") or {}).items():
        for _inner, text in _strings(exp.get("value")):
            if OUTPUT_STR in text:
                site = exp.get("site") or {"path": _entry(ctx.project), "line": 1}
                received.append((f"export '{name}'", site["path"], site["line"], text))
    out = []
    for what, path, line, text in received:
        around = _OUTPUT_STR_RE.sub("\0", text)  # what the program wrote around the rendered Output
        formatted = [s for s in sites if s[2] and all(part in around for part in s[2])] or [
            s for s in sites if not s[2] and s[0] == path]  # str(x.arn): no text of its own, same file
        message = (f"{what} holds the text \"{OUTPUT_STR}\" instead of a value: an Output was formatted into a "
                   "Python string before it resolved")
        for fpath, fline, _parts in formatted or [(path, line, [])]:
            out.append(finding("TAP016", fpath, fline, message))
    return out


# ----- TAP017 -------------------------------------------------------------------------------------------------
_EXPORTS_INSIDE_APPLY: weakref.WeakKeyDictionary[Project, list[tuple[str, int]]] = weakref.WeakKeyDictionary()


def exports_inside_apply(project: Project) -> list[tuple[str, int]]:
    """(path, line) of ``pulumi.export`` calls made inside an ``apply`` callback (a lambda, or a function of the
    same module passed by name). Computed once per project: TAP011, TAP013 and TAP017 all ask."""
    if project in _EXPORTS_INSIDE_APPLY:
        return _EXPORTS_INSIDE_APPLY[project]
    found: list[tuple[str, int]] = []
    for src in program_sources(project):
        if src.tree is None or "apply" not in src.text or "export" not in src.text:
            continue
        functions = {n.name: n for n in src.nodes if isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef))}
        for node in src.nodes:
            if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr == "apply"
                    and node.args):
                continue
            callback = node.args[0]
            body: ast.AST | None = callback if isinstance(callback, ast.Lambda) else functions.get(
                callback.id) if isinstance(callback, ast.Name) else None
            if body is not None:
                found += [(project.rel(src.path), n.lineno) for n in ast.walk(body) if is_export(n)]
    _EXPORTS_INSIDE_APPLY[project] = result = sorted(set(found))
    return result


def tap017(ctx: Context) -> list[Finding]:
    """``pulumi.export`` inside an ``apply`` callback: Pulumi registers stack outputs when the program finishes,
    and an export made from a callback is dropped (and never shows in ``pulumi preview``)."""
    return [finding("TAP017", path, line, "pulumi.export(...) is called inside an apply callback: the stack "
                                          "output is not created (the callback runs after outputs are registered, "
                                          "and not at all in preview while the value is unknown)")
            for path, line in exports_inside_apply(ctx.project)]


# ----- TAP055 -------------------------------------------------------------------------------------------------
_PLAIN_GETTERS = frozenset({"get", "require", "get_int", "require_int", "get_float", "require_float", "get_bool",
                            "require_bool", "get_object", "require_object"})


def _plain_reads(project: Project, keys: set[str]) -> dict[str, list[tuple[str, int]]]:
    """key -> (path, line) of ``config.get("key")``/``config.require("key")`` calls (not ``*_secret``)."""
    reads: dict[str, list[tuple[str, int]]] = {}
    for src in program_sources(project):
        for node in src.nodes or []:
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) \
                    and node.func.attr in _PLAIN_GETTERS and node.args and isinstance(node.args[0], ast.Constant):
                key = node.args[0].value
                if isinstance(key, str) and key in keys:
                    reads.setdefault(key, []).append((project.rel(src.path), node.lineno))
    return reads


def tap055(ctx: Context) -> list[Finding]:
    """A ``secure:`` config value read with plain ``get``/``require`` (so the SDK no longer marks it secret) that
    then reaches an export or an input not named like a secret: it is stored in plain text in the state and shown
    by ``pulumi stack output``."""
    if ctx.record is None:
        return []
    _values, secure = ctx.project.effective_config(ctx.stack)
    placeholders = {placeholder_secret(k): k.rsplit(":", 1)[-1] for k in secure}
    if not placeholders:
        return []
    reads = _plain_reads(ctx.project, set(placeholders.values()))
    loc = Locator(ctx.project)
    leaks: list[tuple[str, str, str, int]] = []  # (key, where, path, line)
    for res in resources(ctx):
        for key, raw in (res.get("inputs") or {}).items():
            if (isinstance(raw, dict) and "__secret__" in raw) or looks_secret(key):
                continue
            for _inner, text in _strings(raw):
                for placeholder, name in placeholders.items():
                    if placeholder in text:
                        leaks.append((name, f"{label(res)} input `{snake(key)}`", *loc.where(res, key)))
    for export, exp in (ctx.record.get("exports") or {}).items():
        if exp.get("secret"):
            continue
        for _inner, text in _strings(exp.get("value")):
            for placeholder, name in placeholders.items():
                if placeholder in text:
                    site = exp.get("site") or {"path": _entry(ctx.project), "line": 1}
                    leaks.append((name, f"export '{export}'", site["path"], site["line"]))
    out = []
    for name, where, path, line in leaks:
        for rpath, rline in reads.get(name) or [(path, line)]:
            out.append(finding("TAP055", rpath, rline,
                               f"the secure config value '{name}' is read as plain text and reaches {where}: "
                               "it is stored unencrypted in the state",
                               f"Read it with `config.require_secret(\"{name}\")` (or `get_secret`), so every "
                               "value built from it stays secret."))
    return out


RULES = [tap016, tap017, tap055]
