"""The deployed table: on demand, KMS-encrypted, point-in-time recovery on."""


def test_table_is_on_demand_and_kms_encrypted(outputs, aws_session):
    table = aws_session.client("dynamodb").describe_table(TableName=outputs["dynamodb_table_name"])["Table"]
    assert table["TableArn"] == outputs["dynamodb_table_arn"]
    assert table["BillingModeSummary"]["BillingMode"] == "PAY_PER_REQUEST"
    assert table["SSEDescription"]["SSEType"] == "KMS"
    assert table["SSEDescription"]["Status"] == "ENABLED"


def test_point_in_time_recovery_is_on(outputs, aws_session):
    backups = aws_session.client("dynamodb").describe_continuous_backups(TableName=outputs["dynamodb_table_name"])
    recovery = backups["ContinuousBackupsDescription"]["PointInTimeRecoveryDescription"]
    assert recovery["PointInTimeRecoveryStatus"] == "ENABLED"
