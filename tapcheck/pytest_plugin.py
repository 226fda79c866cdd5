"""tapcheck's pytest plugin: AWS-like Pulumi mocks as fixtures for a Pulumi program's unit tests.

pytest loads it wherever tapcheck is installed (the ``pytest11`` entry point,
https://docs.pytest.org/en/stable/how-to/writing_plugins.html#making-your-plugin-installable-by-others);
``-p no:tapcheck`` turns it off, and with ``--disable-plugin-autoload`` ``-p tapcheck`` loads it alone. Importing it
needs only pytest, so installing the checker never breaks a test suite without the Pulumi SDK; the fixtures
themselves need the SDK.

Fixtures:

- ``pulumi_project`` (session): the :class:`tapcheck.project.Project` at pytest's rootdir (the folder holding
  pytest's configuration, e.g. ``pyproject.toml``). A conftest.py overrides it for a project in another folder.
- ``stack_mocks``: fresh :class:`tapcheck.testing.RecordingMocks`, installed with the project's default stack's
  configuration; every resource the test registers is in ``stack_mocks.resources``.
- ``stack_records`` (session): the program run as the language host runs it (tapcheck's synth) for every stack of
  the project, once per test session and in one interpreter: ``{stack: tapcheck.synth.SynthResult}``. When the
  collected tests use it and the project is at pytest's rootdir, that run starts in a child process as soon as
  collection ends, and the tests that use it run last, so it proceeds on another core while the others run.

The helpers (``deploy``, ``policy``, ``mocks_for`` for another stack) are in :mod:`tapcheck.testing`.
"""

from __future__ import annotations

import contextlib
import os
import pickle
import signal
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

if TYPE_CHECKING:
    from .project import Project
    from .testing import RecordingMocks

# The child that runs synth_stacks: it imports this very tapcheck package (not whichever one its sys.path would
# find first) and pickles {stack: SynthResult} into a file. argv: package folder, project root, result file, stacks.
_CHILD = """
import importlib.util, os, pickle, shutil, signal, sys, threading, time
package, root, out, *stacks = sys.argv[1:]

def _orphaned(parent=os.getppid()):  # pytest killed (a cancelled CI job): leave nothing behind
    while os.getppid() == parent:
        time.sleep(0.5)
    shutil.rmtree(os.path.dirname(out), ignore_errors=True)
    if hasattr(os, "killpg"):
        os.killpg(0, signal.SIGKILL)  # this child and the program run it started (its own process group)
    os._exit(1)

threading.Thread(target=_orphaned, daemon=True).start()
spec = importlib.util.spec_from_file_location("tapcheck", package + "/__init__.py",
                                              submodule_search_locations=[package])
module = importlib.util.module_from_spec(spec)
sys.modules["tapcheck"] = module
spec.loader.exec_module(module)
from tapcheck.synth import synth_stacks
with open(out, "wb") as file:
    pickle.dump(synth_stacks(root, stacks, python=sys.executable), file)
"""


class _BackgroundSynth:
    """``synth_stacks(root, stacks)`` running in a child process of this interpreter, with the environment and
    working folder the session has when it starts; :meth:`result` waits for it."""

    def __init__(self, root: Path, stacks: list[str]) -> None:
        self.root, self.stacks = root, stacks
        self._folder = tempfile.TemporaryDirectory(prefix="tapcheck-stack-records-")
        folder = Path(self._folder.name)
        self._out, self._log = folder / "records.pickle", folder / "stderr.txt"
        # Its temporary files (the program run's folder) go in ours, and it leads a process group of its own, so
        # that stopping it early removes every process and file it made.
        temporary = {name: str(folder) for name in ("TMPDIR", "TEMP", "TMP")}
        with open(self._log, "wb") as log:
            self._proc = subprocess.Popen(
                [sys.executable, "-c", _CHILD, str(Path(__file__).resolve().parent), str(root), str(self._out),
                 *stacks], stdin=subprocess.DEVNULL, stdout=log, stderr=subprocess.STDOUT,
                env=os.environ | temporary, start_new_session=os.name != "nt")

    def result(self) -> dict[str, Any]:
        """The ``{stack: SynthResult}`` the child computed; RuntimeError with its output when it failed."""
        code = self._proc.wait()
        if code != 0 or not self._out.is_file():
            tail = self._log.read_text(encoding="utf-8", errors="replace")[-3000:]
            raise RuntimeError(f"tapcheck: the synth of every stack (exit code {code}) failed:\n{tail}")
        with open(self._out, "rb") as file:
            return pickle.load(file)  # written by our own child process

    def stop(self) -> None:
        """End the child if it still runs (a session stopped early) and remove its files."""
        if self._proc.poll() is None:
            if os.name == "nt":
                self._proc.kill()
            else:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(self._proc.pid, signal.SIGKILL)  # the child and the program run it started
            self._proc.wait()
        with contextlib.suppress(OSError):
            self._folder.cleanup()


_BACKGROUND = pytest.StashKey[_BackgroundSynth]()


def _uses_records(item: pytest.Item) -> bool:
    return "stack_records" in getattr(item, "fixturenames", ())


@pytest.hookimpl(trylast=True)
def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Tests that use ``stack_records`` run after the others (each group in its collected order), so that its
    synth, started when collection ends, runs in the background meanwhile."""
    items[:] = sorted(items, key=_uses_records)


def pytest_collection_finish(session: pytest.Session) -> None:
    """Start the ``stack_records`` synth now when a collected test will use it (not on an xdist worker, which
    runs only part of the tests, nor for ``--collect-only``)."""
    config = session.config
    if config.option.collectonly or hasattr(config, "workerinput"):
        return
    if not any(_uses_records(item) for item in session.items):
        return
    from .project import Project  # noqa: PLC0415 - only for a session that uses the records

    project = Project(config.rootpath)
    if project.project_file is not None:
        config.stash[_BACKGROUND] = _BackgroundSynth(project.root, sorted(project.stacks))


def pytest_unconfigure(config: pytest.Config) -> None:
    """Stop a background synth nobody waited for."""
    started = config.stash.get(_BACKGROUND, None)
    if started is not None:
        started.stop()


@pytest.fixture(scope="session")
def pulumi_project(request: pytest.FixtureRequest) -> Project:
    """The Pulumi project at pytest's rootdir; fails the test that asks for it when that folder has no Pulumi.yaml."""
    from .project import Project  # noqa: PLC0415 - only when a test asks for the project

    project = Project(request.config.rootpath)
    if project.project_file is None:
        pytest.fail(f"tapcheck: no Pulumi.yaml in pytest's rootdir {project.root}; override the `pulumi_project` "
                    "fixture in conftest.py to name the project's folder", pytrace=False)
    return project


@pytest.fixture
def stack_mocks(pulumi_project: Project) -> RecordingMocks:
    """Fresh recording mocks configured as the project's default stack."""
    from .testing import mocks_for  # noqa: PLC0415 - imports the Pulumi SDK, only when a test uses the mocks

    return mocks_for(pulumi_project)


@pytest.fixture(scope="session")
def stack_records(request: pytest.FixtureRequest, pulumi_project: Project) -> dict[str, Any]:
    """Every stack's synth, run once for the whole session: ``{stack name: SynthResult}`` (``record``, ``findings``,
    ``notes``); tests of the program as deployed, of its diagram and of its policies share it. The program runs with
    the interpreter running the tests, whose environment the tests themselves use (not a project ``.venv`` that may
    be another, or empty). Raises RuntimeError when the child process that ran it failed."""
    stacks = sorted(pulumi_project.stacks)
    started = request.config.stash.get(_BACKGROUND, None)
    if started is not None and started.root == pulumi_project.root and started.stacks == stacks:
        return started.result()
    from .synth import synth_stacks  # noqa: PLC0415 - runs the program, only when a test asks for it

    return synth_stacks(pulumi_project.root, stacks, python=sys.executable)
