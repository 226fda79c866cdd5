"""The deployed cache: encrypted, token-protected, and open only to other security groups on 6379."""


def _group(outputs, aws_session):
    """The replication group whose primary endpoint the stack exports."""
    groups = aws_session.client("elasticache").describe_replication_groups()["ReplicationGroups"]
    (group,) = [
        g for g in groups if g["NodeGroups"][0]["PrimaryEndpoint"]["Address"] == outputs["cache_primary_endpoint"]
    ]
    return group


def test_cache_is_encrypted_and_requires_a_token(outputs, aws_session):
    group = _group(outputs, aws_session)
    assert group["AtRestEncryptionEnabled"] is True
    assert group["TransitEncryptionEnabled"] is True
    assert group["AuthTokenEnabled"] is True
    assert group["KmsKeyId"]
    assert group["NodeGroups"][0]["PrimaryEndpoint"]["Port"] == outputs["cache_port"]


def test_security_group_admits_only_other_security_groups_on_the_cache_port(outputs, aws_session):
    ec2 = aws_session.client("ec2")
    group = ec2.describe_security_groups(GroupIds=[outputs["cache_security_group_id"]])["SecurityGroups"][0]
    for permission in group["IpPermissions"]:
        assert permission["FromPort"] == permission["ToPort"] == outputs["cache_port"]
        assert not permission.get("IpRanges") and not permission.get("Ipv6Ranges")


def test_auth_secret_is_encrypted_with_the_stack_key(outputs, aws_session):
    secret = aws_session.client("secretsmanager").describe_secret(SecretId=outputs["cache_auth_secret_arn"])
    assert secret["KmsKeyId"]
