"""Benchmark the checker on generated Pulumi repos (N resources over 100 Python files), side by side with the
previous release.

For N in 50, 200, 800 and for each checker (the previous release, checked out into a temporary git worktree, and
this repository's), prints the medians of ``--repeat`` runs of the CLI, each in a fresh interpreter:

- ``static s``: ``python -m tapcheck REPO --no-synth`` (static rules only);
- ``check s``: ``python -m tapcheck REPO`` (static rules plus synth: the program run under mocks);
- ``peak MiB``: the largest resident set of any process of that full check (the CLI or the program it runs),
  from ``getrusage(RUSAGE_CHILDREN)``;
- ``registered``: resources the synth record holds (equal across checkers, or the checkers disagree).

Target, printed, never asserted: the full check at 800 resources no slower than the previous release.

Run: ``python benchmarks/bench_checker.py [N ...] [--repeat 3] [--baseline REV] [--checker DIR]``
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import textwrap
from pathlib import Path
from statistics import median

from common import BASELINE, ROOT, machine, release, run_measured

FILES = 100
SIZES = (50, 200, 800)

_KINDS = (
    'aws.sqs.Queue(f"{prefix}-queue-{i}", message_retention_seconds=86400, tags=tags)',
    'aws.sns.Topic(f"{prefix}-topic-{i}", tags=tags)',
    'aws.cloudwatch.LogGroup(f"{prefix}-logs-{i}", retention_in_days=14, tags=tags)',
    'aws.s3.Bucket(f"{prefix}-bucket-{i}", force_destroy=True, tags=tags)',
)


def _module(index: int, count: int) -> str:
    """One lib module: ``count`` resources (one nested dict input each bucket) plus plain helper code."""
    lines = [f'"""Generated module {index}."""', "", "import pulumi_aws as aws", "", "",
             "def build(prefix: str, tags: dict[str, str]) -> list:", '    """Create this module\'s resources."""',
             "    made = []"]
    for i in range(count):
        kind = _KINDS[(index + i) % len(_KINDS)].replace("{i}", f"{index}-{i}")
        lines.append(f"    made.append({kind})")
        if "Bucket(" in kind:
            lines.append(f'    aws.s3.BucketVersioning(f"{{prefix}}-versioning-{index}-{i}", bucket=made[-1].id,')
            lines.append('                            versioning_configuration={"status": "Enabled"})')
    lines += ["    return made", "", "", f"def helper_{index}(values: list[int]) -> int:",
              '    """Plain code, so the file has some weight."""', "    return sum(v * v for v in values)", ""]
    return "\n".join(lines)


def generate(root: Path, resources: int) -> None:
    """Write a Pulumi project with ``resources`` resources over ``FILES`` Python files."""
    per_file = [resources // FILES + (1 if i < resources % FILES else 0) for i in range(FILES - 2)]
    (root / "lib").mkdir(parents=True)
    (root / "tests" / "unit").mkdir(parents=True)
    (root / "Pulumi.yaml").write_text("name: bench\nruntime: python\n", encoding="utf-8")
    (root / "Pulumi.dev.yaml").write_text(
        "config:\n  aws:region: us-east-1\n  aws:defaultTags:\n    tags: {Owner: bench, CostCenter: '1'}\n",
        encoding="utf-8")
    (root / "lib" / "__init__.py").write_text('"""Generated package."""\n', encoding="utf-8")
    imports, calls = [], []
    for index, count in enumerate(per_file):
        (root / "lib" / f"mod_{index:03d}.py").write_text(_module(index, count), encoding="utf-8")
        imports.append(f"from lib.mod_{index:03d} import build as build_{index:03d}")
        calls.append(f'resources += build_{index:03d}("m{index}", TAGS)')
    entry = ['"""Generated entry point."""', "", "import pulumi", "", *imports, "", 'TAGS = {"App": "bench"}',
            "resources: list = []", *calls, 'pulumi.export("stack", pulumi.get_stack())',
            'pulumi.export("count", len(resources))', ""]
    (root / "__main__.py").write_text("\n".join(entry), encoding="utf-8")
    (root / "tests" / "unit" / "test_helpers.py").write_text(textwrap.dedent('''\
        """A real test."""

        from lib.mod_000 import helper_0


        def test_helper():
            assert helper_0([1, 2]) == 5
        '''), encoding="utf-8")


def check(checker: Path, repo: Path, *args: str) -> dict:
    """One CLI run of the tapcheck found in ``checker`` on ``repo``, measured."""
    env = {**os.environ, "PYTHONPATH": str(checker)}
    return run_measured([sys.executable, "-m", "tapcheck", str(repo), *args], cwd=checker, env=env)


def measure(checkers: dict[str, Path], repo: Path, repeat: int) -> dict[str, dict]:
    """Per checker: median static seconds, full-check seconds and peak KiB, resources registered, errors. Runs
    alternate between checkers so a change in machine load hits both alike."""
    runs: dict[str, dict[str, list[dict]]] = {name: {"static": [], "full": []} for name in checkers}
    for _ in range(repeat):
        for name, checker in checkers.items():
            runs[name]["static"].append(check(checker, repo, "--no-synth"))
            record = repo.parent / f"synth-{checker.name}.json"
            runs[name]["full"].append(check(checker, repo, "--format", "json", "--synth-out", str(record)))
    rows = {}
    for name, checker in checkers.items():
        full = runs[name]["full"]
        record = repo.parent / f"synth-{checker.name}.json"
        resources = len(json.loads(record.read_text(encoding="utf-8"))["resources"]) if record.exists() else 0
        try:
            findings = json.loads(full[-1]["stdout"]).get("findings", [])
        except json.JSONDecodeError:
            findings = [{"severity": "error", "rule": "?", "message": full[-1]["stderr"].strip()[-200:]}]
        rows[name] = {"static": median(r["seconds"] for r in runs[name]["static"]),
                      "check": median(r["seconds"] for r in full),
                      "peak_mib": median(r["peak_kib"] for r in full) / 1024, "resources": resources,
                      "errors": [f"{f.get('rule')} {str(f.get('message', ''))[:60]}" for f in findings
                                 if f.get("severity") == "error"]}
    return rows


def main(argv: list[str] | None = None) -> int:
    """Generate each size once, measure every checker on it, print a table and the target."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("sizes", nargs="*", type=int, default=list(SIZES), help="resource counts (default 50 200 800)")
    parser.add_argument("--repeat", type=int, default=3, help="runs per figure; the median is printed")
    parser.add_argument("--baseline", default=BASELINE, help=f"previous release to compare with (default {BASELINE})")
    parser.add_argument("--checker", type=Path, default=ROOT, help="repository whose tapcheck is 'current'")
    args = parser.parse_args(argv)

    print(machine())
    print(f"checker on generated repos ({FILES} Python files), median of {args.repeat} runs")
    print(f"{'resources':>9}  {'checker':<18} {'static s':>8} {'check s':>8} {'peak MiB':>8} "
          f"{'registered':>10}  errors")
    largest: dict[str, float] = {}
    with release(args.baseline) as previous, tempfile.TemporaryDirectory(prefix="tapcheck-bench-") as tmp:
        checkers = {f"baseline {args.baseline}": previous, "current": args.checker.resolve()}
        for size in args.sizes:
            repo = Path(tmp) / f"repo-{size}" / "repo"
            generate(repo, size)
            for name, row in measure(checkers, repo, args.repeat).items():
                largest[name] = row["check"]
                print(f"{size:>9}  {name:<18} {row['static']:>8.2f} {row['check']:>8.2f} {row['peak_mib']:>8.0f} "
                      f"{row['resources']:>10}  {'; '.join(row['errors']) or '-'}")
    old, new = largest.values()
    verdict = "met" if new <= old else "NOT met"
    print(f"target: check at {args.sizes[-1]} resources no slower than the previous release: "
          f"{new:.2f} s vs {old:.2f} s (x{new / old:.2f}) -> {verdict}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
