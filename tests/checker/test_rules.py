"""One fixture repo per rule: each reported (rule, path, line) must match the fixture's `# expect:` markers.

Synth runs are cached per process (``helpers.run``), so each fixture is synthesised once.
"""

from __future__ import annotations

import pytest
from helpers import expected, fixture, located, run

from tapcheck import RULES
from tapcheck.rules.graph import is_production

# rule -> fixtures whose markers the rule must reproduce exactly, with synth.
SYNTH_CASES: dict[str, list[str]] = {
    "TAP010": ["TAP010-program-fails", "TAP003-file-main"],
    "TAP011": ["TAP011-no-exports"],
    "TAP012": ["TAP012-no-stack-export"],
    "TAP013": ["TAP013-test-reads-missing-output"],
    "TAP014": ["TAP014-stringified-list"],
    "TAP015": ["TAP015-duplicate-urn"],
    "TAP020": ["TAP020-literal-password"],
    "TAP021": ["TAP021-vpc-no-flow-log"],
    "TAP022": ["TAP022-missing-archive"],
    "TAP023": ["TAP023-engine-version"],
    "TAP024": ["TAP024-nested-key"],
    "TAP025": ["TAP025-stage-by-string"],
    "TAP026": ["TAP026-name-limit"],
    "TAP027": ["TAP027-latest-image"],
    "TAP028": ["TAP028-undestroyable"],
    "TAP029": ["TAP029-missing-tags"],
    "TAP030": ["TAP030-subnet-overlap"],
}

# rule -> fixtures whose markers the static rules alone must reproduce exactly (no subprocess).
STATIC_CASES: dict[str, list[str]] = {
    "TAP001": ["TAP001-invalid-name", "TAP001-not-python"],
    "TAP002": ["TAP002-missing-main", "TAP002-folder-without-main"],
    "TAP003": ["TAP003-file-main", "TAP003-folder-main"],
    "TAP004": ["TAP004-project-name"],
    "TAP005": ["TAP005-provider-default"],
    "TAP006": ["TAP006-absolute-venv"],
    "TAP007": ["TAP007-stack-file"],
    "TAP008": ["TAP008-missing-config"],
    "TAP009": ["TAP009-syntax-error"],
    "TAP011": ["TAP011-no-exports"],
    "TAP013": ["TAP013-test-reads-missing-output"],
    "TAP014": ["TAP014-stringified-list"],
    "TAP024": ["TAP024-nested-key"],
    "TAP040": ["TAP040-placeholder-tests"],
    "TAP041": ["TAP041-import-hacks"],
}

# Static parts of rules whose other markers need the program run: the lines the AST alone must find.
STATIC_PARTS: dict[str, tuple[str, set[tuple[str, str, int]]]] = {
    "TAP020": ("TAP020-literal-password", {("TAP020", "lib/database.py", 15), ("TAP020", "lib/database.py", 22)}),
    "TAP027": ("TAP027-latest-image", {("TAP027", "__main__.py", 17)}),
}


def _cases(table: dict[str, list[str]]) -> list[tuple[str, str]]:
    return [(rule, name) for rule, names in table.items() for name in names]


def test_every_rule_has_a_fixture() -> None:
    covered = set(SYNTH_CASES) | set(STATIC_CASES)
    assert covered == set(RULES), sorted(set(RULES) ^ covered)


@pytest.mark.parametrize(("rule", "name"), _cases(SYNTH_CASES))
def test_rule_with_synth(rule: str, name: str) -> None:
    report = run(name, synth=True)
    want = expected(fixture(name), rule)
    assert want, f"{name} has no `expect: {rule}` marker"
    assert located(report, rule) == want
    assert all(f.severity == RULES[rule].severity for f in report.findings if f.rule == rule)


@pytest.mark.parametrize(("rule", "name"), _cases(STATIC_CASES))
def test_rule_static_only(rule: str, name: str) -> None:
    report = run(name, synth=False)
    assert report.synth is None
    want = expected(fixture(name), rule)
    assert want
    assert located(report, rule) == want


@pytest.mark.parametrize("rule", sorted(STATIC_PARTS))
def test_static_part_of_graph_rule(rule: str) -> None:
    name, lines = STATIC_PARTS[rule]
    report = run(name, synth=False)
    assert located(report, rule) == lines


def test_program_failure_message_is_the_last_traceback_line() -> None:
    (item,) = [f for f in run("TAP010-program-fails").findings if f.rule == "TAP010"]
    assert item.message.endswith("TypeError: Deployment._internal_init() got an unexpected keyword argument "
                                 "'stage_name'")


def test_file_main_fails_with_module_not_found() -> None:
    (item,) = [f for f in run("TAP003-file-main").findings if f.rule == "TAP010"]
    assert "No module named 'lib'" in item.message
    assert "main: lib/tap_stack.py" in item.fix


def test_tap005_quotes_pulumi_wording() -> None:
    messages = [f.message for f in run("TAP005-provider-default", synth=False).findings if f.rule == "TAP005"]
    assert messages[0] == ("Configuration key 'aws:region' is not namespaced by the project and should not define a "
                           "default value. Did you mean to use the 'value' attribute instead of 'default'?")
    assert messages[1] == ("Configuration key 'aws:profile' is not namespaced by the project and should not define a "
                           "type")
    assert messages[2] == ("Configuration key 'aws:skipMetadataApiCheck' is namespaced and must provide an attribute "
                           "'value'")


def test_tap024_suggests_the_sdk_name() -> None:
    messages = sorted(f.message for f in run("TAP024-nested-key", synth=False).findings if f.rule == "TAP024")
    assert "did you mean 'cloudwatch_metrics_enabled'?" in messages[0]
    assert "WebAclRuleVisibilityConfigArgs" in messages[0]
    assert "did you mean 'metric_name'?" in messages[1]


def test_tap023_suggests_lookup() -> None:
    (item,) = [f for f in run("TAP023-engine-version").findings if f.rule == "TAP023"]
    assert "'15.3'" in item.message
    assert "aws.rds.get_engine_version" in item.fix


@pytest.mark.parametrize(("stack", "production"), [("prod", True), ("production", True), ("app-prod-eu", True),
                                                   ("prod.eu", True), ("dev", False), ("producer", False),
                                                   ("preprod", False)])
def test_production_stack_names(stack: str, production: bool) -> None:
    assert is_production(stack) is production


def test_tap008_is_per_stack() -> None:
    paths = {f.path for f in run("TAP008-missing-config", synth=False).findings if f.rule == "TAP008"}
    assert paths == {"Pulumi.dev.yaml"}


def test_synth_record_shape() -> None:
    record = run("TAP021-vpc-no-flow-log").synth
    assert record is not None
    assert record["stack"] == "dev"
    assert record["project"] == "payments"
    vpc = next(r for r in record["resources"] if r["name"] == "payment-vpc")
    assert vpc["type"] == "aws:ec2/vpc:Vpc"
    assert vpc["urn"] == "urn:pulumi:dev::payments::pulumi:pulumi:Stack$aws:ec2/vpc:Vpc::payment-vpc"
    assert vpc["inputs"]["cidrBlock"] == "10.0.0.0/16"
    assert vpc["taggable"] is True
    flow = next(r for r in record["resources"] if r["type"] == "aws:ec2/flowLog:FlowLog")
    assert flow["taggable"] is True
    assert any(dep.endswith("::audited-vpc") for dep in flow["dependencies"])
    assert record["exports"]["stack"] == {"value": "dev", "secret": False, "site": {"path": "__main__.py", "line": 9}}


def test_synth_marks_secrets() -> None:
    record = run("TAP023-engine-version").synth
    assert record is not None
    cluster = next(r for r in record["resources"] if r["name"] == "payment-db")
    assert set(cluster["inputs"]["masterPassword"]) == {"__secret__"}
    password = next(r for r in record["resources"] if r["type"] == "random:index/randomPassword:RandomPassword")
    assert set(password["outputs"]["result"]) == {"__secret__"}
