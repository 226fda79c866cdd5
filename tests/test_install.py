"""Each dependency manager's real install path, once: install, then run the unit tests and the check in the
environment that manager built (so the generated dependency lists are complete and installable).

These tests download packages (or reuse the managers' caches); Python 3.11 is chosen so they run on any machine
with this template's minimum Python.
"""

import os
import sys
from pathlib import Path

import pytest

from tests.conftest import bake, run, run_unit_tests

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


@pytest.mark.parametrize("manager", sorted(INSTALL), ids=lambda manager: f"dependency_manager:{manager}")
def test_install_then_test_and_check_in_the_managers_environment(tmp_path, manager):
    repo = bake(tmp_path, dependency_manager=manager, python_version="3.11")
    for command in INSTALL[manager]:
        run(command, repo, timeout=1500, env=QUIET_ENV)
    python = repo / ".venv" / "bin" / "python"
    assert python.exists(), f"{manager} did not create the project's .venv"
    run_unit_tests(repo, str(python), env=QUIET_ENV)
    # The checker picks the project's own .venv for synth, as Pulumi would.
    run([str(python), "-m", "tapcheck", ".", "--strict"], repo, env=QUIET_ENV)
