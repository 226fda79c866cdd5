"""The queue: poison messages go to a dead-letter queue; both are KMS-encrypted and refuse plain HTTP."""

import json

import pytest

from lib.components.queue import Queue, QueueArgs
from lib.naming import Naming
from tests.unit.conftest import PROJECT, RecordingMocks, deploy, policy, use_stack

KEY_ARN = "arn:aws:kms:us-east-1:123456789012:key/test"
QUEUE = "aws:sqs/queue:Queue"


def build_queue(mocks: RecordingMocks, **kwargs) -> RecordingMocks:
    """A queue and its dead-letter queue, registered under `mocks`."""
    deploy(lambda: Queue("queue", QueueArgs(naming=Naming("tap", "test"), kms_key_arn=KEY_ARN, **kwargs)))
    return mocks


@pytest.fixture(scope="module")
def default_queue() -> RecordingMocks:
    """`build_queue` with its defaults, registered once for the tests of this module that only read it."""
    mocks = use_stack(PROJECT.stack_name)
    build_queue(mocks)
    use_stack(PROJECT.stack_name)  # the tests' own deployments record elsewhere
    return mocks


def queues(mocks: RecordingMocks):
    """The work queue and the dead-letter queue."""
    by_name = {queue.name: queue for queue in mocks.of_type(QUEUE)}
    return by_name["queue"], by_name["dlq"]


@pytest.mark.parametrize(("kwargs", "receives"), [({}, 5), ({"max_receive_count": 3}, 3)])
def test_failed_messages_move_to_the_dead_letter_queue(stack_mocks, kwargs, receives):
    build_queue(stack_mocks, **kwargs)
    queue, dead_letter = queues(stack_mocks)
    redrive = json.loads(queue.inputs["redrivePolicy"])
    assert redrive == {"deadLetterTargetArn": dead_letter.state["arn"], "maxReceiveCount": receives}
    assert "redrivePolicy" not in dead_letter.inputs


def test_only_the_work_queue_may_redrive_into_the_dead_letter_queue(default_queue):
    queue, dead_letter = queues(default_queue)
    allow = default_queue.one("aws:sqs/redriveAllowPolicy:RedriveAllowPolicy")
    assert allow.inputs["queueUrl"] == dead_letter.state["url"]
    assert json.loads(allow.inputs["redriveAllowPolicy"]) == {
        "redrivePermission": "byQueue",
        "sourceQueueArns": [queue.state["arn"]],
    }


def test_both_queues_are_encrypted_with_the_stack_key(default_queue):
    for queue in queues(default_queue):
        assert queue.inputs["kmsMasterKeyId"] == KEY_ARN
        assert queue.inputs["kmsDataKeyReusePeriodSeconds"] == 300


def test_retention_is_four_days_and_fourteen_for_dead_letters(default_queue):
    queue, dead_letter = queues(default_queue)
    assert queue.inputs["messageRetentionSeconds"] == 4 * 86400
    assert dead_letter.inputs["messageRetentionSeconds"] == 14 * 86400


def test_both_queues_deny_requests_without_tls(default_queue):
    policies = {p.inputs["queueUrl"]: policy(p) for p in default_queue.of_type("aws:sqs/queuePolicy:QueuePolicy")}
    for queue in queues(default_queue):
        (statement,) = policies[queue.state["url"]]["Statement"]
        assert statement["Effect"] == "Deny"
        assert statement["Principal"] == "*"
        assert statement["Action"] == "sqs:*"
        assert statement["Resource"] == queue.state["arn"]
        assert statement["Condition"] == {"Bool": {"aws:SecureTransport": "false"}}
