"""The whole stack as `pulumi up` runs it, in every stack: one tagged provider, a rotating KMS key, and outputs for
every component. `synth` (tests/unit/conftest.py) is one stack's record of the session's shared program run."""

import json
from typing import Any

import pytest

from lib.settings import Settings
from tests.unit.conftest import PROJECT, deploy, use_stack

PROVIDER = "pulumi:providers:aws"


def settings_of(stack: str) -> Settings:
    """The settings the program reads from `stack`'s configuration."""
    use_stack(stack)
    loaded: list[Settings] = []
    deploy(lambda: loaded.append(Settings.load()))
    return loaded[0]


def one(synth: dict[str, Any], resource_type: str) -> dict[str, Any]:
    """The only resource of a type in the record; ValueError when there are none or several."""
    (resource,) = [resource for resource in synth["resources"] if resource["type"] == resource_type]
    return resource


def test_provider_carries_region_and_cost_allocation_tags(synth):
    settings = settings_of(synth["stack"])
    provider = one(synth, PROVIDER)
    assert provider["inputs"]["region"] == settings.region
    # Provider configuration reaches the engine as JSON strings.
    tags = json.loads(provider["inputs"]["defaultTags"])["tags"]
    assert tags["Owner"] == settings.owner
    assert tags["CostCenter"] == settings.cost_center
    assert tags["Stack"] == settings.stack


def test_every_aws_resource_uses_the_tagged_provider(synth):
    provider = one(synth, PROVIDER)
    aws_resources = [r for r in synth["resources"] if r["type"].startswith("aws:")]
    assert aws_resources
    # A resource's provider reference is `<provider URN>::<provider id>`.
    untagged = [r["name"] for r in aws_resources if (r["provider"] or "").rsplit("::", 1)[0] != provider["urn"]]
    assert not untagged, f"resources outside the tagged provider: {untagged}"


def test_kms_key_rotates_and_lets_only_this_accounts_logs_use_it(synth):
    key = one(synth, "aws:kms/key:Key")
    assert key["inputs"]["enableKeyRotation"] is True
    statements = {s["Sid"]: s for s in json.loads(key["inputs"]["policy"])["Statement"]}
    logs = statements["CloudWatchLogsEncrypt"]
    assert logs["Principal"]["Service"].startswith("logs.")
    assert "kms:EncryptionContext:aws:logs:arn" in logs["Condition"]["ArnLike"]
    # Only a stack with alarms lets CloudWatch publish to its encrypted topic.
    assert ("CloudWatchAlarmsPublish" in statements) is {{ cookiecutter.monitoring }}


def test_outputs_name_the_stack_parts(synth):
    exports = synth["exports"]
    assert {"region", "environment_suffix", "kms_key_arn"} <= set(exports)
{%- if cookiecutter.network %}
    assert isinstance(exports["public_subnet_ids"]["value"], list)
    assert isinstance(exports["private_subnet_ids"]["value"], list)
{%- endif %}
{%- if cookiecutter.storage %}
    assert {"bucket_name", "bucket_arn"} <= set(exports)
{%- endif %}


@pytest.mark.parametrize("stack", sorted(PROJECT.stacks))
def test_only_production_stacks_are_production(stack):
    settings = settings_of(stack)
    production = stack in ("prod", "production")
    assert settings.production is production
    assert settings.log_retention_days == (365 if production else 30)
    assert settings.naming.suffix == stack
