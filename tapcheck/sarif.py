"""``--format sarif``: SARIF 2.1.0 (https://docs.oasis-open.org/sarif/sarif/v2.1.0/sarif-v2.1.0.html) for GitHub
code scanning and other SARIF viewers.

One run covers every project checked. ``tool.driver.rules`` holds the whole catalog (id, name, title, why, help
text and Markdown, the rule's page as ``helpUri``, the catalog severity as ``defaultConfiguration.level``); each
result names its rule, the severity the project gave it, the message with its fix, and where: the file relative
to the folder tapcheck ran in (``uriBaseId`` ``%SRCROOT%``, run it from the repository root for code scanning),
the line and, where known, the column. Notes (what the checker could not see) are the invocation's
``toolExecutionNotifications``. ``partialFingerprints`` carries the baseline fingerprint (rule, path and the
line's text, not its number), so code scanning tracks a finding across commits that move it
(https://docs.github.com/en/code-security/code-scanning/integrating-with-code-scanning/sarif-support-for-code-scanning).
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from . import __version__
from .catalog import DOCS_URL, RULES, Rule
from .findings import Report
from .ruledocs import markdown_body, text_help

SCHEMA = "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json"
#: ``partialFingerprints`` key; the version changes if the fingerprint's recipe does.
FINGERPRINT_KEY = "tapcheckLineHash/v1"
_INFORMATION_URI = DOCS_URL.split("/blob/", 1)[0]


def _rule(rule: Rule) -> dict[str, Any]:
    return {
        "id": rule.id,
        "name": rule.name,
        "shortDescription": {"text": rule.title},
        "fullDescription": {"text": rule.why},
        "help": {"text": text_help(rule), "markdown": markdown_body(rule)},
        "helpUri": rule.url,
        "defaultConfiguration": {"level": rule.severity},
        "properties": {"tags": [rule.group]},
    }


def _uri(report: Report, path: str, root: Path) -> str:
    """``path`` (relative to the project) relative to ``root``, POSIX style."""
    full = Path(report.path, path) if not Path(path).is_absolute() else Path(path)
    try:
        return Path(os.path.relpath(full.resolve(), root)).as_posix()
    except ValueError:  # another drive on Windows
        return full.resolve().as_posix()


def to_sarif(reports: list[Report], root: str | Path = ".") -> dict[str, Any]:
    """The SARIF log for ``reports`` as plain data; ``root`` is the folder URIs are relative to (``%SRCROOT%``)."""
    base = Path(root).resolve()
    rules = [rule for rule in RULES.values() if not rule.retired]
    index = {rule.id: number for number, rule in enumerate(rules)}
    results = []
    for report in reports:
        for found in report.findings:
            region: dict[str, int] = {"startLine": found.line}
            if found.column is not None:
                region["startColumn"] = found.column
            result: dict[str, Any] = {
                "ruleId": found.rule,
                "level": found.severity,
                "message": {"text": f"{found.message}\n\nFix: {found.fix}"},
                "locations": [{"physicalLocation": {
                    "artifactLocation": {"uri": _uri(report, found.path, base), "uriBaseId": "%SRCROOT%"},
                    "region": region}}],
            }
            if found.rule in index:
                result["ruleIndex"] = index[found.rule]
            if found.fingerprint:
                result["partialFingerprints"] = {FINGERPRINT_KEY: found.fingerprint}
            results.append(result)
    notes = [{"level": "note", "message": {"text": f"{report.path}: {note}" if len(reports) > 1 else note}}
             for report in reports for note in report.notes]
    return {
        "$schema": SCHEMA,
        "version": "2.1.0",
        "runs": [{
            "tool": {"driver": {"name": "tapcheck", "version": __version__, "semanticVersion": __version__,
                                "informationUri": _INFORMATION_URI, "rules": [_rule(r) for r in rules]}},
            "originalUriBaseIds": {"%SRCROOT%": {"uri": base.as_uri().rstrip("/") + "/"}},
            "invocations": [{"executionSuccessful": True, "toolExecutionNotifications": notes}],
            "columnKind": "unicodeCodePoints",
            "results": results,
        }],
    }
