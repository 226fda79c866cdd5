"""Check or extend tapcheck/data/terraform_types.json against pulumi-aws's own record of its Terraform names.

pulumi-aws keeps, in `provider/cmd/pulumi-resource-aws/bridge-metadata.json` (https://github.com/pulumi/pulumi-aws,
at the tag of the pinned SDK version), `renames.resources` (Pulumi type -> Terraform type) and
`renames.renamedProperties` (per Pulumi type, property -> Terraform attribute). This script re-reads the Terraform
type of every aws type the data file lists (and of each `--add TYPE`), and the top-level property renames that are
more than snake_case, and rewrites the file; it prints what changed.

    python scripts/update_terraform_types.py path/to/bridge-metadata.json [--add aws:sns/topic:Topic ...]
"""

import argparse
import json
import re
import sys
from pathlib import Path

DATA = Path(__file__).resolve().parents[1] / "tapcheck" / "data" / "terraform_types.json"


def snake(name: str) -> str:
    """``vpcZoneIdentifiers`` -> ``vpc_zone_identifiers`` (what the Python SDK calls the property)."""
    return re.sub(r"(?<=[a-z0-9])([A-Z])", r"_\1", name).lower()


def update(data: dict, metadata: dict, add: list[str]) -> list[str]:
    """Update ``data`` in place from ``metadata``; returns one line per change."""
    resources = metadata["renames"]["resources"]
    properties = metadata["renames"].get("renamedProperties") or {}
    changes = []
    for token in sorted({t for t in data["types"] if t.startswith("aws:")} | set(add)):
        if token not in resources:
            changes.append(f"{token}: not in bridge-metadata.json, left as it is")
            continue
        if data["types"].get(token) != resources[token]:
            changes.append(f"{token}: {data['types'].get(token)} -> {resources[token]}")
            data["types"][token] = resources[token]
        renames = {prop: tf for prop, tf in (properties.get(token) or {}).items() if tf != snake(prop)}
        kept = data["renames"].get(token, {})
        merged = {**{k: v for k, v in kept.items() if "." in k}, **renames}
        if merged != kept:
            changes.append(f"{token}: renames {kept} -> {merged}")
            data["renames"][token] = merged
    data["types"] = dict(sorted(data["types"].items()))
    data["renames"] = {k: v for k, v in sorted(data["renames"].items()) if v}
    return changes


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("metadata", type=Path, help="pulumi-aws's bridge-metadata.json")
    parser.add_argument("--add", action="append", default=[], metavar="TYPE", help="a Pulumi type to add")
    args = parser.parse_args()
    data = json.loads(DATA.read_text(encoding="utf-8"))
    changes = update(data, json.loads(args.metadata.read_text(encoding="utf-8")), args.add)
    DATA.write_text(json.dumps(data, indent=2) + "\n", encoding="utf-8")
    print("\n".join(changes) or "no changes", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
