"""Hatchling build hook: record the git commit a wheel or sdist is built from in ``tapcheck/_build.py``.

``tapcheck --version`` prints it, so a report can name the exact checker that wrote it. A build from an sdist has
no git; the sdist already holds the ``_build.py`` written when it was made. An editable install writes nothing: the
checkout itself answers (``tapcheck.build_commit``). Hook interface:
https://hatch.pypa.io/latest/plugins/build-hook/reference/
"""

from __future__ import annotations

import shutil
import sys
import tempfile
from pathlib import Path
from typing import Any

from hatchling.builders.hooks.plugin.interface import BuildHookInterface

TARGET = "tapcheck/_build.py"


class CommitHook(BuildHookInterface):
    """Adds ``tapcheck/_build.py`` (``COMMIT = "<hash>"``) to wheels and sdists built from a git checkout."""

    PLUGIN_NAME = "custom"

    def initialize(self, version: str, build_data: dict[str, Any]) -> None:
        if version == "editable":
            return
        sys.path.insert(0, self.root)  # the package being built: one place for how a checkout names its commit
        try:
            from tapcheck import checkout_commit  # noqa: PLC0415
        finally:
            sys.path.remove(self.root)
        commit = checkout_commit(Path(self.root))
        if commit is None:
            recorded = Path(self.root) / TARGET  # from the sdist this build unpacked
            if recorded.is_file():
                build_data["force_include"][str(recorded)] = TARGET
            return
        self._folder = tempfile.mkdtemp(prefix="tapcheck-build-")
        generated = Path(self._folder) / "_build.py"
        generated.write_text(f'"""Written by hatch_build.py."""\n\nCOMMIT = "{commit}"\n', encoding="utf-8")
        build_data["force_include"][str(generated)] = TARGET

    def finalize(self, version: str, build_data: dict[str, Any], artifact_path: str) -> None:
        folder = getattr(self, "_folder", None)
        if folder:
            shutil.rmtree(folder, ignore_errors=True)
