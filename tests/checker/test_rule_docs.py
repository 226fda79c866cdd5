"""Self-documenting rules: every catalog row is complete, docs/rules/ is the catalog written out, `tapcheck rule` and
`tapcheck rules` print it, and the checker cites public documentation only."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from tapcheck.catalog import DOCS_URL, GROUPS, RULES
from tapcheck.cli import COMMANDS, main
from tapcheck.ruledocs import pages

ROOT = Path(__file__).resolve().parents[2]
DOCS = ROOT / "docs" / "rules"
PACKAGE = ROOT / "tapcheck"


@pytest.mark.parametrize("rule", sorted(RULES))
def test_every_rule_explains_itself(rule: str) -> None:
    row = RULES[rule]
    missing = [field for field in ("title", "why", "fix", "example", "fixed", "name", "source")
               if not getattr(row, field).strip()]
    assert not missing, f"{rule} needs {', '.join(missing)} in tapcheck/catalog.py"
    assert row.group in GROUPS and row.severity in ("error", "warning")
    assert row.source.startswith("https://"), rule
    assert re.fullmatch(r"[a-z0-9]+(-[a-z0-9]+)*", row.name), f"{rule}: name {row.name!r} is not kebab-case"
    assert row.example != row.fixed, rule


def test_rule_names_are_unique() -> None:
    names = [row.name for row in RULES.values()]
    assert len(names) == len(set(names))


def test_rule_pages_are_the_catalog() -> None:
    wanted = pages()
    found = {path.name: path.read_text(encoding="utf-8") for path in DOCS.glob("*.md")}
    stale = sorted(name for name in set(found) | set(wanted) if found.get(name) != wanted.get(name))
    assert not stale, f"docs/rules/ differs from the catalog in {stale}: run python scripts/write_rule_docs.py"


def test_a_page_holds_why_example_fix_and_source() -> None:
    text = (DOCS / "TAP020.md").read_text(encoding="utf-8")
    row = RULES["TAP020"]
    for part in (f"# TAP020: {row.name}", row.title, "## Why", row.why, "## Example", row.example, "## Fix",
                 row.fix, row.fixed, "# tapcheck: ignore[TAP020] -- ", row.source):
        assert part in text
    index = (DOCS / "README.md").read_text(encoding="utf-8")
    assert all(f"[{rule}]({rule}.md)" in index for rule in RULES)


def test_rule_urls_point_at_the_pages() -> None:
    assert DOCS_URL.endswith("/docs/rules/")
    for rule in RULES.values():
        assert rule.url == f"{DOCS_URL}{rule.id}.md" and (DOCS / f"{rule.id}.md").is_file()


def test_commands_are_registered() -> None:
    assert {"rule", "rules"} <= set(COMMANDS)


@pytest.mark.parametrize("name", ["TAP020", "tap020", "fixed-secret-value"])
def test_rule_command_prints_why_example_and_fix(name: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["rule", name]) == 0
    out = capsys.readouterr().out
    row = RULES["TAP020"]
    flat = " ".join(out.split())
    assert out.startswith(f"TAP020 fixed-secret-value: {row.title}")
    for part in ("Why:", " ".join(row.why.split()), "Example:", row.example, "Fix:", " ".join(row.fix.split()),
                 row.fixed, row.source, row.url, "# tapcheck: ignore[TAP020] -- <reason>"):
        assert " ".join(part.split()) in flat


def test_rule_command_json_and_unknown_rule(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["rule", "TAP090", "--format", "json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert (data["id"], data["group"], data["url"]) == ("TAP090", "suppressions", RULES["TAP090"].url)
    assert main(["rule", "TAP999"]) == 2
    assert "no rule 'TAP999'" in capsys.readouterr().err


def test_rules_command_lists_every_rule(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["rules"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert [line.split()[:3] for line in lines] == [[r.id, r.group, r.severity] for r in RULES.values()]
    assert main(["rules", "--format", "json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert [(d["id"], d["group"], d["severity"], d["title"]) for d in data] == [
        (r.id, r.group, r.severity, r.title) for r in RULES.values()]


def test_the_checker_cites_public_documentation_only() -> None:
    internal = re.compile(r"\b[Ff]acts? (§|section|\d)|\bseed[ -]0\d\d|post-?mortem|failure[- ]catalog|shared/")
    hits = [f"{path.relative_to(ROOT)}:{number}: {line.strip()}"
            for path in sorted(PACKAGE.rglob("*.py"))
            for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1) if internal.search(line)]
    assert not hits
