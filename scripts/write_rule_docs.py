"""Write ``docs/rules/`` from the rule catalog: one page per rule (``TAPxxx.md``) and an index (``README.md``).

The words live in ``tapcheck/catalog.py`` (why, example, fix, fixed example, source); the pages are generated from
it by :mod:`tapcheck.ruledocs`. Run after adding or changing a rule::

    python scripts/write_rule_docs.py

Pages of rules no longer in the catalog are removed. ``tests/checker/test_rule_docs.py`` fails while the pages and
the catalog disagree.
"""

from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
TARGET = ROOT / "docs" / "rules"


def main() -> int:
    """Write the pages; print what changed; always 0."""
    sys.path.insert(0, str(ROOT))  # this checkout's tapcheck, not an installed one
    from tapcheck.ruledocs import pages  # noqa: PLC0415 - after the path is set

    TARGET.mkdir(parents=True, exist_ok=True)
    wanted = pages()
    for stale in sorted(set(p.name for p in TARGET.glob("*.md")) - set(wanted)):
        (TARGET / stale).unlink()
        print(f"removed docs/rules/{stale}")
    for name, text in wanted.items():
        path = TARGET / name
        if not path.is_file() or path.read_text(encoding="utf-8") != text:
            path.write_text(text, encoding="utf-8", newline="\n")
            print(f"wrote docs/rules/{name}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
