"""Dated table of the database engine versions RDS offers for new clusters and instances.

Why a table: a hard-coded version that AWS no longer offers (aurora-postgresql ``15.3``) only fails at deploy
time ("Cannot find version 15.3 for aurora-postgresql"). Offline, the checker compares hard-coded versions with
``data/rds_engine_versions.json``; the mocks answer ``aws.rds.get_engine_version`` from it.

The table is the output of ``scripts/update_engine_versions.py``, which reads saved ``aws rds
describe-db-engine-versions`` JSON (https://docs.aws.amazon.com/AmazonRDS/latest/APIReference/
API_DescribeDBEngineVersions.html) and keeps versions whose status is ``available``; it carries the day it was
made. A version older than the newest listed one of its major and not listed is retired (RDS rejects it); a
version newer than the table knows may have been released since, so the checker says so in a note instead.

Majors past their end of standard support are not retired while RDS Extended Support lasts: RDS still creates
them, enrolls them in Extended Support and charges for it (https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/
extended-support-overview.html), unless the request opts out with ``engine_lifecycle_support``
``open-source-rds-extended-support-disabled``.
"""

from __future__ import annotations

import datetime
import json
import re
from pathlib import Path
from typing import Literal

_TABLE = json.loads((Path(__file__).resolve().parent / "data" / "rds_engine_versions.json").read_text("utf-8"))

#: The day the table was made from ``describe-db-engine-versions``.
TABLE_DATE: str = _TABLE["date"]


def major_of(engine: str, version: str) -> str:
    """Return the major version the way RDS groups versions (``16`` for PostgreSQL, ``8.0`` for MySQL)."""
    parts = version.split(".")
    if engine in ("aurora-postgresql", "postgres"):
        return parts[0]
    return ".".join(parts[:2])


def version_key(version: str) -> tuple[int, ...]:
    """Numeric sort key: ``8.0.mysql_aurora.3.04.0`` -> (8, 0, 3, 4, 0); ``15.10`` sorts after ``15.9``."""
    return tuple(int(n) for n in re.findall(r"\d+", version))


def _by_major(engine: str, versions: list[str]) -> dict[str, tuple[str, ...]]:
    majors: dict[str, list[str]] = {}
    for version in sorted(versions, key=version_key):
        majors.setdefault(major_of(engine, version), []).append(version)
    return {major: tuple(items) for major, items in majors.items()}


#: engine -> major -> offered full versions, oldest first.
KNOWN_VERSIONS: dict[str, dict[str, tuple[str, ...]]] = {
    engine: _by_major(engine, versions) for engine, versions in _TABLE["engines"].items()
}

#: engine -> the default major that ``get_engine_version`` answers with when no version is asked for.
DEFAULT_MAJOR: dict[str, str] = {"aurora-postgresql": "16", "aurora-mysql": "8.0", "postgres": "16", "mysql": "8.0"}

#: engine -> major -> the RDS end of standard support date. Extended Support runs "up to 3 years past the RDS end of
#: standard support date" (https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/extended-support.html); dates
#: from the RDS for MySQL and PostgreSQL release calendars and the Aurora version policies
#: (https://docs.aws.amazon.com/AmazonRDS/latest/PostgreSQLReleaseNotes/postgresql-release-calendar.html,
#: https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/MySQL.Concepts.VersionMgmt.html).
STANDARD_SUPPORT_END: dict[str, dict[str, datetime.date]] = {
    "mysql": {"5.7": datetime.date(2024, 2, 29)},
    "postgres": {"11": datetime.date(2024, 2, 29), "12": datetime.date(2025, 2, 28),
                 "13": datetime.date(2026, 2, 28)},
    "aurora-mysql": {"5.7": datetime.date(2024, 10, 31)},
    "aurora-postgresql": {"11": datetime.date(2024, 2, 29), "12": datetime.date(2025, 2, 28),
                          "13": datetime.date(2026, 2, 28)},
}
EXTENDED_SUPPORT_YEARS = 3
#: ``engine_lifecycle_support`` value that opts a new database out of Extended Support (the API default enrolls it).
EXTENDED_SUPPORT_DISABLED = "open-source-rds-extended-support-disabled"

Status = Literal["offered", "retired", "newer"]


def extended_support(engine: str, version: str, today: datetime.date | None = None) -> tuple[str, str] | None:
    """``(end of standard support, end of Extended Support)`` as ISO dates when ``version``'s major is past its RDS
    end of standard support and still within Extended Support on ``today`` (default: the current day); None
    otherwise (still in standard support, past Extended Support, or an engine or major the table does not list)."""
    ended = STANDARD_SUPPORT_END.get(engine, {}).get(major_of(engine, version))
    if ended is None:
        return None
    last = ended.replace(year=ended.year + EXTENDED_SUPPORT_YEARS, day=28 if ended.month == 2 else ended.day)
    if not ended < (today or datetime.date.today()) <= last:
        return None
    return ended.isoformat(), last.isoformat()


def status(engine: str, version: str) -> Status | None:
    """``offered`` when the table lists the version (or it is a bare major such as ``16``, for which RDS picks the
    default minor), ``retired`` when it is older than the newest listed version of its major (or of an older
    major) and not listed, ``newer`` when it is past what the table knows; None for engines not in the table."""
    majors = KNOWN_VERSIONS.get(engine)
    if not majors:
        return None
    if version in majors:
        return "offered"
    major = major_of(engine, version)
    same = majors.get(major)
    if same is not None:
        if version in same:
            return "offered"
        return "retired" if version_key(version) < version_key(same[-1]) else "newer"
    newest_major = max(majors, key=version_key)
    return "newer" if version_key(major) > version_key(newest_major) else "retired"


def is_known(engine: str, version: str) -> bool | None:
    """True when the table offers the version, False when it does not, None when the engine is not in it."""
    found = status(engine, version)
    return None if found is None else found == "offered"


def default_version(engine: str, requested: str | None = None) -> str | None:
    """The version ``get_engine_version`` would answer: the requested one when valid, else the newest default."""
    majors = KNOWN_VERSIONS.get(engine)
    if not majors:
        return None
    if requested:
        if is_known(engine, requested) and requested not in majors:
            return requested
        major = major_of(engine, requested) if requested not in majors else requested
        if major in majors:
            return majors[major][-1]
    return majors[DEFAULT_MAJOR[engine]][-1]


def parameter_group_family(engine: str, version: str) -> str:
    """The parameter group family RDS reports for an engine version (``aurora-postgresql16``, ``mysql8.0``)."""
    return f"{engine}{major_of(engine, version)}"


def suggestions(engine: str, version: str) -> list[str]:
    """Offered versions of the same major, newest first, to put in a fix hint."""
    majors = KNOWN_VERSIONS.get(engine, {})
    same = majors.get(major_of(engine, version))
    if same:
        return list(reversed(same))[:3]
    return [v[-1] for v in majors.values()][-3:]
