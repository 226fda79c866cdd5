"""Pulumi policy packs offline: a CrossGuard pack (Python, ``pulumi_policy``) evaluated against synth's record.

Pulumi runs a pack at ``pulumi preview --policy-pack DIR`` as an analyzer plugin: ``pulumi.policy``'s entry point
(pulumi/pulumi ``sdk/python/lib/pulumi/policy/__main__.py``) runs the pack folder's ``__main__.py``
(``runpy.run_path``, working folder = the pack) with the stack's config in ``PULUMI_CONFIG`` and the project and
stack in ``PULUMI_PROJECT`` / ``PULUMI_STACK`` (``constructEnv`` in pulumi/pulumi
``sdk/go/common/resource/plugin/analyzer_plugin.go``); ``PolicyPack(...)`` then serves the policies over gRPC and
the engine calls ``Analyze`` for each resource and ``AnalyzeStack`` once for the whole stack (pulumi/pulumi-policy
``sdk/python/lib/pulumi_policy/policy.py``; https://www.pulumi.com/docs/iac/using-pulumi/crossguard/).

Here the pack's ``__main__.py`` runs the same way, but ``PolicyPack.__init__`` is intercepted so that it hands over
its policies instead of serving them, and each policy's ``validate`` is called with ``ResourceValidationArgs`` /
``StackValidationArgs`` built from the record: type, properties (camelCase, as the engine names them, secrets
unwrapped), URN, name, options, provider, parent and dependencies. Enforcement levels follow the analyzer's order:
the pack's ``initial_config`` for the policy (or for ``all``), else the policy's own level, else the pack's
(advisory when unset). Violations become TAP060 findings at the line that created the resource.

The pack runs in the checker's process, on the record, after synth: like Pulumi's analyzer it is apart from the
program, and the generated repos' unit tests call the same :func:`violations` on their own synth records. It needs
``pulumi_policy`` in the interpreter that runs the checker (the pack's own dependency); without it the report says
so in a note.
"""

from __future__ import annotations

import contextlib
import contextvars
import inspect
import json
import os
import runpy
import sys
import threading
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .findings import ERROR, WARNING, Finding, finding
from .project import Project, ProjectError
from .rules.graph import label

RULE = "TAP060"
PACK_FILE = "PulumiPolicy.yaml"
# Pulumi's enforcement levels (pulumi_policy.EnforcementLevel values) -> finding severity; "disabled" reports nothing.
# "remediate" is reported as "mandatory" when a violation remains, as the analyzer does.
SEVERITIES = {"mandatory": ERROR, "remediate": ERROR, "advisory": WARNING}
_SECRET = "__secret__"
_UNKNOWN = "__unknown__"
_LOAD_LOCK = threading.Lock()  # the interception patches a class shared by the whole process


class PolicyPackError(Exception):
    """A pack that cannot be evaluated: ``pulumi_policy`` missing, the folder not a pack, or its program failing."""


@dataclass(frozen=True)
class Violation:
    """One ``report_violation`` call: ``pack`` and ``policy`` names, the enforcement ``level`` it was reported at
    (``mandatory`` or ``advisory``), the policy's ``description`` plus the ``message`` (Pulumi shows both), and the
    ``urn`` of the resource concerned (None for a stack policy that named none)."""

    pack: str
    policy: str
    level: str
    description: str
    message: str
    urn: str | None


@dataclass
class _Pack:
    name: str
    policies: list[Any]
    enforcement_level: Any
    initial_config: dict[str, Any]


def _level(value: Any) -> str | None:
    """An ``EnforcementLevel`` or its string value -> the string (None when unset)."""
    if value is None:
        return None
    return str(getattr(value, "value", value)).lower()


@contextlib.contextmanager
def _analyzer_environment(folder: Path, env: dict[str, str]) -> Iterator[None]:
    """The process as the analyzer plugin starts: the pack folder as working folder, the CLI's variables set."""
    saved = {key: os.environ.get(key) for key in env}
    cwd = os.getcwd()
    os.environ.update(env)
    os.chdir(folder)
    try:
        yield
    finally:
        os.chdir(cwd)
        for key, value in saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value


def _load(folder: Path, env: dict[str, str]) -> _Pack:
    """Run the pack's program with ``PolicyPack.__init__`` intercepted; the pack it constructs. Modules the pack
    imports from its own folder are forgotten afterwards, so two packs with a ``controls.py`` each do not mix."""
    import pulumi_policy  # noqa: PLC0415 - importable: evaluate() checked
    from pulumi_policy import policy as sdk  # noqa: PLC0415

    if not (folder / PACK_FILE).is_file() or not (folder / "__main__.py").is_file():
        raise PolicyPackError(f"{folder} is not a Python policy pack (it needs {PACK_FILE} and __main__.py)")
    captured: list[_Pack] = []
    original = sdk.PolicyPack.__init__
    parameters = inspect.signature(original)

    def capture(self: Any, *args: Any, **kwargs: Any) -> None:
        bound = parameters.bind(self, *args, **kwargs)
        bound.apply_defaults()
        values = bound.arguments
        policies = values["policies"]
        if not isinstance(policies, list) or not all(isinstance(p, pulumi_policy.Policy) for p in policies):
            raise TypeError("Expected policies to be a list of policies")
        captured.append(_Pack(str(values["name"]), policies, values["enforcement_level"],
                              dict(values["initial_config"] or {})))

    before = set(sys.modules)
    with _LOAD_LOCK, _analyzer_environment(folder, env):
        sdk.PolicyPack.__init__ = capture  # type: ignore[method-assign]
        try:
            runpy.run_path(str(folder), run_name="__main__")
        except Exception as exc:  # the pack's own error: reported, not a crash of the checker
            raise PolicyPackError(f"policy pack {folder.name}: {type(exc).__name__}: {exc}") from exc
        finally:
            sdk.PolicyPack.__init__ = original  # type: ignore[method-assign]
            root = str(folder.resolve())
            for name in set(sys.modules) - before:
                filename = getattr(sys.modules[name], "__file__", None) or ""
                if filename and str(Path(filename).resolve()).startswith(root):
                    del sys.modules[name]
    if not captured:
        raise PolicyPackError(f"policy pack {folder.name}: __main__.py constructed no PolicyPack")
    return captured[-1]


def policy_names(folder: str | os.PathLike[str]) -> list[str]:
    """The names of the policies the pack in ``folder`` defines, in its order (the names violations, Pulumi's
    output and ``--policy-pack-config`` use), loaded without a stack. Raises :class:`PolicyPackError` as
    :func:`evaluate` does."""
    return _with_pack(folder, _env({}, "", ""), lambda pack: [policy.name for policy in pack.policies])


def _plain(value: Any, unknown: str) -> Any:
    """A record value as the policy SDK deserializes it: secrets unwrapped, unknowns as the SDK's sentinel."""
    if isinstance(value, dict):
        if set(value) == {_SECRET}:
            return _plain(value[_SECRET], unknown)
        return {key: _plain(item, unknown) for key, item in value.items()}
    if isinstance(value, list):
        return [_plain(item, unknown) for item in value]
    return unknown if value == _UNKNOWN else value


def _enforcement(pack: _Pack, policy: Any) -> str:
    """The analyzer's order: the pack's config for this policy, then for ``all``, then the policy's level, then
    the pack's, advisory when none is set."""
    for key in (policy.name, "all"):
        config = pack.initial_config.get(key)
        level = _level(config.get("enforcementLevel") if isinstance(config, dict) else config)
        if level:
            return level
    return _level(policy.enforcement_level) or _level(pack.enforcement_level) or "advisory"


def _policy_config(pack: _Pack, policy: Any) -> dict[str, Any]:
    """The properties the pack's ``initial_config`` gives the policy (``args.get_config()``), schema defaults first."""
    config = {key: spec["default"] for key, spec in ((policy.config_schema.properties if policy.config_schema
                                                      else None) or {}).items()
              if isinstance(spec, dict) and "default" in spec}
    given = pack.initial_config.get(policy.name)
    if isinstance(given, dict):
        config |= {key: value for key, value in given.items() if key != "enforcementLevel"}
    return config


def evaluate(folder: str | os.PathLike[str], record: dict[str, Any], *, config: dict[str, Any] | None = None,
             project: str | None = None, stack: str | None = None) -> list[Violation]:
    """Evaluate the Python policy pack in ``folder`` against a synth record (``python -m tapcheck --synth-out``,
    :func:`tapcheck.synth.synth_stacks`): every resource policy on every resource, then every stack policy on them
    all; a resource's properties are its inputs and the outputs the mocks added. ``config`` is the stack's config as
    the CLI passes it to the pack (namespaced key -> value; default: none); ``project`` and ``stack`` default to the
    record's. Returns the violations, disabled policies left out.

    Raises :class:`PolicyPackError` when ``pulumi_policy`` is not importable, ``folder`` is not a pack, the pack's
    program fails, or a policy's ``validate`` raises (Pulumi fails the preview then too)."""
    env = _env(config or {}, project or str(record.get("project") or ""), stack or str(record.get("stack") or ""))
    return _with_pack(folder, env, lambda pack: _validate(pack, record))


def _env(config: dict[str, Any], project: str, stack: str) -> dict[str, str]:
    """The variables the CLI gives a policy pack (``constructEnv``); ``pulumi preview`` is a dry run."""
    return {"PULUMI_CONFIG": json.dumps(config), "PULUMI_PROJECT": project, "PULUMI_STACK": stack,
            "PULUMI_DRY_RUN": "true"}


def _with_pack(folder: str | os.PathLike[str], env: dict[str, str], use: Any) -> Any:
    """``use(pack)`` for the pack in ``folder``, loaded and used in the analyzer's environment ``env``."""
    try:  # the pack's dependency (it brings pulumi), imported only when a pack is evaluated
        import pulumi_policy  # noqa: PLC0415, F401
        from pulumi.runtime import config as runtime_config  # noqa: PLC0415
    except ImportError as exc:
        raise PolicyPackError(f"{sys.executable} cannot import pulumi_policy ({exc}); install `pulumi-policy` in the "
                              "environment that runs tapcheck (the pack's own requirement)") from exc
    root = Path(folder).resolve()

    def run() -> Any:
        runtime_config.CONFIG.set({})  # config comes from PULUMI_CONFIG, as in the plugin, not from a test's mocks
        pack = _load(root, env)
        with _analyzer_environment(root, env):
            return use(pack)

    return contextvars.copy_context().run(run)


def _validate(pack: _Pack, record: dict[str, Any]) -> list[Violation]:
    from pulumi_policy import (  # noqa: PLC0415
        PolicyProviderResource,
        PolicyResource,
        PolicyResourceOptions,
        ResourceValidationArgs,
        ResourceValidationPolicy,
        StackValidationArgs,
        StackValidationPolicy,
    )

    # args.not_applicable() raises this private class; the analyzer treats it as "no violation".
    from pulumi_policy.policy import PolicyCustomTimeouts, _NotApplicableError  # noqa: PLC0415
    from pulumi_policy.proxy import UNKNOWN_STRING_VALUE, UnknownValueError, unknown_checking_proxy  # noqa: PLC0415

    resources = [r for r in record.get("resources") or [] if r.get("urn")]
    by_urn = {r["urn"]: r for r in resources}

    def props(res: dict[str, Any]) -> Any:
        merged = {**(res.get("outputs") or {}), **(res.get("inputs") or {})}
        merged.pop("id", None)
        return unknown_checking_proxy(_plain(merged, UNKNOWN_STRING_VALUE))

    def options(res: dict[str, Any]) -> Any:
        opts = res.get("options") or {}
        return PolicyResourceOptions(bool(opts.get("protect")), [], None, [], PolicyCustomTimeouts(0, 0, 0), [],
                                     res.get("parent"))

    def provider(res: dict[str, Any]) -> Any:
        urn = str(res.get("provider") or "").split("::")
        ref = by_urn.get("::".join(urn[:-1])) if len(urn) > 1 else None  # "<provider urn>::<provider id>"
        return PolicyProviderResource(ref["type"], props(ref), ref["urn"], ref["name"]) if ref else None

    violations: list[Violation] = []

    def reporter(policy: Any, level: str, default_urn: str | None) -> Any:
        def report_violation(message: str, urn: str | None = None) -> None:
            violations.append(Violation(pack.name, policy.name, level, policy.description, message or "",
                                        default_urn or urn))
        return report_violation

    def call(policy: Any, args: Any, report: Any) -> None:
        try:
            result = policy.validate(args, report)
            if inspect.isawaitable(result):
                import asyncio  # noqa: PLC0415 - only async policies need it; the bake's static check never does

                asyncio.run(_awaited(result))
        except (UnknownValueError, _NotApplicableError):
            return  # Pulumi reports an unknown during preview as a diagnostic, and "not applicable" as nothing
        except Exception as exc:
            raise PolicyPackError(f"policy '{policy.name}' of pack '{pack.name}' raised {type(exc).__name__}: "
                                  f"{exc}") from exc

    # What every policy sees of a resource, built once: properties, options, provider.
    seen = {res["urn"]: (props(res), options(res), provider(res)) for res in resources}
    levels = {policy.name: _enforcement(pack, policy) for policy in pack.policies}
    active = [p for p in pack.policies if levels[p.name] != "disabled"]
    for policy in active:
        if not isinstance(policy, ResourceValidationPolicy) or not policy.has_validation():
            continue
        level = "mandatory" if levels[policy.name] == "remediate" else levels[policy.name]
        for res in resources:
            properties, opts, provider_resource = seen[res["urn"]]
            args = ResourceValidationArgs(res["type"], properties, res["urn"], res["name"], opts, provider_resource,
                                          _policy_config(pack, policy))
            call(policy, args, reporter(policy, level, res["urn"]))
    stack_policies = [p for p in active if isinstance(p, StackValidationPolicy)]
    if stack_policies:
        nodes = {res["urn"]: PolicyResource(res["type"], seen[res["urn"]][0], res["urn"], res["name"],
                                            *seen[res["urn"]][1:], None, [], {}) for res in resources}
        for res in resources:
            node = nodes[res["urn"]]
            node.parent = nodes.get(res.get("parent") or "")
            node.dependencies = [nodes[u] for u in res.get("dependencies") or [] if u in nodes]
            node.property_dependencies = {key: [nodes[u] for u in urns if u in nodes]
                                          for key, urns in (res.get("property_dependencies") or {}).items()}
        for policy in stack_policies:
            level = "mandatory" if levels[policy.name] == "remediate" else levels[policy.name]
            call(policy, StackValidationArgs(list(nodes.values()), _policy_config(pack, policy)),
                 reporter(policy, level, None))
    return violations


async def _awaited(result: Any) -> Any:
    return await result


def pack_folders(project: Project, given: Sequence[str | os.PathLike[str]] = ()) -> list[Path]:
    """The packs to evaluate: ``given`` (``--policy-pack``, relative to the working folder) then ``[tool.tapcheck]
    policy-packs`` (relative to the project root), each once. Raises :class:`ProjectError` for a path that is not a
    pack's folder (missing, a file, or without PulumiPolicy.yaml and __main__.py)."""
    folders: list[Path] = []
    for path in [Path(p).resolve() for p in given] + [project.root / p for p in project.settings.policy_packs]:
        if not path.is_dir():
            raise ProjectError(f"no such policy pack folder: {path}" if not path.exists() else
                               f"policy pack {path} is a file; give the pack's folder")
        if not (path / PACK_FILE).is_file() or not (path / "__main__.py").is_file():
            raise ProjectError(f"{path} is not a Python policy pack (it needs {PACK_FILE} and __main__.py)")
        if path.resolve() not in folders:
            folders.append(path.resolve())
    return folders


def _site(project: Project, res: dict[str, Any] | None, by_urn: dict[str, dict[str, Any]]) -> tuple[str, int]:
    """Where the program created the resource, else where it created the nearest ancestor that has a line (a
    resource a library created), else the entry point."""
    seen: set[str] = set()
    while res is not None and res.get("urn") not in seen:
        seen.add(res.get("urn"))
        site = res.get("site")
        if site and site.get("path"):
            return site["path"], int(site.get("line") or 1)
        res = by_urn.get(res.get("parent") or "")
    entry = project.layout.entry
    return (project.rel(entry) if entry else project.project_file_rel), 1


@dataclass(frozen=True)
class Located:
    """A violation with where the program created the resource: ``path`` (project-relative) and 1-based ``line``,
    and ``what`` it concerns (``aws.s3.Bucket 'logs'``, or ``the stack``)."""

    violation: Violation
    path: str
    line: int
    what: str

    @property
    def message(self) -> str:
        """``aws.s3.Bucket 'logs' violates policy 's3-encrypted' (mandatory) of pack 'guardrails': <message>``."""
        item = self.violation
        return (f"{self.what} violates policy '{item.policy}' ({item.level}) of pack '{item.pack}': "
                f"{item.message or item.description}")

    def __str__(self) -> str:
        return f"{self.path}:{self.line}: {self.message}"


def violations(project: Project, record: dict[str, Any], folder: str | os.PathLike[str]) -> list[Located]:
    """Evaluate the pack in ``folder`` on ``record`` with the config of the record's stack as ``project`` reads it
    (what the CLI passes to the pack), each violation placed at the line that created its resource. Raises
    :class:`PolicyPackError` as :func:`evaluate` does."""
    stack = str(record.get("stack") or project.stack_name)
    config = json.loads(project.host_config(stack)[0])
    by_urn = {r["urn"]: r for r in record.get("resources") or [] if r.get("urn")}
    located: list[Located] = []
    for item in evaluate(folder, record, config=config, project=project.name, stack=stack):
        res = by_urn.get(item.urn or "")
        path, line = _site(project, res, by_urn)
        located.append(Located(item, path, line, label(res) if res else "the stack"))
    return located


def check_packs(project: Project, record: dict[str, Any], folders: Sequence[Path]) -> tuple[list[Finding], list[str]]:
    """TAP060 findings for the violations of every pack in ``folders`` on the stack ``record`` describes, one finding
    per program line (a loop or a component creates several resources at one line), an error when any of its
    violations is mandatory, else a warning; and notes for packs that could not be evaluated."""
    notes: list[str] = []
    at: dict[tuple[str, int], list[Located]] = {}
    for folder in folders:
        try:
            for item in violations(project, record, folder):
                at.setdefault((item.path, item.line), []).append(item)
        except PolicyPackError as exc:
            notes.append(f"TAP060 skipped for policy pack {project.rel(folder)}: {exc}")
    findings: list[Finding] = []
    for (path, line), items in at.items():
        told = dict.fromkeys(item.message for item in items)
        mandatory = any(SEVERITIES.get(item.violation.level) == ERROR for item in items)
        fixes = dict.fromkeys(item.violation.description for item in items)
        findings.append(finding(RULE, path, line, "; ".join(told),
                                " ".join(fixes) + " (`pulumi preview --policy-pack DIR` enforces the same policies)",
                                severity=ERROR if mandatory else WARNING))
    return findings, notes
