"""tapcheck's pytest plugin: AWS-like Pulumi mocks as fixtures for a Pulumi program's unit tests.

pytest loads it wherever tapcheck is installed (the ``pytest11`` entry point,
https://docs.pytest.org/en/stable/how-to/writing_plugins.html#making-your-plugin-installable-by-others);
``-p no:tapcheck`` turns it off. Importing it needs only pytest, so installing the checker never breaks a test
suite without the Pulumi SDK; the fixtures themselves need the SDK.

Fixtures:

- ``pulumi_project`` (session): the :class:`tapcheck.project.Project` at pytest's rootdir (the folder holding
  pytest's configuration, e.g. ``pyproject.toml``). A conftest.py overrides it for a project in another folder.
- ``stack_mocks``: fresh :class:`tapcheck.testing.RecordingMocks`, installed with the project's default stack's
  configuration; every resource the test registers is in ``stack_mocks.resources``.
- ``stack_records`` (session): the program run as the language host runs it (tapcheck's synth) for every stack of
  the project, once per test session and in one interpreter: ``{stack: tapcheck.synth.SynthResult}``.

The helpers (``deploy``, ``policy``, ``mocks_for`` for another stack) are in :mod:`tapcheck.testing`.
"""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING, Any

import pytest

if TYPE_CHECKING:
    from .project import Project
    from .testing import RecordingMocks


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
def stack_records(pulumi_project: Project) -> dict[str, Any]:
    """Every stack's synth, run once for the whole session: ``{stack name: SynthResult}`` (``record``, ``findings``,
    ``notes``); tests of the program as deployed, of its diagram and of its policies share it. The program runs with
    the interpreter running the tests, whose environment the tests themselves use (not a project ``.venv`` that may
    be another, or empty)."""
    from .synth import synth_stacks  # noqa: PLC0415 - runs the program, only when a test asks for it

    return synth_stacks(pulumi_project.root, sorted(pulumi_project.stacks), python=sys.executable)
