"""Regenerate ``tapcheck/data/aws_enums.json`` from the installed botocore's service models.

botocore ships the AWS API models (https://github.com/boto/botocore, ``botocore/data/<service>/.../service-2.json``):
the values an enumerated input accepts and the documented value sets the checker compares programs with. Run after
upgrading the pinned botocore::

    python scripts/update_aws_facts.py

``tests/checker/test_rules_facts.py`` fails when the file and the installed botocore disagree.
"""

from __future__ import annotations

import json
import re
import sys
from pathlib import Path
from typing import Any

TARGET = Path(__file__).resolve().parent.parent / "tapcheck" / "data" / "aws_enums.json"


#: Words that make a member name look like it holds a secret (``apiKeySource``, ``accessToken``).
SECRET_NAME_RE = re.compile(r"password|passwd|passphrase|secret|token|apikey|credential")


def flat(name: str) -> str:
    """``apiKeySource`` / ``api_key_source`` -> ``apikeysource``: how the checker looks the names up."""
    return re.sub(r"[^a-z0-9]", "", name.lower())


def secret_named_enums(session: Any) -> dict[str, list[str]]:
    """Enumerated string members whose names contain a secret word (``apiKeySource``: HEADER, AUTHORIZER;
    ``accessToken`` in Cognito's token validity units: days, hours ...), over every service model: the flattened
    member name (:func:`flat`) -> every value its enums list. Such values are settings, not secrets."""
    found: dict[str, set[str]] = {}
    for service in session.get_available_services():
        model = session.get_service_model(service)
        for shape_name in model.shape_names:
            shape = model.shape_for(shape_name)
            if shape.type_name != "structure":
                continue
            for member, target in shape.members.items():
                if target.type_name == "string" and target.enum and SECRET_NAME_RE.search(flat(member)):
                    found.setdefault(flat(member), set()).update(target.enum)
    return {name: sorted(values) for name, values in sorted(found.items())}


def facts() -> dict[str, Any]:
    """The enumerations, read from botocore: Lambda ``Runtime`` values, CloudWatch Logs retention days (the
    ``Days`` shape is an integer whose documentation lists the values ``PutRetentionPolicy`` accepts), and the
    values of enumerated inputs named like secrets (:func:`secret_named_enums`)."""
    import botocore  # noqa: PLC0415 - a maintainer tool; the checker itself does not need botocore
    import botocore.session  # noqa: PLC0415

    session = botocore.session.get_session()
    runtimes = session.get_service_model("lambda").shape_for("Runtime").enum
    days_doc = session.get_service_model("logs").shape_for("Days").documentation
    listed = re.search(r"Possible values are:([^.<]*)", days_doc)
    if listed is None:
        raise SystemExit("botocore's logs Days documentation no longer lists the values; read it and update")
    days = sorted(int(n) for n in re.findall(r"\d+", listed.group(1)))
    return {"botocore": botocore.__version__, "lambda_runtimes": sorted(runtimes), "log_retention_days": days,
            "secret_named_enums": secret_named_enums(session)}


def main() -> int:
    """Write the file; returns the exit code."""
    TARGET.write_text(json.dumps(facts(), indent=1) + "\n", encoding="utf-8")
    print(f"wrote {TARGET}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
