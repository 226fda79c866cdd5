"""Write requirements-lock.txt: every package requirements-dev.txt needs (requirements.txt's too), pinned with hashes.

    python scripts/lock_requirements.py           # first set-up, and after changing requirements*.txt: commit the lock
    python scripts/lock_requirements.py --check   # CI: fails, saying how to fix it, when the lock is missing or stale

The resolution is pip-tools' `pip-compile --generate-hashes` (https://pip-tools.readthedocs.io/); install the lock
with `pip install --require-hashes --no-deps -r requirements-lock.txt`. The lock's first line records a SHA-256 of
its inputs, so a lock older than its inputs is found offline, the way Pipfile.lock's `_meta.hash` is.
"""

import argparse
import hashlib
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
INPUTS = ("requirements.txt", "requirements-dev.txt")
LOCK = "requirements-lock.txt"
DIGEST_PREFIX = "# inputs-sha256: "
FIX = f"run `python scripts/lock_requirements.py` and commit {LOCK}"


def inputs_digest(root: Path = ROOT) -> str:
    """SHA-256 (hex) of the input files' names and contents, line endings normalised (Windows checkouts agree)."""
    digest = hashlib.sha256()
    for name in INPUTS:
        digest.update(name.encode() + b"\0" + (root / name).read_bytes().replace(b"\r\n", b"\n") + b"\0")
    return digest.hexdigest()


def problem(root: Path = ROOT) -> str | None:
    """Why the lock cannot be installed as it is (missing, or written from other inputs); None when it can."""
    lock = root / LOCK
    if not lock.is_file():
        return f"{LOCK} is missing: {FIX}"
    first_line = lock.read_text(encoding="utf-8").split("\n", 1)[0].strip()
    if first_line != DIGEST_PREFIX + inputs_digest(root):
        return f"{LOCK} was not written from the current {' and '.join(INPUTS)}: {FIX}"
    return None


def write(root: Path = ROOT) -> None:
    """Resolve requirements-dev.txt with pip-compile into the lock, then record the inputs' digest on its first line.

    Needs pip-tools in this environment (requirements-dev.txt pins it) and the package index. Raises
    subprocess.CalledProcessError when pip-compile fails.
    """
    subprocess.run(
        [sys.executable, "-m", "piptools", "compile", "--quiet", "--generate-hashes", "--allow-unsafe",
         "--strip-extras", "--no-emit-index-url", "--no-emit-find-links", "--output-file", LOCK, INPUTS[1]],
        cwd=root, check=True,
    )
    lock = root / LOCK
    lines = [line for line in lock.read_text(encoding="utf-8").splitlines() if not line.startswith(DIGEST_PREFIX)]
    lock.write_text("\n".join([DIGEST_PREFIX + inputs_digest(root), *lines]) + "\n", encoding="utf-8")


def main() -> None:
    """Write the lock, or with --check report why it is not usable (exit status 1)."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="only check that the lock is present and current")
    if parser.parse_args().check:
        error = problem()
        if error:
            print(f"::error file={LOCK}::{error}" if "GITHUB_ACTIONS" in os.environ else error,
                  file=sys.stderr)
            sys.exit(1)
        print(f"{LOCK} matches {' and '.join(INPUTS)}")
        return
    write()
    print(f"wrote {LOCK}; commit it")


if __name__ == "__main__":
    main()
