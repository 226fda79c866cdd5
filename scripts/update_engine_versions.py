"""Regenerate ``tapcheck/data/rds_engine_versions.json`` from saved ``describe-db-engine-versions`` output.

Run, with credentials for any account and region, once per engine::

    aws rds describe-db-engine-versions --engine aurora-postgresql --output json > aurora-postgresql.json
    aws rds describe-db-engine-versions --engine aurora-mysql --output json > aurora-mysql.json
    aws rds describe-db-engine-versions --engine postgres --output json > postgres.json
    aws rds describe-db-engine-versions --engine mysql --output json > mysql.json
    python scripts/update_engine_versions.py aurora-postgresql.json aurora-mysql.json postgres.json mysql.json

The AWS CLI pages through every result by default. Versions whose ``Status`` is not ``available`` (deprecated
for new databases) are left out, so the checker reports them. API reference:
https://docs.aws.amazon.com/AmazonRDS/latest/APIReference/API_DescribeDBEngineVersions.html
"""

from __future__ import annotations

import argparse
import datetime
import json
import re
import sys
from pathlib import Path

TARGET = Path(__file__).resolve().parent.parent / "tapcheck" / "data" / "rds_engine_versions.json"


def version_key(version: str) -> tuple[int, ...]:
    """Numeric sort key: ``8.0.mysql_aurora.3.04.0`` -> (8, 0, 3, 4, 0)."""
    return tuple(int(n) for n in re.findall(r"\d+", version))


def collect(documents: list[dict]) -> dict[str, list[str]]:
    """engine -> available versions, oldest first, from parsed ``describe-db-engine-versions`` documents."""
    engines: dict[str, set[str]] = {}
    for document in documents:
        for item in document.get("DBEngineVersions", []):
            if item.get("Status", "available") != "available":
                continue
            engines.setdefault(item["Engine"], set()).add(item["EngineVersion"])
    return {engine: sorted(versions, key=version_key) for engine, versions in sorted(engines.items())}


def main(argv: list[str] | None = None) -> int:
    """Write the table; returns the exit code."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("files", nargs="+", type=Path, help="saved describe-db-engine-versions JSON files")
    parser.add_argument("--date", default=datetime.date.today().isoformat(), help="the day the files were saved")
    parser.add_argument("--output", type=Path, default=TARGET)
    args = parser.parse_args(argv)
    engines = collect([json.loads(path.read_text(encoding="utf-8")) for path in args.files])
    if not engines:
        print("no available engine versions in the input files", file=sys.stderr)
        return 1
    table = {"date": args.date, "source": "aws rds describe-db-engine-versions (Status: available)",
             "engines": engines}
    args.output.write_text(json.dumps(table, indent=1) + "\n", encoding="utf-8")
    print(f"wrote {args.output} ({sum(map(len, engines.values()))} versions of {len(engines)} engines)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
