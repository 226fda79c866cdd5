"""Export the synthesized program as a Terraform plan, for scanners that read Terraform (checkov, conftest, trivy).

``tapcheck export PATH --stack S --format terraform-plan [-o FILE]`` runs the program under mocks (as the check
does) and writes its custom resources as Terraform plan JSON
(https://developer.hashicorp.com/terraform/internals/json-format): ``planned_values`` and ``resource_changes``
(every resource a ``create``) hold the inputs the program registered, under the Terraform provider's type and
attribute names; ``configuration`` keeps each input's references to other resources, so graph checks (a bucket and
its public access block) work. pulumi-aws and pulumi-random are bridged from the Terraform providers, so the names
are the providers' own: types from ``tapcheck/data/terraform_types.json``, attributes from the installed Pulumi
Python SDK's argument classes (snake_case names; single nested blocks back to one-item lists, as Terraform plans
hold them). Resources whose type has no Terraform name are listed under the plan's ``tapcheck.unmapped`` key and on
standard error, never dropped silently; components and providers are not resources and are left out.

Exit codes: 0 written, 1 the program did not run (its findings are printed), 2 bad usage.
"""

from __future__ import annotations

import argparse
import importlib
import json
import re
import sys
import typing
from collections.abc import Mapping, Sequence
from functools import cache
from pathlib import Path
from typing import Any

from .project import Project, ProjectError
from .synth import run_synth

DATA = Path(__file__).resolve().parent / "data" / "terraform_types.json"
FORMATS = ("terraform-plan",)
#: The plan format this writer follows (``format_version`` 1.2, as Terraform 1.x writes it today) and the Terraform
#: release it names: scanners read the version only to choose a parser.
FORMAT_VERSION = "1.2"
TERRAFORM_VERSION = "1.9.0"
_SECRET = "__secret__"
_TF_NAME = re.compile(r"[^A-Za-z0-9_-]")


@cache
def _data() -> dict[str, Any]:
    return json.loads(DATA.read_text(encoding="utf-8"))


def terraform_type(pulumi_type: str) -> str | None:
    """``aws:s3/bucket:Bucket`` -> ``aws_s3_bucket``; None when the type has no known Terraform name."""
    return _data()["types"].get(pulumi_type)


# --- attribute names, from the Python SDK's argument classes -------------------------------------------------

class _Shape(typing.NamedTuple):
    """What the SDK declares for one property: ``kind`` is ``object`` (an ``...Args`` class: a Terraform block),
    ``map`` (string keys kept as written), ``list`` (of ``item``) or ``scalar``."""

    kind: str
    args: type | None = None
    item: _Shape | None = None


_SCALAR = _Shape("scalar")


def _shape(annotation: Any, module: Any) -> _Shape:
    """The shape of a getter's annotation (``pulumi.Input[Optional[Sequence[pulumi.Input['XArgs']]]]``)."""
    if isinstance(annotation, str):
        annotation = typing.ForwardRef(annotation)
    if isinstance(annotation, typing.ForwardRef):
        target = getattr(module, annotation.__forward_arg__, None)
        return _Shape("object", target) if isinstance(target, type) else _SCALAR
    origin = typing.get_origin(annotation)
    args = typing.get_args(annotation)
    if origin is None:
        return _Shape("object", annotation) if isinstance(annotation, type) and annotation.__name__.endswith(
            "Args") else _SCALAR
    if origin in (Mapping, dict) or (isinstance(origin, type) and issubclass(origin, Mapping)):
        return _Shape("map")
    if origin in (Sequence, list) or (isinstance(origin, type) and issubclass(origin, Sequence)
                                      and origin is not str):
        return _Shape("list", item=_shape(args[0], module) if args else _SCALAR)
    # Union (Optional, pulumi.Input = Union[T, Awaitable[T], Output[T]]): the first member that says more.
    for member in args:
        found = _shape(member, module)
        if found != _SCALAR:
            return found
    return _SCALAR


@cache
def _properties(args: type) -> dict[str, tuple[str, _Shape]]:
    """``{pulumi_name: (python_name, shape)}`` for an SDK ``...Args`` class (its ``@pulumi.getter`` properties)."""
    module = sys.modules.get(args.__module__)
    found: dict[str, tuple[str, _Shape]] = {}
    for python_name, member in vars(args).items():
        getter = getattr(member, "fget", None)
        if getter is None:
            continue
        wire = getattr(getter, "_pulumi_name", python_name)
        annotation = getattr(getter, "__annotations__", {}).get("return")
        found[wire] = (python_name, _shape(annotation, module) if annotation is not None else _SCALAR)
    return found


@cache
def _resource_args(pulumi_type: str) -> type | None:
    """The SDK's arguments class for a resource type (``pulumi_aws.s3.BucketArgs``, or ``<Name>InitArgs``); None
    when the SDK is not importable here."""
    package, _, rest = pulumi_type.partition(":")
    module_path, _, name = rest.partition(":")
    folder = module_path.split("/")[0]
    candidates = [f"pulumi_{package}.{folder}", f"pulumi_{package}.{folder}_", f"pulumi_{package}"]
    for candidate in candidates if folder != "index" else [f"pulumi_{package}"]:
        try:
            module = importlib.import_module(candidate)
        except ImportError:
            continue
        resource = getattr(module, name, None)
        own = sys.modules.get(getattr(resource, "__module__", ""))
        # When a nested input type has the resource's name, the SDK calls the resource's class ``<Name>InitArgs``.
        for found in (getattr(own, f"{name}InitArgs", None), getattr(own, f"{name}Args", None)):
            if isinstance(found, type):
                return found
    return None


def _singular(name: str) -> str:
    """Terraform names list blocks in the singular (``rule``); pulumi-aws names them in the plural (``rules``)."""
    for plural, single in (("ies", "y"), ("sses", "ss"), ("xes", "x"), ("ches", "ch"), ("shes", "sh")):
        if name.endswith(plural):
            return name[: -len(plural)] + single
    if name.endswith("s") and not name.endswith(("ss", "us", "is")):
        return name[:-1]
    return name


class _Converter:
    """Turns one resource's Pulumi inputs into Terraform attribute values (and marks secrets)."""

    def __init__(self, pulumi_type: str) -> None:
        self.type = pulumi_type
        self.renames: dict[str, str] = _data()["renames"].get(pulumi_type, {})
        self.plural: set[str] = set(_data()["plural_blocks"].get(pulumi_type, []))

    def tf_name(self, path: str, python_name: str, shape: _Shape) -> str:
        if path in self.renames:
            return self.renames[path]
        if shape.kind == "list" and shape.item is not None and shape.item.kind == "object" \
                and path not in self.plural:
            return _singular(python_name)
        return python_name

    def object(self, value: dict[str, Any], args: type | None, path: str) -> tuple[dict[str, Any], dict[str, Any]]:
        """Values and sensitive-value marks of an object (the resource's inputs, or a nested block)."""
        props = _properties(args) if args is not None else {}
        values: dict[str, Any] = {}
        sensitive: dict[str, Any] = {}
        for key, raw in value.items():
            python_name, shape = props.get(key, (_snake(key), _SCALAR))
            here = f"{path}.{key}" if path else key
            name = self.tf_name(here, python_name, shape)
            values[name], mark = self.value(raw, shape, here)
            if mark:
                sensitive[name] = mark
        return values, sensitive

    def value(self, raw: Any, shape: _Shape, path: str) -> tuple[Any, Any]:
        """``(value, sensitive mark)``: the mark is True for a secret, a dict/list of marks inside, else falsy.
        A single nested block (an object in Pulumi) becomes a one-item list, as Terraform plans hold blocks."""
        if isinstance(raw, dict) and set(raw) == {_SECRET}:
            value, _ = self.value(raw[_SECRET], shape, path)
            return value, True
        if isinstance(raw, float) and raw.is_integer():
            return int(raw), False
        if shape.kind == "object" and isinstance(raw, dict):
            values, marks = self.object(raw, shape.args, path)
            return [values], [marks] if marks else False
        if isinstance(raw, list):
            item = shape.item if shape.kind == "list" and shape.item is not None else _SCALAR
            pairs = [self.object(i, item.args, path) if item.kind == "object" and isinstance(i, dict)
                     else self.value(i, item, path) for i in raw]
            marks = [mark or False for _, mark in pairs]
            return [value for value, _ in pairs], marks if any(marks) else False
        if isinstance(raw, dict):  # a map: keys kept as written
            pairs = {key: self.value(item, _SCALAR, path) for key, item in raw.items()}
            marks = {key: mark for key, (_, mark) in pairs.items() if mark}
            return {key: value for key, (value, _) in pairs.items()}, marks or False
        return raw, False


def _snake(name: str) -> str:
    return re.sub(r"(?<=[a-z0-9])([A-Z])", r"_\1", name).lower()


# --- the plan ------------------------------------------------------------------------------------------------

def terraform_plan(record: dict[str, Any]) -> dict[str, Any]:
    """The Terraform plan JSON (a dict) of a synth record (see :func:`tapcheck.synth.run_synth`).

    Each custom resource with a known Terraform type becomes ``<tf_type>.<name>`` (the Pulumi name, characters
    Terraform does not allow in a name replaced by ``_``, ``_2``... on a clash). ``tapcheck.unmapped`` lists
    ``{"urn", "type"}`` of the resources left out for want of a Terraform type; ``tapcheck.sites`` maps each
    address to the file and line that created it, so a scanner's finding can be traced back to the program."""
    resources = [r for r in record.get("resources") or [] if r.get("custom") and not
                 str(r.get("type", "")).startswith("pulumi:providers:")]
    providers: dict[str, str] = _data()["providers"]
    addresses: dict[str, str] = {}  # urn -> address
    taken: set[str] = set()
    unmapped: list[dict[str, str]] = []
    for res in resources:
        tf_type = terraform_type(res["type"])
        if tf_type is None:
            unmapped.append({"urn": res["urn"], "type": res["type"]})
            continue
        base = _TF_NAME.sub("_", res["name"])
        base = base if base[:1].isalpha() or base[:1] == "_" else f"_{base}"
        name, n = base, 1
        while f"{tf_type}.{name}" in taken:
            n += 1
            name = f"{base}_{n}"
        taken.add(f"{tf_type}.{name}")
        addresses[res["urn"]] = f"{tf_type}.{name}"

    planned: list[dict[str, Any]] = []
    changes: list[dict[str, Any]] = []
    configured: list[dict[str, Any]] = []
    sites: dict[str, Any] = {}
    for res in resources:
        address = addresses.get(res["urn"])
        if address is None:
            continue
        tf_type, name = address.split(".", 1)
        provider = providers.get(res["type"].split(":", 1)[0], "")
        converter = _Converter(res["type"])
        values, sensitive = converter.object(res.get("inputs") or {}, _resource_args(res["type"]), "")
        common = {"address": address, "mode": "managed", "type": tf_type, "name": name, "provider_name": provider}
        planned.append({**common, "schema_version": 0, "values": values, "sensitive_values": sensitive})
        changes.append({**common, "change": {"actions": ["create"], "before": None, "after": values,
                                             "after_unknown": {}, "before_sensitive": False,
                                             "after_sensitive": sensitive}})
        configured.append({"address": address, "mode": "managed", "type": tf_type, "name": name,
                           "provider_config_key": provider.rsplit("/", 1)[-1],
                           "expressions": _expressions(res, converter, addresses)})
        if res.get("site"):
            sites[address] = res["site"]
    return {
        "format_version": FORMAT_VERSION,
        "terraform_version": TERRAFORM_VERSION,
        "planned_values": {"root_module": {"resources": planned}},
        "resource_changes": changes,
        "configuration": {
            "provider_config": {key.rsplit("/", 1)[-1]: {"name": key.rsplit("/", 1)[-1], "full_name": key}
                                for key in sorted({c["provider_name"] for c in planned if c["provider_name"]})},
            "root_module": {"resources": configured},
        },
        "tapcheck": {"stack": record.get("stack"), "project": record.get("project"), "unmapped": unmapped,
                     "sites": sites},
    }


def _expressions(res: dict[str, Any], converter: _Converter, addresses: dict[str, str]) -> dict[str, Any]:
    """``{attribute: {"references": [...]}}`` for each input that took another resource's output, in Terraform's
    form (``aws_s3_bucket.data.id`` then ``aws_s3_bucket.data``); other inputs as ``constant_value``."""
    props = _properties(args) if (args := _resource_args(res["type"])) is not None else {}
    depends: dict[str, list[str]] = res.get("property_dependencies") or {}
    out: dict[str, Any] = {}
    for key in res.get("inputs") or {}:
        python_name, shape = props.get(key, (_snake(key), _SCALAR))
        name = converter.tf_name(key, python_name, shape)
        refs: list[str] = []
        for urn in depends.get(key) or []:
            if urn in addresses:
                refs += [f"{addresses[urn]}.id", addresses[urn]]
        out[name] = {"references": refs} if refs else {"constant_value": None}
    return out


# --- command line --------------------------------------------------------------------------------------------

def add_arguments(parser: argparse.ArgumentParser) -> None:
    """``PATH [--stack S] [--format terraform-plan] [-o FILE] [--python PY] [--timeout SECONDS]``."""
    parser.add_argument("path", nargs="?", default=".", metavar="PATH", help="the Pulumi project (default: .)")
    parser.add_argument("--stack", help="stack whose config to use (default: dev, else the first stack file)")
    parser.add_argument("--format", choices=FORMATS, default=FORMATS[0], help="output format")
    parser.add_argument("-o", "--output", metavar="FILE", help="write here instead of standard output")
    parser.add_argument("--python", metavar="INTERPRETER", help="interpreter to run the program with")
    parser.add_argument("--timeout", type=float, default=120.0, metavar="SECONDS",
                        help="time limit for the program run (default 120)")


def run(args: argparse.Namespace) -> int:
    """Synth the project and write the plan; returns the exit code."""
    from .cli import interpreter_problem, output_problem  # noqa: PLC0415 - cli imports this module lazily

    for problem in (output_problem(args.output), interpreter_problem(args.python)):
        if problem:
            print(f"tapcheck export: error: {problem}", file=sys.stderr)
            return 2
    try:
        project = Project(args.path, args.stack)
    except ProjectError as exc:
        print(f"tapcheck export: error: {exc}", file=sys.stderr)
        return 2
    if project.project_file is None or project.load_error is not None:
        print(f"tapcheck export: error: no loadable Pulumi.yaml in {args.path}", file=sys.stderr)
        return 2
    result = run_synth(project, stack=project.stack_name, timeout=args.timeout, python=args.python)
    if result.record is None or not result.record.get("ok"):
        for found in result.findings:
            print(f"{found.path}:{found.line}: {found.rule} {found.message}", file=sys.stderr)
        for note in result.notes:
            print(f"note: {note}", file=sys.stderr)
        print("tapcheck export: the program did not run to the end under mocks; nothing written", file=sys.stderr)
        return 1
    plan = terraform_plan(result.record)
    for item in plan["tapcheck"]["unmapped"]:
        print(f"tapcheck export: no Terraform type for {item['type']} ({item['urn']}): left out", file=sys.stderr)
    text = json.dumps(plan, indent=2, sort_keys=False) + "\n"
    if args.output:
        Path(args.output).write_text(text, encoding="utf-8")
    else:
        sys.stdout.write(text)
    return 0
