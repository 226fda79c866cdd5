"""Physical names stay within AWS limits at the longest prefix and suffix the answers allow.

The checker's TAP026 counts Pulumi's 8-character auto-name suffix against the table of AWS limits; the generated
naming module refuses a name that would not fit before anything deploys. Both must agree that the longest
answers fit, with every component selected.
"""

import json
from pathlib import Path

from hooks import pre_gen_project as pre
from tests.conftest import bake, python_tool, run, run_unit_tests

LONGEST = {
    "name_prefix": "abcdefgh",  # 8, the most PREFIX_PATTERN allows
    "environment_suffix": "abcdefghij",
    "stacks": "production,abcdefghij",  # 10, the most SUFFIX_PATTERN allows
    "pulumi_project": "P" * 100,
    "network": True, "nat_gateway": True, "storage": True, "database": "aurora-mysql", "migrations": True,
    "ecs": True, "asg": True, "lambda_api": True, "rest_api": True, "dynamodb": True, "queue": True, "cache": True,
    "monitoring": True,
}


def test_longest_answers_are_the_longest_the_hook_allows():
    assert pre.PREFIX_PATTERN.fullmatch(LONGEST["name_prefix"])
    assert not pre.PREFIX_PATTERN.fullmatch(LONGEST["name_prefix"] + "x")
    for stack in LONGEST["stacks"].split(","):
        assert pre.SUFFIX_PATTERN.fullmatch(stack)
    assert not pre.SUFFIX_PATTERN.fullmatch("abcdefghijk")


def test_every_name_fits_its_limit_at_the_longest_answers(tmp_path: Path):
    repo = bake(tmp_path, **LONGEST)
    for stack in LONGEST["stacks"].split(","):
        record = tmp_path / f"{stack}.json"
        result = run(python_tool("tapcheck", ".", "--stack", stack, "--format", "json", "--synth-out", str(record)),
                     repo)
        assert json.loads(result.stdout)["findings"] == []
        synth = json.loads(record.read_text(encoding="utf-8"))
        names = [resource["name"] for resource in synth["resources"]]
        assert any(name.endswith(f"-{stack}") for name in names), "the suffix reaches the resource names"
    run_unit_tests(repo)
