"""Payments over HTTP on the local stack: a new reader is refused, checks out (the offline fake of
Stripe's Checkout), Stripe's signed events arrive at the webhook, the reader's refreshed token reads
the full essay within 10 s, and a cancellation closes the paywall again once the cache TTL runs out."""

from __future__ import annotations

import json
import time
import urllib.error
import urllib.request
import uuid
from http import HTTPStatus
from typing import Any

import boto3
import pytest
from essays_cli.devserver import sign_in
from essays_cli.stripefake import Reader, event_for, signed

pytestmark = pytest.mark.e2e


def request(
    url: str,
    method: str = "GET",
    token: str | None = None,
    body: bytes | None = None,
    headers: dict[str, str] | None = None,
) -> tuple[int, Any]:
    sent = {**(headers or {}), **({"Authorization": f"Bearer {token}"} if token else {})}
    call = urllib.request.Request(url, data=body, method=method, headers=sent)
    try:
        with urllib.request.urlopen(call, timeout=30) as response:  # a cold function on a busy machine
            status, raw = response.status, response.read()
    except urllib.error.HTTPError as error:
        status, raw = error.code, error.read()
    return status, json.loads(raw) if raw else None


def cognito(stack: dict[str, Any]) -> Any:
    return boto3.client(
        "cognito-idp",
        endpoint_url=stack["endpointUrl"],
        region_name=stack["region"],
        aws_access_key_id="000000000000",
        aws_secret_access_key="local",
    )


def send_event(stack: dict[str, Any], kind: str, reader: Reader, secret: str | None = None) -> tuple[int, Any]:
    body = json.dumps(event_for(kind, reader))
    headers = {
        "Content-Type": "application/json",
        "Stripe-Signature": signed(body, secret or stack["stripeWebhookSecret"]),
    }
    return request(stack["webhookUrl"], "POST", body=body.encode(), headers=headers)


def new_reader(stack: dict[str, Any]) -> tuple[Reader, str, str]:
    sub, access, refresh = sign_in(
        cognito(stack), stack["userPoolId"], stack["userPoolClientId"], f"reader-{uuid.uuid4().hex[:10]}@example.com"
    )
    return Reader(sub), access, refresh


def refreshed(stack: dict[str, Any], refresh_token: str) -> str:
    """What the web client does on Checkout's success page: a new access token (which misses the
    authorizer's cache, so the new subscription is seen at once)."""
    answer = cognito(stack).initiate_auth(
        ClientId=stack["userPoolClientId"],
        AuthFlow="REFRESH_TOKEN_AUTH",
        AuthParameters={"REFRESH_TOKEN": refresh_token},
    )
    return str(answer["AuthenticationResult"]["AccessToken"])


def spend_free_essays(stack: dict[str, Any], token: str) -> str:
    """Read full essays until refused, and return the refused one: with the meter on, a new reader has
    a few free ones first (and may re-read those, so the test must use one it was refused)."""
    section = request(stack["apiUrl"] + "/sections/as-and-a-level--history--modern-european-history-1789-1945/essays")
    for essay in section[1]["essays"]:
        path = f"/essays/{essay['essayId']}"
        if request(stack["apiUrl"] + path, token=token)[0] == HTTPStatus.FORBIDDEN:
            return path
    raise AssertionError("the section has fewer essays than the free ones of a month")


def test_paying_opens_the_paywall_at_once_and_canceling_closes_it(stack: dict[str, Any]) -> None:
    api = stack["apiUrl"]
    reader, token, refresh_token = new_reader(stack)
    essay = spend_free_essays(stack, token)
    status, body = request(api + essay, token=token)
    assert status == HTTPStatus.FORBIDDEN and body["error"]["code"] == "subscription_required"
    assert request(api + "/me/subscription", token=token)[1]["status"] == "none"

    status, body = request(api + "/checkout", "POST", token=token)
    assert status == HTTPStatus.OK and body["url"].startswith("http://127.0.0.1:")

    assert send_event(stack, "checkout.session.completed", reader) == (
        HTTPStatus.OK,
        {"received": True, "outcome": "applied"},
    )
    assert send_event(stack, "customer.subscription.created", reader)[0] == HTTPStatus.OK
    paid = time.monotonic()
    while True:
        token = refreshed(stack, refresh_token)
        status, body = request(api + essay, token=token)
        if status == HTTPStatus.OK or time.monotonic() - paid > 10:
            break
        time.sleep(0.5)
    assert status == HTTPStatus.OK and time.monotonic() - paid < 10
    assert body["formatted"] is True
    assert request(api + "/me/subscription", token=token)[1]["status"] == "active"
    assert request(api + "/checkout", "POST", token=token)[0] == HTTPStatus.CONFLICT
    status, body = request(api + "/billing/portal", "POST", token=token)
    assert status == HTTPStatus.OK and body["url"].startswith("http://127.0.0.1:")

    assert send_event(stack, "customer.subscription.deleted", reader)[0] == HTTPStatus.OK
    assert request(api + "/me/subscription", token=token)[1]["status"] == "canceled"
    time.sleep(stack["authorizerCacheTtl"] + 1)  # the same token: its cached Allow runs out
    status, body = request(api + essay, token=token)
    assert status == HTTPStatus.FORBIDDEN, body


def test_the_webhook_refuses_what_stripe_did_not_sign(stack: dict[str, Any]) -> None:
    reader = Reader(str(uuid.uuid4()))
    status, body = send_event(stack, "customer.subscription.created", reader, secret="whsec_not_the_endpoint_s")
    assert status == HTTPStatus.BAD_REQUEST and body["error"]["code"] == "invalid_request"
    unsigned = request(
        stack["webhookUrl"], "POST", body=b'{"id": "evt_1"}', headers={"Content-Type": "application/json"}
    )
    assert unsigned[0] == HTTPStatus.BAD_REQUEST


def test_the_billing_routes_need_a_signed_in_reader(stack: dict[str, Any]) -> None:
    api = stack["apiUrl"]
    for method, path in (("POST", "/checkout"), ("POST", "/billing/portal"), ("GET", "/me/subscription")):
        status, body = request(api + path, method)
        assert status == HTTPStatus.UNAUTHORIZED and body["error"]["code"] == "unauthorized", path
        assert request(api + path, method, token="garbage")[0] == HTTPStatus.UNAUTHORIZED
    status, body = request(api + "/me/subscription", token=stack["subscriberToken"])
    assert status == HTTPStatus.OK and body["status"] == "active"


def test_the_meter_over_http(stack: dict[str, Any]) -> None:
    api, limit = stack["apiUrl"], stack["freeEssaysPerMonth"]
    reader, token, refresh_token = new_reader(stack)
    section = request(api + "/sections/as-and-a-level--history--modern-european-history-1789-1945/essays")[1]
    essays = [essay["essayId"] for essay in section["essays"]][: limit + 1]
    assert len(essays) == limit + 1
    for used, essay_id in enumerate(essays[:limit], start=1):
        status, body = request(api + f"/essays/{essay_id}", token=token)
        assert status == HTTPStatus.OK, body
        assert body["access"]["kind"] == "metered" and body["access"]["used"] == used
        assert body["access"]["limit"] == limit and body["access"]["resetsAt"].endswith("-01T00:00:00Z")
    status, body = request(api + f"/essays/{essays[0]}", token=token)  # a re-read is free
    assert status == HTTPStatus.OK and body["access"]["used"] == limit

    status, body = request(api + f"/essays/{essays[limit]}", token=token)
    assert status == HTTPStatus.FORBIDDEN
    assert body["error"]["code"] == "subscription_required"
    assert body["error"]["meter"]["used"] == limit and body["error"]["plans"][0]["currency"] == "GBP"
    assert request(api + "/me/subscription", token=token)[1]["meter"]["used"] == limit

    assert send_event(stack, "customer.subscription.created", reader)[0] == HTTPStatus.OK
    token = refreshed(stack, refresh_token)
    status, body = request(api + f"/essays/{essays[limit]}", token=token)
    assert status == HTTPStatus.OK and body["access"] == {"kind": "subscription"}


def test_signing_out_everywhere_refuses_the_earlier_token_over_http(stack: dict[str, Any]) -> None:
    """POST /me/signout, then the same token: 401 from the subscription authorizer once the local
    cache TTL has run out (or at once, for a token it has not seen yet); a token issued afterwards reads."""
    api = stack["apiUrl"]
    _, token, refresh_token = new_reader(stack)
    time.sleep(1.1)  # a token's iat is in whole seconds: the sign-out must come after it
    status, _ = request(api + "/me/signout", "POST", token=token)
    assert status == HTTPStatus.NO_CONTENT
    essay = (
        "/essays/"
        + request(api + "/sections/as-and-a-level--history--modern-european-history-1789-1945/essays")[1]["essays"][0][
            "essayId"
        ]
    )
    assert request(api + essay, token=token)[0] == HTTPStatus.UNAUTHORIZED  # never cached before: refused now
    time.sleep(1.1)
    fresh = refreshed(stack, refresh_token)
    assert request(api + essay, token=fresh)[0] in (HTTPStatus.OK, HTTPStatus.FORBIDDEN)  # the meter decides
