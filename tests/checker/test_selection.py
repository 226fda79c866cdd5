"""Rule selection with ruff's semantics: defaults, select, extend-select, ignore, specificity, severity."""

import pytest

from tapcheck.catalog import RULES
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
