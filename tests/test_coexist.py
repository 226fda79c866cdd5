"""Repos generated from this template deploy side by side in one account and region.

Two repos generated with the default answers under different project names, and every preset, are synthesized
with every stack (the program run as the Pulumi language host runs it, against mocks). No two of them, and no two
stacks of one of them, may name a resource the same where AWS names are unique per account and region, and none
may manage a setting AWS keeps once per account or region: the second deployment would fail ("already exists")
or silently take the setting over from the first.

Only the names the program sets itself are compared. The others are auto-named by Pulumi, with a random part
(Pulumi.yaml's `pulumi:autonaming` pattern), and cannot collide.
"""

from pathlib import Path
from typing import Any

import pytest
from cookiecutter.main import cookiecutter

from tapcheck.limits import NAME_LIMITS
from tapcheck.synth import synth_stacks
from tests.conftest import TEMPLATE, bake

PRESETS = sorted(path.stem for path in (TEMPLATE / "presets").glob("*.yaml"))
DEFAULT_REPOS = ("Orders Service", "Billing Service")
SYNTHESIZED_STACKS = ["dev", "prod"]
# Inputs naming a resource uniquely in its account and region, beyond each type's name input in the checker's table
# of AWS limits.
OWN_NAMES = {
    "aws:rds/cluster:Cluster": ("finalSnapshotIdentifier",),
    "aws:rds/instance:Instance": ("finalSnapshotIdentifier",),
    "aws:elasticache/replicationGroup:ReplicationGroup": ("finalSnapshotIdentifier",),
    "aws:ecs/taskDefinition:TaskDefinition": ("family",),
    "aws:cloudwatch/dashboard:Dashboard": ("dashboardName",),
}
# Resources that stand for a setting AWS keeps once per account (or per account and region).
ACCOUNT_SINGLETONS = frozenset({
    "aws:apigateway/account:Account",  # API Gateway's CloudWatch role, per region
    "aws:iam/serviceLinkedRole:ServiceLinkedRole",  # one per service and account
    "aws:iam/accountPasswordPolicy:AccountPasswordPolicy",
    "aws:iam/accountAlias:AccountAlias",
    "aws:ebs/encryptionByDefault:EncryptionByDefault",
    "aws:ebs/defaultKmsKey:DefaultKmsKey",
    "aws:s3/accountPublicAccessBlock:AccountPublicAccessBlock",
    "aws:guardduty/detector:Detector",
    "aws:securityhub/account:Account",
    "aws:macie2/account:Account",
    "aws:xray/encryptionConfig:EncryptionConfig",
})


def physical_names(resource: dict[str, Any]) -> set[str]:
    """The names `resource` sets itself that AWS keeps unique per account and region."""
    keys = list(OWN_NAMES.get(resource["type"], ()))
    limit = NAME_LIMITS.get(resource["type"])
    if limit is not None:
        keys.append(limit.prop)
    return {value for key in keys if isinstance(value := resource["inputs"].get(key), str)}


@pytest.fixture(scope="module")
def repos(tmp_path_factory) -> dict[str, dict[str, list[dict[str, Any]]]]:
    """Every bake compared: `{repo: {stack: resources}}`, each stack synthesized clean."""
    folders: dict[str, Path] = {}
    for project_name in DEFAULT_REPOS:
        folders[project_name] = bake(tmp_path_factory.mktemp("default"), project_name=project_name)
    for preset in PRESETS:
        output = tmp_path_factory.mktemp(preset)
        folders[preset] = Path(cookiecutter(str(TEMPLATE), no_input=True, output_dir=str(output),
                                            config_file=str(TEMPLATE / "presets" / f"{preset}.yaml")))
    synthesized = {}
    for repo, folder in folders.items():
        # A production stack and another: names differ by stack, and production adds final snapshots.
        results = synth_stacks(folder, SYNTHESIZED_STACKS)
        for stack, result in results.items():
            stopped = [note for note in result.notes if note.startswith("synth stopped")]
            assert result.record and not result.findings and not stopped, (repo, stack, stopped)
        synthesized[repo] = {stack: result.record["resources"] for stack, result in results.items()}
    return synthesized


def test_every_repo_names_its_resources_with_a_prefix_of_its_own(repos):
    # Each repo's key alias is `alias/<prefix>-key-<stack>`; the prefix comes from the project's name.
    prefixes = {
        repo: {name.removeprefix("alias/").split("-")[0] for resources in stacks.values() for r in resources
               if r["type"] == "aws:kms/alias:Alias" for name in physical_names(r)}
        for repo, stacks in repos.items()
    }
    assert all(len(found) == 1 for found in prefixes.values()), prefixes
    assert len({found.pop() for found in prefixes.values()}) == len(repos)


def test_no_two_repos_or_stacks_share_a_physical_name(repos):
    owners: dict[str, list[str]] = {}
    for repo, stacks in repos.items():
        for stack, resources in stacks.items():
            for resource in resources:
                for name in physical_names(resource):
                    owners.setdefault(name, []).append(f"{repo}/{stack} {resource['type']}")
    assert sum(len(found) for found in owners.values()) > len(repos) * 3, "names were compared"
    assert not {name: found for name, found in owners.items() if len(found) > 1}


def test_no_repo_manages_an_account_wide_setting(repos):
    # A setting kept once per account cannot belong to two repos; stacks opt in to own one (README, Prerequisites).
    managed = {repo: sorted({r["type"] for resources in stacks.values() for r in resources} & ACCOUNT_SINGLETONS)
               for repo, stacks in repos.items()}
    assert not {repo: types for repo, types in managed.items() if types}
