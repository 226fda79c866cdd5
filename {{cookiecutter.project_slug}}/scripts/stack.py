"""Preview, deploy or destroy a stack by its fully-qualified name, the same way from a laptop as from CI.

    python scripts/stack.py preview dev --summary preview.md   # select or create, preview, write a Markdown summary
    python scripts/stack.py up dev                             # select or create, deploy, write the outputs file
    python scripts/stack.py review 42                          # review stack pr42 from the {{ cookiecutter.stacks.split(",")[0].strip() }} configuration
    python scripts/stack.py review 42 --destroy                # destroy review stack pr42 and remove it

Stacks are named `<organization>/<project>/<stack>` (https://www.pulumi.com/docs/iac/concepts/stacks/), the
project read from Pulumi.yaml, so a script or workflow can never name another project. After `up` and `review`,
cfn-outputs/flat-outputs.json holds the stack's outputs for the integration tests (scripts/export_outputs.py).
The backend is the one `pulumi login` chose (or PULUMI_BACKEND_URL); a stack created here uses the secrets
provider in PULUMI_SECRETS_PROVIDER when it is set (an `awskms://...` URL for a self-managed backend).
"""

import argparse
import os
import re
import shutil
import subprocess
import sys
from collections.abc import Sequence
from pathlib import Path

from export_outputs import OUTPUTS_FILE, write_outputs

ROOT = Path(__file__).resolve().parents[1]
# The Pulumi Cloud organization, or "organization" for a self-managed backend, which has no organizations.
ORGANIZATION = "{{ cookiecutter.pulumi_org }}"
# Review stacks start from this stack's configuration.
CONFIG_SOURCE = "{{ cookiecutter.stacks.split(",")[0].strip() }}"
# Pulumi.yaml's top-level `name:` (quoted or not).
PROJECT_NAME = re.compile(r"""^name:[ \t]*(["']?)(?P<name>[^"'#\s]+)\1[ \t]*(?:#.*)?$""", re.MULTILINE)
# GitHub refuses comments over 65,536 characters; a long preview keeps its end, where Pulumi sums up the changes.
COMMENT_LIMIT = 60_000
# Stack names double as resource-name suffixes (lib/naming.py): 1-10 lowercase letters or digits.
STACK_NAME = re.compile(r"[a-z0-9]{1,10}")


class StackError(Exception):
    """A stack name or project file the script cannot work with; the message says what to fix."""


def project_name(root: Path = ROOT) -> str:
    """The project name declared in `root`/Pulumi.yaml. Raises StackError when there is none."""
    match = PROJECT_NAME.search((root / "Pulumi.yaml").read_text(encoding="utf-8"))
    if match is None:
        raise StackError("Pulumi.yaml has no top-level `name:`")
    return match.group("name")


def qualified(stack: str, root: Path = ROOT) -> str:
    """`stack` as `<organization>/<project>/<stack>`. Raises StackError for a name that is not a stack suffix."""
    if not STACK_NAME.fullmatch(stack):
        raise StackError(f"stack {stack!r}: must be 1-10 lowercase letters or digits (it is also the name suffix)")
    return f"{ORGANIZATION}/{project_name(root)}/{stack}"


def pulumi(*args: str, capture: bool = False, check: bool = True) -> subprocess.CompletedProcess[str]:
    """Run the Pulumi CLI without prompts in the project folder, echoing what it prints.

    With `capture`, the returned result also holds its standard output. Raises SystemExit with Pulumi's exit code
    when it fails and `check` (its own message has been printed), and StackError when it is not installed.
    """
    executable = shutil.which("pulumi")  # pulumi.exe / pulumi.cmd on Windows
    if executable is None:
        raise StackError("the Pulumi CLI is not on PATH: https://www.pulumi.com/docs/iac/download-install/")
    print("+ pulumi " + " ".join(args), flush=True)
    result = subprocess.run([executable, *args, "--non-interactive"], cwd=ROOT, check=False, text=True,
                            capture_output=capture)
    if capture:
        print(result.stdout, end="", flush=True)
        print(result.stderr, end="", file=sys.stderr, flush=True)
    if check and result.returncode != 0:
        raise SystemExit(result.returncode)
    return result


def select(name: str) -> None:
    """Select the stack `name` (fully qualified), creating it when it does not exist."""
    provider = os.environ.get("PULUMI_SECRETS_PROVIDER")
    pulumi("stack", "select", "--create", "--stack", name, *(["--secrets-provider", provider] if provider else []))


def summary(name: str, output: str, succeeded: bool) -> str:
    """A pull-request comment for the preview of `name`: a marker (to update the same comment later), the
    outcome, and Pulumi's output."""
    outcome = "Preview" if succeeded else "Preview FAILED"
    output = output.strip()
    if len(output) > COMMENT_LIMIT:
        output = "(the beginning is in the job's log)\n..." + output[-COMMENT_LIMIT:]
    return (f"<!-- pulumi-preview {name} -->\n### {outcome}: `{name}`\n\n<details><summary>pulumi preview</summary>"
            f"\n\n```\n{output}\n```\n\n</details>\n")


def preview(stack: str, summary_file: Path | None) -> None:
    """Select or create `stack`, preview it, and write the Markdown summary to `summary_file` when given."""
    name = qualified(stack)
    select(name)
    result = pulumi("preview", "--stack", name, "--color", "never", capture=True, check=False)
    succeeded = result.returncode == 0
    output = result.stdout + ("" if succeeded else result.stderr)
    if summary_file is not None:
        summary_file.write_text(summary(name, output, succeeded), encoding="utf-8")
    if not succeeded:
        raise SystemExit(result.returncode)


def up(stack: str) -> None:
    """Select or create `stack`, deploy it, and write its outputs for the integration tests."""
    name = qualified(stack)
    select(name)
    pulumi("up", "--stack", name, "--yes", "--skip-preview")
    outputs = write_outputs(name)
    print(f"wrote {len(outputs)} outputs of {name} to {OUTPUTS_FILE.relative_to(ROOT).as_posix()}")


def review(number: int, destroy: bool, config_from: str = CONFIG_SOURCE) -> None:
    """Deploy (or destroy and remove) the review stack `pr<number>`.

    Its configuration is `config_from`'s, copied anew on every deploy, with its own environmentSuffix so its
    resources never share a name with another stack's.
    """
    stack = f"pr{number}"
    name = qualified(stack)
    if destroy:
        select(name)
        pulumi("destroy", "--stack", name, "--yes", "--skip-preview", "--remove")
        return
    select(name)
    pulumi("config", "cp", "--stack", qualified(config_from), "--dest", name)
    pulumi("config", "set", "--stack", name, "environmentSuffix", stack)
    up(stack)


def main(argv: Sequence[str] | None = None) -> None:
    """Parse the command line and run one command; errors end with a one-line message and exit status 2."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    commands = parser.add_subparsers(dest="command", required=True)
    preview_parser = commands.add_parser("preview", help="select or create a stack and preview it")
    preview_parser.add_argument("stack", help="short stack name, e.g. " + CONFIG_SOURCE)
    preview_parser.add_argument("--summary", type=Path, help="write a Markdown summary (a PR comment) here")
    up_parser = commands.add_parser("up", help="select or create a stack, deploy it and write its outputs")
    up_parser.add_argument("stack", help="short stack name, e.g. " + CONFIG_SOURCE)
    review_parser = commands.add_parser("review", help="deploy or destroy the review stack of a pull request")
    review_parser.add_argument("number", type=int, help="pull request number (the stack is pr<number>)")
    review_parser.add_argument("--destroy", action="store_true", help="destroy the stack and remove it")
    options = parser.parse_args(argv)
    try:
        if options.command == "preview":
            preview(options.stack, options.summary)
        elif options.command == "up":
            up(options.stack)
        else:
            review(options.number, options.destroy)
    except StackError as error:
        parser.exit(2, f"error: {error}\n")


if __name__ == "__main__":
    main()
