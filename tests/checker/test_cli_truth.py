"""What the command line tells a user about the project it was pointed at: an unknown ``--stack``, the interpreter
that ran the program (and the ones passed over), TAP001's fixes for a Pulumi.yaml that exists, and what Pulumi does
with a folder or a file ``main``."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest
from helpers import write

import tapcheck
from tapcheck.cli import main, render_text
from tapcheck.project import Project, ProjectError, choose_interpreter, venv_problem

PROGRAM = "import pulumi\n\npulumi.export('stack', pulumi.get_stack())\n"


# ----- --stack NAME that names no stack file ---------------------------------------------------------------------
def _two_stacks(root: Path) -> Path:
    return write(root, {"Pulumi.yaml": "name: app\nruntime: python\n", "Pulumi.dev.yaml": "config: {}\n",
                        "Pulumi.prod.yaml": "config: {}\n", "__main__.py": PROGRAM})


def test_misspelled_stack_is_a_usage_error_naming_the_stacks(tmp_path: Path,
                                                             capsys: pytest.CaptureFixture[str]) -> None:
    _two_stacks(tmp_path)
    assert main([str(tmp_path), "--stack", "prdo"]) == 2
    captured = capsys.readouterr()
    assert captured.out == ""  # refused before any work: no report at all
    [line] = captured.err.splitlines()
    assert line == (f"tapcheck: error: --stack prdo: project 'app' at {tmp_path.resolve()} has no Pulumi.prdo.yaml "
                    "(its stacks: dev, prod); did you mean 'prod'? To check a stack that keeps no config file, "
                    "create an empty Pulumi.prdo.yaml.")


def test_unknown_stack_without_a_close_match_still_names_the_stacks(tmp_path: Path,
                                                                    capsys: pytest.CaptureFixture[str]) -> None:
    _two_stacks(tmp_path)
    assert main([str(tmp_path), "--stack", "staging", "--no-synth"]) == 2
    err = capsys.readouterr().err
    assert "has no Pulumi.staging.yaml (its stacks: dev, prod). To check" in err and "did you mean" not in err


def test_unknown_stack_in_any_project_stops_the_run_before_work(tmp_path: Path,
                                                                capsys: pytest.CaptureFixture[str]) -> None:
    _two_stacks(tmp_path / "a")
    write(tmp_path / "b", {"Pulumi.yaml": "name: b\nruntime: python\n", "Pulumi.dev.yaml": "config: {}\n",
                           "__main__.py": PROGRAM})
    assert main([str(tmp_path), "--stack", "prod", "--format", "json"]) == 2
    captured = capsys.readouterr()
    assert captured.out == "" and "project 'b' at" in captured.err and "(its stacks: dev)" in captured.err


def test_a_fully_qualified_stack_name_reads_its_stack_file(tmp_path: Path) -> None:
    _two_stacks(tmp_path)
    assert tapcheck.check(tmp_path, stack="acme/app/prod", synth=False).stack == "prod"
    with pytest.raises(ProjectError, match=r"--stack acme/app/prdo: .* has no Pulumi\.prdo\.yaml"):
        tapcheck.check(tmp_path, stack="acme/app/prdo", synth=False)


def test_a_stack_file_made_empty_on_purpose_is_checked(tmp_path: Path) -> None:
    _two_stacks(tmp_path)
    (tmp_path / "Pulumi.staging.yaml").write_text("", encoding="utf-8")
    assert tapcheck.check(tmp_path, stack="staging", synth=False).stack == "staging"


def test_a_project_without_stack_files_runs_the_stack_with_a_note(tmp_path: Path,
                                                                  capsys: pytest.CaptureFixture[str]) -> None:
    write(tmp_path, {"Pulumi.yaml": "name: app\nruntime: python\n", "__main__.py": PROGRAM})
    assert main([str(tmp_path), "--stack", "ci", "--format", "json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["projects"][0]["stack"] == "ci"
    assert data["notes"][0] == ("no Pulumi.ci.yaml (the project has no stack files): stack 'ci' was checked with "
                                "Pulumi.yaml's config only, as Pulumi runs a stack without one; config set elsewhere "
                                "(Pulumi Cloud, ESC) was not seen")


def test_check_raises_for_an_unknown_stack(tmp_path: Path) -> None:
    _two_stacks(tmp_path)
    with pytest.raises(ProjectError, match="did you mean 'dev'"):
        tapcheck.check(tmp_path, stack="dve", synth=False)


# ----- the interpreter that runs the program -------------------------------------------------------------------
def _venv(root: Path, *, pulumi: bool) -> Path:
    """A virtual environment as `uv sync` / `python -m venv` lay it out: an interpreter (a link to this one), and
    pulumi in site-packages only when the install went through."""
    venv = root / ".venv"
    (venv / "bin").mkdir(parents=True)
    (venv / "bin" / "python").symlink_to(sys.executable)
    (venv / "pyvenv.cfg").write_text("home = /usr/bin\ninclude-system-site-packages = false\n", encoding="utf-8")
    site = venv / "lib" / "python3.11" / "site-packages"
    site.mkdir(parents=True)
    if pulumi:
        (site / "pulumi").mkdir()
        (site / "pulumi" / "__init__.py").write_text("", encoding="utf-8")
    return venv


def test_an_empty_venv_left_by_a_failed_sync_is_passed_over_with_a_note(tmp_path: Path) -> None:
    write(tmp_path, {"Pulumi.yaml": "name: app\nruntime: python\n", "Pulumi.dev.yaml": "config: {}\n",
                     "__main__.py": PROGRAM})
    _venv(tmp_path, pulumi=False)
    chosen = choose_interpreter(Project(tmp_path))
    assert (chosen.python, chosen.venv) == (sys.executable, None)
    assert chosen.note == (
        "the project's `.venv` folder was passed over: it cannot import pulumi (its site-packages holds no pulumi: "
        f"the install into it failed or never ran); synth ran {sys.executable} (the checker's own interpreter; the "
        "project has no usable virtual environment) instead. `pulumi install` (or `uv sync`, `pip install -r "
        "requirements.txt`) makes the project's environment usable")
    report = tapcheck.check(tmp_path)
    assert report.synth is not None and report.synth["ok"] and chosen.note in report.notes


def test_a_venv_with_pulumi_is_the_one_used(tmp_path: Path) -> None:
    write(tmp_path, {"Pulumi.yaml": "name: app\nruntime: python\n"})
    venv = _venv(tmp_path, pulumi=True)
    chosen = choose_interpreter(Project(tmp_path))
    assert (chosen.python, chosen.venv, chosen.why, chosen.note) == (
        str(venv / "bin" / "python"), venv, "the project's `.venv` folder", None)


def test_a_venv_whose_interpreter_is_gone_is_passed_over(tmp_path: Path) -> None:
    venv = tmp_path / ".venv"
    (venv / "bin").mkdir(parents=True)
    (venv / "bin" / "python").symlink_to(tmp_path / "removed-python3.12")
    assert venv_problem(venv) == "links bin/python to an interpreter that no longer exists"
    assert venv_problem(tmp_path / "nothing") == "does not exist"


def test_configured_virtualenv_passed_over_names_it_and_what_ran(tmp_path: Path) -> None:
    write(tmp_path, {"Pulumi.yaml": "name: app\nruntime:\n  name: python\n  options:\n    virtualenv: envs/py\n"})
    venv = _venv(tmp_path, pulumi=True)
    chosen = choose_interpreter(Project(tmp_path))
    assert chosen.python == str(venv / "bin" / "python")
    assert chosen.note is not None and chosen.note.startswith(
        "Pulumi.yaml `runtime.options.virtualenv: envs/py` was passed over: it does not exist; synth ran "
        f"{venv / 'bin' / 'python'} (the project's `.venv` folder) instead")


def test_a_venv_that_sees_system_packages_is_trusted(tmp_path: Path) -> None:
    venv = _venv(tmp_path, pulumi=False)
    (venv / "pyvenv.cfg").write_text("include-system-site-packages = true\n", encoding="utf-8")
    assert venv_problem(venv) is None


def test_a_venv_that_reaches_pulumi_through_a_pth_file_is_trusted(tmp_path: Path) -> None:
    venv = _venv(tmp_path, pulumi=False)
    assert venv_problem(venv) is not None
    shared = tmp_path / "shared-site-packages"
    (shared / "pulumi").mkdir(parents=True)
    (shared / "pulumi" / "__init__.py").write_text("", encoding="utf-8")
    (site,) = venv.glob("lib*/python3*/site-packages")
    (site / "shared.pth").write_text(f"# the team's shared packages\n{shared}\n", encoding="utf-8")
    assert venv_problem(venv) is None


# ----- TAP001's fix for a Pulumi.yaml that exists -----------------------------------------------------------------
@pytest.mark.parametrize(("text", "fix"), [
    ("name: [x\n", "Fix the YAML syntax at line 2 of Pulumi.yaml"),
    ("- name\n- runtime\n", "Rewrite Pulumi.yaml as a mapping"),
    ("nmae: app\nruntime: python\n", "Rename `nmae:` to `name:` in Pulumi.yaml."),
    ("runtime: python\n", "Add `name: <project>` to Pulumi.yaml"),
    ("name: ''\nruntime: python\n", "Set `name:` in Pulumi.yaml to the project's name"),
    ("name: TAP Stack\nruntime: python\n", "Rename the project to a valid name such as `TAP-Stack` in Pulumi.yaml"),
    (f"name: {'a' * 101}\nruntime: python\n", "Shorten the project name to 100 characters or fewer in Pulumi.yaml"),
    ("name: pulumi\nruntime: python\n", "Rename the project (e.g. `pulumi-infra`) in Pulumi.yaml"),
    ("name: app\nruntime: python\nconfig: cfg\nstackConfigDir: cfg\n",
     "Remove `config: cfg` from Pulumi.yaml and keep `stackConfigDir`."),
    ("name: app\n", "Add `runtime: python`"),
    ("name: app\nruntime: nodejs\n", "Set `runtime: python`."),
])
def test_tap001_fix_for_an_existing_file_never_says_create(tmp_path: Path, text: str, fix: str) -> None:
    write(tmp_path, {"Pulumi.yaml": text})
    found = [f for f in tapcheck.check(tmp_path, synth=False).findings if f.rule == "TAP001"]
    assert found and all(not f.fix.startswith("Create") for f in found)
    assert any(f.fix.startswith(fix) for f in found), [f.fix for f in found]


def test_tap001_fix_for_a_file_that_is_not_text(tmp_path: Path) -> None:
    (tmp_path / "Pulumi.yaml").write_bytes(b"name: \xff\xfe\n")
    [found] = tapcheck.check(tmp_path, synth=False).findings
    assert (found.rule, found.message) == ("TAP001", "Pulumi.yaml is not UTF-8 text: Pulumi cannot read it")
    assert found.fix.startswith("Save Pulumi.yaml as UTF-8 text")


def test_tap001_for_a_missing_file_says_create(tmp_path: Path) -> None:
    [found] = tapcheck.check(tmp_path, synth=False).findings
    assert found.rule == "TAP001" and found.fix.startswith("Create Pulumi.yaml")


# ----- what Pulumi does with `main:` -----------------------------------------------------------------------------
@pytest.mark.parametrize(("main_entry", "files", "said"), [
    ("src/", {"src/__main__.py": PROGRAM},
     "`main: src/` is a folder: Pulumi runs `src/__main__.py` with `src/` as the only project folder on sys.path"),
    ("app.py", {"app.py": PROGRAM}, "`main: app.py` is a file: Pulumi runs it by path, with no project folder on "
                                    "sys.path"),
    (".", {"__main__.py": PROGRAM}, "`main: .` is the project root: Pulumi runs `__main__.py` there, with the root "
                                    "on sys.path"),
    (None, {"__main__.py": PROGRAM}, "with no `main`, Pulumi runs `__main__.py` at the project root, with the root "
                                     "on sys.path"),
])
def test_main_behaviour_tells_a_folder_from_a_file(tmp_path: Path, main_entry: str | None, files: dict[str, str],
                                                   said: str) -> None:
    main_line = f"main: {main_entry}\n" if main_entry else ""
    write(tmp_path, {"Pulumi.yaml": f"name: app\nruntime: python\n{main_line}", **files})
    assert Project(tmp_path).main_behaviour() == said


def test_missing_local_module_under_a_folder_main_says_folder(tmp_path: Path) -> None:
    write(tmp_path, {"Pulumi.yaml": "name: app\nruntime: python\nmain: src/\n", "Pulumi.dev.yaml": "config: {}\n",
                     "src/__main__.py": "import pulumi\nfrom lib.stack import build\n", "lib/__init__.py": "",
                     "lib/stack.py": "def build():\n    return 1\n"})
    [found] = [f for f in tapcheck.check(tmp_path).findings if f.rule == "TAP010"]
    assert "file entry point" not in found.fix
    assert found.fix == ("`main: src/` is a folder: Pulumi runs `src/__main__.py` with `src/` as the only project "
                         "folder on sys.path, so 'lib' does not resolve: remove `main` and put `__main__.py` at the "
                         "project root.")


# ----- what the output says about several projects and a stopped run ---------------------------------------------
def test_flat_json_notes_name_their_project(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    for name in ("a", "b"):
        write(tmp_path / name, {"Pulumi.yaml": f"name: {name}\nruntime: python\n", "__main__.py": PROGRAM})
    main([str(tmp_path), "--no-synth", "--format", "json"])
    data = json.loads(capsys.readouterr().out)
    assert len(data["notes"]) == 4
    for project in data["projects"]:
        assert [f"{project['path']}: {note}" for note in project["notes"]] == [
            n for n in data["notes"] if n.startswith(project["path"] + ": ")]


def test_a_run_stopped_by_the_environment_is_not_called_static_only(tmp_path: Path) -> None:
    write(tmp_path, {"Pulumi.yaml": "name: app\nruntime: python\n", "Pulumi.dev.yaml": "config: {}\n",
                     "requirements.txt": "pulumi>=3\nrequests-aws4auth\n",
                     "__main__.py": "import pulumi\nimport requests_aws4auth\n"})
    report = tapcheck.check(tmp_path)
    assert report.synth is not None and report.synth_skipped
    assert render_text(report).splitlines()[-1] == (
        "no findings (synth stopped before the program's end, see the note; --strict fails on it)")
