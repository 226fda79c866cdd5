"""TAP024: unknown property names inside nested dict inputs, checked against the SDK's own ``*Args`` classes.

Why: mocks pass dict inputs through unchecked (``pulumi.runtime.Mocks.new_resource`` receives the inputs as
given, https://www.pulumi.com/docs/iac/guides/testing/unit/) and the Python constructors only check top-level
keyword names, so ``visibility_config={"cloud_watch_metrics_enabled": True}`` is only rejected by
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
import keyword
import re
import sys
import warnings
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .findings import Finding
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
            for kw in node.keywords:
                if kw.arg is None:
                    continue
                found: list[dict[str, Any]] = []
                _dicts(kw.value, (kw.arg,), found)
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


def import_sdk_module(name: str) -> Any:
    """``importlib.import_module(name)`` for the mocks' own reading of an SDK's types, with the SDK's
    ``DeprecationWarning``s silenced: pulumi-aws warns at import time for every deprecated module of a package
    (``aws.s3.BucketV2`` when ``pulumi_aws.s3`` loads), which is the program's concern when it imports them, not
    when the mocks read a declared type. Only this import is silenced; the program's own imports and uses warn as
    the SDK makes them. Raises what ``import_module`` raises."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        module = importlib.import_module(name)
        getattr(module, "__all__", None)  # SDK modules load lazily (pulumi._utils): on first attribute access
        return module


@functools.cache
def _args_classes(annotation: Any, owner: Any) -> tuple[Any, ...]:
    """The ``*Args`` classes an annotation names: several for unions such as an IAM ``principal`` (AWS, Service or
    Federated); empty for scalars, maps and unknown shapes."""
    text = repr(annotation)
    if "Mapping[" in text:
        return ()
    module = import_sdk_module(owner.__module__)
    found: list[Any] = []
    for ref in dict.fromkeys(_FORWARD_REF.findall(text)):
        if not ref.endswith("Args"):
            continue
        target: Any = module
        for part in ref.split("."):
            target = getattr(target, part, None)
            if target is None:
                break
        if inspect.isclass(target):
            found.append(target)
    return tuple(found)


def _camel(name: str) -> str:
    head, *rest = name.split("_")
    return head + "".join(p[:1].upper() + p[1:] for p in rest)


@functools.cache
def wire_names(cls: Any) -> dict[str, str]:
    """Python property name -> wire name for an ``*Args`` class (``version`` -> ``Version`` for an IAM policy
    document), from the ``@pulumi.getter(name=...)`` metadata pulumi's ``input_type`` keeps; camelCase otherwise."""
    try:
        from pulumi._types import input_type_py_to_pulumi_names  # noqa: PLC0415 - only where the SDK is installed

        names = dict(input_type_py_to_pulumi_names(cls))
    except Exception:
        names = {}
    return {py: names.get(py, _camel(py)) for py in _params(cls)} | names


def _step(classes: tuple[Any, ...], key: str) -> tuple[Any, ...]:
    """The ``*Args`` classes of property ``key`` (a Python or wire name) in any of ``classes``."""
    out: list[Any] = []
    for cls in classes:
        names = wire_names(cls)
        py = key if key in names else next((p for p, w in names.items() if w == key), None)
        annotation = _params(cls).get(py) if py else None
        if annotation is not None:
            out += _args_classes(annotation, cls)
    return tuple(dict.fromkeys(out))


def _accepted(classes: tuple[Any, ...]) -> tuple[set[str], list[str], str]:
    """Every name the classes accept (Python and wire), the wire names to suggest, and the classes' label."""
    accepted: set[str] = set()
    wire: list[str] = []
    for cls in classes:
        names = wire_names(cls)
        accepted |= set(names) | set(names.values())
        wire += names.values()
    return accepted, sorted(set(wire)), " or ".join(c.__name__ for c in classes)


def _snake(name: str) -> str:
    """``ipSet`` -> ``ip_set``: how the Terraform bridge turns a name it does not know into a Terraform name."""
    return re.sub(r"(?<!^)([A-Z])", r"_\1", name).lower()


def terraform_alias(key: str, wire: list[str]) -> str | None:
    """The wire name whose Terraform attribute ``key`` names, or None. pulumi-aws pluralizes list attributes
    (Terraform ``definition`` is Pulumi ``definitions``); for a key it does not know, the bridge's
    ``PulumiToTerraformName`` falls back to the key's snake_case form, which is that Terraform attribute, so the
    provider accepts the key (https://github.com/pulumi/pulumi-terraform-bridge, pkg/tfbridge/names.go)."""
    singular = _snake(key)
    plurals = {singular + "s", singular + "es"} | ({singular[:-1] + "ies"} if singular.endswith("y") else set())
    return next((w for w in wire if _snake(w) in plurals), None)


def _problem(key: str, accepted: set[str], wire: list[str], args: str) -> dict[str, Any]:
    """A suggestion in the key's own style: Python names for snake_case keys, wire names otherwise."""
    python = sorted(accepted - set(wire))
    first, second = (python, wire) if "_" in key else (wire, python)
    close = difflib.get_close_matches(key, first, n=1, cutoff=0.6) or difflib.get_close_matches(
        key, second, n=1, cutoff=0.6)
    return {"key": key, "args": args, "valid": wire, "suggestion": close[0] if close else None}


def unknown_keys(usages: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Check each collected dict literal against the ``*Args`` classes its path leads to (Python or wire names
    are accepted, since the SDK translates Python names); returns one problem per unknown key."""
    problems: list[dict[str, Any]] = []
    for usage in usages:
        cls = _resource_class(usage["module"], usage["cls"])
        if cls is None:
            continue
        classes: tuple[Any, ...] = (cls,)
        for segment in usage["path"]:
            classes = _step(classes, segment)
            if not classes:
                break
        if not classes:
            continue
        accepted, wire, args = _accepted(classes)
        for item in usage["keys"]:
            if item["key"] not in accepted and terraform_alias(item["key"], wire) is None:
                problems.append({"file": usage["file"], "line": item["line"], "path": usage["path"],
                                 "where": ".".join(filter(None, (usage["module"], usage["cls"]))),
                                 **_problem(item["key"], accepted, wire, args)})
    return problems


def _loaded_class(module_name: str, cls_name: str) -> Any:
    """The resource class when the file defining it is already imported in this process (``WebAcl`` lives in
    ``pulumi_aws/wafv2/web_acl.py``), else None: loading a class of the lazily loaded SDK costs an import."""
    file_module = re.sub(r"(?<=[a-z0-9])([A-Z])", r"_\1", cls_name).lower()
    module = sys.modules.get(".".join(filter(None, (_ROOT, module_name, file_module))))
    return getattr(module, cls_name, None) if module is not None else None


@functools.cache
def _resource_class(module_name: str, cls_name: str) -> Any:
    try:
        module = import_sdk_module(f"{_ROOT}.{module_name}" if module_name else _ROOT)
        with warnings.catch_warnings():  # deprecated v6 aliases warn on first access; not the user's concern
            warnings.simplefilter("ignore", DeprecationWarning)
            return getattr(module, cls_name, None)  # the SDK's modules load lazily, here
    except ImportError:
        return None


def module_of(type_token: str) -> tuple[str, str] | None:
    """``aws:wafv2/webAcl:WebAcl`` -> ("wafv2", "WebAcl"); ``aws:lambda/...`` -> ("lambda_", ...); None when the
    token is not a pulumi-aws resource."""
    parts = type_token.split(":")
    if len(parts) != 3 or parts[0] != "aws":
        return None
    module = parts[1].split("/")[0]
    module = "" if module == "index" else module
    return (f"{module}_" if keyword.iskeyword(module) else module), parts[2]


def unknown_wire_keys(resource: dict[str, Any], import_modules: bool = True) -> list[dict[str, Any]]:
    """Nested keys of one registered resource (the synth record's ``inputs``, camelCase wire names) that its
    ``*Args`` classes do not know, however the dict was built. Each problem has ``path`` (wire names from the
    input down to the dict) and ``key``. Only wire names count here: the SDK has already translated the Python
    names it could, so a Python name left in the record (``version`` in an IAM policy document, whose wire name is
    ``Version``) reaches the provider as written.

    Best called where the program ran (its SDK modules are loaded there); with ``import_modules=False`` a
    resource whose module is not loaded yet is skipped, since importing a pulumi_aws module costs up to seconds."""
    target = module_of(resource.get("type", ""))
    if target is None:
        return []
    cls = _resource_class(*target) if import_modules else _loaded_class(*target)
    if cls is None:
        return []
    problems: list[dict[str, Any]] = []

    def walk(value: Any, classes: tuple[Any, ...], path: tuple[str, ...]) -> None:
        while isinstance(value, dict) and set(value) == {"__secret__"}:
            value = value["__secret__"]
        if isinstance(value, list):
            for item in value:
                walk(item, classes, path)
            return
        if not isinstance(value, dict) or not classes or "__asset__" in value or "__archive__" in value:
            return
        accepted, wire, args = _accepted(classes)
        for key, item in value.items():
            known = key if key in wire else terraform_alias(key, wire)
            if known is None:
                problems.append({"path": list(path), **_problem(key, accepted, wire, args)})
            else:
                walk(item, _step(classes, known), (*path, key))

    for name, value in (resource.get("inputs") or {}).items():
        walk(value, _step((cls,), name), (name,))
    return problems


def to_findings(problems: list[dict[str, Any]]) -> list[Finding]:
    """Turn resolver problems into TAP024 findings."""
    from .findings import finding  # noqa: PLC0415 - here: the synth runner loads this module, not the catalog
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
