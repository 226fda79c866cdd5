"""The webhook handler's own logic, without AWS: signature checks, body decoding, items and responses."""

import base64
import json

import pytest

from lib.lambdas.webhook import handler as webhook

SECRET = b"signing-key"


def signed(body: bytes) -> dict:
    """A Function URL event whose body is signed with SECRET."""
    return {"body": body.decode(), "headers": {"x-signature": webhook.expected_signature(SECRET, body)}}


def test_a_correct_signature_is_accepted_with_or_without_prefix():
    body = b'{"id": "evt-1"}'
    signature = webhook.expected_signature(SECRET, body)
    assert webhook.signature_valid(SECRET, body, signature)
    assert webhook.signature_valid(SECRET, body, "sha256=" + signature.upper())


@pytest.mark.parametrize("header", [None, "", "sha256=", "deadbeef"])
def test_missing_or_wrong_signatures_are_rejected(header):
    assert not webhook.signature_valid(SECRET, b"{}", header)


def test_a_signature_for_another_body_or_key_is_rejected():
    signature = webhook.expected_signature(SECRET, b'{"amount": 1}')
    assert not webhook.signature_valid(SECRET, b'{"amount": 100}', signature)
    assert not webhook.signature_valid(b"other-key", b'{"amount": 1}', signature)
    assert not webhook.signature_valid(b"", b'{"amount": 1}', signature)


def test_headers_are_found_whatever_their_case():
    event = {"headers": {"X-Signature": "abc"}}
    assert webhook.header_value(event, "x-signature") == "abc"
    assert webhook.header_value({"headers": None}, "x-signature") is None


def test_base64_bodies_are_decoded_before_verification():
    body = b'{"id": "evt-2"}'
    event = {"body": base64.b64encode(body).decode(), "isBase64Encoded": True}
    assert webhook.raw_body(event) == body
    assert webhook.raw_body({"body": '{"a": 1}'}) == b'{"a": 1}'
    assert webhook.raw_body({}) == b""


def test_webhook_item_uses_the_sender_id_or_the_request_id():
    item = webhook.build_item({"id": "evt-3", "type": "payment"}, "req-1", 1700000000.5)
    assert item["id"] == {"S": "evt-3"}
    assert item["received_at"] == {"N": "1700000000"}
    assert item["event_type"] == {"S": "payment"}
    assert json.loads(item["payload"]["S"]) == {"id": "evt-3", "type": "payment"}
    assert webhook.build_item({}, "req-1", 0)["id"] == {"S": "req-1"}


def test_webhook_rejects_a_bad_signature_before_parsing(monkeypatch):
    monkeypatch.setattr(webhook, "_secret", lambda: SECRET)
    result = webhook.handler({"body": "not json", "headers": {"x-signature": "bad"}}, None)
    assert result["statusCode"] == 401


def test_webhook_rejects_signed_non_json_and_accepts_signed_json_without_a_table(monkeypatch):
    monkeypatch.setattr(webhook, "_secret", lambda: SECRET)
    monkeypatch.delenv("TABLE_NAME", raising=False)
    result = webhook.handler(signed(b"not json"), None)
    assert result["statusCode"] == 400
    result = webhook.handler(signed(b'{"id": "evt-4"}'), None)
    assert result["statusCode"] == 202
    assert json.loads(result["body"]) == {"id": "evt-4", "stored": False}
