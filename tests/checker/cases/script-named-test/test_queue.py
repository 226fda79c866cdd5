"""Manual smoke script: send one message to the deployed queue (run: python test_queue.py URL)."""
import argparse

import boto3


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("queue_url")
    boto3.client("sqs").send_message(QueueUrl=parser.parse_args().queue_url, MessageBody="ping")


if __name__ == "__main__":
    main()
