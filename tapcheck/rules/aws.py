"""AWS rules on the synth record: TAP031/TAP033 (API Gateway deployments that race their methods, or never
redeploy) and TAP032 (values AWS rejects for enumerated inputs). Each returns nothing when synth did not run.

Enumerations come from botocore's service models through ``data/aws_enums.json`` (``scripts/update_aws_facts.py``
regenerates it); the Lambda deprecation dates, which the models do not carry, are the table below.
"""

from __future__ import annotations

import json
from collections import defaultdict
from pathlib import Path
from typing import Any

from ..findings import Finding, finding
from .base import Context
from .graph import Locator, label, resources, unwrap

_ENUMS = json.loads((Path(__file__).resolve().parent.parent / "data" / "aws_enums.json").read_text("utf-8"))
#: Every value of botocore's lambda ``Runtime`` enum, deprecated ones included.
LAMBDA_RUNTIMES: frozenset[str] = frozenset(_ENUMS["lambda_runtimes"])
#: The values CloudWatch Logs ``PutRetentionPolicy`` accepts; pulumi-aws also takes 0 for "never expire".
LOG_RETENTION_DAYS: frozenset[int] = frozenset(_ENUMS["log_retention_days"]) | {0}

#: Runtime -> the day Lambda deprecated it. Lambda blocks creating functions on a runtime some time after that
#: day; every runtime here is past that point ("Deprecated runtimes",
#: https://docs.aws.amazon.com/lambda/latest/dg/lambda-runtimes.html#runtimes-deprecated).
DEPRECATED_RUNTIMES: dict[str, str] = {
    "nodejs": "2016-10-31", "nodejs4.3": "2020-03-06", "nodejs4.3-edge": "2019-04-30", "nodejs6.10": "2019-08-12",
    "nodejs8.10": "2020-03-06", "nodejs10.x": "2021-07-30", "nodejs12.x": "2023-03-31", "nodejs14.x": "2023-12-04",
    "nodejs16.x": "2024-06-12", "python2.7": "2021-07-15", "python3.6": "2022-07-18", "python3.7": "2023-12-04",
    "python3.8": "2024-10-14", "dotnetcore1.0": "2019-07-30", "dotnetcore2.0": "2019-05-30",
    "dotnetcore2.1": "2022-01-05", "dotnetcore3.1": "2023-04-03", "dotnet6": "2024-12-20", "go1.x": "2024-01-08",
    "java8": "2024-01-08", "provided": "2024-01-08", "ruby2.5": "2021-07-30", "ruby2.7": "2023-12-07",
}

_DEPLOYMENT = "aws:apigateway/deployment:Deployment"
_ROUTE_PARTS = ("aws:apigateway/method:Method", "aws:apigateway/integration:Integration")


# ----- TAP031 -------------------------------------------------------------------------------------------------
def _waits_for(res: dict[str, Any], res_list: list[dict[str, Any]]) -> set[str]:
    """URNs a resource waits for, transitively: its dependencies (``depends_on`` and the resources whose Outputs
    its inputs take), what those wait for in turn, and for a component among them the component's descendants
    (``depends_on`` a component waits for its children). The engine creates a resource only after all of its
    dependencies, so waiting is transitive (https://www.pulumi.com/docs/iac/concepts/options/dependson/)."""
    by_urn = {r["urn"]: r for r in res_list}
    children: dict[str, list[str]] = defaultdict(list)
    for r in res_list:
        if r.get("parent"):
            children[r["parent"]].append(r["urn"])
    waits: set[str] = set()
    todo = list(res.get("dependencies") or [])
    while todo:
        urn = todo.pop()
        if urn in waits:
            continue
        waits.add(urn)
        dep = by_urn.get(urn) or {}
        todo += dep.get("dependencies") or []
        if dep.get("custom") is False:  # a component: its children, as the SDK expands depends_on
            todo += children.get(urn, [])
    return waits


def tap031(ctx: Context) -> list[Finding]:
    """An API Gateway ``Deployment`` that does not wait for every ``Method`` and ``Integration`` of its REST API
    (TAP031: AWS answers "No integration defined for method" when it snapshots first), or that has no ``triggers``
    (TAP033: later route changes are never deployed; the stage keeps serving the old snapshot). Pulumi's guidance:
    https://www.pulumi.com/registry/packages/aws/api-docs/apigateway/deployment/."""
    res_list = resources(ctx)
    by_api: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for res in res_list:
        if res["type"] in _ROUTE_PARTS:
            by_api[str(unwrap((res.get("inputs") or {}).get("restApi")))].append(res)
    loc = Locator(ctx.project)
    out = []
    for res in res_list:
        if res["type"] != _DEPLOYMENT:
            continue
        inputs = res.get("inputs") or {}
        parts = by_api.get(str(unwrap(inputs.get("restApi"))), [])
        waits = _waits_for(res, res_list)
        missing = [r for r in parts if r["urn"] not in waits]
        path, line = loc.where(res)
        if missing:
            names = ", ".join(label(r) for r in missing[:4]) + (", ..." if len(missing) > 4 else "")
            out.append(finding(
                "TAP031", path, line,
                f"{label(res)} does not wait for {names}: AWS can snapshot the API before they exist and fails with "
                "\"No integration defined for method\"",
                "Pass every Method and Integration in `depends_on` (e.g. collect them in a list as they are "
                "created) and set `triggers` from their ids."))
        elif parts and not unwrap(inputs.get("triggers")):
            out.append(finding(
                "TAP033", path, line,
                f"{label(res)} has no `triggers`: a later change to the API's methods or integrations is not "
                "deployed, and the stage keeps serving the old snapshot",
                "Set `triggers={\"redeployment\": ...}` to a hash of the methods' and integrations' ids (or of the "
                "OpenAPI body), so Pulumi replaces the deployment when they change."))
    return out


# ----- TAP032 -------------------------------------------------------------------------------------------------
def tap032(ctx: Context) -> list[Finding]:
    """Values outside what AWS accepts: CloudWatch Logs retention days and Lambda runtimes (unknown, or deprecated
    so that Lambda no longer creates functions with them)."""
    loc = Locator(ctx.project)
    out = []
    for res in resources(ctx):
        inputs = res.get("inputs") or {}
        if res["type"] == "aws:cloudwatch/logGroup:LogGroup":
            days = unwrap(inputs.get("retentionInDays"))
            if isinstance(days, (int, float)) and not isinstance(days, bool) and days not in LOG_RETENTION_DAYS:
                allowed = ", ".join(str(d) for d in sorted(LOG_RETENTION_DAYS - {0}))
                path, line = loc.where(res, "retentionInDays")
                out.append(finding("TAP032", path, line,
                                   f"{label(res)}: retention_in_days={int(days)} is not a value CloudWatch Logs "
                                   "accepts (InvalidParameterException)",
                                   f"Use one of {allowed} (or 0 to keep events forever)."))
        elif res["type"] == "aws:lambda/function:Function":
            runtime = unwrap(inputs.get("runtime"))
            if not isinstance(runtime, str) or not runtime or runtime == "__unknown__":
                continue
            path, line = loc.where(res, "runtime")
            if runtime in DEPRECATED_RUNTIMES:
                out.append(finding("TAP032", path, line,
                                   f"{label(res)}: runtime '{runtime}' was deprecated on "
                                   f"{DEPRECATED_RUNTIMES[runtime]}; Lambda no longer creates functions with it",
                                   "Move to a supported runtime (e.g. python3.13 or nodejs22.x) and test the "
                                   "handler on it."))
            elif runtime not in LAMBDA_RUNTIMES:
                out.append(finding("TAP032", path, line,
                                   f"{label(res)}: runtime '{runtime}' is not a Lambda runtime identifier",
                                   "Use an identifier from the Lambda runtimes page (e.g. python3.13, nodejs22.x, "
                                   "java21, provided.al2023)."))
    return out


RULES = [tap031, tap032]
