"""Which rules run and how severe their findings are: ``select``, ``extend-select``, ``ignore`` and ``severity``.

Selectors follow ruff's semantics (https://docs.astral.sh/ruff/linter/#rule-selection): a selector is ``ALL``, a
group name (``pulumi``, ``aws``, ``security``, ``house``, ``tests``), a rule id prefix (``TAP02``) or a rule id.
``select`` replaces the default set (every group but ``house``), ``extend-select`` adds to it and ``ignore``
removes from it; when a rule is both selected and ignored, the more specific selector wins (an id beats a
prefix, a longer prefix beats a shorter one, a prefix beats a group, a group beats ``ALL``), and ``ignore`` wins
a tie. ``severity`` maps selectors to ``error`` or ``warning`` with the same specificity (generated repos make
``security`` errors).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from .catalog import DEFAULT_GROUPS, ERROR, GROUPS, RULES, WARNING

SEVERITIES = (ERROR, WARNING)


class SelectionError(ValueError):
    """A selector or severity names no rule, prefix or group; the message names the setting and the value."""


def _specificity(selector: str, rule: str) -> int | None:
    """How specifically ``selector`` names ``rule`` (higher is more specific), or None when it does not."""
    if selector == "ALL":
        return 0
    if selector in GROUPS:
        return 1 if RULES[rule].group == selector else None
    return 2 + len(selector) if rule.startswith(selector) else None


def normalize(selector: str, setting: str) -> str:
    """``Security`` -> ``security``, ``tap020`` -> ``TAP020``, ``all`` -> ``ALL``.

    Raises :class:`SelectionError` when the selector matches no group, rule or rule prefix."""
    text = selector.strip()
    if text.lower() in GROUPS:
        return text.lower()
    upper = text.upper()
    if upper == "ALL" or (upper.startswith("TAP") and any(rule.startswith(upper) for rule in RULES)):
        return upper
    raise SelectionError(f"{setting}: unknown rule selector {selector!r} (expected ALL, a group "
                         f"({', '.join(GROUPS)}), a rule id such as TAP020, or a prefix such as TAP02)")


def _best(selectors: Iterable[str], rule: str) -> int:
    return max((s for sel in selectors if (s := _specificity(sel, rule)) is not None), default=-1)


@dataclass(frozen=True)
class Selection:
    """The resolved rule set: ``enabled`` rule ids and each enabled rule's severity."""

    enabled: frozenset[str]
    severities: Mapping[str, str] = field(default_factory=dict)

    def severity(self, rule: str) -> str:
        """The severity findings of ``rule`` get (the catalog's unless ``severity`` overrides it)."""
        return self.severities.get(rule, RULES[rule].severity)


def resolve(select: Iterable[str] | None = None, extend_select: Iterable[str] = (), ignore: Iterable[str] = (),
            severity: Mapping[str, str] | None = None) -> Selection:
    """Resolve selectors into a :class:`Selection`.

    ``select=None`` means the default groups. Raises :class:`SelectionError` for an unknown selector or a
    severity other than ``error``/``warning``."""
    chosen = [normalize(s, "select") for s in select] if select is not None else list(DEFAULT_GROUPS)
    chosen += [normalize(s, "extend-select") for s in extend_select]
    dropped = [normalize(s, "ignore") for s in ignore]
    levels: dict[str, str] = {}
    for selector, level in (severity or {}).items():
        if level not in SEVERITIES:
            raise SelectionError(f"severity: {selector!r} = {level!r}; expected one of {', '.join(SEVERITIES)}")
        levels[normalize(selector, "severity")] = level
    enabled = frozenset(rule for rule, row in RULES.items()
                        if not row.retired and _best(chosen, rule) > _best(dropped, rule))
    severities: dict[str, str] = {}
    for rule in enabled:
        ranked = [(spec, level) for sel, level in levels.items() if (spec := _specificity(sel, rule)) is not None]
        if ranked:
            severities[rule] = max(ranked)[1]
    return Selection(enabled, severities)
