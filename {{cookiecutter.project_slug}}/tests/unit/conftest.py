"""Unit-test harness. The fixtures come from tapcheck's pytest plugin, installed with the checker: `stack_mocks` is
Pulumi mocks that answer like AWS, loaded with the default stack's real configuration and recording every resource
(tapcheck.testing); `stack_records` is the program run the way `pulumi up` runs it, for every stack, once per test
session. The mocks and the config loading are the checker's, so unit tests, `tapcheck` and the program test all see
the program the same way.
"""

from pathlib import Path
from typing import Any

import pytest
from tapcheck.project import Project
from tapcheck.testing import RecordingMocks, Registered, deploy, mocks_for, policy

ROOT = Path(__file__).resolve().parents[2]
PROJECT = Project(ROOT)

__all__ = ["PROJECT", "ROOT", "RecordingMocks", "Registered", "deploy", "policy", "use_stack"]


def use_stack(stack: str) -> RecordingMocks:
    """Fresh mocks with `stack`'s configuration, as `pulumi up` would pass it to the program."""
    return mocks_for(PROJECT, stack)


@pytest.fixture(params=sorted(PROJECT.stacks))
def synth(request, stack_records) -> dict[str, Any]:
    """One stack's record of the program run (tapcheck's synth, shared by the session): its resources and exports.
    The run itself must not fail."""
    result = stack_records[request.param]
    assert result.record is not None, result.notes
    assert not result.findings, [finding.message for finding in result.findings]
    return result.record
