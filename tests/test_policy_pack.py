"""A security control broken in a generated repo fails `tapcheck`, the repo's unit tests and its policy pack alike,
each pointing at the line that broke it.

One bake with a load balancer (ECS), edited the way a team might: a bucket without encryption, SSH open to the world
and a plain-HTTP listener in production, added to `lib/tap_stack.py`. The pack also runs as Pulumi runs it: started
with `python -m pulumi.policy ENGINE .` in its folder (what Pulumi's `pulumi-analyzer-policy-python` plugin script
runs) and asked over the analyzer gRPC protocol (pulumi/pulumi `proto/pulumi/analyzer.proto`), as the engine asks
during `pulumi preview --policy-pack policy`.
"""

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import grpc
import pytest
from google.protobuf import json_format, struct_pb2
from pulumi.runtime.proto import analyzer_pb2, analyzer_pb2_grpc

from tapcheck.project import Project
from tests.conftest import bake

ANCHOR = "        self.register_outputs(self.outputs)\n"
# name -> the line added to TapStack.__init__, and the policy it must break in the production stack
BREAKS = {
    "unencrypted bucket": ('        aws.s3.Bucket(settings.naming.name("plain"), opts=child)\n',
                           "s3-bucket-encryption"),
    "world-open port": ('        aws.ec2.SecurityGroup(settings.naming.name("ssh"), ingress=[{'
                        '"protocol": "tcp", "from_port": 22, "to_port": 22, "cidr_blocks": ["0.0.0.0/0"]}], '
                        "opts=child)\n", "no-world-open-ports"),
    "HTTP-only production listener": (
        '        aws.lb.Listener(settings.naming.name("plain"), '
        'load_balancer_arn=self.ecs.load_balancer.load_balancer.arn, port=8080, protocol="HTTP", '
        'default_actions=[{"type": "forward", "target_group_arn": '
        "self.ecs.load_balancer.target_group_arn}], opts=child)\n", "load-balancer-https"),
}


@pytest.fixture(scope="module")
def broken(tmp_path_factory) -> tuple[Path, dict[str, int]]:
    """The baked repo with the three breaks added, and the line each sits on."""
    repo = bake(tmp_path_factory.mktemp("policy"), ecs=True)
    stack_file = repo / "lib" / "tap_stack.py"
    text = stack_file.read_text(encoding="utf-8")
    assert text.count(ANCHOR) == 1
    head = text[: text.index(ANCHOR)]
    lines = {name: head.count("\n") + 1 + index for index, name in enumerate(BREAKS)}
    stack_file.write_text(head + "".join(line for line, _ in BREAKS.values()) + text[len(head):], encoding="utf-8")
    return repo, lines


def _run(repo: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, *args], cwd=repo, capture_output=True, text=True, timeout=600, check=False)


def test_tapcheck_fails_at_each_line(broken):
    repo, lines = broken
    result = _run(repo, "-m", "tapcheck", ".", "--stack", "prod", "--select", "TAP060")
    assert result.returncode == 1, result.stdout + result.stderr
    for name, line in lines.items():
        reported = [text for text in result.stdout.splitlines() if text.startswith(f"lib/tap_stack.py:{line}: TAP060")]
        assert reported and f"'{BREAKS[name][1]}' (mandatory)" in reported[0], (name, result.stdout)


def test_the_generated_unit_tests_fail_at_each_line(broken):
    repo, lines = broken
    result = _run(repo, "-m", "pytest", "tests/unit/test_security_controls.py", "-q", "-p", "no:cacheprovider")
    assert result.returncode == 1, result.stdout
    for name, line in lines.items():
        assert f"prod: lib/tap_stack.py:{line}: " in result.stdout and BREAKS[name][1] in result.stdout, name


def _struct(props: dict[str, Any]) -> struct_pb2.Struct:
    def plain(value: Any) -> Any:
        if isinstance(value, dict):
            return plain(value["__secret__"]) if set(value) == {"__secret__"} else {k: plain(v) for k, v in
                                                                                   value.items()}
        return [plain(v) for v in value] if isinstance(value, list) else value

    return json_format.ParseDict(plain(props), struct_pb2.Struct())


def test_the_pack_as_pulumi_runs_it_rejects_each_line(broken):
    repo, lines = broken
    project = Project(repo, "prod")
    out = repo / "prod.json"
    _run(repo, "-m", "tapcheck", ".", "--stack", "prod", "--select", "TAP010", "--synth-out", str(out))
    resources = json.loads(out.read_text(encoding="utf-8"))["resources"]
    env = {**os.environ, "PULUMI_CONFIG": project.host_config("prod")[0], "PULUMI_PROJECT": str(project.name),
           "PULUMI_STACK": "prod", "PULUMI_DRY_RUN": "true"}
    analyzer = subprocess.Popen([sys.executable, "-u", "-m", "pulumi.policy", "127.0.0.1:1", "."], cwd=repo / "policy",
                                env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        port = int(analyzer.stdout.readline())
        with grpc.insecure_channel(f"127.0.0.1:{port}") as channel:
            client = analyzer_pb2_grpc.AnalyzerStub(channel)
            diagnostics = []
            for res in resources:
                props = {**res.get("outputs", {}), **res.get("inputs", {})}
                response = client.Analyze(analyzer_pb2.AnalyzeRequest(
                    type=res["type"], properties=_struct(props), urn=res["urn"], name=res["name"]))
                diagnostics += [(d.policyName, d.enforcementLevel, res["urn"]) for d in response.diagnostics]
            stack = client.AnalyzeStack(analyzer_pb2.AnalyzeStackRequest(resources=[analyzer_pb2.AnalyzerResource(
                type=res["type"], properties=_struct({**res.get("outputs", {}), **res.get("inputs", {})}),
                urn=res["urn"], name=res["name"], parent=res.get("parent") or "", dependencies=res["dependencies"],
                propertyDependencies={key: analyzer_pb2.AnalyzerPropertyDependencies(urns=urns)
                                      for key, urns in res.get("property_dependencies", {}).items()})
                for res in resources]))
            diagnostics += [(d.policyName, d.enforcementLevel, d.urn) for d in stack.diagnostics]
    finally:
        analyzer.kill()
        analyzer.communicate()
    sites = {res["urn"]: res["site"] for res in resources}
    rejected = {(policy, sites[urn]["path"], sites[urn]["line"]) for policy, level, urn in diagnostics
                if level == analyzer_pb2.MANDATORY}
    for name, line in lines.items():
        assert (BREAKS[name][1], "lib/tap_stack.py", line) in rejected, (name, sorted(rejected))
    assert {path for _, path, _ in rejected} == {"lib/tap_stack.py"}  # the generated code itself breaks nothing
