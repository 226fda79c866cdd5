"""Each rule's documentation, written from the catalog: the Markdown page under ``docs/rules/``, the help text in
SARIF, and what ``tapcheck rule`` prints. The catalog (:mod:`tapcheck.catalog`) is the one place the words live;
``scripts/write_rule_docs.py`` writes the pages and a test keeps them equal to it."""

from __future__ import annotations

import textwrap

from .catalog import GROUPS, RULES, Rule
from .suppress import COMMENT_RULES

GENERATED = ("<!-- Written by scripts/write_rule_docs.py from tapcheck/catalog.py: edit the catalog and run the "
             "script, not this page. -->")


def _fence(code: str) -> str:
    return f"```\n{code}\n```"


def _deliberate(rule: Rule) -> list[str]:
    setting = f"`ignore = [\"{rule.id}\"]` under `[tool.tapcheck]` in pyproject.toml"
    if rule.id in COMMENT_RULES:
        return [f"A comment cannot silence a finding about comments; {setting} turns the rule off for the "
                "project."]
    return ["Say so on its line (or on a line of its own just above), with the reason:", "",
            _fence(f"# tapcheck: ignore[{rule.id}] -- <why this one is fine>"), "",
            f"or turn the rule off for the whole project with {setting}."]


def markdown_body(rule: Rule) -> str:
    """The page without its heading: summary line, why, example, fix, how to suppress it, source."""
    status = "**Retired**: no longer reported.\n\n" if rule.retired else ""
    return "\n".join([
        f"{status}**{rule.title}**",
        "",
        f"Group: `{rule.group}` · default severity: `{rule.severity}` · name: `{rule.name}`",
        "",
        "## Why",
        "",
        rule.why,
        "",
        "## Example",
        "",
        _fence(rule.example),
        "",
        "## Fix",
        "",
        rule.fix,
        "",
        _fence(rule.fixed),
        "",
        "## When the finding is deliberate",
        "",
        *_deliberate(rule),
        "",
        f"Source: <{rule.source}>",
    ])


def page(rule: Rule) -> str:
    """The whole Markdown page ``docs/rules/<id>.md``."""
    return f"# {rule.id}: {rule.name}\n\n{markdown_body(rule)}\n\n{GENERATED}\n"


def index() -> str:
    """``docs/rules/README.md``: every rule by group, linking its page."""
    out = ["# tapcheck rules", "",
           "One page per rule: why it matters, code that triggers it, the fix, and the public source it rests on. "
           "`tapcheck rule TAPxxx` prints the same in a terminal; `tapcheck rules` lists them.", ""]
    for group in GROUPS:
        rows = [r for r in RULES.values() if r.group == group]
        if not rows:
            continue
        out += [f"## {group}", "", "| rule | name | severity | what it catches |", "|---|---|---|---|"]
        out += [f"| [{r.id}]({r.id}.md) | {r.name} | {r.severity} | {r.title}{' (retired)' if r.retired else ''} |"
                for r in rows]
        out.append("")
    return "\n".join(out) + f"\n{GENERATED}\n"


def pages() -> dict[str, str]:
    """File name under ``docs/rules/`` -> its text, for every rule and the index."""
    return {"README.md": index(), **{f"{rule.id}.md": page(rule) for rule in RULES.values()}}


def text_help(rule: Rule) -> str:
    """Plain-text help: why, the fix, and the example with its fixed form."""
    return (f"{rule.why}\n\nFix: {rule.fix}\n\nExample:\n{textwrap.indent(rule.example, '    ')}\n\n"
            f"Fixed:\n{textwrap.indent(rule.fixed, '    ')}\n\nSource: {rule.source}")


def terminal(rule: Rule, width: int = 100) -> str:
    """What ``tapcheck rule`` prints: the rule, why, an example, the fix, the source and the page."""
    def para(text: str) -> str:
        return textwrap.fill(text, width, initial_indent="  ", subsequent_indent="  ")

    def code(text: str) -> str:
        return textwrap.indent(text, "    ")

    retired = " (retired: no longer reported)" if rule.retired else ""
    return "\n".join([
        f"{rule.id} {rule.name}: {rule.title}{retired}",
        f"  group {rule.group}, default severity {rule.severity}",
        "", "Why:", para(rule.why),
        "", "Example:", code(rule.example),
        "", "Fix:", para(rule.fix), "", code(rule.fixed),
        "", (f"Turn it off: ignore = [\"{rule.id}\"] in [tool.tapcheck]" if rule.id in COMMENT_RULES
             else f"Suppress one finding: # tapcheck: ignore[{rule.id}] -- <reason>"),
        f"Source: {rule.source}",
        f"Docs:   {rule.url}",
    ])


def find(name: str) -> Rule | None:
    """The rule with this id (any case) or kebab-case name; None when there is none."""
    key = name.strip()
    return RULES.get(key.upper()) or next((r for r in RULES.values() if r.name == key.lower()), None)
