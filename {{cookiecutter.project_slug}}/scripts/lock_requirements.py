"""Write requirements-lock.txt: every package requirements-dev.txt needs (requirements.txt's too), pinned with hashes.

    python scripts/lock_requirements.py             # first set-up, and after changing requirements*.txt: commit it
    python scripts/lock_requirements.py --check     # CI: fails, saying how to fix it, when missing or stale
    .venv/bin/python scripts/lock_requirements.py --install    # install exactly the lock into this environment

The resolution is pip-tools' `pip-compile --generate-hashes` (https://pip-tools.readthedocs.io/). The lock's first
line records a SHA-256 of its inputs, so a lock older than its inputs is found offline, the way Pipfile.lock's
`_meta.hash` is. `--install` installs every package with `pip install --require-hashes --no-deps`; pip cannot hash
a git checkout (https://pip.pypa.io/en/stable/topics/secure-installs/), so git requirements (the checker) must
name a full commit, which pins their content instead, and are installed after the hashed ones.
"""

import argparse
import hashlib
import os
import re
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
INPUTS = ("requirements.txt", "requirements-dev.txt")
LOCK = "requirements-lock.txt"
DIGEST_PREFIX = "# inputs-sha256: "
FIX = f"run `python scripts/lock_requirements.py` and commit {LOCK}"
# `name @ git+URL@REF`, as pip-compile writes a git requirement; REF must be a full commit.
GIT_REQUIREMENT = re.compile(r"^[A-Za-z0-9._-]+(?:\[[^\]]*\])? @ git\+\S+$")
FULL_COMMIT = re.compile(r"@[0-9a-f]{40}(?:#\S*)?$")


class LockError(Exception):
    """The lock cannot be used as it is; the message says what to do."""


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


def split_lock(text: str) -> tuple[str, list[str]]:
    """The lock's hashed requirements (as requirement-file text) and its git requirements (one string each).

    An entry is a line that starts a requirement, with the indented `--hash` and `# via` lines after it. Raises
    LockError for a git requirement whose reference is not a full commit.
    """
    hashed: list[str] = []
    git: list[str] = []
    in_git_entry = False
    for line in text.splitlines():
        if line and not line[0].isspace() and not line.startswith("#"):
            in_git_entry = bool(GIT_REQUIREMENT.match(line.strip()))
            if in_git_entry:
                if not FULL_COMMIT.search(line.strip()):
                    raise LockError(f"{line.strip()!r} in {LOCK} must name a full commit (@<40 hex digits>)")
                git.append(line.strip())
                continue
        if not in_git_entry:
            hashed.append(line)
    return "\n".join(hashed) + "\n", git


def install(root: Path = ROOT) -> None:
    """Install the lock into the environment running this script: hashed packages, then git requirements, all
    without dependencies of their own (the lock lists every one). Raises LockError for an unusable lock and
    subprocess.CalledProcessError when pip fails."""
    error = problem(root)
    if error:
        raise LockError(error)
    hashed, git = split_lock((root / LOCK).read_text(encoding="utf-8"))
    pip = [sys.executable, "-m", "pip", "install", "--no-deps"]
    with tempfile.TemporaryDirectory() as folder:
        requirements = Path(folder) / "hashed.txt"
        requirements.write_text(hashed, encoding="utf-8")
        subprocess.run([*pip, "--require-hashes", "-r", str(requirements)], cwd=root, check=True)
    if git:
        subprocess.run([*pip, *git], cwd=root, check=True)


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
    """Write the lock; or check it, or install it. An unusable lock ends with the fix and exit status 1."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    action = parser.add_mutually_exclusive_group()
    action.add_argument("--check", action="store_true", help="only check that the lock is present and current")
    action.add_argument("--install", action="store_true", help="install exactly the lock into this environment")
    options = parser.parse_args()
    try:
        if options.install:
            install()
        elif options.check:
            error = problem()
            if error:
                raise LockError(error)
            print(f"{LOCK} matches {' and '.join(INPUTS)}")
        else:
            write()
            print(f"wrote {LOCK}; commit it")
    except LockError as error:
        print(f"::error file={LOCK}::{error}" if "GITHUB_ACTIONS" in os.environ else f"error: {error}",
              file=sys.stderr)
        sys.exit(1)


if __name__ == "__main__":
    main()
