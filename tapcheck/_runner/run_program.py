"""Run a Pulumi Python program exactly as the language host does, against mocks, and record what it builds.

Started as a file (``python run_program.py JOB OUT``) so that ``sys.path[0]`` is this folder, never the
project, like ``pulumi-language-python-exec`` (facts 1.2, 1.3). This folder holds nothing importable but this
script. The tapcheck package is loaded by file location under a private name, so its parent folder (the
project root in generated repos) is never put on ``sys.path``.

Only the standard library and ``pulumi`` (and ``pulumi_aws`` when the program uses it) are needed here.
"""

from __future__ import annotations

import asyncio
import importlib
import importlib.util
import inspect
import itertools
import json
import os
import runpy
import sys
import sysconfig
import threading
import traceback
from pathlib import Path
from typing import Any

_ALIAS = "_tapcheck_runtime"
# Pulumi's wire format for secrets (facts 5.7): {SIG_KEY: SECRET_SIG, "value": v}.
_SIG_KEY = "4dabf18193072939515e22adb298388d"
_SECRET_SIG = "1b47061264138c4ac30d75fd1eb44270"


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
        self.root = os.path.normcase(os.path.abspath(root)) + os.sep
        self.excluded = [os.path.normcase(os.path.abspath(e)) + os.sep for e in excluded]
        self._cache: dict[str, str | None] = {}

    def project_file(self, filename: str) -> str | None:
        """Absolute path when ``filename`` is a project source file (not a dependency), else None."""
        if filename not in self._cache:
            full = os.path.normcase(os.path.abspath(filename))
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
        return {str(k): _plain(v, rpc, depth + 1) for k, v in value.items()}
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
        return "__unknown__"
    return str(value)


def _accepts_tags(cls: Any) -> bool:
    """Whether the SDK class takes a ``tags`` input (computed from the SDK, so it follows SDK changes)."""
    pulumi = sys.modules["pulumi"]
    if cls is None or not issubclass(cls, pulumi.CustomResource) or issubclass(cls, pulumi.ProviderResource):
        return False
    init = getattr(cls, "_internal_init", None) or cls.__init__
    try:
        return "tags" in inspect.signature(init).parameters
    except (TypeError, ValueError):
        return False


def _format_error(exc: BaseException, sites: _Sites) -> dict[str, Any]:
    """Last traceback line as the message, and the innermost project frame as the place."""
    frames = [f for f in traceback.extract_tb(exc.__traceback__) if sites.project_file(f.filename)]
    message = "".join(traceback.format_exception_only(type(exc), exc)).strip().splitlines()
    location: dict[str, Any] | None = None
    if isinstance(exc, SyntaxError) and exc.filename and sites.project_file(exc.filename):
        location = {"path": sites.project_file(exc.filename), "line": exc.lineno or 1}
    elif frames:
        location = {"path": sites.project_file(frames[-1].filename), "line": frames[-1].lineno or 1}
    user_tb = "".join(traceback.format_list(frames))
    return {"message": message[-1] if message else type(exc).__name__, "location": location,
            "traceback": "Traceback (most recent call last):\n" + user_tb + "\n".join(message)}


def main(argv: list[str]) -> int:
    """Run the job described in ``argv[1]`` and write the record to ``argv[2]``."""
    job = json.loads(Path(argv[1]).read_text(encoding="utf-8"))
    out_path = Path(argv[2])
    result: dict[str, Any] = {"status": "error", "stack": job["stack"], "project": job["project"],
                              "resources": [], "exports": {}, "error": None, "sdk_findings": None}

    def write() -> None:
        out_path.write_text(json.dumps(result, default=str), encoding="utf-8")

    try:  # imported here, not at the top: a missing SDK is reported, not a crash
        pulumi = importlib.import_module("pulumi")
        rpc = importlib.import_module("pulumi.runtime.rpc")
        mock_monitor = importlib.import_module("pulumi.runtime.mocks").MockMonitor
        run_pulumi_func = importlib.import_module("pulumi.runtime.stack").run_pulumi_func
    except ImportError as exc:
        result.update(status="no-pulumi", error={"message": f"{type(exc).__name__}: {exc}", "location": None})
        write()
        return 0

    package = _load_package(job["package_dir"])
    mocks_module = importlib.import_module(f"{package.__name__}.mocks")
    if job.get("sdk_usages"):
        sdkargs = importlib.import_module(f"{package.__name__}.sdkargs")
        result["sdk_findings"] = sdkargs.unknown_keys(job["sdk_usages"])

    paths = sysconfig.get_paths()  # the interpreter's own libraries are never "project" frames
    sites = _Sites(job["root"], [job["package_dir"], *{paths[k] for k in ("stdlib", "platstdlib", "purelib",
                                                                          "platlib") if k in paths}])
    resource_sites: dict[tuple[str, str], list[Any]] = {}  # (type, name) -> [(construction seq, site)]
    counter = itertools.count()
    classes: dict[tuple[str, str], Any] = {}
    export_sites: dict[str, Any] = {}
    asset_sites: dict[str, Any] = {}
    records: list[dict[str, Any]] = []
    local = threading.local()

    original_init = pulumi.Resource.__init__

    def resource_init(self: Any, t: str, name: str, *args: Any, **kwargs: Any) -> None:
        key = (t, name)
        resource_sites.setdefault(key, []).append((next(counter), sites.here()))
        classes.setdefault(key, type(self))
        original_init(self, t, name, *args, **kwargs)

    pulumi.Resource.__init__ = resource_init  # type: ignore[method-assign]

    original_export = pulumi.export

    def export(name: str, value: Any) -> None:
        export_sites.setdefault(name, sites.here())
        original_export(name, value)

    pulumi.export = export  # type: ignore[assignment]

    for asset_cls in (pulumi.FileAsset, pulumi.FileArchive):
        def asset_init(self: Any, path: Any, _orig: Any = asset_cls.__init__) -> None:
            asset_sites.setdefault(str(path), sites.here())
            _orig(self, path)

        asset_cls.__init__ = asset_init  # type: ignore[method-assign]

    class RecordingMonitor(mock_monitor):  # type: ignore[misc, valid-type]
        """The SDK's mock monitor, recording every registration (duplicates included) with its options."""

        def RegisterResource(self, request: Any) -> Any:
            record = {
                "type": request.type, "name": request.name, "urn": self.make_urn(request.parent, request.type,
                                                                                request.name),
                "parent": request.parent or None, "provider": request.provider or None, "custom": request.custom,
                "dependencies": sorted(set(request.dependencies)
                                       | {u for d in request.propertyDependencies.values() for u in d.urns}),
                "options": {"protect": bool(request.protect), "retainOnDelete": bool(request.retainOnDelete)},
            }
            local.current = record
            try:
                return super().RegisterResource(request)
            finally:
                local.current = None
                if request.type != "pulumi:pulumi:Stack":
                    records.append(record)

    class RecordingMocks(mocks_module.AwsMocks):  # type: ignore[misc, name-defined]
        def new_resource(self, args: Any) -> Any:
            record = getattr(local, "current", None)
            if record is not None:
                record["inputs"] = _plain(args.inputs, rpc)
            rid, state = super().new_resource(args)
            if record is not None:
                record["id"] = rid
                record["outputs"] = _plain({k: v for k, v in state.items() if k not in args.inputs}, rpc)
            return rid, state

    mocks = RecordingMocks()
    monitor = RecordingMonitor(mocks)
    loop = asyncio.new_event_loop()
    asyncio.set_event_loop(loop)
    pulumi.runtime.set_mocks(mocks, project=job["project"], stack=job["stack"], preview=False, monitor=monitor)

    try:
        os.chdir(job["pwd"])
        sys.argv = [job["program"]]
        program = job["program"]
        loop.run_until_complete(run_pulumi_func(lambda: runpy.run_path(program, run_name="__main__")))
        result["status"] = "ok"
    except SystemExit as exc:  # sys.exit(0) ends the program normally; any other code is a failure
        if exc.code in (None, 0):
            result["status"] = "ok"
        else:
            result["error"] = _format_error(exc, sites)
    except Exception as exc:  # pylint: disable=broad-exception-caught  # any failure is a finding
        result["error"] = _format_error(exc, sites)

    exports: dict[str, Any] = {}
    root = pulumi.runtime.get_root_resource()
    for name, value in (getattr(root, "outputs", None) or {}).items():
        try:
            output = pulumi.Output.from_input(value)
            resolved = loop.run_until_complete(output.future())
            is_secret = bool(loop.run_until_complete(output.is_secret()))
            exports[name] = {"value": _plain(resolved, rpc), "secret": is_secret, "site": export_sites.get(name)}
        except Exception as exc:  # pylint: disable=broad-exception-caught  # recorded, not fatal
            exports[name] = {"value": None, "secret": False, "site": export_sites.get(name),
                             "error": f"{type(exc).__name__}: {exc}"}
    seen: dict[tuple[str, str], int] = {}
    for record in records:
        key = (record["type"], record["name"])
        index = seen.get(key, 0)
        seen[key] = index + 1
        found = resource_sites.get(key) or [(1 << 30, None)]
        record["seq"], record["site"] = found[min(index, len(found) - 1)]
        record["taggable"] = _accepts_tags(classes.get(key))
        record.setdefault("inputs", {})
    records.sort(key=lambda r: r["seq"])  # construction order: registration order depends on threads
    result["resources"] = records
    result["exports"] = exports
    result["asset_sites"] = asset_sites
    write()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
