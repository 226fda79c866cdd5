"""Validate every answer before a file is written.

Cookiecutter runs this after creating the (empty) project folder and removes that folder when this
exits non-zero, so an invalid answer leaves nothing behind. An existing folder (--overwrite-if-exists)
is left untouched because nothing has been written to it yet. A refusal ends with the command that asks again
for the refused answers only, keeping every other answer typed. Valid answers for an existing folder first copy
the files this run will render over to BACKUP_FOLDER, so an edit the user made to a generated file is never lost.
"""

import json
import os
import re
import shlex
import shutil
import subprocess
import sys
import unicodedata
from pathlib import Path

# Rendered by cookiecutter; JSON keeps any character an answer may hold.
CONTEXT_JSON = r"""{{ cookiecutter | tojson }}"""
# The template's own folder: the working directory while cookiecutter and cruft render hooks (see the
# post-generation hook). Its project folder's name holds Jinja; the paths below it are the generated ones.
TEMPLATE_ROOT_JSON = r'{{ lipsum.__globals__.os.getcwd() | tojson }}'  # tojson escapes every quote
TEMPLATE_FOLDER = "{% raw %}{{cookiecutter.project_slug}}{% endraw %}"
# Where a re-generation (--overwrite-if-exists) keeps the user's copies of the files it renders over; the
# post-generation hook keeps those this run changed, in a folder named for the time, and lists them.
BACKUP_FOLDER = ".tap-template-backup"
PENDING_BACKUP = "pending"

# Pulumi's own rules (tokens.ValidateProjectName, tokens.ParseStackName, the Cloud owner pattern).
PULUMI_PROJECT = re.compile(r"[A-Za-z0-9_.-]{1,100}")
PULUMI_ORG = re.compile(r"[a-zA-Z0-9][a-zA-Z0-9_-]{1,38}[a-zA-Z0-9]")
SELF_MANAGED_ORG = "organization"
# Resource-name parts: the same patterns as the generated lib/naming.py (a test keeps them equal).
PREFIX_PATTERN = re.compile(r"[a-z][a-z0-9]{0,7}")
SUFFIX_PATTERN = re.compile(r"[a-z0-9]{1,10}")
SLUG = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,99}")
# Config namespaces of Pulumi providers (https://www.pulumi.com/registry/): a project named like one has every
# project key (`<project>:key`) read as that provider's configuration instead of the program's.
PROVIDER_NAMESPACES = frozenset({
    "aiven", "akamai", "alicloud", "archive", "artifactory", "auth0", "aws", "aws-apigateway", "aws-native",
    "aws-static-website", "awsx", "azure", "azure-native", "azuread", "azuredevops", "cloudamqp", "cloudflare",
    "cloudinit", "command", "confluentcloud", "consul", "datadog", "digitalocean", "docker", "docker-build",
    "dnsimple", "ec", "eks", "equinix", "esc", "external", "f5bigip", "fastly", "gcp", "github", "gitlab",
    "google-native", "grafana", "harness", "hcloud", "http", "kafka", "keycloak", "kong", "kubernetes",
    "kubernetes-cert-manager", "kubernetes-ingress-nginx", "linode", "local", "mailgun", "minio", "mongodbatlas",
    "mysql", "newrelic", "nomad", "ns1", "null", "oci", "okta", "openstack", "opsgenie", "pagerduty",
    "postgresql", "pulumiservice", "rabbitmq", "rancher2", "random", "scaleway", "signalfx", "slack",
    "snowflake", "splunk", "spotinst", "std", "sumologic", "synced-folder", "tailscale", "terraform", "time",
    "tls", "vault", "venafi", "vsphere", "wavefront",
})
# The domain production load balancers serve: the same pattern as the generated lib/components/load_balancer.py
# (a test keeps them equal), a fully qualified lowercase name that ACM accepts for a certificate.
DOMAIN_NAME = re.compile(r"(?=.{1,253}$)(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}")
# AWS tag values: letters, digits, spaces and _ . : / = + - @, at most 256 characters.
TAG_VALUE = re.compile(r"[\w .:/=+\-@]{1,256}")

DATABASES = ("none", "aurora-postgresql", "aurora-mysql", "postgres", "mysql")
# Every region of AWS's commercial partition ("aws" in botocore's endpoints.json) that pulumi_aws.Region lists;
# GovCloud, China, ISO and sovereign partitions need their own accounts and are not offered (a test keeps this equal).
REGIONS = (
    "us-east-1", "af-south-1", "ap-east-1", "ap-east-2", "ap-northeast-1", "ap-northeast-2", "ap-northeast-3",
    "ap-south-1", "ap-south-2", "ap-southeast-1", "ap-southeast-2", "ap-southeast-3", "ap-southeast-4",
    "ap-southeast-5", "ap-southeast-6", "ap-southeast-7", "ca-central-1", "ca-west-1", "eu-central-1", "eu-central-2",
    "eu-north-1", "eu-south-1", "eu-south-2", "eu-west-1", "eu-west-2", "eu-west-3", "il-central-1", "me-central-1",
    "me-south-1", "mx-central-1", "sa-east-1", "us-east-2", "us-west-1", "us-west-2",
)
# Answers with a fixed set of values (cookiecutter.json `_choices`; a test keeps them equal). They are asked as text
# and checked here, so a value outside the set gets the same one-line refusal as any other answer.
CHOICES = {
    "python_version": ("3.12", "3.13", "3.11"),
    "dependency_manager": ("uv", "pip", "pipenv"),
    "ci": ("github", "none"),
    "pulumi_backend": ("s3", "cloud"),
    "license": ("Apache-2.0", "MIT", "Proprietary"),
    "database": DATABASES,
    "database_capacity": ("serverless", "provisioned"),
}
SWITCHES = (
    "network", "nat_gateway", "storage", "migrations", "ecs", "asg", "lambda_api", "rest_api", "dynamodb", "queue",
    "cache", "monitoring",
)
# Combinations that cannot work, each with the reason given to the user.
PLACED_IN_VPC = {
    "nat_gateway": "a NAT gateway lives in the VPC's public subnets",
    "ecs": "the Fargate service runs in the VPC's private subnets behind a load balancer in its public subnets",
    "asg": "the instances run in the VPC's private subnets behind a load balancer in its public subnets",
    "cache": "ElastiCache runs in the VPC's private subnets",
}

# Control characters, Unicode line/paragraph separators (YAML folds them) and unassigned code points.
UNSAFE_CATEGORIES = ("Cc", "Cs", "Cn", "Zl", "Zp")


def _has_control(value: str, allowed: str = "") -> bool:
    return any(unicodedata.category(char) in UNSAFE_CATEGORIES and char not in allowed for char in value)


def _text(field: str, value: str, limit: int, multiline: bool = False) -> list[str]:
    errors = []
    if not value.strip():
        errors.append(f"{field} must not be empty")
    if len(value) > limit:
        errors.append(f"{field} has {len(value)} characters; at most {limit} are allowed")
    if _has_control(value, "\n\t" if multiline else ""):
        kind = "control characters other than newlines and tabs" if multiline else "line breaks or control characters"
        errors.append(f"{field} must not contain {kind}")
    return errors


def _pattern(field: str, value: str, pattern: re.Pattern[str], rule: str) -> list[str]:
    return [] if pattern.fullmatch(value) else [f"{field} = {value!r}: {rule}"]


def stack_names(value: str) -> list[str]:
    """The stack names of a comma-separated answer."""
    return [name.strip() for name in value.split(",") if name.strip()]


def validate(answers: dict[str, object]) -> list[str]:
    """Every problem with the answers, each naming the field, the value and the rule."""
    text = {key: str(value) for key, value in answers.items()}
    errors = _text("project_name", text["project_name"], 100)
    errors += _text("description", text["description"], 256, multiline=True)  # Pulumi's description limit
    errors += _text("author", text["author"], 100)

    slug = text["project_slug"]
    if not SLUG.fullmatch(slug) or ".." in slug:
        errors.append(
            f"project_slug = {slug!r}: must be a folder name of 1-100 letters, digits, '.', '_' or '-', "
            "starting with a letter or digit, without path separators or '..'"
        )

    project = text["pulumi_project"]
    errors += _pattern(
        "pulumi_project", project, PULUMI_PROJECT, "Pulumi project names are 1-100 letters, digits, '_', '.' or '-'"
    )
    if project.lower() == "pulumi" or project.lower().startswith("pulumi."):
        errors.append(
            f"pulumi_project = {project!r}: must not be 'pulumi' or start with 'pulumi.' (Pulumi reserves it)"
        )
    if project.lower() in PROVIDER_NAMESPACES:
        errors.append(
            f"pulumi_project = {project!r}: is the config namespace of the Pulumi provider {project.lower()!r}; "
            f"every project key ({project}:key) would configure that provider instead of this program"
        )

    org = text["pulumi_org"]
    if org != SELF_MANAGED_ORG and not PULUMI_ORG.fullmatch(org):
        errors.append(
            f"pulumi_org = {org!r}: must be 3-40 letters, digits, '-' or '_' starting and ending with a letter or "
            f"digit (Pulumi Cloud), or {SELF_MANAGED_ORG!r} (self-managed backend)"
        )

    # A self-managed backend (S3) has no organizations: its stacks are always organization/<project>/<stack>
    # (https://www.pulumi.com/docs/iac/concepts/state-and-backends/#scoping).
    if text["pulumi_backend"] == "s3" and org != SELF_MANAGED_ORG:
        errors.append(
            f"pulumi_org = {org!r}: a self-managed (s3) backend names every stack "
            f"{SELF_MANAGED_ORG}/<project>/<stack>; answer {SELF_MANAGED_ORG!r}, or pulumi_backend = cloud"
        )

    region = text["aws_region"]
    if region not in REGIONS:
        errors.append(
            f"aws_region = {region!r}: must be a region of AWS's commercial partition that pulumi-aws knows "
            f"({', '.join(REGIONS)})"
        )
    errors += _pattern(
        "name_prefix",
        text["name_prefix"],
        PREFIX_PATTERN,
        "must be a lowercase letter then up to 7 lowercase letters or digits",
    )
    errors += _pattern(
        "environment_suffix", text["environment_suffix"], SUFFIX_PATTERN, "must be 1-10 lowercase letters or digits"
    )

    stacks = stack_names(text["stacks"])
    if not stacks:
        errors.append(f"stacks = {text['stacks']!r}: name at least one stack")
    for stack in stacks:
        if not SUFFIX_PATTERN.fullmatch(stack):
            errors.append(
                f"stacks = {text['stacks']!r}: stack {stack!r} must be 1-10 lowercase letters or digits "
                "(each stack's name is also its environment suffix in resource names)"
            )
    duplicates = sorted({stack for stack in stacks if stacks.count(stack) > 1})
    if duplicates:
        errors.append(f"stacks = {text['stacks']!r}: {', '.join(duplicates)} listed more than once")

    domain = text["domain_name"]
    if domain and not DOMAIN_NAME.fullmatch(domain):
        errors.append(
            f"domain_name = {domain!r}: must be a fully qualified, lowercase domain name such as app.example.com "
            "(production stacks request its ACM certificate), or empty to give them a certificateArn instead"
        )

    for field in ("owner", "cost_center"):
        if not text[field].strip():
            errors.append(f"{field} = {text[field]!r}: must not be empty: it is the value of a cost-allocation tag "
                          "on every resource")
        else:
            errors += _pattern(field, text[field], TAG_VALUE,
                               "AWS tag values are at most 256 letters, digits, spaces or _ . : / = + - @")

    for field, allowed in CHOICES.items():
        if text[field] not in allowed:
            errors.append(f"{field} = {text[field]!r}: must be one of {', '.join(allowed)}")
    for field in SWITCHES:
        if text[field] not in ("True", "False"):
            errors.append(f"{field} = {text[field]!r}: must be true or false")
    return errors + incompatible(text)


def incompatible(text: dict[str, str]) -> list[str]:
    """Component choices that cannot work together, each with the reason."""
    on = {field: text[field] == "True" for field in SWITCHES}
    errors = [
        f"{field} = true needs network = true: {why}"
        for field, why in PLACED_IN_VPC.items()
        if on[field] and not on["network"]
    ]
    database = text["database"]
    if database != "none" and not on["network"]:
        errors.append(f"database = {database!r} needs network = true: the database runs in the VPC's private subnets")
    if on["migrations"] and not database.startswith("aurora-"):
        errors.append(
            f"migrations = true needs an Aurora database (database = {database!r}): migrations run through the "
            "RDS Data API, which only Aurora offers"
        )
    return errors


# Answers asked again together: a later one's default is rendered from an earlier one.
ASKED_TOGETHER = (("project_name", "project_slug", "__project_folder"),)


def refused_fields(errors: list[str], answers: dict[str, object]) -> set[str]:
    """The answers an error names (every error starts with the field's name), with those asked together."""
    fields = {field for field in answers if any(re.match(rf"{re.escape(field)}\b", error) for error in errors)}
    for group in ASKED_TOGETHER:
        if fields & set(group):
            fields.update(group)
    return fields


def save_for_rerun(answers: dict[str, object], refused: set[str]) -> Path | None:
    """Write every answer but the refused ones as a cookiecutter replay file; return its path.

    `cookiecutter --replay-file FILE TEMPLATE` then asks only for what the file lacks (cookiecutter.main:
    replayed answers are not prompted for). None when the replay folder cannot be written.
    """
    from cookiecutter.config import get_user_config  # noqa: PLC0415 - cookiecutter runs this hook, so it is here

    kept = {key: value for key, value in answers.items() if key not in refused and not key.startswith("__prompts")}
    name = Path(str(answers.get("_repo_dir") or "tap-template")).name or "tap-template"
    try:
        folder = Path(get_user_config()["replay_dir"])
        folder.mkdir(parents=True, exist_ok=True)
        path = folder / f"{name}-refused.json"
        path.write_text(json.dumps({"cookiecutter": kept}, indent=2, ensure_ascii=False), encoding="utf-8")
    except (OSError, KeyError):
        return None
    return path


def back_up_rendered_files(project: Path, template_folder: Path) -> None:
    """Copy each file of `project` that the template is about to render over to BACKUP_FOLDER/pending/<path>.

    Only an existing folder (--overwrite-if-exists) holds any; a copy already pending from an interrupted run is
    the older content, so it is kept.
    """
    if not any(project.iterdir()):
        return
    pending = project / BACKUP_FOLDER / PENDING_BACKUP
    for source in template_folder.rglob("*"):
        relative = source.relative_to(template_folder)
        existing, copy = project / relative, pending / relative
        if source.is_file() and existing.is_file() and not copy.exists():
            copy.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(existing, copy)


def main() -> None:
    answers = json.loads(CONTEXT_JSON)
    errors = validate(answers)
    for error in errors:
        print(f"ERROR: {error}", file=sys.stderr)
    if errors:
        print("ERROR: nothing was generated; fix the answers above and run cookiecutter again.", file=sys.stderr)
        if "_commit" not in answers:  # under cruft the answers come from .cruft.json, not from prompts
            saved = save_for_rerun(answers, refused_fields(errors, answers))
            if saved is not None:
                command = ["cookiecutter", "--replay-file", str(saved), str(answers.get("_template"))]
                shell = subprocess.list2cmdline(command) if os.name == "nt" else shlex.join(command)
                print(f"Your other answers are saved; to be asked only for the refused ones, run:\n    {shell}",
                      file=sys.stderr)
        sys.exit(1)
    back_up_rendered_files(Path.cwd(), Path(json.loads(TEMPLATE_ROOT_JSON)) / TEMPLATE_FOLDER)


if __name__ == "__main__":
    main()
