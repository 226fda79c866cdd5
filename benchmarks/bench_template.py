"""Time the template side by side with the previous release: hooks against bare rendering, and the generated suite.

For the default answers and every preset, and for each template (the previous release, checked out into a
temporary git worktree, and this repository), prints medians of ``--repeat`` runs:

- ``bake s``: cookiecutter with its hooks (answer validation, clean-up, stack files, the checker);
- ``bare s``: cookiecutter rendering the same tree with hooks disabled; ``hooks x`` is the ratio;
- ``cpu x``: the same ratio in CPU seconds (this process and the hooks it ran), which other work on a shared
  machine moves far less than wall time;
- ``unit s``: the generated repo's unit tests (``python -m pytest tests/unit``), run in the baked repo, for the
  default answers and the largest preset (payments-platform) only; ``--hooks-only`` leaves them out;
- ``resources``: what the dev stack registers (from the repo's own ``tapcheck --synth-out``), where ``unit s`` is.

Targets on 2 cores, printed next to the figures and never asserted: hooks at most 3x bare rendering; generated
unit tests at most 8 s (default answers) and 12 s (largest preset). Runs alternate between the two templates so a
change in machine load hits both alike.

Usage: python benchmarks/bench_template.py [--repeat 3] [--baseline REV] [--template DIR] [--hooks-only]
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

import yaml
from common import BASELINE, ROOT, machine, release
from cookiecutter.main import cookiecutter

#: Preset file (None: the default answers) -> target in seconds for the generated unit suite, which is timed for
#: these cases only.
UNIT_TARGETS = {None: 8.0, "payments-platform.yaml": 12.0}
HOOKS_TARGET = 3.0


def cases(template: Path) -> dict[str, str | None]:
    """Case name -> preset file (None: the default answers): the default answers, then every preset of ``template``."""
    found = {"default answers": None}
    for path in sorted((template / "presets").glob("*.yaml")):
        found[f"preset {path.stem}"] = path.name
    return found


def answers_for(template: Path, preset: str | None) -> dict[str, object] | None:
    """The cookiecutter answers of a case for this template; None when the template lacks the preset."""
    if preset is None:
        return {}
    path = template / "presets" / preset
    if not path.exists():
        return None
    return yaml.safe_load(path.read_text(encoding="utf-8"))["default_context"]


@contextlib.contextmanager
def quiet() -> Iterator[None]:
    """Send this process's stdout and stderr (and so the hooks' output) to /dev/null for the block."""
    sys.stdout.flush()
    sys.stderr.flush()
    saved = [os.dup(1), os.dup(2)]
    with open(os.devnull, "w", encoding="utf-8") as null:
        os.dup2(null.fileno(), 1)
        os.dup2(null.fileno(), 2)
        try:
            yield
        finally:
            os.dup2(saved[0], 1)
            os.dup2(saved[1], 2)
            for fd in saved:
                os.close(fd)


def bake(template: Path, answers: dict[str, object], hooks: bool, into: Path) -> Path:
    """Render ``template`` into a fresh folder under ``into``; returns the generated repo. The hooks' output is
    silenced; a failing hook still raises cookiecutter's FailedHookException."""
    output = Path(tempfile.mkdtemp(prefix="bake-", dir=into))
    with quiet():
        return Path(cookiecutter(str(template), no_input=True, extra_context=answers, output_dir=str(output),
                                 accept_hooks=hooks))


def children_cpu() -> float:
    """CPU seconds (user and system) of this process's finished children: the hooks cookiecutter ran."""
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def timed_bake(template: Path, answers: dict[str, object], hooks: bool, into: Path) -> tuple[float, float, Path]:
    """Wall seconds and CPU seconds (this process's and its hooks') of one bake, and the generated repo."""
    start, cpu = time.perf_counter(), time.process_time() + children_cpu()
    repo = bake(template, answers, hooks, into)
    return time.perf_counter() - start, time.process_time() + children_cpu() - cpu, repo


def unit_suite(repo: Path) -> float:
    """Wall seconds of the generated unit tests, failing loudly if they fail."""
    command = [sys.executable, "-m", "pytest", "tests/unit", "-q", "-p", "no:cacheprovider"]
    if (repo / "tapcheck").is_dir():  # a release that copied the checker into the repo: not the installed plugin
        command += ["-p", "no:tapcheck"]
    start = time.perf_counter()
    proc = subprocess.run(command, cwd=repo, capture_output=True, text=True, check=False)
    if proc.returncode != 0:
        raise SystemExit(f"generated unit tests failed in {repo}:\n{proc.stdout[-3000:]}")
    return time.perf_counter() - start


def resources(repo: Path) -> int:
    """Resources the dev stack registers, from the repo's own checker."""
    record = repo.parent / "synth.json"
    subprocess.run([sys.executable, "-m", "tapcheck", ".", "--synth-out", str(record)], cwd=repo,
                   capture_output=True, check=False)
    return len(json.loads(record.read_text(encoding="utf-8"))["resources"]) if record.exists() else 0


def measure_case(templates: dict[str, Path], preset: str | None, repeat: int, into: Path,
                 unit: bool) -> dict[str, dict]:
    """Medians per template for one case (``unit``: the generated unit suite and the resources too); templates
    without the preset are left out."""
    answers = {name: answers_for(path, preset) for name, path in templates.items()}
    present = {name: path for name, path in templates.items() if answers[name] is not None}
    samples: dict[str, dict[str, list[float]]] = {
        name: {"bake": [], "bare": [], "bake_cpu": [], "bare_cpu": [], "unit": []} for name in present
    }
    repos: dict[str, Path] = {}
    for _ in range(repeat):
        for name, path in present.items():
            seconds, cpu, repos[name] = timed_bake(path, answers[name], hooks=True, into=into)
            samples[name]["bake"].append(seconds)
            samples[name]["bake_cpu"].append(cpu)
            seconds, cpu, _ = timed_bake(path, answers[name], hooks=False, into=into)
            samples[name]["bare"].append(seconds)
            samples[name]["bare_cpu"].append(cpu)
            if unit:
                samples[name]["unit"].append(unit_suite(repos[name]))
    rows = {}
    for name in present:
        median = {key: statistics.median(values) if values else None for key, values in samples[name].items()}
        rows[name] = {**median, "resources": resources(repos[name]) if unit else None}
    return rows


def main(argv: list[str] | None = None) -> int:
    """Bake every case with each template, print one table per case with the targets."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3, help="runs per figure; the median is printed")
    parser.add_argument("--baseline", default=BASELINE, help=f"previous release to compare with (default {BASELINE})")
    parser.add_argument("--template", type=Path, default=ROOT, help="template repository that is 'current'")
    parser.add_argument("--hooks-only", action="store_true", help="time the bakes only, not the generated suites")
    args = parser.parse_args(argv)
    # The hooks import the template's checker; time them as a developer's machine runs them, from the bytecode the
    # first bake caches (the median leaves that one compile out), even where this shell turns the cache off.
    os.environ.pop("PYTHONDONTWRITEBYTECODE", None)

    print(machine())
    print(f"template, median of {args.repeat} runs; targets: hooks <= x{HOOKS_TARGET:.0f} bare rendering, "
          "generated unit tests <= 8 s (default answers) / 12 s (largest preset)")
    into = Path(tempfile.mkdtemp(prefix="bench-template-"))
    try:
        with release(args.baseline) as previous:
            templates = {f"baseline {args.baseline}": previous, "current": args.template.resolve()}
            for case, preset in cases(args.template).items():
                unit_target = None if args.hooks_only else UNIT_TARGETS.get(preset)
                print(f"\n{case}")
                print(f"  {'template':<18} {'bake s':>7} {'bare s':>7} {'hooks x':>8} {'cpu x':>6} {'unit s':>7} "
                      f"{'resources':>9}  targets")
                for name, row in measure_case(templates, preset, args.repeat, into, unit_target is not None).items():
                    ratio = row["bake"] / row["bare"]
                    verdict = f"hooks {'met' if ratio <= HOOKS_TARGET else 'NOT met'}"
                    unit, count = "-", "-"
                    if unit_target is not None:
                        unit, count = f"{row['unit']:.2f}", row["resources"]
                        verdict += f", unit tests {'met' if row['unit'] <= unit_target else 'NOT met'}"
                    cpu_ratio = row["bake_cpu"] / row["bare_cpu"]
                    print(f"  {name:<18} {row['bake']:>7.2f} {row['bare']:>7.2f} {ratio:>8.2f} {cpu_ratio:>6.2f} "
                          f"{unit:>7} {count:>9}  {verdict}")
    finally:
        shutil.rmtree(into, ignore_errors=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
