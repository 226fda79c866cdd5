"""Write the stack's outputs to cfn-outputs/flat-outputs.json for the integration tests.

Uses `pulumi stack output --json`, which keeps lists as JSON arrays; the plain and `--shell` forms (and
GitHub Actions step outputs) turn lists into strings.
"""

import argparse
import json
import subprocess
from pathlib import Path

OUTPUTS_FILE = Path(__file__).resolve().parents[1] / "cfn-outputs" / "flat-outputs.json"


def main() -> None:
    """Read the outputs with the Pulumi CLI and write them as JSON."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--stack", help="stack to read (default: the selected stack)")
    parser.add_argument("--show-secrets", action="store_true", help="write secret outputs in plain text")
    options = parser.parse_args()
    command = ["pulumi", "stack", "output", "--json"]
    if options.stack:
        command += ["--stack", options.stack]
    if options.show_secrets:
        command.append("--show-secrets")
    result = subprocess.run(command, capture_output=True, text=True, check=True, cwd=OUTPUTS_FILE.parents[1])
    outputs = json.loads(result.stdout)
    OUTPUTS_FILE.parent.mkdir(exist_ok=True)
    with open(OUTPUTS_FILE, "w", encoding="utf-8") as file:
        json.dump(outputs, file, indent=2)
        file.write("\n")
    print(f"wrote {len(outputs)} outputs to {OUTPUTS_FILE.relative_to(OUTPUTS_FILE.parents[1])}")


if __name__ == "__main__":
    main()
