"""``tapcheck rules``: every rule with its group, default severity, name and title."""

from __future__ import annotations

import argparse
import json

from .catalog import RULES


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """``[--format text|json]``."""
    parser.add_argument("--format", choices=("text", "json"), default="text", help="output format")


def run(args: argparse.Namespace) -> int:
    """Print the catalog, one rule a line (text) or a JSON list of ``{id, name, group, severity, title, url,
    retired}``; always 0."""
    rows = list(RULES.values())
    if args.format == "json":
        print(json.dumps([{"id": r.id, "name": r.name, "group": r.group, "severity": r.severity, "title": r.title,
                           "url": r.url, "retired": r.retired} for r in rows], indent=2))
        return 0
    width = max(len(r.name) for r in rows)
    for r in rows:
        retired = " (retired)" if r.retired else ""
        print(f"{r.id}  {r.group:<12} {r.severity:<7}  {r.name:<{width}}  {r.title}{retired}")
    return 0
