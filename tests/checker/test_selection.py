"""Rule selection with ruff's semantics: defaults, select, extend-select, ignore, specificity, severity."""

from pathlib import Path

import pytest

from tapcheck.catalog import RULES
from tapcheck.cli import main
from tapcheck.project import DEFAULT_REQUIRED_TAGS, Project, Settings
from tapcheck.selection import SelectionError, resolve


def group(name: str) -> set[str]:
    return {rule for rule, row in RULES.items() if row.group == name}


def test_default_set_is_every_group_but_house() -> None:
    enabled = resolve().enabled
    assert group("pulumi") | group("aws") | group("security") | group("tests") <= enabled
    assert not enabled & group("house")


def test_select_replaces_and_extend_select_adds() -> None:
    assert resolve(select=["security"]).enabled == group("security")
    assert resolve(extend_select=["house"]).enabled == set(RULES)


def test_the_more_specific_selector_wins() -> None:
    assert "TAP020" in resolve(select=["TAP020"], ignore=["security"]).enabled
    assert "TAP020" not in resolve(select=["security"], ignore=["TAP020"]).enabled
    assert "TAP023" not in resolve(ignore=["TAP02"]).enabled
    assert "TAP003" in resolve(ignore=["TAP02"]).enabled


def test_severity_overrides_by_group_and_id() -> None:
    selection = resolve(extend_select=["house"], severity={"house": "error", "TAP029": "warning"})
    assert selection.severity("TAP012") == "error"
    assert selection.severity("TAP028") == "error"
    assert selection.severity("TAP029") == "warning"
    assert selection.severity("TAP001") == RULES["TAP001"].severity


@pytest.mark.parametrize(("kwargs", "named"), [
    ({"select": ["TAP999"]}, "select: unknown rule selector 'TAP999'"),
    ({"ignore": ["securty"]}, "ignore: unknown rule selector 'securty'"),
    ({"severity": {"security": "fatal"}}, "severity: 'security' = 'fatal'"),
])
def test_unknown_selectors_are_refused_by_name(kwargs: dict, named: str) -> None:
    with pytest.raises(SelectionError, match=named):
        resolve(**kwargs)


def _write(tmp_path: Path, toml: str) -> None:
    (tmp_path / "Pulumi.yaml").write_text("name: app\nruntime: python\n", encoding="utf-8")
    (tmp_path / "pyproject.toml").write_text(toml, encoding="utf-8")


def _settings_of(tmp_path: Path, toml: str) -> Settings:
    _write(tmp_path, toml)
    return Project(tmp_path).settings


@pytest.mark.parametrize(("toml", "message"), [
    ('[tool.tapcheck]\nextend-selct = ["house"]\n',
     "[tool.tapcheck] unknown key 'extend-selct' (did you mean 'extend-select'?); known keys: exclude, "
     "extend-select, ignore, policy-packs, required-tags, select, severity"),
    ('[tool.tapcheck]\nrequired-tags = "Owner"\n', "[tool.tapcheck] required-tags: expected a list of strings, got "
                                                   "'Owner'"),
    ('[tool.tapcheck]\npolicy-packs = [1]\n', "[tool.tapcheck] policy-packs: expected a list of strings, got [1]"),
    ('[tool.tapcheck]\nbaseline = "x.json"\n', "[tool.tapcheck] unknown key 'baseline'; known keys: "),
    ('[tool]\ntapcheck = "house"\n', "[tool.tapcheck]: expected a table, got 'house'"),
])
def test_settings_refuse_unknown_keys_and_wrong_types(tmp_path: Path, toml: str, message: str) -> None:
    """A misspelled or mistyped setting stops the check (exit 2), as ruff refuses an unknown [tool.ruff] key."""
    with pytest.raises(SelectionError) as raised:
        _settings_of(tmp_path, toml)
    assert str(raised.value).startswith(message)


def test_settings_take_the_underscore_spellings(tmp_path: Path) -> None:
    settings = _settings_of(tmp_path, '[tool.tapcheck]\nrequired_tags = ["Team"]\nextend_select = ["house"]\n')
    assert (settings.required_tags, settings.extend_select) == (("Team",), ("house",))
    assert _settings_of(tmp_path, "[project]\nname = 'x'\n").required_tags == DEFAULT_REQUIRED_TAGS


def test_cli_exits_2_on_a_misspelled_setting(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    _write(tmp_path, '[tool.tapcheck]\nignroe = ["TAP029"]\n')
    assert main([str(tmp_path), "--no-synth"]) == 2
    err = capsys.readouterr().err.strip()
    assert err.startswith("tapcheck: error: [tool.tapcheck] unknown key 'ignroe' (did you mean 'ignore'?)")
    assert "\n" not in err
