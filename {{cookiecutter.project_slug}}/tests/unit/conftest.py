"""Unit-test harness: Pulumi mocks loaded with a stack's real configuration, recording every resource.

The mocks and the config loading are the checker's (tapcheck), so unit tests, `python -m tapcheck` and the
program test all see the program the same way.
"""

import json
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pulumi
import pytest

from tapcheck.mocks import AwsMocks
from tapcheck.project import Project

ROOT = Path(__file__).resolve().parents[2]
PROJECT = Project(ROOT)


@dataclass(frozen=True)
class Registered:
    """A resource as the engine received it: inputs use the engine's camelCase names."""

    type: str
    name: str
    inputs: dict[str, Any]
    id: str
    state: dict[str, Any]
    provider: str


class RecordingMocks(AwsMocks):
    """AwsMocks that remember every resource registered, in order."""

    def __init__(self) -> None:
        super().__init__()
        self.resources: list[Registered] = []

    def new_resource(self, args: pulumi.runtime.MockResourceArgs) -> tuple[str, dict[str, Any]]:
        resource_id, state = super().new_resource(args)
        self.resources.append(Registered(args.typ, args.name, dict(args.inputs), resource_id, state, args.provider))
        return resource_id, state

    def of_type(self, resource_type: str) -> list[Registered]:
        """Every resource of one type token, e.g. 'aws:ec2/vpc:Vpc'."""
        return [resource for resource in self.resources if resource.type == resource_type]

    def one(self, resource_type: str) -> Registered:
        """The only resource of one type token."""
        (resource,) = self.of_type(resource_type)
        return resource


def use_stack(stack: str) -> RecordingMocks:
    """Fresh mocks and the stack's configuration, as `pulumi up` would pass it to the program."""
    pulumi.runtime.settings.reset_options(project=PROJECT.name, stack=stack)
    config, secret_keys = PROJECT.host_config(stack)
    pulumi.runtime.set_all_config(json.loads(config), json.loads(secret_keys))
    mocks = RecordingMocks()
    pulumi.runtime.set_mocks(mocks, project=PROJECT.name, stack=stack, preview=False)
    return mocks


def deploy(build: Callable[[], object]) -> None:
    """Run `build` as a Pulumi program under the current mocks and wait for every registration."""
    pulumi.runtime.test(build)()


@pytest.fixture
def stack_mocks() -> RecordingMocks:
    """Mocks configured as the default stack."""
    return use_stack(PROJECT.stack_name)


def policy(resource: Registered, key: str = "policy") -> dict[str, Any]:
    """A JSON policy input, parsed."""
    return json.loads(resource.inputs[key])
