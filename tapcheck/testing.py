"""Helpers for a Pulumi program's unit tests: AWS-like mocks (:class:`tapcheck.mocks.AwsMocks`) that record every
resource, loaded with a stack's real configuration the way ``pulumi up`` passes it to the program.

Needs the Pulumi SDK (the project's own, or ``tapcheck[synth]``). The fixtures over these helpers are in
:mod:`tapcheck.pytest_plugin`. Pulumi's unit-testing model: https://www.pulumi.com/docs/iac/concepts/testing/unit/
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pulumi

from .mocks import AwsMocks, skip_engine_stack_traces
from .project import Project

__all__ = ["RecordingMocks", "Registered", "deploy", "mocks_for", "policy"]


@dataclass(frozen=True)
class Registered:
    """A resource as the engine received it: ``inputs`` use the engine's camelCase names (``enableDnsHostnames``),
    ``state`` is what the mocks answered (inputs plus computed outputs), ``provider`` the provider reference."""

    type: str
    name: str
    inputs: dict[str, Any]
    id: str
    state: dict[str, Any]
    provider: str


class RecordingMocks(AwsMocks):
    """AwsMocks that remember every resource registered, in registration order (``resources``)."""

    def __init__(self) -> None:
        super().__init__()
        self.resources: list[Registered] = []

    def new_resource(self, args: pulumi.runtime.MockResourceArgs) -> tuple[str, dict[str, Any]]:
        resource_id, state = super().new_resource(args)
        self.resources.append(Registered(args.typ, args.name, dict(args.inputs), resource_id, state, args.provider))
        return resource_id, state

    def of_type(self, resource_type: str) -> list[Registered]:
        """Every resource of one type token, e.g. ``'aws:ec2/vpc:Vpc'``."""
        return [resource for resource in self.resources if resource.type == resource_type]

    def one(self, resource_type: str) -> Registered:
        """The only resource of one type token; ValueError when there are none or several."""
        (resource,) = self.of_type(resource_type)
        return resource


def mocks_for(project: Project, stack: str | None = None) -> RecordingMocks:
    """Install fresh mocks with `stack`'s configuration (default: the project's default stack) for the Pulumi
    project `project`, as ``pulumi up`` would pass it to the program (``PULUMI_CONFIG``, secret keys), and return
    them. Raises :class:`tapcheck.project.ProjectError` when the project's files cannot be read."""
    stack = stack or project.stack_name
    pulumi.runtime.settings.reset_options(project=project.name, stack=stack)
    config, secret_keys = project.host_config(stack)
    pulumi.runtime.set_all_config(json.loads(config), json.loads(secret_keys))
    mocks = RecordingMocks()
    pulumi.runtime.set_mocks(mocks, project=project.name, stack=stack, preview=False)
    skip_engine_stack_traces()
    return mocks



def deploy(build: Callable[[], object]) -> None:
    """Run `build` as a Pulumi program under the current mocks and wait for every registration (an exception in
    the program, or in an ``apply``, is raised here)."""
    pulumi.runtime.test(build)()


def policy(resource: Registered, key: str = "policy") -> dict[str, Any]:
    """A JSON policy input of `resource` (``policy``, ``assumeRolePolicy``, ...), parsed."""
    return json.loads(resource.inputs[key])
