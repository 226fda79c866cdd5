"""The deployed transactions API: stage traced and logged, WAF attached, unauthenticated calls refused."""

import urllib.error
import urllib.request


def test_stage_is_traced_and_access_logged(outputs, aws_session):
    stage = aws_session.client("apigateway").get_stage(
        restApiId=outputs["rest_api_id"], stageName=outputs["api_stage_name"]
    )
    assert stage["tracingEnabled"] is True
    assert stage["accessLogSettings"]["destinationArn"].startswith("arn:aws")


def test_web_acl_protects_the_stage(outputs, aws_session):
    region = aws_session.region_name
    stage_arn = f"arn:aws:apigateway:{region}::/restapis/{outputs['rest_api_id']}/stages/{outputs['api_stage_name']}"
    acl = aws_session.client("wafv2").get_web_acl_for_resource(ResourceArn=stage_arn)["WebACL"]
    assert acl["ARN"] == outputs["web_acl_arn"]


def test_functions_are_traced(outputs, aws_session):
    client = aws_session.client("lambda")
    assert len(outputs["transaction_function_names"]) == 3
    for name in outputs["transaction_function_names"]:
        assert client.get_function_configuration(FunctionName=name)["TracingConfig"]["Mode"] == "Active"


def test_unsigned_requests_are_refused(outputs):
    status = 0
    try:
        with urllib.request.urlopen(outputs["api_url"] + "/transactions", timeout=10) as reply:
            status = reply.status
    except urllib.error.HTTPError as error:
        status = error.code
    assert status == 403
