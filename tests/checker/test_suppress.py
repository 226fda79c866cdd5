"""Suppression comments: where they apply, in Python and YAML alike, only to the rules they name; TAP090 reports
the ones that silence nothing, TAP091 the ones without a reason."""

from __future__ import annotations

from pathlib import Path

from helpers import fixture, located, run, write

import tapcheck
from tapcheck.suppress import Suppression, parse

FIXTURE = "TAP090-unused-suppression"


def test_parse_trailing_and_standalone_comments() -> None:
    text = ("a = 1  # tapcheck: ignore[TAP020, tap027] -- a reason\n"
            "    # tapcheck: ignore[TAP041] -- covers the next line\n"
            "b = 2\n"
            "c = '# tapcheck: ignore[TAP041] -- in a string'\n"
            "d = 3  # tapcheck: ignore[TAP041]  # another comment\n"
            "e = 4  # tapcheck: ignore\n")
    assert parse("x.py", text) == [
        Suppression("x.py", 1, 8, 1, ("TAP020", "TAP027"), "a reason"),
        Suppression("x.py", 2, 5, 3, ("TAP041",), "covers the next line"),
        Suppression("x.py", 5, 8, 5, ("TAP041",), ""),
        Suppression("x.py", 6, 8, 6, (), ""),
    ]


def test_parse_yaml_comments_need_whitespace_before_the_hash() -> None:
    text = ("config:\n"
            "  app:url: http://x/#tapcheck: ignore[TAP007]\n"
            "  app:token: abc  # tapcheck: ignore[TAP007] -- dummy\n"
            "  app:note: 'a # b'  # note  # tapcheck: ignore[TAP007] -- after another comment\n")
    assert parse("Pulumi.dev.yaml", text) == [
        Suppression("Pulumi.dev.yaml", 3, 19, 3, ("TAP007",), "dummy"),
        Suppression("Pulumi.dev.yaml", 4, 30, 4, ("TAP007",), "after another comment")]


def test_a_python_file_that_does_not_tokenize_is_read_line_by_line() -> None:
    text = "def f(:\n    x = '''  # tapcheck: ignore[TAP009] -- broken on purpose\n"
    assert [s.rules for s in parse("bad.py", text)] == [("TAP009",)]


def test_suppressions_in_python_and_yaml_silence_only_the_rules_they_name() -> None:
    report = run(FIXTURE, synth=True)
    # Line 8 (trailing) and line 10 (comment alone on line 9) are silenced; line 11 names another rule.
    assert located(report, "TAP041") == {("TAP041", "__main__.py", 11)}
    # The stack file's plain-text token is silenced by its YAML comment.
    assert not located(report, "TAP007")
    assert not [f for f in report.findings if f.rule == "TAP090" and f.line in (3, 8, 9)]


def test_unused_suppressions_only_once_every_rule_saw_the_program() -> None:
    # Without the program run, only what is wrong whatever the rules find: an unknown id, a bare ignore.
    static = run(FIXTURE, synth=False)
    assert {(f.path, f.line) for f in static.findings if f.rule == "TAP090"} == {("__main__.py", 16),
                                                                               ("__main__.py", 17)}
    messages = {f.line: f.message for f in run(FIXTURE, synth=True).findings if f.rule == "TAP090"}
    assert messages[14] == "unused suppression: no TAP053 finding on line 15"
    assert messages[16] == "suppression names TAP999, which is no tapcheck rule"
    assert messages[17] == "`# tapcheck: ignore` without rule ids silences nothing"


def test_suppressions_of_rules_not_selected_are_left_alone(tmp_path: Path) -> None:
    root = write(tmp_path, {
        "Pulumi.yaml": "name: app\nruntime: python\n",
        "__main__.py": "import pulumi\n\npulumi.export('stack', pulumi.get_stack())  # tapcheck: ignore[TAP012]\n",
    })
    assert not tapcheck.check(root).findings  # TAP012 is a house rule, off by default: not "unused"
    report = tapcheck.check(root, extend_select=["house"])
    assert [(f.rule, f.line) for f in report.findings] == [("TAP090", 3), ("TAP091", 3)]


def test_a_reason_is_a_house_rule(tmp_path: Path) -> None:
    name = "TAP091-no-reason"
    assert not tapcheck.check(fixture(name), synth=False).findings
    report = tapcheck.check(fixture(name), synth=False, extend_select=["house"])
    assert {(f.rule, f.path, f.line) for f in report.findings} == {
        ("TAP091", "Pulumi.dev.yaml", 3), ("TAP091", "__main__.py", 7), ("TAP091", "__main__.py", 8)}
    assert report.findings[0].message == "suppression of TAP007 gives no reason"


def test_a_comment_cannot_silence_findings_about_comments(tmp_path: Path) -> None:
    root = write(tmp_path, {
        "Pulumi.yaml": "name: app\nruntime: python\n",
        "__main__.py": "import pulumi\n\nx = 1  # tapcheck: ignore[TAP999, TAP090]\n"
                       "pulumi.export('stack', pulumi.get_stack())\n",
    })
    report = tapcheck.check(root, synth=False)
    assert [(f.rule, f.message) for f in report.findings] == [
        ("TAP090", "suppression names TAP999, which is no tapcheck rule")]
