"""The program run exactly as `pulumi up` runs it: from the project root, with the stack's config, under mocks.

Plain pytest puts the project root on sys.path for every test; the Pulumi language host does not do that
for every layout. This test runs the program the host's way (tapcheck's synth), so a broken entry point,
import or export fails here rather than at deploy time.
"""

import json

# `synth` (tests/unit/conftest.py): one stack's record, for every stack.


def test_stack_exports_its_own_name(synth):
    assert synth["exports"]["stack"]["value"] == synth["stack"]


def test_lists_are_exported_as_lists(synth):
    for name, export in synth["exports"].items():
        if name.endswith("_ids"):
            assert isinstance(export["value"], list), name


def test_generated_secrets_never_appear_in_plain_exports(synth):
    secrets = [
        resource["outputs"]["result"]["__secret__"]
        for resource in synth["resources"]
        if resource["type"] == "random:index/randomPassword:RandomPassword"
    ]
    plain = json.dumps([export["value"] for export in synth["exports"].values() if not export["secret"]])
    assert not [secret for secret in secrets if secret in plain]


def test_program_registers_its_components(synth):
    types = {resource["type"] for resource in synth["resources"]}
    assert {"tap:stack:TapStack", "pulumi:providers:aws", "aws:kms/key:Key"} <= types
{%- if cookiecutter.network %}
    assert {"aws:ec2/vpc:Vpc", "aws:ec2/subnet:Subnet", "aws:ec2/flowLog:FlowLog"} <= types
    assert len(synth["exports"]["private_subnet_ids"]["value"]) >= 1
{%- endif %}
{%- if cookiecutter.storage %}
    assert "aws:s3/bucket:Bucket" in types
    assert synth["exports"]["bucket_name"]["value"]
{%- endif %}
