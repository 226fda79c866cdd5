"""tapcheck: offline checker for Pulumi Python (AWS) repos.

The package namespace is lazy on purpose: ``tapcheck.mocks`` must import with only ``pulumi`` installed
(generated repos' unit tests use it), and the synth runner loads the package without ruamel.yaml.
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .api import check, check_all
    from .catalog import RULES, Rule
    from .findings import Finding, Report

__all__ = ["RULES", "Finding", "Report", "Rule", "__version__", "check", "check_all"]
__version__ = "0.1.0"

_LAZY = {"check": "api", "check_all": "api", "RULES": "catalog", "Rule": "catalog", "Finding": "findings",
         "Report": "findings"}


def __getattr__(name: str) -> Any:
    """Import the checker's parts on first use so that ``tapcheck.mocks`` stays dependency-free."""
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'tapcheck' has no attribute {name!r}")
    return getattr(import_module(f"{__name__}.{module}"), name)
