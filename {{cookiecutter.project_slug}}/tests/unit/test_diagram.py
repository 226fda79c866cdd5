{%- set m = cookiecutter.dependency_manager -%}
{%- set run = "uv run " if m == "uv" else ("pipenv run " if m == "pipenv" else ".venv/bin/") -%}
"""README.md's stack diagram is the program's own: tapcheck draws it from a run under mocks, and it must match."""

from tapcheck.diagram import is_drawn, readme_with_diagram, render, write_diagram

from tests.unit.conftest import PROJECT, ROOT

REFRESH = "{{ run }}python -m tapcheck graph . --update-readme README.md"


def test_readme_diagram_matches_the_program(stack_records):
    stack = PROJECT.stack_name
    result = stack_records[stack]
    assert result.record is not None and not result.findings, [*result.notes, *(f.message for f in result.findings)]
    diagram = render(result.record)
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    if not is_drawn(readme):  # a new repo: the first run draws it, to be committed like any generated file
        write_diagram(ROOT / "README.md", diagram)
        return
    assert readme == readme_with_diagram(readme, diagram), (
        f"README.md's diagram of the {stack} stack no longer matches the program; redraw it with: {REFRESH}"
    )
