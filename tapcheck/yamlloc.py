"""YAML loading as Pulumi reads it, remembering the line of every key so findings point at the exact line.

Pulumi reads Pulumi.yaml and stack files with Go's ``gopkg.in/yaml.v3``, which follows the YAML 1.2 core schema
with two YAML 1.1 leftovers (https://github.com/go-yaml/yaml/tree/v3.0.1#compatibility): only ``true``/``false``
are booleans (``yes``, ``no``, ``on``, ``off`` stay strings unless decoded into a typed bool, and config values are
untyped), ``0777`` is still an octal integer, and a timestamp-looking value decoded into an untyped value stays a
string. Like yaml.v3's ``Unmarshal`` ("decodes the first document found within the in byte slice",
https://github.com/go-yaml/yaml/blob/v3.0.1/yaml.go), only the first document of a multi-document file counts:
later documents are neither read nor checked. ruamel.yaml's safe loader resolves the YAML 1.2 core schema
(https://yaml.org/spec/1.2.2/#1032-tag-resolution); this module adds the two leftovers. A duplicate key is an
error in both.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from ruamel.yaml import YAML
from ruamel.yaml.constructor import SafeConstructor
from ruamel.yaml.error import MarkedYAMLError, YAMLError
from ruamel.yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

KeyPath = tuple[Any, ...]


class YamlError(Exception):
    """A YAML document could not be parsed; ``line`` is 1-based."""

    def __init__(self, message: str, line: int) -> None:
        super().__init__(message)
        self.message = message
        self.line = line


@dataclass
class YamlDoc:
    """Plain data plus ``lines``: key path (keys and list indices) -> 1-based line of that key or item."""

    data: Any
    lines: dict[KeyPath, int] = field(default_factory=dict)

    def line(self, *path: Any, default: int = 1) -> int:
        """Line of the deepest known prefix of ``path`` (so a missing child points at its parent)."""
        for end in range(len(path), 0, -1):
            found = self.lines.get(tuple(path[:end]))
            if found is not None:
                return found
        return default


_OCTAL_1_1 = re.compile(r"[-+]?0[0-7]+")


class _GoConstructor(SafeConstructor):
    """The YAML 1.2 core schema as yaml.v3 decodes into ``interface{}``: timestamps stay strings, ``0777`` is
    octal."""

    def construct_yaml_timestamp(self, node: Any, values: Any = None) -> Any:
        """``2024-01-01`` -> ``"2024-01-01"`` (yaml.v3 keeps timestamp-like scalars as strings)."""
        return self.construct_scalar(node)

    def construct_yaml_int(self, node: Any) -> Any:
        """``017`` -> 15, as yaml.v3 reads it; every other integer as the 1.2 core schema reads it."""
        text = str(self.construct_scalar(node)).replace("_", "")
        if _OCTAL_1_1.fullmatch(text):
            return int(text, 8)
        return super().construct_yaml_int(node)


_GoConstructor.add_constructor("tag:yaml.org,2002:timestamp", _GoConstructor.construct_yaml_timestamp)
_GoConstructor.add_constructor("tag:yaml.org,2002:int", _GoConstructor.construct_yaml_int)


def _walk(node: Node, path: KeyPath, lines: dict[KeyPath, int]) -> None:
    if isinstance(node, MappingNode):
        for key_node, value_node in node.value:
            key = key_node.value if isinstance(key_node, ScalarNode) else str(key_node.value)
            lines.setdefault((*path, key), key_node.start_mark.line + 1)
            _walk(value_node, (*path, key), lines)
    elif isinstance(node, SequenceNode):
        for index, item in enumerate(node.value):
            lines[(*path, index)] = item.start_mark.line + 1
            _walk(item, (*path, index), lines)


def load_yaml(text: str) -> YamlDoc:
    """Parse the first YAML document of ``text`` (YAML 1.2 core schema), composing nodes first to keep line numbers;
    later documents are ignored, as Pulumi's yaml.v3 ``Unmarshal`` ignores them.

    Raises :class:`YamlError` (with the 1-based line) on a syntax error or a duplicate key in that document."""
    yaml = YAML(typ="safe", pure=True)
    yaml.Constructor = _GoConstructor
    try:
        # compose_all is lazy: taking one node parses up to the next `---`, as yaml.v3's parser does.
        node = next(iter(yaml.compose_all(text)), None)
        if node is None:
            return YamlDoc(None)
        data = yaml.constructor.construct_document(node)
        lines: dict[KeyPath, int] = {}
        _walk(node, (), lines)
        return YamlDoc(data, lines)
    except MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark is not None else 1
        raise YamlError(f"{exc.problem or exc}".strip(), line) from exc
    except YAMLError as exc:
        raise YamlError(str(exc), 1) from exc
