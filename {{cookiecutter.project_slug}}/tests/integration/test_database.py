"""The deployed database: encrypted, private, reachable only from allowed security groups."""


def _database(outputs, rds):
    """The cluster (Aurora) or instance (RDS) description behind database_cluster_arn."""
    arn = outputs["database_cluster_arn"]
    if ":cluster:" in arn:
        return rds.describe_db_clusters(DBClusterIdentifier=arn)["DBClusters"][0]
    return rds.describe_db_instances(DBInstanceIdentifier=arn)["DBInstances"][0]


def test_database_is_encrypted_and_serves_the_exported_endpoint(outputs, aws_session):
    database = _database(outputs, aws_session.client("rds"))
    assert database["StorageEncrypted"] is True
    assert database["KmsKeyId"]
    if isinstance(database["Endpoint"], str):  # an Aurora cluster
        endpoint, port = database["Endpoint"], database["Port"]
    else:
        endpoint, port = database["Endpoint"]["Address"], database["Endpoint"]["Port"]
    assert endpoint == outputs["database_endpoint"]
    assert port == outputs["database_port"]


def test_no_database_instance_is_publicly_accessible(outputs, aws_session):
    rds = aws_session.client("rds")
    database = _database(outputs, rds)
    if "DBClusterMembers" in database:
        identifiers = [member["DBInstanceIdentifier"] for member in database["DBClusterMembers"]]
        instances = [rds.describe_db_instances(DBInstanceIdentifier=i)["DBInstances"][0] for i in identifiers]
        assert database["HttpEndpointEnabled"] is True
    else:
        instances = [database]
    assert instances
    assert all(instance["PubliclyAccessible"] is False for instance in instances)


def test_security_group_admits_only_other_security_groups_on_the_database_port(outputs, aws_session):
    ec2 = aws_session.client("ec2")
    group = ec2.describe_security_groups(GroupIds=[outputs["database_security_group_id"]])["SecurityGroups"][0]
    for permission in group["IpPermissions"]:
        assert permission["FromPort"] == permission["ToPort"] == outputs["database_port"]
        assert not permission.get("IpRanges") and not permission.get("Ipv6Ranges")
        assert permission["UserIdGroupPairs"]


def test_master_secret_is_encrypted_with_the_stack_key(outputs, aws_session):
    secret = aws_session.client("secretsmanager").describe_secret(SecretId=outputs["database_secret_arn"])
    assert secret["KmsKeyId"]
