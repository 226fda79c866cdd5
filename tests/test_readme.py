"""The README's claims that can drift: its rule table is the catalog's, row for row."""

import re
from pathlib import Path

from tapcheck.catalog import RULES

README = (Path(__file__).resolve().parents[1] / "README.md").read_text(encoding="utf-8")
ROW = re.compile(r"^\| (TAP\d{3}) \| (\w+) \| (\w+) \| (.+) \|$", re.MULTILINE)


def test_rule_table_is_the_catalog() -> None:
    table = {rule: (group, severity, title) for rule, group, severity, title in ROW.findall(README)}
    catalog = {row.id: (row.group, row.severity, row.title) for row in RULES.values() if not row.retired}
    assert table == catalog


def test_readme_starts_with_the_two_commands() -> None:
    block = README.split("```bash\n", 1)[1].split("```", 1)[0].splitlines()
    assert block[0].endswith("cookiecutter --no-input . -o generated")
    assert block[1] == "bash .ci/run"
