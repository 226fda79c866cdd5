"""Helpers the benchmark scripts share: the machine line, a checkout of a previous release, timed child runs.

Figures only: nothing here asserts a time. Every timed run is a fresh child process, so figures include the
interpreter start and imports a real run pays.
"""

from __future__ import annotations

import contextlib
import json
import os
import platform
import signal
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
#: The previous release, compared against by default.
BASELINE = "61b9b7c"

# Runs a command as its child and reports its wall time and the peak RSS of the largest process in its tree.
# getrusage(RUSAGE_CHILDREN).ru_maxrss is "the resident set size of the largest child" in KiB on Linux (getrusage(2));
# a fresh wrapper per run keeps one run's peak from leaking into the next.
_WRAPPER = """
import json, resource, subprocess, sys, time
spec = json.loads(sys.argv[1])
start = time.perf_counter()
proc = subprocess.run(spec["cmd"], cwd=spec["cwd"], env=spec["env"], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                      text=True, check=False)
seconds = time.perf_counter() - start
peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
print(json.dumps({"seconds": seconds, "peak_kib": peak, "returncode": proc.returncode,
                  "stdout": proc.stdout, "stderr": proc.stderr[-2000:]}))
"""


def machine() -> str:
    """One line: usable cores, CPU model, Python version, platform, and the load average now (other work on the
    machine slows every figure)."""
    model = "unknown CPU"
    with contextlib.suppress(OSError):
        for line in Path("/proc/cpuinfo").read_text(encoding="utf-8").splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    load = ", ".join(f"{x:.1f}" for x in os.getloadavg())
    return (f"machine: {cores} cores, {model}, Python {platform.python_version()}, {platform.platform(terse=True)}; "
            f"load average {load}")


@contextlib.contextmanager
def release(rev: str) -> Iterator[Path]:
    """Check ``rev`` of this repository out into a temporary detached ``git worktree``; removed on exit."""
    # SIGTERM (a killed benchmark) becomes SystemExit, so the worktree is still removed.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    with tempfile.TemporaryDirectory(prefix="bench-release-") as tmp:
        path = Path(tmp) / rev
        subprocess.run(["git", "-C", str(ROOT), "worktree", "add", "--detach", "--quiet", str(path), rev],
                       check=True)
        try:
            yield path
        finally:
            subprocess.run(["git", "-C", str(ROOT), "worktree", "remove", "--force", str(path)], check=False)


def run_measured(cmd: list[str], cwd: Path, env: dict[str, str] | None = None) -> dict:
    """Run ``cmd`` once; returns ``{"seconds", "peak_kib", "returncode", "stdout", "stderr"}`` (stderr: last
    2000 characters). Never raises for a failing command; the caller reads ``returncode``."""
    spec = {"cmd": cmd, "cwd": str(cwd), "env": env or dict(os.environ)}
    proc = subprocess.run([sys.executable, "-c", _WRAPPER, json.dumps(spec)], capture_output=True, text=True,
                          check=True)
    return json.loads(proc.stdout)
