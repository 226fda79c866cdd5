"""The deployed webhook function: traced, its secret encrypted, its URL IAM-only."""

import pytest


def test_function_is_traced_and_logs_to_its_own_group(outputs, aws_session):
    function = aws_session.client("lambda").get_function_configuration(FunctionName=outputs["lambda_function_name"])
    assert function["FunctionArn"] == outputs["lambda_function_arn"]
    assert function["TracingConfig"]["Mode"] == "Active"
    assert function["Runtime"] == "python3.12"
    assert function["LoggingConfig"]["LogGroup"]


def test_signing_secret_is_encrypted_with_a_customer_key(outputs, aws_session):
    secret = aws_session.client("secretsmanager").describe_secret(SecretId=outputs["webhook_secret_arn"])
    assert secret["KmsKeyId"].startswith("arn:aws")


def test_function_url_requires_iam_when_enabled(outputs, aws_session):
    if "lambda_function_url" not in outputs:
        pytest.skip("functionUrl is false for this stack")
    config = aws_session.client("lambda").get_function_url_config(FunctionName=outputs["lambda_function_name"])
    assert config["AuthType"] == "AWS_IAM"
    assert config["FunctionUrl"] == outputs["lambda_function_url"]
