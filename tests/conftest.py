"""Bake the template and inspect what it generated.

Every bake runs the real hooks. The generated repos' tests, lint and check run with this interpreter, whose
environment holds the Pulumi SDKs once for all bakes, and this checkout's tapcheck, installed (`pip install -e .`),
as generated repos install the checker they pin.
"""

import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from functools import cache
from pathlib import Path
from typing import Any

import pytest
import yaml
from cookiecutter.exceptions import FailedHookException
from cookiecutter.main import cookiecutter

TEMPLATE = Path(__file__).resolve().parents[1]
CONTEXT = json.loads((TEMPLATE / "cookiecutter.json").read_text(encoding="utf-8"))
DEFAULT_SLUG = "tap-infrastructure"
# The answers --no-input gives: the first value of every choice, every other value as written.
DEFAULT_ANSWERS = {
    key: value[0] if isinstance(value, list) else value
    for key, value in CONTEXT.items()
    if not key.startswith("_")
} | {"project_slug": DEFAULT_SLUG}
# `${{ ... }}` is a GitHub Actions expression, meant to stay; any other `{{` or `{%` is a rendering leftover.
LEFTOVER_MARKER = re.compile(r"(?<!\$)\{\{|\{%")
TEMPLATE_DIR = "{{cookiecutter.project_slug}}"
# What a clone of the template holds that baking reads, and what installing its checker (package or hook) reads.
TRACKED = ("cookiecutter.json", "tap_template_jinja.py", "hooks", "templates", TEMPLATE_DIR,
           "tapcheck", "pyproject.toml", "hatch_build.py", "README.md", "LICENSE", ".pre-commit-hooks.yaml")


@contextmanager
def _hook_output() -> Iterator[list[str]]:
    """Collect what hooks print to standard error (they inherit file descriptor 2), and pass it on."""
    collected: list[str] = []
    sys.stderr.flush()
    saved = os.dup(2)
    with tempfile.TemporaryFile() as buffer:
        os.dup2(buffer.fileno(), 2)
        try:
            yield collected
        finally:
            sys.stderr.flush()
            os.dup2(saved, 2)
            os.close(saved)
            buffer.seek(0)
            data = buffer.read()
            os.write(2, data)
            collected.append(data.decode("utf-8", "replace"))


def pytest_configure(config: pytest.Config) -> None:
    """Register the markers: tests the template's CI also runs on Windows (.github/workflows/ci.yml), and the slow
    group (real installs into fresh environments, external scanners), which CI runs too; `-m "not slow"` leaves it
    out while developing."""
    config.addinivalue_line("markers", "portable: runs on Linux, macOS and Windows alike")
    config.addinivalue_line("markers", "slow: real installs or scanner runs (minutes); CI runs them")


@cache
def require_installed_checker() -> None:
    """Fail unless this interpreter, started outside the checkout, imports this checkout's tapcheck: generated repos'
    tests and checks run with it, and must test the checker under review, not a stale install."""
    found = subprocess.run([sys.executable, "-c", "import tapcheck; print(tapcheck.__file__)"],
                           cwd=tempfile.gettempdir(), capture_output=True, text=True, check=False).stdout.strip()
    expected = TEMPLATE / "tapcheck" / "__init__.py"
    if not found or Path(found).resolve() != expected:
        pytest.fail(f"{sys.executable} imports tapcheck from {found or 'nowhere'}, not {expected}: install this "
                    "checkout with `python -m pip install -e .`", pytrace=False)


def bake(output_dir: Path, template: Path = TEMPLATE, **answers: Any) -> Path:
    """Generate a repo from `template` (this one unless given) with `answers` over the defaults, hooks included;
    return its folder.

    A refusal raises FailedHookException carrying the hook's message, as a person sees it at the terminal.
    """
    require_installed_checker()
    try:
        with _hook_output() as output:
            return Path(cookiecutter(str(template), no_input=True, extra_context=answers, output_dir=str(output_dir)))
    except FailedHookException as error:
        raise FailedHookException(f"{error}\n{''.join(output)}") from error


def run(command: list[str], cwd: Path, timeout: float = 600, **kwargs: Any) -> subprocess.CompletedProcess[str]:
    """Run a command in a generated repo, failing the test with its output when it fails."""
    result = subprocess.run(command, cwd=cwd, capture_output=True, text=True, timeout=timeout, check=False, **kwargs)
    assert result.returncode == 0, f"{' '.join(command)} failed in {cwd.name}:\n{result.stdout}\n{result.stderr}"
    return result


def run_unit_tests(repo: Path, python: str = sys.executable, **kwargs: Any) -> subprocess.CompletedProcess[str]:
    """Run a generated repo's unit tests: they must all run (none skipped) and pass."""
    result = run([python, "-m", "pytest", "tests/unit", "-q", "-p", "no:cacheprovider"], repo, **kwargs)
    assert " passed" in result.stdout and "skipped" not in result.stdout, result.stdout
    return result


def snapshot(folder: Path) -> dict[str, bytes | None]:
    """Every path below `folder` with its bytes (None for a folder), to prove a tree unchanged."""
    return {str(path.relative_to(folder)): path.read_bytes() if path.is_file() else None
            for path in sorted(folder.rglob("*"))}


def python_tool(module: str, *args: str) -> list[str]:
    """A command running one of this environment's tools as a module."""
    return [sys.executable, "-m", module, *args]


def rendered_files(repo: Path) -> list[Path]:
    """Every file the template rendered."""
    return [path for path in sorted(repo.rglob("*")) if path.is_file()]


def load_yaml(path: Path) -> Any:
    """Parse one YAML file."""
    return yaml.safe_load(path.read_text(encoding="utf-8"))


@pytest.fixture
def default_repo(tmp_path: Path) -> Path:
    """A repo baked with every default answer."""
    return bake(tmp_path)


def git(cwd: Path, *args: str) -> str:
    """Run git in `cwd` with a throwaway identity; return its output."""
    result = subprocess.run(
        ["git", "-c", "user.name=t", "-c", "user.email=t@example.invalid", *args],
        cwd=cwd, capture_output=True, text=True, check=True,
    )
    return result.stdout.strip()


def copy_template(destination: Path) -> Path:
    """Copy the template's working tree (what baking reads, no caches) to `destination`."""
    destination.mkdir(parents=True)
    for name in TRACKED:
        source = TEMPLATE / name
        if source.is_dir():
            shutil.copytree(source, destination / name, ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))
        else:
            shutil.copy2(source, destination / name)
    return destination


def template_repo(destination: Path) -> Path:
    """A git repository of the template's working tree, one commit on `main`."""
    repo = copy_template(destination)
    git(repo, "init", "-q", "-b", "main")
    git(repo, "add", "-A")
    git(repo, "commit", "-qm", "template")
    return repo
