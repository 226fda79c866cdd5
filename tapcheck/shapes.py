"""The declared shapes of resources and data sources, read from the installed Pulumi SDKs themselves.

Why: a mock that answers from a hand-written list per type leaves every other type's computed outputs ``None``
and hands back inputs in whatever type the program passed. The SDKs already declare, for each resource class,
every output with its type (``@pulumi.getter(name="executionArn") def execution_arn(self) ->
pulumi.Output[str]``), and for each data source its result class (``GetZoneResult``). This module finds those
declarations from a type token and builds values of the declared types.

- Token -> class: generated SDKs register their resource modules with the Pulumi runtime
  (``pulumi.runtime.register_resource_module``; e.g. pulumi-aws's ``_utilities.register(resource_modules=...)``
  JSON gives ``pkg``, ``mod``, ``fqn`` and ``classes``), and the runtime keeps them to rebuild resource references.
- Class -> typed properties: ``pulumi._types.resource_types`` / ``output_type_types``, the functions the SDK uses
  itself to turn engine values into typed outputs (they are cached there, so reading them here costs nothing
  the SDK would not pay anyway).
- Data-source token -> result class: the generated function module (``aws:route53/getZone:getZone`` ->
  ``pulumi_aws.route53.get_zone``) and its ``GetZoneResult`` output type.

Everything degrades: an SDK that is not installed, or not generated this way, gives ``None`` and the caller falls
back to untyped values. Only ``pulumi`` is imported here.
"""

from __future__ import annotations

import contextlib
import enum
import functools
import inspect
import json
import pkgutil
import re
import sys
import typing
from collections import abc
from typing import Any

import pulumi
from pulumi import _types

from .sdkargs import import_sdk_module

SIG_KEY = "4dabf18193072939515e22adb298388d"  # pulumi.runtime.rpc._special_sig_key
# The entry that marks a map whose keys only AWS knows, e.g. AppSync ``uris`` or a CloudFormation
# stack's ``outputs``. Its value names where the map came from (``token``, ``physical``, ``region``);
# ``tapcheck.mocks`` turns such a map into one that answers any key.
ANY_KEY = "__tapcheck_any_key__"
SECRET_SIG = "1b47061264138c4ac30d75fd1eb44270"  # pulumi.runtime.rpc._special_secret_sig
# The entry that marks a value no one can know offline (another stack's outputs); ``tapcheck.mocks.unknown``.
UNKNOWN_KEY = "__tapcheck_unknown__"

# How deep nested output types are filled, and how many items a generated list of scalars has (three, like the
# Availability Zones of most regions); lists of objects get one item.
MAX_DEPTH = 4
LIST_ITEMS = 3


def _registered_modules(pkg: str, mod: str) -> list[Any]:
    """The resource modules the SDK of ``pkg`` registered for ``mod`` (empty when none is loaded)."""
    rpc = sys.modules.get("pulumi.runtime.rpc")
    table = getattr(rpc, "_RESOURCE_MODULES", None) or {}
    return list(table.get(f"{pkg}:{mod}", []))


@functools.cache
def resource_class(token: str) -> type | None:
    """The SDK class registered for a resource type token, e.g. ``aws:s3/bucket:Bucket`` -> ``pulumi_aws.s3.Bucket``.

    None for tokens no loaded SDK registered (local components, providers, packages not imported).
    """
    parts = token.split(":")
    if len(parts) != 3:
        return None
    for module in _registered_modules(parts[0], parts[1]):
        info = getattr(module, "mod_info", None)
        if not isinstance(info, dict) or token not in info.get("classes", {}):
            continue
        try:
            cls = getattr(import_sdk_module(info["fqn"]), info["classes"][token])
        except (ImportError, AttributeError):
            continue
        if inspect.isclass(cls) and issubclass(cls, pulumi.Resource):
            return cls
    return None


class Property(typing.NamedTuple):
    """One declared output: its engine name, declared type (``Output``/``Optional`` unwrapped, see ``unwrap``),
    and whether it is only an output (not a constructor argument), i.e. always computed by the provider."""

    name: str
    type: Any
    output_only: bool


@functools.cache
def resource_properties(cls: type) -> dict[str, Property]:
    """Every declared output of a resource class by engine name (empty if none is declared or readable)."""
    try:
        types = _types.resource_types(cls)
        py_names = _types.resource_pulumi_to_py_names(cls)
        init = getattr(cls, "_internal_init", None) or cls.__init__
        inputs = set(inspect.signature(init).parameters)
    except Exception:  # pylint: disable=broad-exception-caught  # an unreadable class gives no shape
        return {}
    return {name: Property(name, unwrap(typ), py_names.get(name, name) not in inputs) for name, typ in types.items()}


@functools.cache
def output_fields(cls: type) -> dict[str, Any]:
    """Engine name -> declared type of an ``@pulumi.output_type`` class (empty when unreadable)."""
    try:
        return dict(_types.output_type_types(cls))
    except Exception:  # pylint: disable=broad-exception-caught
        return {}


def _snake(name: str) -> str:
    """``getAvailabilityZones`` -> ``get_availability_zones`` (Pulumi's Python naming)."""
    return re.sub(r"(?<=[a-z0-9])([A-Z])|(?<=[A-Z])([A-Z])(?=[a-z])", r"_\1\2", name).lower()


def _package_module(pkg: str, mod: str) -> str | None:
    """The Python module holding ``pkg``'s module ``mod`` (``aws``, ``route53`` -> ``pulumi_aws.route53``)."""
    rpc = sys.modules.get("pulumi.runtime.rpc")
    table = getattr(rpc, "_RESOURCE_MODULES", None) or {}
    root = None
    for key, modules in table.items():
        kpkg, _, kmod = key.partition(":")
        if kpkg != pkg:
            continue
        for module in modules:
            fqn = (getattr(module, "mod_info", None) or {}).get("fqn")
            if not fqn:
                continue
            root = root or fqn.split(".")[0]
            if kmod.split("/")[0] == mod:
                return fqn
    root = root or _function_only_package(pkg)
    if root is None:
        return None
    return root if mod == "index" else f"{root}.{mod}"


def _function_only_package(pkg: str) -> str | None:
    """The loaded Python package of provider ``pkg`` when it registered no resource module (pulumi-std has only
    functions): the one whose ``pulumi-plugin.json`` names ``pkg``, as every generated Python SDK ships
    (https://www.pulumi.com/docs/iac/guides/building-extending/packages/)."""
    for name in ("pulumi_" + pkg.replace("-", "_"), "pulumiverse_" + pkg.replace("-", "_")):
        module = sys.modules.get(name)
        files = getattr(module, "__path__", None)
        if not files:
            continue
        with contextlib.suppress(OSError, ValueError), open(f"{next(iter(files))}/pulumi-plugin.json",
                                                           encoding="utf-8") as handle:
            if json.load(handle).get("name") == pkg:
                return name
    return None


@functools.cache
def function_result_class(token: str) -> type | None:
    """The declared result type of a data source, e.g. ``aws:route53/getZone:getZone`` -> ``GetZoneResult``."""
    parts = token.split(":")
    if len(parts) != 3:
        return None
    pkg, module_path, fn = parts
    base = _package_module(pkg, module_path.split("/")[0])
    if base is None:
        return None
    module = None
    try:
        module = import_sdk_module(f"{base}.{_snake(fn)}")
    except ImportError:
        try:  # names Pulumi splits differently: match ignoring underscores
            package = import_sdk_module(base)
            wanted = fn.lower()
            for info in pkgutil.iter_modules(getattr(package, "__path__", [])):
                if info.name.replace("_", "") == wanted:
                    module = import_sdk_module(f"{base}.{info.name}")
                    break
        except ImportError:
            return None
    if module is None:
        return None
    result = getattr(module, fn[0].upper() + fn[1:] + "Result", None)
    if result is None:
        candidates = [v for k, v in vars(module).items() if k.endswith("Result") and not k.startswith("Awaitable")
                      and inspect.isclass(v) and _types.is_output_type(v)]
        result = candidates[0] if len(candidates) == 1 else None
    return result if inspect.isclass(result) and _types.is_output_type(result) else None


# ---- values of a declared type -------------------------------------------------------------------------------


def _args(typ: Any) -> tuple[Any, ...]:
    return typing.get_args(typ)


def _origin(typ: Any) -> Any:
    return typing.get_origin(typ)


_PLAIN = (str, int, float, bool)


def unwrap(typ: Any) -> Any:
    """``Optional[Output[T]]`` / ``Input[T]`` -> ``T``; a union of several types -> its first non-None member."""
    if typ in _PLAIN:
        return typ
    try:
        return _unwrap(typ)
    except TypeError:  # unhashable: not cacheable
        return _unwrap.__wrapped__(typ)


@functools.lru_cache(maxsize=4096)
def _unwrap(typ: Any) -> Any:
    with contextlib.suppress(Exception):  # not a type the SDK can unwrap: use it as it is
        typ = _types.unwrap_type(typ)
    if _origin(typ) is typing.Union:
        members = [a for a in _args(typ) if a is not type(None)]
        typ = members[0] if members else Any
    return typ


def is_list(typ: Any) -> bool:
    """Sequence/List/list types."""
    return typ is list or _origin(typ) in (list, typing.List, abc.Sequence)  # noqa: UP006


def is_map(typ: Any) -> bool:
    """Mapping/Dict/dict types."""
    return typ is dict or _origin(typ) in (dict, typing.Dict, abc.Mapping)  # noqa: UP006


def value_for(typ: Any, name: str, make_str: typing.Callable[[str, int], str], depth: int = 0,
              index: int = 0, *, source: dict[str, str] | None = None, count: int | None = None) -> Any:
    """A plausible value of the declared type ``typ`` for the output named ``name`` (engine name).

    ``make_str(name, index)`` chooses strings (ARNs, URLs, ids...). Numbers are 1, booleans False, lists of
    scalars have three items, lists of objects one, output types are filled field by field (to ``MAX_DEPTH``),
    enums take their first member. Unknown types give None. A map's keys are chosen by AWS, not declared: it is
    ``{ANY_KEY: source}`` (``source``: ``token``, ``physical``, ``region``, plus the map's ``name``), which
    ``tapcheck.mocks`` turns into a map answering any key. ``count``, when given, is the length of a top-level list
    whose length follows from the inputs (a component's subnets per availability zone).
    """
    typ = unwrap(typ)
    if typ is str:
        return make_str(name, index)
    if typ is bool:
        return False
    if typ in (int, float):
        return typ(443 if name.lower().endswith("port") else 1)
    if inspect.isclass(typ) and issubclass(typ, enum.Enum):
        members = list(typ)
        return members[0].value if members else None
    if is_list(typ):
        item = unwrap(_args(typ)[0]) if _args(typ) else str
        if depth >= MAX_DEPTH:
            return []
        if count is None:
            count = 1 if inspect.isclass(item) and _types.is_output_type(item) else LIST_ITEMS
        singular = name[:-1] if name.endswith("s") else name
        items = [value_for(item, singular, make_str, depth + 1, i, source=source) for i in range(count)]
        return [] if None in items else items  # items the mocks cannot build (resources): an empty list
    if is_map(typ):
        return {ANY_KEY: {**(source or {}), "map": name}}
    if inspect.isclass(typ) and _types.is_output_type(typ):
        if depth >= MAX_DEPTH:
            return {}
        fields = output_fields(typ)
        return {key: value_for(ftyp, key, make_str, depth + 1, source=source) for key, ftyp in fields.items()}
    return None


def conform(value: Any, typ: Any) -> Any:
    """An echoed input converted to the output's declared type, as the provider would return it.

    A dict or list given to a ``str`` output (an IAM policy passed as a dict, which pulumi-aws serializes to JSON)
    comes back as its JSON text; numbers and booleans given to a ``str`` come back as text; numeric text given to a
    number comes back as a number; nested objects, lists and maps are converted item by item. An object where the
    output declares neither an object nor a map (a component's configuration echoed where it outputs resources)
    becomes None. Secrets stay secrets; values that already fit are returned unchanged.
    """
    if isinstance(value, dict) and value.get(SIG_KEY) == SECRET_SIG:
        return {**value, "value": conform(value.get("value"), typ)}
    typ = unwrap(typ)
    if value is None or typ is Any or typ is None or (typ is str and isinstance(value, str)):
        return value
    if typ is str:
        if isinstance(value, (dict, list)):
            return json.dumps(value, separators=(",", ":"), sort_keys=True)
        if isinstance(value, bool):
            return "true" if value else "false"
        if isinstance(value, float) and value.is_integer():
            return str(int(value))
        if isinstance(value, (int, float)):
            return str(value)
        return value
    if typ in (int, float) and isinstance(value, str):
        try:
            return float(value)
        except ValueError:
            return value
    if typ is bool and isinstance(value, str) and value.lower() in ("true", "false"):
        return value.lower() == "true"
    if is_list(typ) and isinstance(value, (list, dict)):
        item = _args(typ)[0] if _args(typ) else Any
        items = [conform(v, item) for v in (value if isinstance(value, list) else [value])]
        # Items that do not fit (awsx Vpc's `nat_gateways` configuration echoed where it outputs NAT gateways):
        # the whole output is the provider's own value.
        return None if any(v is None for v in items) else items
    if is_map(typ) and isinstance(value, dict):
        item = _args(typ)[1] if len(_args(typ)) == 2 else Any
        return {k: conform(v, item) for k, v in value.items()}
    if inspect.isclass(typ) and _types.is_output_type(typ) and isinstance(value, dict):
        fields = output_fields(typ)
        return {k: conform(v, fields.get(k, Any)) for k, v in value.items()}
    if isinstance(value, dict) and not (inspect.isclass(typ) and _types.is_output_type(typ)):
        return None  # an object where the output is declared otherwise (e.g. a resource): the provider's own value
    return value
