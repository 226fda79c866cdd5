"""The deployed migrations function: traced, in the VPC, and able to migrate the database."""

import json


def test_function_runs_in_the_vpc_with_tracing(outputs, aws_session):
    config = aws_session.client("lambda").get_function_configuration(FunctionName=outputs["migrations_function_name"])
    assert config["FunctionArn"] == outputs["migrations_function_arn"]
    assert config["VpcConfig"]["SubnetIds"]
    assert config["VpcConfig"]["SecurityGroupIds"]
    assert config["TracingConfig"]["Mode"] == "Active"


def test_invoking_applies_every_migration_once(outputs, aws_session):
    client = aws_session.client("lambda")
    first = client.invoke(FunctionName=outputs["migrations_function_name"])
    assert "FunctionError" not in first, first["Payload"].read().decode("utf-8")
    result = json.loads(first["Payload"].read())
    assert "0001_initial.sql" in result["applied"] + result["skipped"]
    again = json.loads(client.invoke(FunctionName=outputs["migrations_function_name"])["Payload"].read())
    assert again["applied"] == []
    assert "0001_initial.sql" in again["skipped"]
