"""The whole stack under mocks: one tagged provider, a rotating KMS key, and outputs for every component."""

import json

import pytest

from lib.settings import Settings
from lib.tap_stack import TapStack
from tests.unit.conftest import PROJECT, RecordingMocks, deploy, policy, use_stack

PROVIDER = "pulumi:providers:aws"


def build_stack(mocks: RecordingMocks) -> tuple[TapStack, Settings]:
    """The whole stack, built from the current mocks' stack configuration."""
    built: list[tuple[TapStack, Settings]] = []

    def program() -> None:
        settings = Settings.load()
        built.append((TapStack(settings.naming.name("stack"), settings), settings))

    deploy(program)
    assert mocks.resources, "the stack registered no resources"
    return built[0]


def test_provider_carries_region_and_cost_allocation_tags(stack_mocks):
    _, settings = build_stack(stack_mocks)
    provider = stack_mocks.one(PROVIDER)
    assert provider.inputs["region"] == settings.region
    # Provider configuration reaches the engine as JSON strings.
    tags = json.loads(provider.inputs["defaultTags"])["tags"]
    assert tags["Owner"] == settings.owner
    assert tags["CostCenter"] == settings.cost_center
    assert tags["Stack"] == settings.stack


def test_every_aws_resource_uses_the_tagged_provider(stack_mocks):
    build_stack(stack_mocks)
    provider = stack_mocks.one(PROVIDER)
    aws_resources = [r for r in stack_mocks.resources if r.type.startswith("aws:")]
    assert aws_resources
    untagged = [r.name for r in aws_resources if provider.name not in r.provider]
    assert not untagged, f"resources outside the tagged provider: {untagged}"


def test_kms_key_rotates_and_lets_only_this_accounts_logs_use_it(stack_mocks):
    build_stack(stack_mocks)
    key = stack_mocks.one("aws:kms/key:Key")
    assert key.inputs["enableKeyRotation"] is True
    statements = {s["Sid"]: s for s in policy(key)["Statement"]}
    logs = statements["CloudWatchLogsEncrypt"]
    assert logs["Principal"]["Service"].startswith("logs.")
    assert "kms:EncryptionContext:aws:logs:arn" in logs["Condition"]["ArnLike"]
    # Only a stack with alarms lets CloudWatch publish to its encrypted topic.
    assert ("CloudWatchAlarmsPublish" in statements) is {{ cookiecutter.monitoring }}


def test_outputs_name_the_stack_parts():
    use_stack(PROJECT.stack_name)
    stacks: list[TapStack] = []
    deploy(lambda: stacks.append(TapStack("stack", Settings.load())))
    outputs = stacks[0].outputs
    assert {"region", "environment_suffix", "kms_key_arn"} <= set(outputs)
{%- if cookiecutter.network %}
    assert isinstance(outputs["public_subnet_ids"], list)
    assert isinstance(outputs["private_subnet_ids"], list)
{%- endif %}
{%- if cookiecutter.storage %}
    assert {"bucket_name", "bucket_arn"} <= set(outputs)
{%- endif %}


@pytest.mark.parametrize("stack", sorted(PROJECT.stacks))
def test_only_production_stacks_are_production(stack):
    use_stack(stack)
    loaded: list[Settings] = []
    deploy(lambda: loaded.append(Settings.load()))
    production = stack in ("prod", "production")
    assert loaded[0].production is production
    assert loaded[0].log_retention_days == (365 if production else 30)
    assert loaded[0].naming.suffix == stack
