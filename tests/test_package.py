"""tapcheck as a tool any Pulumi team installs from this repository: a wheel holding the checker only, a `tapcheck`
command from pip, uvx and a pipx-style tool install, `--version` naming the commit, the pre-commit hooks, and the
bake that has no template URL to pin the checker to.

Each install starts from a git clone of this checkout (one commit), the way a team installs from its git server;
the installs download the build backend and ruamel.yaml from PyPI (or reuse the installers' caches).
"""

import json
import os
import subprocess
import sys
import sysconfig
from pathlib import Path

import pytest

import tapcheck
from hooks import post_gen_project as post
from tests.conftest import TEMPLATE, bake, copy_template, git, run, run_unit_tests, template_repo

BIN = Path(sys.executable).parent
ENV = os.environ | {"UV_PYTHON_DOWNLOADS": "never", "PIP_DISABLE_PIP_VERSION_CHECK": "1"}
ENV.pop("VIRTUAL_ENV", None)

# What `pulumi new aws-python` writes (https://github.com/pulumi/templates/tree/master/aws-python): a plain
# project with no house rules, its program run by the interpreter of its `venv` folder.
PULUMI_NEW_AWS_PYTHON = {
    "Pulumi.yaml": "name: plain-app\ndescription: A minimal AWS Python Pulumi program\nruntime:\n  name: python\n"
                   "  options:\n    toolchain: pip\n    virtualenv: venv\n"
                   "config:\n  pulumi:tags:\n    value:\n      pulumi:template: aws-python\n",
    "Pulumi.dev.yaml": "config:\n  aws:region: us-east-1\n",
    "requirements.txt": "pulumi>=3.0.0,<4.0.0\npulumi-aws>=7.0.0,<8.0.0\n",
    "__main__.py": '"""An AWS Python Pulumi program"""\n\nimport pulumi\nfrom pulumi_aws import s3\n\n'
                   "# Create an AWS resource (S3 Bucket)\nbucket = s3.Bucket('my-bucket')\n\n"
                   "# Export the name of the bucket\npulumi.export('bucket_name', bucket.id)\n",
}


def executable(venv: Path, name: str) -> Path:
    """A console script or interpreter of a virtual environment."""
    return venv / ("Scripts" if os.name == "nt" else "bin") / (f"{name}.exe" if os.name == "nt" else name)


def pulumi_new_project(folder: Path) -> Path:
    """A `pulumi new aws-python` project whose `venv` is an environment with this one's packages (the Pulumi SDKs)
    and no tapcheck of its own: its interpreter, not the checker's, must run the program."""
    folder.mkdir(parents=True)
    for name, text in PULUMI_NEW_AWS_PYTHON.items():
        (folder / name).write_text(text, encoding="utf-8")
    venv = folder / "venv"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(venv)], check=True)
    site = Path(sysconfig.get_path("purelib", vars={"base": str(venv), "platbase": str(venv)}))
    (site / "this_environment.pth").write_text(
        "\n".join(path for path in sys.path if path.endswith("site-packages")) + "\n", encoding="utf-8")
    return folder


def hook_results(output: str) -> list[str]:
    """The verdicts of the tapcheck hooks in `pre-commit run` output, in order: lines `name......Passed`."""
    return [line.rsplit(".", 1)[-1] for line in output.splitlines() if line.startswith("tapcheck (Pulumi project")]


@pytest.fixture(scope="module")
def clone(tmp_path_factory) -> tuple[Path, str]:
    """This checkout as a git repository of one commit, and that commit."""
    repo = template_repo(tmp_path_factory.mktemp("server") / "tap-template")
    return repo, git(repo, "rev-parse", "HEAD")


def test_version_names_the_version_and_the_checkouts_commit():
    result = run([sys.executable, "-m", "tapcheck", "--version"], TEMPLATE)
    head = git(TEMPLATE, "rev-parse", "HEAD")
    assert result.stdout.startswith(f"tapcheck {tapcheck.__version__} (commit {head}"), result.stdout


def test_a_bake_without_a_template_url_keeps_the_pin_markers_says_so_and_works(tmp_path, capfd):
    # A copy of the template with no git at all, as an unpacked archive is: no URL or commit to pin the checker to.
    repo = bake(tmp_path / "out", template=copy_template(tmp_path / "unpacked"))
    assert "NOTE: no git URL and commit for the template" in capfd.readouterr().out
    pin = f"tapcheck @ git+{post.PIN_URL_MARKER}@{post.PIN_COMMIT_MARKER}"
    assert f'    "{pin}",' in (repo / "pyproject.toml").read_text(encoding="utf-8").splitlines()
    for manager, (name, line) in {"pip": ("requirements-dev.txt", pin),
                                  "pipenv": ("Pipfile", f'tapcheck = {{git = "{post.PIN_URL_MARKER}", '
                                                        f'ref = "{post.PIN_COMMIT_MARKER}"}}')}.items():
        other = bake(tmp_path / manager, template=tmp_path / "unpacked", dependency_manager=manager, network=False,
                     storage=False)
        assert line in (other / name).read_text(encoding="utf-8").splitlines(), manager
    # Everything but installing the checker works: the tests (mocks from the installed checker) and its check.
    run_unit_tests(repo)
    run([sys.executable, "-m", "tapcheck", ".", "--strict"], repo)


@pytest.mark.slow
@pytest.mark.xdist_group("package")
def test_pip_installs_the_checker_alone_and_it_checks_without_the_pulumi_sdk(tmp_path, clone):
    source, commit = clone
    venv = tmp_path / "venv"
    run([sys.executable, "-m", "venv", str(venv)], tmp_path)
    python = executable(venv, "python")
    run([str(python), "-m", "pip", "install", "-q", str(source), "pytest"], tmp_path, env=ENV)
    tool = str(executable(venv, "tapcheck"))

    assert run([tool, "--version"], tmp_path).stdout == f"tapcheck {tapcheck.__version__} (commit {commit})\n"
    # The wheel holds the checker only: no template, hooks or tests.
    listing = run([str(python), "-c", "import importlib.metadata as m; print('\\n'.join(map(str, "
                                      "m.files('tapcheck'))))"], tmp_path).stdout.split()
    tops = {Path(name).parts[0] for name in listing if not name.startswith("..")}
    assert tops == {"tapcheck", f"tapcheck-{tapcheck.__version__}.dist-info"}, tops
    assert "tapcheck/_runner/run_program.py" in listing and "tapcheck/data/aws_enums.json" in listing
    no_sdk = subprocess.run([str(python), "-c", "import pulumi"], capture_output=True, check=False)
    assert no_sdk.returncode != 0, "the checker's environment must not have the Pulumi SDK for this test"

    # Static rules need no SDK; synth runs the project's interpreter (given, or its Pulumi.yaml `virtualenv`).
    baked = bake(tmp_path / "out")
    assert "no findings" in run([tool, str(baked), "--no-synth", "--strict"], tmp_path).stdout
    run([tool, str(baked), "--strict", "--python", sys.executable], tmp_path)
    plain = pulumi_new_project(tmp_path / "plain")
    record = tmp_path / "synth.json"
    run([tool, str(plain), "--synth-out", str(record)], tmp_path)
    synth = json.loads(record.read_text(encoding="utf-8"))
    assert [r["type"] for r in synth["resources"] if r["type"] == "aws:s3/bucket:Bucket"] == ["aws:s3/bucket:Bucket"]

    # The pytest plugin loads in an environment without the SDK, and offers the fixtures.
    fixtures = run([str(python), "-m", "pytest", "--fixtures", "-p", "no:cacheprovider"], tmp_path).stdout
    assert "stack_mocks" in fixtures and "pulumi_project" in fixtures


@pytest.mark.slow
@pytest.mark.xdist_group("package")
def test_uvx_and_pipx_give_the_command(tmp_path, clone):
    source, commit = clone
    expected = f"tapcheck {tapcheck.__version__} (commit {commit})\n"
    url = f"git+{source.as_uri()}"
    env = ENV | {"UV_TOOL_DIR": str(tmp_path / "uv-tools"), "PIPX_HOME": str(tmp_path / "pipx"),
                 "PIPX_BIN_DIR": str(tmp_path / "bin")}
    ran = run([str(BIN / "uv"), "tool", "run", "--python", sys.executable, "--from", url, "tapcheck", "--version"],
              tmp_path, env=env)
    assert ran.stdout == expected
    run([str(BIN / "pipx"), "install", "--python", sys.executable, url], tmp_path, env=env)
    assert run([str(tmp_path / "bin" / "tapcheck"), "--version"], tmp_path).stdout == expected


@pytest.mark.slow
@pytest.mark.xdist_group("package")
def test_pre_commit_runs_both_hooks_from_the_hook_repository(tmp_path, clone):
    source, commit = clone
    project = pulumi_new_project(tmp_path / "plain")
    (project / ".gitignore").write_text("venv/\n", encoding="utf-8")
    (project / ".pre-commit-config.yaml").write_text(
        f"repos:\n  - repo: {source.as_uri()}\n    rev: {commit}\n"
        "    hooks: [{id: tapcheck}, {id: tapcheck-synth, args: []}]\n", encoding="utf-8")
    git(project, "init", "-q", "-b", "main")
    git(project, "add", "-A")
    env = ENV | {"PRE_COMMIT_HOME": str(tmp_path / "pre-commit")}
    hooks = [sys.executable, "-m", "pre_commit", "run", "--all-files"]
    passed = run(hooks, project, env=env).stdout
    assert hook_results(passed) == ["Passed", "Passed"], passed

    # A fault only running the program finds: the static hook passes, the synth hook (the project's venv) fails.
    main = project / "__main__.py"
    main.write_text(main.read_text(encoding="utf-8") + "pulumi.export('first_tag', [][0])\n", encoding="utf-8")
    git(project, "add", "-A")
    failed = subprocess.run(hooks, cwd=project, env=env, capture_output=True, text=True, timeout=600, check=False)
    assert failed.returncode == 1 and hook_results(failed.stdout) == ["Passed", "Failed"], failed.stdout
    assert "IndexError" in failed.stdout, failed.stdout
