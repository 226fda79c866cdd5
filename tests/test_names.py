"""Physical names stay within AWS limits at the longest prefix and suffix the answers allow.

The names the program sets itself (`<prefix>-<role>-<suffix>`) are checked by the checker's TAP026 against its
table of AWS limits; the auto-named ones, `<prefix>-<role>-<suffix>-<7 random>` under Pulumi.yaml's autonaming
pattern, by the generated naming module, which refuses a name that would not fit before anything deploys (synth
would stop). Both must pass at the longest answers, with every component selected.
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
        assert not synth.get("error"), synth.get("error")
        aliases = [r["inputs"]["name"] for r in synth["resources"] if r["type"] == "aws:kms/alias:Alias"]
        assert aliases == [f"alias/{LONGEST['name_prefix']}-key-{stack}"], "prefix and suffix reach physical names"
    run_unit_tests(repo)
