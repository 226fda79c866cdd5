"""Finish the generated repo: drop what was not selected, pin the checker to this template's commit, write the
stack files and the template record, then check the result with the checker of the template being generated from.

Safe to run twice, and safe on a folder the user has worked in (--overwrite-if-exists): it only ever removes files
the template rendered in this run, and a folder only once it is empty. Needs neither network nor git.
"""

import json
import re
import shutil
import subprocess
import sys
import time
from functools import cache
from pathlib import Path

# Rendered by cookiecutter; JSON keeps any character an answer may hold.
CONTEXT_JSON = r"""{{ cookiecutter | tojson }}"""
# The template's own folder. Cookiecutter and cruft both render hooks with it as the working directory
# (cookiecutter.hooks.run_hook_from_repo_dir); it is the only absolute location of the template either offers
# (cookiecutter's `_repo_dir` may be relative to a directory the hook cannot know, and cruft sets no `_repo_dir`).
# Jinja has no function for the working directory; its `lipsum` global's module has `os`.
TEMPLATE_ROOT_JSON = r'{{ lipsum.__globals__.os.getcwd() | tojson }}'  # tojson escapes every quote
TEMPLATE_FOLDER = "{% raw %}{{cookiecutter.project_slug}}{% endraw %}"
# The checker is a dev dependency installed from the template's git repository at the commit generated from. The
# dependency files render these markers; the hook puts the URL and commit in their place when both are known.
# The URL is a valid one that never resolves (RFC 2606 reserves .invalid), so tools that parse the line accept it.
PIN_URL_MARKER = "https://SET-THE-TEMPLATE-GIT-URL-HERE.invalid/template.git"
PIN_COMMIT_MARKER = "SET-THE-TEMPLATE-COMMIT-HERE"
PIN_FILES = ("pyproject.toml", "requirements-dev.txt", "Pipfile")

# Components that can be switched off, each owning lib/components/<name>.py and tests/*/test_<name>.py.
COMPONENTS = (
    "network", "storage", "database", "migrations", "ecs", "asg", "lambda_api", "rest_api", "dynamodb", "queue",
    "cache", "monitoring",
)
# Further files and folders, each kept while any of the components named is selected.
SHARED_FILES = {
    "lib/components/function.py": ("lambda_api", "rest_api", "migrations"),
    "lib/components/iam.py": ("network", "lambda_api", "rest_api", "migrations", "ecs", "asg"),
    "lib/components/bucket.py": ("storage", "monitoring"),
    "lib/components/load_balancer.py": ("ecs", "asg"),
    "lib/components/waf.py": ("ecs", "asg", "rest_api"),  # the load balancer's and the REST API's web ACLs
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
    "pip": ["requirements.txt", "requirements-dev.txt", "scripts/lock_requirements.py"],
    "pipenv": ["Pipfile"],
}
CI_FILES = {"github": [".github"]}
LICENSES = ("Apache-2.0", "MIT", "Proprietary")
PRODUCTION_STACKS = ("prod", "production")
PRODUCTION_LOG_RETENTION_DAYS = 365
# A pinned, non-root image listening on the service's port, until the stack files name the team's own.
STARTER_CONTAINER_IMAGE = "public.ecr.aws/nginx/nginx-unprivileged:1.27-alpine"
# Context entries that describe this machine, not the project: never recorded.
# Rules that need the project's own environment (the Pulumi SDK): its tests and `tapcheck` run them after set-up.
LEFT_TO_THE_PROJECT = ("TAP024",)
LOCAL_KEYS = ("_output_dir", "_repo_dir", "_checkout")
# What `.cruft.json` records as the template when no git URL is known: cruft check and cruft update then stop with
# "Unable to initialize the cookiecutter using <this>", which says what to do.
# The pre-generation hook's copies of the files an --overwrite-if-exists run renders over (same names there).
BACKUP_FOLDER = ".tap-template-backup"
PENDING_BACKUP = "pending"
NO_TEMPLATE_URL = "SET-THE-TEMPLATE-GIT-URL-HERE (generated from a copy without one; cruft needs it for updates)"


def rendered_paths(template_folder: Path) -> set[str]:
    """Every file the template renders, as a POSIX path relative to the generated repo.

    Only the top folder's name holds Jinja, so the paths below it are the generated ones.
    """
    return {path.relative_to(template_folder).as_posix() for path in template_folder.rglob("*") if path.is_file()}


def _remove(project: Path, relative: str, rendered: set[str]) -> None:
    """Delete the rendered files at or below `relative`, then the folders this leaves empty.

    Files the template did not render (the user's own) stay, and so do the folders holding them.
    """
    for path in sorted(rendered):
        if path == relative or path.startswith(f"{relative}/"):
            (project / path).unlink(missing_ok=True)
    folder = project / relative
    if folder.is_dir():
        for child in sorted(folder.rglob("*"), key=lambda item: len(item.parts), reverse=True):
            if child.is_dir() and not any(child.iterdir()):
                child.rmdir()
        if not any(folder.iterdir()):
            folder.rmdir()


def selected_components(answers: dict[str, object]) -> set[str]:
    """The components chosen: switches that are on, and a database engine other than 'none'."""
    return {name for name in COMPONENTS if answers[name] not in (False, "none")}


def unselected_paths(answers: dict[str, object]) -> list[str]:
    """The files and folders of components, dependency managers and CI systems that were not chosen."""
    chosen = selected_components(answers)
    paths = [
        relative
        for component in sorted(set(COMPONENTS) - chosen)
        for relative in (
            f"lib/components/{component}.py",
            f"tests/unit/test_{component}.py",
            f"tests/integration/test_{component}.py",
        )
    ]
    paths += [relative for relative, owners in SHARED_FILES.items() if not chosen & set(owners)]
    for groups, option_chosen in ((MANAGER_FILES, answers["dependency_manager"]), (CI_FILES, answers["ci"])):
        paths += [relative for option, files in groups.items() if option != option_chosen for relative in files]
    return paths


def remove_unselected(project: Path, answers: dict[str, object], rendered: set[str]) -> None:
    """Delete what was not chosen, file by file from what the template rendered."""
    for relative in unselected_paths(answers):
        _remove(project, relative, rendered)


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
    if stack in PRODUCTION_STACKS and (answers["ecs"] or answers["asg"]) and answers["domain_name"]:
        lines += ["  # Production load balancers serve this domain over HTTPS only (ACM, validated in Route 53).",
                  f"  {project}:domainName: {answers['domain_name']}"]
    if answers["ecs"]:
        lines += ["  # Your service's image, pinned by tag or digest. This one answers on 8080 as a non-root user.",
                  f"  {project}:containerImage: {STARTER_CONTAINER_IMAGE}"]
    return "\n".join(lines) + "\n"


def with_settings(kept: str, settings: list[str]) -> str | None:
    """`kept` (a stack file's text) with `settings` ("key: value" lines) added at the top of its `config:` block, in
    that block's own indentation, leaving every other byte as it was; None when the file has no block-style
    `config:` mapping to add them to (a flow mapping, or a file Pulumi did not write)."""
    lines = kept.splitlines(keepends=True)
    at = next((number for number, line in enumerate(lines) if re.fullmatch(r"config:[ \t]*(#.*)?\r?\n?", line)), None)
    if at is None:
        return None
    entry = next((line for line in lines[at + 1:] if line.strip() and not line.lstrip().startswith("#")), "")
    indent = re.match(r"[ \t]*", entry).group() if entry[:1] in (" ", "\t") else "  "
    newline = "\r\n" if lines[at].endswith("\r\n") else "\n"
    if not lines[at].endswith("\n"):
        lines[at] += newline
    return "".join([*lines[:at + 1], *(f"{indent}{setting}{newline}" for setting in settings), *lines[at + 1:]])


def write_stack_files(project: Path, answers: dict[str, object]) -> None:
    """One Pulumi.<stack>.yaml per stack answered. An existing one, answered or not, is kept: `pulumi config set`
    and `pulumi stack init` write the stack's config, secrets and their encryption salt there, which nothing can
    recreate (https://www.pulumi.com/docs/iac/concepts/secrets/). Only the settings these answers need and it
    lacks are added, at the top of its `config:` block; each is named, and so is a kept value these answers set
    otherwise."""
    existing = sorted(path.name[len("Pulumi."):-len(".yaml")] for path in project.glob("Pulumi.*.yaml")
                      if path.name != "Pulumi.yaml")
    for stack in dict.fromkeys([*stack_names(str(answers["stacks"])), *existing]):
        path = project / f"Pulumi.{stack}.yaml"
        content = stack_file(answers, stack)
        if not path.is_file():
            path.write_text(content, encoding="utf-8")
            continue
        kept = path.read_bytes().decode("utf-8")
        settings = [line.strip() for line in content.splitlines() if re.match(r"  [^\s#]", line)]
        missing, differing = [], []
        for setting in settings:
            key, _, value = setting.partition(": ")
            found = re.search(rf"^\s+{re.escape(key)}:[ \t]*(.*?)[ \t]*$", kept, re.MULTILINE)
            if found is None:
                missing.append(setting)
            elif key.endswith(("aws:region", ":domainName")) and found.group(1).strip("'\"") != value:
                differing.append(f"{key} stays {found.group(1)} (these answers say {value})")
        merged = with_settings(kept, missing) if missing else None
        if merged is not None:
            path.write_bytes(merged.encode("utf-8"))
        added = f"; added what these answers need: {'; '.join(missing)}" if merged is not None else ""
        lacking = f"; set what these answers need: {'; '.join(missing)}" if missing and merged is None else ""
        kept_values = f"; kept its own values: {'; '.join(differing)}" if differing else ""
        print(f"NOTE: kept {path.name} (the stack's config and secrets){added}{lacking}{kept_values}.")


@cache  # one answer per folder and run: the record and the checker's pin both ask
def _checkout(folder: Path) -> tuple[bool, str | None]:
    """Whether `folder` is itself a git repository's top (a folder inside someone else's is not), and its HEAD commit
    (None before the first commit); (False, None) without git. One git call."""
    try:
        result = subprocess.run(["git", "-C", str(folder), "rev-parse", "--show-toplevel", "--verify", "--quiet",
                                 "HEAD"], capture_output=True, text=True, check=False)
    except OSError:  # no git on PATH
        return False, None
    lines = result.stdout.splitlines()  # the top, then HEAD's commit when there is one
    top = bool(lines) and Path(lines[0]).resolve() == folder.resolve()
    return top, lines[1] if top and result.returncode == 0 and len(lines) == 2 else None


def _head(folder: Path) -> str | None:
    """HEAD's commit when `folder` is a repository's top; None otherwise, before the first commit or without git."""
    return _checkout(folder)[1]


@cache
def _origin(folder: Path) -> str | None:
    """The `origin` remote's URL when `folder` is a repository's top; None otherwise or without one."""
    if not _checkout(folder)[0]:
        return None
    result = subprocess.run(["git", "-C", str(folder), "remote", "get-url", "origin"],
                            capture_output=True, text=True, check=False)
    return result.stdout.strip() or None if result.returncode == 0 else None


def template_url(template: str, template_root: Path, repo_dir: str | None = None) -> str | None:
    """A URL `cruft check` and `cruft update` can clone, for the template as it was given to cookiecutter.

    Abbreviations (gh:, gl:, bb: and the user config's) are expanded exactly as cookiecutter expands them
    (cookiecutter.repository.expand_abbreviations with the user config: COOKIECUTTER_CONFIG or ~/.cookiecutterrc).
    A git URL is kept (without cookiecutter's `git+` prefix, which git does not read); a local folder gives its
    `origin` remote; a zip archive, a Mercurial URL or a folder without a remote give None.

    `repo_dir` is cookiecutter's `_repo_dir`, the folder it rendered from: when that is `template` itself, the
    template was a local folder given as it is (an abbreviation, URL or archive is rendered from a clone or an
    unpacked copy), so the hook skips importing cookiecutter's own modules, about a third of its time.
    """
    if repo_dir is not None and repo_dir == template:
        return _origin(template_root)
    from cookiecutter.config import get_user_config  # noqa: PLC0415 - cookiecutter runs this hook, so it is here
    from cookiecutter.repository import expand_abbreviations, is_repo_url, is_zip_file  # noqa: PLC0415

    expanded = expand_abbreviations(template, get_user_config()["abbreviations"])
    if is_zip_file(expanded):
        return None
    if is_repo_url(expanded):
        return None if expanded.startswith("hg+") else expanded.removeprefix("git+")
    return _origin(template_root)


def pip_git_url(url: str) -> str:
    """`url` as pip, uv and pipenv read a git repository's URL: git's scp-like `user@host:path` becomes
    `ssh://user@host/path`, a local path a file URL, and a file URL names its host (`file://localhost/...`: the
    pip 23 bundled with Python 3.11 refuses `name @ git+file:///...`, a URL without one); other URLs stay as they
    are.

    pip's VCS URL forms: https://pip.pypa.io/en/stable/topics/vcs-support/
    """
    scp = re.match(r"^(?:([^@/:]+)@)?([^/:]{2,}):(?!//)(.+)$", url)  # a one-letter host is a Windows drive (C:\...)
    if scp:
        user = f"{scp.group(1)}@" if scp.group(1) else ""
        return f"ssh://{user}{scp.group(2)}/{scp.group(3).lstrip('/')}"
    if not re.match(r"^[A-Za-z][A-Za-z0-9+.-]*://", url):
        url = Path(url).resolve().as_uri()
    return "file://localhost/" + url.removeprefix("file:///") if url.startswith("file:///") else url


def checker_source(answers: dict[str, object], template_root: Path) -> tuple[str, str] | None:
    """The template's git URL (as pip reads it) and the commit being generated from; None when either is unknown:
    a zip archive, a folder without a remote, or no git. Under cruft the commit is the one cruft checked out."""
    url = template_url(str(answers.get("_template") or ""), template_root, answers.get("_repo_dir"))
    commit = str(answers.get("_commit") or "") or _head(template_root)
    return (pip_git_url(url), commit) if url and commit else None


def pin_checker(project: Path, source: tuple[str, str] | None) -> None:
    """Put the template's URL and commit in the checker's line of each dependency file; without them the markers
    stay, so installing stops at that line, which says what to set."""
    if source is None:
        return
    url, commit = source
    for name in PIN_FILES:
        path = project / name
        if path.is_file():
            text = path.read_text(encoding="utf-8")
            path.write_text(text.replace(PIN_URL_MARKER, url).replace(PIN_COMMIT_MARKER, commit), encoding="utf-8")


# {% raw %} (the markers below are Python, not Jinja for cookiecutter to render)
def jinja_literal(value: str) -> str:
    """`value` written so that Jinja renders it back unchanged: every `{{`, `{%` and `{#` as a string expression.

    `cruft update` passes the recorded answers to cookiecutter as extra context, which renders each one as a
    template (cookiecutter.prompt.render_variable); a typed answer holding `{{` must come back as typed.
    """
    return re.sub(r"\{[{%#]", lambda marker: "{{ '" + marker.group() + "' }}", value)
# {% endraw %}


def write_template_record(project: Path, answers: dict[str, object], template_root: Path) -> None:
    """Record the answers and template version in .cruft.json so `cruft update` can apply later fixes.

    Answers are recorded as cruft replays them: as Jinja that renders to the answer. Under cruft (which sets
    `_commit`) cruft writes this file itself.
    """
    if "_commit" in answers:
        return
    url = template_url(str(answers.get("_template") or ""), template_root, answers.get("_repo_dir"))
    context = {
        key: jinja_literal(value) if isinstance(value, str) and not key.startswith("_") else value
        for key, value in answers.items()
        if key not in LOCAL_KEYS
    }
    context["_template"] = url or NO_TEMPLATE_URL
    record = {
        "template": url or NO_TEMPLATE_URL,
        "commit": _head(template_root) if url else None,
        "checkout": answers.get("_checkout"),
        "context": {"cookiecutter": context},
        "directory": None,
    }
    (project / ".cruft.json").write_text(json.dumps(record, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")


def after_setup(manager: str) -> str:
    """The command that checks the repo, synth included, once the README's set-up has installed its tools."""
    return {
        "uv": "uv sync && uv run tapcheck . --strict",
        "pip": "python -m venv .venv && .venv/bin/pip install -r requirements-dev.txt && .venv/bin/tapcheck . --strict",
        "pipenv": "PIPENV_VENV_IN_PROJECT=1 pipenv install --dev && pipenv run check --strict",
    }[manager]


def check(project: Path, manager: str, template_root: Path) -> bool:
    """Run the static rules of the template's checker (the version the repo pins); False when they find an error.
    Says plainly what it left out.

    Synth (the program run under mocks) and TAP024 (which imports the Pulumi SDK's modules) need the project's own
    environment, which does not exist before set-up; the repo's unit tests and its `tapcheck` run them. Leaving
    them out keeps the bake quick (benchmarks/bench_template.py) and never reports a check that did not happen.
    """
    later = f"After set-up, check the program too with:\n    {after_setup(manager)}"
    sys.path.insert(0, str(template_root))
    try:
        import tapcheck  # noqa: PLC0415 - the template's own checker

        report = tapcheck.check(project, synth=False, ignore=LEFT_TO_THE_PROJECT)
    except ImportError as error:  # the checker's own dependencies are missing where cookiecutter runs
        print(f"NOT CHECKED: the checker cannot run in the Python running cookiecutter ({error}). {later}")
        return True
    except Exception as error:  # any other failure of the checker is reported, never hidden
        print(f"ERROR: the checker could not check the generated repo: {error}", file=sys.stderr)
        return False
    for finding in report.findings:
        print(f"{finding.path}:{finding.line}: {finding.rule} {finding.message}\n    fix: {finding.fix}")
    verdict = f"{len(report.errors)} error(s), {len(report.warnings)} warning(s)" if report.findings else "no findings"
    print(f"tapcheck static rules: {verdict}. NOT CHECKED at generation: the program run under mocks (synth) and "
          f"{', '.join(LEFT_TO_THE_PROJECT)}, which need the project's environment. {later}")
    return not report.errors


def settle_backup(project: Path) -> None:
    """Keep the copies the pre-generation hook made of the files this run rendered over (--overwrite-if-exists)
    whose content it changed, or removed with a part no longer chosen, in BACKUP_FOLDER/<UTC time>/ and say where;
    drop the copies of files it left as they were."""
    pending = project / BACKUP_FOLDER / PENDING_BACKUP
    if not pending.is_dir():
        return
    changed = []
    for copy in sorted(path for path in pending.rglob("*") if path.is_file()):
        relative = copy.relative_to(pending)
        now = project / relative
        if now.is_file() and now.read_bytes() == copy.read_bytes():
            copy.unlink()
        else:
            changed.append(relative.as_posix())
    for folder in sorted((path for path in pending.rglob("*") if path.is_dir()), reverse=True):
        if not any(folder.iterdir()):
            folder.rmdir()
    if not changed:
        pending.rmdir()
        if not any((project / BACKUP_FOLDER).iterdir()):
            (project / BACKUP_FOLDER).rmdir()
        return
    stamp = time.strftime("%Y%m%dT%H%M%SZ", time.gmtime())
    kept = pending.with_name(stamp)
    for number in range(2, 100):
        if not kept.exists():
            break
        kept = pending.with_name(f"{stamp}-{number}")
    pending.rename(kept)
    where = kept.relative_to(project).as_posix()
    print(f"NOTE: this run replaced or removed {len(changed)} file(s) whose content differed from what it "
          f"generates: {', '.join(changed)}. The earlier versions are in {where}/ (compare one with "
          f"git diff --no-index {where}/<file> <file>); cruft update instead merges template changes into edits.")


def main() -> None:
    answers = json.loads(CONTEXT_JSON)
    template_root = Path(json.loads(TEMPLATE_ROOT_JSON))
    project = Path.cwd()
    remove_unselected(project, answers, rendered_paths(template_root / TEMPLATE_FOLDER))
    choose_license(project, str(answers["license"]))
    source = checker_source(answers, template_root)
    pin_checker(project, source)
    write_stack_files(project, answers)
    write_template_record(project, answers, template_root)
    settle_backup(project)
    if source is None:
        why = "git is not on PATH" if shutil.which("git") is None else "a zip archive or a folder without a remote"
        print(f"NOTE: no git URL and commit for the template ({why}): set "
              f"{PIN_URL_MARKER} and {PIN_COMMIT_MARKER} in the checker's line of "
              f"{' / '.join(name for name in PIN_FILES if (project / name).is_file())} (README, Template updates).")
    if not check(project, str(answers["dependency_manager"]), template_root):
        print("ERROR: the generated repo failed its own check (above); please report this.", file=sys.stderr)
        sys.exit(1)
    print(f"SUCCESS: generated {project.name}. Next: cd {project.name} and follow README.md (set up, then test).")


if __name__ == "__main__":
    main()
