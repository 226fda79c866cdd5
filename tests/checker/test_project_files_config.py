"""TAP004 on namespaced config keys: an error only where the program would read the value under the project's
name; keys of namespaces the program reads (``pulumi.Config("ns")``) or of providers are the program's own."""

from __future__ import annotations

from pathlib import Path

import pytest

import tapcheck
from tapcheck.catalog import ERROR, WARNING
from tapcheck.project import Project
from tapcheck.rules.project_files import config_reads


def project(root: Path, program: str, stack_config: str, name: str = "orders") -> Path:
    files = {
        "Pulumi.yaml": f"name: {name}\nruntime: python\n",
        "Pulumi.dev.yaml": "config:\n  aws:region: us-east-1\n" + stack_config,
        "__main__.py": "import pulumi\n" + program,
    }
    for rel, text in files.items():
        (root / rel).write_text(text, encoding="utf-8")
    return root


def tap004(root: Path) -> list[tuple[int, str, str]]:
    report = tapcheck.check(root, synth=False)
    return [(f.line, f.severity, f.message) for f in report.findings if f.rule == "TAP004"]


@pytest.mark.parametrize("program", [
    'size = pulumi.Config("cfg").require_int("clusterSize")\n',
    'from pulumi import Config\nsize = Config(name="cfg").get("clusterSize")\n',
    'cfg = pulumi.config.Config("cfg")\n',
    'import os\nsize = pulumi.Config(os.environ["NAMESPACE"]).get("clusterSize")\n',  # not a literal: unknown
])
def test_a_namespace_the_program_reads_is_its_own(tmp_path: Path, program: str) -> None:
    assert tap004(project(tmp_path, program, '  cfg:clusterSize: "2"\n')) == []


def test_a_provider_namespace_the_program_imports_is_not_reported(tmp_path: Path) -> None:
    program = "import pulumi_random\n"
    assert tap004(project(tmp_path, program, "  random:someSetting: x\n")) == []


def test_an_unread_namespace_is_a_warning_not_an_error(tmp_path: Path) -> None:
    (found,) = tap004(project(tmp_path, 'pulumi.export("stack", pulumi.get_stack())\n',
                              "  kafka:bootstrapServers: [b-1:9094]\n"))
    assert found[:2] == (3, WARNING) and "Pulumi ignores it" in found[2]


@pytest.mark.parametrize("program", [
    'config = pulumi.Config()\nusers = config.require_object("users")\n',
    'users = pulumi.Config().get_object(key="users")\n',
    'class Settings:\n    def __init__(self):\n        self.cfg = pulumi.Config("orders")\n'
    '        self.users = self.cfg.require_object("users")\n',
])
def test_a_renamed_project_key_the_program_reads_stays_an_error(tmp_path: Path, program: str) -> None:
    (found,) = tap004(project(tmp_path, program, "  order-service:users: [ann]\n"))
    assert found[:2] == (3, ERROR)
    assert "reads 'users' from the project namespace 'orders'" in found[2]


def test_the_key_also_set_under_the_project_name_is_only_a_leftover(tmp_path: Path) -> None:
    program = 'users = pulumi.Config().require_object("users")\n'
    stack = "  orders:users: [ann]\n  order:users: [ann]\n"
    (found,) = tap004(project(tmp_path, program, stack))
    assert found[:2] == (4, WARNING) and "close to the project name 'orders'" in found[2]


def test_config_reads_knows_literal_and_dynamic_keys(tmp_path: Path) -> None:
    root = project(tmp_path, 'c = pulumi.Config()\nc.require("a")\npulumi.Config("net").get("b")\n', "")
    reads = config_reads(Project(root))
    assert (reads.namespaces, reads.project_keys) == ({"net"}, {"a"})
    (root / "__main__.py").write_text('import pulumi\nc = pulumi.Config()\nfor k in ["a"]:\n    c.get(k)\n')
    assert config_reads(Project(root)).project_keys is None


@pytest.mark.parametrize(("command", "stack"), [
    ("pulumi preview -s dev", "dev"),
    ("pulumi preview -s=org/proj/dev", "org/proj/dev"),
    ("pulumi preview -sorg/proj/dev", "org/proj/dev"),
    ("pulumi up --stack=prod --yes", "prod"),
    ("pulumi stack select staging", "staging"),
])
def test_every_spelling_of_a_stack_on_a_pulumi_command_line_is_read(command: str, stack: str) -> None:
    # Pulumi's CLI takes -s/--stack as a pflag flag: `-s VALUE`, `-s=VALUE`, `-sVALUE`, `--stack=VALUE`.
    from tapcheck.rules.project_files import STACK_REF_RE  # noqa: PLC0415

    assert STACK_REF_RE.search(" " + command.split(" ", 1)[1]).group("ref") == stack
