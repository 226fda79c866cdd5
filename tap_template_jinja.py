"""Jinja extension the template loads (``_extensions`` in cookiecutter.json) to refuse a project folder name that
would escape the output folder.

Cookiecutter renders the project folder's name and creates that folder before any hook runs (the pre-generation
hook runs inside it: https://cookiecutter.readthedocs.io/en/stable/advanced/hooks.html), so a slug such as
``../x`` must be refused while the answers are rendered. Cookiecutter puts the template's folder on ``sys.path``
for local extensions (https://cookiecutter.readthedocs.io/en/stable/advanced/local_extensions.html); cruft does
the same, so ``cruft create`` and ``cruft update`` refuse alike.
"""

from __future__ import annotations

from cookiecutter.exceptions import FailedHookException
from jinja2 import Environment
from jinja2.ext import Extension


def folder_name(slug: str) -> str:
    """Return *slug* when it names one folder inside the output folder.

    Raises:
        FailedHookException: *slug* is empty, only dots, or holds a path separator or ``..``. Cookiecutter's
            command line prints this exception's message as one line and exits 1, as for a failed hook.
    """
    if not slug.strip(". ") or "/" in slug or "\\" in slug or ".." in slug:
        raise FailedHookException(
            f"project_slug = {slug!r}: must be a folder name, without path separators or '..' "
            "(nothing was written)"
        )
    return slug


class AnswerGuards(Extension):
    """Adds the ``folder_name`` filter."""

    def __init__(self, environment: Environment) -> None:
        super().__init__(environment)
        environment.filters["folder_name"] = folder_name
