"""``python -m tapcheck PATH``: see :mod:`tapcheck.cli`."""

from .cli import main

raise SystemExit(main())
