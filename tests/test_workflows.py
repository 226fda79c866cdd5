"""The generated GitHub workflows, for every dependency manager and Pulumi backend: actionlint and zizmor pass, every
action is pinned by commit SHA, credentials are short-lived and scoped, stacks deploy in order without overlapping,
and installs come only from the committed lock file.

actionlint and zizmor are this environment's pinned tools (pyproject.toml's dev group); zizmor runs offline.
"""

import importlib.util
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import bake, git, load_yaml, template_repo

# One worker bakes this module's repos once (run with --dist loadgroup, as CI does).
pytestmark = pytest.mark.xdist_group("workflows")

BIN = Path(sys.executable).parent
MANAGERS = ("uv", "pip", "pipenv")
BACKENDS = {"s3": {"pulumi_backend": "s3"}, "cloud": {"pulumi_backend": "cloud", "pulumi_org": "acme"}}
COMBINATIONS = [(manager, backend) for manager in MANAGERS for backend in BACKENDS]
STACKS = ("dev", "staging", "prod")
# `owner/repo@<full commit SHA> # v<version>`: the tag in the comment, as Dependabot maintains it.
PINNED = re.compile(r"^[\w.-]+/[\w.-]+(?:/[\w./-]+)?@[0-9a-f]{40}$")
VERSION_COMMENT = re.compile(r"uses: \S+ # v\d+\.\d+\.\d+")


@pytest.fixture(scope="module")
def repos(tmp_path_factory) -> dict[tuple[str, str], Path]:
    """One git repository (actionlint finds workflows through git) per manager and backend."""
    baked = {}
    for manager, backend in COMBINATIONS:
        repo = bake(tmp_path_factory.mktemp("workflows"), dependency_manager=manager, **BACKENDS[backend])
        git(repo, "init", "-q")
        baked[manager, backend] = repo
    return baked


def params() -> list[Any]:
    return [pytest.param(combination, id="-".join(combination)) for combination in COMBINATIONS]


def workflow(repo: Path, name: str) -> dict[str, Any]:
    return load_yaml(repo / ".github" / "workflows" / name)


def steps(repo: Path) -> list[tuple[str, dict[str, Any]]]:
    """Every step of every workflow and of the composite action, with the file it is in."""
    found = [(path.name, step) for path in (repo / ".github" / "workflows").glob("*.yml")
             for job in load_yaml(path)["jobs"].values() for step in job.get("steps", [])]
    action = repo / ".github" / "actions" / "setup" / "action.yml"
    return found + [(action.name, step) for step in load_yaml(action)["runs"]["steps"]]


def runs_pulumi(job: dict[str, Any]) -> bool:
    """Whether a job sets up Pulumi and AWS credentials (the set-up action with `pulumi: "true"`)."""
    return any(step.get("uses") == "./.github/actions/setup" and step.get("with", {}).get("pulumi") == "true"
               for step in job.get("steps", []))


def tool(name: str) -> str:
    """A scanner of this environment, by path when the environment is not activated."""
    return str(BIN / name) if (BIN / name).exists() else shutil.which(name) or name


@pytest.mark.parametrize("combination", params())
def test_actionlint_and_zizmor_pass(repos, combination):
    repo = repos[combination]
    for command in ([tool("actionlint")], [tool("zizmor"), "--offline", "."]):
        result = subprocess.run(command, cwd=repo, capture_output=True, text=True, check=False, timeout=120)
        assert result.returncode == 0, f"{command[0]}:\n{result.stdout}\n{result.stderr}"


@pytest.mark.parametrize("combination", params())
def test_actions_are_pinned_by_sha_and_checkouts_keep_no_credentials(repos, combination):
    repo = repos[combination]
    remote = [(file, step) for file, step in steps(repo) if "uses" in step and not step["uses"].startswith("./")]
    assert remote
    shas: dict[str, set[str]] = {}
    for file, step in remote:
        assert PINNED.match(step["uses"]), (file, step["uses"])
        action, sha = step["uses"].split("@")
        shas.setdefault(action, set()).add(sha)
        if action == "actions/checkout":
            assert step["with"]["persist-credentials"] is False, file
    assert all(len(pins) == 1 for pins in shas.values()), f"one version of each action: {shas}"
    for path in [*(repo / ".github").rglob("*.yml")]:
        for line in path.read_text(encoding="utf-8").splitlines():
            if re.search(r"uses: [\w-][\w.-]*/", line):
                assert VERSION_COMMENT.search(line), f"{path.name}: {line.strip()}"


@pytest.mark.parametrize("combination", params())
def test_least_privilege_permissions_on_every_job(repos, combination):
    repo = repos[combination]
    for path in (repo / ".github" / "workflows").glob("*.yml"):
        document = load_yaml(path)
        assert document["permissions"] == {}, path.name
        for name, job in document["jobs"].items():
            granted = job["permissions"]
            assert granted.get("contents") == "read", (path.name, name)
            writes = {scope for scope, level in granted.items() if level == "write"}
            assert ("id-token" in writes) is runs_pulumi(job), (path.name, name)
            assert writes <= {"id-token", "pull-requests"}, (path.name, name)
            assert ("pull-requests" in writes) is (path.name == "pulumi-preview.yml"), (path.name, name)


@pytest.mark.parametrize("combination", params())
def test_merge_deploys_each_stack_in_order_in_its_environment_without_overlap(repos, combination):
    repo = repos[combination]
    document = workflow(repo, "pulumi-deploy.yml")
    assert document[True]["push"]["branches"] == ["main"]  # YAML 1.1 reads the `on` key as True
    jobs = document["jobs"]
    assert jobs["check"]["uses"] == "./.github/workflows/ci.yml"
    assert "workflow_call" in workflow(repo, "ci.yml")[True]
    previous = "check"
    for stack in STACKS:
        job = jobs[f"deploy-{stack}"]
        assert job["needs"] == previous
        assert job["environment"] == stack
        assert job["concurrency"]["cancel-in-progress"] is False
        assert stack in job["concurrency"]["group"]
        runs = [step["run"] for step in job["steps"] if "run" in step]
        assert runs[0].endswith(f"python scripts/stack.py up {stack}")
        assert runs[1].endswith("pytest tests/integration")
        role = next(step["with"]["aws-role-to-assume"] for step in job["steps"] if runs_pulumi({"steps": [step]}))
        assert role == f"${{{{ vars.AWS_ROLE_ARN_{stack.upper()} }}}}"
        previous = f"deploy-{stack}"
    groups = [job["concurrency"]["group"] for name, job in jobs.items() if name.startswith("deploy-")]
    assert len(set(groups)) == len(STACKS)


@pytest.mark.parametrize("combination", params())
def test_pull_requests_preview_every_stack_and_review_stacks_follow_the_label(repos, combination):
    repo = repos[combination]
    preview = workflow(repo, "pulumi-preview.yml")["jobs"]
    assert sorted(preview) == sorted(f"preview-{stack}" for stack in STACKS)
    for stack in STACKS:
        runs = [step["run"] for step in preview[f"preview-{stack}"]["steps"] if "run" in step]
        assert f"python scripts/stack.py preview {stack} --summary" in runs[0]
        assert "gh pr comment" in runs[1]
        assert "github.event.pull_request.head.repo.full_name == github.repository" in preview[f"preview-{stack}"]["if"]
    review = workflow(repo, "pulumi-review-stack.yml")
    assert {"labeled", "unlabeled", "closed"} <= set(review[True]["pull_request"]["types"])
    deploy, destroy = review["jobs"]["deploy"], review["jobs"]["destroy"]
    assert "'review-stack'" in deploy["if"] and "'closed'" in destroy["if"] and "'unlabeled'" in destroy["if"]
    assert deploy["concurrency"]["group"] == destroy["concurrency"]["group"]
    assert any(step.get("run", "").endswith('scripts/stack.py review "$PR" --destroy') for step in destroy["steps"])


@pytest.mark.parametrize("combination", params())
def test_backend_credentials_come_from_the_chosen_backend(repos, combination):
    _, backend = combination
    repo = repos[combination]
    for path in (repo / ".github" / "workflows").glob("*.yml"):
        for name, job in load_yaml(path)["jobs"].items():
            if not runs_pulumi(job):
                continue
            env = job["env"]
            if backend == "cloud":
                assert env["PULUMI_ACCESS_TOKEN"] == "${{ secrets.PULUMI_ACCESS_TOKEN }}", (path.name, name)
                assert "PULUMI_BACKEND_URL" not in env
            else:
                assert env["PULUMI_BACKEND_URL"] == "${{ vars.PULUMI_BACKEND_URL }}", (path.name, name)
                assert env["PULUMI_SECRETS_PROVIDER"] == "${{ vars.PULUMI_SECRETS_PROVIDER }}"
                assert "PULUMI_ACCESS_TOKEN" not in env
    text = "\n".join(path.read_text(encoding="utf-8") for path in (repo / ".github").rglob("*.yml"))
    assert "aws-access-key-id" not in text and "AWS_SECRET_ACCESS_KEY" not in text, "no long-lived AWS keys"


@pytest.mark.parametrize("combination", params())
def test_ci_installs_only_from_the_lock_file_and_dependabot_watches_it(repos, combination):
    manager, _ = combination
    repo = repos[combination]
    install = "\n".join(step.get("run", "") for _, step in steps(repo))
    expected = {"uv": ["uv lock --check", "uv sync --locked"],
                "pip": ["scripts/lock_requirements.py --check", "scripts/lock_requirements.py --install"],
                "pipenv": ["pipenv verify", "pipenv sync --dev"]}[manager]
    assert all(command in install for command in expected), install
    assert "uv sync ||" not in install and "pip install -r requirements-dev.txt" not in install
    dependabot = load_yaml(repo / ".github" / "dependabot.yml")
    ecosystems = {update["package-ecosystem"] for update in dependabot["updates"]}
    assert ecosystems == {"uv" if manager == "uv" else "pip", "github-actions"}


def test_dev_tools_are_pinned_exactly_in_every_dependency_file(repos):
    for manager in MANAGERS:
        repo = repos[manager, "s3"]
        text = {"uv": "pyproject.toml", "pip": "requirements-dev.txt", "pipenv": "Pipfile"}[manager]
        content = (repo / text).read_text(encoding="utf-8")
        for tool_name in ("ruff", "pylint", "pytest", "pre-commit", "cruft"):
            assert re.search(rf'"?{tool_name}"?\s*=?\s*"?==\d', content), (manager, tool_name)


def lock_script(repo: Path) -> Any:
    """The pip repo's scripts/lock_requirements.py, imported."""
    spec = importlib.util.spec_from_file_location("lock_requirements", repo / "scripts" / "lock_requirements.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_pip_lock_installs_hashed_packages_and_git_requirements_only_by_commit(repos):
    module = lock_script(repos["pip", "s3"])
    commit = "0123456789abcdef0123456789abcdef01234567"
    lock = (
        "# inputs-sha256: 00\n#\n#    pip-compile --generate-hashes\n#\n"
        "six==1.17.0 \\\n    --hash=sha256:aa \\\n    --hash=sha256:bb\n    # via -r requirements.txt\n"
        f"tapcheck @ git+https://example.invalid/template.git@{commit}\n    # via -r requirements-dev.txt\n"
        "wheel==0.45.1 \\\n    --hash=sha256:cc\n"
    )
    hashed, git = module.split_lock(lock)
    assert git == [f"tapcheck @ git+https://example.invalid/template.git@{commit}"]
    assert "tapcheck" not in hashed and "requirements-dev.txt" not in hashed
    assert "six==1.17.0 \\\n    --hash=sha256:aa \\\n    --hash=sha256:bb\n" in hashed
    assert hashed.endswith("wheel==0.45.1 \\\n    --hash=sha256:cc\n")
    with pytest.raises(module.LockError, match="must name a full commit"):
        module.split_lock("tapcheck @ git+https://example.invalid/template.git@main\n")


def test_pip_lock_check_names_the_fix_when_missing_or_stale(repos):
    repo = repos["pip", "s3"]
    check = [sys.executable, "scripts/lock_requirements.py", "--check"]
    missing = subprocess.run(check, cwd=repo, capture_output=True, text=True, check=False)
    assert missing.returncode == 1
    assert "requirements-lock.txt is missing: run `python scripts/lock_requirements.py`" in missing.stderr
    module = lock_script(repo)
    lock, requirements = repo / "requirements-lock.txt", repo / "requirements.txt"
    original = requirements.read_text(encoding="utf-8")
    try:
        lock.write_text(f"# inputs-sha256: {module.inputs_digest(repo)}\nsix==1.17.0 --hash=sha256:00\n",
                        encoding="utf-8")
        assert subprocess.run(check, cwd=repo, capture_output=True, check=False).returncode == 0
        requirements.write_text(original + "requests==2.32.5\n", encoding="utf-8")
        stale = subprocess.run(check, cwd=repo, capture_output=True, text=True, check=False)
    finally:
        lock.unlink()
        requirements.write_text(original, encoding="utf-8")
    assert stale.returncode == 1
    assert "was not written from the current requirements.txt and requirements-dev.txt" in stale.stderr


def test_the_checker_reads_stack_names_in_workflows(repos):
    import tapcheck  # noqa: PLC0415 - the template's checker

    repo = repos["uv", "cloud"]
    assert not [f for f in tapcheck.check(repo, synth=False).findings if f.rule == "TAP004"]
    path = repo / ".github" / "workflows" / "pulumi-deploy.yml"
    original = path.read_text(encoding="utf-8")
    try:
        path.write_text(original + "# pulumi stack select acme/OldName/dev\n", encoding="utf-8")
        findings = [f for f in tapcheck.check(repo, synth=False).findings if f.rule == "TAP004"]
    finally:
        path.write_text(original, encoding="utf-8")
    assert [(f.path, "OldName" in f.message) for f in findings] == [(".github/workflows/pulumi-deploy.yml", True)]


@pytest.mark.parametrize("manager", MANAGERS)
def test_a_missing_lock_file_stops_the_install_with_the_command_that_writes_it(repos, manager):
    repo = repos[manager, "s3"]
    action = load_yaml(repo / ".github" / "actions" / "setup" / "action.yml")
    install = next(step for step in action["runs"]["steps"] if step.get("name", "").startswith("Install the locked"))
    env = {"PATH": f"{BIN}{os.pathsep}/usr/bin{os.pathsep}/bin", "GITHUB_ACTIONS": "true"}
    result = subprocess.run(["bash", "-c", install["run"]], cwd=repo, env=env, capture_output=True, text=True,
                            check=False, timeout=60)
    assert result.returncode == 1
    fix = {"uv": "uv.lock is missing: run 'uv lock' and commit uv.lock",
           "pip": "requirements-lock.txt is missing: run `python scripts/lock_requirements.py`",
           "pipenv": "Pipfile.lock is missing: run 'pipenv lock' and commit Pipfile.lock"}[manager]
    assert "::error file=" in result.stdout + result.stderr and fix in result.stdout + result.stderr


@pytest.mark.slow
def test_pip_lock_is_written_with_hashes_and_installs_as_ci_installs_it(tmp_path):
    """The pip path end to end (packages from the index, the checker from a clone of the template): set up as the
    README says, write the lock, then install it as the set-up action does into a fresh environment, where the unit
    tests pass."""
    template = template_repo(tmp_path / "template")
    git(template, "remote", "add", "origin", template.as_uri())
    repo = bake(tmp_path / "out", template=template, dependency_manager="pip", python_version="3.11")
    env = {key: value for key, value in os.environ.items() if key != "VIRTUAL_ENV"}

    def run(*command: str) -> None:
        result = subprocess.run(command, cwd=repo, env=env, capture_output=True, text=True, check=False, timeout=1500)
        assert result.returncode == 0, f"{command}:\n{result.stdout[-3000:]}\n{result.stderr[-3000:]}"

    run(sys.executable, "-m", "venv", ".venv")
    run(".venv/bin/python", "-m", "pip", "install", "-q", "-r", "requirements-dev.txt")
    run(".venv/bin/python", "scripts/lock_requirements.py")
    lock = (repo / "requirements-lock.txt").read_text(encoding="utf-8")
    assert "pulumi-aws==" in lock and "--hash=sha256:" in lock and "--index-url" not in lock
    assert re.search(r"^tapcheck @ git\+\S+@[0-9a-f]{40}$", lock, re.MULTILINE), "the checker, by commit"
    run(sys.executable, "scripts/lock_requirements.py", "--check")
    shutil.rmtree(repo / ".venv")
    run(sys.executable, "-m", "venv", ".venv")
    run(".venv/bin/python", "scripts/lock_requirements.py", "--install")
    run(".venv/bin/python", "-m", "pytest", "tests/unit", "-q", "-p", "no:cacheprovider")
