"""Queue: an SQS queue with a dead-letter queue, both encrypted with the stack key and reachable over TLS only."""

from dataclasses import dataclass

import pulumi
import pulumi_aws as aws

from lib.naming import Naming

FOUR_DAYS = 4 * 24 * 3600
FOURTEEN_DAYS = 14 * 24 * 3600  # the SQS maximum: failed messages stay long enough to be looked at
DATA_KEY_REUSE_SECONDS = 300  # fewer KMS calls (cost) against a short window for a reused data key


@dataclass(frozen=True)
class QueueArgs:
    """Inputs of the queue: a message moves to the dead-letter queue after `max_receive_count` failed receives."""

    naming: Naming
    kms_key_arn: pulumi.Input[str]
    max_receive_count: int = 5
    visibility_timeout_seconds: int = 30


class Queue(pulumi.ComponentResource):
    """A work queue whose poison messages land in a dead-letter queue instead of being retried forever."""

    def __init__(self, name: str, args: QueueArgs, opts: pulumi.ResourceOptions | None = None) -> None:
        super().__init__("tap:queue:Queue", name, None, opts)
        child = pulumi.ResourceOptions(parent=self)
        naming = args.naming
        # Whoever sends or receives needs this key too (through SQS): see `ecs.QueueAccess`.
        self.kms_key_arn = args.kms_key_arn

        self.dead_letter_queue = aws.sqs.Queue(
            naming.name("dlq"),
            message_retention_seconds=FOURTEEN_DAYS,
            kms_master_key_id=args.kms_key_arn,
            kms_data_key_reuse_period_seconds=DATA_KEY_REUSE_SECONDS,
            opts=child,
        )
        self.queue = aws.sqs.Queue(
            naming.name("queue"),
            message_retention_seconds=FOUR_DAYS,
            visibility_timeout_seconds=args.visibility_timeout_seconds,
            kms_master_key_id=args.kms_key_arn,
            kms_data_key_reuse_period_seconds=DATA_KEY_REUSE_SECONDS,
            redrive_policy=pulumi.Output.json_dumps(
                {"deadLetterTargetArn": self.dead_letter_queue.arn, "maxReceiveCount": args.max_receive_count}
            ),
            opts=child,
        )
        # Only this queue may send its failures here.
        aws.sqs.RedriveAllowPolicy(
            naming.name("dlq-redrive-allow"),
            queue_url=self.dead_letter_queue.url,
            redrive_allow_policy=pulumi.Output.json_dumps(
                {"redrivePermission": "byQueue", "sourceQueueArns": [self.queue.arn]}
            ),
            opts=child,
        )
        for role, queue in (("queue", self.queue), ("dlq", self.dead_letter_queue)):
            aws.sqs.QueuePolicy(
                naming.name(f"{role}-tls-only"),
                queue_url=queue.url,
                policy=pulumi.Output.json_dumps(
                    {
                        "Version": "2012-10-17",
                        "Statement": [
                            {
                                "Sid": "DenyInsecureTransport",
                                "Effect": "Deny",
                                "Principal": "*",
                                "Action": "sqs:*",
                                "Resource": queue.arn,
                                "Condition": {"Bool": {"aws:SecureTransport": "false"}},
                            }
                        ],
                    }
                ),
                opts=child,
            )

        self.outputs = {
            "queue_url": self.queue.url,
            "queue_arn": self.queue.arn,
            "dead_letter_queue_url": self.dead_letter_queue.url,
            "dead_letter_queue_arn": self.dead_letter_queue.arn,
        }
        self.register_outputs(self.outputs)
