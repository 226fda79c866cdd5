"""Regressions for the five post-mortems in the shared seeds: every numbered failure the catalog covers has a
fixture reproducing it, and the checker must report it at the marked line.

Out of scope (not the checker's job, or not a defect), listed so that the table below is complete:
- seed 000 #3, seed 004 #7: lint-level problems (long lines, needless f-strings, `open()` without encoding,
  missing final newline) belong to the generated repo's linters, per the catalog.
- seed 003 #6 (no database migration strategy) and #8 (no CloudWatch dashboard): design gaps, not deploy
  failures; no rule in the catalog.
- seed 003 #7 (inefficient but valid, non-overlapping subnet CIDRs): not an error; TAP030 covers the failing
  case (overlap / outside the VPC), see fixture TAP030-subnet-overlap.
- seed 004 #6: the post-mortem itself calls it a false positive ("stage" in a Stage name); the test below checks
  that the checker does not flag it.
"""

from __future__ import annotations

import pytest
from helpers import expected, fixture, located, run

from tapcheck.catalog import RULES

# (seed, failure number, what failed, fixture, rules that must report it at the fixture's marked lines)
SEED_FAILURES: list[tuple[str, int, str, str, tuple[str, ...]]] = [
    ("000", 1, "outputs only registered inside the component", "seed-000-tapstack", ("TAP011",)),
    ("000", 2, "Pipfile stack reference names another project", "seed-000-tapstack", ("TAP004",)),
    ("000", 4, "ModuleNotFoundError: No module named 'lib' with main: tap.py", "seed-000-tapstack",
     ("TAP003", "TAP010")),
    ("001", 1, "lib/__main__.py entry point never created", "seed-001-missing-entry", ("TAP002",)),
    ("001", 2, "lib.* imports fail with main: lib/tap_stack.py; try/except import fallback", "seed-001-import-fallback",
     ("TAP003", "TAP010", "TAP041")),
    ("001", 3, "required 'stack' export missing, integration test reads it", "seed-001-outputs", ("TAP012", "TAP013")),
    ("001", 4, "subnet id lists flattened to JSON strings", "seed-001-outputs", ("TAP014",)),
    ("001", 5, "aws:region declares a default in Pulumi.yaml", "seed-001-config", ("TAP005",)),
    ("002", 1, "tap.py exports nothing", "seed-002-webhooks", ("TAP011",)),
    ("002", 2, "test files hold only commented-out tests", "seed-002-webhooks", ("TAP040",)),
    ("002", 3, "ModuleNotFoundError: No module named 'lib'; PYTHONPATH workaround", "seed-002-webhooks",
     ("TAP003", "TAP010", "TAP041")),
    ("003", 1, "aurora-postgresql engine version 15.3", "seed-003-payments", ("TAP023",)),
    ("003", 2, "deploy script names project TapStack, Pulumi.yaml says pulumi-infra; main: tap.py",
     "seed-003-project", ("TAP004", "TAP003")),
    ("003", 3, "hard-coded database master password", "seed-003-payments", ("TAP020",)),
    ("003", 4, "VPC without flow logs", "seed-003-payments", ("TAP021",)),
    ("003", 5, "nginx:latest placeholder container image", "seed-003-payments", ("TAP027",)),
    ("003", 9, "no cost-allocation tags", "seed-003-payments", ("TAP029",)),
    ("004", 1, "entry point tap.py missing", "seed-004-project", ("TAP002",)),
    ("004", 2, "absolute virtualenv path in Pulumi.yaml", "seed-004-project", ("TAP006",)),
    ("004", 3, "usage plan and WAF association name the stage before it exists", "seed-004-serverless",
     ("TAP025",)),
    ("004", 4, "visibility_config key cloud_watch_metrics_enabled", "seed-004-serverless", ("TAP024",)),
    ("004", 5, "FileArchive('./lib/lambda') relative to the wrong folder", "seed-004-serverless", ("TAP022",)),
]


@pytest.mark.parametrize(("seed", "number", "what", "name", "rules"), SEED_FAILURES,
                         ids=[f"seed{s}-{n}" for s, n, *_ in SEED_FAILURES])
def test_seed_failure_is_caught(seed: str, number: int, what: str, name: str, rules: tuple[str, ...]) -> None:
    report = run(name, synth=True)
    static = run(name, synth=False)
    for rule in rules:
        want = expected(fixture(name), rule)
        # TAP003 is the static claim; when the run then fails the same way, the two are one TAP010 finding
        found = located(static if rule == "TAP003" else report, rule)
        assert want, f"fixture {name} marks no {rule} line for seed {seed} #{number}"
        assert found == want, f"seed {seed} #{number} ({what})"
        assert {f.severity for f in (static if rule == "TAP003" else report).findings if f.rule == rule} == \
            {RULES[rule].severity}


@pytest.mark.parametrize("name", sorted({row[3] for row in SEED_FAILURES}))
def test_seed_fixture_fails_the_check(name: str) -> None:
    assert run(name, synth=True).errors


def test_seed_004_stage_word_is_not_flagged() -> None:
    report = run("seed-004-serverless", synth=True)
    assert not [f for f in report.findings if "transaction-api-stage" in f.message]


def test_seed_003_literal_password_is_reported_once() -> None:
    report = run("seed-003-payments", synth=True)
    assert [(f.path, f.line) for f in report.findings if f.rule == "TAP020"] == [("lib/database.py", 14)]
