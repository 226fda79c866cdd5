"""Run a Pulumi Python program exactly as the language host does, against mocks, and record what it builds.

Started as a file (``python run_program.py JOB OUT``) so that ``sys.path[0]`` is this folder, never the
project, like ``pulumi-language-python-exec`` (pulumi/pulumi ``sdk/python/cmd/pulumi-language-python-exec``).
This folder holds nothing importable but this script. The tapcheck package is loaded by file location under a
private name, so its parent folder (the project root in generated repos) is never put on ``sys.path``.

The record (JSON) has ``status``, ``resources``, ``exports``, ``error`` (None, or ``type``, ``message``,
``location``, ``traceback`` and, for failures inside Output callbacks, ``created_at`` and ``fed``),
``unexpanded`` (multi-language components the mocks could not expand: ``type``, ``name``, ``urn``),
``stack_references`` (each ``pulumi.StackReference``: ``name``, ``stack``, ``site`` and the ``outputs`` the program
read, whose values the mocks answer as unknown) and ``notes``. Each resource has ``unknown_keys``: the nested keys
its SDK's ``*Args`` classes do not know (``tapcheck.sdkargs.unknown_wire_keys``). A value no one can know offline
(one fed by another stack's outputs) is recorded as ``"__unknown__"``, in inputs and exports alike.

Only the standard library and ``pulumi`` (and ``pulumi_aws`` when the program uses it) are needed here.
"""

from __future__ import annotations

import asyncio
import functools
import gc
import importlib
import importlib.util
import inspect
import itertools
import json
import os
import re
import runpy
import sys
import sysconfig
import threading
import traceback
from pathlib import Path
from typing import Any, NamedTuple

_ALIAS = "_tapcheck_runtime"
# Attributes the runner sets on an exception raised while computing an Output: where that Output was created,
# and which resource input or export it fed.
_CREATED_AT = "_tapcheck_created_at"
_FED = "_tapcheck_fed"
# Pulumi's wire format for secrets (pulumi SDK ``pulumi/runtime/rpc.py``): {SIG_KEY: SECRET_SIG, "value": v}.
_SIG_KEY = "4dabf18193072939515e22adb298388d"
_SECRET_SIG = "1b47061264138c4ac30d75fd1eb44270"
# The mocks' mark on a map whose keys AWS chooses (``tapcheck.shapes.ANY_KEY``): not a key of the program's map.
_ANY_KEY = "__tapcheck_any_key__"
# The mocks' mark on a value no one can know offline (``tapcheck.shapes.UNKNOWN_KEY``), recorded as unknown.
_UNKNOWN_KEY = "__tapcheck_unknown__"
_UNKNOWN = "__unknown__"
# Values whose serialization cannot fail (pulumi SDK ``pulumi/runtime/rpc.py``, ``serialize_property``).
_SCALARS = (str, int, float, bool, type(None))


def _load_package(package_dir: str) -> Any:
    """Import tapcheck under a private name from its folder, without touching sys.path."""
    init = Path(package_dir) / "__init__.py"
    spec = importlib.util.spec_from_file_location(_ALIAS, init, submodule_search_locations=[package_dir])
    if spec is None or spec.loader is None:
        raise ImportError(f"cannot load tapcheck from {package_dir}")
    module = importlib.util.module_from_spec(spec)
    sys.modules[_ALIAS] = module
    spec.loader.exec_module(module)
    return module


class _Sites:
    """Maps objects created by the program to the innermost project frame that created them."""

    def __init__(self, root: str, excluded: list[str]) -> None:
        self.root = os.path.normcase(os.path.realpath(root)) + os.sep
        self.excluded = [os.path.normcase(os.path.realpath(e)) + os.sep for e in excluded]
        self._cache: dict[str, str | None] = {}

    def project_file(self, filename: str) -> str | None:
        """Absolute path when ``filename`` is a project source file (not a dependency), else None."""
        if filename not in self._cache:
            full = os.path.normcase(os.path.realpath(filename))
            inside = full.startswith(self.root) and f"{os.sep}site-packages{os.sep}" not in full
            inside = inside and not any(full.startswith(e) for e in self.excluded)
            self._cache[filename] = full if inside else None
        return self._cache[filename]

    def here(self) -> dict[str, Any] | None:
        """The innermost project frame on the current stack (this runner's own frames are excluded)."""
        frame = inspect.currentframe()
        while frame is not None:
            path = self.project_file(frame.f_code.co_filename)
            if path is not None:
                return {"path": path, "line": frame.f_lineno}
            frame = frame.f_back
        return None


def _plain(value: Any, rpc: Any, depth: int = 0) -> Any:
    """Make an input or output JSON-able; secrets become ``{"__secret__": value}``."""
    pulumi = sys.modules["pulumi"]
    if depth > 40:
        return "<too deep>"
    if isinstance(value, dict):
        if value.get(_SIG_KEY) == _SECRET_SIG:
            return {"__secret__": _plain(value.get("value"), rpc, depth + 1)}
        if _UNKNOWN_KEY in value:
            return _UNKNOWN
        return {str(k): _plain(v, rpc, depth + 1) for k, v in value.items() if k != _ANY_KEY}
    if isinstance(value, (list, tuple)):
        return [_plain(v, rpc, depth + 1) for v in value]
    if value is None or isinstance(value, (bool, int, float, str)):
        return value
    if isinstance(value, pulumi.FileAsset):
        return {"__asset__": "file", "path": str(value.path)}
    if isinstance(value, pulumi.StringAsset):
        return {"__asset__": "string"}
    if isinstance(value, pulumi.RemoteAsset):
        return {"__asset__": "remote", "uri": value.uri}
    if isinstance(value, pulumi.FileArchive):
        return {"__archive__": "file", "path": str(value.path)}
    if isinstance(value, pulumi.RemoteArchive):
        return {"__archive__": "remote", "uri": value.uri}
    if isinstance(value, pulumi.AssetArchive):
        return {"__archive__": "assets", "assets": {k: _plain(v, rpc, depth + 1) for k, v in value.assets.items()}}
    if isinstance(value, pulumi.Resource):
        return {"__resource__": type(value).__name__}
    if value is rpc.UNKNOWN or type(value).__name__ == "Unknown":
        return _UNKNOWN
    return str(value)


@functools.cache
def _accepts_tags(cls: Any) -> bool:
    """Whether the SDK class takes a ``tags`` input (computed from the SDK, so it follows SDK changes)."""
    if cls is None:
        return False
    pulumi = sys.modules["pulumi"]
    if not issubclass(cls, pulumi.CustomResource) or issubclass(cls, pulumi.ProviderResource):
        return False
    init = getattr(cls, "_internal_init", None) or cls.__init__
    try:
        return "tags" in inspect.signature(init).parameters
    except (TypeError, ValueError):
        return False


def _one_line(text: str) -> str:
    """All lines of an exception's text on one line: tabs and newlines collapsed to single spaces."""
    return " ".join(text.split())


def _cause(exc: BaseException) -> BaseException | None:
    """The exception ``exc`` was raised from or while handling. The SDK re-raises a failed resource's exception
    ``from`` itself when the program ends (pulumi/pulumi ``sdk/python/lib/pulumi/runtime/stack.py``
    ``run_pulumi_func``), so a cause that is ``exc`` itself gives way to its context."""
    cause = exc.__cause__
    return cause if cause is not None and cause is not exc else exc.__context__


def _tag(exc: BaseException | None, key: str) -> Any:
    """The value the runner attached to ``exc`` (or to an exception it was raised from), else None."""
    seen: set[int] = set()
    while exc is not None and id(exc) not in seen:
        seen.add(id(exc))
        if key in vars(exc):
            return vars(exc)[key]
        exc = _cause(exc)
    return None


# The SDK re-raises a ValueError/AssertionError met while serializing a resource's inputs as a new exception whose
# text embeds the input's repr (``<pulumi.output.Output object at 0x7f...>``): pulumi/pulumi
# ``sdk/python/lib/pulumi/runtime/rpc.py`` ``serialize_properties`` and ``runtime/resource.py`` ``register_resource``.
_SDK_WRAPPER = re.compile(r"^While processing (?:input|resource): ")
# A memory address in an object's default repr: different on every run, so never part of a message.
_ADDRESS = re.compile(r" at 0x[0-9a-fA-F]+")


def _program_error(exc: BaseException) -> BaseException:
    """The program's own exception under the SDK's "While processing ..." wrappers (each raised ``from`` it)."""
    seen: set[int] = set()
    while id(exc) not in seen and _SDK_WRAPPER.match(str(exc)) and (cause := _cause(exc)) is not None:
        seen.add(id(exc))
        exc = cause
    return exc


# Errors a program written for another major version of a provider SDK raises: a removed argument (TypeError), a
# removed attribute or module (AttributeError, ImportError).
_SDK_ERRORS = (TypeError, AttributeError, ImportError)
_SDK_MODULE = re.compile(r"^(?:pulumi|pulumiverse)_[A-Za-z0-9_]+$")
_SDK_NAMED = re.compile(r"\b((?:pulumi|pulumiverse)_[A-Za-z0-9_]+)")


def _sdk_packages(exc: BaseException, sites: _Sites) -> list[dict[str, str]]:
    """The provider SDKs (``pulumi_aws``, ``pulumi_docker``, ...) an SDK-shaped error (``_SDK_ERRORS``) was raised
    inside (a frame of an installed SDK, not of the project) or names, each with its installed distribution and
    version: ``[{"module": "pulumi_aws", "distribution": "pulumi-aws", "version": "7.51.1"}]``."""
    if not isinstance(exc, _SDK_ERRORS):
        return []
    modules = set(_SDK_NAMED.findall(str(exc)))
    if isinstance(exc, ImportError) and exc.name:
        modules.add(exc.name)
    for frame in traceback.extract_tb(exc.__traceback__):
        if not sites.project_file(frame.filename):
            modules.update(part for part in Path(frame.filename).parts[:-1] if _SDK_MODULE.match(part))
    tops = sorted({name.split(".")[0] for name in modules if _SDK_MODULE.match(name.split(".")[0])})
    if not tops:
        return []
    metadata = importlib.import_module("importlib.metadata")  # only on this path: it costs the run's start time
    providers = metadata.packages_distributions()
    found = []
    for top in tops:
        for distribution in sorted(set(providers.get(top, ()))):
            try:
                found.append({"module": top, "distribution": distribution,
                              "version": metadata.version(distribution)})
            except metadata.PackageNotFoundError:
                continue
    return found


def _format_error(exc: BaseException, sites: _Sites) -> dict[str, Any]:
    """The error record: exception ``type``, full ``message`` on one line, ``location`` (innermost project frame,
    or None) and the project part of the ``traceback``, for the program's own exception (the SDK's wrappers
    removed) with memory addresses removed, so that the record is the same on every run. For an exception raised
    while computing an Output (an ``apply``/``concat``/``format`` callback), also ``created_at``: the project line
    that created that Output, and ``fed``: what consumed it (an input of a resource, or an export), when known; for an
    error raised in or about a provider SDK, ``sdk``: those SDKs' installed versions (``_sdk_packages``)."""
    exc = _program_error(exc)
    frames = [f for f in traceback.extract_tb(exc.__traceback__) if sites.project_file(f.filename)]
    text = _ADDRESS.sub("", "".join(traceback.format_exception_only(type(exc), exc)).strip())
    location: dict[str, Any] | None = None
    if isinstance(exc, SyntaxError) and exc.filename and sites.project_file(exc.filename):
        location = {"path": sites.project_file(exc.filename), "line": exc.lineno or 1}
    elif frames:
        location = {"path": sites.project_file(frames[-1].filename), "line": frames[-1].lineno or 1}
    user_tb = "".join(traceback.format_list(frames))
    message = _one_line(text) or type(exc).__name__
    error: dict[str, Any] = {"type": type(exc).__name__, "message": message, "location": location,
                             "traceback": "Traceback (most recent call last):\n" + user_tb + text}
    sdk = _sdk_packages(exc, sites)
    if sdk:
        error["sdk"] = sdk
    created_at, fed = _tag(exc, _CREATED_AT), _tag(exc, _FED)
    if created_at is not None:
        error["created_at"] = created_at
    if fed is not None:
        error["fed"] = fed
    return error


def _parent_key(urn: str | None) -> tuple[str | None, str | None]:
    """``(type, name)`` of the resource a parent URN names (``urn:pulumi:<stack>::<project>::<a>$<b>::<name>``: the
    type is the last ``$``-separated part; https://www.pulumi.com/docs/iac/concepts/resources/names/#urns). The
    stack resource, which is every top-level resource's parent, counts as no parent."""
    if not urn:
        return None, None
    parts = urn.split("::")
    if len(parts) < 4:
        return None, None
    typ, name = parts[2].rsplit("$", 1)[-1], "::".join(parts[3:])
    return (None, None) if typ == "pulumi:pulumi:Stack" else (typ, name)


class _Recorder:
    """Everything the program builds, with the project line that built it.

    Wraps ``Resource.__init__``, ``pulumi.export`` and file assets to note their construction sites, and
    provides a mock monitor/mocks pair that records each registration (duplicates included) with its inputs,
    options, provider, parent and dependencies (all, and per input).
    """

    def __init__(self, pulumi: Any, rpc: Any, sites: _Sites) -> None:
        self.pulumi, self.rpc, self.sites = pulumi, rpc, sites
        # (type, name, parent type, parent name) -> [(construction seq, site)]
        self.resource_sites: dict[tuple[Any, ...], list[Any]] = {}
        self.classes: dict[tuple[str, str], Any] = {}
        self.export_sites: dict[str, Any] = {}
        self.asset_sites: dict[str, Any] = {}
        self.records: list[dict[str, Any]] = []
        self.unexpanded: list[dict[str, str]] = []
        self.unset_config: dict[str, Any] = {}  # full config key read but not set -> the project line that read it
        # StackReference name -> {"name", "stack", "site", "outputs": names the program read}
        self.stack_references: dict[str, dict[str, Any]] = {}
        self.local = threading.local()
        self.counter = itertools.count()

    def install(self) -> None:
        """Wrap the SDK entry points the program calls (only in this throw-away process)."""
        pulumi, recorder = self.pulumi, self
        original_init, original_export = pulumi.Resource.__init__, pulumi.export

        def resource_init(self: Any, t: str, name: str, *args: Any, **kwargs: Any) -> None:
            key = (t, name)
            # Resource.__init__(t, name, custom, props, opts, ...): the parent tells apart resources of equal type and
            # name under different components, whose registrations arrive in thread order.
            opts = kwargs.get("opts", args[2] if len(args) > 2 else None)
            parent = getattr(opts, "parent", None)
            scoped = (*key, getattr(parent, "_type", None), getattr(parent, "_name", None))
            recorder.resource_sites.setdefault(scoped, []).append((next(recorder.counter), recorder.sites.here()))
            recorder.classes.setdefault(key, type(self))
            original_init(self, t, name, *args, **kwargs)

        def export(name: str, value: Any) -> None:
            recorder.export_sites.setdefault(name, recorder.sites.here())
            original_export(name, value)

        # Every Config.get*/require* reads through Config._get (pulumi/config.py); older SDKs lack it.
        original_config_get = vars(pulumi.Config).get("_get")

        def config_get(self: Any, key: str, *args: Any, **kwargs: Any) -> Any:
            value = original_config_get(self, key, *args, **kwargs)
            if value is None:
                recorder.unset_config.setdefault(self.full_key(key), recorder.sites.here())
            return value

        pulumi.Resource.__init__ = resource_init
        pulumi.export = export
        if original_config_get is not None:
            pulumi.Config._get = config_get
        self._watch_outputs()
        self._watch_stack_references()
        for asset_cls in (pulumi.FileAsset, pulumi.FileArchive):
            def asset_init(self: Any, path: Any, _orig: Any = asset_cls.__init__) -> None:
                recorder.asset_sites.setdefault(str(path), recorder.sites.here())
                _orig(self, path)

            asset_cls.__init__ = asset_init

    def _watch_outputs(self) -> None:
        """Note where the program derives Outputs, and what they feed, so a failing callback can be placed.

        ``apply`` (which ``Output.concat`` and ``Output.format`` use) notes the project line that called it; an
        exception its callback raises gets that line (the innermost Output's, as the exception then travels
        unchanged through the Outputs derived from it). Serializing a resource's inputs notes the input and resource
        an exception came through. Cost: one walk up the stack to the first project frame per ``apply`` call, one
        wrapper call per callback, and one wrapper coroutine per input value that is not a plain scalar.
        """
        output_cls, rpc, sites = self.pulumi.Output, self.rpc, self.sites
        original_apply = output_cls.apply
        original_serialize = rpc.serialize_property

        def apply(self: Any, func: Any, run_with_unknowns: bool = False) -> Any:
            site = sites.here()
            if site is None or not callable(func):
                return original_apply(self, func, run_with_unknowns)

            def noted(*args: Any, **kwargs: Any) -> Any:
                try:
                    return func(*args, **kwargs)
                except Exception as exc:
                    if _CREATED_AT not in vars(exc):
                        setattr(exc, _CREATED_AT, site)
                    raise

            return original_apply(self, noted, run_with_unknowns)

        async def noted_serialize(coro: Any, property_key: str, resource_obj: Any) -> Any:
            try:
                return await coro
            except Exception as exc:
                if _FED not in vars(exc):
                    setattr(exc, _FED, f"input `{property_key}` of {_display_type(getattr(resource_obj, '_type', ''))}"
                                       f" '{getattr(resource_obj, '_name', '?')}'")
                raise

        def serialize_property(value: Any, deps: Any, property_key: Any, resource_obj: Any = None,
                               *args: Any, **kwargs: Any) -> Any:
            # Called (and awaited) once per input and per nested value: a plain value, or one that is not a
            # resource's input, cannot fail in a way worth placing, so it gets the SDK's coroutine as it is.
            coro = original_serialize(value, deps, property_key, resource_obj, *args, **kwargs)
            if resource_obj is None or not isinstance(property_key, str) or isinstance(value, _SCALARS):
                return coro
            return noted_serialize(coro, property_key, resource_obj)

        output_cls.apply = apply
        rpc.serialize_property = serialize_property

    def _watch_stack_references(self) -> None:
        """Note each ``pulumi.StackReference`` the program creates and the output names it reads, for the note that
        says what was not checked: the mocks answer another stack's outputs as unknown (``tapcheck.mocks.unknown``).
        The methods are the SDK's public ones (pulumi/pulumi ``sdk/python/lib/pulumi/stack_reference.py``); a name
        given as an Output is noted as computed."""
        cls, recorder = self.pulumi.StackReference, self
        original_init = cls.__init__

        def init(self: Any, name: str, stack_name: str | None = None, *args: Any, **kwargs: Any) -> None:
            recorder.stack_references.setdefault(name, {
                "name": name, "stack": stack_name if stack_name is not None else name,
                "site": recorder.sites.here(), "outputs": []})
            original_init(self, name, stack_name, *args, **kwargs)

        def reading(method: Any) -> Any:
            def read(self: Any, name: Any, *args: Any, **kwargs: Any) -> Any:
                noted = recorder.stack_references.get(getattr(self, "_name", ""))
                if noted is not None:
                    label = name if isinstance(name, str) else "(a computed name)"
                    if label not in noted["outputs"]:
                        noted["outputs"].append(label)
                return method(self, name, *args, **kwargs)
            return read

        cls.__init__ = init
        for method in ("get_output", "require_output", "get_output_details"):
            if method in vars(cls):
                setattr(cls, method, reading(vars(cls)[method]))

    def monitor_and_mocks(self, mock_monitor: type, aws_mocks: type) -> tuple[Any, Any]:
        """The SDK's mock monitor and AwsMocks, subclassed to record each registration."""
        recorder, rpc = self, self.rpc

        class RecordingMonitor(mock_monitor):  # type: ignore[misc, valid-type]
            """Notes the registration request; the mocks below add the inputs and computed outputs."""

            def RegisterResource(self, request: Any) -> Any:  # pylint: disable=invalid-name  # gRPC name
                """Record, then register as the SDK's mock monitor does."""
                deps = set(request.dependencies) | {u for d in request.propertyDependencies.values() for u in d.urns}
                record = {"type": request.type, "name": request.name,
                          "urn": self.make_urn(request.parent, request.type, request.name),
                          "parent": request.parent or None, "provider": request.provider or None,
                          "custom": request.custom, "dependencies": sorted(deps),
                          # input name (camelCase, as sent) -> the URNs its value came from
                          "property_dependencies": {k: sorted(request.propertyDependencies[k].urns)
                                                    for k in sorted(request.propertyDependencies)
                                                    if request.propertyDependencies[k].urns},
                          "options": {"protect": bool(request.protect),
                                      "retainOnDelete": bool(request.retainOnDelete)}}
                if request.remote:  # a multi-language component: its plugin builds the children, mocks cannot
                    recorder.unexpanded.append({"type": request.type, "name": request.name, "urn": record["urn"]})
                if recorder.stack_references:  # inputs may be unknown (fed by another stack's outputs): say so
                    record["inputs"] = _plain(rpc.deserialize_properties(request.object, keep_unknowns=True), rpc)
                recorder.local.current = record
                try:
                    return super().RegisterResource(request)
                finally:
                    recorder.local.current = None
                    if request.type != "pulumi:pulumi:Stack":
                        recorder.records.append(record)

        class RecordingMocks(aws_mocks):  # type: ignore[misc, valid-type]
            """AwsMocks that copy the inputs and outputs into the current registration record."""

            def new_resource(self, args: Any) -> Any:
                """Answer as AwsMocks does; remember what went in and came out."""
                record = getattr(recorder.local, "current", None)
                rid, state = super().new_resource(args)
                if record is not None:
                    record.setdefault("inputs", _plain(args.inputs, rpc))
                    record["id"] = rid
                    record["outputs"] = _plain({k: v for k, v in state.items() if k not in args.inputs}, rpc)
                return rid, state

        mocks = RecordingMocks()
        return RecordingMonitor(mocks), mocks

    def resources(self) -> list[dict[str, Any]]:
        """Records in construction order, each with its site and whether its class takes ``tags``."""
        seen: dict[tuple[Any, ...], int] = {}
        # Registrations arrive in thread order; resources of equal type, name and parent are matched to their
        # construction sites in URN order, so the record is the same on every run.
        for record in sorted(self.records, key=lambda r: r["urn"]):
            key = (record["type"], record["name"], *_parent_key(record.get("parent")))
            index = seen.get(key, 0)
            seen[key] = index + 1
            found = self.resource_sites.get(key) or [(1 << 30, None)]
            record["seq"], record["site"] = found[min(index, len(found) - 1)]
            record["taggable"] = _accepts_tags(self.classes.get(key[:2]))
            record.setdefault("inputs", {})
        return sorted(self.records, key=lambda r: (r["seq"], r["urn"]))

    def exports(self, loop: asyncio.AbstractEventLoop) -> dict[str, Any]:
        """Stack outputs (the root ``Stack``'s ``outputs``) resolved: value, secret flag, and the line that exported
        them. An export whose Output fails marks the exception as having fed it."""
        exports: dict[str, Any] = {}
        root = self.pulumi.runtime.get_root_resource()
        for name, value in (getattr(root, "outputs", None) or {}).items():
            site = self.export_sites.get(name)
            try:
                output = self.pulumi.Output.from_input(value)
                resolved = loop.run_until_complete(output.future())
                is_secret = bool(loop.run_until_complete(output.is_secret()))
                if resolved is None and not loop.run_until_complete(output.is_known()):
                    resolved = _UNKNOWN  # fed by a value no one can know offline
                exports[name] = {"value": _plain(resolved, self.rpc), "secret": is_secret, "site": site}
            except Exception as exc:  # pylint: disable=broad-exception-caught  # recorded, not fatal
                if _FED not in vars(exc):  # the program's own error may be this one: it fed this export
                    setattr(exc, _FED, f"export '{name}'")
                exports[name] = {"value": None, "secret": False, "site": site, "error": f"{type(exc).__name__}: {exc}"}
        return exports


def _run_program(job: dict[str, Any], loop: asyncio.AbstractEventLoop, run_pulumi_func: Any) -> BaseException | None:
    """``os.chdir(pwd)``, ``sys.argv = [PROGRAM]``, ``runpy.run_path(PROGRAM)``, as the language host's exec script
    does (pulumi/pulumi ``sdk/python/cmd/pulumi-language-python-exec``); the exception, if the program failed."""
    program = job["program"]
    try:
        os.chdir(job["pwd"])
        sys.argv = [program]
        loop.run_until_complete(run_pulumi_func(lambda: runpy.run_path(program, run_name="__main__")))
    except SystemExit as exc:  # sys.exit(0) ends the program normally; any other code is a failure
        return None if exc.code in (None, 0) else exc
    except Exception as exc:  # pylint: disable=broad-exception-caught  # any failure is a finding
        return exc
    return None


def _display_type(token: str) -> str:
    """``aws:lambda/permission:Permission`` -> ``aws.lambda.Permission`` (package, module, type)."""
    parts = token.split(":")
    if len(parts) != 3:
        return token
    module = parts[1].split("/")[0]
    return ".".join(p for p in (parts[0], "" if module == "index" else module, parts[2]) if p)


class _Runtime(NamedTuple):
    """What every stack's run shares: the SDK modules, the privately loaded tapcheck and the project's sites."""

    pulumi: Any
    rpc: Any
    run_pulumi_func: Any
    package: Any
    sites: _Sites


def _run_stack(job: dict[str, Any], runtime: _Runtime) -> dict[str, Any]:
    """Run the program once for ``job["stack"]`` and return its record (the module docstring's format)."""
    pulumi, rpc, package, sites = runtime.pulumi, runtime.rpc, runtime.package, runtime.sites
    result: dict[str, Any] = {"status": "error", "stack": job["stack"], "project": job["project"],
                              "resources": [], "exports": {}, "error": None, "sdk_findings": None,
                              "unexpanded": [], "notes": []}
    if job.get("sdk_usages"):
        result["sdk_findings"] = importlib.import_module(f"{package.__name__}.sdkargs").unknown_keys(job["sdk_usages"])
    recorder = _Recorder(pulumi, rpc, sites)
    recorder.install()
    mocks_module = importlib.import_module(f"{package.__name__}.mocks")
    monitor, mocks = recorder.monitor_and_mocks(mocks_module.MockMonitor, mocks_module.AwsMocks)
    loop = asyncio.new_event_loop()
    asyncio.set_event_loop(loop)
    # The engine always passes the language host an organization (--organization); offline it is unknown, so the
    # program gets the one a self-managed backend passes, "organization" (pulumi.com/docs/iac/concepts/stacks/).
    # Older SDKs take no organization.
    org = {"organization": job.get("organization") or "organization"}
    reset_options, set_mocks = pulumi.runtime.settings.reset_options, pulumi.runtime.set_mocks
    reset_options(project=job["project"], stack=job["stack"],
                  **(org if "organization" in inspect.signature(reset_options).parameters else {}))
    set_mocks(mocks, project=job["project"], stack=job["stack"], preview=False, monitor=monitor,
              **(org if "organization" in inspect.signature(set_mocks).parameters else {}))

    failure = _run_program(job, loop, runtime.run_pulumi_func)
    result["exports"] = recorder.exports(loop)  # before formatting: an export may be what the failure fed
    result["error"] = None if failure is None else _format_error(failure, sites)
    if result["error"] is not None and recorder.unset_config:  # a None the program did not expect may be one of them
        result["error"]["unset_config"] = recorder.unset_config
    result["status"] = "ok" if failure is None else "error"
    result["resources"] = recorder.resources()
    unknown_wire_keys = importlib.import_module(f"{package.__name__}.sdkargs").unknown_wire_keys
    for res in result["resources"]:  # the program's SDK modules are loaded here: no import is needed
        res["unknown_keys"] = unknown_wire_keys(res, import_modules=False)
    # synth turns these into one note; they arrive in thread order, and are listed in construction order
    order = {r["urn"]: (r["seq"], r["urn"]) for r in result["resources"]}
    result["unexpanded"] = sorted(recorder.unexpanded, key=lambda u: order.get(u["urn"], (1 << 30, u["urn"])))
    result["stack_references"] = list(recorder.stack_references.values())  # and these into one note each
    result["asset_sites"] = recorder.asset_sites
    result["provided"] = sorted(mocks.provided)  # values from data sources and stack references, not the program
    loop.close()
    return result


# Allocations of container objects between young collections (CPython's default: 700), and how many collections of
# one generation make one of the next (default: 10, 10). https://docs.python.org/3/library/gc.html#gc.set_threshold
_GC_THRESHOLDS = (50_000, 20, 20)


def _collect_garbage_less_often() -> None:
    """Make CPython's cyclic garbage collector run rarely while the program runs.

    A program's run allocates objects that nearly all live until the run ends (every resource holds an Output per
    property, each with its futures and callbacks), so each collection walks an ever larger heap to free almost
    nothing: with the default thresholds that was about 40% of a run's time at 800 resources. Objects that exist
    now (the interpreter's and the SDK's modules) stay for the process's life and are moved out of the collector's
    sight (``gc.freeze``). Peak memory stays the same: the run frees its garbage by reference counting, and
    ``main`` collects between stacks. Only when finalizers of unreachable cycles run changes, which no program can
    rely on (https://docs.python.org/3/library/gc.html)."""
    gc.freeze()
    gc.set_threshold(*_GC_THRESHOLDS)


class _Fresh:
    """Puts the process back as it was before a stack's run, so the next stack's run is a first run: the SDK entry
    points the recorder wrapped, ``sys.path``, ``os.environ`` and the working directory, and no module of the
    project left in ``sys.modules`` (the project's own code runs again, as in a new language host)."""

    def __init__(self, pulumi: Any, rpc: Any, sites: _Sites) -> None:
        self.sites = sites
        self.attributes = [(owner, name, vars(owner)[name]) for owner, name in (
            (pulumi.Resource, "__init__"), (pulumi, "export"), (pulumi.Output, "apply"), (pulumi.Output, "format"),
            (rpc, "serialize_property"), (pulumi.FileAsset, "__init__"), (pulumi.FileArchive, "__init__"),
            (pulumi.Config, "_get"), (pulumi.StackReference, "__init__"), (pulumi.StackReference, "get_output"),
            (pulumi.StackReference, "require_output"), (pulumi.StackReference, "get_output_details"))
            if name in vars(owner)]
        self.path, self.environ, self.cwd = list(sys.path), dict(os.environ), os.getcwd()

    def restore(self) -> None:
        """Undo what the last run changed."""
        for owner, name, value in self.attributes:
            setattr(owner, name, value)
        sys.path[:] = self.path
        os.environ.clear()
        os.environ.update(self.environ)
        os.chdir(self.cwd)
        for name, module in list(sys.modules.items()):
            filename = getattr(module, "__file__", None)
            if filename and self.sites.project_file(filename):
                del sys.modules[name]


def main(argv: list[str]) -> int:
    """Run the job described in ``argv[1]`` and write the record to ``argv[2]``.

    A job with ``stacks`` (a list of ``{"stack", "env"}``: the stack name and the environment variables that
    differ for it, ``PULUMI_CONFIG`` and ``PULUMI_CONFIG_SECRET_KEYS``) runs the program once per stack in this
    one interpreter, the SDK imported once, and writes ``{"stacks": [record, ...]}`` in that order; each record is
    the one a single-stack job for that stack writes."""
    job = json.loads(Path(argv[1]).read_text(encoding="utf-8"))
    out_path = Path(argv[2])
    try:  # imported here, not at the top: a missing SDK is reported, not a crash
        pulumi = importlib.import_module("pulumi")
        rpc = importlib.import_module("pulumi.runtime.rpc")
        run_pulumi_func = importlib.import_module("pulumi.runtime.stack").run_pulumi_func
    except ImportError as exc:
        error = {"type": type(exc).__name__, "message": f"{type(exc).__name__}: {exc}", "location": None,
                 "traceback": ""}
        records = [{"status": "no-pulumi", "stack": s["stack"], "project": job["project"], "resources": [],
                    "exports": {}, "error": error, "sdk_findings": None, "unexpanded": [], "notes": []}
                   for s in job.get("stacks") or [{"stack": job.get("stack")}]]
        out_path.write_text(json.dumps({"stacks": records} if "stacks" in job else records[0]), encoding="utf-8")
        return 0

    package = _load_package(job["package_dir"])
    importlib.import_module(f"{package.__name__}.mocks").skip_engine_stack_traces()  # _Sites notes each line
    _collect_garbage_less_often()
    paths = sysconfig.get_paths()  # the interpreter's own libraries are never "project" frames
    libraries = {paths[k] for k in ("stdlib", "platstdlib", "purelib", "platlib") if k in paths}
    sites = _Sites(job["root"], [job["package_dir"], *libraries])
    runtime = _Runtime(pulumi, rpc, run_pulumi_func, package, sites)
    if "stacks" not in job:
        out_path.write_text(json.dumps(_run_stack(job, runtime), default=str), encoding="utf-8")
        return 0
    fresh = _Fresh(pulumi, rpc, sites)
    records = []
    for stack in job["stacks"]:
        if records:  # the last run's objects are garbage now: free them, so that this run starts as a first run
            gc.collect()
        os.environ.update(stack.get("env") or {})
        records.append(_run_stack({**job, "stack": stack["stack"]}, runtime))
        fresh.restore()
    out_path.write_text(json.dumps({"stacks": records}, default=str), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
