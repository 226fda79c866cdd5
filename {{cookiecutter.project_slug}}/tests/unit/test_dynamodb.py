"""The table: on demand, KMS-encrypted, point-in-time recovery, protected from deletion in production."""

import pytest

from lib.components.dynamodb import Table, TableArgs
from lib.naming import Naming
from tests.unit.conftest import PROJECT, RecordingMocks, deploy, use_stack

KEY_ARN = "arn:aws:kms:us-east-1:123456789012:key/test"
TABLE = "aws:dynamodb/table:Table"


def build_table(mocks: RecordingMocks, production: bool = False, **keys) -> RecordingMocks:
    """A table encrypted with KEY_ARN, registered under `mocks`."""
    args = TableArgs(naming=Naming("tap", "test"), production=production, kms_key_arn=KEY_ARN, **keys)
    deploy(lambda: Table("dynamodb", args))
    return mocks


@pytest.fixture(scope="module")
def default_table() -> RecordingMocks:
    """`build_table` with its defaults, registered once for the tests of this module that only read it."""
    mocks = use_stack(PROJECT.stack_name)
    build_table(mocks)
    use_stack(PROJECT.stack_name)  # the tests' own deployments record elsewhere
    return mocks


def test_on_demand_with_string_pk_and_sk_by_default(default_table):
    table = default_table.one(TABLE)
    assert table.inputs["billingMode"] == "PAY_PER_REQUEST"
    assert (table.inputs["hashKey"], table.inputs["rangeKey"]) == ("pk", "sk")
    assert table.inputs["attributes"] == [{"name": "pk", "type": "S"}, {"name": "sk", "type": "S"}]
    assert "readCapacity" not in table.inputs


def test_keys_are_configurable_and_the_range_key_optional(stack_mocks):
    build_table(stack_mocks, hash_key="id", range_key=None)
    table = stack_mocks.one(TABLE)
    assert table.inputs["hashKey"] == "id"
    assert "rangeKey" not in table.inputs
    assert table.inputs["attributes"] == [{"name": "id", "type": "S"}]


def test_encrypted_with_the_stack_key_and_recoverable(default_table):
    table = default_table.one(TABLE)
    assert table.inputs["serverSideEncryption"] == {"enabled": True, "kmsKeyArn": KEY_ARN}
    assert table.inputs["pointInTimeRecovery"]["enabled"] is True


@pytest.mark.parametrize(
    ("ttl", "expected"), [(None, None), ("expires_at", {"attributeName": "expires_at", "enabled": True})]
)
def test_ttl_only_when_an_attribute_is_named(stack_mocks, ttl, expected):
    build_table(stack_mocks, ttl_attribute=ttl)
    assert stack_mocks.one(TABLE).inputs.get("ttl") == expected


@pytest.mark.parametrize("production", [False, True])
def test_deletion_protection_only_in_production(stack_mocks, production):
    build_table(stack_mocks, production=production)
    assert stack_mocks.one(TABLE).inputs["deletionProtectionEnabled"] is production
