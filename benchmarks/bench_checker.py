"""Benchmark the checker on generated Pulumi repos: N resources spread over 100 Python files.

Prints the static-rule time and the synth time for N in 50, 200, 800. Each figure is measured in a fresh
interpreter, so it includes the imports a real run pays (PyYAML, and pulumi_aws modules for TAP024 and the
program itself). Targets: static well under a second; synth a few seconds at N=200. Nothing is asserted.

Run: ``python benchmarks/bench_checker.py [N ...]``
"""

from __future__ import annotations

import json
import subprocess
import sys
import tempfile
import textwrap
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
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


_MEASURE = textwrap.dedent('''\
    import json, sys, time
    from pathlib import Path
    t0 = time.perf_counter()
    import tapcheck
    from tapcheck.project import Project
    from tapcheck.synth import run_synth
    path, mode = sys.argv[1], sys.argv[2]
    if mode == "static":
        report = tapcheck.check(path, synth=False)
        print(json.dumps({"seconds": time.perf_counter() - t0, "findings": len(report.findings)}))
    else:
        t0 = time.perf_counter()
        result = run_synth(Project(path), stack="dev", timeout=600)
        record = result.record or {}
        print(json.dumps({"seconds": time.perf_counter() - t0, "resources": len(record.get("resources", [])),
                          "errors": [f.message for f in result.findings]}))
    ''')


def measure(path: Path, mode: str) -> dict:
    """Run one measurement in a fresh interpreter (cold imports, like a CLI run)."""
    proc = subprocess.run([sys.executable, "-c", _MEASURE, str(path), mode], cwd=ROOT, capture_output=True,
                          text=True, check=True)
    return json.loads(proc.stdout.strip().splitlines()[-1])


def main(argv: list[str]) -> int:
    """Generate each size, measure, print a table."""
    sizes = [int(a) for a in argv] or list(SIZES)
    print(f"{'resources':>9} {'files':>5} {'static s':>9} {'synth s':>8} {'registered':>10}  findings")
    for size in sizes:
        with tempfile.TemporaryDirectory(prefix="tapcheck-bench-") as tmp:
            root = Path(tmp) / "repo"
            generate(root, size)
            files = len(list(root.rglob("*.py")))
            static = measure(root, "static")
            synth = measure(root, "synth")
            note = "; ".join(synth["errors"]) or static["findings"]
            print(f"{size:>9} {files:>5} {static['seconds']:>9.2f} {synth['seconds']:>8.2f} "
                  f"{synth['resources']:>10}  {note}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
