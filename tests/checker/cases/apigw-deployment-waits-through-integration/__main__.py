"""A REST API whose deployment waits for the integration, and the integration for the method (it takes the
method's http_method Output): the engine creates method -> integration -> deployment in that order."""
import json

import pulumi
import pulumi_aws as aws

role = aws.iam.Role("fn-role", assume_role_policy=json.dumps({
    "Version": "2012-10-17",
    "Statement": [{"Effect": "Allow", "Action": "sts:AssumeRole",
                   "Principal": {"Service": "lambda.amazonaws.com"}}]}))
fn = aws.lambda_.Function("fn", runtime="python3.12", handler="index.handler", role=role.arn,
                          code=pulumi.AssetArchive({"index.py": pulumi.StringAsset(
                              "def handler(event, context):\n    return {'statusCode': 200}\n")}))

api = aws.apigateway.RestApi("api")
method = aws.apigateway.Method("root-any", rest_api=api.id, resource_id=api.root_resource_id,
                               http_method="ANY", authorization="NONE")
integration = aws.apigateway.Integration("root-any", rest_api=api.id, resource_id=api.root_resource_id,
                                         http_method=method.http_method, integration_http_method="POST",
                                         type="AWS_PROXY", uri=fn.invoke_arn)
deployment = aws.apigateway.Deployment("api", rest_api=api.id,
                                       triggers={"redeployment": integration.id},
                                       opts=pulumi.ResourceOptions(depends_on=[integration]))
stage = aws.apigateway.Stage("prod", rest_api=api.id, deployment=deployment.id, stage_name="prod")
aws.lambda_.Permission("api-invoke", action="lambda:InvokeFunction", function=fn.name,
                       principal="apigateway.amazonaws.com",
                       source_arn=pulumi.Output.concat(api.execution_arn, "/*/*"))

pulumi.export("url", stage.invoke_url)
