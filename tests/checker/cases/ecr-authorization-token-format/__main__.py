"""Log in to a private ECR registry the way Pulumi's docker examples do: the token is base64 of "AWS:<password>"."""
import base64

import pulumi
import pulumi_aws as aws

repo = aws.ecr.Repository("app")


def registry(registry_id: str) -> dict:
    creds = aws.ecr.get_credentials(registry_id=registry_id)
    username, password = base64.b64decode(creds.authorization_token).decode("utf-8").split(":")
    return {"server": creds.proxy_endpoint, "username": username, "password": password}


token = aws.ecr.get_authorization_token()
user, _ = base64.b64decode(token.authorization_token).decode("utf-8").split(":")

login = repo.registry_id.apply(registry)
pulumi.export("registry_server", login["server"])
pulumi.export("registry_user", user)
