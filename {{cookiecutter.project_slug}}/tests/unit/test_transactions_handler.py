"""The transactions handler's own logic, without AWS: validation, money kept exact, paging, error answers."""

import json
from decimal import Decimal

import pytest

from lib.lambdas.transactions import handler as transactions


def test_new_transactions_need_a_positive_amount_and_a_currency():
    parsed = transactions.parse_transaction({"amount": "12.50", "currency": "eur", "description": "coffee"})
    assert parsed == {"amount": "12.50", "currency": "EUR", "description": "coffee"}
    for bad in ({}, [], {"amount": "-1", "currency": "EUR"}, {"amount": "abc", "currency": "EUR"},
                {"amount": "1", "currency": "EURO"}, {"amount": "1"}, {"amount": "NaN", "currency": "EUR"}):
        with pytest.raises(ValueError):
            transactions.parse_transaction(bad)


def test_transaction_items_keep_money_exact_in_json():
    item = transactions.new_item({"amount": "3.10", "currency": "USD", "description": ""}, "tx-1", 1700.9)
    assert item["id"] == "tx-1"
    assert item["created_at"] == 1700
    body = json.loads(transactions.response(201, {**item, "created_at": Decimal("1700")})["body"])
    assert body["amount"] == "3.10"
    assert body["created_at"] == 1700


def test_list_limit_is_bounded():
    assert transactions.list_limit(None) == transactions.DEFAULT_LIMIT
    assert transactions.list_limit({"limit": "5"}) == 5
    assert transactions.list_limit({"limit": "100000"}) == transactions.MAX_LIMIT
    for bad in ("zero", "0", "-3"):
        with pytest.raises(ValueError):
            transactions.list_limit({"limit": bad})


def test_routes_reject_bad_requests_before_touching_the_table(monkeypatch):
    monkeypatch.delenv("TABLE_NAME", raising=False)
    assert transactions.create({"body": "{"}, None)["statusCode"] == 400
    assert transactions.create({"body": '{"amount": "0", "currency": "EUR"}'}, None)["statusCode"] == 400
    assert transactions.get({"pathParameters": None}, None)["statusCode"] == 400
    assert transactions.list_transactions({"queryStringParameters": {"limit": "x"}}, None)["statusCode"] == 400


def test_routes_without_a_table_answer_503(monkeypatch):
    monkeypatch.delenv("TABLE_NAME", raising=False)
    assert transactions.create({"body": '{"amount": "1", "currency": "EUR"}'}, None)["statusCode"] == 503
    assert transactions.get({"pathParameters": {"id": "tx-1"}}, None)["statusCode"] == 503
    assert transactions.list_transactions({}, None)["statusCode"] == 503
