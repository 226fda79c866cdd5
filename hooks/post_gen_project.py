"""Finish the generated repo: drop what was not selected, write the stack files and the template
record, then check the result with the same checker the repo's CI runs.

Safe to run twice: every step converges on the same files. No network access.
"""

import json
import shutil
import subprocess
import sys
from pathlib import Path

# Rendered by cookiecutter; JSON keeps any character an answer may hold.
CONTEXT_JSON = r"""{{ cookiecutter | tojson }}"""

# Components that can be switched off, each owning lib/components/<name>.py and tests/*/test_<name>.py.
COMPONENTS = (
    "network", "storage", "database", "migrations", "ecs", "asg", "lambda_api", "rest_api", "dynamodb", "queue",
    "cache", "monitoring",
)
# Further files, each kept while any of the components named is selected.
SHARED_FILES = {
    "lib/components/function.py": ("lambda_api", "rest_api", "migrations"),
    "lib/components/iam.py": ("lambda_api", "rest_api", "migrations", "ecs", "asg"),
    "lib/components/bucket.py": ("storage", "monitoring"),
    "lib/components/load_balancer.py": ("ecs", "asg"),
    "tests/unit/test_load_balancer.py": ("ecs", "asg"),
    "tests/integration/test_load_balancer.py": ("ecs",),  # the Auto Scaling group's own test reads its asg_* keys
    "lib/lambdas/migrations": ("migrations",),
    "migrations": ("migrations",),
    "lib/lambdas/webhook": ("lambda_api",),
    "tests/unit/test_webhook_handler.py": ("lambda_api",),
    "lib/lambdas/transactions": ("rest_api",),
    "tests/unit/test_transactions_handler.py": ("rest_api",),
    "lib/lambdas": ("migrations", "lambda_api", "rest_api"),
}
MANAGER_FILES = {
    "uv": [".python-version"],
    "pip": ["requirements.txt", "requirements-dev.txt"],
    "pipenv": ["Pipfile"],
}
CI_FILES = {"github": [".github"]}
LICENSES = ("Apache-2.0", "MIT", "Proprietary")
PRODUCTION_STACKS = ("prod", "production")
PRODUCTION_LOG_RETENTION_DAYS = 365
# A pinned, non-root image listening on the service's port, until the stack files name the team's own.
STARTER_CONTAINER_IMAGE = "public.ecr.aws/nginx/nginx-unprivileged:1.27-alpine"
# Context entries that describe this machine, not the project: never recorded.
LOCAL_KEYS = ("_output_dir", "_repo_dir", "_checkout")


def _remove(project: Path, relative: str) -> None:
    path = project / relative
    if path.is_dir():
        shutil.rmtree(path)
    elif path.exists():
        path.unlink()


def selected_components(answers: dict[str, object]) -> set[str]:
    """The components chosen: switches that are on, and a database engine other than 'none'."""
    return {name for name in COMPONENTS if answers[name] not in (False, "none")}


def remove_unselected(project: Path, answers: dict[str, object]) -> None:
    """Delete the files of components, dependency managers and CI systems that were not chosen."""
    chosen = selected_components(answers)
    for component in set(COMPONENTS) - chosen:
        for relative in (
            f"lib/components/{component}.py",
            f"tests/unit/test_{component}.py",
            f"tests/integration/test_{component}.py",
        ):
            _remove(project, relative)
    for relative, owners in SHARED_FILES.items():
        if not chosen & set(owners):
            _remove(project, relative)
    for groups, option_chosen in ((MANAGER_FILES, answers["dependency_manager"]), (CI_FILES, answers["ci"])):
        for option, files in groups.items():
            if option != option_chosen:
                for relative in files:
                    _remove(project, relative)


def choose_license(project: Path, chosen: str) -> None:
    """Keep the chosen licence text as LICENSE."""
    for name in LICENSES:
        source = project / f"LICENSE-{name}"
        if name == chosen and source.exists():
            source.replace(project / "LICENSE")
        elif source.exists():
            source.unlink()


def stack_names(value: str) -> list[str]:
    """The stack names of a comma-separated answer."""
    return [name.strip() for name in value.split(",") if name.strip()]


def stack_file(answers: dict[str, object], stack: str) -> str:
    """The content of Pulumi.<stack>.yaml: provider settings and the keys that differ per stack."""
    project = answers["pulumi_project"]
    lines = [
        f"# Stack {stack!r}. Project keys are namespaced with the project name from Pulumi.yaml;",
        "# defaults for keys not set here are declared in Pulumi.yaml.",
        "config:",
        f"  aws:region: {answers['aws_region']}",
        f"  {project}:environmentSuffix: {stack}",
    ]
    if stack in PRODUCTION_STACKS:
        lines += [f"  {project}:production: true", f"  {project}:logRetentionDays: {PRODUCTION_LOG_RETENTION_DAYS}"]
    if answers["ecs"]:
        lines += ["  # Your service's image, pinned by tag or digest. This one answers on 8080 as a non-root user.",
                  f"  {project}:containerImage: {STARTER_CONTAINER_IMAGE}"]
    return "\n".join(lines) + "\n"


def write_stack_files(project: Path, answers: dict[str, object]) -> None:
    """One Pulumi.<stack>.yaml per stack answered."""
    for stack in stack_names(str(answers["stacks"])):
        (project / f"Pulumi.{stack}.yaml").write_text(stack_file(answers, stack), encoding="utf-8")


def template_commit(answers: dict[str, object]) -> str | None:
    """The template's git commit, read from the local clone (no network)."""
    repo_dir = answers.get("_repo_dir")
    if not repo_dir:
        return None
    result = subprocess.run(
        ["git", "-C", str(repo_dir), "rev-parse", "HEAD"], capture_output=True, text=True, check=False
    )
    return result.stdout.strip() or None if result.returncode == 0 else None


def write_template_record(project: Path, answers: dict[str, object]) -> None:
    """Record the answers and template version in .cruft.json so `cruft update` can apply later fixes.

    Under cruft (which sets `_commit`) cruft writes this file itself.
    """
    if "_commit" in answers:
        return
    context = {key: value for key, value in answers.items() if key not in LOCAL_KEYS}
    record = {
        "template": answers.get("_template"),
        "commit": template_commit(answers),
        "checkout": answers.get("_checkout"),
        "context": {"cookiecutter": context},
        "directory": None,
    }
    (project / ".cruft.json").write_text(json.dumps(record, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")


def check(project: Path) -> bool:
    """Run the repo's own checker; synth runs too when this Python has the Pulumi SDK."""
    result = subprocess.run([sys.executable, "-m", "tapcheck", "."], cwd=project, check=False)
    return result.returncode == 0


def main() -> None:
    answers = json.loads(CONTEXT_JSON)
    project = Path.cwd()
    remove_unselected(project, answers)
    choose_license(project, str(answers["license"]))
    write_stack_files(project, answers)
    write_template_record(project, answers)
    if not check(project):
        print("ERROR: the generated repo failed its own check (above); please report this.", file=sys.stderr)
        sys.exit(1)
    print(f"SUCCESS: generated {project.name}. Next: cd {project.name} and follow README.md (set up, then test).")


if __name__ == "__main__":
    main()
