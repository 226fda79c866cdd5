"""Graph rules on the synth record: TAP012, TAP014/TAP020/TAP027 (synth parts), TAP021-TAP023,
TAP025, TAP026, TAP028-TAP030. Each returns nothing when synth did not run.

Findings point at the line that created the resource (recorded by the runner), narrowed to the keyword argument
that holds the offending input when the call can be found in the source.
"""

from __future__ import annotations

import ast
import ipaddress
import json
import keyword
import re
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .. import engines, sdkargs
from ..findings import Finding, finding
from ..limits import AUTONAME_SUFFIX, NAME_LIMITS
from ..project import Project, normalize_tag, placeholder_secret
from .base import Context
from .code import is_export, json_container, module_level, placeholder_image, program_sources, secret_input

STAGE = "aws:apigateway/stage:Stage"
RANDOM_SECRET_TYPES = ("random:index/randomPassword:RandomPassword", "random:index/randomString:RandomString",
                       "random:index/randomId:RandomId", "random:index/randomUuid:RandomUuid")


def snake(name: str) -> str:
    """``masterPassword`` -> ``master_password`` (the Python keyword for a camelCase input)."""
    return re.sub(r"(?<=[a-z0-9])([A-Z])", r"_\1", name).lower()


def unwrap(value: Any) -> Any:
    """Strip the runner's secret marker."""
    while isinstance(value, dict) and set(value) == {"__secret__"}:
        value = value["__secret__"]
    return value


def is_production(stack: str) -> bool:
    """``prod``/``production``, alone or as a ``-``/``_``/``.`` separated word (``app-prod-eu``)."""
    return any(part in ("prod", "production") for part in re.split(r"[-_.]", stack.lower()))


def resources(ctx: Context) -> list[dict[str, Any]]:
    """The recorded resources (empty without synth)."""
    return list((ctx.record or {}).get("resources") or [])


def label(res: dict[str, Any]) -> str:
    """``aws.rds.Cluster 'db'`` style label from a type token."""
    typ = res["type"]
    parts = typ.split(":")
    if len(parts) == 3:
        module = parts[1].split("/")[0]
        module = f"{module}_" if keyword.iskeyword(module) else module  # aws.lambda_ in Python
        pretty = f"{parts[0]}.{module}.{parts[2]}" if module != "index" else f"{parts[0]}.{parts[2]}"
    else:
        pretty = typ
    return f"{pretty} '{res['name']}'"


class Locator:
    """Finds the source line of a resource's keyword argument from the recorded constructor site."""

    def __init__(self, project: Project) -> None:
        self.project = project
        self._calls: dict[str, list[ast.Call]] = {}

    def calls_in(self, rel: str) -> list[ast.Call]:
        """Every call in a project file (cached)."""
        if rel not in self._calls:
            src = self.project.source(self.project.root / rel)
            tree = src.tree if src else None
            self._calls[rel] = [n for n in ast.walk(tree) if isinstance(n, ast.Call)] if tree else []
        return self._calls[rel]

    def where(self, res: dict[str, Any], prop: str | None = None, literal: str | None = None) -> tuple[str, int]:
        """(path, line) of the resource's call, of the string ``literal`` written inside that call, or of its
        ``prop`` keyword, whichever is found first (so synth findings meet the static ones on one line)."""
        site = res.get("site")
        if not site:
            entry = self.project.layout.entry
            return (self.project.rel(entry) if entry else self.project.project_file_rel), 1
        path, line = site["path"], site["line"]
        if prop is None:
            return path, line
        keyword = snake(prop)
        spanning = sorted((c for c in self.calls_in(path) if c.lineno <= line <= (c.end_lineno or c.lineno)),
                          key=lambda c: (c.end_lineno or c.lineno) - c.lineno)
        if literal:
            for call in spanning:
                for node in ast.walk(call):
                    if isinstance(node, ast.Constant) and node.value == literal:
                        return path, node.lineno
        for call in spanning:
            for node in ast.walk(call):  # the keyword itself, or inside ResourceOptions(...)
                if isinstance(node, ast.keyword) and node.arg in (keyword, prop):
                    return path, node.value.lineno
        return path, line

    def where_key(self, res: dict[str, Any], key: str) -> tuple[str, int]:
        """(path, line) of a dict key ``key`` written as a string: inside the resource's call, else the first dict
        literal or ``d["key"] = ...`` in the program using it (a dict built by a helper), else the resource's call."""
        path, line = self.where(res)
        site = res.get("site")
        if site:
            spanning = [c for c in self.calls_in(path) if c.lineno <= line <= (c.end_lineno or c.lineno)]
            for call in sorted(spanning, key=lambda c: (c.end_lineno or c.lineno) - c.lineno):
                for node in ast.walk(call):
                    if isinstance(node, ast.Dict):
                        for k in node.keys:
                            if isinstance(k, ast.Constant) and k.value == key:
                                return path, k.lineno
        for src in self.project.sources():
            if self.project.is_test_file(src.path) or src.tree is None:
                continue
            for node in src.nodes:
                keys = node.keys if isinstance(node, ast.Dict) else [
                    node.slice] if isinstance(node, ast.Subscript) and isinstance(node.ctx, ast.Store) else []
                found = next((k for k in keys if isinstance(k, ast.Constant) and k.value == key), None)
                if found is not None:
                    return self.project.rel(src.path), found.lineno
        return path, line


# ----- TAP012 / TAP014 ----------------------------------------------------------------------------------------
def tap012(ctx: Context) -> list[Finding]:
    """The ``stack`` export is missing, or is not the stack name."""
    if not ctx.synth_ok or ctx.record is None:
        return []
    p = ctx.project
    exports = ctx.record.get("exports") or {}
    entry = p.layout.entry
    rel = p.rel(entry) if entry else p.project_file_rel
    if "stack" not in exports:
        line = 1
        src = p.source(entry) if entry else None
        if src and src.tree:
            lines = [n.lineno for n in module_level(src.tree) if is_export(n)]  # type: ignore[attr-defined]
            line = max(lines, default=len(src.lines) or 1)
        return [finding("TAP012", rel, line, "the program does not export 'stack': integration tests and CI look "
                                             "the deployed stack up through it")]
    value = unwrap(exports["stack"].get("value"))
    if value != ctx.stack:
        site = exports["stack"].get("site") or {"path": rel, "line": 1}
        return [finding("TAP012", site["path"], site["line"],
                        f"export 'stack' is {value!r}, not the stack name {ctx.stack!r} from pulumi.get_stack()")]
    return []


def tap014_synth(ctx: Context) -> list[Finding]:
    """Exports whose resolved value is a string holding a JSON list or map."""
    if ctx.record is None:
        return []
    p = ctx.project
    out = []
    for name, exp in (ctx.record.get("exports") or {}).items():
        value = unwrap(exp.get("value"))
        if json_container(value):
            site = exp.get("site") or {"path": p.rel(p.layout.entry) if p.layout.entry else "", "line": 1}
            kind = "list" if value.strip().startswith("[") else "map"
            out.append(finding("TAP014", site["path"], site["line"],
                               f"export '{name}' is a string holding a JSON {kind} ({value[:60]!r}): consumers get a "
                               "string, not a list/map",
                               f"Export the {kind} itself; consumers read it with `pulumi stack output --json`."))
    return out


# ----- TAP020 -------------------------------------------------------------------------------------------------
@dataclass
class ProgramValues:
    """Strings the program did not fix itself: pulumi_random results, secure config values, outputs other
    resources produce (ids, ARNs, endpoints the provider would return) and what data sources and stack references
    return. ``plain`` maps plain-text config values to
    their keys."""

    generated: set[str]
    outputs: set[str]
    plain: dict[str, str]

    def is_derived(self, value: str) -> bool:
        """True when ``value`` holds, or is a long slice of, a generated secret, or holds another resource's output,
        or is an ARN (a reference to a secret, not the secret)."""
        if value == "__unknown__" or value.startswith("arn:"):
            return True
        if any(s in value or (len(value) >= 8 and value in s) for s in self.generated):
            return True
        return any(o in value for o in self.outputs)


def _json_strings(value: Any) -> set[str]:
    """``value`` and, when it is a JSON document, every string inside it."""
    if not isinstance(value, str):
        return set()
    try:
        doc = json.loads(value) if value.lstrip().startswith(("{", "[")) else None
    except ValueError:
        doc = None
    found = {value}
    stack = [doc]
    while stack:
        item = stack.pop()
        if isinstance(item, str):
            found.add(item)
        elif isinstance(item, dict):
            stack += item.values()
        elif isinstance(item, list):
            stack += item
    return found


def program_values(ctx: Context) -> ProgramValues:
    """What :class:`ProgramValues` needs, from the record and the stack's config."""
    generated: set[str] = set()
    outputs: set[str] = set()
    for res in resources(ctx):
        echoed = {json.dumps(unwrap(v), sort_keys=True, default=str) for v in (res.get("inputs") or {}).values()}
        for key, raw in (res.get("outputs") or {}).items():
            value = unwrap(raw)
            if not isinstance(value, str) or len(value) < 6:
                continue
            if res["type"] in RANDOM_SECRET_TYPES and key in ("result", "hex", "b64Url", "b64Std"):
                generated.add(value)
            elif json.dumps(value) not in echoed:  # made by the provider, not a literal input echoed back
                outputs.add(value)
    # Data-source results and stack references' outputs come from the account, like resource outputs; so do the
    # fields of a JSON document among them (a Secrets Manager secret's password).
    for value in (ctx.record or {}).get("provided") or []:
        outputs |= {v for v in _json_strings(value) if len(v) >= 6}
    values, secure = ctx.project.effective_config(ctx.stack)
    generated |= {placeholder_secret(k) for k in secure}
    plain = {str(v): k for k, v in values.items() if k not in secure and isinstance(v, str) and len(v) >= 4}
    return ProgramValues(generated, outputs, plain)


def _secret_values(key: str, value: Any) -> Iterator[tuple[str, str]]:
    """(what, string) pairs that must not be literals: the input itself, or password entries of a JSON object."""
    value = unwrap(value)
    if not isinstance(value, str) or not value or value == "__unknown__":
        return
    if value.lstrip().startswith("{") and not value.startswith("{{resolve:"):
        try:
            doc = json.loads(value)
        except ValueError:
            doc = None
        if isinstance(doc, dict):
            for inner, item in doc.items():
                if isinstance(item, str) and item and secret_input(str(inner), item):
                    yield f"{key}['{inner}']", item
            return
    yield key, value


def tap020_synth(ctx: Context) -> list[Finding]:
    """Password/secret inputs whose value the program fixes itself: a literal, or computed from literals or from
    Python's ``random`` (a new value every run). Generated secrets, secure config and other resources' outputs are
    fine. A CloudFormation dynamic reference is reported as what it is: Pulumi passes it through unresolved."""
    if ctx.record is None:
        return []
    known = program_values(ctx)
    loc = Locator(ctx.project)
    out = []
    for res in resources(ctx):
        if not res["type"].startswith("aws:"):
            continue
        for key, raw in (res.get("inputs") or {}).items():
            if not secret_input(key) or isinstance(unwrap(raw), (bool, int, float)):
                continue
            for what, value in _secret_values(key, raw):
                if what == key and not secret_input(key, value):
                    continue  # the input's own enumerated value
                path, line = loc.where(res, key, literal=value)
                if value.startswith("{{resolve:"):
                    out.append(finding(
                        "TAP020", path, line,
                        f"{label(res)} input `{snake(what)}` is the CloudFormation dynamic reference '{value[:60]}': "
                        "Pulumi does not resolve it, so AWS receives that text itself as the secret",
                        "Read the secret with `aws.secretsmanager.get_secret_version_output(secret_id=...)"
                        ".secret_string`, or use `manage_master_user_password=True`."))
                    continue
                if known.is_derived(value):
                    continue
                source = (f"the plain-text config value '{known.plain[value]}'" if value in known.plain
                          else "a value the program fixes itself (a literal, or computed from literals or Python's "
                               "random)")
                out.append(finding("TAP020", path, line,
                                   f"{label(res)} input `{snake(what)}` is {source}, not a pulumi_random result or "
                                   "a secret config value"))
    return out


# ----- TAP021 -------------------------------------------------------------------------------------------------
def tap021(ctx: Context) -> list[Finding]:
    """Every VPC needs a flow log whose ``vpc_id`` is that VPC."""
    res_list = resources(ctx)
    logged = {unwrap((r.get("inputs") or {}).get("vpcId")) for r in res_list if r["type"] == "aws:ec2/flowLog:FlowLog"}
    loc = Locator(ctx.project)
    out = []
    for res in res_list:
        if res["type"] == "aws:ec2/vpc:Vpc" and res.get("id") not in logged:
            path, line = loc.where(res)
            out.append(finding("TAP021", path, line, f"{label(res)} has no flow log (no aws.ec2.FlowLog with "
                                                     "vpc_id=<this vpc>.id): network traffic is not audited"))
    return out


# ----- TAP022 -------------------------------------------------------------------------------------------------
def _file_assets(value: Any) -> Iterator[tuple[str, str]]:
    value = unwrap(value)
    if isinstance(value, dict):
        kind = value.get("__asset__") or value.get("__archive__")
        if kind == "file" and isinstance(value.get("path"), str):
            yield ("FileAsset" if "__asset__" in value else "FileArchive"), value["path"]
        for item in value.values():
            yield from _file_assets(item)
    elif isinstance(value, list):
        for item in value:
            yield from _file_assets(item)


def tap022(ctx: Context) -> list[Finding]:
    """File assets/archives whose path does not exist relative to the program folder (the host's cwd)."""
    if ctx.record is None:
        return []
    p = ctx.project
    pwd = p.layout.pwd
    sites = ctx.record.get("asset_sites") or {}
    loc = Locator(p)
    out = []
    for res in resources(ctx):
        for key, value in (res.get("inputs") or {}).items():
            for kind, raw in _file_assets(value):
                target = Path(raw).expanduser()
                resolved = target if target.is_absolute() else pwd / target
                if resolved.exists():
                    continue
                site = sites.get(raw)
                path, line = (site["path"], site["line"]) if site else loc.where(res, key)
                shown = p.rel(resolved)
                out.append(finding(
                    "TAP022", path, line,
                    f"{kind}({raw!r}) in {label(res)} resolves to {shown}, which does not exist: Pulumi runs the "
                    f"program from `{p.rel(pwd) or '.'}/`",
                    "Build the path from the program file: `str(Path(__file__).parent / \"lambda\")`, or make it "
                    f"relative to `{p.rel(pwd) or '.'}/`."))
    return out


# ----- TAP023 / TAP034 ----------------------------------------------------------------------------------------
def _engine_versions(ctx: Context) -> Iterator[tuple[dict[str, Any], dict[str, Any], str, str]]:
    """(resource, inputs, engine, version) of every RDS resource whose engine and version the program fixes."""
    for res in resources(ctx):
        if not res["type"].startswith("aws:rds/"):
            continue
        inputs = res.get("inputs") or {}
        engine, version = unwrap(inputs.get("engine")), unwrap(inputs.get("engineVersion"))
        if isinstance(engine, str) and isinstance(version, str) and version:
            yield res, inputs, engine, version


def tap023(ctx: Context) -> list[Finding]:
    """Hard-coded engine versions RDS has retired (dated table in :mod:`tapcheck.engines`); a version newer than
    the table is only a note, since AWS may have released it after the table was made. A major in RDS Extended
    Support is created (TAP034 warns about the charges) unless the program opts out of Extended Support."""
    loc = Locator(ctx.project)
    out = []
    for res, inputs, engine, version in _engine_versions(ctx):
        path, line = loc.where(res, "engineVersion")
        extended = engines.extended_support(engine, version)
        if extended is not None:
            if unwrap(inputs.get("engineLifecycleSupport")) == engines.EXTENDED_SUPPORT_DISABLED:
                out.append(finding(
                    "TAP023", path, line,
                    f"{label(res)}: {engine} {engines.major_of(engine, version)} ended RDS standard support on "
                    f"{extended[0]} and engine_lifecycle_support opts out of RDS Extended Support, so RDS does not "
                    "create it",
                    f"Use a major version in standard support (offered: "
                    f"{', '.join(engines.suggestions(engine, '99'))}), or drop engine_lifecycle_support."))
            continue
        found = engines.status(engine, version)
        if found == "newer":
            ctx.notes.append(f"TAP023: {label(res)} ({path}:{line}) uses {engine} {version}, newer than the engine "
                             f"table (dated {engines.TABLE_DATE}); not checked")
        elif found == "retired":
            offered = engines.suggestions(engine, version)
            quoted = ", ".join(f'"{v}"' for v in offered)
            out.append(finding(
                "TAP023", path, line,
                f"{label(res)}: engine_version \"{version}\" is not a version RDS offers for new {engine} databases "
                f"(table dated {engines.TABLE_DATE}; offered: {quoted})",
                f"Look the version up: `aws.rds.get_engine_version(engine=\"{engine}\", preferred_versions=["
                f"{quoted}]).version`, or pin one of: {quoted}."))
    return out


def tap034(ctx: Context) -> list[Finding]:
    """Hard-coded engine versions whose major is past the RDS end of standard support: RDS creates them enrolled in
    RDS Extended Support, which is charged per vCPU-hour (or ACU-hour) on top of the instance."""
    loc = Locator(ctx.project)
    out = []
    for res, inputs, engine, version in _engine_versions(ctx):
        extended = engines.extended_support(engine, version)
        if extended is None or unwrap(inputs.get("engineLifecycleSupport")) == engines.EXTENDED_SUPPORT_DISABLED:
            continue  # TAP023 reports the opted-out case: RDS refuses it
        path, line = loc.where(res, "engineVersion")
        major = engines.major_of(engine, version)
        out.append(finding(
            "TAP034", path, line,
            f"{label(res)}: {engine} {major} ended RDS standard support on {extended[0]}; RDS creates it in RDS "
            f"Extended Support, charged on top of the instance until {extended[1]}, when RDS upgrades it",
            f"Move to a major in standard support (offered: {', '.join(engines.suggestions(engine, '99'))}), or "
            f"keep {major} knowingly and budget for Extended Support."))
    return out


# ----- TAP024 (synth) -----------------------------------------------------------------------------------------
def tap024_synth(ctx: Context) -> list[Finding]:
    """Nested keys the provider does not know, read from what the program registered (so dicts returned by
    helpers or built in loops count too), against the wire names of the installed SDK's ``*Args`` classes.

    A resource's ``unknown_keys`` entry, when the synth runner recorded one (``sdkargs.unknown_wire_keys`` run in
    the program's process), is used as is."""
    if ctx.record is None:
        return []
    if not sdkargs.sdk_available():
        ctx.notes.append("TAP024 checked only the dict literals written in resource calls: pulumi_aws is not "
                         "importable by the checker, so the registered inputs were not compared with its wire names")
        return []
    loc = Locator(ctx.project)
    out = []
    for res in resources(ctx):
        # The runner may have compared the inputs already, where the program's SDK modules were loaded;
        # otherwise compare here, for modules this process has loaded (importing more costs seconds).
        problems = res["unknown_keys"] if "unknown_keys" in res else sdkargs.unknown_wire_keys(res, False)
        for problem in problems:
            path, line = loc.where_key(res, problem["key"])
            where = f"{label(res)} input `{snake(problem['path'][0])}`" + "".join(
                f"[{seg!r}]" for seg in problem["path"][1:])
            hint = f"; did you mean '{problem['suggestion']}'?" if problem["suggestion"] else ""
            fix = (f"Rename '{problem['key']}' to '{problem['suggestion']}'." if problem["suggestion"] else
                   f"Use one of the {problem['args']} properties: {', '.join(problem['valid'][:12])}.")
            out.append(finding("TAP024", path, line, f"unknown property '{problem['key']}' in {where}: "
                                                     f"{problem['args']} has no such property{hint}", fix))
    return out


# ----- TAP025 -------------------------------------------------------------------------------------------------
def tap025(ctx: Context) -> list[Finding]:
    """Usage plans, WAF associations and base-path mappings naming a stage without depending on the Stage."""
    res_list = resources(ctx)
    stage_urns = {r["urn"] for r in res_list if r["type"] == STAGE}
    parents = {r["urn"]: r.get("parent") for r in res_list}

    def reaches_stage(deps: list[str]) -> bool:
        return any(dep in stage_urns or any(parents.get(s) == dep for s in stage_urns) for dep in deps)

    loc = Locator(ctx.project)
    out = []
    for res in res_list:
        inputs = res.get("inputs") or {}
        named: list[tuple[str, str]] = []
        if res["type"] == "aws:apigateway/usagePlan:UsagePlan":
            for item in unwrap(inputs.get("apiStages")) or []:
                stage = unwrap(item.get("stage")) if isinstance(item, dict) else None
                if isinstance(stage, str):
                    named.append(("apiStages", stage))
        elif res["type"] in ("aws:apigateway/basePathMapping:BasePathMapping",
                             "aws:apigateway/methodSettings:MethodSettings"):
            stage = unwrap(inputs.get("stageName"))
            if isinstance(stage, str):
                named.append(("stageName", stage))
        elif res["type"] == "aws:wafv2/webAclAssociation:WebAclAssociation":
            arn = unwrap(inputs.get("resourceArn"))
            if isinstance(arn, str) and "/stages/" in arn:
                named.append(("resourceArn", arn.rsplit("/stages/", 1)[1]))
        if named and not reaches_stage(res.get("dependencies") or []):
            prop, stage = named[0]
            path, line = loc.where(res, prop)
            out.append(finding(
                "TAP025", path, line,
                f"{label(res)} names stage '{stage}' by string but does not depend on the aws.apigateway.Stage: AWS "
                f"answers \"API Stage not found\" when it is created first"))
    return out


# ----- TAP026 -------------------------------------------------------------------------------------------------
def tap026(ctx: Context) -> list[Finding]:
    """Physical names against the AWS limits table, counting Pulumi's 8-character auto-name suffix."""
    loc = Locator(ctx.project)
    out = []
    for res in resources(ctx):
        row = NAME_LIMITS.get(res["type"])
        if row is None:
            continue
        inputs = res.get("inputs") or {}
        explicit = unwrap(inputs.get(row.prop))
        if isinstance(explicit, str):
            if explicit == "__unknown__":
                continue
            name, how = explicit, f"`{snake(row.prop)}` '{explicit}'"
            problems = row.problems(name)
            prop: str | None = row.prop
        elif explicit is None and row.autonames and not any(k.endswith("Prefix") for k in inputs):
            logical = res["name"].lower() if row.lowercase_auto else res["name"]
            name = f"{logical}-abcdefg"
            how = f"auto-name '{logical}-xxxxxxx' (logical name + {AUTONAME_SUFFIX} characters)"
            problems = row.problems(name)
            prop = None
        else:
            continue
        if problems:
            path, line = loc.where(res, prop)
            out.append(finding("TAP026", path, line, f"{label(res)}: {how} {'; '.join(dict.fromkeys(problems))}",
                               f"Shorten or fix the name: {row.label} names allow {row.described}, "
                               f"{row.min_len}-{row.max_len} characters (leave {AUTONAME_SUFFIX} for auto-naming)."))
    return out


# ----- TAP027 (synth) -----------------------------------------------------------------------------------------
def _images(res: dict[str, Any]) -> Iterator[tuple[str, str]]:
    inputs = res.get("inputs") or {}
    if res["type"] == "aws:ecs/taskDefinition:TaskDefinition":
        defs = unwrap(inputs.get("containerDefinitions"))
        if isinstance(defs, str):
            try:
                defs = json.loads(defs)
            except ValueError:
                defs = None
        for item in defs if isinstance(defs, list) else []:
            image = unwrap(item.get("image")) if isinstance(item, dict) else None
            if isinstance(image, str):
                yield "containerDefinitions", image
    elif res["type"] == "aws:lambda/function:Function":
        image = unwrap(inputs.get("imageUri"))
        if isinstance(image, str):
            yield "imageUri", image


def tap027_synth(ctx: Context) -> list[Finding]:
    """Container images in task definitions and Lambda functions that are placeholders: not from config and not
    built from another resource's output (an ECR repository URL)."""
    if ctx.record is None:
        return []
    values, _ = ctx.project.effective_config(ctx.stack)
    configured = {str(v) for v in values.values()}
    built = program_values(ctx).outputs  # e.g. f"{repo.repository_url}:latest": the program's own image
    literals = {n.value for s in program_sources(ctx.project) for n in s.nodes or []
                if isinstance(n, ast.Constant) and isinstance(n.value, str)}
    loc = Locator(ctx.project)
    out = []
    for res in resources(ctx):
        for prop, image in _images(res):
            why = placeholder_image(image)
            repository = image.rsplit("@", 1)[0].rsplit(":", 1)[0] if ":" in image.rsplit("/", 1)[-1] else image
            written = any(repository in text for text in literals)  # else computed, e.g. from an output
            if why and written and image not in configured and not any(o in image for o in built):
                path, line = loc.where(res, prop, literal=image)
                out.append(finding("TAP027", path, line, f"{label(res)} runs a hard-coded image: {why}"))
    return out


# ----- TAP028 -------------------------------------------------------------------------------------------------
_DESTROY_BLOCKERS: dict[str, list[tuple[str, Any, str]]] = {
    # type -> (input, offending value or "not-true", what it does)
    "aws:rds/cluster:Cluster": [("deletionProtection", True, "deletion protection blocks the delete"),
                                ("skipFinalSnapshot", "not-true", "a final snapshot is required, so destroy fails "
                                                                  "without final_snapshot_identifier")],
    "aws:rds/instance:Instance": [("deletionProtection", True, "deletion protection blocks the delete"),
                                  ("skipFinalSnapshot", "not-true", "a final snapshot is required, so destroy fails "
                                                                    "without final_snapshot_identifier")],
    "aws:docdb/cluster:Cluster": [("deletionProtection", True, "deletion protection blocks the delete"),
                                  ("skipFinalSnapshot", "not-true", "a final snapshot is required")],
    "aws:neptune/cluster:Cluster": [("deletionProtection", True, "deletion protection blocks the delete"),
                                    ("skipFinalSnapshot", "not-true", "a final snapshot is required")],
    "aws:redshift/cluster:Cluster": [("skipFinalSnapshot", "not-true", "a final snapshot is required")],
    "aws:lb/loadBalancer:LoadBalancer": [("enableDeletionProtection", True, "deletion protection blocks the delete")],
    "aws:alb/loadBalancer:LoadBalancer": [("enableDeletionProtection", True, "deletion protection blocks the "
                                                                             "delete")],
    "aws:ec2/instance:Instance": [("disableApiTermination", True, "termination protection blocks the delete")],
    "aws:dynamodb/table:Table": [("deletionProtectionEnabled", True, "deletion protection blocks the delete")],
    "aws:s3/bucket:Bucket": [("forceDestroy", "not-true", "a non-empty bucket cannot be deleted without "
                                                          "force_destroy=True")],
    "aws:s3/bucketV2:BucketV2": [("forceDestroy", "not-true", "a non-empty bucket cannot be deleted without "
                                                              "force_destroy=True")],
    "aws:ecr/repository:Repository": [("forceDelete", "not-true", "a repository with images cannot be deleted "
                                                                  "without force_delete=True")],
}


_OBJECTS = ("aws:s3/bucketObject:BucketObject", "aws:s3/bucketObjectv2:BucketObjectv2",
            "aws:s3/objectCopy:ObjectCopy")
_VERSIONING = ("aws:s3/bucketVersioningV2:BucketVersioningV2", "aws:s3/bucketVersioning:BucketVersioning")


def _buckets_with_managed_objects(res_list: list[dict[str, Any]]) -> set[str]:
    """URNs of buckets whose known contents are objects this program manages and that keep no old versions:
    ``pulumi destroy`` deletes those objects first (they depend on the bucket), so the bucket is empty by then."""
    def keys(res: dict[str, Any]) -> set[str]:
        outputs = res.get("outputs") or {}
        return {str(v) for v in (res.get("id"), unwrap(outputs.get("bucket"))) if v}

    buckets = {r["urn"]: keys(r) for r in res_list if r["type"] in ("aws:s3/bucket:Bucket", "aws:s3/bucketV2:BucketV2")}
    holding = {str(unwrap((r.get("inputs") or {}).get("bucket"))) for r in res_list if r["type"] in _OBJECTS}
    versioned = {str(unwrap((r.get("inputs") or {}).get("bucket"))) for r in res_list if r["type"] in _VERSIONING
                 and str(unwrap(((r.get("inputs") or {}).get("versioningConfiguration") or {}).get("status"))) !=
                 "Suspended"}
    versioned |= {k for r in res_list if r["urn"] in buckets
                  and unwrap(((r.get("inputs") or {}).get("versioning") or {}).get("enabled")) is True
                  for k in buckets[r["urn"]]}
    return {urn for urn, ks in buckets.items() if ks & holding and not ks & versioned}


def tap028(ctx: Context) -> list[Finding]:
    """Settings that stop ``pulumi destroy`` from cleaning a non-production stack."""
    if ctx.record is None or is_production(ctx.stack):
        return []
    loc = Locator(ctx.project)
    out = []
    fix = ("Derive it from the stack: `is_prod = pulumi.get_stack() in (\"prod\", \"production\")` and enable it "
           "only when is_prod (skip_final_snapshot=not is_prod, force_destroy=not is_prod).")
    res_list = resources(ctx)
    managed = _buckets_with_managed_objects(res_list)
    for res in res_list:
        inputs = res.get("inputs") or {}
        options = res.get("options") or {}
        for option, text in (("protect", "protect=True"), ("retainOnDelete", "retain_on_delete=True")):
            if options.get(option):
                path, line = loc.where(res, option)
                out.append(finding("TAP028", path, line, f"{label(res)} has {text} in non-production stack "
                                                         f"'{ctx.stack}': destroy leaves it behind or fails", fix))
        for prop, bad, what in _DESTROY_BLOCKERS.get(res["type"], []):
            if prop == "forceDestroy" and res["urn"] in managed:
                continue  # its objects are the program's: destroy deletes them before the bucket
            value = unwrap(inputs.get(prop))
            hit = (value is not True and value != "true") if bad == "not-true" else value in (True, "true")
            if hit:
                path, line = loc.where(res, prop)
                state = f"{snake(prop)}={value!r}" if value is not None else f"{snake(prop)} is not set"
                out.append(finding("TAP028", path, line,
                                   f"{label(res)} in non-production stack '{ctx.stack}': {state}, {what}", fix))
    return out


# ----- TAP029 -------------------------------------------------------------------------------------------------
def _tag_keys(value: Any) -> set[str]:
    value = unwrap(value)
    if isinstance(value, str):
        try:
            value = json.loads(value)
        except ValueError:
            return set()
    if isinstance(value, dict):
        return {str(k) for k in value}
    if isinstance(value, list):  # autoscaling-group style [{key, value, propagateAtLaunch}]
        return {str(unwrap(i.get("key"))) for i in value if isinstance(i, dict) and i.get("key")}
    return set()


def _default_tags(value: Any) -> set[str]:
    value = unwrap(value)
    if isinstance(value, str):
        try:
            value = json.loads(value)
        except ValueError:
            return set()
    return _tag_keys(value.get("tags")) if isinstance(value, dict) else set()


#: Types whose ``tags`` are not cost-allocation tags. S3 object tags label objects for lifecycle and access rules;
#: S3 cost allocation uses bucket tags only ("Using cost allocation S3 bucket tags",
#: https://docs.aws.amazon.com/AmazonS3/latest/userguide/CostAllocTagging.html). IAM identities and policies are
#: not billed, so their tags never reach the cost reports ("Organizing and tracking costs using AWS cost allocation
#: tags", https://docs.aws.amazon.com/awsaccountbilling/latest/aboutv2/cost-alloc-tags.html).
NOT_COST_ALLOCATED = frozenset({
    "aws:s3/bucketObject:BucketObject", "aws:s3/bucketObjectv2:BucketObjectv2", "aws:s3/objectCopy:ObjectCopy",
    "aws:iam/role:Role", "aws:iam/policy:Policy", "aws:iam/user:User", "aws:iam/instanceProfile:InstanceProfile",
    "aws:iam/openIdConnectProvider:OpenIdConnectProvider", "aws:iam/samlProvider:SamlProvider",
    "aws:iam/serverCertificate:ServerCertificate", "aws:iam/virtualMfaDevice:VirtualMfaDevice",
})


def tap029(ctx: Context) -> list[Finding]:
    """Taggable AWS resources whose tags are cost-allocation tags, without the required ones (own tags + provider
    default tags)."""
    if ctx.record is None:
        return []
    required = ctx.project.settings.required_tags
    providers = {r["urn"]: r for r in resources(ctx) if r["type"].startswith("pulumi:providers:")}
    values, _ = ctx.project.effective_config(ctx.stack)
    stack_defaults = _default_tags(values.get("aws:defaultTags"))
    loc = Locator(ctx.project)
    out = []
    for res in resources(ctx):
        if not res.get("taggable") or not res["type"].startswith("aws:") or res["type"] in NOT_COST_ALLOCATED:
            continue
        tags = _tag_keys((res.get("inputs") or {}).get("tags"))
        provider_ref = res.get("provider")
        if provider_ref:
            provider = providers.get(provider_ref.rsplit("::", 1)[0])
            tags |= _default_tags((provider or {}).get("inputs", {}).get("defaultTags"))
        else:
            tags |= stack_defaults
        have = {normalize_tag(t) for t in tags}
        missing = [t for t in required if normalize_tag(t) not in have]
        if missing:
            wanted = ", ".join(json.dumps(t) + ": ..." for t in required)
            path, line = loc.where(res, "tags" if "tags" in (res.get("inputs") or {}) else None)
            out.append(finding("TAP029", path, line,
                               f"{label(res)} lacks the cost-allocation tag{'s' if len(missing) > 1 else ''} "
                               f"{', '.join(missing)}",
                               f"Tag everything through the provider: aws.Provider(..., default_tags={{\"tags\": "
                               f"{{{wanted}}}}}) (or `aws:defaultTags` in the stack config); set required-tags in "
                               "[tool.tapcheck] to change the list."))
    return out


# ----- TAP030 -------------------------------------------------------------------------------------------------
def _network(value: Any) -> ipaddress.IPv4Network | ipaddress.IPv6Network | None:
    value = unwrap(value)
    if not isinstance(value, str):
        return None
    try:
        return ipaddress.ip_network(value, strict=False)
    except ValueError:
        return None


def tap030(ctx: Context) -> list[Finding]:
    """Subnets outside their VPC's CIDRs, or overlapping another subnet of the same VPC."""
    res_list = resources(ctx)
    vpc_cidrs: dict[Any, list[Any]] = defaultdict(list)
    for res in res_list:
        inputs = res.get("inputs") or {}
        if res["type"] == "aws:ec2/vpc:Vpc" and (net := _network(inputs.get("cidrBlock"))):
            vpc_cidrs[res.get("id")].append(net)
        elif res["type"] == "aws:ec2/vpcIpv4CidrBlockAssociation:VpcIpv4CidrBlockAssociation" \
                and (net := _network(inputs.get("cidrBlock"))):
            vpc_cidrs[unwrap(inputs.get("vpcId"))].append(net)
    loc = Locator(ctx.project)
    out = []
    by_vpc: dict[Any, list[tuple[Any, dict[str, Any]]]] = defaultdict(list)
    for res in res_list:
        if res["type"] != "aws:ec2/subnet:Subnet":
            continue
        inputs = res.get("inputs") or {}
        net = _network(inputs.get("cidrBlock"))
        vpc = unwrap(inputs.get("vpcId"))
        if net is None:
            continue
        path, line = loc.where(res, "cidrBlock")
        parents = vpc_cidrs.get(vpc)
        if parents and not any(net.version == v.version and net.subnet_of(v) for v in parents):  # type: ignore
            out.append(finding("TAP030", path, line,
                               f"{label(res)} CIDR {net} is outside its VPC's CIDR "
                               f"{', '.join(str(v) for v in parents)}"))
        for other_net, other in by_vpc[vpc]:
            if net.version == other_net.version and net.overlaps(other_net):
                opath, oline = loc.where(other, "cidrBlock")
                out.append(finding("TAP030", path, line, f"{label(res)} CIDR {net} overlaps {label(other)} "
                                                         f"{other_net} ({opath}:{oline})"))
                break
        by_vpc[vpc].append((net, res))
    return out


RULES = [tap012, tap014_synth, tap020_synth, tap021, tap022, tap023, tap024_synth, tap025, tap026,
         tap027_synth, tap028, tap029, tap030, tap034]
