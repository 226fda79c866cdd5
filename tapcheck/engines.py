"""Dated table of database engine versions that RDS accepts for new clusters and instances.

Why a table: a hard-coded version that AWS no longer offers (aurora-postgresql ``15.3`` in seed 003) only
fails at deploy time ("Cannot find version 15.3 for aurora-postgresql"). Offline, the checker compares
hard-coded versions with this table; the mocks answer ``aws.rds.get_engine_version`` from it.

Sources (checked 2026-01): AWS Aurora PostgreSQL release notes (majors 13-17; the 2025 releases 17.6, 16.10,
15.14, 14.19, 13.22), Aurora MySQL 3 release notes (8.0.mysql_aurora.3.04-3.10 lines), RDS for PostgreSQL
and RDS for MySQL supported-version pages. Minors that AWS deprecated for new clusters are left out on
purpose. Refresh the table when AWS releases new minors; the lookup ``aws.rds.get_engine_version`` stays
right without refreshing.
"""

from __future__ import annotations

TABLE_DATE = "2026-01"

_AURORA_PG: dict[str, tuple[str, ...]] = {
    "13": ("13.9", "13.10", "13.11", "13.12", "13.13", "13.14", "13.15", "13.16", "13.17", "13.18", "13.20",
           "13.21", "13.22"),
    "14": ("14.6", "14.7", "14.8", "14.9", "14.10", "14.11", "14.12", "14.13", "14.15", "14.17", "14.18",
           "14.19"),
    "15": ("15.4", "15.5", "15.6", "15.7", "15.8", "15.10", "15.12", "15.13", "15.14"),
    "16": ("16.1", "16.2", "16.3", "16.4", "16.6", "16.8", "16.9", "16.10"),
    "17": ("17.4", "17.5", "17.6"),
}

_AURORA_MYSQL: dict[str, tuple[str, ...]] = {
    "8.0": tuple(
        f"8.0.mysql_aurora.3.{minor}"
        for minor in ("04.0", "04.1", "04.2", "04.3", "04.4", "05.2", "06.0", "06.1", "07.1", "08.0", "08.1",
                      "08.2", "09.0", "10.0", "10.1", "10.2", "10.3")
    ),
}

_POSTGRES: dict[str, tuple[str, ...]] = {
    "13": tuple(f"13.{m}" for m in range(15, 23)),
    "14": tuple(f"14.{m}" for m in range(12, 20)),
    "15": tuple(f"15.{m}" for m in range(7, 15)),
    "16": tuple(f"16.{m}" for m in range(3, 11)),
    "17": tuple(f"17.{m}" for m in range(1, 7)),
}

_MYSQL: dict[str, tuple[str, ...]] = {
    "8.0": tuple(f"8.0.{m}" for m in range(36, 44)),
    "8.4": tuple(f"8.4.{m}" for m in range(3, 7)),
}

#: engine -> major -> known-valid full versions, oldest first.
KNOWN_VERSIONS: dict[str, dict[str, tuple[str, ...]]] = {
    "aurora-postgresql": _AURORA_PG,
    "aurora-mysql": _AURORA_MYSQL,
    "postgres": _POSTGRES,
    "mysql": _MYSQL,
}

#: engine -> the default major that ``get_engine_version`` answers with when no version is asked for.
DEFAULT_MAJOR: dict[str, str] = {"aurora-postgresql": "16", "aurora-mysql": "8.0", "postgres": "16", "mysql": "8.0"}


def major_of(engine: str, version: str) -> str:
    """Return the major version the way RDS groups versions (``16`` for PostgreSQL, ``8.0`` for MySQL)."""
    parts = version.split(".")
    if engine in ("aurora-postgresql", "postgres"):
        return parts[0]
    return ".".join(parts[:2])


def is_known(engine: str, version: str) -> bool | None:
    """True/False when the engine is in the table, None when the table has no opinion about the engine."""
    majors = KNOWN_VERSIONS.get(engine)
    if majors is None:
        return None
    if version in majors:  # a bare major such as "16": RDS picks the default minor
        return True
    return version in majors.get(major_of(engine, version), ())


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
    """Valid versions of the same major, newest first, to put in a fix hint."""
    majors = KNOWN_VERSIONS.get(engine, {})
    same = majors.get(major_of(engine, version))
    if same:
        return list(reversed(same))[:3]
    return [v[-1] for v in majors.values()][-3:]
