"""TAP024: unknown property names inside nested dict inputs, checked against the SDK's own ``*Args`` classes.

Why: mocks pass dict inputs through unchecked (facts 5.8) and the Python constructors only check top-level
keyword names, so ``visibility_config={"cloud_watch_metrics_enabled": True}`` (seed 004) is only rejected by
the provider at preview. The valid names come from the installed pulumi-aws itself: the resource's
``_internal_init`` annotations name the ``*Args`` class of each input, whose ``__init__`` lists the properties.

Where it runs: in the checker's process when ``pulumi_aws`` is importable there (only the modules the program
uses are imported); otherwise inside the synth subprocess, with the project's own SDK; with ``--no-synth`` and
no SDK in the checker's interpreter the rule is skipped (a note says so). This module is stdlib-only at import
time because the synth runner loads it too.
"""

from __future__ import annotations

import ast
import difflib
import functools
import importlib
import importlib.util
import inspect
import re
import warnings
from typing import TYPE_CHECKING, Any

from .findings import Finding, finding

if TYPE_CHECKING:
    from .project import Project

_FORWARD_REF = re.compile(r"ForwardRef\('([\w.]+)'\)")
_SKIP_PARAMS = frozenset({"self", "__self__", "resource_name", "opts", "__props__", "args"})
_ROOT = "pulumi_aws"


# ----- collecting dict literals from the program (checker side, AST only) -------------------------------------
def _aliases(nodes: list[ast.AST]) -> dict[str, tuple[str, ...]]:
    """Local name -> path inside pulumi_aws: ``aws`` -> (), ``wafv2`` -> ("wafv2",), ``WebAcl`` -> (.., "WebAcl")."""
    names: dict[str, tuple[str, ...]] = {}
    for node in nodes:
        if isinstance(node, ast.Import):
            for alias in node.names:
                parts = alias.name.split(".")
                if parts[0] == _ROOT:
                    if alias.asname:
                        names[alias.asname] = tuple(parts[1:])
                    else:
                        names[_ROOT] = ()
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            parts = node.module.split(".")
            if parts[0] == _ROOT:
                for alias in node.names:
                    names[alias.asname or alias.name] = (*parts[1:], alias.name)
    return names


def dotted_parts(node: ast.AST) -> list[str] | None:
    """``aws.wafv2.WebAcl`` -> ["aws", "wafv2", "WebAcl"]; None for anything but a name/attribute chain."""
    parts: list[str] = []
    while isinstance(node, ast.Attribute):
        parts.append(node.attr)
        node = node.value
    if isinstance(node, ast.Name):
        parts.append(node.id)
        return list(reversed(parts))
    return None


def _dicts(node: ast.AST, path: tuple[str, ...], out: list[dict[str, Any]]) -> None:
    """Every dict literal inside ``node`` (through lists/tuples), with its property path."""
    if isinstance(node, (ast.List, ast.Tuple)):
        for item in node.elts:
            _dicts(item, path, out)
    elif isinstance(node, ast.Dict):
        keys = []
        for key, value in zip(node.keys, node.values, strict=True):
            if isinstance(key, ast.Constant) and isinstance(key.value, str):
                keys.append({"key": key.value, "line": key.lineno})
                _dicts(value, (*path, key.value), out)
        if keys:
            out.append({"path": list(path), "keys": keys})


def collect(project: Project) -> list[dict[str, Any]]:
    """Dict literals passed as (or nested inside) keyword arguments of ``pulumi_aws`` constructors."""
    usages: list[dict[str, Any]] = []
    for src in project.sources():
        if project.is_test_file(src.path) or src.tree is None:
            continue
        aliases = _aliases(src.nodes)
        if not aliases:
            continue
        rel = project.rel(src.path)
        for node in src.nodes:
            if not isinstance(node, ast.Call):
                continue
            dotted = dotted_parts(node.func)
            if not dotted or dotted[0] not in aliases:
                continue
            target = (*aliases[dotted[0]], *dotted[1:])
            if not target or not target[-1][:1].isupper():
                continue
            for keyword in node.keywords:
                if keyword.arg is None:
                    continue
                found: list[dict[str, Any]] = []
                _dicts(keyword.value, (keyword.arg,), found)
                for item in found:
                    usages.append({"file": rel, "module": ".".join(target[:-1]), "cls": target[-1], **item})
    return usages


def sdk_available() -> bool:
    """Whether this interpreter can import pulumi_aws (without importing it)."""
    try:
        return importlib.util.find_spec(_ROOT) is not None
    except (ImportError, ValueError):
        return False


# ----- resolving against the SDK (runs wherever pulumi_aws is importable) ---------------------------------------
@functools.cache
def _params(cls: Any) -> dict[str, Any]:
    init = getattr(cls, "_internal_init", None) or cls.__init__
    try:
        parameters = inspect.signature(init).parameters
    except (TypeError, ValueError):
        return {}
    return {name: p.annotation for name, p in parameters.items()
            if name not in _SKIP_PARAMS and p.kind is not inspect.Parameter.VAR_KEYWORD}


@functools.cache
def _args_class(annotation: Any, owner: Any) -> Any:
    """The ``*Args`` class an annotation names (None for scalars, maps and unknown shapes)."""
    text = repr(annotation)
    if "Mapping[" in text:
        return None
    module = importlib.import_module(owner.__module__)
    for ref in _FORWARD_REF.findall(text):
        if not ref.endswith("Args"):
            continue
        target: Any = module
        for part in ref.split("."):
            target = getattr(target, part, None)
            if target is None:
                break
        if inspect.isclass(target):
            return target
    return None


def _camel(name: str) -> str:
    head, *rest = name.split("_")
    return head + "".join(p[:1].upper() + p[1:] for p in rest)


def unknown_keys(usages: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Check each collected dict literal; returns one problem per unknown key, with a close match."""
    problems: list[dict[str, Any]] = []
    classes: dict[tuple[str, str], Any] = {}
    for usage in usages:
        key = (usage["module"], usage["cls"])
        if key not in classes:
            try:
                with warnings.catch_warnings():  # deprecated v6 aliases warn on import; not the user's concern
                    warnings.simplefilter("ignore")
                    module = importlib.import_module(f"{_ROOT}.{usage['module']}" if usage["module"] else _ROOT)
                    classes[key] = getattr(module, usage["cls"], None)  # the SDK's modules load lazily, here
            except ImportError:
                classes[key] = None
        cls = classes[key]
        if cls is None:
            continue
        for segment in usage["path"]:
            annotation = _params(cls).get(segment)
            cls = _args_class(annotation, cls) if annotation is not None else None
            if cls is None:
                break
        if cls is None:
            continue
        valid = sorted(_params(cls))
        accepted = set(valid) | {_camel(v) for v in valid}
        for item in usage["keys"]:
            if item["key"] in accepted:
                continue
            close = difflib.get_close_matches(item["key"], valid, n=1, cutoff=0.6)
            problems.append({"file": usage["file"], "line": item["line"], "key": item["key"],
                             "where": ".".join(filter(None, (usage["module"], usage["cls"]))),
                             "path": usage["path"], "args": cls.__name__, "valid": valid,
                             "suggestion": close[0] if close else None})
    return problems


def to_findings(problems: list[dict[str, Any]]) -> list[Finding]:
    """Turn resolver problems into TAP024 findings."""
    out = []
    for p in problems:
        hint = f"; did you mean '{p['suggestion']}'?" if p["suggestion"] else ""
        where = f"aws.{p['where']}({p['path'][0]}=...)" + "".join(f"[{seg!r}]" for seg in p["path"][1:])
        fix = (f"Rename '{p['key']}' to '{p['suggestion']}'." if p["suggestion"] else
               f"Use one of the {p['args']} properties: {', '.join(p['valid'][:12])}"
               f"{', ...' if len(p['valid']) > 12 else ''}.")
        out.append(finding("TAP024", p["file"], p["line"],
                           f"unknown property '{p['key']}' in {where}: {p['args']} has no such property{hint}", fix))
    return out
