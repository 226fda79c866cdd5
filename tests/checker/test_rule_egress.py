"""TAP035 in detail: what a workload without egress is said to lack, and what is not held against it."""

from __future__ import annotations

from helpers import run


def _messages() -> dict[str, str]:
    """TAP035 messages of the fixture, keyed by the resource they name."""
    findings = [f for f in run("TAP035-no-egress", synth=True).findings if f.rule == "TAP035"]
    return {f.message.split("'")[1]: f.message for f in findings}


def test_an_ecr_public_image_is_unreachable_through_the_ecr_endpoints() -> None:
    message = _messages()["from-ecr-public"]
    assert "image public.ecr.aws/nginx/nginx-unprivileged:1.27-alpine" in message
    assert "pull-through cache" in message


def test_a_service_the_task_role_calls_needs_its_endpoint_but_key_use_through_sqs_does_not() -> None:
    assert _messages()["sends-to-sqs"].endswith("what it needs: sqs")


def test_active_tracing_needs_the_xray_endpoint() -> None:
    assert _messages()["traced"].endswith("what it needs: xray")


def test_served_workloads_and_workloads_behind_nat_are_not_flagged() -> None:
    assert set(_messages()) == {"from-ecr-public", "sends-to-sqs", "traced"}
