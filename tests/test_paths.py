"""The ways a team really gets and re-runs the template: an abbreviation from its cookiecutter config, a zip
archive, a checkout without symlinks, a `file://` URL, a machine without git, and re-generation over a repo
they have worked in. Each bakes through cookiecutter's command line, as a person runs it.
"""

import json
import os
import re
import shlex
import shutil
import subprocess
import sys
import sysconfig
import zipfile
from pathlib import Path

import pytest
from cookiecutter.main import cookiecutter

from hooks import post_gen_project as post
from tests.conftest import DEFAULT_SLUG, TEMPLATE, bake, git, snapshot, template_repo

pytestmark = pytest.mark.portable

BIN = Path(sys.executable).parent
# Python writes these while the hook's check runs the program; they are not part of what was generated.
CACHES = ("__pycache__",)
# The checker's pin line in the default (uv) bake: the one line that names where the template came from.
PIN = re.compile(r'^    "tapcheck @ git\+(?P<url>.+)@(?P<commit>[^@"]+)",$', re.MULTILINE)


def checker_pin(repo: Path) -> tuple[str, str]:
    """The template URL and commit the repo's pyproject.toml installs the checker from."""
    (found,) = PIN.finditer((repo / "pyproject.toml").read_text(encoding="utf-8"))
    return found["url"], found["commit"]


def user_config(folder: Path, abbreviations: dict[str, str] | None = None) -> dict[str, str]:
    """An environment whose cookiecutter config keeps clones and replays in `folder`, with `abbreviations`."""
    config = folder / "cookiecutterrc.yaml"
    lines = [f"cookiecutters_dir: {json.dumps(str(folder / 'clones'))}",
             f"replay_dir: {json.dumps(str(folder / 'replay'))}", "abbreviations:"]
    lines += [f"  {name}: {json.dumps(value)}" for name, value in (abbreviations or {}).items()] or ["  {}"]
    if not abbreviations:
        lines[-2:] = ["abbreviations: {}"]
    config.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return os.environ | {"COOKIECUTTER_CONFIG": str(config)}


def cli(*args: str, cwd: Path, env: dict[str, str], tool: str = "cookiecutter") -> subprocess.CompletedProcess[str]:
    """Run cookiecutter's or cruft's command line."""
    return subprocess.run([sys.executable, "-m", tool, *args] if tool == "cookiecutter" else [str(BIN / tool), *args],
                          cwd=cwd, env=env, capture_output=True, text=True, timeout=600, check=False)


def cli_bake(template: str, output: Path, env: dict[str, str], *answers: str) -> Path:
    """Bake with the default answers through the command line; return the generated repo."""
    output.mkdir(parents=True, exist_ok=True)
    result = cli("--no-input", template, "-o", str(output), *answers, cwd=output, env=env)
    assert result.returncode == 0, result.stdout + result.stderr
    return output / DEFAULT_SLUG


def generated(repo: Path) -> dict[str, bytes | None]:
    """What a bake produced, without Python caches and with the template's location left out of `.cruft.json` and
    of the checker's pin."""
    files = {path: data for path, data in snapshot(repo).items() if not set(Path(path).parts) & set(CACHES)}
    files["pyproject.toml"] = PIN.sub("PIN", files["pyproject.toml"].decode()).encode()
    record = json.loads(files.pop(".cruft.json"))
    context = record["context"]["cookiecutter"]
    context.pop("_template")
    files[".cruft.json context"] = json.dumps(context, sort_keys=True).encode()
    return files


@pytest.fixture
def source(tmp_path) -> Path:
    """The template as a git repository (one commit on main), the way a team's server holds it."""
    # Cookiecutter takes a URL for git only when it names git (cookiecutter.vcs.identify_repo), as server paths do.
    return template_repo(tmp_path / "git" / "tap-template")


def test_abbreviation_from_the_user_config_records_a_url_cruft_checks_and_updates(tmp_path, source):
    env = user_config(tmp_path, {"corp": source.parent.as_uri() + "/{0}"})
    repo = cli_bake("corp:tap-template", tmp_path / "out", env)
    record = json.loads((repo / ".cruft.json").read_text(encoding="utf-8"))
    assert record["template"] == source.as_uri()
    assert record["commit"] == git(source, "rev-parse", "HEAD")
    assert checker_pin(repo) == (post.pip_git_url(source.as_uri()), record["commit"])
    git(repo, "init", "-q", "-b", "main")
    git(repo, "add", "-A")
    git(repo, "commit", "-qm", "generated")

    checked = cli("check", cwd=repo, env=env, tool="cruft")
    assert checked.returncode == 0 and "up to date" in checked.stdout, checked.stdout + checked.stderr

    # The template moves on, in a template file and in the checker: both reach the repo, the checker as its pin.
    gitignore = source / "{{cookiecutter.project_slug}}" / ".gitignore"
    gitignore.write_text(gitignore.read_text(encoding="utf-8") + ".mypy_cache/\n", encoding="utf-8")
    (source / "tapcheck" / "rules" / "team_note.py").write_text('"""A rule added later."""\n', encoding="utf-8")
    git(source, "add", "-A")
    git(source, "commit", "-qm", "template moves on")
    checked = cli("check", cwd=repo, env=env, tool="cruft")
    assert checked.returncode == 1 and "out of date" in checked.stdout, checked.stdout + checked.stderr

    updated = cli("update", "--skip-apply-ask", cwd=repo, env=env, tool="cruft")
    assert updated.returncode == 0, updated.stdout + updated.stderr
    assert ".mypy_cache/" in (repo / ".gitignore").read_text(encoding="utf-8")
    assert not (repo / "tapcheck").exists()
    # A small diff: the template's change, the record, and the checker's pin line moved to the new commit.
    changed = git(repo, "diff", "HEAD", "--name-only").splitlines()
    changed += git(repo, "ls-files", "--others", "--exclude-standard").splitlines()
    assert sorted(changed) == [".cruft.json", ".gitignore", "pyproject.toml"]
    pin_diff = [line for line in git(repo, "diff", "-U0", "HEAD", "--", "pyproject.toml").splitlines()
                if line.startswith(("+ ", "- "))]
    new = git(source, "rev-parse", "HEAD")
    url = post.pip_git_url(source.as_uri())
    assert pin_diff == [f'-    "tapcheck @ git+{url}@{record["commit"]}",', f'+    "tapcheck @ git+{url}@{new}",']
    assert cli("check", cwd=repo, env=env, tool="cruft").returncode == 0


def test_a_folder_without_a_git_remote_records_that_updates_need_the_url(tmp_path, source):
    env = user_config(tmp_path)
    repo = cli_bake(str(source), tmp_path / "out", env)
    record = json.loads((repo / ".cruft.json").read_text(encoding="utf-8"))
    assert record["template"] == post.NO_TEMPLATE_URL and record["commit"] is None
    assert checker_pin(repo) == (post.PIN_URL_MARKER, post.PIN_COMMIT_MARKER)
    checked = cli("check", cwd=repo, env=env, tool="cruft")
    output = checked.stdout + checked.stderr
    assert checked.returncode != 0 and "SET-THE-TEMPLATE-GIT-URL-HERE" in output and "up to date" not in output

    git(source, "remote", "add", "origin", "https://git.example.invalid/platform/tap-template.git")
    repo = cli_bake(str(source), tmp_path / "again", env)
    record = json.loads((repo / ".cruft.json").read_text(encoding="utf-8"))
    assert record["template"] == "https://git.example.invalid/platform/tap-template.git"
    assert record["commit"] == git(source, "rev-parse", "HEAD")
    assert checker_pin(repo) == (record["template"], record["commit"])


def test_every_way_of_getting_the_template_bakes_the_same_files(tmp_path, source):
    env = user_config(tmp_path)
    clone = tmp_path / "clone"
    git(tmp_path, "clone", "-q", source.as_uri(), str(clone))
    expected = generated(cli_bake(str(clone), tmp_path / "from-clone", env))
    commit, url = git(source, "rev-parse", "HEAD"), post.pip_git_url(source.as_uri())
    assert checker_pin(tmp_path / "from-clone" / DEFAULT_SLUG) == (url, commit)

    archive = tmp_path / "tap-template.zip"
    git(source, "archive", "--format=zip", "--prefix=tap-template/", "-o", str(archive), "HEAD")
    no_symlinks = tmp_path / "no-symlinks"
    git(tmp_path, "-c", "core.symlinks=false", "clone", "-q", source.as_uri(), str(no_symlinks))
    ways = {
        "zip": str(archive),
        "core.symlinks=false": str(no_symlinks),
        "file URL": source.as_uri(),
        "git+file URL": "git+" + source.as_uri(),
    }
    # Where the template came from decides the checker's pin; without a clonable URL the markers stay.
    pins = {"zip": (post.PIN_URL_MARKER, post.PIN_COMMIT_MARKER), "core.symlinks=false": (url, commit),
            "file URL": (url, commit), "git+file URL": (url, commit)}
    for way, template in ways.items():
        repo = cli_bake(template, tmp_path / way.replace(" ", "-"), env)
        assert generated(repo) == expected, way
        assert checker_pin(repo) == pins[way], way

    # No git on PATH: only this interpreter's folder, from an unpacked archive (nothing there needs git).
    unpacked = tmp_path / "unpacked"
    with zipfile.ZipFile(archive) as opened:
        opened.extractall(unpacked)
    no_git = tmp_path / "bin"
    no_git.mkdir()
    env_without_git = env | {"PATH": str(no_git)}
    assert shutil.which("git", path=env_without_git["PATH"]) is None
    (tmp_path / "no-git").mkdir()
    result = cli("--no-input", str(unpacked / "tap-template"), "-o", str(tmp_path / "no-git"), cwd=tmp_path / "no-git",
                 env=env_without_git)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no git URL and commit for the template (git is not on PATH)" in result.stdout
    repo = tmp_path / "no-git" / DEFAULT_SLUG
    assert generated(repo) == expected
    assert json.loads((repo / ".cruft.json").read_text(encoding="utf-8"))["template"] == post.NO_TEMPLATE_URL
    assert checker_pin(repo) == (post.PIN_URL_MARKER, post.PIN_COMMIT_MARKER)


def test_regeneration_never_deletes_or_changes_the_users_files(tmp_path):
    everything = {"nat_gateway": True, "database": "aurora-postgresql", "migrations": True, "ecs": True, "asg": True,
                  "lambda_api": True, "rest_api": True, "dynamodb": True, "queue": True, "cache": True,
                  "monitoring": True, "ci": "github", "dependency_manager": "pip"}
    repo = bake(tmp_path, **everything)
    users = {
        "migrations/0002_add_accounts.sql": "CREATE TABLE accounts (id INT);\n",
        ".github/workflows/deploy.yml": "name: deploy\non: workflow_dispatch\n",
        ".github/CODEOWNERS": "* @platform\n",
        "lib/lambdas/reports/handler.py": '"""Reports."""\n',
        "lib/lambdas/webhook/signing.py": '"""Signing helpers."""\n',
        "lib/lambdas/migrations/notes.md": "notes\n",
        "lib/lambdas/transactions/schema.json": "{}\n",
        "lib/components/audit.py": '"""Audit trail."""\n',
        "tests/unit/test_audit_rules.md": "notes\n",
        "tests/integration/notes.md": "notes\n",
        "requirements-local.txt": "ipython\n",
    }
    for relative, text in users.items():
        (repo / relative).parent.mkdir(parents=True, exist_ok=True)
        (repo / relative).write_text(text, encoding="utf-8")

    fewer = {"network": False, "storage": False, "lambda_api": False, "rest_api": False, "ci": "none",
             "dependency_manager": "uv"}
    cookiecutter(str(TEMPLATE), no_input=True, output_dir=str(tmp_path),
                 overwrite_if_exists=True, extra_context={key: False for key in everything} | fewer |
                 {"database": "none"})

    for relative, text in users.items():
        assert (repo / relative).read_text(encoding="utf-8") == text, relative
    # What the template generated for the parts no longer chosen is gone, file by file.
    for relative in ("migrations/0001_initial.sql", ".github/workflows/ci.yml", "lib/lambdas/webhook/handler.py",
                     "lib/components/network.py", "lib/components/database.py", "requirements.txt", "Pipfile"):
        assert not (repo / relative).exists(), relative
    assert (repo / ".python-version").is_file()


def test_regeneration_keeps_stack_files_and_the_earlier_versions_of_edited_files(tmp_path, capfd):
    repo = bake(tmp_path)
    capfd.readouterr()
    # What `pulumi stack init` and `pulumi config set --secret` write, which nothing could recreate.
    stack = repo / "Pulumi.prod.yaml"
    stack.write_text(stack.read_text(encoding="utf-8") + "encryptionsalt: v1:abc:def\n", encoding="utf-8")
    edited = repo / "lib" / "tap_stack.py"
    mine = edited.read_text(encoding="utf-8") + "# the team's change\n"
    edited.write_text(mine, encoding="utf-8")
    untouched = (repo / "README.md").read_text(encoding="utf-8")
    stacks_before = {path.name: path.read_bytes() for path in repo.glob("Pulumi.*.yaml")}

    cookiecutter(str(TEMPLATE), no_input=True, output_dir=str(tmp_path), overwrite_if_exists=True,
                 extra_context={"ecs": True})
    out = capfd.readouterr().out

    # Every stack file keeps every line it had; the setting the new answer needs is added to its config block.
    for name, before in stacks_before.items():
        after = (repo / name).read_text(encoding="utf-8").splitlines()
        added = [line for line in after if line not in before.decode("utf-8").splitlines()]
        assert [line for line in after if line not in added] == before.decode("utf-8").splitlines(), name
        assert {line.strip().split(": ")[0] for line in added} == (
            {"TapStack:containerImage", "TapStack:domainName"} if name == "Pulumi.prod.yaml"
            else {"TapStack:containerImage"}), name
        assert f"NOTE: kept {name} (the stack's config and secrets); added what these answers need: " \
               f"{added[0].strip()}" in out
    assert edited.read_text(encoding="utf-8") != mine, "the template's new version is generated"
    backups = list((repo / post.BACKUP_FOLDER).iterdir())
    assert len(backups) == 1 and re.fullmatch(r"\d{8}T\d{6}Z", backups[0].name)
    assert (backups[0] / "lib" / "tap_stack.py").read_text(encoding="utf-8") == mine
    assert not (backups[0] / "README.md").exists() or (repo / "README.md").read_text(encoding="utf-8") != untouched
    assert f"The earlier versions are in {post.BACKUP_FOLDER}/{backups[0].name}/" in out
    assert "lib/tap_stack.py" in out
    # The generated repo's tools leave the copies alone.
    assert post.BACKUP_FOLDER + "/" in (repo / ".gitignore").read_text(encoding="utf-8").splitlines()


def test_regeneration_keeps_stack_files_outside_the_answer_and_names_values_it_kept(tmp_path, capfd):
    repo = bake(tmp_path)
    # A stack the team made later (`pulumi stack init qa`), which the stacks answer does not list.
    (repo / "Pulumi.qa.yaml").write_text("config:\n  aws:region: us-east-1\n  TapStack:environmentSuffix: qa\n",
                                         encoding="utf-8")
    capfd.readouterr()
    cookiecutter(str(TEMPLATE), no_input=True, output_dir=str(tmp_path), overwrite_if_exists=True,
                 extra_context={"ecs": True, "aws_region": "eu-west-1"})
    out = capfd.readouterr().out
    qa = (repo / "Pulumi.qa.yaml").read_text(encoding="utf-8")
    assert "  TapStack:containerImage: " in qa and "  aws:region: us-east-1\n" in qa
    assert "NOTE: kept Pulumi.qa.yaml (the stack's config and secrets); added what these answers need: " \
           "TapStack:containerImage: " in out
    assert "kept its own values: aws:region stays us-east-1 (these answers say eu-west-1)" in out


def test_regeneration_with_the_same_answers_keeps_no_backup(tmp_path, capfd):
    repo = bake(tmp_path)
    cookiecutter(str(TEMPLATE), no_input=True, output_dir=str(tmp_path), overwrite_if_exists=True)
    assert not (repo / post.BACKUP_FOLDER).exists()
    assert "NOTE: kept Pulumi.dev.yaml (the stack's config and secrets)." in capfd.readouterr().out


def test_refused_answers_end_with_the_command_that_asks_only_for_them(tmp_path, source):
    env = user_config(tmp_path)
    output = tmp_path / "out"
    output.mkdir()
    result = cli("--no-input", str(source), "-o", str(output), "environment_suffix=BAD", "project_slug=my-infra",
                 "owner=Payments Team", cwd=output, env=env)
    assert result.returncode != 0 and not list(output.iterdir())
    assert "ERROR: environment_suffix = 'BAD': must be 1-10 lowercase letters or digits" in result.stderr
    command = shlex.split(result.stderr.split("to be asked only for the refused ones, run:\n", 1)[1].splitlines()[0])
    assert command[:2] == ["cookiecutter", "--replay-file"]
    rerun = subprocess.run([sys.executable, "-m", *command, "-o", str(output)], input="qa\n", cwd=output, env=env,
                           capture_output=True, text=True, timeout=600, check=False)
    assert rerun.returncode == 0, rerun.stdout + rerun.stderr
    record = json.loads((output / "my-infra" / ".cruft.json").read_text(encoding="utf-8"))["context"]["cookiecutter"]
    assert (record["environment_suffix"], record["owner"]) == ("qa", "Payments Team")


def test_a_bake_without_the_pulumi_sdk_says_what_it_did_not_check(tmp_path):
    # An environment with this one's packages (a .pth file) except the Pulumi SDK, which its own folder shadows.
    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(venv)], check=True)
    site = Path(sysconfig.get_path("purelib", vars={"base": str(venv), "platbase": str(venv)}))
    (site / "this_environment.pth").write_text(
        "\n".join(path for path in sys.path if path.endswith("site-packages")) + "\n", encoding="utf-8"
    )
    (site / "pulumi").mkdir()
    (site / "pulumi" / "__init__.py").write_text('raise ImportError("no Pulumi SDK here")\n', encoding="utf-8")
    python = venv / ("Scripts/python.exe" if os.name == "nt" else "bin/python")
    output = tmp_path / "out"
    output.mkdir()
    result = subprocess.run([str(python), "-m", "cookiecutter", "--no-input", str(TEMPLATE), "-o", str(output)],
                            cwd=output, env=user_config(tmp_path), capture_output=True, text=True, timeout=600,
                            check=False)
    assert result.returncode == 0, result.stdout + result.stderr
    # The bake checks what needs no project environment and names what it left to the project's own check.
    assert "tapcheck static rules: no findings. NOT CHECKED at generation: the program run under mocks (synth)" \
        in result.stdout
    assert "uv sync && uv run tapcheck . --strict" in result.stdout


@pytest.mark.parametrize(
    ("url", "pip_url"),
    [
        ("https://github.com/org/tap-template.git", "https://github.com/org/tap-template.git"),
        ("git@github.com:org/tap-template.git", "ssh://git@github.com/org/tap-template.git"),
        ("ssh://git@git.example.com:2222/org/tap-template.git", "ssh://git@git.example.com:2222/org/tap-template.git"),
        ("file:///srv/git/tap-template", "file://localhost/srv/git/tap-template"),
    ],
)
def test_the_pin_names_the_template_as_pip_uv_and_pipenv_read_git_urls(url, pip_url):
    assert post.pip_git_url(url) == pip_url


def test_a_local_path_remote_is_pinned_as_a_file_url(tmp_path):
    assert post.pip_git_url(str(tmp_path)) == tmp_path.resolve().as_uri().replace("file:///", "file://localhost/")
