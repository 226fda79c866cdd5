"""Free-text answers typed at the prompts, however hostile, are kept exactly or refused by name.

Answers are typed as a person types them (through cookiecutter's prompt functions), because cookiecutter renders
values given with --no-input as Jinja, while a typed answer is taken as it is.
"""

import json
import py_compile
import subprocess
import sys
import tomllib
from pathlib import Path
from typing import Any
from unittest import mock

import pytest
from cookiecutter.environment import StrictEnvironment
from cookiecutter.main import cookiecutter
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from hooks import pre_gen_project as pre
from tests.conftest import DEFAULT_ANSWERS, TEMPLATE, git, load_yaml, run_unit_tests, template_repo

FREE_TEXT = ("project_name", "description", "author", "owner", "cost_center")
SLUG = "hostile-repo"
SPECIALS = [
    '"', "'", '"""', "\\", "\\n", "{{", "}}", "{{ cookiecutter.author }}", "{{ undefined }}", "{%", "%}",
    "{% raw %}", "{% endraw %}", "{#", "#}", "{# note #}", "{{{", ": ", "#", "- ",
    "&", "*", "!", "@", "|", ">", "?", "%", "`", "$", "${{ x }}", "---", "[", "]", ",", "\n", "\t", "😀", "👩‍💻", "é",
    "中文", "עברית", "null", "true", "0x10", "~",
]
TEXT = st.lists(
    st.one_of(st.sampled_from(SPECIALS), st.text(st.characters(codec="utf-8", categories=("L", "N", "P", "S", "Zs")))),
    max_size=10,
).map("".join)
LONG = st.text(st.characters(codec="utf-8", categories=("L", "N")), min_size=200, max_size=300)
# Tag values have a narrower alphabet; mixing in valid ones makes accepted answers common, not just refusals.
TAG = st.one_of(TEXT, st.text(st.sampled_from("abcXYZ019 _.:/=+-@é"), min_size=1, max_size=40))
ANSWERS = st.fixed_dictionaries(
    {"project_name": TEXT, "description": st.one_of(TEXT, LONG), "author": TEXT, "owner": TAG, "cost_center": TAG}
)
NASTY = {
    "project_name": 'Tap "Payments" {{ x }} {% if %} & <b> # 😀',
    "description": "Line one: 'quoted' \\ back\\slash\n- second line # not a comment\n{{ cookiecutter.author }} 👩‍💻",
    "author": "O'Brien \"Ops\" & Co. {% raw %} {# not a comment #} {{ undefined }}",
    "owner": "Équipe Données @ ops/team",
    "cost_center": "cc:1234 + shared=yes",
}


def type_answers(output: Path, typed: dict[str, str], template: Path = TEMPLATE) -> Path:
    """Generate as if a person typed `typed` at the prompts and accepted every other default."""

    def read_user_variable(var_name: str, default_value: Any, prompts: Any = None, prefix: str = "") -> Any:
        return {"project_slug": SLUG, **typed}.get(var_name, default_value)

    def read_user_yes_no(var_name: str, default_value: Any, prompts: Any = None, prefix: str = "") -> Any:
        return default_value

    def read_user_choice(var_name: str, options: list[Any], prompts: Any = None, prefix: str = "") -> Any:
        return options[0]

    with (
        mock.patch("cookiecutter.prompt.read_user_variable", read_user_variable),
        mock.patch("cookiecutter.prompt.read_user_yes_no", read_user_yes_no),
        mock.patch("cookiecutter.prompt.read_user_choice", read_user_choice),
    ):
        return Path(cookiecutter(str(template), no_input=False, output_dir=str(output)))


def assert_kept_exactly(repo: Path, typed: dict[str, str]) -> None:
    """Every generated file that holds an answer parses and holds exactly what was typed."""
    project = load_yaml(repo / "Pulumi.yaml")
    assert project["description"] == typed["description"]
    assert project["author"] == typed["author"]
    assert project["config"]["owner"]["default"] == typed["owner"]
    assert project["config"]["costCenter"]["default"] == typed["cost_center"]
    pyproject = tomllib.loads((repo / "pyproject.toml").read_text(encoding="utf-8"))
    assert pyproject["project"]["description"] == typed["description"]
    assert pyproject["project"]["authors"] == [{"name": typed["author"]}]
    # Recorded as cruft replays it: rendered as a template (cookiecutter's render_variable), it is what was typed.
    record = json.loads((repo / ".cruft.json").read_text(encoding="utf-8"))["context"]["cookiecutter"]
    render = StrictEnvironment()
    assert all(render.from_string(record[field]).render(cookiecutter={}) == value for field, value in typed.items())
    readme = (repo / "README.md").read_text(encoding="utf-8")
    assert readme.startswith(f"# {typed['project_name']}\n")
    assert typed["description"] in readme
    for path in repo.rglob("*"):
        if path.suffix in (".yaml", ".yml"):
            assert load_yaml(path) is not None, path
        elif path.suffix == ".py":
            py_compile.compile(str(path), doraise=True)


@settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@example(typed=NASTY)
@given(typed=ANSWERS)
def test_free_text_is_kept_exactly_or_refused_by_name(tmp_path_factory, capfd, typed):
    output = tmp_path_factory.mktemp("hostile")
    answers = {key: str(value) for key, value in DEFAULT_ANSWERS.items()} | typed | {"project_slug": SLUG}
    expected = pre.validate(answers)
    if expected:
        with pytest.raises(Exception):  # noqa: B017 - the refusal's text is what matters, checked below
            type_answers(output, typed)
        errors = capfd.readouterr().err
        assert all(error in errors for error in expected)
        assert not list(output.iterdir()), "a refused bake left files behind"
    else:
        assert_kept_exactly(type_answers(output, typed), typed)


def test_unit_tests_pass_with_hostile_answers(tmp_path):
    repo = type_answers(tmp_path, NASTY)
    assert_kept_exactly(repo, NASTY)
    run_unit_tests(repo)


def test_cruft_renders_the_recorded_hostile_answers_to_the_files_generated(tmp_path):
    source = template_repo(tmp_path / "git" / "tap-template")
    git(source, "remote", "add", "origin", source.as_uri())
    repo = type_answers(tmp_path / "out", NASTY, template=source)
    assert "{{ undefined }}" in (repo / "Pulumi.yaml").read_text(encoding="utf-8")
    git(repo, "init", "-q", "-b", "main")
    git(repo, "add", "-A")
    git(repo, "commit", "-qm", "generated")
    cruft = Path(sys.executable).parent / "cruft"
    result = subprocess.run([str(cruft), "diff", "--exit-code"], cwd=repo, capture_output=True, text=True,
                            timeout=600, check=False)
    assert result.returncode == 0, result.stdout + result.stderr
