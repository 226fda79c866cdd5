"""YAML loading that remembers the line of every key, so findings point at the exact line."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import yaml

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


def _walk(node: yaml.Node, path: KeyPath, lines: dict[KeyPath, int]) -> None:
    if isinstance(node, yaml.MappingNode):
        for key_node, value_node in node.value:
            key = key_node.value if isinstance(key_node, yaml.ScalarNode) else str(key_node.value)
            lines.setdefault((*path, key), key_node.start_mark.line + 1)
            _walk(value_node, (*path, key), lines)
    elif isinstance(node, yaml.SequenceNode):
        for index, item in enumerate(node.value):
            lines[(*path, index)] = item.start_mark.line + 1
            _walk(item, (*path, index), lines)


def load_yaml(text: str) -> YamlDoc:
    """Parse one YAML document with PyYAML's safe loader, composing nodes first to keep line numbers."""
    loader = yaml.SafeLoader(text)
    try:
        node = loader.get_single_node()
        if node is None:
            return YamlDoc(None)
        data = loader.construct_document(node)
        lines: dict[KeyPath, int] = {}
        _walk(node, (), lines)
        return YamlDoc(data, lines)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark is not None else 1
        raise YamlError(f"{exc.problem or exc}".strip(), line) from exc
    except yaml.YAMLError as exc:
        raise YamlError(str(exc), 1) from exc
    finally:
        loader.dispose()
