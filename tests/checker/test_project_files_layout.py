"""TAP002 next to an Automation API program: the folder still has no program Pulumi can run, but the Pulumi.yaml
is a leftover the Automation API program does not use, so the finding is a warning that says so."""

from __future__ import annotations

from pathlib import Path

import pytest

import tapcheck
from tapcheck.catalog import ERROR, WARNING


def tap002(root: Path, files: dict[str, str]) -> list[tuple[str, str]]:
    (root / "Pulumi.yaml").write_text("name: site\nruntime: python\n", encoding="utf-8")
    for rel, text in files.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    return [(f.severity, f.message) for f in tapcheck.check(root, synth=False).findings if f.rule == "TAP002"]


@pytest.mark.parametrize(("rel", "text"), [
    ("main.py", "from pulumi import automation as auto\nauto.create_or_select_stack('dev', 'p', program=lambda: 0)\n"),
    ("deploy.py", "import pulumi.automation\n"),
    ("automation/index.ts", 'import { LocalWorkspace } from "@pulumi/pulumi/automation";\n'),
    ("automation/index.ts", 'import { LocalWorkspace } from "@pulumi/pulumi/x/automation";\n'),
    ("cmd/main.go", 'import "github.com/pulumi/pulumi/sdk/v3/go/auto"\n'),
])
def test_a_pulumi_yaml_beside_an_automation_program_is_a_warning(tmp_path: Path, rel: str, text: str) -> None:
    ((severity, message),) = tap002(tmp_path, {rel: text})
    assert severity == WARNING
    assert f"{rel} drives Pulumi through the Automation API" in message and "`pulumi up` here fails" in message


@pytest.mark.parametrize("files", [
    {"main.py": "# automation scripts live elsewhere\nimport pulumi\n"},
    {},
])
def test_without_an_automation_program_it_stays_an_error(tmp_path: Path, files: dict[str, str]) -> None:
    ((severity, message),) = tap002(tmp_path, files)
    assert (severity, message) == (ERROR, "no `main` in Pulumi.yaml and no `__main__.py` at the project root")
