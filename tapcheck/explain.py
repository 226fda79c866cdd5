"""``tapcheck rule TAP020``: why a rule exists, code that triggers it, the fix and its public source.

Accepts a rule id (any case) or its kebab-case name (``tapcheck rule fixed-secret-value``), like ``ruff rule``.
"""

from __future__ import annotations

import argparse
import json
import sys
from dataclasses import asdict

from .ruledocs import find, terminal


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """``RULE [--format text|json]``."""
    parser.add_argument("rule", metavar="RULE", help="rule id (TAP020) or name (fixed-secret-value)")
    parser.add_argument("--format", choices=("text", "json"), default="text", help="output format")


def run(args: argparse.Namespace) -> int:
    """Print the rule; 2 when no rule has that id or name."""
    rule = find(args.rule)
    if rule is None:
        print(f"tapcheck rule: error: no rule {args.rule!r} (`tapcheck rules` lists them)", file=sys.stderr)
        return 2
    if args.format == "json":
        print(json.dumps({**asdict(rule), "url": rule.url}, indent=2))
    else:
        print(terminal(rule))
    return 0
