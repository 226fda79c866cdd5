"""Pulumi.yaml and stack files read as Pulumi's Go YAML reader (yaml.v3, YAML 1.2 core schema) reads them."""

from __future__ import annotations

import pytest

from tapcheck.yamlloc import YamlError, load_yaml


@pytest.mark.parametrize(("text", "value"), [
    ("yes", "yes"), ("no", "no"), ("on", "on"), ("off", "off"), ("Yes", "Yes"), ("y", "y"),
    ("true", True), ("false", False), ("True", True), ("~", None), ("null", None),
    ("12", 12), ("0o17", 15), ("017", 15), ("-010", -8), ("0", 0), ("1.5", 1.5), ("2024-01-31", "2024-01-31"),
    ("'true'", "true"),
])
def test_scalars_follow_the_yaml_1_2_core_schema(text: str, value: object) -> None:
    assert load_yaml(f"config:\n  app:key: {text}\n").data == {"config": {"app:key": value}}


def test_lines_of_keys_and_items() -> None:
    doc = load_yaml("name: app\nconfig:\n  app:zones:\n    - a\n    - b\n  aws:region: us-east-1\n")
    assert (doc.line("config", "app:zones", 1), doc.line("config", "aws:region")) == (5, 6)
    assert doc.line("config", "missing") == 2  # a missing key points at its parent


@pytest.mark.parametrize(("text", "line", "words"), [
    ("config:\n  a: 1\n  a: 2\n", 3, "duplicate key"),
    ("name: app\nruntime: [python\n", 3, "expected"),
    ("name: app\n---\nname: other\n", 2, "another document"),
])
def test_malformed_yaml_is_an_error_with_its_line(text: str, line: int, words: str) -> None:
    with pytest.raises(YamlError) as caught:
        load_yaml(text)
    assert caught.value.line == line and words in caught.value.message
