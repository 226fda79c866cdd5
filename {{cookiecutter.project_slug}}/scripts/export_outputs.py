"""Write the stack's outputs to cfn-outputs/flat-outputs.json for the integration tests.

Uses `pulumi stack output --json`, which keeps lists as JSON arrays; the plain and `--shell` forms (and
GitHub Actions step outputs) turn lists into strings.
"""

import argparse
import json
import shutil
import subprocess
from pathlib import Path

OUTPUTS_FILE = Path(__file__).resolve().parents[1] / "cfn-outputs" / "flat-outputs.json"


def write_outputs(stack: str | None = None, show_secrets: bool = False) -> dict[str, object]:
    """Read the outputs of `stack` (default: the selected stack) with the Pulumi CLI and write them to OUTPUTS_FILE.

    Returns the outputs as written: a JSON object of output name to value (lists stay lists). Secret outputs are
    written as "[secret]" unless `show_secrets`. Raises subprocess.CalledProcessError when `pulumi` fails and
    FileNotFoundError when it is not installed (https://www.pulumi.com/docs/iac/download-install/).
    """
    pulumi = shutil.which("pulumi")  # also finds pulumi.exe / pulumi.cmd on Windows
    if pulumi is None:
        raise FileNotFoundError("the Pulumi CLI (`pulumi`) is not on PATH")
    command = [pulumi, "stack", "output", "--json"]
    if stack:
        command += ["--stack", stack]
    if show_secrets:
        command.append("--show-secrets")
    result = subprocess.run(command, capture_output=True, text=True, check=True, cwd=OUTPUTS_FILE.parents[1])
    outputs = json.loads(result.stdout)
    OUTPUTS_FILE.parent.mkdir(exist_ok=True)
    with open(OUTPUTS_FILE, "w", encoding="utf-8") as file:
        json.dump(outputs, file, indent=2)
        file.write("\n")
    return outputs


def main() -> None:
    """Read the outputs with the Pulumi CLI and write them as JSON."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--stack", help="stack to read (default: the selected stack)")
    parser.add_argument("--show-secrets", action="store_true", help="write secret outputs in plain text")
    options = parser.parse_args()
    outputs = write_outputs(options.stack, options.show_secrets)
    print(f"wrote {len(outputs)} outputs to {OUTPUTS_FILE.relative_to(OUTPUTS_FILE.parents[1])}")


if __name__ == "__main__":
    main()
