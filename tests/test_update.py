"""Template updates: a repo generated from an earlier template commit takes the current one without losing work.

The earlier commit is made from the current template with two known differences, so the test knows exactly which
changes the update must bring; the user's edits touch other files and lines.
"""

import json
from pathlib import Path

import pytest
from cruft import create, update

from tests.conftest import TEMPLATE_DIR, copy_template, git

pytestmark = pytest.mark.portable

# The earlier template lacked one ignore pattern and had an older naming docstring line.
IGNORE_ADDED = ".ruff_cache/\n"
NAMING_OLD, NAMING_NEW = "Every name is `<prefix>-<role>-<suffix>`.", "Every name is `<prefix>-<role>-<suffix>`"


@pytest.fixture
def template_repo(tmp_path) -> tuple[Path, str, str]:
    """A git repo of the template with an earlier and a current commit; returns it and both commits."""
    repo = copy_template(tmp_path / "template")
    git(repo, "init", "-q", "-b", "main")
    gitignore = repo / TEMPLATE_DIR / ".gitignore"
    naming = repo / TEMPLATE_DIR / "lib" / "naming.py"
    current_gitignore, current_naming = gitignore.read_text(encoding="utf-8"), naming.read_text(encoding="utf-8")
    assert IGNORE_ADDED in current_gitignore and NAMING_OLD in current_naming
    gitignore.write_text(current_gitignore.replace(IGNORE_ADDED, ""), encoding="utf-8")
    naming.write_text(current_naming.replace(NAMING_OLD, NAMING_NEW), encoding="utf-8")
    git(repo, "add", "-A")
    git(repo, "commit", "-qm", "earlier template")
    earlier = git(repo, "rev-parse", "HEAD")
    gitignore.write_text(current_gitignore, encoding="utf-8")
    naming.write_text(current_naming, encoding="utf-8")
    git(repo, "commit", "-qam", "current template")
    return repo, earlier, git(repo, "rev-parse", "HEAD")


def test_update_keeps_user_edits_and_applies_template_changes(tmp_path, template_repo):
    repo, earlier, current = template_repo
    project = create(str(repo), output_dir=tmp_path / "out", checkout=earlier, no_input=True)
    assert json.loads((project / ".cruft.json").read_text(encoding="utf-8"))["commit"] == earlier
    assert ".ruff_cache/" not in (project / ".gitignore").read_text(encoding="utf-8")
    git(project, "init", "-q", "-b", "main")
    git(project, "add", "-A")
    git(project, "commit", "-qm", "generated")

    # The user's own work: a new component, a changed test, an added export.
    (project / "lib" / "components" / "audit.py").write_text('"""Audit trail."""\n', encoding="utf-8")
    test_naming = project / "tests" / "unit" / "test_naming.py"
    test_naming.write_text(
        test_naming.read_text(encoding="utf-8") + '\n\ndef test_team_rule():\n    assert Naming("tap", "qa")\n',
        encoding="utf-8",
    )
    main = project / "__main__.py"
    main.write_text(main.read_text(encoding="utf-8") + 'pulumi.export("team", "payments")\n', encoding="utf-8")
    git(project, "add", "-A")
    git(project, "commit", "-qm", "our work")

    assert update(project, skip_apply_ask=True, checkout=current)

    assert json.loads((project / ".cruft.json").read_text(encoding="utf-8"))["commit"] == current
    assert ".ruff_cache/" in (project / ".gitignore").read_text(encoding="utf-8")
    assert NAMING_OLD in (project / "lib" / "naming.py").read_text(encoding="utf-8")
    assert (project / "lib" / "components" / "audit.py").exists()
    assert "def test_team_rule" in test_naming.read_text(encoding="utf-8")
    assert 'pulumi.export("team", "payments")' in main.read_text(encoding="utf-8")
    leftovers = [p for p in project.rglob("*") if p.suffix in (".rej", ".orig")]
    assert not leftovers, leftovers
    # Only the template's own changes are pending: no file the user did not touch was rewritten, and the checker's
    # pin moved to the new commit.
    assert git(project, "diff", "HEAD", "--name-only").splitlines() == [
        ".cruft.json", ".gitignore", "lib/naming.py", "pyproject.toml"]
    pin = [line for line in git(project, "diff", "-U0", "HEAD", "--", "pyproject.toml").splitlines()
           if line.startswith(("+ ", "- "))]
    assert [line.rsplit("@", 1)[1] for line in pin] == [f'{earlier}",', f'{current}",'], pin
    assert not git(project, "ls-files", "--others", "--exclude-standard")
