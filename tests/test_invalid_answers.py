"""Invalid answers stop generation with a message naming the field, before anything is written.

Nothing is left behind, and an existing folder of the same name stays byte-for-byte as it was, also with
--overwrite-if-exists (which replaces only the files the template generates, and only for valid answers).
"""

import subprocess
import sys
from pathlib import Path

import pytest
from cookiecutter.exceptions import OutputDirExistsException
from cookiecutter.main import cookiecutter

from tests.conftest import DEFAULT_SLUG, TEMPLATE, bake, snapshot

pytestmark = pytest.mark.portable

INVALID = [
    ("project_slug", "a/b", "project_slug = 'a/b'"),
    ("project_slug", "..", "project_slug = '..'"),
    ("project_slug", "../escape", "project_slug = '../escape'"),
    ("project_slug", "my project", "project_slug = 'my project'"),
    ("project_name", "two\nlines", "project_name must not contain line breaks"),
    ("description", "x" * 257, "description has 257 characters"),
    ("pulumi_project", "pulumi", "pulumi_project = 'pulumi'"),
    ("pulumi_project", "Pulumi.infra", "pulumi_project = 'Pulumi.infra'"),
    ("pulumi_project", "my project", "Pulumi project names are 1-100 letters"),
    ("pulumi_project", "p" * 101, "pulumi_project = 'ppp"),
    ("pulumi_org", "x", "pulumi_org = 'x'"),
    ("pulumi_org", "bad org!", "pulumi_org = 'bad org!'"),
    ("aws_region", "mars-north-1", "aws_region"),
    ("stacks", "dev,Prod", "stack 'Prod' must be 1-10 lowercase letters or digits"),
    ("stacks", "dev,dev", "dev listed more than once"),
    ("stacks", " , ", "name at least one stack"),
    ("stacks", "dev,preproduction", "stack 'preproduction'"),
    ("environment_suffix", "Dev", "environment_suffix = 'Dev'"),
    ("environment_suffix", "suffixtoolong", "environment_suffix = 'suffixtoolong'"),
    ("name_prefix", "1tap", "name_prefix = '1tap'"),
    ("name_prefix", "toolongpfx", "name_prefix = 'toolongpfx'"),
    ("owner", "team;drop", "owner = 'team;drop': AWS tag values"),
    ("cost_center", 'cc"1', "cost_center = 'cc\"1': AWS tag values"),
    ("python_version", "2.7", "python_version"),
    ("project_slug", "con", "Windows cannot create a folder of that name"),
    ("project_slug", "LPT1.infra", "Windows cannot create a folder of that name"),
    ("project_slug", "infra.", "Windows cannot create a folder of that name"),
    ("domain_name", "not a domain", "domain_name = 'not a domain': must be a fully qualified, lowercase domain"),
    ("domain_name", "https://app.example.com/", "domain_name = 'https://app.example.com/'"),
    ("domain_name", "App.Example.com", "domain_name = 'App.Example.com'"),
    ("domain_name", "localhost", "domain_name = 'localhost'"),
]


def _error_text(excinfo: pytest.ExceptionInfo[BaseException], capfd: pytest.CaptureFixture[str]) -> str:
    captured = capfd.readouterr()
    return f"{excinfo.value}\n{captured.out}\n{captured.err}"


@pytest.mark.parametrize(("field", "value", "message"), INVALID, ids=[f"{f}:{v[:20]!r}" for f, v, _ in INVALID])
def test_invalid_answer_is_refused_and_nothing_is_written(tmp_path, capfd, field, value, message):
    output = tmp_path / "out"
    output.mkdir()
    with pytest.raises(Exception) as excinfo:
        bake(output, **{field: value})
    assert message in _error_text(excinfo, capfd)
    assert not list(output.iterdir()), "a refused bake left files behind"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out"], "a refused bake wrote outside its output folder"


def test_a_slug_escaping_the_output_folder_is_one_line_from_the_command_line(tmp_path):
    result = subprocess.run([sys.executable, "-m", "cookiecutter", "--no-input", str(TEMPLATE),
                             "project_slug=../escape"], cwd=tmp_path, capture_output=True, text=True, check=False)
    assert result.returncode == 1
    lines = (result.stdout + result.stderr).strip().splitlines()
    assert lines == ["project_slug = '../escape': must be a folder name, without path separators or '..' "
                     "(nothing was written)"]
    assert not list(tmp_path.iterdir())
    assert not (tmp_path.parent / "escape").exists()


def test_incompatible_switches_are_refused_with_the_reason(tmp_path, capfd):
    with pytest.raises(Exception) as excinfo:
        bake(tmp_path, network=False, nat_gateway=True)
    assert "nat_gateway = true needs network = true: a NAT gateway lives in the VPC's public subnets" in _error_text(
        excinfo, capfd
    )
    assert not list(tmp_path.iterdir())


def test_every_error_is_reported_at_once(tmp_path, capfd):
    with pytest.raises(Exception) as excinfo:
        bake(tmp_path, name_prefix="X", environment_suffix="Y", pulumi_org="!")
    text = _error_text(excinfo, capfd)
    assert all(field in text for field in ("name_prefix", "environment_suffix", "pulumi_org"))



@pytest.fixture
def existing_folder(tmp_path) -> Path:
    folder = tmp_path / DEFAULT_SLUG
    (folder / "lib").mkdir(parents=True)
    (folder / "README.md").write_text("my own work\n", encoding="utf-8")
    (folder / "lib" / "mine.py").write_text("VALUE = 1\n", encoding="utf-8")
    return folder


def test_existing_folder_is_never_overwritten_by_default(tmp_path, existing_folder):
    before = snapshot(existing_folder)
    with pytest.raises(OutputDirExistsException):
        bake(tmp_path)
    assert snapshot(existing_folder) == before


def test_invalid_answers_leave_an_existing_folder_untouched_even_with_overwrite(tmp_path, existing_folder):
    before = snapshot(existing_folder)
    with pytest.raises(Exception):  # noqa: B017
        cookiecutter(
            str(TEMPLATE),
            no_input=True,
            extra_context={"environment_suffix": "INVALID"},
            output_dir=str(tmp_path),
            overwrite_if_exists=True,
        )
    assert snapshot(existing_folder) == before
