"""Local packages the project installs into its environment (requirements.txt ``-e ./path``, ``#egg=`` URLs,
pyproject / Pipfile path dependencies) are importable under the language host: no TAP003, and synth runs with them."""

from __future__ import annotations

from pathlib import Path

import pytest

import tapcheck
from tapcheck.project import Project

PROGRAM = "import pulumi\nfrom naming import queue_name\n\npulumi.export(\"queue\", queue_name(\"billing\"))\n"


def project(root: Path, files: dict[str, str]) -> Path:
    base = {
        "Pulumi.yaml": "name: jobs\nruntime: python\n",
        "Pulumi.dev.yaml": "config:\n  aws:region: us-east-1\n",
        "__main__.py": PROGRAM,
        "packages/naming/setup.py": "from setuptools import setup\n\nsetup(name='naming', packages=['naming'])\n",
        "packages/naming/naming/__init__.py": "def queue_name(app):\n    return f'{app}-jobs'\n",
    }
    for rel, text in {**base, **files}.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    return root


@pytest.mark.parametrize(("rel", "text"), [
    ("requirements.txt", "pulumi>=3\n-e ./packages/naming\n"),
    ("requirements.txt", "pulumi>=3\n./packages/naming  # shared helpers\n"),
    ("requirements.txt", "naming @ file:./packages/naming\n"),
    ("requirements.txt", "-e git+https://example.com/org/repo.git@main#egg=naming&subdirectory=packages/naming\n"),
    ("pyproject.toml", "[project]\nname = 'jobs'\ndependencies = ['naming']\n\n[tool.uv.sources]\n"
                       "naming = { path = 'packages/naming', editable = true }\n"),
    ("pyproject.toml", "[tool.poetry.dependencies]\npython = '^3.11'\nnaming = { path = 'packages/naming' }\n"),
    ("Pipfile", "[packages]\nnaming = { path = './packages/naming', editable = true }\n"),
])
def test_an_installed_local_package_is_importable(tmp_path: Path, rel: str, text: str) -> None:
    root = project(tmp_path, {rel: text})
    assert Project(root).installed_packages["naming"].by == rel
    assert "TAP003" not in tapcheck.check(root, synth=False).rules()


def test_a_src_layout_package_is_found(tmp_path: Path) -> None:
    root = project(tmp_path, {"requirements.txt": "-e libs/tools\n", "libs/tools/src/naming/__init__.py": ""})
    install = Project(root).installed_packages["naming"]
    assert install.folder == (root / "libs/tools/src").resolve()


def test_a_package_nobody_installs_is_still_tap003(tmp_path: Path) -> None:
    root = project(tmp_path, {"requirements.txt": "pulumi>=3\n"})
    (found,) = [f for f in tapcheck.check(root, synth=False).findings if f.rule == "TAP003"]
    assert (found.path, found.line) == ("__main__.py", 2) and "'naming'" in found.message


def test_synth_runs_the_program_with_the_installed_package(tmp_path: Path) -> None:
    root = project(tmp_path, {"requirements.txt": "-e ./packages/naming\n"})
    report = tapcheck.check(root)
    assert report.errors == [] and report.synth_skipped is None
    assert report.synth is not None and report.synth["exports"]["queue"]["value"] == "billing-jobs"


@pytest.mark.parametrize(("toolchain", "extra", "installed"), [
    ("uv", "", True),
    ("poetry", "", True),
    ("uv", "\n[tool.uv]\npackage = false\n", False),
    ("poetry", "\n[tool.poetry]\npackage-mode = false\n", False),
    ("pip", "", False),  # the pip toolchain installs requirements.txt only
])
def test_uv_and_poetry_install_the_project_itself(tmp_path: Path, toolchain: str, extra: str,
                                                   installed: bool) -> None:
    root = project(tmp_path, {
        "Pulumi.yaml": f"name: jobs\nruntime:\n  name: python\n  options:\n    toolchain: {toolchain}\n"
                       "main: app/main.py\n",
        "app/main.py": PROGRAM.replace("from naming", "from lib.naming"),
        "lib/__init__.py": "", "lib/naming.py": "def queue_name(app):\n    return f'{app}-jobs'\n",
        "pyproject.toml": "[project]\nname = 'jobs'\nversion = '0.1.0'\n\n[build-system]\n"
                          "requires = ['hatchling']\nbuild-backend = 'hatchling.build'\n" + extra,
    })
    assert ("lib" in Project(root).installed_packages) is installed
    assert ("TAP003" in tapcheck.check(root, synth=False).rules()) is not installed
