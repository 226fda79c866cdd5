"""The deployed queues: encrypted, TLS-only, failures redriven to the dead-letter queue."""

import json


def _attributes(aws_session, url):
    return aws_session.client("sqs").get_queue_attributes(QueueUrl=url, AttributeNames=["All"])["Attributes"]


def test_queue_redrives_to_the_dead_letter_queue(outputs, aws_session):
    attributes = _attributes(aws_session, outputs["queue_url"])
    assert attributes["QueueArn"] == outputs["queue_arn"]
    redrive = json.loads(attributes["RedrivePolicy"])
    assert redrive["deadLetterTargetArn"] == outputs["dead_letter_queue_arn"]
    assert int(redrive["maxReceiveCount"]) >= 1


def test_both_queues_are_kms_encrypted_and_deny_plain_http(outputs, aws_session):
    for url in (outputs["queue_url"], outputs["dead_letter_queue_url"]):
        attributes = _attributes(aws_session, url)
        assert attributes["KmsMasterKeyId"]
        statements = json.loads(attributes["Policy"])["Statement"]
        assert any(
            s["Effect"] == "Deny" and s["Condition"] == {"Bool": {"aws:SecureTransport": "false"}} for s in statements
        )
