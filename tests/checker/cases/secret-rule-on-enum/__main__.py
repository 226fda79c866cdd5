import pulumi
import pulumi_aws as aws

# api_key_source says where API Gateway reads the key from ("HEADER" or "AUTHORIZER"); it is not a secret.
api = aws.apigateway.RestApi("api", api_key_source="HEADER")
pulumi.export("api_id", api.id)
pulumi.export("stack", pulumi.get_stack())
