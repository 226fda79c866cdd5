"""Bake every value of every choice and switch, and prove each generated repo works as generated.

The matrix is curated, not a cartesian product: bake k takes the k-th value of every choice (cycling), so
every value appears at least once, and the component switches cycle through combinations that make sense.
"""

import py_compile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import (
    CONTEXT,
    DEFAULT_ANSWERS,
    LEFTOVER_MARKER,
    bake,
    load_yaml,
    python_tool,
    rendered_files,
    run,
    run_unit_tests,
)

CHOICES = CONTEXT["_choices"]
# Regions change only the stack files' aws:region (every region is validated in test_hooks): the bakes cycle through
# some of them instead of adding one bake per region.
CYCLED_ONLY = ("aws_region",)
SWITCHES = tuple(key for key, value in CONTEXT.items() if isinstance(value, bool))
# Component sets cycled over the bakes: the defaults first, then each switch on somewhere and off somewhere.
SWITCH_SETS = [
    {"network": True, "storage": True},
    {switch: True for switch in SWITCHES},
    {"network": False, "storage": False, "lambda_api": True, "dynamodb": True},
    {"network": True, "ecs": True, "cache": True, "monitoring": True, "storage": False},
    {"network": True, "nat_gateway": True, "asg": True, "queue": True},
    {"network": False, "storage": False},
    {"network": True, "rest_api": True, "dynamodb": True, "migrations": True},
]


def coherent(answers: dict[str, Any]) -> dict[str, Any]:
    """Drop the switches an answer set cannot have (the pre-generation hook refuses them; tested elsewhere)."""
    if not answers["network"]:
        answers |= {"nat_gateway": False, "ecs": False, "asg": False, "cache": False, "database": "none"}
    if not str(answers["database"]).startswith("aurora-"):
        answers["migrations"] = False
    return answers


def matrix() -> list[dict[str, Any]]:
    """One answer set per bake; the first is all defaults."""
    # Enough bakes for every value to meet a switch set it can be baked with (coherent() drops the others).
    size = len(SWITCH_SETS) + max(len(values) for key, values in CHOICES.items() if key not in CYCLED_ONLY)
    bakes = []
    for index in range(size):
        answers = {key: values[index % len(values)] for key, values in CHOICES.items()}
        answers |= {switch: False for switch in SWITCHES} | SWITCH_SETS[index % len(SWITCH_SETS)]
        bakes.append(coherent(answers))
    return bakes


def bake_id(answers: dict[str, Any]) -> str:
    """Readable test id: the answers that differ from the defaults."""
    defaults = matrix()[0]
    changed = [f"{key}:{value}" for key, value in answers.items() if value != defaults[key]]
    return "-".join(changed) or "defaults"


MATRIX = matrix()


def params(bakes: list[dict[str, Any]]) -> list[Any]:
    """Pytest parameters for bakes; a bake's tests share one xdist worker (run with --dist loadgroup)."""
    return [
        pytest.param(answers, id=bake_id(answers), marks=pytest.mark.xdist_group(bake_id(answers))) for answers in bakes
    ]


def test_matrix_covers_every_value_of_every_choice_and_switch():
    for key, values in CHOICES.items():
        if key not in CYCLED_ONLY:
            assert {answers[key] for answers in MATRIX} == set(values), key
    for key in SWITCHES:
        assert {answers[key] for answers in MATRIX} == {True, False}, key
    assert MATRIX[0] == {key: DEFAULT_ANSWERS[key] for key in MATRIX[0]}, "the first bake is the defaults"


@pytest.fixture(scope="session")
def baked_repos(tmp_path_factory) -> Callable[[dict[str, Any]], Path]:
    """Bake each answer set once per session, however many tests inspect it."""
    repos: dict[str, Path] = {}

    def get(answers: dict[str, Any]) -> Path:
        key = bake_id(answers)
        if key not in repos:
            repos[key] = bake(tmp_path_factory.mktemp("bake"), **answers)
        return repos[key]

    return get


@pytest.fixture(params=params(MATRIX))
def baked(request, baked_repos) -> tuple[dict[str, Any], Path]:
    """The full answers of one bake and the repo they generated."""
    return DEFAULT_ANSWERS | request.param, baked_repos(request.param)


def test_no_leftover_template_markers(baked):
    _, repo = baked
    leftovers = [
        f"{path.relative_to(repo)}:{number}"
        for path in rendered_files(repo)
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
        if LEFTOVER_MARKER.search(line)
    ]
    assert not leftovers


def test_every_python_file_compiles(baked):
    _, repo = baked
    for path in repo.rglob("*.py"):
        py_compile.compile(str(path), doraise=True)


def test_every_yaml_file_parses(baked):
    _, repo = baked
    files = [*repo.rglob("*.yaml"), *repo.rglob("*.yml")]
    assert files
    for path in files:
        assert load_yaml(path) is not None, path


def test_pulumi_yaml_runs_root_main_with_the_chosen_toolchain(baked):
    answers, repo = baked
    project = load_yaml(repo / "Pulumi.yaml")
    assert project["name"] == answers["pulumi_project"]
    assert "main" not in project
    assert (repo / "__main__.py").is_file()
    options = project["runtime"]["options"]
    if answers["dependency_manager"] == "uv":
        assert options == {"toolchain": "uv"}
    else:
        assert options == {"toolchain": "pip", "virtualenv": ".venv"}
    # Pulumi's own settings (`pulumi:autonaming`) are project-wide values; provider keys belong in stack files.
    declared = {key: value for key, value in project["config"].items() if not key.startswith("pulumi:")}
    assert not any(":" in key for key in declared), "provider keys belong in stack files"
    assert all("type" in declaration for declaration in declared.values())
    # A key without a default must be set by every stack file (Pulumi: "missing configuration value").
    required = [key for key, declaration in declared.items() if "default" not in declaration]
    for stack_file in repo.glob("Pulumi.*.yaml"):
        config = load_yaml(stack_file)["config"]
        assert all(f"{answers['pulumi_project']}:{key}" in config for key in required), stack_file.name


def test_one_stack_file_per_stack_with_region_and_suffix(baked):
    answers, repo = baked
    stacks = [name.strip() for name in answers["stacks"].split(",")]
    assert sorted(path.name for path in repo.glob("Pulumi.*.yaml")) == sorted(f"Pulumi.{s}.yaml" for s in stacks)
    for stack in stacks:
        config = load_yaml(repo / f"Pulumi.{stack}.yaml")["config"]
        assert config["aws:region"] == answers["aws_region"]
        assert config[f"{answers['pulumi_project']}:environmentSuffix"] == stack
        assert config.get(f"{answers['pulumi_project']}:production", False) is (stack in ("prod", "production"))


def test_only_selected_files_are_generated(baked):
    answers, repo = baked
    components = [switch for switch in SWITCHES if switch != "nat_gateway"] + ["database"]
    for component in components:
        selected = answers[component] not in (False, "none")
        assert (repo / "lib" / "components" / f"{component}.py").exists() is selected, component
        assert (repo / "tests" / "unit" / f"test_{component}.py").exists() is selected, component
    assert (repo / "lib" / "components" / "load_balancer.py").exists() is (answers["ecs"] or answers["asg"])
    shared = {"function": ("lambda_api", "rest_api", "migrations"), "bucket": ("storage", "monitoring"),
              "waf": ("ecs", "asg", "rest_api")}
    for module, users in shared.items():
        assert (repo / "lib" / "components" / f"{module}.py").exists() is any(answers[user] for user in users)
    assert (repo / "migrations").exists() is answers["migrations"]
    manager = answers["dependency_manager"]
    assert (repo / "Pipfile").exists() is (manager == "pipenv")
    assert (repo / "requirements.txt").exists() is (manager == "pip")
    assert (repo / ".python-version").exists() is (manager == "uv")
    workflow = repo / ".github" / "workflows" / "ci.yml"
    assert workflow.exists() is (answers["ci"] == "github")
    if workflow.exists():
        assert "group: ci-${{ github.ref }}" in workflow.read_text(encoding="utf-8"), "Actions expressions survive"
    assert not list(repo.glob("LICENSE-*"))
    license_text = (repo / "LICENSE").read_text(encoding="utf-8")
    expected = {"Apache-2.0": "Apache License", "MIT": "MIT License", "Proprietary": "All rights reserved"}
    assert expected[answers["license"]] in license_text


def test_answers_are_recorded_for_template_updates(baked):
    answers, repo = baked
    record = load_yaml(repo / ".cruft.json")
    assert record["template"]
    context = record["context"]["cookiecutter"]
    assert all(context[key] == value for key, value in answers.items())
    assert not {"_output_dir", "_repo_dir"} & set(context), "no machine paths in the record"


def test_ruff_passes(baked):
    _, repo = baked
    run(python_tool("ruff", "check", "."), repo)


# pylint is slow on Pulumi programs (it infers through pulumi_aws), and the code it reads depends only on the
# component switches: one bake per switch combination.
@pytest.mark.parametrize("answers", params(MATRIX[: len(SWITCH_SETS)]))
def test_pylint_passes(answers, baked_repos):
    run(python_tool("pylint", "lib", "tests", "scripts", "__main__.py"), baked_repos(answers))


def test_checker_reports_nothing(baked):
    _, repo = baked
    run(python_tool("tapcheck", ".", "--strict"), repo)


def test_generated_unit_tests_pass(baked):
    _, repo = baked
    run_unit_tests(repo)
