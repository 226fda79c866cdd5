"""One fixture repo per rule: each reported (rule, path, line) must match the fixture's `# expect:` markers.

Synth runs are cached per process (``helpers.run``), so each fixture is synthesised once.
"""

from __future__ import annotations

import datetime
import shutil
from pathlib import Path

import pytest
from helpers import EVERY_RULE, expected, fixture, located, run

import tapcheck
from tapcheck import RULES, engines, sdkargs
from tapcheck.rules.code import secret_input
from tapcheck.rules.graph import is_production

# rule -> fixtures whose markers the rule must reproduce exactly, with synth.
SYNTH_CASES: dict[str, list[str]] = {
    "TAP010": ["TAP010-program-fails", "TAP003-file-main"],
    "TAP011": ["TAP011-no-exports"],
    "TAP012": ["TAP012-no-stack-export"],
    "TAP013": ["TAP013-test-reads-missing-output"],
    "TAP014": ["TAP014-stringified-list"],
    "TAP015": ["TAP015-duplicate-urn"],
    "TAP016": ["TAP016-output-in-string"],
    "TAP017": ["TAP017-export-inside-apply"],
    "TAP020": ["TAP020-literal-password"],
    "TAP021": ["TAP021-vpc-no-flow-log"],
    "TAP022": ["TAP022-missing-archive"],
    "TAP023": ["TAP023-engine-version", "TAP034-extended-support"],
    "TAP024": ["TAP024-nested-key", "TAP024-helper-dicts"],
    "TAP025": ["TAP025-stage-by-string"],
    "TAP026": ["TAP026-name-limit"],
    "TAP027": ["TAP027-latest-image"],
    "TAP028": ["TAP028-undestroyable"],
    "TAP029": ["TAP029-missing-tags"],
    "TAP030": ["TAP030-subnet-overlap"],
    "TAP031": ["TAP031-apigw-deployment"],
    "TAP032": ["TAP032-enum-values"],
    "TAP033": ["TAP031-apigw-deployment"],
    "TAP034": ["TAP034-extended-support"],
    "TAP042": ["TAP042-apply-asserts"],
    "TAP050": ["TAP050-open-ingress"],
    "TAP051": ["TAP051-unencrypted-storage"],
    "TAP052": ["TAP052-public-database"],
    "TAP053": ["TAP053-public-bucket"],
    "TAP054": ["TAP054-plaintext-env-secret"],
    "TAP055": ["TAP055-secure-config-plain"],
    "TAP056": ["TAP056-iam-policies"],
    "TAP057": ["TAP056-iam-policies"],
    "TAP058": ["TAP056-iam-policies"],
    "TAP090": ["TAP090-unused-suppression"],
    "TAP060": ["TAP060-policy-pack"],
    "TAP035": ["TAP035-no-egress"],
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
    "TAP017": ["TAP017-export-inside-apply"],
    "TAP024": ["TAP024-nested-key"],
    "TAP040": ["TAP040-placeholder-tests"],
    "TAP041": ["TAP041-import-hacks"],
    "TAP042": ["TAP042-apply-asserts"],
    "TAP091": ["TAP091-no-reason"],
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


def test_tap023_suggests_lookup_with_quoted_versions() -> None:
    item = next(f for f in run("TAP023-engine-version").findings if f.rule == "TAP023" and "15.3" in f.message)
    assert '"15.3"' in item.message
    assert 'preferred_versions=["15.' in item.fix
    assert "aws.rds.get_engine_version" in item.fix


def test_tap023_notes_a_version_newer_than_the_table() -> None:
    report = run("TAP023-engine-version")
    assert not [f for f in report.findings if "17.9" in f.message]
    assert any("17.9" in note and "newer than the engine table" in note for note in report.notes)


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


def test_tap011_counts_exports_of_imported_modules() -> None:
    for synth in (True, False):
        report = run("TAP011-export-in-module", synth=synth)
        assert not [f for f in report.findings if f.rule in ("TAP011", "TAP013")]


def test_tap011_only_when_outputs_are_read() -> None:
    report = run("TAP015-duplicate-urn", synth=False)  # no export anywhere, and nothing reads outputs
    assert "TAP011" not in report.rules()


def test_tap013_does_not_count_exports_made_inside_apply() -> None:
    (item,) = [f for f in run("TAP017-export-inside-apply").findings if f.rule == "TAP013"]
    assert "'bucket_url'" in item.message


def test_tap016_names_the_sdk_text_and_the_receiving_input() -> None:
    messages = sorted(f.message for f in run("TAP016-output-in-string").findings if f.rule == "TAP016")
    assert messages[0].startswith("aws.s3.BucketPolicy 'assets-policy' input `policy`")
    assert "Calling __str__ on an Output[T] is not supported" in messages[0]
    assert messages[1].startswith("export 'bucket_url'")


def test_tap020_reports_a_dynamic_reference_as_what_it_is() -> None:
    (item,) = [f for f in run("TAP020-literal-password").findings if f.path == "lib/others.py" and f.line == 44]
    assert "CloudFormation dynamic reference" in item.message
    assert "get_secret_version" in item.fix


def test_tap024_synth_uses_wire_names_and_finds_helper_dicts() -> None:
    assert not [f for f in run("TAP024-helper-dicts", synth=False).findings if f.rule == "TAP024"]
    messages = [f.message for f in run("TAP024-helper-dicts").findings if f.rule == "TAP024"]
    assert any("'metricNam'" in m and "did you mean 'metricName'?" in m for m in messages)
    assert any("'cloudwatchMetricEnabled'" in m and "'cloudwatchMetricsEnabled'" in m for m in messages)


def test_tap031_says_which_parts_it_does_not_wait_for() -> None:
    items = {f.line: f.message for f in run("TAP031-apigw-deployment").findings if f.rule in ("TAP031", "TAP033")}
    assert "aws.apigateway.Method 'racing-post'" in items[23]
    assert "aws.apigateway.Integration 'racing-post-mock'" in items[23]
    assert "no `triggers`" in items[29]


def test_tap032_quotes_the_deprecation_date() -> None:
    messages = [f.message for f in run("TAP032-enum-values").findings if f.rule == "TAP032"]
    assert any("'python3.8' was deprecated on 2024-10-14" in m for m in messages)
    assert any("'python3.99' is not a Lambda runtime" in m for m in messages)


def test_security_rules_are_warnings_in_the_catalog() -> None:
    assert all(RULES[r].severity == "warning" for r in RULES if r.startswith("TAP05"))


def test_tap050_reports_each_open_rule() -> None:
    messages = {f.line: f.message for f in run("TAP050-open-ingress").findings if f.rule == "TAP050"}
    assert "SSH (22)" in messages[10] and "0.0.0.0/0" in messages[10]
    assert "MySQL (3306)" in messages[14]
    assert "::/0" in messages[18]
    assert "all ports and protocols" in messages[20]


def test_every_catalog_row_explains_itself_with_a_public_source() -> None:
    for rule in RULES.values():
        assert rule.why and rule.fix and rule.example, rule.id
        assert rule.source.startswith("https://"), rule.id


@pytest.mark.parametrize(("name", "value", "secret"), [
    ("master_password", "hunter2", True), ("secretString", "s3cr3t", True), ("auth_token", "abc", True),
    ("api_key_source", "HEADER", False), ("apiKeySource", "AUTHORIZER", False),  # botocore ApiKeySourceType
    ("access_token", "hours", False), ("access_token", "eyJhbGciOi", True),  # Cognito TimeUnitsType
    ("password_hashing_algorithm", "BCRYPT", False), ("credential_location", "HEADER", False),
    ("http_tokens", "required", False),  # EC2 instance metadata options: HttpTokensState
    ("secret_arn", "arn:aws:secretsmanager:eu-west-1:1:secret:x", False), ("password_policy", "strict", False),
])
def test_secret_inputs_exclude_settings_and_enumerated_values(name: str, value: str, secret: bool) -> None:
    assert secret_input(name, value) is secret


@pytest.mark.parametrize(("engine", "version", "today", "support"), [
    ("mysql", "5.7", datetime.date(2026, 11, 30), ("2024-02-29", "2027-02-28")),
    ("mysql", "5.7.44", datetime.date(2024, 3, 1), ("2024-02-29", "2027-02-28")),
    ("mysql", "5.7", datetime.date(2024, 2, 1), None),  # still in standard support
    ("mysql", "5.7", datetime.date(2027, 3, 1), None),  # past Extended Support: retired
    ("aurora-mysql", "5.7.mysql_aurora.2.11.2", datetime.date(2026, 1, 1), ("2024-10-31", "2027-10-31")),
    ("postgres", "12.22", datetime.date(2026, 1, 1), ("2025-02-28", "2028-02-28")),
    ("postgres", "16.4", datetime.date(2026, 1, 1), None), ("mariadb", "10.4", datetime.date(2026, 1, 1), None),
])
def test_extended_support_window(engine: str, version: str, today: datetime.date,
                                 support: tuple[str, str] | None) -> None:
    assert engines.extended_support(engine, version, today) == support


def test_tap034_names_the_charges_and_the_end_of_extended_support() -> None:
    (item,) = [f for f in run("TAP034-extended-support").findings if f.rule == "TAP034" and f.line == 9]
    assert "postgres 13 ended RDS standard support on 2026-02-28" in item.message
    assert "until 2029-02-28" in item.message
    (refused,) = [f for f in run("TAP034-extended-support").findings if f.rule == "TAP023"]
    assert "opts out of RDS Extended Support" in refused.message


def test_tap024_accepts_the_terraform_name_of_a_pluralized_list() -> None:
    wire = ["definitions"]
    assert sdkargs.terraform_alias("definition", wire) == "definitions"
    assert sdkargs.terraform_alias("ipSet", ["ipSets"]) == "ipSets"
    assert sdkargs.terraform_alias("policy", ["policies"]) == "policies"
    assert sdkargs.terraform_alias("definitionz", wire) is None
    for synth in (False, True):
        assert not [f for f in run("TAP024-nested-key", synth=synth).findings
                    if f.rule == "TAP024" and "definition" in f.message]


def test_tap040_outside_testpaths_counts_without_a_pytest_config(tmp_path: Path) -> None:
    """The fixture's pytest.ini keeps the root test_*.py out of collection; without it pytest collects the file."""
    copy = tmp_path / "project"
    shutil.copytree(fixture("TAP040-placeholder-tests"), copy)
    (copy / "pytest.ini").unlink()
    report = tapcheck.check(copy, synth=False, select=EVERY_RULE)
    reported = {f.path for f in report.findings if f.rule == "TAP040"}
    assert "test_endpoint_manually.py" in reported
    assert "tests/integration/test_send_message.py" not in reported  # a script: __main__ guard, no tests


def test_tap011_ignores_comments_and_counts_commands_that_read_outputs(tmp_path: Path) -> None:
    copy = tmp_path / "project"
    copy.mkdir()
    (copy / "Pulumi.yaml").write_text("name: jobs\nruntime: python\n", encoding="utf-8")
    (copy / "__main__.py").write_text(  # exports nothing, registers nothing
        "import pulumi_aws as aws\n\n# `pulumi stack output` prints nothing for this stack\naws.sqs.Queue(\"jobs\")\n",
        encoding="utf-8")
    assert "TAP011" not in tapcheck.check(copy, synth=False, select=EVERY_RULE).rules()
    (copy / "scripts").mkdir()
    (copy / "scripts" / "smoke.sh").write_text("#!/bin/sh\n# reads the queue url\nURL=$(pulumi stack output url)\n",
                                               encoding="utf-8")
    (item,) = [f for f in tapcheck.check(copy, synth=False, select=EVERY_RULE).findings if f.rule == "TAP011"]
    assert "scripts/smoke.sh:3 reads its outputs" in item.message
