"""AWS facts the rules rest on: name limits against botocore, the enumerations file against botocore, the RDS
engine table and its maintainer script, S3 name rules, and the SDK wire names TAP024 checks."""

from __future__ import annotations

import importlib.util
import json
import re
from pathlib import Path

import botocore.session
import pytest

from tapcheck import engines, sdkargs
from tapcheck.limits import NAME_LIMITS, s3_problems
from tapcheck.rules import aws as aws_rules

ROOT = Path(__file__).resolve().parents[2]


def _script(name: str):
    spec = importlib.util.spec_from_file_location(name, ROOT / "scripts" / f"{name}.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.mark.parametrize("token", sorted(t for t, row in NAME_LIMITS.items() if row.botocore))
def test_name_limit_rows_equal_botocore(token: str) -> None:
    row = NAME_LIMITS[token]
    assert row.botocore is not None
    service, operation, member = row.botocore
    shape = botocore.session.get_session().get_service_model(service).operation_model(operation).input_shape
    metadata = shape.members[member].metadata
    assert (row.min_len, row.max_len) == (metadata["min"], metadata["max"])
    pattern = metadata.get("pattern")
    if pattern:  # every character the row allows is one botocore's pattern allows, and the other way round
        body = pattern.strip("^$").rstrip("+")
        for char in "aZ09-_.@+=,/:#* ":
            assert bool(re.fullmatch(row.chars, char)) == bool(re.fullmatch(body, char)), (token, char)


def test_rows_without_botocore_cite_a_source() -> None:
    assert all(row.source.startswith("https://") for row in NAME_LIMITS.values() if not row.botocore)


def test_enumerations_file_equals_botocore() -> None:
    saved = json.loads((ROOT / "tapcheck" / "data" / "aws_enums.json").read_text(encoding="utf-8"))
    assert saved == _script("update_aws_facts").facts()
    assert {"python3.13", "nodejs22.x"} <= aws_rules.LAMBDA_RUNTIMES
    assert {7, 14, 3653} <= aws_rules.LOG_RETENTION_DAYS and 10 not in aws_rules.LOG_RETENTION_DAYS


def test_deprecated_runtimes_are_botocore_runtimes() -> None:
    assert set(aws_rules.DEPRECATED_RUNTIMES) <= aws_rules.LAMBDA_RUNTIMES


@pytest.mark.parametrize(("name", "problem"), [
    ("my..bucket", "'..'"), ("my.-bucket", "'.-'"), ("my-.bucket", "'-.'"), ("192.168.5.4", "IP address"),
    ("xn--bucket", "'xn--'"), ("logs-s3alias", "'-s3alias'"), ("data--ol-s3", "'--ol-s3'"),
])
def test_s3_name_rules(name: str, problem: str) -> None:
    assert any(problem in p for p in s3_problems(name))


def test_s3_valid_names_pass() -> None:
    row = NAME_LIMITS["aws:s3/bucket:Bucket"]
    assert row.problems("tapstack-images-abcdefg") == []
    assert row.problems("logs.example.com") == []


@pytest.mark.parametrize(("engine", "version", "status"), [
    ("aurora-postgresql", "15.5", "retired"), ("aurora-postgresql", "15.4", "retired"),
    ("aurora-postgresql", "14.7", "retired"), ("aurora-postgresql", "14.10", "retired"),
    ("aurora-postgresql", "13.10", "retired"), ("aurora-postgresql", "13.13", "retired"),
    ("aurora-postgresql", "15.3", "retired"), ("aurora-postgresql", "16.4", "offered"),
    ("aurora-postgresql", "16", "offered"), ("aurora-postgresql", "17.99", "newer"),
    ("aurora-postgresql", "18.1", "newer"), ("aurora-postgresql", "11.9", "retired"),
    ("aurora-mysql", "8.0.mysql_aurora.3.10.0", "offered"), ("aurora-mysql", "8.0.mysql_aurora.3.02.0", "retired"),
    ("oracle-ee", "19", None),
])
def test_engine_status(engine: str, version: str, status: str | None) -> None:
    assert engines.status(engine, version) == status


def test_engine_table_script_keeps_available_versions(tmp_path: Path) -> None:
    saved = tmp_path / "aurora-postgresql.json"
    saved.write_text(json.dumps({"DBEngineVersions": [
        {"Engine": "aurora-postgresql", "EngineVersion": "15.10", "Status": "available"},
        {"Engine": "aurora-postgresql", "EngineVersion": "15.9", "Status": "available"},
        {"Engine": "aurora-postgresql", "EngineVersion": "15.5", "Status": "deprecated"},
    ]}), encoding="utf-8")
    out = tmp_path / "table.json"
    assert _script("update_engine_versions").main([str(saved), "--date", "2026-02-01", "--output", str(out)]) == 0
    table = json.loads(out.read_text(encoding="utf-8"))
    assert table["date"] == "2026-02-01"
    assert table["engines"] == {"aurora-postgresql": ["15.9", "15.10"]}


def test_shipped_engine_table_is_dated_and_sorted() -> None:
    assert re.fullmatch(r"\d{4}-\d{2}(-\d{2})?", engines.TABLE_DATE)
    for majors in engines.KNOWN_VERSIONS.values():
        for versions in majors.values():
            assert list(versions) == sorted(versions, key=engines.version_key)


def test_wire_names_of_an_iam_policy_document() -> None:
    right = {"type": "aws:iam/policy:Policy", "inputs": {"policy": {
        "Version": "2012-10-17",
        "Statement": [{"Effect": "Allow", "Action": ["s3:GetObject"], "Resource": "*",
                       "Principal": {"Service": "lambda.amazonaws.com"},
                       "Condition": {"StringEquals": {"aws:SourceAccount": "123456789012"}}}]}}}
    assert sdkargs.unknown_wire_keys(right) == []
    wrong = {"type": "aws:iam/policy:Policy", "inputs": {"policy": {"version": "2012-10-17", "Statement": []}}}
    (problem,) = sdkargs.unknown_wire_keys(wrong)
    assert (problem["key"], problem["suggestion"], problem["path"]) == ("version", "Version", ["policy"])
