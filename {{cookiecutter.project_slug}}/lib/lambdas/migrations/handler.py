"""Applies the repository's versioned SQL migrations to the Aurora database through the RDS Data API.

Why a Lambda and the Data API: the database lives in private subnets, so nothing outside the VPC can run SQL
on it; the Data API runs statements over HTTPS with IAM and the master secret, so no database driver has to
be bundled (this file uses only the Lambda runtime's standard library and boto3).

Files are `migrations/NNNN_name.sql`, applied in version order. Each applied file is recorded in
`schema_migrations` with a checksum, so it runs once; editing a file after it was applied is an error (write a
new migration instead). A file runs in one transaction together with its `schema_migrations` row. MySQL
commits DDL implicitly, so on Aurora MySQL a failed file may leave its earlier DDL statements applied.

Environment: DATABASE_CLUSTER_ARN, DATABASE_SECRET_ARN, DATABASE_NAME.
"""

import hashlib
import logging
import os
import re
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import boto3
from botocore.exceptions import ClientError

LOGGER = logging.getLogger()
LOGGER.setLevel(logging.INFO)

MIGRATIONS_DIR = Path(__file__).resolve().parent / "migrations"
DOLLAR_TAG = re.compile(r"\$(?:[A-Za-z_][A-Za-z0-9_]*)?\$")
FILE_NAME = re.compile(r"(?P<version>\d{4})_(?P<name>[A-Za-z0-9_]+)\.sql")

# Portable between PostgreSQL and MySQL.
CREATE_TABLE = (
    "CREATE TABLE IF NOT EXISTS schema_migrations ("
    "version VARCHAR(16) PRIMARY KEY, "
    "name VARCHAR(255) NOT NULL, "
    "checksum CHAR(64) NOT NULL, "
    "applied_at TIMESTAMP NOT NULL DEFAULT CURRENT_TIMESTAMP)"
)
SELECT_APPLIED = "SELECT version, checksum FROM schema_migrations"
INSERT_APPLIED = "INSERT INTO schema_migrations (version, name, checksum) VALUES (:version, :name, :checksum)"

# A Serverless v2 cluster paused at 0 ACU answers this while it resumes (up to ~15 s).
RETRYABLE = frozenset({"DatabaseResumingException"})
ATTEMPTS = 6


class MigrationError(Exception):
    """A migration set that cannot be applied safely (bad file name, duplicate version, edited file)."""


@dataclass(frozen=True)
class Migration:
    """One SQL file: its version, its name and the checksum recorded once it is applied."""

    version: str
    name: str
    sql: str

    @property
    def checksum(self) -> str:
        """SHA-256 of the file, to notice a file edited after it was applied."""
        return hashlib.sha256(self.sql.encode("utf-8")).hexdigest()


def load_migrations(folder: Path) -> list[Migration]:
    """Every `NNNN_name.sql` of `folder`, in version order; other `.sql` names are refused, not skipped."""
    if not folder.is_dir():
        raise MigrationError(f"no migrations folder at {folder}: the function's archive must bundle migrations/")
    migrations: dict[str, Migration] = {}
    for path in sorted(folder.glob("*.sql")):
        match = FILE_NAME.fullmatch(path.name)
        if match is None:
            raise MigrationError(f"{path.name}: migration files are named NNNN_name.sql (e.g. 0002_add_orders.sql)")
        version = match["version"]
        if version in migrations:
            raise MigrationError(f"{path.name}: version {version} is also {migrations[version].name}")
        migrations[version] = Migration(version, path.name, path.read_text(encoding="utf-8"))
    return [migrations[version] for version in sorted(migrations)]


def split_statements(sql: str) -> list[str]:
    """Split a file on `;` outside quotes, comments and PostgreSQL dollar quotes (the Data API runs one statement).

    Comments are dropped; a statement that is only comments or whitespace is not returned. Quotes follow
    standard SQL (a doubled quote escapes it); backslash escapes (`E'...'`, MySQL's `\\'`) are not understood.
    """
    statements: list[str] = []
    current: list[str] = []
    index, length = 0, len(sql)
    while index < length:
        char = sql[index]
        end = index + 1
        if sql.startswith("--", index):
            newline = sql.find("\n", index)
            index = length if newline == -1 else newline
            continue
        if sql.startswith("/*", index):
            close = sql.find("*/", index + 2)
            if close == -1:
                raise MigrationError("unterminated /* comment")
            index = close + 2
            current.append(" ")
            continue
        if char in "'\"`":
            end = _closing_quote(sql, index, char)
        elif char == "$":
            tag = DOLLAR_TAG.match(sql, index)
            if tag:
                close = sql.find(tag.group(), index + len(tag.group()))
                if close == -1:
                    raise MigrationError(f"unterminated dollar quote {tag.group()}")
                end = close + len(tag.group())
        elif char == ";":
            statements.append("".join(current))
            current = []
            index = end
            continue
        current.append(sql[index:end])
        index = end
    statements.append("".join(current))
    return [statement.strip() for statement in statements if statement.strip()]


def _closing_quote(sql: str, start: int, quote: str) -> int:
    """The index just after the quote closing the literal opened at `start` (a doubled quote is an escape)."""
    index = start + 1
    while True:
        found = sql.find(quote, index)
        if found == -1:
            raise MigrationError(f"unterminated {quote} quote starting with {sql[start : start + 30]!r}")
        if sql.startswith(quote * 2, found):
            index = found + 2
            continue
        return found + 1


class DataApi:
    """The rds-data calls the migrations need, against one cluster, secret and database."""

    def __init__(self, client: Any, cluster_arn: str, secret_arn: str, database: str) -> None:
        self.client = client
        self.target = {"resourceArn": cluster_arn, "secretArn": secret_arn}
        self.database = database

    def _call(self, operation: str, **kwargs: Any) -> dict[str, Any]:
        call = getattr(self.client, operation)
        for attempt in range(1, ATTEMPTS):
            try:
                return call(**self.target, **kwargs)
            except ClientError as error:
                if error.response.get("Error", {}).get("Code") not in RETRYABLE:
                    raise
                LOGGER.info("database resuming, retrying %s (attempt %d)", operation, attempt)
                time.sleep(min(2**attempt, 20))
        return call(**self.target, **kwargs)

    def execute(self, sql: str, transaction_id: str | None = None, **parameters: str) -> dict[str, Any]:
        """Run one statement, in a transaction when given one; named string parameters bind `:name`."""
        kwargs: dict[str, Any] = {"sql": sql, "database": self.database}
        if transaction_id:
            kwargs["transactionId"] = transaction_id
        if parameters:
            kwargs["parameters"] = [{"name": key, "value": {"stringValue": value}} for key, value in parameters.items()]
        return self._call("execute_statement", **kwargs)

    def begin(self) -> str:
        """Start a transaction."""
        return self._call("begin_transaction", database=self.database)["transactionId"]

    def commit(self, transaction_id: str) -> None:
        """Commit a transaction."""
        self._call("commit_transaction", transactionId=transaction_id)

    def rollback(self, transaction_id: str) -> None:
        """Roll a transaction back."""
        self._call("rollback_transaction", transactionId=transaction_id)


def applied_checksums(api: DataApi) -> dict[str, str]:
    """Versions already applied, with their checksums (creating `schema_migrations` on the first run)."""
    api.execute(CREATE_TABLE)
    records = api.execute(SELECT_APPLIED).get("records", [])
    return {record[0]["stringValue"]: record[1]["stringValue"] for record in records}


def pending(migrations: list[Migration], applied: dict[str, str]) -> list[Migration]:
    """The migrations still to run, in order; an applied file whose content changed stops everything."""
    for migration in migrations:
        recorded = applied.get(migration.version)
        if recorded is not None and recorded != migration.checksum:
            raise MigrationError(f"{migration.name} changed after it was applied: add a new migration instead")
    return [migration for migration in migrations if migration.version not in applied]


def apply(api: DataApi, migration: Migration) -> None:
    """Run one file's statements and record it, all in one transaction."""
    transaction = api.begin()
    try:
        for statement in split_statements(migration.sql):
            api.execute(statement, transaction)
        api.execute(
            INSERT_APPLIED, transaction, version=migration.version, name=migration.name, checksum=migration.checksum
        )
    except Exception:
        api.rollback(transaction)
        raise
    api.commit(transaction)


def migrate(api: DataApi, folder: Path | None = None) -> dict[str, list[str]]:
    """Apply every pending migration of `folder` (the bundled one by default); return applied and skipped files."""
    migrations = load_migrations(folder or MIGRATIONS_DIR)
    applied = applied_checksums(api)
    todo = pending(migrations, applied)
    for migration in todo:
        LOGGER.info("applying %s", migration.name)
        apply(api, migration)
    return {
        "applied": [migration.name for migration in todo],
        "skipped": [migration.name for migration in migrations if migration.version in applied],
    }


def handler(event: dict[str, Any], context: Any) -> dict[str, list[str]]:  # pylint: disable=unused-argument
    """Lambda entry point: migrate the database named by the environment."""
    api = DataApi(
        boto3.client("rds-data"),
        cluster_arn=os.environ["DATABASE_CLUSTER_ARN"],
        secret_arn=os.environ["DATABASE_SECRET_ARN"],
        database=os.environ["DATABASE_NAME"],
    )
    result = migrate(api)
    LOGGER.info("applied %s; already applied %s", result["applied"], result["skipped"])
    return result
