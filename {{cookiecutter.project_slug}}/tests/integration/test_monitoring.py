"""The deployed monitoring: an encrypted alarm topic, a dashboard{% if cookiecutter.ecs or cookiecutter.asg %}, and a locked-down access-log bucket{% endif %}."""


def test_alarm_topic_is_encrypted(outputs, aws_session):
    attributes = aws_session.client("sns").get_topic_attributes(TopicArn=outputs["alarm_topic_arn"])["Attributes"]
    assert attributes["KmsMasterKeyId"]


def test_dashboard_exists(outputs, aws_session):
    dashboard = aws_session.client("cloudwatch").get_dashboard(DashboardName=outputs["dashboard_name"])
    assert dashboard["DashboardName"] == outputs["dashboard_name"]

{%- if cookiecutter.ecs or cookiecutter.asg %}


def test_access_log_bucket_blocks_public_access(outputs, aws_session):
    s3 = aws_session.client("s3")
    block = s3.get_public_access_block(Bucket=outputs["access_log_bucket_name"])["PublicAccessBlockConfiguration"]
    assert all(block.values())
    rules = s3.get_bucket_lifecycle_configuration(Bucket=outputs["access_log_bucket_name"])["Rules"]
    assert any(rule["Status"] == "Enabled" and "Expiration" in rule for rule in rules)
{%- endif %}
