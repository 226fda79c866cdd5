"""Print how long the template takes, for the default answers and the largest preset.

For each: bake time with hooks against cookiecutter rendering the same tree with hooks disabled (the ratio is
the hooks' cost: validation, clean-up, stack files and the checker), the generated unit-test suite's wall time,
and the checker's static and synth times. Figures only; nothing here asserts a time.

Usage: python benchmarks/bench_template.py [--repeat N]
"""

import argparse
import json
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import yaml
from cookiecutter.main import cookiecutter

TEMPLATE = Path(__file__).resolve().parents[1]
CASES = {
    "default answers": {},
    "largest preset (payments-platform)": yaml.safe_load(
        (TEMPLATE / "presets" / "payments-platform.yaml").read_text(encoding="utf-8")
    )["default_context"],
}


def timed(action: Callable[[], object], repeat: int) -> float:
    """Median wall time of `action` in seconds."""
    samples = []
    for _ in range(repeat):
        start = time.perf_counter()
        action()
        samples.append(time.perf_counter() - start)
    return statistics.median(samples)


def bake(answers: dict[str, object], hooks: bool) -> Path:
    """Bake into a fresh temporary folder."""
    output = Path(tempfile.mkdtemp(prefix="bench-"))
    return Path(
        cookiecutter(str(TEMPLATE), no_input=True, extra_context=answers, output_dir=str(output), accept_hooks=hooks)
    )


def command(repo: Path, *args: str) -> Callable[[], object]:
    """A callable running this interpreter with `args` in `repo`, failing loudly."""
    return lambda: subprocess.run([sys.executable, *args], cwd=repo, check=True, capture_output=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3, help="runs per figure; the median is printed")
    repeat = parser.parse_args().repeat
    print(f"python {sys.version.split()[0]}, {repeat} runs per figure (median)")
    for case, answers in CASES.items():
        with_hooks = timed(lambda answers=answers: bake(answers, hooks=True), repeat)
        without_hooks = timed(lambda answers=answers: bake(answers, hooks=False), repeat)
        repo = bake(answers, hooks=True)
        record = repo.parent / "synth.json"
        command(repo, "-m", "tapcheck", ".", "--synth-out", str(record))()
        resources = len(json.loads(record.read_text(encoding="utf-8"))["resources"])
        unit_tests = timed(command(repo, "-m", "pytest", "tests/unit", "-q", "-p", "no:cacheprovider"), repeat)
        static = timed(command(repo, "-m", "tapcheck", ".", "--no-synth"), repeat)
        full = timed(command(repo, "-m", "tapcheck", "."), repeat)
        print(f"\n{case} ({resources} resources in the dev stack)")
        print(f"  bake with hooks           {with_hooks:7.2f} s")
        print(f"  bake without hooks        {without_hooks:7.2f} s   (hooks cost x{with_hooks / without_hooks:.1f})")
        print(f"  generated unit tests      {unit_tests:7.2f} s")
        print(f"  tapcheck static rules     {static:7.2f} s")
        print(f"  tapcheck static + synth   {full:7.2f} s")


if __name__ == "__main__":
    main()
