"""Baselines: record today's findings in a file, then fail only on new ones (adopting the checker on a legacy repo).

A finding is recognised by its fingerprint: the rule, the path and the text of its line (whitespace collapsed),
hashed, plus its rank among findings with the same hash (``<hash>:2`` for the second). Line numbers are not part
of it, so code added above a finding does not make it new; editing the finding's own line does. This is the
scheme of GitHub code scanning's ``primaryLocationLineHash`` (https://docs.github.com/en/code-security/
code-scanning/integrating-with-code-scanning/sarif-support-for-code-scanning#providing-data-to-track-code-
scanning-alerts-across-runs), which SARIF output reuses.

The file is JSON::

    {"tool": "tapcheck", "version": "<tapcheck version>", "format": 1,
     "findings": [{"project_path", "rule", "path", "fingerprint", "message"}, ...]}

``project_path`` is the project folder as given on the command line, so a baseline is used from the folder it
was written in, with the same paths.
"""

from __future__ import annotations

import hashlib
import json
from collections import Counter
from collections.abc import Callable
from pathlib import Path, PurePath

from . import __version__
from .findings import Finding, Report

FORMAT = 1


class BaselineError(ValueError):
    """The baseline file cannot be read or is not a tapcheck baseline; the message names the file."""


def line_hash(rule: str, path: str, text: str) -> str:
    """The first 16 hex digits of SHA-256 over the rule, the path and the line's text with whitespace collapsed
    (indentation changes do not make a finding new)."""
    key = "\0".join((rule, path, " ".join(text.split())))
    return hashlib.sha256(key.encode("utf-8")).hexdigest()[:16]


def fingerprints(findings: list[Finding], line_text: Callable[[str, int], str]) -> list[str]:
    """Fingerprints of ``findings`` (in their order): ``<line_hash>:<rank>``. ``line_text(path, line)`` gives
    a line's text ("" when unknown)."""
    seen: Counter[str] = Counter()
    out = []
    for item in findings:
        digest = line_hash(item.rule, item.path, line_text(item.path, item.line))
        seen[digest] += 1
        out.append(f"{digest}:{seen[digest]}")
    return out


def _project_key(report: Report) -> str:
    return PurePath(report.path).as_posix()


def entries(reports: list[Report]) -> list[dict[str, str]]:
    """Every finding of ``reports`` as a baseline entry ``{"project_path", "rule", "path", "fingerprint",
    "message"}`` (the message is for the reader of the file; matching ignores it)."""
    return [{"project_path": _project_key(r), "rule": f.rule, "path": f.path, "fingerprint": f.fingerprint,
             "message": f.message} for r in reports for f in r.findings]


def write(recorded: list[dict[str, str]], path: str | Path) -> None:
    """Write baseline ``recorded`` entries (see :func:`entries`) to the file ``path``."""
    data = {"tool": "tapcheck", "version": __version__, "format": FORMAT, "findings": recorded}
    Path(path).write_text(json.dumps(data, indent=2) + "\n", encoding="utf-8")


def read(path: str | Path) -> list[dict[str, str]]:
    """The entries of a baseline file. Raises :class:`BaselineError` when it is missing, not JSON, or not a
    tapcheck baseline of a format this version reads."""
    try:
        data = json.loads(Path(path).read_text(encoding="utf-8"))
    except OSError as exc:
        raise BaselineError(f"cannot read baseline {path}: {exc.strerror}") from exc
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise BaselineError(f"baseline {path} is not JSON: {exc}") from exc
    entries = data.get("findings") if isinstance(data, dict) else None
    if not isinstance(data, dict) or data.get("tool") != "tapcheck" or data.get("format") != FORMAT \
            or not isinstance(entries, list):
        raise BaselineError(f"baseline {path} is not a tapcheck baseline (format {FORMAT}); write one with "
                            "--write-baseline")
    keys = ("project_path", "rule", "path", "fingerprint")
    if not all(isinstance(e, dict) and all(isinstance(e.get(k), str) for k in keys) for e in entries):
        raise BaselineError(f"baseline {path}: every finding needs {', '.join(keys)}")
    return entries


def apply(reports: list[Report], recorded: list[dict[str, str]], name: str) -> None:
    """Drop the findings ``recorded`` lists from ``reports`` (in place) and add a note to each project saying
    how many were baselined and which entries no longer match a finding (fixed, or their line changed).
    Entries of projects not checked in this run are left alone. ``name`` is the file, for the notes."""
    for report in reports:
        project = _project_key(report)
        mine = {(e["rule"], e["path"], e["fingerprint"]): e for e in recorded if e["project_path"] == project}
        if not mine:
            continue
        found = {(f.rule, f.path, f.fingerprint) for f in report.findings}
        report.findings = [f for f in report.findings if (f.rule, f.path, f.fingerprint) not in mine]
        hidden = len(found & mine.keys())
        note = f"baseline {name}: {hidden} recorded finding{'s' if hidden != 1 else ''} not shown"
        gone = [entry for key, entry in mine.items() if key not in found]
        if gone:
            listed = "; ".join(f"{e['rule']} {e['path']}: {e.get('message', '')}".rstrip(": ") for e in gone[:10])
            more = f"; and {len(gone) - 10} more" if len(gone) > 10 else ""
            note += (f"; {len(gone)} recorded finding{'s are' if len(gone) != 1 else ' is'} gone (fixed, or its "
                     f"line changed; --write-baseline drops them): {listed}{more}")
        report.notes.append(note)
