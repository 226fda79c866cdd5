"""Each dependency manager's real install path, once: install, then run the unit tests and the check in the
environment that manager built (so the generated dependency lists are complete and installable), then make the
first commit with the pre-commit hooks from a plain shell (the environment not activated, no tool on PATH).

These tests download packages (or reuse the managers' caches); Python 3.11 is chosen so they run on any machine
with this template's minimum Python.
"""

import os
import shutil
import sys
from pathlib import Path

import pytest

from tests.conftest import bake, git, run, run_unit_tests, template_repo

BIN = Path(sys.executable).parent
QUIET_ENV = os.environ | {
    "PIPENV_VENV_IN_PROJECT": "1",
    "PIPENV_YES": "1",
    "PIPENV_NOSPIN": "1",
    "PIPENV_IGNORE_VIRTUALENVS": "1",
    "UV_PYTHON_DOWNLOADS": "never",
}
QUIET_ENV.pop("VIRTUAL_ENV", None)

INSTALL = {
    "uv": [[str(BIN / "uv"), "sync", "--python", sys.executable]],
    "pip": [
        [sys.executable, "-m", "venv", ".venv"],
        [".venv/bin/python", "-m", "pip", "install", "-q", "-r", "requirements-dev.txt"],
    ],
    "pipenv": [[str(BIN / "pipenv"), "install", "--dev", "--python", sys.executable]],
}


# How the README runs a tool of the project's environment, per manager.
RUN = {"uv": [str(BIN / "uv"), "run", "--no-sync"], "pip": [".venv/bin/"], "pipenv": [str(BIN / "pipenv"), "run"]}


def plain_shell(tmp_path: Path, manager: str) -> dict[str, str]:
    """A shell's environment with the system's folders and the dependency manager on PATH, and nothing else."""
    tools = tmp_path / "tools"
    tools.mkdir()
    if manager != "pip":
        (tools / manager).symlink_to(BIN / manager)
    path = os.pathsep.join([str(tools), "/usr/bin", "/bin"])
    assert not any(shutil.which(tool, path=path) for tool in ("ruff", "pylint", "cruft", "pre-commit"))
    return QUIET_ENV | {"PATH": path, "PRE_COMMIT_HOME": str(tmp_path / "pre-commit-cache")}


def in_project_env(manager: str, *args: str) -> list[str]:
    """`args` run in the project's environment the way the README says."""
    prefix = RUN[manager]
    return [prefix[0] + args[0], *args[1:]] if manager == "pip" else [*prefix, *args]


def first_commit_passes_pre_commit(tmp_path: Path, repo: Path, manager: str) -> None:
    """Install the hooks as the README says, then commit from a plain shell: every hook finds its tool."""
    env = plain_shell(tmp_path, manager)
    git(repo, "init", "-q", "-b", "main")
    run(in_project_env(manager, "pre-commit", "install"), repo, env=env)
    git(repo, "add", "-A")
    result = run(["git", "-c", "user.name=t", "-c", "user.email=t@example.invalid", "commit", "-qm", "generated"],
                 repo, env=env)
    report = result.stderr.splitlines()  # git passes a hook's output on to its standard error
    for hook in ("ruff", "pylint", "tapcheck"):
        assert any(line.startswith(hook) and line.endswith("Passed") for line in report), result.stderr
    # The manual hook runs when asked: cruft clones the recorded template URL and finds the repo up to date.
    asked = run(in_project_env(manager, "pre-commit", "run", "cruft", "--hook-stage", "manual"), repo, env=env)
    assert any(line.startswith("cruft") and line.endswith("Passed") for line in asked.stdout.splitlines()), asked.stdout


@pytest.mark.parametrize("manager", sorted(INSTALL), ids=lambda manager: f"dependency_manager:{manager}")
def test_install_then_test_and_check_in_the_managers_environment(tmp_path, manager):
    # Baked from a template repository with a URL cruft can clone, as a hosted template has.
    template = template_repo(tmp_path / "template")
    git(template, "remote", "add", "origin", template.as_uri())
    repo = bake(tmp_path / "out", template=template, dependency_manager=manager, python_version="3.11")
    for command in INSTALL[manager]:
        run(command, repo, timeout=1500, env=QUIET_ENV)
    python = repo / ".venv" / "bin" / "python"
    assert python.exists(), f"{manager} did not create the project's .venv"
    run_unit_tests(repo, str(python), env=QUIET_ENV)
    # The checker picks the project's own .venv for synth, as Pulumi would.
    run([str(python), "-m", "tapcheck", ".", "--strict"], repo, env=QUIET_ENV)
    first_commit_passes_pre_commit(tmp_path, repo, manager)
