"""Validate every answer before a file is written.

Cookiecutter runs this after creating the (empty) project folder and removes that folder when this
exits non-zero, so an invalid answer leaves nothing behind. An existing folder (--overwrite-if-exists)
is left untouched because nothing has been written to it yet.
"""

import json
import re
import sys
import unicodedata

# Rendered by cookiecutter; JSON keeps any character an answer may hold.
CONTEXT_JSON = r"""{{ cookiecutter | tojson }}"""

# Pulumi's own rules (tokens.ValidateProjectName, tokens.ParseStackName, the Cloud owner pattern).
PULUMI_PROJECT = re.compile(r"[A-Za-z0-9_.-]{1,100}")
PULUMI_ORG = re.compile(r"[a-zA-Z0-9][a-zA-Z0-9_-]{1,38}[a-zA-Z0-9]")
SELF_MANAGED_ORG = "organization"
# Resource-name parts: the same patterns as the generated lib/naming.py (a test keeps them equal).
PREFIX_PATTERN = re.compile(r"[a-z][a-z0-9]{0,7}")
SUFFIX_PATTERN = re.compile(r"[a-z0-9]{1,10}")
SLUG = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,99}")
REGION = re.compile(r"[a-z]{2,4}(-[a-z]+){1,3}-\d{1,2}")
# AWS tag values: letters, digits, spaces and _ . : / = + - @, at most 256 characters.
TAG_VALUE = re.compile(r"[\w .:/=+\-@]{1,256}")

DATABASES = ("none", "aurora-postgresql", "aurora-mysql", "postgres", "mysql")
CHOICES = {
    "python_version": ("3.11", "3.12", "3.13"),
    "dependency_manager": ("uv", "pip", "pipenv"),
    "ci": ("github", "none"),
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

    org = text["pulumi_org"]
    if org != SELF_MANAGED_ORG and not PULUMI_ORG.fullmatch(org):
        errors.append(
            f"pulumi_org = {org!r}: must be 3-40 letters, digits, '-' or '_' starting and ending with a letter or "
            f"digit (Pulumi Cloud), or {SELF_MANAGED_ORG!r} (self-managed backend)"
        )

    errors += _pattern("aws_region", text["aws_region"], REGION, "must be an AWS region code such as 'us-east-1'")
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

    for field in ("owner", "cost_center"):
        errors += _pattern(
            field, text[field], TAG_VALUE, "AWS tag values are 1-256 letters, digits, spaces or _ . : / = + - @"
        )

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


def main() -> None:
    errors = validate(json.loads(CONTEXT_JSON))
    for error in errors:
        print(f"ERROR: {error}", file=sys.stderr)
    if errors:
        print("ERROR: nothing was generated; fix the answers above and run cookiecutter again.", file=sys.stderr)
        sys.exit(1)


if __name__ == "__main__":
    main()
