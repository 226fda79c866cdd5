"""What the engine does with the program's registrations and Outputs: TAP015 (two registrations with one URN),
TAP016 (an Output rendered into a string), TAP017 (``pulumi.export`` inside an ``apply`` callback) and TAP055 (a
``secure:`` value read as plain text).

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
from ..project import Project, PySource, placeholder_secret
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


# ----- TAP015 -------------------------------------------------------------------------------------------------
_ROOT_STACK = "pulumi:pulumi:Stack"
#: The engine's error for a second registration of one URN (``GetDuplicateResourceURNError`` in pulumi/pulumi
#: sdk/go/common/diag/errors.go, raised by the step generator's ``generateURN``).
DUPLICATE_URN = "Duplicate resource URN '{urn}'; try giving it a unique name"


def engine_urns(record: dict[str, Any]) -> list[tuple[dict[str, Any], str]]:
    """Every recorded registration with the URN the engine gives it: ``urn:pulumi:<stack>::<project>::<qualified
    type>::<name>``, the qualified type being the parent's full qualified type, ``$``, and the resource's type (just
    the type for a child of the root stack). The deployment's ``generateURN`` (pulumi/pulumi
    pkg/resource/deploy/deployment.go, "use the full qualified type") builds it so; the SDK's mock monitor keeps
    only the parent's last type, which makes grandchildren of different components look alike.

    Ordered parents first, then by construction: a registration sorts by its ancestors' construction order, so
    the children of two component instances keep their parents' order whatever order the runtime's threads
    registered them in."""
    stack, project = record.get("stack") or "", record.get("project") or ""
    recorded = sorted(record.get("resources") or [], key=lambda r: r.get("seq", 0))
    by_urn: dict[str, list[dict[str, Any]]] = {}
    for res in recorded:
        by_urn.setdefault(res.get("urn") or "", []).append(res)
    memo: dict[int, tuple[str, tuple[int, ...]]] = {}

    def resolve(res: dict[str, Any], depth: int = 0) -> tuple[str, tuple[int, ...]]:
        """(qualified type, sort key) of ``res``."""
        if id(res) not in memo:
            parent_urn = res.get("parent") or ""
            candidates = by_urn.get(parent_urn) or []
            if candidates and depth < 64:
                earlier = [c for c in candidates if c.get("seq", 0) < res.get("seq", 0)]
                parent_type, key = resolve((earlier or candidates)[-1], depth + 1)
            else:  # the root stack, or a parent the record does not hold: read its recorded URN
                parent_type = parent_urn.split("::")[2] if parent_urn.count("::") >= 3 else ""
                parent_type = parent_type.removeprefix(_ROOT_STACK).lstrip("$")
                key = ()
            own = f"{parent_type}${res['type']}" if parent_type else res["type"]
            memo[id(res)] = (own, (*key, int(res.get("seq", 0))))
        return memo[id(res)]

    resolved = [(res, *resolve(res)) for res in recorded]
    resolved.sort(key=lambda item: item[2])
    return [(res, f"urn:pulumi:{stack}::{project}::{own}::{res['name']}") for res, own, _key in resolved]


def _enclosing_function(source: PySource, line: int) -> ast.FunctionDef | ast.AsyncFunctionDef | None:
    inside = [n for n in source.nodes if isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef))
              and n.lineno <= line <= (n.end_lineno or n.lineno)]
    return max(inside, key=lambda n: n.lineno, default=None)


def _in_loop(source: PySource, line: int) -> bool:
    """True when ``line`` sits in the body of a loop or in a comprehension."""
    for node in source.nodes:
        if isinstance(node, (ast.For, ast.AsyncFor, ast.While)):
            if node.body[0].lineno <= line <= (node.end_lineno or node.lineno):
                return True
        elif isinstance(node, (ast.ListComp, ast.SetComp, ast.DictComp, ast.GeneratorExp)) \
                and node.lineno <= line <= (node.end_lineno or node.lineno):
            return True
    return False


def _callers(project: Project, function: ast.FunctionDef | ast.AsyncFunctionDef,
             owner: ast.ClassDef | None) -> list[tuple[str, int]]:
    """(path, line) of the program's calls to ``function`` (by name; a class's ``__init__`` through its class
    name), in file order."""
    name = owner.name if owner is not None and function.name == "__init__" else function.name
    found = []
    for src in program_sources(project):
        for node in src.nodes:
            if isinstance(node, ast.Call) and (dotted(node.func) or "").split(".")[-1] == name \
                    and not function.lineno <= node.lineno <= (function.end_lineno or function.lineno):
                found.append((project.rel(src.path), node.lineno))
    return sorted(set(found), key=lambda f: (f[0], f[1]))


def _named_call(project: Project, name: str) -> tuple[str, int] | None:
    """The one program call that passes the string ``name`` as its first argument or ``resource_name``."""
    found = []
    for src in program_sources(project):
        for node in src.nodes:
            if isinstance(node, ast.Call):
                first = node.args[0] if node.args else next(
                    (k.value for k in node.keywords if k.arg in ("resource_name", "name")), None)
                if isinstance(first, ast.Constant) and first.value == name:
                    found.append((project.rel(src.path), node.lineno))
    return found[0] if len(found) == 1 else None


def _second_site(ctx: Context, res: dict[str, Any], first: dict[str, Any], count: int,
                 by_urn: dict[str, dict[str, Any]]) -> tuple[str, int, str]:
    """Where the program makes the ``count``-th registration (1-based) of a URN, and how it got there: its own
    line when it differs from the first one's, else the call that made the two differ (the component instance
    that is its parent, the second call of the helper that creates it, or the loop it sits in)."""
    loc = Locator(ctx.project)
    path, line = loc.where(res)
    fpath, fline = loc.where(first)
    if (path, line) != (fpath, fline) or not res.get("site"):
        return path, line, ""
    parent, first_parent = by_urn.get(res.get("parent") or ""), by_urn.get(first.get("parent") or "")
    while parent is not None and first_parent is not None and parent is not first_parent:
        if parent["name"] != first_parent["name"] and (call := _named_call(ctx.project, parent["name"])):
            return (*call, f" inside {label(parent)}, created here,")
        parent, first_parent = by_urn.get(parent.get("parent") or ""), by_urn.get(first_parent.get("parent") or "")
    source = ctx.project.source(ctx.project.root / path)
    if source is None or source.tree is None:
        return path, line, ""
    function = _enclosing_function(source, line)
    if function is not None and not _in_loop(source, line):
        owner = next((n for n in source.nodes if isinstance(n, ast.ClassDef) and function in n.body), None)
        callers = _callers(ctx.project, function, owner)
        called = owner.name if owner is not None and function.name == "__init__" else function.name
        if len(callers) > 1:
            cpath, cline = callers[min(count, len(callers)) - 1]
            return cpath, cline, f" by this call of {called}(), which creates it at {path}:{line},"
        if callers:
            return (*callers[0], f" by this call of {called}(), which runs more than once and creates it at "
                                 f"{path}:{line},")
    return path, line, " by this line, which runs more than once,"


def tap015(ctx: Context) -> list[Finding]:
    """Two registrations with one URN (same type, same parent type chain, same name): the engine refuses the second
    (``Duplicate resource URN``), and the mocks accept it. Reported at the line that made the second one; the
    duplicates one line makes (a component's children) share one finding that names them all."""
    if ctx.record is None:
        return []
    registered = engine_urns(ctx.record)
    by_urn = {res["urn"]: res for res, _ in registered if res.get("urn")}  # recorded URN -> latest registration
    seen: dict[str, tuple[dict[str, Any], int]] = {}
    loc = Locator(ctx.project)
    at: dict[tuple[str, int, str], list[tuple[dict[str, Any], str, dict[str, Any]]]] = {}
    for res, urn in registered:
        if urn not in seen:
            seen[urn] = (res, 1)
            continue
        first, count = seen[urn]
        seen[urn] = (first, count + 1)
        at.setdefault(_second_site(ctx, res, first, count + 1, by_urn), []).append((res, urn, first))
    out = []
    for (path, line, how), dups in at.items():
        res, urn, first = dups[0]
        kind = res["type"].split(":")[-1]
        parent = by_urn.get(res.get("parent") or "")
        fix = (f"Derive each child's name from its component's name (e.g. `f\"{{name}}-{res['name']}\"` in the "
               f"component that creates it), so each {label(parent).split(' ')[0]} names its own."
               if parent is not None else
               f"Give each {kind} a unique logical name (e.g. '{res['name']}-2', or a per-item suffix such as "
               f"`f\"{res['name']}-{{key}}\"`).")
        firsts = sorted({"{}:{}".format(*loc.where(f)) for _, _, f in dups})
        what = label(res) if len(dups) == 1 else ", ".join(label(d[0]) for d in dups)
        message = (f"{what} {'is' if len(dups) == 1 else 'are'} registered again{how} with the URN"
                   f"{'' if len(dups) == 1 else 's'} of the one{'' if len(dups) == 1 else 's'} registered at "
                   f"{', '.join(firsts)}: Pulumi stops with \"{DUPLICATE_URN.format(urn=urn)}\"")
        out.append(finding("TAP015", path, line, message, fix))
    return out


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


RULES = [tap015, tap016, tap017, tap055]
