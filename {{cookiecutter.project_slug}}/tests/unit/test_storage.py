"""The bucket: private, versioned, KMS-encrypted, TLS-only, and emptied on destroy outside production."""

import pytest

from lib.components.storage import Storage, StorageArgs
from lib.naming import Naming
from tests.unit.conftest import PROJECT, RecordingMocks, deploy, policy, use_stack

KEY_ARN = "arn:aws:kms:us-east-1:123456789012:key/test"


def build_storage(mocks: RecordingMocks, production: bool = False) -> RecordingMocks:
    """A bucket encrypted with KEY_ARN, registered under `mocks`."""
    args = StorageArgs(naming=Naming("tap", "test"), production=production, kms_key_arn=KEY_ARN)
    deploy(lambda: Storage("storage", args))
    return mocks


@pytest.fixture(scope="module")
def default_storage() -> RecordingMocks:
    """`build_storage` with its defaults, registered once for the tests of this module that only read it."""
    mocks = use_stack(PROJECT.stack_name)
    build_storage(mocks)
    use_stack(PROJECT.stack_name)  # the tests' own deployments record elsewhere
    return mocks


def test_all_public_access_is_blocked(default_storage):
    block = default_storage.one("aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock")
    flags = ("blockPublicAcls", "blockPublicPolicy", "ignorePublicAcls", "restrictPublicBuckets")
    assert all(block.inputs[flag] is True for flag in flags)
    ownership = default_storage.one("aws:s3/bucketOwnershipControls:BucketOwnershipControls")
    assert ownership.inputs["rule"]["objectOwnership"] == "BucketOwnerEnforced"


def test_objects_are_encrypted_with_the_stack_key(default_storage):
    sse = default_storage.one(
        "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration"
    )
    (rule,) = sse.inputs["rules"]
    assert rule["applyServerSideEncryptionByDefault"] == {"sseAlgorithm": "aws:kms", "kmsMasterKeyId": KEY_ARN}
    assert rule["bucketKeyEnabled"] is True


def test_versioning_is_enabled(default_storage):
    versioning = default_storage.one("aws:s3/bucketVersioning:BucketVersioning")
    assert versioning.inputs["versioningConfiguration"]["status"] == "Enabled"


def test_policy_denies_every_request_without_tls(default_storage):
    (statement,) = policy(default_storage.one("aws:s3/bucketPolicy:BucketPolicy"))["Statement"]
    assert statement["Effect"] == "Deny"
    assert statement["Action"] == "s3:*"
    assert statement["Condition"] == {"Bool": {"aws:SecureTransport": "false"}}
    assert len(statement["Resource"]) == 2


@pytest.mark.parametrize(("production", "force_destroy"), [(False, True), (True, False)])
def test_force_destroy_only_outside_production(stack_mocks, production, force_destroy):
    build_storage(stack_mocks, production=production)
    assert stack_mocks.one("aws:s3/bucket:Bucket").inputs["forceDestroy"] is force_destroy
