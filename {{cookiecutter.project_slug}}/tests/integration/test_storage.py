"""The deployed bucket: KMS encryption on and public access blocked."""


def test_bucket_is_encrypted_with_kms(outputs, aws_session):
    s3 = aws_session.client("s3")
    rules = s3.get_bucket_encryption(Bucket=outputs["bucket_name"])["ServerSideEncryptionConfiguration"]["Rules"]
    assert rules[0]["ApplyServerSideEncryptionByDefault"]["SSEAlgorithm"] == "aws:kms"


def test_public_access_is_blocked(outputs, aws_session):
    s3 = aws_session.client("s3")
    block = s3.get_public_access_block(Bucket=outputs["bucket_name"])["PublicAccessBlockConfiguration"]
    assert all(block.values())
