"""Migrations: the Lambda's wiring and least privilege, and the handler's ordering, once-only and splitting rules."""

from pathlib import Path
from typing import Any

import pytest
from botocore.exceptions import ClientError

from lib.components.migrations import CODE, SQL, Migrations, MigrationsArgs
from lib.lambdas.migrations import handler
from lib.naming import Naming
from tests.unit.conftest import PROJECT, RecordingMocks, deploy, policy, use_stack

KEY_ARN = "arn:aws:kms:us-east-1:123456789012:key/test"
CLUSTER_ARN = "arn:aws:rds:us-east-1:123456789012:cluster:tap-db-test"
SECRET_ARN = "arn:aws:secretsmanager:us-east-1:123456789012:secret:tap-db-secret-test"
SUBNETS = ["subnet-private-a", "subnet-private-b"]
EGRESS = "aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule"


def migrations_args(engine: str = "aurora-postgresql", port: int = 5432) -> MigrationsArgs:
    """Migrations of a test cluster in two private subnets."""
    return MigrationsArgs(
        naming=Naming("tap", "test"),
        region="us-east-1",
        engine=engine,
        vpc_id="vpc-test",
        private_subnet_ids=SUBNETS,
        kms_key_arn=KEY_ARN,
        log_retention_days=30,
        database_cluster_arn=CLUSTER_ARN,
        database_secret_arn=SECRET_ARN,
        database_name="app",
        database_port=port,
        database_security_group_id="sg-db",
    )


def build_migrations(mocks: RecordingMocks, **kwargs: Any) -> RecordingMocks:
    """Register the migrations component under `mocks`."""
    deploy(lambda: Migrations("migrations", migrations_args(**kwargs)))
    return mocks


# ----- the component ------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def default_migrations() -> RecordingMocks:
    """`build_migrations` with its defaults, registered once for the tests of this module that only read it."""
    mocks = use_stack(PROJECT.stack_name)
    build_migrations(mocks)
    use_stack(PROJECT.stack_name)  # the tests' own deployments record elsewhere
    return mocks


def test_function_runs_in_private_subnets_with_tracing_and_its_environment(default_migrations):
    function = default_migrations.one("aws:lambda/function:Function")
    groups = default_migrations.of_type("aws:ec2/securityGroup:SecurityGroup")
    (own_group,) = [g for g in groups if "migrations" in g.name]
    assert function.inputs["vpcConfig"] == {"subnetIds": SUBNETS, "securityGroupIds": [own_group.id]}
    assert function.inputs["tracingConfig"] == {"mode": "Active"}
    assert function.inputs["handler"] == "handler.handler"
    assert function.inputs["kmsKeyArn"] == KEY_ARN
    assert function.inputs["environment"]["variables"] == {
        "DATABASE_CLUSTER_ARN": CLUSTER_ARN,
        "DATABASE_SECRET_ARN": SECRET_ARN,
        "DATABASE_NAME": "app",
    }


def test_archive_bundles_the_handler_and_the_sql_files(default_migrations):
    assets = default_migrations.one("aws:lambda/function:Function").inputs["code"].assets
    assert set(assets) == {"handler.py", "migrations"}
    assert Path(assets["handler.py"].path) == CODE / "handler.py"
    assert Path(assets["migrations"].path) == SQL
    assert (CODE / "handler.py").is_file()
    assert handler.load_migrations(SQL), "the repository ships at least one migration"


def test_logs_go_to_an_encrypted_log_group_with_retention(default_migrations):
    function = default_migrations.one("aws:lambda/function:Function")
    log_group = default_migrations.one("aws:cloudwatch/logGroup:LogGroup")
    assert function.inputs["loggingConfig"]["logGroup"] == log_group.state["name"]
    assert log_group.inputs["kmsKeyId"] == KEY_ARN
    assert log_group.inputs["retentionInDays"] == 30


def test_role_may_only_use_the_data_api_on_its_cluster_and_read_its_secret(default_migrations):
    statements = {s["Sid"]: s for s in policy(default_migrations.one("aws:iam/rolePolicy:RolePolicy"))["Statement"]}
    assert statements["DataApi"]["Resource"] == CLUSTER_ARN
    assert all(action.startswith("rds-data:") for action in statements["DataApi"]["Action"])
    assert statements["DatabaseSecret"] == {
        "Sid": "DatabaseSecret",
        "Effect": "Allow",
        "Action": "secretsmanager:GetSecretValue",
        "Resource": SECRET_ARN,
    }
    assert statements["StackKey"]["Action"] == "kms:Decrypt"
    assert statements["StackKey"]["Resource"] == KEY_ARN
    assert all(s["Resource"] != "*" and "*" not in s["Action"] for s in statements.values())
    trust = policy(default_migrations.one("aws:iam/role:Role"), "assumeRolePolicy")
    assert trust["Statement"][0]["Principal"] == {"Service": "lambda.amazonaws.com"}


def test_managed_policies_cover_vpc_networking_and_xray_only(default_migrations):
    attached = sorted(
        a.inputs["policyArn"] for a in default_migrations.of_type("aws:iam/rolePolicyAttachment:RolePolicyAttachment")
    )
    assert attached == [
        "arn:aws:iam::aws:policy/AWSXRayDaemonWriteAccess",
        "arn:aws:iam::aws:policy/service-role/AWSLambdaVPCAccessExecutionRole",
    ]


@pytest.mark.parametrize(("engine", "port"), [("aurora-postgresql", 5432), ("aurora-mysql", 3306)])
def test_egress_only_to_the_data_api_endpoint_and_the_database_port(stack_mocks, engine, port):
    build_migrations(stack_mocks, engine=engine, port=port)
    groups = {g.name: g for g in stack_mocks.of_type("aws:ec2/securityGroup:SecurityGroup")}
    own, endpoint_group = groups["migrations-sg"], groups["rds-data-endpoint-sg"]
    rules = {
        (r.inputs["referencedSecurityGroupId"], r.inputs["fromPort"], r.inputs["toPort"])
        for r in stack_mocks.of_type(EGRESS)
    }
    assert all(r.inputs["securityGroupId"] == own.id for r in stack_mocks.of_type(EGRESS))
    assert rules == {(endpoint_group.id, 443, 443), ("sg-db", port, port)}
    assert not any("cidrIpv4" in r.inputs for r in stack_mocks.of_type(EGRESS))
    ingress = stack_mocks.one("aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule")
    assert ingress.inputs["securityGroupId"] == endpoint_group.id
    assert ingress.inputs["referencedSecurityGroupId"] == own.id


def test_data_api_is_reached_through_a_private_interface_endpoint(default_migrations):
    endpoint = default_migrations.one("aws:ec2/vpcEndpoint:VpcEndpoint")
    assert endpoint.inputs["serviceName"] == "com.amazonaws.us-east-1.rds-data"
    assert endpoint.inputs["vpcEndpointType"] == "Interface"
    assert endpoint.inputs["privateDnsEnabled"] is True
    assert endpoint.inputs["subnetIds"] == SUBNETS


@pytest.mark.parametrize("engine", ["postgres", "mysql"])
def test_rds_engines_without_the_data_api_are_refused(engine):
    with pytest.raises(ValueError, match="Data API"):
        migrations_args(engine=engine)


# ----- the handler ----------------------------------------------------------------------------------------------


class FakeDataApi:
    """A stand-in for boto3's rds-data client: remembers statements, keeps schema_migrations rows in memory."""

    def __init__(self, applied: dict[str, str] | None = None, fail_on: str | None = None, resuming: int = 0) -> None:
        self.rows = dict(applied or {})
        self.fail_on = fail_on
        self.resuming = resuming
        self.calls: list[tuple[str, dict[str, Any]]] = []
        self.pending: dict[str, list[dict[str, str]]] = {}

    def _record(self, operation: str, kwargs: dict[str, Any]) -> None:
        if self.resuming:
            self.resuming -= 1
            raise ClientError({"Error": {"Code": "DatabaseResumingException", "Message": "resuming"}}, operation)
        assert kwargs["resourceArn"] == CLUSTER_ARN
        assert kwargs["secretArn"] == SECRET_ARN
        self.calls.append((operation, kwargs))

    def begin_transaction(self, **kwargs: Any) -> dict[str, Any]:
        """Open a transaction."""
        self._record("begin_transaction", kwargs)
        transaction = f"tx{len(self.pending)}"
        self.pending[transaction] = []
        return {"transactionId": transaction}

    def execute_statement(self, **kwargs: Any) -> dict[str, Any]:
        """Run one statement: schema_migrations reads and inserts are simulated."""
        self._record("execute_statement", kwargs)
        sql = kwargs["sql"]
        if self.fail_on and self.fail_on in sql:
            raise RuntimeError(f"syntax error in {sql}")
        if sql.startswith("SELECT version"):
            return {"records": [[{"stringValue": v}, {"stringValue": c}] for v, c in sorted(self.rows.items())]}
        if sql.startswith("INSERT INTO schema_migrations"):
            values = {p["name"]: p["value"]["stringValue"] for p in kwargs["parameters"]}
            self.pending[kwargs["transactionId"]].append(values)
        return {"numberOfRecordsUpdated": 0}

    def commit_transaction(self, **kwargs: Any) -> dict[str, Any]:
        """Keep the transaction's schema_migrations rows."""
        self._record("commit_transaction", kwargs)
        for values in self.pending.pop(kwargs["transactionId"]):
            self.rows[values["version"]] = values["checksum"]
        return {"transactionStatus": "Transaction Committed"}

    def rollback_transaction(self, **kwargs: Any) -> dict[str, Any]:
        """Drop the transaction's schema_migrations rows."""
        self._record("rollback_transaction", kwargs)
        self.pending.pop(kwargs["transactionId"])
        return {"transactionStatus": "Rollback Complete"}

    def statements(self) -> list[str]:
        """SQL run so far, in order."""
        return [kwargs["sql"] for operation, kwargs in self.calls if operation == "execute_statement"]


def write(folder: Path, files: dict[str, str]) -> Path:
    """A migrations folder holding `files`."""
    for name, sql in files.items():
        (folder / name).write_text(sql, encoding="utf-8")
    return folder


def api_for(fake: FakeDataApi) -> handler.DataApi:
    """The handler's Data API wrapper around the fake client."""
    return handler.DataApi(fake, cluster_arn=CLUSTER_ARN, secret_arn=SECRET_ARN, database="app")


def test_files_are_applied_in_version_order_each_in_a_transaction(tmp_path):
    folder = write(
        tmp_path,
        {
            "0002_b.sql": "CREATE TABLE b (id INT);",
            "0001_a.sql": "CREATE TABLE a (id INT);",
            "0010_c.sql": "CREATE TABLE c (id INT);",
            "README.md": "not a migration",
        },
    )
    fake = FakeDataApi()
    result = handler.migrate(api_for(fake), folder)
    assert result == {"applied": ["0001_a.sql", "0002_b.sql", "0010_c.sql"], "skipped": []}
    creates = [sql for sql in fake.statements() if sql.startswith("CREATE TABLE ") and "schema_migrations" not in sql]
    assert creates == ["CREATE TABLE a (id INT)", "CREATE TABLE b (id INT)", "CREATE TABLE c (id INT)"]
    assert sorted(fake.rows) == ["0001", "0002", "0010"]
    assert [op for op, _ in fake.calls].count("commit_transaction") == 3
    assert all(kwargs["database"] == "app" for op, kwargs in fake.calls if op == "execute_statement")


def test_schema_migrations_is_created_before_it_is_read(tmp_path):
    fake = FakeDataApi()
    handler.migrate(api_for(fake), write(tmp_path, {"0001_a.sql": "SELECT 1;"}))
    assert fake.statements()[:2] == [handler.CREATE_TABLE, handler.SELECT_APPLIED]


def test_applied_files_are_skipped(tmp_path):
    folder = write(tmp_path, {"0001_a.sql": "CREATE TABLE a (id INT);", "0002_b.sql": "CREATE TABLE b (id INT);"})
    first = handler.load_migrations(folder)[0]
    fake = FakeDataApi(applied={"0001": first.checksum})
    result = handler.migrate(api_for(fake), folder)
    assert result == {"applied": ["0002_b.sql"], "skipped": ["0001_a.sql"]}
    assert "CREATE TABLE a (id INT)" not in fake.statements()
    again = handler.migrate(api_for(fake), folder)
    assert again == {"applied": [], "skipped": ["0001_a.sql", "0002_b.sql"]}


def test_a_file_edited_after_it_was_applied_stops_the_run(tmp_path):
    folder = write(tmp_path, {"0001_a.sql": "CREATE TABLE a (id INT);", "0002_b.sql": "CREATE TABLE b (id INT);"})
    fake = FakeDataApi(applied={"0001": "0" * 64})
    with pytest.raises(handler.MigrationError, match=r"0001_a\.sql changed"):
        handler.migrate(api_for(fake), folder)
    assert "CREATE TABLE b (id INT)" not in fake.statements()


def test_a_failing_statement_rolls_back_and_records_nothing(tmp_path):
    folder = write(tmp_path, {"0001_a.sql": "CREATE TABLE a (id INT);", "0002_b.sql": "CREATE TABLE b (id INT);"})
    fake = FakeDataApi(fail_on="CREATE TABLE b")
    with pytest.raises(RuntimeError, match="syntax error"):
        handler.migrate(api_for(fake), folder)
    assert fake.rows == {"0001": handler.load_migrations(folder)[0].checksum}
    assert [op for op, _ in fake.calls][-1] == "rollback_transaction"


def test_the_record_is_written_in_the_files_transaction(tmp_path):
    fake = FakeDataApi()
    handler.migrate(api_for(fake), write(tmp_path, {"0001_a.sql": "CREATE TABLE a (id INT);"}))
    in_transaction = [kwargs for op, kwargs in fake.calls if op == "execute_statement" and "transactionId" in kwargs]
    assert [kwargs["sql"] for kwargs in in_transaction] == ["CREATE TABLE a (id INT)", handler.INSERT_APPLIED]
    assert {kwargs["transactionId"] for kwargs in in_transaction} == {"tx0"}


def test_a_resuming_cluster_is_retried(tmp_path, monkeypatch):
    monkeypatch.setattr(handler.time, "sleep", lambda seconds: None)
    fake = FakeDataApi(resuming=2)
    result = handler.migrate(api_for(fake), write(tmp_path, {"0001_a.sql": "SELECT 1;"}))
    assert result["applied"] == ["0001_a.sql"]


@pytest.mark.parametrize(
    ("names", "message"),
    [(["1_init.sql"], "NNNN_name.sql"), (["0001_a.sql", "0001_b.sql"], "version 0001"), (["0001-a.sql"], "NNNN")],
)
def test_badly_named_or_duplicate_files_are_refused(tmp_path, names, message):
    with pytest.raises(handler.MigrationError, match=message):
        handler.load_migrations(write(tmp_path, dict.fromkeys(names, "SELECT 1;")))


@pytest.mark.parametrize(
    ("sql", "statements"),
    [
        (
            "CREATE TABLE a (id INT);\nCREATE TABLE b (id INT);\n",
            ["CREATE TABLE a (id INT)", "CREATE TABLE b (id INT)"],
        ),
        ("INSERT INTO t VALUES ('a;b', 'it''s; fine');", ["INSERT INTO t VALUES ('a;b', 'it''s; fine')"]),
        ('SELECT "odd;name" FROM t; SELECT `x;y` FROM t', ['SELECT "odd;name" FROM t', "SELECT `x;y` FROM t"]),
        ("-- header; with a semicolon\nSELECT 1; -- trailing; note\n", ["SELECT 1"]),
        ("/* block; comment */ SELECT 1;\n/* only a comment; */", ["SELECT 1"]),
        (
            "CREATE FUNCTION f() RETURNS int AS $$ BEGIN RETURN 1; END; $$ LANGUAGE plpgsql;\nSELECT f();",
            ["CREATE FUNCTION f() RETURNS int AS $$ BEGIN RETURN 1; END; $$ LANGUAGE plpgsql", "SELECT f()"],
        ),
        ("DO $body$ BEGIN PERFORM 1; END $body$;", ["DO $body$ BEGIN PERFORM 1; END $body$"]),
        ("SELECT $1::int;", ["SELECT $1::int"]),
        ("   \n;;\n", []),
    ],
)
def test_statements_split_on_semicolons_outside_quotes_comments_and_dollar_quotes(sql, statements):
    assert handler.split_statements(sql) == statements


def test_a_missing_migrations_folder_is_an_error_not_an_empty_run(tmp_path):
    with pytest.raises(handler.MigrationError, match="no migrations folder"):
        handler.load_migrations(tmp_path / "missing")


@pytest.mark.parametrize("sql", ["SELECT 'open;", "SELECT 1 /* open", "DO $$ BEGIN"])
def test_unterminated_quotes_and_comments_are_errors(sql):
    with pytest.raises(handler.MigrationError, match="unterminated"):
        handler.split_statements(sql)


def test_shipped_migrations_parse():
    migrations = handler.load_migrations(SQL)
    assert [m.version for m in migrations] == sorted(m.version for m in migrations)
    assert all(handler.split_statements(m.sql) for m in migrations)


def test_handler_reads_its_target_from_the_environment(monkeypatch):
    fake = FakeDataApi()
    monkeypatch.setenv("DATABASE_CLUSTER_ARN", CLUSTER_ARN)
    monkeypatch.setenv("DATABASE_SECRET_ARN", SECRET_ARN)
    monkeypatch.setenv("DATABASE_NAME", "app")
    monkeypatch.setattr(handler.boto3, "client", lambda service: fake if service == "rds-data" else None)
    monkeypatch.setattr(handler, "MIGRATIONS_DIR", SQL)  # where the archive puts the repository's migrations/
    result = handler.handler({}, None)
    assert result["applied"] == [m.name for m in handler.load_migrations(SQL)]
    assert fake.rows
