"""Webhook receiver: accepts an event only when its HMAC-SHA256 signature matches the shared secret, then stores it.

Runs on Lambda (python3.12) behind a Function URL. Standard library and boto3 only, so no packaging step is needed.
Environment: SECRET_ARN (the signing secret in Secrets Manager), TABLE_NAME (optional DynamoDB table, key `id`).
"""

import base64
import hashlib
import hmac
import json
import logging
import os
import time
import uuid
from typing import Any

import boto3

LOGGER = logging.getLogger()
LOGGER.setLevel(logging.INFO)

SIGNATURE_HEADER = "x-signature"
SIGNATURE_PREFIX = "sha256="

_SECRET_CACHE: dict[str, bytes] = {}


def expected_signature(secret: bytes, body: bytes) -> str:
    """The hex HMAC-SHA256 of the raw body that a sender holding `secret` puts in the signature header."""
    return hmac.new(secret, body, hashlib.sha256).hexdigest()


def signature_valid(secret: bytes, body: bytes, header: str | None) -> bool:
    """True when `header` (hex, optionally prefixed `sha256=`) signs `body`; compared in constant time."""
    if not header or not secret:
        return False
    provided = header.strip()
    if provided.startswith(SIGNATURE_PREFIX):
        provided = provided[len(SIGNATURE_PREFIX) :]
    return hmac.compare_digest(provided.lower(), expected_signature(secret, body))


def header_value(event: dict[str, Any], name: str) -> str | None:
    """A request header, whatever case the client used (Function URLs lower-case them, API Gateway does not)."""
    for key, value in (event.get("headers") or {}).items():
        if key.lower() == name.lower():
            return value
    return None


def raw_body(event: dict[str, Any]) -> bytes:
    """The body exactly as it was signed: Lambda base64-encodes binary bodies."""
    body = event.get("body") or ""
    if event.get("isBase64Encoded"):
        return base64.b64decode(body)
    return body.encode("utf-8")


def build_item(payload: dict[str, Any], request_id: str, received_at: float) -> dict[str, dict[str, str]]:
    """The DynamoDB item for one event: the sender's `id` when given, else the request id."""
    event_id = str(payload.get("id") or request_id)
    return {
        "id": {"S": event_id},
        "received_at": {"N": str(int(received_at))},
        "event_type": {"S": str(payload.get("type", "unknown"))},
        "payload": {"S": json.dumps(payload, separators=(",", ":"), sort_keys=True)},
    }


def response(status: int, body: dict[str, Any]) -> dict[str, Any]:
    """A Function URL / API Gateway proxy response with a JSON body."""
    return {"statusCode": status, "headers": {"Content-Type": "application/json"}, "body": json.dumps(body)}


def _secret() -> bytes:
    arn = os.environ["SECRET_ARN"]
    if arn not in _SECRET_CACHE:
        value = boto3.client("secretsmanager").get_secret_value(SecretId=arn)["SecretString"]
        _SECRET_CACHE[arn] = value.encode("utf-8")
    return _SECRET_CACHE[arn]


def handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    """Verify the signature, parse the JSON body and store it; 401 on a bad signature, 400 on bad JSON."""
    body = raw_body(event)
    if not signature_valid(_secret(), body, header_value(event, SIGNATURE_HEADER)):
        LOGGER.warning("rejected webhook: missing or invalid signature")
        return response(401, {"error": "invalid signature"})
    try:
        payload = json.loads(body)
    except ValueError:
        return response(400, {"error": "body must be JSON"})
    if not isinstance(payload, dict):
        return response(400, {"error": "body must be a JSON object"})
    request_id = getattr(context, "aws_request_id", None) or str(uuid.uuid4())
    item = build_item(payload, request_id, time.time())
    table = os.environ.get("TABLE_NAME")
    if table:
        client = boto3.client("dynamodb")
        try:
            # Senders retry: an event id already stored is acknowledged, not written twice.
            client.put_item(TableName=table, Item=item, ConditionExpression="attribute_not_exists(id)")
        except client.exceptions.ConditionalCheckFailedException:
            return response(200, {"id": item["id"]["S"], "duplicate": True})
    LOGGER.info("accepted webhook %s", item["id"]["S"])
    return response(202, {"id": item["id"]["S"], "stored": bool(table)})
