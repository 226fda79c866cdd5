"""AwsMocks answer with the shapes the installed SDKs declare: typed computed outputs for every resource type,
typed echoes of inputs, data-source results, ARNs in each service's format, and pulumi-random constraints."""

from __future__ import annotations

import json
import re
import string
import typing
from collections import abc
from pathlib import Path

import pulumi
import pulumi_aws as aws
import pulumi_random as random
import pytest
from helpers import resolve
from pulumi import _types
from pulumi.runtime import rpc

from tapcheck import arns, shapes
from tapcheck.mocks import AwsMocks

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")  # pulumi-aws's deprecated v6 aliases
AWS_DIR = Path(aws.__file__).parent


def _aws_tokens() -> list[str]:
    """Every resource type token pulumi-aws registers, from its own registration data."""
    return sorted(token for key, modules in rpc._RESOURCE_MODULES.items() if key.startswith("aws:")
                  for module in modules for token in module.mod_info["classes"])


def _function_tokens() -> list[str]:
    """Data-source tokens read from pulumi-aws's generated ``get_*`` modules (their ``invoke('<token>'``)."""
    tokens = set()
    for path in AWS_DIR.glob("*/get_*.py"):
        found = re.search(r"invoke\('(aws:[^']+)'", path.read_text(encoding="utf-8"))
        if found:
            tokens.add(found.group(1))
    return sorted(tokens)


RESOURCE_SAMPLE = _aws_tokens()[::37]  # ~45 types spread over every service, same sample on every run
FUNCTION_SAMPLE = _function_tokens()[::29]


@pytest.fixture(autouse=True)
def mocks() -> None:
    pulumi.runtime.settings.reset_options(project="mocked", stack="dev")
    pulumi.runtime.set_mocks(AwsMocks(), project="mocked", stack="dev", preview=False)


def _strict() -> AwsMocks:
    """Mocks whose gaps raise, so a test sees them."""
    mocks = AwsMocks()
    mocks.strict = True
    return mocks


def _fits(value: object, typ: object) -> bool:
    """Whether ``value`` (engine form) is of the declared type ``typ``."""
    typ = shapes.unwrap(typ)
    origin = typing.get_origin(typ)
    if typ is str:
        return isinstance(value, str) and value != ""
    if typ in (int, float):
        return isinstance(value, (int, float)) and not isinstance(value, bool)
    if typ is bool:
        return isinstance(value, bool)
    if typ is list or origin in (list, abc.Sequence):
        return isinstance(value, list) and all(_fits(v, typing.get_args(typ)[0]) for v in value)
    if typ is dict or origin in (dict, abc.Mapping):
        return isinstance(value, dict)
    if isinstance(typ, type) and _types.is_output_type(typ):
        fields = _types.output_type_types(typ)
        return isinstance(value, dict) and all(_fits(value[k], fields[k]) for k in fields if k in value)
    return True  # enums, Any, resources: the SDK takes them as they are



@pytest.mark.parametrize("token", RESOURCE_SAMPLE)
def test_every_computed_output_has_a_value_of_its_declared_type(token: str) -> None:
    cls = shapes.resource_class(token)
    assert cls is not None and cls.__module__.startswith("pulumi_aws.")
    computed = [p for p in shapes.resource_properties(cls).values() if p.output_only]
    _, state = _strict().new_resource(pulumi.runtime.MockResourceArgs(token, "thing", {}))
    for prop in computed:
        assert state.get(prop.name) is not None, f"{token}: {prop.name} left None"
        assert _fits(state[prop.name], prop.type), f"{token}: {prop.name}={state[prop.name]!r} is not {prop.type}"
        # The SDK's own conversion of engine values into the program's typed outputs accepts it.
        rpc.translate_output_properties(state[prop.name], lambda k: k, prop.type)


def test_sample_spans_many_services() -> None:
    assert len(RESOURCE_SAMPLE) >= 40 and len({t.split("/")[0] for t in RESOURCE_SAMPLE}) >= 25


def test_arn_formats_of_named_services() -> None:
    db = aws.rds.Cluster("db", engine="aurora-postgresql", cluster_identifier="payments", skip_final_snapshot=True)
    pg = aws.rds.Instance("pg", engine="postgres", instance_class="db.t4g.micro", identifier="pg1")
    secret = aws.secretsmanager.Secret("creds", name="app/creds")
    key = aws.kms.Key("key")
    rest = aws.apigateway.RestApi("rest")
    http = aws.apigatewayv2.Api("http", protocol_type="HTTP")
    repo = aws.ecr.Repository("images", name="web")
    eks = aws.eks.Cluster("eks", role_arn="arn:aws:iam::123456789012:role/eks",
                          vpc_config={"subnet_ids": ["subnet-1"]})
    site = aws.s3.BucketWebsiteConfiguration("site", bucket="my-site", index_document={"suffix": "index.html"})
    account = "123456789012"
    assert resolve(db.arn) == f"arn:aws:rds:us-east-1:{account}:cluster:payments"
    assert resolve(pg.arn) == f"arn:aws:rds:us-east-1:{account}:db:pg1"
    assert re.fullmatch(rf"arn:aws:secretsmanager:us-east-1:{account}:secret:app/creds-[a-z0-9]{{6}}",
                        str(resolve(secret.arn)))
    key_id = str(resolve(key.key_id))
    assert re.fullmatch(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}", key_id)
    assert resolve(key.arn) == f"arn:aws:kms:us-east-1:{account}:key/{key_id}"
    rest_id = resolve(rest.id)
    assert resolve(rest.execution_arn) == f"arn:aws:execute-api:us-east-1:{account}:{rest_id}"
    http_id = resolve(http.id)
    assert resolve(http.execution_arn) == f"arn:aws:execute-api:us-east-1:{account}:{http_id}"
    assert resolve(http.api_endpoint) == f"https://{http_id}.execute-api.us-east-1.amazonaws.com"
    assert resolve(repo.repository_url) == f"{account}.dkr.ecr.us-east-1.amazonaws.com/web"
    authority = resolve(eks.certificate_authority)
    assert isinstance(authority.data, str) and authority.data.startswith("LS0t")  # base64 of a PEM header
    assert str(resolve(eks.endpoint)).startswith("https://") and ".eks.amazonaws.com" in str(resolve(eks.endpoint))
    assert resolve(site.website_endpoint) == "my-site.s3-website-us-east-1.amazonaws.com"


def test_ec2_ids_have_their_prefixes() -> None:
    vpc = aws.ec2.Vpc("vpc", cidr_block="10.0.0.0/16")
    subnet = aws.ec2.Subnet("a", vpc_id=vpc.id, cidr_block="10.0.1.0/24")
    group = aws.ec2.SecurityGroup("web", vpc_id=vpc.id)
    assert re.fullmatch(r"vpc-0[0-9a-f]{16}", str(resolve(vpc.id)))
    assert re.fullmatch(r"subnet-0[0-9a-f]{16}", str(resolve(subnet.id)))
    assert re.fullmatch(r"sg-0[0-9a-f]{16}", str(resolve(vpc.default_security_group_id)))
    assert resolve(group.arn) == f"arn:aws:ec2:us-east-1:123456789012:security-group/{resolve(group.id)}"


def test_generic_arn_is_well_formed_for_types_without_a_row() -> None:
    assert "aws:glue/job:Job" not in arns.ARN_FORMAT
    _, state = _strict().new_resource(pulumi.runtime.MockResourceArgs("aws:glue/job:Job", "etl", {"name": "etl"}))
    assert state["arn"] == "arn:aws:glue:us-east-1:123456789012:job/etl"


def test_dict_policy_is_echoed_as_its_json_text() -> None:
    document = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "s3:*", "Resource": "*"}]}
    policy = aws.iam.Policy("p", policy=document)
    role = aws.iam.Role("r", assume_role_policy={"Version": "2012-10-17", "Statement": []})
    text = resolve(policy.policy)
    assert isinstance(text, str) and json.loads(text) == document
    assert json.loads(str(resolve(role.assume_role_policy))) == {"Version": "2012-10-17", "Statement": []}


def test_echoed_scalars_keep_the_declared_type() -> None:
    args = pulumi.runtime.MockResourceArgs("aws:apigateway/restApi:RestApi", "api",
                                           {"minimumCompressionSize": 1024.0, "failOnWarnings": "true"})
    _, state = _strict().new_resource(args)
    assert state["minimumCompressionSize"] == "1024" and state["failOnWarnings"] is True


@pytest.mark.parametrize("token", FUNCTION_SAMPLE)
def test_every_data_source_returns_its_declared_result(token: str) -> None:
    result_cls = shapes.function_result_class(token)
    assert result_cls is not None, token
    fields = _types.output_type_types(result_cls)
    result = _strict().call(pulumi.runtime.MockCallArgs(token, {}, ""))
    assert set(fields) <= set(result), f"{token} lacks {set(fields) - set(result)}"
    for key, typ in fields.items():
        assert _fits(result[key], typ) or result[key] is None, f"{token}: {key}={result[key]!r} is not {typ}"
    rpc.translate_output_properties(result, lambda k: k, result_cls)


def test_function_sample_is_broad() -> None:
    assert len(FUNCTION_SAMPLE) >= 20


def test_data_sources_honour_their_arguments() -> None:
    zone = aws.route53.get_zone(name="example.com.", private_zone=False)
    assert zone.name == "example.com." and zone.private_zone is False
    assert re.fullmatch(r"Z[0-9A-F]{13}", zone.zone_id)
    vpc = aws.ec2.get_vpc(default=True)
    assert vpc.default is True and vpc.id.startswith("vpc-") and vpc.cidr_block.count("/") == 1
    subnets = aws.ec2.get_subnets(filters=[{"name": "vpc-id", "values": [vpc.id]}])
    assert len(subnets.ids) == 3 and all(i.startswith("subnet-") for i in subnets.ids)
    assert subnets.filters[0].values == [vpc.id]
    west = aws.ec2.get_vpc(default=True, region="us-west-2")
    assert west.region == "us-west-2" and west.arn.startswith("arn:aws:ec2:us-west-2:123456789012:")
    assert aws.s3.get_bucket(bucket="logs").bucket == "logs"
    tagged = aws.ec2.get_vpc(filters=[{"name": "tag:Name", "values": ["main"]}])
    assert tagged.tags == {"Name": "main"}


def test_hand_answers_stay_and_gain_the_missing_fields() -> None:
    ami = aws.ec2.get_ami(owners=["amazon"], most_recent=True)
    assert ami.architecture == "x86_64" and ami.most_recent is True
    assert isinstance(ami.block_device_mappings, list)
    assert aws.get_caller_identity().account_id == "123456789012"


def test_random_string_honours_character_classes() -> None:
    plain = random.RandomString("plain", length=40, upper=False, special=False)
    digits = random.RandomString("digits", length=10, upper=False, lower=False, special=False)
    special = random.RandomString("special", length=30, override_special="_%", min_special=5, min_upper=3)
    value = str(resolve(plain.result))
    assert len(value) == 40 and not set(value) - set(string.ascii_lowercase + string.digits)
    assert str(resolve(digits.result)).isdigit()
    mixed = str(resolve(special.result))
    assert sum(c in "_%" for c in mixed) >= 5 and sum(c.isupper() for c in mixed) >= 3
    assert not set(mixed) - set(string.ascii_letters + string.digits + "_%")


def test_random_values_are_deterministic_and_in_range() -> None:
    def build() -> tuple[str, float, str]:
        args = pulumi.runtime.MockResourceArgs("random:index/randomString:RandomString", "s", {"length": 12.0})
        number = pulumi.runtime.MockResourceArgs("random:index/randomInteger:RandomInteger", "n",
                                                 {"min": 5.0, "max": 9.0})
        ident = pulumi.runtime.MockResourceArgs("random:index/randomId:RandomId", "i", {"byteLength": 4.0})
        return (_strict().new_resource(args)[1]["result"], _strict().new_resource(number)[1]["result"],
                _strict().new_resource(ident)[1]["hex"])

    first = build()
    assert first == build()
    assert len(first[0]) == 12 and 5 <= first[1] <= 9 and len(first[2]) == 8


def test_gaps_degrade_instead_of_raising() -> None:
    class Broken(AwsMocks):
        @staticmethod
        def _add_computed(*_args: object) -> None:
            raise RuntimeError("gap")

    rid, state = Broken().new_resource(pulumi.runtime.MockResourceArgs("aws:sqs/queue:Queue", "q", {"a": 1}))
    assert rid == "q-id" and state == {"a": 1}
