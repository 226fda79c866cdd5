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
])
def test_malformed_yaml_is_an_error_with_its_line(text: str, line: int, words: str) -> None:
    with pytest.raises(YamlError) as caught:
        load_yaml(text)
    assert caught.value.line == line and words in caught.value.message


@pytest.mark.parametrize("text", [
    "name: app\nruntime: python\n---\nname: other\n",
    "---\nname: app\nruntime: python\n---\nruntime: nodejs\n",
    "name: app\nruntime: python\n...\n---\nruntime: [nodejs\n",  # a later document is not even parsed
    "name: app\nruntime: python\n---\nname: a\nname: b\n",  # nor checked for duplicate keys
])
def test_only_the_first_document_counts_as_in_yaml_v3_unmarshal(text: str) -> None:
    doc = load_yaml(text)
    assert doc.data == {"name": "app", "runtime": "python"}
    assert doc.line("runtime") == text.split("\n").index("runtime: python") + 1


def test_an_error_in_the_first_document_is_still_an_error() -> None:
    with pytest.raises(YamlError) as caught:
        load_yaml("name: a\nname: b\n---\nname: c\n")
    assert "duplicate key" in caught.value.message and caught.value.line == 2
