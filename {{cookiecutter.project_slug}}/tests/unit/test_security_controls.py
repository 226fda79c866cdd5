"""Every control SECURITY.md lists, proven by the repo's policy pack over every resource the stack registers, in
every stack.

Each control is written once, as a policy in `policy/__main__.py`: `pulumi preview --policy-pack policy` enforces it
before a deployment, and here tapcheck evaluates the same pack offline on the program run the way `pulumi up` runs it
(under mocks, with each stack file's config). A resource that breaks a control, including one added later, fails
here with the file and line that created it.
"""

import re

import pytest
from tapcheck.policy import policy_names, violations

from tests.unit.conftest import PROJECT, ROOT

POLICY_PACK = ROOT / "policy"
CONTROLS = policy_names(POLICY_PACK)


@pytest.fixture(scope="module")
def found(stack_records) -> dict[str, list]:
    """Stack -> the pack's violations on that stack's program run (the session's one synth of every stack)."""
    out = {}
    for stack, result in stack_records.items():
        assert result.record is not None and not result.findings, [f.message for f in result.findings]
        out[stack] = violations(PROJECT, result.record, POLICY_PACK)
    return out


@pytest.mark.parametrize("control", CONTROLS)
def test_control_holds_in_every_stack(control, found):
    broken = [f"{stack}: {item}" for stack, items in found.items() for item in items
              if item.violation.policy == control]
    assert not broken, "\n".join(broken)


def test_every_control_of_the_pack_is_listed_in_security_md():
    listed = set(re.findall(r"`([a-z0-9-]+)`", (ROOT / "SECURITY.md").read_text(encoding="utf-8")))
    assert set(CONTROLS) <= listed, sorted(set(CONTROLS) - listed)
