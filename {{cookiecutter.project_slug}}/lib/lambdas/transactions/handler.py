"""Transactions API: create, get and list transactions in DynamoDB, one Lambda entry point per route.

Each route runs as its own function (`handler.create`, `handler.get`, `handler.list_transactions`) so each has
only the DynamoDB action it needs. Standard library and boto3 only. Environment: TABLE_NAME (key `id`, string).
"""

import json
import logging
import os
import time
import uuid
from decimal import Decimal, InvalidOperation
from typing import Any

import boto3

LOGGER = logging.getLogger()
LOGGER.setLevel(logging.INFO)

DEFAULT_LIMIT = 25
MAX_LIMIT = 100
MAX_DESCRIPTION = 256


def response(status: int, body: Any) -> dict[str, Any]:
    """An API Gateway proxy response with a JSON body (DynamoDB numbers become ints)."""
    return {
        "statusCode": status,
        "headers": {"Content-Type": "application/json"},
        "body": json.dumps(body, default=_json_default),
    }


def _json_default(value: Any) -> Any:
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else str(value)
    raise TypeError(f"{type(value).__name__} is not JSON serialisable")


def parse_transaction(payload: Any) -> dict[str, str]:
    """A validated new transaction: a positive decimal amount (kept as a string, never a float) and a currency."""
    if not isinstance(payload, dict):
        raise ValueError("body must be a JSON object")
    try:
        amount = Decimal(str(payload["amount"]))
    except (KeyError, InvalidOperation) as error:
        raise ValueError("amount must be a decimal number") from error
    if not amount.is_finite() or amount <= 0:
        raise ValueError("amount must be positive")
    currency = str(payload.get("currency", "")).upper()
    if len(currency) != 3 or not currency.isalpha():
        raise ValueError("currency must be a three-letter ISO 4217 code")
    description = str(payload.get("description", ""))[:MAX_DESCRIPTION]
    return {"amount": str(amount), "currency": currency, "description": description}


def new_item(transaction: dict[str, str], transaction_id: str, created_at: float) -> dict[str, Any]:
    """The DynamoDB item for a new transaction."""
    return {"id": transaction_id, "created_at": int(created_at), **transaction}


def list_limit(query: dict[str, str] | None) -> int:
    """The page size asked for in `?limit=`, capped so one request cannot scan the whole table."""
    raw = (query or {}).get("limit")
    if raw is None:
        return DEFAULT_LIMIT
    if not raw.isdigit() or int(raw) < 1:
        raise ValueError("limit must be a positive integer")
    return min(int(raw), MAX_LIMIT)


def _table() -> Any:
    name = os.environ.get("TABLE_NAME")
    return boto3.resource("dynamodb").Table(name) if name else None


def create(event: dict[str, Any], context: Any) -> dict[str, Any]:
    """POST /transactions: validate and store a new transaction."""
    try:
        transaction = parse_transaction(json.loads(event.get("body") or ""))
    except ValueError as error:
        return response(400, {"error": str(error)})
    table = _table()
    if table is None:
        return response(503, {"error": "no table configured"})
    item = new_item(transaction, str(uuid.uuid4()), time.time())
    table.put_item(Item=item, ConditionExpression="attribute_not_exists(id)")
    LOGGER.info("created transaction %s (request %s)", item["id"], getattr(context, "aws_request_id", "-"))
    return response(201, item)


def get(event: dict[str, Any], context: Any) -> dict[str, Any]:  # pylint: disable=unused-argument
    """GET /transactions/{id}: one transaction, or 404."""
    transaction_id = (event.get("pathParameters") or {}).get("id")
    if not transaction_id:
        return response(400, {"error": "missing transaction id"})
    table = _table()
    if table is None:
        return response(503, {"error": "no table configured"})
    item = table.get_item(Key={"id": transaction_id}).get("Item")
    return response(200, item) if item else response(404, {"error": "transaction not found"})


def list_transactions(event: dict[str, Any], context: Any) -> dict[str, Any]:  # pylint: disable=unused-argument
    """GET /transactions: one page of transactions; `?cursor=` continues after the last id returned."""
    query = event.get("queryStringParameters") or {}
    try:
        limit = list_limit(query)
    except ValueError as error:
        return response(400, {"error": str(error)})
    table = _table()
    if table is None:
        return response(503, {"error": "no table configured"})
    scan: dict[str, Any] = {"Limit": limit}
    if query.get("cursor"):
        scan["ExclusiveStartKey"] = {"id": query["cursor"]}
    page = table.scan(**scan)
    cursor = (page.get("LastEvaluatedKey") or {}).get("id")
    return response(200, {"items": page.get("Items", []), "cursor": cursor})
