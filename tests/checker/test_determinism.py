"""The same program gives byte-identical ``--format json`` on every run (findings, notes and the synth record)."""

from __future__ import annotations

import itertools
import json
import os
import subprocess
import sys
from pathlib import Path

from helpers import fixture

from tapcheck._runner.run_program import _parent_key, _Recorder

ROOT = Path(__file__).resolve().parents[2]
RUNS = 10


def _json_output(project: Path) -> bytes:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    done = subprocess.run([sys.executable, "-m", "tapcheck", str(project), "--format", "json"], cwd=ROOT, env=env,
                          capture_output=True, check=False, timeout=180)
    assert done.returncode in (0, 1), done.stderr.decode()
    return done.stdout


def test_hub_and_spoke_gives_identical_json_on_every_run() -> None:
    project = fixture("determinism-hub-and-spoke")
    outputs = [_json_output(project) for _ in range(RUNS)]
    assert all(output == outputs[0] for output in outputs), "runs differ"
    report = json.loads(outputs[0])["projects"][0]
    # components in construction order, not the order their registrations completed
    assert any("(awsx:ec2:Vpc 'hub', awsx:ec2:Vpc 'spoke-a', awsx:ec2:Vpc 'spoke-b')" in n for n in report["notes"])
    # two log groups named "hub" (top level and inside the Spoke component) keep their own construction lines
    sites = {r["parent"].rsplit("::", 1)[-1]: r["site"]["line"] for r in report["synth"]["resources"]
             if r["type"] == "aws:cloudwatch/logGroup:LogGroup" and r["name"] == "hub"}
    assert sites == {"hub-and-spoke-dev": 39, "hub": 25}
    deps = [list(r["property_dependencies"]) for r in report["synth"]["resources"]]
    assert all(keys == sorted(keys) for keys in deps) and any(len(keys) > 1 for keys in deps)


def test_parent_key_names_the_parent_resource() -> None:
    assert _parent_key("urn:pulumi:dev::p::pulumi:pulumi:Stack$example:network:Spoke::hub") == (
        "example:network:Spoke", "hub")
    assert _parent_key("urn:pulumi:dev::p::pulumi:pulumi:Stack::p-dev") == (None, None)
    assert _parent_key(None) == (None, None)


def test_registrations_in_any_thread_order_give_the_same_record() -> None:
    """Two log groups named "hub", one top level and one in a component, registered in either order."""
    stack = "urn:pulumi:dev::p::pulumi:pulumi:Stack::p-dev"
    spoke = "urn:pulumi:dev::p::pulumi:pulumi:Stack$example:network:Spoke::hub"
    log = "aws:cloudwatch/logGroup:LogGroup"
    records = [{"type": log, "name": "hub", "parent": spoke, "urn": spoke.replace("::hub", f"${log}::hub")},
               {"type": log, "name": "hub", "parent": stack, "urn": stack.replace("::p-dev", f"${log}::hub")},
               {"type": "example:network:Spoke", "name": "hub", "parent": stack, "urn": spoke}]
    results = []
    for order in itertools.permutations(records):
        recorder = _Recorder(None, None, None)
        recorder.resource_sites = {("example:network:Spoke", "hub", None, None): [(0, "line 16")],
                                   (log, "hub", "example:network:Spoke", "hub"): [(1, "line 25")],
                                   (log, "hub", None, None): [(2, "line 39")]}
        recorder.records = [dict(r) for r in order]
        results.append([(r["urn"], r["site"]) for r in recorder.resources()])
    assert all(result == results[0] for result in results)
    assert [site for _, site in results[0]] == ["line 16", "line 25", "line 39"]
