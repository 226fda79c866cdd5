"""The deployed stack: outputs name the stack, and its KMS key rotates."""


def test_outputs_name_the_stack(outputs):
    assert outputs["stack"]
    assert outputs["environment_suffix"]


def test_kms_key_rotation_is_on(outputs, aws_session):
    kms = aws_session.client("kms")
    assert kms.get_key_rotation_status(KeyId=outputs["kms_key_arn"])["KeyRotationEnabled"] is True
