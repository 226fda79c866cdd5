"""Jinja extension the template loads (``_extensions`` in cookiecutter.json) to refuse a project folder name that
would escape the output folder.

Cookiecutter renders the project folder's name and creates that folder before any hook runs (the pre-generation
hook runs inside it: https://cookiecutter.readthedocs.io/en/stable/advanced/hooks.html), so a slug such as
``../x`` must be refused while the answers are rendered. Cookiecutter puts the template's folder on ``sys.path``
for local extensions (https://cookiecutter.readthedocs.io/en/stable/advanced/local_extensions.html); cruft does
the same, so ``cruft create`` and ``cruft update`` refuse alike.
"""

from __future__ import annotations

import re

from cookiecutter.exceptions import FailedHookException
from jinja2 import Environment
from jinja2.ext import Extension

# Device names Windows reserves for every file and folder, with or without an extension, and the trailing dot or
# space it drops (https://learn.microsoft.com/en-us/windows/win32/fileio/naming-a-file): a repo named so cannot be
# created or checked out on Windows.
WINDOWS_RESERVED = re.compile(r"(CON|PRN|AUX|NUL|(COM|LPT)[0-9\u00b9\u00b2\u00b3])(\..*)?", re.IGNORECASE)


def folder_name(slug: str) -> str:
    """Return *slug* when it names one folder inside the output folder.

    Raises:
        FailedHookException: *slug* is empty, only dots, holds a path separator or ``..``, is a name Windows
            reserves, or ends with a dot or space. Cookiecutter's command line prints this exception's message as
            one line and exits 1, as for a failed hook.
    """
    if not slug.strip(". ") or "/" in slug or "\\" in slug or ".." in slug:
        raise FailedHookException(
            f"project_slug = {slug!r}: must be a folder name, without path separators or '..' "
            "(nothing was written)"
        )
    if WINDOWS_RESERVED.fullmatch(slug) or slug.endswith((".", " ")):
        raise FailedHookException(
            f"project_slug = {slug!r}: Windows cannot create a folder of that name (reserved device names such as "
            "CON, NUL or COM1, and names ending with a dot or space); choose another (nothing was written)"
        )
    return slug


class AnswerGuards(Extension):
    """Adds the ``folder_name`` filter."""

    def __init__(self, environment: Environment) -> None:
        super().__init__(environment)
        environment.filters["folder_name"] = folder_name
