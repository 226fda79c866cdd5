"""Suppression comments: ``# tapcheck: ignore[TAP020, TAP027] -- reason``.

The same comment works in Python files, in Pulumi.yaml and stack files, and in any other file a finding points
at whose comments start with ``#`` (shell scripts, Makefiles, Pipfiles). Where it applies, like ruff's ``noqa``
(https://docs.astral.sh/ruff/linter/#error-suppression) but with one addition for long lines:

- after code, it applies to its own line;
- alone on its line, it applies to the next line.

It silences only the rules it names, never another rule's finding on that line; a bare ``# tapcheck: ignore``
silences nothing. The reason after `` -- `` is for reviewers; TAP091 (a house rule) asks for it, and TAP090
reports a comment that silenced nothing (see :func:`problems`).
"""

from __future__ import annotations

import io
import re
import tokenize
from collections.abc import Callable
from dataclasses import dataclass

from .catalog import RULES
from .findings import Finding, finding

MARKER = "tapcheck:"
#: Rules about the comments themselves; a comment cannot silence them (turn them off with ``ignore`` instead).
COMMENT_RULES = frozenset({"TAP090", "TAP091"})
_SUPPRESSION = re.compile(r"#\s*tapcheck:\s*ignore\b(?:\[(?P<ids>[^\]]*)\])?(?P<rest>.*)$")
_LINE_COMMENT = re.compile(r"(?:^|\s)(#\s*tapcheck:.*)$")


@dataclass(frozen=True)
class Suppression:
    """One comment: where it is (``path`` relative to the project, 1-based ``line`` and ``column``), the line it
    applies to (``target``), the rule ids it names (upper case, as written; empty for a bare ``ignore``) and its
    ``reason`` ("" when none)."""

    path: str
    line: int
    column: int
    target: int
    rules: tuple[str, ...]
    reason: str


def _comments(text: str, python: bool) -> list[tuple[int, int, str]]:
    """``(line, 0-based column, comment text)`` of every comment holding the marker. Python comments come from
    the tokenizer, so a ``#`` inside a string is not one; other files are read line by line, where ``#`` starts a
    comment at the line start or after whitespace (YAML's rule, https://yaml.org/spec/1.2.2/#66-comments)."""
    if MARKER not in text:
        return []
    found: list[tuple[int, int, str]] = []
    if python:
        try:
            for token in tokenize.generate_tokens(io.StringIO(text).readline):
                if token.type == tokenize.COMMENT and MARKER in token.string:
                    found.append((token.start[0], token.start[1], token.string))
            return found
        except (tokenize.TokenError, SyntaxError):  # does not tokenize (TAP009): fall back to lines
            found = []
    for number, line in enumerate(text.splitlines(), 1):
        match = _LINE_COMMENT.search(line) if MARKER in line else None
        if match:
            found.append((number, match.start(1), match.group(1)))
    return found


def parse(path: str, text: str) -> list[Suppression]:
    """Every suppression comment in one file's ``text`` (``path`` relative to the project, POSIX style)."""
    lines = text.splitlines()
    out: list[Suppression] = []
    for number, column, comment in _comments(text, path.endswith(".py")):
        match = _SUPPRESSION.search(comment)
        if not match:
            continue
        alone = not lines[number - 1][:column].strip()
        ids = tuple(part.strip().upper() for part in (match.group("ids") or "").split(",") if part.strip())
        rest = match.group("rest").strip()
        reason = rest[2:].strip() if rest.startswith("--") else ""
        out.append(Suppression(path, number, column + match.start() + 1, number + 1 if alone else number, ids,
                               reason))
    return out


class Suppressions:
    """The suppression comments of one project's files, read once each, and which of them silenced something.

    ``read(path)`` gives a file's text (None when it cannot be read); paths are relative to the project."""

    def __init__(self, read: Callable[[str], str | None]) -> None:
        self._read = read
        self._files: dict[str, dict[int, list[Suppression]]] = {}
        self.used: set[tuple[Suppression, str]] = set()

    def _targets(self, path: str) -> dict[int, list[Suppression]]:
        if path not in self._files:
            text = self._read(path)
            by_target: dict[int, list[Suppression]] = {}
            for item in parse(path, text) if text else []:
                by_target.setdefault(item.target, []).append(item)
            self._files[path] = by_target
        return self._files[path]

    def silences(self, item: Finding) -> bool:
        """True when a comment on ``item``'s line (or alone on the line above) names ``item.rule``; records the
        use."""
        for comment in self._targets(item.path).get(item.line, []):
            if item.rule in comment.rules:
                self.used.add((comment, item.rule))
                return True
        return False

    def problems(self, paths: list[str], enabled: frozenset[str], complete: bool) -> list[Finding]:
        """TAP090 and TAP091 findings for the comments in ``paths`` (plus every file already read).

        TAP090: a bare ``ignore``, an id that names no rule, and, when ``complete`` (the program ran to the end
        under mocks, so every rule saw all of it), an enabled rule's id that silenced nothing. Ids of rules not
        enabled are left alone: the project may turn them on again. TAP091: a comment without a reason."""
        for path in paths:
            self._targets(path)
        out: list[Finding] = []
        for path in sorted(self._files):
            for comment in (c for group in self._files[path].values() for c in group):
                where = (comment.path, comment.line)
                if not comment.rules:
                    out.append(finding("TAP090", *where, "`# tapcheck: ignore` without rule ids silences nothing",
                                       "Name the rules it is for: `# tapcheck: ignore[TAP020] -- <reason>`.",
                                       column=comment.column))
                for rule in comment.rules:
                    if rule not in RULES:
                        out.append(finding("TAP090", *where, f"suppression names {rule}, which is no tapcheck rule",
                                           column=comment.column))
                    elif complete and rule in enabled and (comment, rule) not in self.used:
                        line = "this line" if comment.target == comment.line else f"line {comment.target}"
                        out.append(finding("TAP090", *where, f"unused suppression: no {rule} finding on {line}",
                                           column=comment.column))
                if not comment.reason and comment.rules:
                    out.append(finding("TAP091", *where, f"suppression of {', '.join(comment.rules)} gives no "
                                       "reason", column=comment.column))
        return out
