"""Mock answers in the formats AWS documents and programs decode, and provider functions of non-AWS SDKs."""

from __future__ import annotations

import base64
import json
import os
import subprocess
import sys
from pathlib import Path

import pulumi
import pulumi_aws as aws
import pulumi_std as std
import pytest

from tapcheck import arns, std_functions
from tapcheck.mocks import AwsMocks

ROOT = Path(__file__).resolve().parents[2]
pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")


@pytest.fixture(autouse=True)
def mocks() -> None:
    pulumi.runtime.settings.reset_options(project="mocked", stack="dev")
    pulumi.runtime.set_mocks(AwsMocks(), project="mocked", stack="dev", preview=False)


@pytest.mark.parametrize("fetch", [aws.ecr.get_authorization_token, aws.ecr.get_credentials])
def test_ecr_token_is_base64_of_aws_and_password(fetch) -> None:
    args = {"registry_id": "210987654321"} if fetch is aws.ecr.get_credentials else {}
    answer = fetch(**args)
    user, password = base64.b64decode(answer.authorization_token).decode().split(":")
    assert user == "AWS" and password
    assert answer.proxy_endpoint.startswith("https://") and ".dkr.ecr.us-east-1.amazonaws.com" in answer.proxy_endpoint
    if fetch is aws.ecr.get_credentials:
        assert answer.proxy_endpoint == "https://210987654321.dkr.ecr.us-east-1.amazonaws.com"


def test_kubeconfig_certificate_data_is_base64_pem() -> None:
    pem = base64.b64decode(arns.string_for("data", "aws:eks/cluster:Cluster", "c", "us-east-1")).decode()
    assert pem.startswith("-----BEGIN CERTIFICATE-----\n") and pem.endswith("-----END CERTIFICATE-----\n")
    assert json.loads(arns.string_for("policy", "aws:s3/bucketPolicy:BucketPolicy", "p", "us-east-1"))["Version"]
    assert base64.b64decode(arns.string_for("userDataBase64", "aws:ec2/instance:Instance", "i", "us-east-1"))


def test_std_functions_are_computed_from_their_arguments() -> None:
    assert std.join(separator=",", input=["a", "b"]).result == "a,b"
    assert std.split(separator=",", text="a,b,c").result == ["a", "b", "c"]
    assert std.concat(input=[["x"], ["y", "z"]]).result == ["x", "y", "z"]
    assert std.format(input="%s-%d", args=["web", 3]).result == "web-3"
    assert std.cidrsubnet(input="10.0.0.0/16", newbits=8, netnum=2).result == "10.0.2.0/24"
    assert std.cidrsubnets(input="10.0.0.0/16", newbits=[8, 4]).result == ["10.0.0.0/24", "10.0.16.0/20"]
    assert std.jsonencode(input={"a": 1}).result == '{"a":1}'


def test_impure_std_function_gets_its_declared_type() -> None:
    assert isinstance(std.timestamp().result, str)
    assert isinstance(std.uuid().result, str)


def test_every_std_function_name_is_a_pulumi_std_function() -> None:
    assert set(std_functions.FUNCTIONS) <= set(dir(std))


def test_mocks_read_sdk_types_without_the_sdks_deprecation_warnings() -> None:
    """pulumi-aws warns at import for each deprecated module of a package; the mocks' reading of a type does not
    pass those on, while the program's own import still warns (a fresh interpreter: modules import once)."""
    code = """if True:
        import warnings
        import pulumi_aws
        from tapcheck import shapes
        with warnings.catch_warnings(record=True) as mocks_read:
            warnings.simplefilter("always")
            assert shapes.resource_class("aws:s3/bucketV2:BucketV2").__name__ == "BucketV2"
        with warnings.catch_warnings(record=True) as program_import:
            warnings.simplefilter("always")
            assert pulumi_aws.ec2.Vpc  # the SDK loads the package on first use
        print(sum(w.category is DeprecationWarning for w in mocks_read),
              sum(w.category is DeprecationWarning for w in program_import))
    """
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=ROOT,
                          env={**os.environ, "PYTHONPATH": str(ROOT)})
    mocks_read, program_import = map(int, done.stdout.split())
    assert mocks_read == 0
    assert program_import > 0
