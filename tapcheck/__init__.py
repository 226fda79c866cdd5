"""tapcheck: offline checker for Pulumi Python (AWS) repos.

The package namespace is lazy on purpose: ``tapcheck.mocks`` must import with only ``pulumi`` installed
(generated repos' unit tests use it), and the synth runner loads the package without ruamel.yaml.
"""

from __future__ import annotations

import subprocess
from functools import cache
from importlib import import_module
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .api import check, check_all
    from .catalog import RULES, Rule
    from .findings import Finding, Report

__all__ = ["RULES", "Finding", "Report", "Rule", "__version__", "build_commit", "check", "check_all", "checkout_commit",
           "version_text"]
__version__ = "0.1.0"

_LAZY = {"check": "api", "check_all": "api", "RULES": "catalog", "Rule": "catalog", "Finding": "findings",
         "Report": "findings"}


def __getattr__(name: str) -> Any:
    """Import the checker's parts on first use so that ``tapcheck.mocks`` stays dependency-free."""
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'tapcheck' has no attribute {name!r}")
    return getattr(import_module(f"{__name__}.{module}"), name)


def checkout_commit(root: Path) -> str | None:
    """HEAD's full hash for the git checkout whose top folder is `root`, with ``-dirty`` when tracked files differ
    from it; None when `root` is not a checkout's top (a folder inside another repository counts as none) or git is
    missing."""
    def git(*args: str) -> str | None:
        try:
            result = subprocess.run(["git", "-C", str(root), *args], capture_output=True, text=True, check=False)
        except OSError:
            return None
        return result.stdout.strip() if result.returncode == 0 else None

    top = git("rev-parse", "--show-toplevel")
    if top is None or Path(top).resolve() != root.resolve():
        return None
    commit = git("rev-parse", "HEAD")
    if commit is None:
        return None
    return commit + ("-dirty" if git("status", "--porcelain", "--untracked-files=no") else "")


@cache  # one answer per process: the CLI builds its parser per call
def build_commit() -> str | None:
    """The git commit this checker comes from: its checkout's HEAD when it runs from one (a clone or an editable
    install), else the commit the build recorded in ``tapcheck/_build.py`` (wheels and sdists built from git, see
    ``hatch_build.py``); None when neither is known."""
    root = Path(__file__).resolve().parent.parent
    if (root / ".git").exists() and (root / "pyproject.toml").is_file():
        found = checkout_commit(root)
        if found:
            return found
    try:
        from ._build import COMMIT  # noqa: PLC0415 - written only into built packages
    except ImportError:
        return None
    return COMMIT


def version_text() -> str:
    """``tapcheck 0.1.0 (commit 1a2b...)``, or ``(commit unknown)``: what ``tapcheck --version`` prints."""
    return f"tapcheck {__version__} (commit {build_commit() or 'unknown'})"
