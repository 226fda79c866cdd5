"""The hooks' functions, tested directly: validation rules, stack files, clean-up, and safe re-runs."""

import ast
import importlib.util
import json

import pytest
import yaml

from hooks import post_gen_project as post
from hooks import pre_gen_project as pre
from tests.conftest import CONTEXT, DEFAULT_ANSWERS, TEMPLATE, bake, snapshot

pytestmark = pytest.mark.portable

DEFAULTS = DEFAULT_ANSWERS


def _template_module(relative: str):
    path = TEMPLATE / "{{cookiecutter.project_slug}}" / relative
    spec = importlib.util.spec_from_file_location("template_module", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_default_answers_are_valid():
    assert pre.validate({key: str(value) for key, value in DEFAULTS.items()}) == []


def test_hook_and_generated_naming_share_their_rules():
    naming = _template_module("lib/naming.py")
    assert pre.PREFIX_PATTERN.pattern == naming.PREFIX_PATTERN.pattern
    assert pre.SUFFIX_PATTERN.pattern == naming.SUFFIX_PATTERN.pattern


def test_hook_and_generated_load_balancer_share_the_domain_rule():
    source = (TEMPLATE / "{{cookiecutter.project_slug}}" / "lib" / "components" / "load_balancer.py").read_text(
        encoding="utf-8"
    )
    assignment = next(
        node for node in ast.parse(source).body
        if isinstance(node, ast.Assign) and getattr(node.targets[0], "id", "") == "DOMAIN_NAME"
    )
    assert ast.literal_eval(assignment.value.args[0]) == pre.DOMAIN_NAME.pattern


@pytest.mark.parametrize("domain", ["", "app.example.com", "pay.team-1.example.co.uk"])
def test_domain_names_acm_accepts_are_accepted(domain):
    assert pre.validate({key: str(value) for key, value in DEFAULTS.items()} | {"domain_name": domain}) == []


def test_choices_in_the_hook_match_cookiecutter_json():
    choices = CONTEXT["_choices"]
    assert choices == {field: list(allowed) for field, allowed in pre.CHOICES.items()} | {
        "aws_region": list(pre.REGIONS)
    }
    assert all(CONTEXT[field] == allowed[0] for field, allowed in choices.items()), "the default is the first choice"


def test_regions_offered_are_every_commercial_region_the_sdk_knows():
    import botocore.session  # noqa: PLC0415 - heavy; only this test needs them
    from pulumi_aws import Region  # noqa: PLC0415

    endpoints = botocore.session.get_session().get_component("data_loader").load_data("endpoints")
    commercial = next(set(p["regions"]) for p in endpoints["partitions"] if p["partition"] == "aws")
    assert sorted(CONTEXT["_choices"]["aws_region"]) == sorted({region.value for region in Region} & commercial)
    assert CONTEXT["_choices"]["aws_region"] == list(pre.REGIONS)
    assert CONTEXT["_choices"]["aws_region"][0] == "us-east-1"


@pytest.mark.parametrize("region", CONTEXT["_choices"]["aws_region"])
def test_every_offered_region_is_accepted(region):
    assert pre.validate({key: str(value) for key, value in DEFAULTS.items()} | {"aws_region": region}) == []


@pytest.mark.parametrize("region", ["us-gov-west-1", "cn-north-1", "mars-north-1", "US-EAST-1"])
def test_other_regions_are_refused_naming_field_value_and_rule(region):
    (error,) = pre.validate({key: str(value) for key, value in DEFAULTS.items()} | {"aws_region": region})
    assert error.startswith(f"aws_region = {region!r}: must be a region of AWS's commercial partition")


@pytest.mark.parametrize("project", ["random", "aws", "kubernetes", "tls", "awsx", "AWS"])
def test_provider_namespaces_are_refused_as_project_names(project):
    (error,) = pre.validate({key: str(value) for key, value in DEFAULTS.items()} | {"pulumi_project": project})
    assert error.startswith(f"pulumi_project = {project!r}: is the config namespace of the Pulumi provider")


def test_refused_answers_are_asked_again_with_those_rendered_from_them():
    answers = {key: str(value) for key, value in DEFAULTS.items()} | {"project_slug": "a b", "name_prefix": "X"}
    errors = pre.validate(answers)
    assert pre.refused_fields(errors, answers | {"__project_folder": "x"}) == {
        "project_name", "project_slug", "__project_folder", "name_prefix"
    }


@pytest.mark.parametrize(
    ("value", "names"),
    [("dev,staging,prod", ["dev", "staging", "prod"]), (" dev , prod ,", ["dev", "prod"]), ("", [])],
)
def test_stack_names_are_split_and_trimmed(value, names):
    assert pre.stack_names(value) == names == post.stack_names(value)


def test_unicode_owner_is_a_valid_tag_value():
    answers = {key: str(value) for key, value in DEFAULTS.items()} | {"owner": "Équipe Données", "cost_center": "R&D"}
    errors = pre.validate(answers)
    assert errors == ["cost_center = 'R&D': AWS tag values are at most 256 letters, digits, spaces or _ . : / = + - @"]


@pytest.mark.parametrize("stack", ["prod", "production"])
def test_production_stack_files_set_production_values(stack):
    answers = DEFAULTS | {"aws_region": "eu-west-1"}
    config = yaml.safe_load(post.stack_file(answers, stack))["config"]
    assert config == {
        "aws:region": "eu-west-1",
        "TapStack:environmentSuffix": stack,
        "TapStack:production": True,
        "TapStack:logRetentionDays": post.PRODUCTION_LOG_RETENTION_DAYS,
    }


def test_other_stack_files_rely_on_pulumi_yaml_defaults():
    config = yaml.safe_load(post.stack_file(DEFAULTS, "staging"))["config"]
    assert config == {"aws:region": "us-east-1", "TapStack:environmentSuffix": "staging"}


@pytest.mark.parametrize("component", ["ecs", "asg"])
def test_production_stacks_with_a_load_balancer_name_the_domain_it_serves_over_https(component):
    answers = DEFAULTS | {component: True, "domain_name": "pay.example.org"}
    production = yaml.safe_load(post.stack_file(answers, "prod"))["config"]
    assert production["TapStack:domainName"] == "pay.example.org"
    assert "TapStack:domainName" not in yaml.safe_load(post.stack_file(answers, "dev"))["config"]


def test_ecs_stacks_name_a_pinned_container_image():
    config = yaml.safe_load(post.stack_file(DEFAULTS | {"ecs": True}, "dev"))["config"]
    image = config["TapStack:containerImage"]
    assert image == post.STARTER_CONTAINER_IMAGE
    assert not image.endswith(":latest") and ":" in image.rsplit("/", 1)[-1]


@pytest.fixture
def builtin_config(tmp_path, monkeypatch):
    """Cookiecutter's built-in abbreviations only, whatever this machine's ~/.cookiecutterrc says."""
    config = tmp_path / "cookiecutterrc.yaml"
    config.write_text("abbreviations: {}\n", encoding="utf-8")
    monkeypatch.setenv("COOKIECUTTER_CONFIG", str(config))


@pytest.mark.usefixtures("builtin_config")
def test_record_has_no_machine_paths_and_is_left_to_cruft_under_cruft(tmp_path):
    answers = DEFAULTS | {"_template": "gh:org/tap-template", "_output_dir": "/somewhere", "_repo_dir": "/else"}
    post.write_template_record(tmp_path, answers, tmp_path)
    record = json.loads((tmp_path / ".cruft.json").read_text(encoding="utf-8"))
    assert record["template"] == "https://github.com/org/tap-template.git"
    assert record["context"]["cookiecutter"]["_template"] == record["template"]
    assert "/somewhere" not in json.dumps(record) and "/else" not in json.dumps(record)
    (tmp_path / ".cruft.json").unlink()
    post.write_template_record(tmp_path, answers | {"_commit": "abc"}, tmp_path)
    assert not (tmp_path / ".cruft.json").exists()


@pytest.mark.parametrize(
    ("template", "url"),
    [
        ("gh:org/tap-template", "https://github.com/org/tap-template.git"),
        ("gl:org/tap-template", "https://gitlab.com/org/tap-template.git"),
        ("bb:org/tap-template", "https://bitbucket.org/org/tap-template"),
        ("git+https://example.com/org/tap-template.git", "https://example.com/org/tap-template.git"),
        ("file:///srv/tap-template", "file:///srv/tap-template"),
        ("downloads/tap-template.zip", None),
        ("hg+https://example.com/tap-template", None),
    ],
)
@pytest.mark.usefixtures("builtin_config")
def test_template_url_is_one_git_can_clone(tmp_path, template, url):
    assert post.template_url(template, tmp_path) == url



def test_post_generation_steps_are_safe_to_run_twice(tmp_path):
    answers = DEFAULTS | {"network": False, "dependency_manager": "pip", "license": "MIT", "_template": "t"}
    repo = bake(tmp_path, **{key: answers[key] for key in ("network", "dependency_manager", "license")})
    before = snapshot(repo)
    post.remove_unselected(repo, answers, post.rendered_paths(TEMPLATE / "{{cookiecutter.project_slug}}"))
    post.choose_license(repo, "MIT")
    post.write_stack_files(repo, answers)
    assert snapshot(repo) == before
