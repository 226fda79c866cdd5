"""TAP010 told where the error is and what to do: missing config, missing modules, errors inside apply; notes for
what synth could not see; --strict when synth could not run."""

from __future__ import annotations

import importlib.metadata
import stat
import sys
from pathlib import Path

import pytest
from helpers import write

import tapcheck
from tapcheck.cli import main
from tapcheck.project import Project
from tapcheck.synth import Interpreter, _unexpanded_notes, choose_interpreter, explain_error


def tap010(report: tapcheck.Report) -> list[tuple[str, int, str, str]]:
    return [(f.path, f.line, f.message, f.fix) for f in report.findings if f.rule == "TAP010"]


@pytest.mark.parametrize(("call", "secret"), [("require", False), ("require_secret", True)])
def test_missing_config_names_key_stack_file_and_command(tmp_path: Path, call: str, secret: bool) -> None:
    write(tmp_path, {"Pulumi.yaml": "name: app\nruntime: python\n", "Pulumi.dev.yaml": "config: {}\n",
                     "__main__.py": f"import pulumi\n\ndomain = pulumi.Config().{call}('targetDomain')\n"
                                    "pulumi.export('stack', pulumi.get_stack())\n"})
    [(path, line, message, fix)] = tap010(tapcheck.check(tmp_path))
    assert (path, line) == ("__main__.py", 3)
    assert message == ("config 'targetDomain' is required but not set for stack 'dev': Pulumi.dev.yaml does not set "
                       "it and Pulumi.yaml gives no default (Missing required configuration variable "
                       "'app:targetDomain')")
    command = f"pulumi config set{' --secret' if secret else ''} targetDomain <value> --stack dev"
    assert fix.startswith(f"Run `{command}` (it writes `targetDomain` under `config:` in Pulumi.dev.yaml)")
    assert "\t" not in message and "\n" not in message


@pytest.mark.parametrize(("stack_config", "said"), [
    ("oldname:targetDomain: example.com", "(it sets 'oldname:targetDomain', in another namespace than 'app')"),
    ("targetdomain: example.com", "(it sets 'targetdomain': config keys are case-sensitive and spelled exactly)"),
    ("app:targetDomian: example.com", "(it sets 'app:targetDomian': config keys are case-sensitive and spelled "
                                      "exactly)"),
])
def test_missing_config_points_at_the_near_miss(tmp_path: Path, stack_config: str, said: str) -> None:
    write(tmp_path, {"Pulumi.yaml": "name: app\nruntime: python\n",
                     "Pulumi.dev.yaml": f"config:\n  {stack_config}\n",
                     "__main__.py": "import pulumi\n\npulumi.Config().require('targetDomain')\n"})
    [(_, _, message, _)] = tap010(tapcheck.check(tmp_path))
    assert f"Pulumi.dev.yaml does not set it {said} and Pulumi.yaml gives no default" in message


def test_missing_config_without_stack_file_says_so(tmp_path: Path) -> None:
    write(tmp_path, {"Pulumi.yaml": "name: app\nruntime: python\n",
                     "__main__.py": "import pulumi\n\npulumi.Config('other').require('key')\n"})
    report = tapcheck.check(tmp_path)
    [(_, _, message, _)] = tap010(report)
    assert "config 'other:key' is required but not set for stack 'dev': there is no Pulumi.dev.yaml" in message
    assert report.notes[0] == ("no Pulumi.dev.yaml (the project has no stack files): stack 'dev' was checked with "
                               "Pulumi.yaml's config only, as Pulumi runs a stack without one; config set elsewhere "
                               "(Pulumi Cloud, ESC) was not seen")


def test_config_an_esc_environment_may_provide_is_a_note(tmp_path: Path) -> None:
    write(tmp_path, {"Pulumi.yaml": "name: app\nruntime: python\nconfig:\n  dbName:\n    type: string\n",
                     "Pulumi.dev.yaml": "environment:\n  - acme/app-dev\nconfig: {}\n",
                     "__main__.py": "import pulumi\nimport pulumi_aws as aws\n\n"
                                    "name = pulumi.Config().require('dbName')\n"
                                    "pulumi.export('stack', pulumi.get_stack())\n"})
    report = tapcheck.check(tmp_path)
    assert report.errors == []  # TAP007 (no aws:region), TAP008 (dbName) and TAP010 all become notes
    text = "\n".join(report.notes)
    assert "Pulumi.dev.yaml imports Pulumi ESC environment(s) acme/app-dev" in text
    assert "Pulumi.dev.yaml sets no `aws:region`; the ESC environment(s) it imports (acme/app-dev) may" in text
    assert "Pulumi.dev.yaml does not set dbName" in text
    assert "config 'dbName' is not in Pulumi.dev.yaml; it may come from the Pulumi ESC environment acme/app-dev" \
        in text


def test_declared_package_missing_from_the_environment_is_not_the_projects_fault(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    write(tmp_path, {"Pulumi.yaml": "name: app\nruntime: python\n", "Pulumi.dev.yaml": "config: {}\n",
                     "requirements.txt": "pulumi>=3\nTapcheck_Missing.Pkg==1.0  # pinned\n",
                     "__main__.py": "import pulumi\nimport tapcheck_missing_pkg\n\n"
                                    "pulumi.export('stack', pulumi.get_stack())\n"})
    report = tapcheck.check(tmp_path)
    assert tap010(report) == []
    why = (f"ModuleNotFoundError: No module named 'tapcheck_missing_pkg' at __main__.py:2: synth ran {sys.executable} "
           "(the checker's own interpreter; the project has no .venv or venv), which cannot import "
           "'tapcheck_missing_pkg'; requirements.txt lists it")
    assert report.synth_skipped == why
    assert report.notes == [f"synth stopped: {why}. Install the project's dependencies into the environment Pulumi "
                            "uses (`pulumi install`, or `pip install -r requirements.txt`) or pass `--python` with "
                            "that environment's interpreter; rules that need the whole program saw only what it "
                            "built before that line"]
    assert main([str(tmp_path)]) == 0
    assert main([str(tmp_path), "--strict"]) == 1  # the check did not run through: strict says so
    assert f"synth did not run: {why}" in capsys.readouterr().err


def test_missing_package_in_no_requirements_file(tmp_path: Path) -> None:
    write(tmp_path, {"Pulumi.yaml": "name: app\nruntime: python\n", "Pulumi.dev.yaml": "config: {}\n",
                     "pyproject.toml": "[project]\nname = 'x'\ndependencies = ['pulumi']\n",
                     "__main__.py": "import pulumi\nimport tapcheck_missing_pkg\n"})
    [(_, _, message, fix)] = tap010(tapcheck.check(tmp_path, python=sys.executable))
    assert "(given with --python)" in message and message.endswith("no requirements file of the project lists it")
    assert fix.startswith("Add the package that provides 'tapcheck_missing_pkg' to the project's requirements")


def test_error_inside_apply_names_what_it_fed_and_where_the_output_was_made(tmp_path: Path) -> None:
    project = Project(write(tmp_path, {"Pulumi.yaml": "name: app\nruntime: python\n", "__main__.py": "x = 1\n"}))
    error = {"type": "KeyError", "message": "KeyError: 'arn'", "location": None, "traceback": "",
             "created_at": {"path": str(tmp_path / "__main__.py"), "line": 1},
             "fed": "input `policy` of aws.iam.RolePolicy 'p'"}
    explained = explain_error(project, "dev", error, Interpreter(sys.executable, None, "test"))
    assert (explained.path, explained.line) == ("__main__.py", 1)
    assert explained.message == ("the program fails under the language host (cwd ., run_path('.')): KeyError: 'arn' "
                                 "(raised inside an apply; its result feeds input `policy` of aws.iam.RolePolicy "
                                 "'p'; the Output was created at __main__.py:1)")


@pytest.mark.parametrize(("kind", "message", "text"), [
    ("ConfigTypeError", "pulumi.config.ConfigTypeError: bad value", "pulumi.config.ConfigTypeError: bad value"),
    ("ValueError", "ValueError: bad", "ValueError: bad"),
    ("ValueError", "bad", "ValueError: bad"),
])
def test_runner_with_type_gives_one_type_prefix(tmp_path: Path, kind: str, message: str, text: str) -> None:
    project = Project(write(tmp_path, {"Pulumi.yaml": "name: app\nruntime: python\n", "__main__.py": "x = 1\n"}))
    error = {"type": kind, "message": message, "location": None, "traceback": ""}
    explained = explain_error(project, "dev", error, Interpreter(sys.executable, None, "test"))
    assert explained.message.endswith(f"run_path('.')): {text}")


def test_runner_without_type_gives_the_full_message_on_one_line(tmp_path: Path) -> None:
    project = Project(write(tmp_path, {"Pulumi.yaml": "name: app\nruntime: python\n", "__main__.py": "x = 1\n"}))
    error = {"message": "\tsecond line", "location": {"path": str(tmp_path / "__main__.py"), "line": 1},
             "traceback": 'Traceback (most recent call last):\n  File "__main__.py", line 1, in <module>\n    x = 1\n'
                          "ValueError: first line\n\tsecond line"}
    explained = explain_error(project, "dev", error, Interpreter(sys.executable, None, "test"))
    assert explained.message.endswith("ValueError: first line second line")


def test_yes_stays_a_string_so_require_bool_fails_as_in_pulumi(tmp_path: Path) -> None:
    write(tmp_path, {"Pulumi.yaml": "name: app\nruntime: python\n",
                     "Pulumi.dev.yaml": "config:\n  app:production: yes\n  app:owner: no\n",
                     "__main__.py": "import pulumi\n\nconfig = pulumi.Config()\npulumi.export('owner', "
                                    "config.require('owner'))\nprod = config.require_bool('production')\n"})
    project = Project(tmp_path)
    assert project.stacks["dev"].config == {"app:production": "yes", "app:owner": "no"}
    report = tapcheck.check(tmp_path)
    [(path, line, message, fix)] = tap010(report)
    assert (path, line) == ("__main__.py", 5)
    assert message == ("config 'production' for stack 'dev' is 'yes', which is not a valid bool (YAML 1.2, as Pulumi "
                       "reads it: only true/false are booleans): Configuration 'app:production' value 'yes' is not a "
                       "valid 'bool'")
    assert fix == "Set `production` in Pulumi.dev.yaml to true or false (`pulumi config set production <value> " \
                  "--stack dev`)."
    assert report.synth is not None and report.synth["exports"]["owner"]["value"] == "no"


def test_virtualenv_that_does_not_exist_is_a_note(tmp_path: Path) -> None:
    write(tmp_path, {"Pulumi.yaml": "name: app\nruntime:\n  name: python\n  options:\n    virtualenv: venv-missing\n",
                     "Pulumi.dev.yaml": "config: {}\n",
                     "__main__.py": "import pulumi\n\npulumi.export('stack', pulumi.get_stack())\n"})
    report = tapcheck.check(tmp_path)
    assert report.errors == [] and report.synth is not None
    assert report.notes == [choose_interpreter(Project(tmp_path)).note]


def test_strict_fails_when_synth_could_not_run(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    wrapper = tmp_path / "bin" / "python"
    wrapper.parent.mkdir()
    wrapper.write_text(f'#!/bin/sh\nexec "{sys.executable}" -S "$@"\n', encoding="utf-8")  # -S: no site-packages
    wrapper.chmod(wrapper.stat().st_mode | stat.S_IEXEC)
    project = str(write(tmp_path / "p", {"Pulumi.yaml": "name: app\nruntime: python\n",
                                         "Pulumi.dev.yaml": "config: {}\n",
                                         "__main__.py": "import pulumi\npulumi.export('stack', 'dev')\n"}))
    assert main([project, "--python", str(wrapper)]) == 0
    assert main([project, "--python", str(wrapper), "--strict"]) == 1
    err = capsys.readouterr().err
    assert f"tapcheck: --strict: {project}: synth did not run: {wrapper} (given with --python) cannot import " \
           "pulumi" in err
    assert main([project, "--no-synth", "--strict"]) == 0  # skipping synth on purpose is not a failure


def test_a_completed_run_disproves_tap003(tmp_path: Path) -> None:
    write(tmp_path, {"Pulumi.yaml": "name: app\nruntime: python\nmain: app.py\n", "Pulumi.dev.yaml": "config: {}\n",
                     "lib/__init__.py": "", "lib/names.py": "NAME = 'x'\n",
                     "app.py": "import os\nimport sys\n\nimport pulumi\n\n"
                               "sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))\n"
                               "from lib.names import NAME  # noqa: E402\n\npulumi.export('name', NAME)\n"})
    static = tapcheck.check(tmp_path, synth=False)
    assert ("TAP003", 7) in {(f.rule, f.line) for f in static.findings}  # without a run, the layout claim stands
    ran = tapcheck.check(tmp_path)
    assert ran.synth is not None and ran.synth["ok"]
    assert [(f.rule, f.severity, f.line) for f in ran.findings] == [("TAP041", "warning", 6)]


def test_a_failed_run_confirms_tap003_in_one_finding(tmp_path: Path) -> None:
    """The run fails with the import error TAP003 predicted: one TAP010 finding, with TAP003's why and the
    layout fix."""
    write(tmp_path, {"Pulumi.yaml": "name: app\nruntime: python\nmain: tap.py\n", "Pulumi.dev.yaml": "config: {}\n",
                     "lib/__init__.py": "", "lib/names.py": "NAME = 'x'\n",
                     "tap.py": "import pulumi\n\nfrom lib.names import NAME\n\npulumi.export('name', NAME)\n"})
    assert [f.rule for f in tapcheck.check(tmp_path, synth=False).errors] == ["TAP003"]
    (item,) = tapcheck.check(tmp_path).errors
    assert (item.rule, item.path, item.line) == ("TAP010", "tap.py", 3)
    assert "No module named 'lib'" in item.message
    assert item.message.endswith("no project folder is on sys.path for `main: tap.py` (a file entry point), so "
                                 "'lib' (found at lib) is not importable")
    assert "remove `main`" in item.fix.lower() and "__main__.py" in item.fix
    # with TAP010 not selected, the layout claim is all there is, and it stays
    assert [f.rule for f in tapcheck.check(tmp_path, ignore=["TAP010"]).errors] == ["TAP003"]


@pytest.mark.parametrize("name", ["random", "aws", "kubernetes", "tls", "awsx"])
def test_project_named_like_a_provider_is_tap001(tmp_path: Path, name: str) -> None:
    write(tmp_path, {"Pulumi.yaml": f"# a project\nname: {name}\nruntime: python\n",
                     "__main__.py": "import pulumi\n\npulumi.export('stack', pulumi.get_stack())\n"})
    hits = [f for f in tapcheck.check(tmp_path, synth=False).findings if f.rule == "TAP001"]
    assert [(f.path, f.line, f.severity) for f in hits] == [("Pulumi.yaml", 2, "error")]
    assert hits[0].message.startswith(f"project name '{name}' is the config namespace of the `{name}` provider")


def test_components_the_mocks_could_not_expand_are_a_note() -> None:
    unexpanded = [{"type": "awsx:ec2:Vpc", "name": f"vpc{i}", "urn": f"urn:{i}"} for i in range(7)]
    assert _unexpanded_notes(unexpanded[:1]) == [
        "1 component could not be expanded under mocks (awsx:ec2:Vpc 'vpc0'): graph rules such as TAP015 (duplicate "
        "names), TAP021 (flow logs), TAP029 (tags) and TAP030 (subnets) did not see their child resources"]
    [note] = _unexpanded_notes(unexpanded)
    assert note.startswith("7 components could not be expanded under mocks (awsx:ec2:Vpc 'vpc0', ")
    assert "'vpc4' and 2 more)" in note
    assert _unexpanded_notes([]) == []


_EIP = ("import pulumi\nimport pulumi_aws as aws\n\nip = aws.ec2.Eip('nat', vpc=True)\n"
        "pulumi.export('ip', ip.public_ip)\n")


@pytest.mark.parametrize(("files", "declared"), [
    ({"requirements.txt": "pulumi>=3.0.0,<4.0.0\npulumi-aws>=3.2.0,<4.0.0\n"}, "requirements.txt declares "),
    ({"pyproject.toml": '[project]\nname = "app"\nversion = "0"\ndependencies = ["pulumi_aws==6.*"]\n'},
     "pyproject.toml declares "),
    ({"Pipfile": '[packages]\npulumi = "*"\n"pulumi-aws" = {version = "<5"}\n'}, "Pipfile declares "),
])
def test_sdk_call_of_another_major_is_the_environments_fault(
        tmp_path: Path, files: dict[str, str], declared: str, capsys: pytest.CaptureFixture[str]) -> None:
    """``Eip(vpc=True)`` (removed in pulumi-aws 7) while the project declares an older pulumi-aws: a note naming the
    installed version and the declaration, synth not run (``--strict`` fails), no TAP010."""
    write(tmp_path, {"Pulumi.yaml": "name: app\nruntime: python\n", "Pulumi.dev.yaml": "config: {}\n",
                     "__main__.py": _EIP, **files})
    report = tapcheck.check(tmp_path)
    assert tap010(report) == []
    installed = importlib.metadata.version("pulumi-aws")
    assert report.synth_skipped.startswith("TypeError: Eip._internal_init() got an unexpected keyword argument 'vpc' "
                                           f"at __main__.py:4: synth ran {sys.executable}")
    assert f"which has pulumi-aws {installed}, while {declared}pulumi-aws" in report.synth_skipped
    note = next(n for n in report.notes if n.startswith("synth stopped: TypeError"))
    major = installed.split(".")[0]
    assert f"port the call to pulumi-aws {major} (https://www.pulumi.com/registry/packages/aws/how-to-guides/" \
           f"{major}-0-migration/)" in note
    assert main([str(tmp_path), "--strict"]) == 1
    assert "synth did not run: TypeError" in capsys.readouterr().err


def test_sdk_error_with_the_declared_version_installed_is_the_programs(tmp_path: Path) -> None:
    installed = importlib.metadata.version("pulumi-aws")
    write(tmp_path, {"Pulumi.yaml": "name: app\nruntime: python\n", "Pulumi.dev.yaml": "config: {}\n",
                     "requirements.txt": f"pulumi-aws=={installed}\n", "__main__.py": _EIP})
    report = tapcheck.check(tmp_path)
    assert [(path, line) for path, line, *_ in tap010(report)] == [("__main__.py", 4)]
    assert report.synth_skipped is None


def test_declared_requirements_reads_specifiers_not_urls_or_bare_names(tmp_path: Path) -> None:
    write(tmp_path, {"Pulumi.yaml": "name: app\nruntime: python\n",
                     "requirements.txt": "-r base.txt\npulumi\nPulumi_AWS>=6,<7  # pinned\n"
                                         "pulumi-docker @ https://example.com/d.whl\n-e ./libs/x\n"})
    assert {k: tuple(v) for k, v in Project(tmp_path).declared_requirements.items()} == {
        "pulumi-aws": ("<7,>=6", "requirements.txt")}


RACE = """\
import pathlib
import pulumi

marker = pathlib.Path(__file__).with_name("ran-once")
if not marker.exists():  # what a module half-loaded by another thread looks like, on the first run only
    marker.write_text("", encoding="utf-8")
    raise ImportError("cannot import name 'Queue' from partially initialized module 'sdk' "
                      "(most likely due to a circular import)")
pulumi.export("ok", True)
"""


def test_a_run_that_met_a_half_loaded_module_is_made_once_more(tmp_path: Path) -> None:
    write(tmp_path, {"Pulumi.yaml": "name: app\nruntime: python\n", "Pulumi.dev.yaml": "config: {}\n",
                     "__main__.py": RACE})
    assert not [f for f in tapcheck.check(tmp_path).findings if f.rule == "TAP010"]


def test_a_circular_import_of_the_program_itself_is_still_reported(tmp_path: Path) -> None:
    write(tmp_path, {"Pulumi.yaml": "name: app\nruntime: python\n", "Pulumi.dev.yaml": "config: {}\n",
                     "__main__.py": "import a\n", "a.py": "from b import x\n", "b.py": "from a import y\nx = 1\n"})
    (found,) = [f for f in tapcheck.check(tmp_path).findings if f.rule == "TAP010"]
    assert "circular import" in found.message
