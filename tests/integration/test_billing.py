"""Payments through the functions' real entry points: POST /checkout and POST /billing/portal against
a local fake of Stripe's two endpoints (the library's api_base pointed at it), GET /me/subscription,
and POST /billing/webhook with events shaped like Stripe's, signed with the library's own helper;
DynamoDB and Secrets Manager are moto's."""

from __future__ import annotations

import base64
import importlib
import json
import time
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from http import HTTPStatus
from typing import Any

import boto3
import essays_cli.stripefake as stripefake
import pytest
from botocore.exceptions import ClientError
from essays_cli.stripefake import EVENT_TYPES, NEW_API, OLD_API, FakeStripe, Reader, event_for, signed
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from shared.access.billing import operator_grant
from shared.access.subscriptions import Status, Subscription
from shared.access.times import iso
from shared.store import secrets
from shared.store.dynamo import dynamodb_client
from tests.conftest import (
    UNDER_MUTATION,
    LambdaContext,
    api_event,
    body_of,
    create_table_from_template,
    dynamodb_requests,
)

USER = "7c1e9a52-3f0d-4b8e-9a61-2f5d8c4e1b7a"  # the reader the recorded events' authorizer context names
OTHER = "0b6f3c1d-8e2a-4f7b-9c5d-1a2b3c4d5e6f"
STRIPE_KEY = "sk_test_51LocalOnlyNotARealKey000000000000000000"
SIGNING_SECRET = "whsec_test_local_signing_secret_0123456789"
SUBSCRIPTIONS, BILLING = "subscriptions-test", "billing-test"
CONTEXT = LambdaContext()


@pytest.fixture(scope="module")
def stripe_api() -> Iterator[FakeStripe]:
    fake = FakeStripe()
    yield fake
    fake.stop()


@pytest.fixture
def billing(aws: None, ddb: Any, stripe_api: FakeStripe, monkeypatch: pytest.MonkeyPatch) -> Any:
    """Tables and secrets as the template makes them, and fresh containers of the three functions."""
    create_table_from_template(ddb, "SubscriptionsTable", SUBSCRIPTIONS)
    create_table_from_template(ddb, "BillingTable", BILLING)
    manager = boto3.client("secretsmanager")
    manager.create_secret(Name="stripe-secret-key-test", SecretString=STRIPE_KEY)
    manager.create_secret(Name="stripe-webhook-secret-test", SecretString=SIGNING_SECRET)
    monkeypatch.setenv("STRIPE_API_BASE", stripe_api.url)
    stripe_api.requests.clear()
    stripe_api.answered.clear()
    stripe_api.status = 200
    secrets.forget()
    modules = {}
    for name in ("billing", "webhook", "me"):
        modules[name] = importlib.reload(importlib.import_module(f"functions.{name}.app"))
    yield type("Billing", (), modules)
    secrets.forget()


def as_reader(name: str, user: str = USER, body: str | None = None, query: dict[str, str] | None = None) -> Any:
    event = api_event(name, query=query)
    event["requestContext"]["authorizer"].update(principalId=user, userId=user)
    if body is not None:
        event["body"] = body
    return event


def deliver(
    billing: Any, payload: dict[str, Any] | str, secret: str = SIGNING_SECRET, timestamp: int | None = None
) -> dict[str, Any]:
    body = payload if isinstance(payload, str) else json.dumps(payload)
    event = api_event("webhook", headers={"Stripe-Signature": signed(body, secret, timestamp)})
    event["body"] = body
    return billing.webhook.handler(event, CONTEXT)


def record(ddb: Any, user: str = USER) -> dict[str, Any]:
    return ddb.get_item(TableName=SUBSCRIPTIONS, Key={"userId": {"S": user}}).get("Item", {})


def me(billing: Any, user: str = USER) -> dict[str, Any]:
    response = billing.me.handler(as_reader("me", user), CONTEXT)
    assert response["statusCode"] == HTTPStatus.OK
    assert response["headers"]["Cache-Control"] == "private, no-store"
    return dict(body_of(response))


def grant(user: str, status: Status = Status.ACTIVE, days: int = 30) -> None:
    from shared.store.subscriptions import SubscriptionStore

    subscription = Subscription.for_days(user, "Monthly", status, days, datetime.now(UTC))
    operator_grant(SubscriptionStore(SUBSCRIPTIONS, boto3.client("dynamodb")), subscription, datetime.now(UTC))


# ---- POST /checkout --------------------------------------------------------------------------------


def test_checkout_creates_a_subscription_session_for_the_token_s_reader(billing: Any, stripe_api: FakeStripe) -> None:
    response = billing.billing.handler(as_reader("checkout"), CONTEXT)

    assert response["statusCode"] == HTTPStatus.OK, response["body"]
    assert response["headers"]["Cache-Control"] == "private, no-store"
    assert response["headers"]["Access-Control-Allow-Origin"] == "https://essays.example.com"
    url = body_of(response)["url"]
    assert url.startswith(stripe_api.url + "/c/pay/cs_test_")
    remembered = record(ddb_client())["checkout"]["M"]  # support finds the session in Stripe's dashboard by its id
    assert url.endswith("/" + remembered["sessionId"]["S"]) and remembered["url"]["S"] == url
    customer, sent = stripe_api.requests
    assert customer.path == "/v1/customers"  # the reader's one customer, made once
    assert customer.params == {"metadata[userId]": USER}
    assert customer.idempotency_key == f"customer-{USER}"
    made = json.loads(json.dumps(record(ddb_client())))["customerId"]["S"]
    assert made.startswith("cus_")
    assert sent.path == "/v1/checkout/sessions"
    assert sent.authorization == f"Bearer {STRIPE_KEY}"  # the key read from Secrets Manager at run time
    assert sent.idempotency_key.startswith(f"checkout-{USER}-")
    assert sent.params == {
        "mode": "subscription",
        "customer": made,
        "line_items[0][price]": stripefake.PRICE,
        "line_items[0][quantity]": "1",
        "client_reference_id": USER,
        "success_url": "https://essays.example.com/subscribed?session_id={CHECKOUT_SESSION_ID}",
        "cancel_url": "https://essays.example.com/plans",
        "metadata[userId]": USER,
        "subscription_data[metadata][userId]": USER,
    }


def ddb_client() -> Any:
    return boto3.client("dynamodb")


def test_checkout_brings_the_reader_back_to_the_essay_they_came_from(billing: Any, stripe_api: FakeStripe) -> None:
    body = json.dumps({"returnTo": "/essays/the-rise-of-stalin-1a2b3c4d"})
    response = billing.billing.handler(as_reader("checkout", body=body), CONTEXT)
    assert response["statusCode"] == HTTPStatus.OK, response["body"]
    sent = stripe_api.requests[-1].params
    assert sent["success_url"] == (
        "https://essays.example.com/subscribed?session_id={CHECKOUT_SESSION_ID}"
        "&returnTo=/essays/the-rise-of-stalin-1a2b3c4d"
    )
    assert sent["cancel_url"] == "https://essays.example.com/plans?returnTo=/essays/the-rise-of-stalin-1a2b3c4d"


def on_the_cloudfront_domain(monkeypatch: pytest.MonkeyPatch, billing: Any) -> None:
    """The stack as the template makes it with the site on its CloudFront domain: no return URL named,
    no SITE_ORIGIN (the function cannot name the distribution), a fresh container."""
    for name in ("CHECKOUT_SUCCESS_URL", "CHECKOUT_CANCEL_URL", "PORTAL_RETURN_URL"):
        monkeypatch.setenv(name, "")
    monkeypatch.setenv("SITE_ORIGIN", "")
    billing.billing = importlib.reload(billing.billing)


def test_on_the_cloudfront_domain_stripe_returns_to_the_origin_the_edge_sends(
    billing: Any, stripe_api: FakeStripe, monkeypatch: pytest.MonkeyPatch
) -> None:
    on_the_cloudfront_domain(monkeypatch, billing)
    site = "https://d1a2b3c4d5e6f7.cloudfront.net"
    event = as_reader("checkout", body=json.dumps({"returnTo": "/essays/the-rise-of-stalin-1a2b3c4d"}))
    event["headers"]["x-site-origin"] = site  # set by the distribution's ApiPathFunction on every /api/* request
    response = billing.billing.handler(event, CONTEXT)
    assert response["statusCode"] == HTTPStatus.OK, response["body"]
    sent = stripe_api.requests[-1].params
    assert sent["success_url"] == (
        f"{site}/subscribed?session_id={{CHECKOUT_SESSION_ID}}&returnTo=/essays/the-rise-of-stalin-1a2b3c4d"
    )
    assert sent["cancel_url"] == f"{site}/plans?returnTo=/essays/the-rise-of-stalin-1a2b3c4d"

    portal_event = as_reader("portal")
    portal_event["headers"]["X-Site-Origin"] = site
    assert billing.billing.handler(portal_event, CONTEXT)["statusCode"] == HTTPStatus.OK
    assert stripe_api.requests[-1].params["return_url"] == f"{site}/account"


@pytest.mark.parametrize("origin", [None, "", "https://evil.example/phish", "http://d1.cloudfront.net", "javascript:x"])
def test_on_the_cloudfront_domain_a_request_without_the_site_s_origin_is_400_and_calls_no_stripe(
    billing: Any, stripe_api: FakeStripe, monkeypatch: pytest.MonkeyPatch, origin: str | None
) -> None:
    on_the_cloudfront_domain(monkeypatch, billing)
    event = as_reader("checkout")
    if origin is not None:
        event["headers"]["x-site-origin"] = origin
    response = billing.billing.handler(event, CONTEXT)
    assert response["statusCode"] == HTTPStatus.BAD_REQUEST, response["body"]
    assert "start the payment from the site" in body_of(response)["error"]["message"]
    assert stripe_api.requests == []


def test_named_return_pages_and_the_site_s_domain_win_over_what_the_request_says(
    billing: Any, stripe_api: FakeStripe, monkeypatch: pytest.MonkeyPatch
) -> None:
    on_the_cloudfront_domain(monkeypatch, billing)
    monkeypatch.setenv("SITE_ORIGIN", "https://essays.example.org")
    monkeypatch.setenv("PORTAL_RETURN_URL", "https://help.example.org/billing")
    billing.billing = importlib.reload(billing.billing)
    event = as_reader("checkout")
    event["headers"]["x-site-origin"] = "https://d1a2b3c4d5e6f7.cloudfront.net"
    assert billing.billing.handler(event, CONTEXT)["statusCode"] == HTTPStatus.OK
    assert stripe_api.requests[-1].params["success_url"].startswith("https://essays.example.org/subscribed?")
    portal_event = as_reader("portal")
    portal_event["headers"]["x-site-origin"] = "https://d1a2b3c4d5e6f7.cloudfront.net"
    assert billing.billing.handler(portal_event, CONTEXT)["statusCode"] == HTTPStatus.OK
    assert stripe_api.requests[-1].params["return_url"] == "https://help.example.org/billing"


@pytest.mark.parametrize(
    "body",
    [
        '{"returnTo": "https://evil.example/phish"}',
        '{"returnTo": "//evil.example/phish"}',
        '{"returnTo": "/\\\\evil.example"}',
        '{"returnTo": "/essays/a b"}',
        '{"returnTo": 7}',
        '{"plan": "Platinum"}',
        '{"userId": "someone-else"}',
        "[]",
        "not json",
    ],
)
def test_checkout_refuses_a_body_it_cannot_use_and_calls_no_stripe(
    billing: Any, stripe_api: FakeStripe, body: str
) -> None:
    response = billing.billing.handler(as_reader("checkout", body=body), CONTEXT)
    assert response["statusCode"] == HTTPStatus.BAD_REQUEST, response["body"]
    assert body_of(response)["error"]["code"] == "invalid_request"
    assert stripe_api.requests == []


def test_an_unknown_plan_is_refused_with_the_plans_named(billing: Any, stripe_api: FakeStripe) -> None:
    response = billing.billing.handler(as_reader("checkout", body='{"plan": "Platinum"}'), CONTEXT)
    assert response["statusCode"] == HTTPStatus.BAD_REQUEST
    assert body_of(response)["error"]["message"] == "plan must be one of: Monthly (GET /plans lists them)"
    assert stripe_api.requests == []


def test_a_returning_reader_checks_out_as_the_same_customer(billing: Any, stripe_api: FakeStripe) -> None:
    deliver(billing, event_for("checkout.session.completed", Reader(USER)))
    deliver(billing, event_for("customer.subscription.deleted", Reader(USER)))
    assert billing.billing.handler(as_reader("checkout"), CONTEXT)["statusCode"] == HTTPStatus.OK
    assert [r.path for r in stripe_api.requests] == ["/v1/checkout/sessions"]  # no second customer
    assert stripe_api.requests[-1].params["customer"] == Reader(USER).customer_id


def test_racing_checkouts_make_one_customer_and_one_session(billing: Any, stripe_api: FakeStripe) -> None:
    """40 parallel clicks: every answer is the same session of the same, single customer."""
    import threading
    from concurrent.futures import ThreadPoolExecutor

    class OneCallAtATime:  # moto's tables are not thread-safe; DynamoDB is. Stripe calls stay parallel.
        def __init__(self, client: Any) -> None:
            self.client, self.lock = client, threading.Lock()

        def __getattr__(self, name: str) -> Any:
            method = getattr(self.client, name)

            def call(*args: Any, **kwargs: Any) -> Any:
                with self.lock:
                    return method(*args, **kwargs)

            return call

    billing.billing.ACCOUNTS._client = OneCallAtATime(billing.billing.ACCOUNTS.client)
    with ThreadPoolExecutor(8) as pool:
        responses = list(pool.map(lambda _: billing.billing.handler(as_reader("checkout"), CONTEXT), range(40)))
    assert {r["statusCode"] for r in responses} == {HTTPStatus.OK}
    assert len({body_of(r)["url"] for r in responses}) == 1
    customers = {r.idempotency_key for r in stripe_api.requests if r.path == "/v1/customers"}
    assert customers == {f"customer-{USER}"}  # Stripe answers one key with one customer
    sessions = {r.idempotency_key for r in stripe_api.requests if r.path == "/v1/checkout/sessions"}
    assert len(sessions) == 1
    assert record(ddb_client())["customerId"]["S"] == stripe_api.answered[f"customer-{USER}"][1]["id"]


def test_an_open_session_is_reused_and_new_ones_are_limited_per_hour(
    billing: Any, stripe_api: FakeStripe, monkeypatch: pytest.MonkeyPatch
) -> None:
    first = body_of(billing.billing.handler(as_reader("checkout"), CONTEXT))["url"]
    again = body_of(billing.billing.handler(as_reader("checkout"), CONTEXT))["url"]
    assert again == first
    assert [r.path for r in stripe_api.requests].count("/v1/checkout/sessions") == 1
    # Each other essay to come back to is another session, up to the hourly limit (10 by default).
    made = {first}
    for n in range(9):
        body = json.dumps({"returnTo": f"/essays/essay-{n}"})
        response = billing.billing.handler(as_reader("checkout", body=body), CONTEXT)
        assert response["statusCode"] == HTTPStatus.OK
        made.add(body_of(response)["url"])
    assert len(made) == 10
    refused = billing.billing.handler(as_reader("checkout", body='{"returnTo": "/essays/one-more"}'), CONTEXT)
    assert refused["statusCode"] == HTTPStatus.TOO_MANY_REQUESTS
    assert body_of(refused)["error"]["code"] == "too_many_requests"
    assert [r.path for r in stripe_api.requests].count("/v1/checkout/sessions") == 10
    # Another reader is not limited by the first one's attempts.
    assert billing.billing.handler(as_reader("checkout", OTHER), CONTEXT)["statusCode"] == HTTPStatus.OK


def test_two_first_checkouts_racing_to_open_the_hour_are_both_counted(billing: Any, stripe_api: FakeStripe) -> None:
    """The reader's first checkout of the hour opens its window with a second write; another tab's
    checkout opens it in between. The first then counts itself into the window the other opened
    instead of being refused as if the hour's limit were reached."""
    raced: list[int] = []

    def the_other_tab_first(params: dict[str, Any], **_: Any) -> None:
        if params.get("UpdateExpression", "").startswith("SET checkoutWindow") and not raced:
            raced.append(1)
            other = billing.billing.handler(as_reader("checkout", body='{"returnTo": "/essays/other-tab"}'), CONTEXT)
            raced.append(other["statusCode"])

    events = dynamodb_client().meta.events
    events.register("provide-client-params.dynamodb.UpdateItem", the_other_tab_first)
    try:
        response = billing.billing.handler(as_reader("checkout", body='{"returnTo": "/essays/first-tab"}'), CONTEXT)
    finally:
        events.unregister("provide-client-params.dynamodb.UpdateItem", the_other_tab_first)
    assert raced == [1, HTTPStatus.OK]
    assert response["statusCode"] == HTTPStatus.OK, response["body"]
    assert len(record(ddb_client())["checkoutRequests"]["SS"]) == 2
    assert [r.path for r in stripe_api.requests].count("/v1/checkout/sessions") == 2


def test_a_customer_recorded_while_the_first_checkout_makes_one_is_the_one_charged(
    billing: Any, stripe_api: FakeStripe
) -> None:
    """The reader's first checkout finds no customer and makes one; meanwhile the record gains another
    (a checkout support made in Stripe's dashboard, its event heard first). The record's customer
    stays the reader's one customer, and the session is made for it, not for the new one."""
    recorded = "cus_made_in_the_dashboard"

    def the_dashboard_s_customer_first(params: dict[str, Any], **_: Any) -> None:
        if params.get("UpdateExpression") == "SET customerId = :c":
            ddb_client().put_item(TableName=SUBSCRIPTIONS, Item={"userId": {"S": USER}, "customerId": {"S": recorded}})

    events = dynamodb_client().meta.events
    events.register("provide-client-params.dynamodb.UpdateItem", the_dashboard_s_customer_first)
    try:
        response = billing.billing.handler(as_reader("checkout"), CONTEXT)
    finally:
        events.unregister("provide-client-params.dynamodb.UpdateItem", the_dashboard_s_customer_first)
    assert response["statusCode"] == HTTPStatus.OK, response["body"]
    made, session = stripe_api.requests
    assert made.path == "/v1/customers" and session.path == "/v1/checkout/sessions"
    assert session.params["customer"] == recorded
    assert record(ddb_client())["customerId"] == {"S": recorded}


def test_a_record_gone_while_its_customer_is_set_is_a_fault_not_a_customer(billing: Any) -> None:
    """The record refuses the customer (it names another), then is deleted before it is read again:
    nothing names the reader's customer any more, which no writer of ours does. The store says so
    rather than answer with no customer, or with the one refused."""
    from shared.store.subscriptions import MalformedSubscription, SubscriptionStore

    client = ddb_client()
    client.put_item(TableName=SUBSCRIPTIONS, Item={"userId": {"S": USER}, "customerId": {"S": "cus_first"}})

    def deleted_meanwhile(**_: Any) -> None:
        client.delete_item(TableName=SUBSCRIPTIONS, Key={"userId": {"S": USER}})

    store = SubscriptionStore(SUBSCRIPTIONS, boto3.client("dynamodb"))
    store.client.meta.events.register("after-call.dynamodb.UpdateItem", deleted_meanwhile)
    with pytest.raises(MalformedSubscription) as raised:
        store.set_customer(USER, "cus_second")
    assert str(raised.value) == f"the record of {USER!r} refused customer 'cus_second' but names none"


def test_the_limit_of_new_sessions_is_per_hour_of_the_clock(
    billing: Any, stripe_api: FakeStripe, monkeypatch: pytest.MonkeyPatch
) -> None:
    hour = datetime.now(UTC).replace(minute=0, second=0, microsecond=0)
    clock = [hour + timedelta(minutes=5)]
    monkeypatch.setattr(billing.billing, "CLOCK", lambda: clock[0])

    def checkout(path: str) -> dict[str, Any]:
        return dict(billing.billing.handler(as_reader("checkout", body=json.dumps({"returnTo": path})), CONTEXT))

    assert {checkout(f"/essays/essay-{n}")["statusCode"] for n in range(10)} == {HTTPStatus.OK}
    clock[0] = hour + timedelta(minutes=59, seconds=59)  # the same hour: still refused
    refused = checkout("/essays/one-more")
    assert refused["statusCode"] == HTTPStatus.TOO_MANY_REQUESTS
    assert body_of(refused)["error"]["message"] == "Too many checkout attempts; please try again in an hour."
    clock[0] = hour + timedelta(hours=1)  # the next hour: ten more
    assert checkout("/essays/one-more")["statusCode"] == HTTPStatus.OK
    assert [r.path for r in stripe_api.requests].count("/v1/checkout/sessions") == 11


def test_a_return_path_may_be_300_characters_and_no_longer(billing: Any, stripe_api: FakeStripe) -> None:
    longest = "/essays/" + "a" * 292
    response = billing.billing.handler(as_reader("checkout", body=json.dumps({"returnTo": longest})), CONTEXT)
    assert response["statusCode"] == HTTPStatus.OK, response["body"]
    assert stripe_api.requests[-1].params["cancel_url"].endswith(f"?returnTo={longest}")
    stripe_api.requests.clear()
    too_long = json.dumps({"returnTo": longest + "a"})
    refused = billing.billing.handler(as_reader("checkout", body=too_long), CONTEXT)
    assert refused["statusCode"] == HTTPStatus.BAD_REQUEST
    assert "at most 300 characters" in body_of(refused)["error"]["message"]
    assert stripe_api.requests == []


@pytest.mark.parametrize(("seconds_left", "reused"), [(31 * 60, True), (30 * 60 + 1, True), (30 * 60, False)])
def test_an_open_session_is_reused_only_while_it_leaves_half_an_hour_to_pay(
    billing: Any, stripe_api: FakeStripe, monkeypatch: pytest.MonkeyPatch, seconds_left: int, reused: bool
) -> None:
    now = datetime.now(UTC).replace(microsecond=0)
    monkeypatch.setattr(billing.billing, "CLOCK", lambda: now)
    first = body_of(billing.billing.handler(as_reader("checkout"), CONTEXT))["url"]
    expires = (now + timedelta(seconds=seconds_left)).strftime("%Y-%m-%dT%H:%M:%SZ")
    ddb_client().update_item(  # nearly a day has passed: the session expires in `minutes_left`
        TableName=SUBSCRIPTIONS,
        Key={"userId": {"S": USER}},
        UpdateExpression="SET checkout.expiresAt = :at",
        ExpressionAttributeValues={":at": {"S": expires}},
    )
    stripe_api.answered.clear()  # and the first request's idempotency key (of its hour) is another's
    again = body_of(billing.billing.handler(as_reader("checkout"), CONTEXT))["url"]
    assert (again == first) is reused
    assert [r.path for r in stripe_api.requests].count("/v1/checkout/sessions") == (1 if reused else 2)


@pytest.mark.parametrize("status", [Status.ACTIVE, Status.TRIALING, Status.PAST_DUE, Status.UNPAID, Status.INCOMPLETE])
def test_a_reader_stripe_still_charges_gets_409(billing: Any, stripe_api: FakeStripe, status: Status) -> None:
    deliver(billing, event_for("checkout.session.completed", Reader(USER)))
    deliver(billing, event_for("customer.subscription.created", Reader(USER), status=status.value))
    response = billing.billing.handler(as_reader("checkout"), CONTEXT)
    assert response["statusCode"] == HTTPStatus.CONFLICT
    assert body_of(response)["error"] == {
        "code": "conflict",
        "message": "You already have a subscription that is still billed; manage it with POST /billing/portal.",
    }
    assert stripe_api.requests == []


@pytest.mark.parametrize("status", [Status.ACTIVE, Status.TRIALING])
def test_a_reader_with_an_operator_grant_gets_409(billing: Any, stripe_api: FakeStripe, status: Status) -> None:
    grant(USER, status)
    assert billing.billing.handler(as_reader("checkout"), CONTEXT)["statusCode"] == HTTPStatus.CONFLICT
    assert stripe_api.requests == []


@pytest.mark.parametrize(("status", "days"), [(Status.CANCELED, 10), (Status.INCOMPLETE_EXPIRED, 10)])
def test_a_lapsed_reader_may_check_out_again(billing: Any, status: Status, days: int) -> None:
    deliver(billing, event_for("customer.subscription.deleted", Reader(USER), status=status.value))
    assert billing.billing.handler(as_reader("checkout"), CONTEXT)["statusCode"] == HTTPStatus.OK


def test_without_the_authorizer_s_reader_the_billing_routes_are_401(billing: Any) -> None:
    for name, module in (("checkout", billing.billing), ("portal", billing.billing), ("me", billing.me)):
        event = api_event(name)
        del event["requestContext"]["authorizer"]
        response = module.handler(event, CONTEXT)
        assert response["statusCode"] == HTTPStatus.UNAUTHORIZED, name
        assert body_of(response)["error"]["code"] == "unauthorized"


@pytest.mark.parametrize(("status", "expected"), [(500, 503), (503, 503), (429, 503), (401, 500), (400, 500)])
def test_stripe_failures_are_503_to_retry_or_500(
    billing: Any, stripe_api: FakeStripe, status: int, expected: int
) -> None:
    stripe_api.status = status
    response = billing.billing.handler(as_reader("checkout"), CONTEXT)
    assert response["statusCode"] == expected
    if expected == HTTPStatus.SERVICE_UNAVAILABLE:
        assert response["headers"]["Retry-After"] == "1"
    assert STRIPE_KEY not in response["body"]


def test_an_unreadable_secret_is_503_and_nothing_reaches_stripe(billing: Any, stripe_api: FakeStripe) -> None:
    boto3.client("secretsmanager").delete_secret(SecretId="stripe-secret-key-test", ForceDeleteWithoutRecovery=True)
    response = billing.billing.handler(as_reader("checkout"), CONTEXT)
    assert response["statusCode"] == HTTPStatus.SERVICE_UNAVAILABLE
    assert stripe_api.requests == []


# ---- POST /billing/portal -------------------------------------------------------------------------


def test_the_portal_is_for_readers_with_a_stripe_customer(billing: Any, stripe_api: FakeStripe) -> None:
    no_customer = billing.billing.handler(as_reader("portal"), CONTEXT)
    assert no_customer["statusCode"] == HTTPStatus.NOT_FOUND
    assert body_of(no_customer)["error"] == {
        "code": "not_found",
        "message": "You have no billing account yet: subscribe first (POST /checkout).",
    }
    assert stripe_api.requests == []

    deliver(billing, event_for("checkout.session.completed", Reader(USER)))
    response = billing.billing.handler(as_reader("portal"), CONTEXT)

    assert response["statusCode"] == HTTPStatus.OK
    assert body_of(response)["url"].startswith(stripe_api.url + "/p/session/bps_")
    (sent,) = stripe_api.requests
    assert sent.path == "/v1/billing_portal/sessions"
    assert sent.params == {"customer": Reader(USER).customer_id, "return_url": "https://essays.example.com/account"}


def test_a_reader_on_an_operator_s_grant_manages_their_own_stripe_customer(
    billing: Any, stripe_api: FakeStripe
) -> None:
    """Support's grant has no Stripe customer: a reader whose access follows it, and who once checked
    out, opens the portal of their one customer (their invoices and card are there)."""
    deliver(billing, event_for("checkout.session.completed", Reader(USER)))
    grant(USER)
    response = billing.billing.handler(as_reader("portal"), CONTEXT)
    assert response["statusCode"] == HTTPStatus.OK, response["body"]
    (sent,) = stripe_api.requests
    assert sent.params["customer"] == Reader(USER).customer_id


# ---- BOLA: a reader is the one the token names, whatever the request says ------------------------


def test_reader_a_can_never_read_or_change_b_s_subscription(billing: Any, stripe_api: FakeStripe) -> None:
    other = Reader(OTHER)
    deliver(billing, event_for("checkout.session.completed", other))
    deliver(billing, event_for("customer.subscription.created", other))
    forged = json.dumps({"userId": OTHER, "customer": other.customer_id, "client_reference_id": OTHER})
    query = {"userId": OTHER, "customer": other.customer_id}

    mine = billing.me.handler(as_reader("me", USER, query=query), CONTEXT)
    assert body_of(mine) == {
        "status": "none",
        "plan": None,
        "currentPeriodEnd": None,
        "cancelAtPeriodEnd": False,
        "meter": None,
        "earnedEssays": 0,  # no published work of theirs
    }
    assert billing.billing.handler(as_reader("portal", USER, body=forged, query=query), CONTEXT)["statusCode"] == 404
    checkout = billing.billing.handler(as_reader("checkout", USER, body=forged, query=query), CONTEXT)
    assert checkout["statusCode"] == HTTPStatus.BAD_REQUEST  # a body naming anyone is refused outright
    checkout = billing.billing.handler(as_reader("checkout", USER, query=query), CONTEXT)
    assert checkout["statusCode"] == HTTPStatus.OK  # B subscribes, A does not: A may
    assert stripe_api.requests[-1].params["client_reference_id"] == USER
    assert stripe_api.requests[-1].params["customer"] != other.customer_id
    assert me(billing, OTHER)["status"] == "active"  # B's record is as B's events left it


# ---- GET /me/subscription -------------------------------------------------------------------------


def test_me_shows_the_reader_s_own_subscription(billing: Any) -> None:
    assert me(billing) == {
        "status": "none",
        "plan": None,
        "currentPeriodEnd": None,
        "cancelAtPeriodEnd": False,
        "meter": None,
        "earnedEssays": 0,  # no published work of theirs
    }
    end = int(time.time()) + 20 * 86_400
    deliver(billing, event_for("customer.subscription.created", Reader(USER), period_end=end))
    assert me(billing) == {
        "status": "active",
        "plan": "Monthly",
        "currentPeriodEnd": datetime.fromtimestamp(end, UTC).isoformat().replace("+00:00", "Z"),
        "cancelAtPeriodEnd": False,
        "meter": None,  # the meter is off (FREE_ESSAYS_PER_MONTH 0)
        "earnedEssays": 0,
    }


# ---- POST /billing/webhook: every event type, both API versions ----------------------------------


@pytest.mark.parametrize("api_version", [OLD_API, NEW_API])
def test_every_event_type_keeps_the_record_right(billing: Any, ddb: Any, api_version: str) -> None:
    reader = Reader(USER)
    now = int(time.time())
    end = now + 30 * 86_400

    def send(kind: str, at: int, **extra: Any) -> str:
        response = deliver(
            billing, event_for(kind, reader, created=at, period_end=end, api_version=api_version, **extra)
        )
        assert response["statusCode"] == HTTPStatus.OK, response["body"]
        return str(body_of(response)["outcome"])

    assert send("checkout.session.completed", now - 50) == "applied"
    assert record(ddb)["customerId"] == {"S": reader.customer_id} and "status" not in record(ddb)
    assert billing.webhook.LEDGER.user_of_customer(reader.customer_id) == USER

    assert send("customer.subscription.created", now - 40, status="incomplete") == "applied"
    assert me(billing)["status"] == "incomplete"
    assert send("invoice.paid", now - 30) == "applied"
    assert me(billing)["status"] == "active"
    assert me(billing)["currentPeriodEnd"] == datetime.fromtimestamp(end, UTC).isoformat().replace("+00:00", "Z")
    assert send("invoice.payment_failed", now - 20) == "applied"
    assert me(billing)["status"] == "past_due"
    assert send("customer.subscription.updated", now - 10, status="unpaid") == "applied"
    assert me(billing)["status"] == "unpaid"
    assert send("customer.subscription.updated", now - 5, status="active") == "applied"
    assert send("customer.subscription.deleted", now) == "applied"
    assert me(billing)["status"] == "canceled"
    item = record(ddb)
    assert item["subscriptionId"] == {"S": reader.subscription_id}
    assert item["customerId"] == {"S": reader.customer_id}


def test_cancel_at_period_end_is_kept(billing: Any) -> None:
    reader = Reader(USER)
    obj = stripefake.subscription_object(reader, "active", int(time.time()) + 86_400, cancel_at_period_end=True)
    deliver(billing, stripefake.event("customer.subscription.updated", obj))
    assert me(billing)["cancelAtPeriodEnd"] is True
    assert me(billing)["status"] == "active"


def test_support_staff_see_a_pending_cancellation_keep_it_on_cancel_and_clear_it_with_a_grant(
    billing: Any, capsys: pytest.CaptureFixture[str]
) -> None:
    import essays_cli.admin as admin

    def staff(*args: str) -> dict[str, Any]:
        capsys.readouterr()  # only the tool's own output (the functions may log to stdout too)
        assert admin.main(["subscription", *args, USER, "--table", "subscriptions-test"]) == 0
        return dict(json.loads(capsys.readouterr().out))

    obj = stripefake.subscription_object(Reader(USER), "active", int(time.time()) + 86_400, cancel_at_period_end=True)
    deliver(billing, stripefake.event("customer.subscription.updated", obj))
    assert staff("show")["cancelAtPeriodEnd"] is True
    cancelled = staff("cancel")  # ends it now, and the reader's request stays on the record
    assert cancelled["status"] == "canceled" and cancelled["cancelAtPeriodEnd"] is True
    assert me(billing)["cancelAtPeriodEnd"] is True and me(billing)["status"] == "canceled"
    staff("grant", "--days", "30")  # a fresh period from support: nothing pending any more
    assert me(billing)["status"] == "active" and me(billing)["cancelAtPeriodEnd"] is False
    assert "cancelAtPeriodEnd" not in staff("show")


def test_the_period_end_is_the_latest_item_s_from_2025_03(billing: Any) -> None:
    reader, now = Reader(USER), int(time.time())
    obj = stripefake.subscription_object(reader, "active", now + 10 * 86_400)
    second = {**obj["items"]["data"][0], "id": "si_second", "current_period_end": now + 40 * 86_400}
    obj["items"]["data"].append(second)
    deliver(billing, stripefake.event("customer.subscription.updated", obj))
    expected = datetime.fromtimestamp(now + 40 * 86_400, UTC).isoformat().replace("+00:00", "Z")
    assert me(billing)["currentPeriodEnd"] == expected


def test_a_subscription_event_without_metadata_maps_through_the_customer(billing: Any) -> None:
    reader = Reader(USER)
    obj = stripefake.subscription_object(reader, "active", int(time.time()) + 86_400, with_metadata=False)
    unmatched = body_of(deliver(billing, stripefake.event("customer.subscription.created", obj)))
    assert unmatched["outcome"] == "unmatched"  # acknowledged, logged, and not marked: it may match later
    deliver(billing, event_for("checkout.session.completed", reader))
    assert body_of(deliver(billing, stripefake.event("customer.subscription.updated", obj)))["outcome"] == "applied"
    assert me(billing)["status"] == "active"


@pytest.mark.parametrize(
    "kind", ["customer.created", "payment_intent.succeeded", "invoice.finalized", "charge.refunded"]
)
def test_other_event_types_are_acknowledged_and_ignored(billing: Any, ddb: Any, kind: str) -> None:
    response = deliver(billing, stripefake.event(kind, {"id": "obj_1", "object": "thing", "customer": "cus_1"}))
    assert response["statusCode"] == HTTPStatus.OK
    assert body_of(response)["outcome"] == "ignored"
    assert ddb.scan(TableName=SUBSCRIPTIONS)["Count"] == 0 and ddb.scan(TableName=BILLING)["Count"] == 0


def test_a_one_off_payment_checkout_is_ignored(billing: Any, ddb: Any) -> None:
    payload = event_for("checkout.session.completed", Reader(USER))
    payload["data"]["object"]["mode"] = "payment"
    assert body_of(deliver(billing, payload))["outcome"] == "ignored"
    assert ddb.scan(TableName=SUBSCRIPTIONS)["Count"] == 0


# ---- at least once, in any order -----------------------------------------------------------------


@pytest.mark.parametrize("kind", EVENT_TYPES)
def test_a_delivery_repeated_five_times_changes_nothing_after_the_first(billing: Any, ddb: Any, kind: str) -> None:
    payload = event_for(kind, Reader(USER))
    outcomes = [body_of(deliver(billing, payload))["outcome"] for _ in range(5)]
    assert outcomes == ["applied"] + ["duplicate"] * 4
    after_first = record(ddb)

    # a duplicate racing past the mark (delivered before the first one's mark was written)
    ddb.delete_item(TableName=BILLING, Key={"pk": {"S": "EVENT#" + payload["id"]}})
    again = body_of(deliver(billing, payload))["outcome"]
    assert again == ("applied" if kind == "checkout.session.completed" else "stale")  # setting the same customer
    assert record(ddb) == after_first


def test_an_older_event_never_overwrites_a_newer_one(billing: Any) -> None:
    reader, now = Reader(USER), int(time.time())
    deliver(billing, event_for("customer.subscription.deleted", reader, created=now))
    late = deliver(billing, event_for("customer.subscription.updated", reader, status="active", created=now - 60))
    assert body_of(late)["outcome"] == "stale"
    assert me(billing)["status"] == "canceled"


def test_events_of_the_same_second_follow_the_subscription_s_life(billing: Any) -> None:
    reader, now = Reader(USER), int(time.time())
    deliver(billing, event_for("customer.subscription.deleted", reader, created=now))
    created = deliver(billing, event_for("customer.subscription.created", reader, created=now))
    assert body_of(created)["outcome"] == "stale"
    assert me(billing)["status"] == "canceled"


LIFE = [  # (type, status, seconds after the start): a subscription's month, as Stripe would tell it
    ("checkout.session.completed", None, 2),
    ("customer.subscription.created", "incomplete", 0),
    ("customer.subscription.updated", "active", 1),
    ("invoice.paid", None, 1),
    ("invoice.payment_failed", None, 40),
    ("customer.subscription.updated", "past_due", 40),
    ("invoice.paid", None, 90),
    ("customer.subscription.updated", "active", 90),
    ("customer.subscription.updated", "active", 95),  # cancel at period end requested
    ("customer.subscription.deleted", "canceled", 120),
]


@settings(
    max_examples=5 if UNDER_MUTATION else 25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(data=st.data())
def test_any_delivery_order_with_repeats_ends_in_the_same_state(billing: Any, ddb: Any, data: st.DataObject) -> None:
    reader = Reader(str(uuid.uuid4()))  # a reader per example: the tables are shared
    start = int(time.time()) - 200
    end = start + 30 * 86_400
    events = [
        event_for(kind, reader, status=status, created=start + at, period_end=end + at, api_version=NEW_API)
        for kind, status, at in LIFE
    ]
    order = data.draw(st.permutations(events))
    repeats = data.draw(st.lists(st.sampled_from(events), max_size=5))
    positions = data.draw(st.lists(st.integers(0, len(order)), min_size=len(repeats), max_size=len(repeats)))
    deliveries = list(order)
    for position, repeat in zip(positions, repeats, strict=True):
        deliveries.insert(position, repeat)
    for payload in deliveries:
        assert deliver(billing, payload)["statusCode"] == HTTPStatus.OK

    final = record(ddb, reader.user_id)
    assert final["status"] == {"S": "canceled"}  # the newest event's word, whatever the order
    known = final["subscriptions"]["M"][reader.subscription_id]["M"]
    assert known["eventKey"]["S"].startswith(f"{start + 120:012d}#5#")
    assert final["customerId"] == {"S": reader.customer_id}
    assert final["subscriptionId"] == {"S": reader.subscription_id}
    assert final["currentPeriodEnd"]["S"] == datetime.fromtimestamp(end + 120, UTC).isoformat().replace("+00:00", "Z")
    assert billing.webhook.LEDGER.user_of_customer(reader.customer_id) == reader.user_id


def test_two_deliveries_of_one_event_racing_past_the_duplicate_check_both_succeed(
    billing: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Both read "not seen" before either marked it: the second mark finds the first, and is no error."""
    monkeypatch.setattr(billing.webhook.LEDGER, "seen", lambda event_id: False)
    payload = event_for("customer.subscription.created", Reader(USER))
    assert [deliver(billing, payload)["statusCode"] for _ in range(2)] == [HTTPStatus.OK, HTTPStatus.OK]
    assert me(billing)["status"] == "active"


def test_the_webhook_reads_its_ledger_as_just_written(billing: Any) -> None:
    """Strongly consistent reads: a redelivery seconds later must find the mark and the customer."""
    with dynamodb_requests("GetItem") as sent:
        deliver(billing, event_for("checkout.session.completed", Reader(USER)))
        # no reader in its metadata: the reader is found through the customer
        obj = stripefake.subscription_object(Reader(USER), "active", int(time.time()) + 86_400, with_metadata=False)
        deliver(billing, stripefake.event("customer.subscription.updated", obj))
    ledger_reads = [params for params in sent if params["TableName"] == BILLING]
    assert ledger_reads and all(params.get("ConsistentRead") is True for params in ledger_reads)
    assert any(params["Key"]["pk"]["S"].startswith("CUSTOMER#") for params in ledger_reads)


# ---- what is refused: signatures, bodies, sizes ----------------------------------------------------


def _nothing_written(ddb: Any) -> None:
    assert ddb.scan(TableName=SUBSCRIPTIONS)["Count"] == 0
    assert ddb.scan(TableName=BILLING)["Count"] == 0


NOT_SIGNED = "the Stripe-Signature header does not match the body"


def _refused(response: dict[str, Any], status: int = HTTPStatus.BAD_REQUEST, message: str | None = None) -> None:
    assert response["statusCode"] == status, response["body"]
    assert response["headers"]["Access-Control-Allow-Origin"]
    assert set(body_of(response)["error"]) == {"code", "message"}
    if message:  # what Stripe's dashboard shows the operator for the failed delivery
        assert body_of(response)["error"]["message"] == message


def test_a_replayed_old_signature_is_400(billing: Any, ddb: Any) -> None:
    _refused(
        deliver(billing, event_for("customer.subscription.created", Reader(USER)), timestamp=int(time.time()) - 301)
    )
    _nothing_written(ddb)


def test_a_signature_within_the_tolerance_is_accepted(billing: Any) -> None:
    response = deliver(
        billing, event_for("customer.subscription.created", Reader(USER)), timestamp=int(time.time()) - 250
    )
    assert response["statusCode"] == HTTPStatus.OK


def test_a_wrong_secret_is_400(billing: Any, ddb: Any) -> None:
    _refused(
        deliver(billing, event_for("customer.subscription.created", Reader(USER)), secret="whsec_someone_else"),
        message=NOT_SIGNED,
    )
    _nothing_written(ddb)


def test_a_changed_body_is_400(billing: Any, ddb: Any) -> None:
    body = json.dumps(event_for("customer.subscription.created", Reader(USER), status="canceled"))
    event = api_event("webhook", headers={"Stripe-Signature": signed(body, SIGNING_SECRET)})
    event["body"] = body.replace('"canceled"', '"active"')
    _refused(billing.webhook.handler(event, CONTEXT), message=NOT_SIGNED)
    _nothing_written(ddb)


def test_a_missing_signature_header_is_400(billing: Any, ddb: Any) -> None:
    event = api_event("webhook")
    del event["headers"]["Stripe-Signature"], event["multiValueHeaders"]["Stripe-Signature"]
    event["body"] = json.dumps(event_for("customer.subscription.created", Reader(USER)))
    _refused(billing.webhook.handler(event, CONTEXT), message="the Stripe-Signature header is missing")
    _nothing_written(ddb)


@pytest.mark.parametrize(
    "body",
    ["not json at all", "", '{"id": "evt_1", "object": "event"}', '{"hello": "world"}', "[1, 2, 3]", '"evt"'],
)
def test_a_signed_body_that_is_not_an_event_is_400(billing: Any, ddb: Any, body: str) -> None:
    _refused(deliver(billing, body), message="the body is not a Stripe event")
    _nothing_written(ddb)


def test_a_body_over_256_kb_is_413(billing: Any, ddb: Any) -> None:
    payload = event_for("customer.subscription.created", Reader(USER))
    payload["data"]["object"]["metadata"]["padding"] = "x" * (256 * 1024)
    _refused(deliver(billing, payload), HTTPStatus.REQUEST_ENTITY_TOO_LARGE)
    body = json.dumps(payload)
    event = api_event("webhook", headers={"Stripe-Signature": signed(body, SIGNING_SECRET)})
    event.update(body=base64.b64encode(body.encode()).decode(), isBase64Encoded=True)
    _refused(billing.webhook.handler(event, CONTEXT), HTTPStatus.REQUEST_ENTITY_TOO_LARGE)
    _nothing_written(ddb)


def test_a_base64_encoded_body_is_verified_on_its_raw_bytes(billing: Any) -> None:
    payload = event_for("customer.subscription.created", Reader(USER))
    payload["data"]["object"]["metadata"]["note"] = "Café £6.99 – ünïcode"
    body = json.dumps(payload, ensure_ascii=False)
    event = api_event("webhook", headers={"Stripe-Signature": signed(body, SIGNING_SECRET)})
    event.update(body=base64.b64encode(body.encode("utf-8")).decode(), isBase64Encoded=True)
    assert billing.webhook.handler(event, CONTEXT)["statusCode"] == HTTPStatus.OK
    assert me(billing)["status"] == "active"


# ---- faults: 503 only when DynamoDB throttles, so that Stripe retries -----------------------------


@pytest.mark.parametrize("code", ["ProvisionedThroughputExceededException", "ThrottlingException"])
def test_dynamodb_throttling_is_503_and_the_retry_is_applied(billing: Any, code: str) -> None:
    payload = event_for("customer.subscription.created", Reader(USER))

    def throttle(**_: Any) -> None:
        raise ClientError({"Error": {"Code": code, "Message": "slow down"}}, "UpdateItem")

    client = dynamodb_client()
    client.meta.events.register_first("before-call.dynamodb.UpdateItem", throttle)
    try:
        response = deliver(billing, payload)
    finally:
        client.meta.events.unregister("before-call.dynamodb.UpdateItem", throttle)
    assert response["statusCode"] == HTTPStatus.SERVICE_UNAVAILABLE
    assert response["headers"]["Retry-After"] == "1"
    assert body_of(deliver(billing, payload))["outcome"] == "applied"  # Stripe's retry is not taken for a duplicate
    assert me(billing)["status"] == "active"


@pytest.mark.parametrize(("races_lost", "status"), [(4, HTTPStatus.OK), (5, HTTPStatus.SERVICE_UNAVAILABLE)])
def test_a_record_another_writer_keeps_changing_is_read_again_five_times_then_503(
    billing: Any, races_lost: int, status: HTTPStatus
) -> None:
    """Another event about the reader lands between each read and write: the webhook reads again and
    retries, five times in all, then answers 503 so that Stripe delivers the event again later."""
    payload = event_for("customer.subscription.created", Reader(USER))
    another_writer = boto3.client("dynamodb")
    lost: list[int] = []

    def another_writer_first(params: dict[str, Any], **_: Any) -> None:
        if "#revision" in params.get("ExpressionAttributeNames", {}) and len(lost) < races_lost:
            lost.append(1)
            another_writer.update_item(
                TableName=SUBSCRIPTIONS,
                Key={"userId": {"S": USER}},
                UpdateExpression="ADD revision :one",
                ExpressionAttributeValues={":one": {"N": "1"}},
            )

    client = dynamodb_client()
    client.meta.events.register_first("before-parameter-build.dynamodb.UpdateItem", another_writer_first)
    try:
        response = deliver(billing, payload)
    finally:
        client.meta.events.unregister("before-parameter-build.dynamodb.UpdateItem", another_writer_first)
    assert len(lost) == races_lost
    assert response["statusCode"] == status, response["body"]
    if status == HTTPStatus.SERVICE_UNAVAILABLE:
        assert response["headers"]["Retry-After"] == "1"
        assert body_of(response)["error"]["message"] == "The subscription record is busy; please retry."
        assert "status" not in record(ddb_client())
        assert body_of(deliver(billing, payload))["outcome"] == "applied"  # Stripe's retry
    assert me(billing)["status"] == "active"


def test_event_marks_expire_by_ttl(billing: Any, ddb: Any) -> None:
    payload = event_for("customer.subscription.created", Reader(USER))
    deliver(billing, payload)
    mark = ddb.get_item(TableName=BILLING, Key={"pk": {"S": "EVENT#" + payload["id"]}})["Item"]
    expires = datetime.fromtimestamp(int(mark["expiresAt"]["N"]), UTC)
    # 35 days: past Stripe's retries (3 days) and a resend from its dashboard (30 days).
    assert abs(expires - datetime.now(UTC) - timedelta(days=35)) < timedelta(minutes=5)
    ttl = ddb.describe_time_to_live(TableName=BILLING)["TimeToLiveDescription"]
    assert ttl == {"TimeToLiveStatus": "ENABLED", "AttributeName": "expiresAt"}


# ---- signed events we cannot use: each defect alone is a 400 that names it, and writes nothing -----


def _defective(change: Any, kind: str = "customer.subscription.updated", api_version: str = NEW_API) -> dict[str, Any]:
    """A valid event of `kind` about the reader, then `change(event, data_object)` applied to it."""
    payload = event_for(kind, Reader(USER), api_version=api_version)
    change(payload, payload["data"]["object"])
    return payload


NOT_AN_EVENT = "the body is not a Stripe event"
NO_SUBSCRIPTION = "the subscription has no customer, id or period end"
NO_INVOICE = "the invoice has no customer or period"


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda e, o: e.update(object="list"), NOT_AN_EVENT),
        (lambda e, o: e.update(id=12345), NOT_AN_EVENT),
        (lambda e, o: e.update(id=""), NOT_AN_EVENT),
        (lambda e, o: e.update(type=None), NOT_AN_EVENT),
        (lambda e, o: e.update(created="1764300000"), NOT_AN_EVENT),
        (lambda e, o: e.update(created=True), NOT_AN_EVENT),
        (lambda e, o: e["data"].update(object=[o]), NOT_AN_EVENT),
        (lambda e, o: o.update(customer=None), NO_SUBSCRIPTION),
        (lambda e, o: o.update(customer=""), NO_SUBSCRIPTION),
        (lambda e, o: o.update(customer=42), NO_SUBSCRIPTION),
        (lambda e, o: o.pop("id"), NO_SUBSCRIPTION),
        (lambda e, o: o["items"]["data"][0].pop("current_period_end"), NO_SUBSCRIPTION),
        (lambda e, o: o["items"]["data"][0].update(current_period_end=0), NO_SUBSCRIPTION),
        (lambda e, o: o.update(status="paused_forever"), "unknown subscription status 'paused_forever'"),
    ],
    ids=[
        "not-an-event",
        "numeric-id",
        "empty-id",
        "no-type",
        "created-as-text",
        "created-as-boolean",
        "object-not-a-map",
        "no-customer",
        "empty-customer",
        "numeric-customer",
        "no-subscription-id",
        "no-period-end",
        "period-end-zero",
        "unknown-status",
    ],
)
def test_a_subscription_event_missing_what_we_need_is_400(billing: Any, ddb: Any, change: Any, message: str) -> None:
    _refused(deliver(billing, _defective(change)), message=message)
    _nothing_written(ddb)


@pytest.mark.parametrize(
    ("change", "api_version"),
    [
        (lambda e, o: o.pop("customer"), NEW_API),
        (lambda e, o: o.pop("customer"), OLD_API),
        (lambda e, o: o["lines"].update(data=[]), NEW_API),
        (lambda e, o: o["lines"]["data"][0].update(period={"end": None}), OLD_API),
    ],
    ids=["no-customer", "no-customer-before-2025-03", "no-lines", "no-period-end-before-2025-03"],
)
@pytest.mark.parametrize("kind", ["invoice.paid", "invoice.payment_failed"])
def test_an_invoice_event_missing_what_we_need_is_400(
    billing: Any, ddb: Any, change: Any, api_version: str, kind: str
) -> None:
    _refused(deliver(billing, _defective(change, kind, api_version)), message=NO_INVOICE)
    _nothing_written(ddb)


def _one_off(event: dict[str, Any], invoice: dict[str, Any]) -> None:
    """The invoice of a one-off payment: no subscription, in either API version's place."""
    for field in ("subscription", "subscription_details", "parent"):
        invoice.pop(field, None)


@pytest.mark.parametrize("api_version", [OLD_API, NEW_API])
@pytest.mark.parametrize("kind", ["invoice.paid", "invoice.payment_failed"])
def test_an_invoice_of_no_subscription_is_acknowledged_and_ignored(
    billing: Any, ddb: Any, api_version: str, kind: str
) -> None:
    """A one-off payment (an invoice made in Stripe's dashboard) is no news of a subscription: 200,
    so Stripe stops sending it, and no reader's record is touched."""
    response = deliver(billing, _defective(_one_off, kind, api_version))
    assert response["statusCode"] == HTTPStatus.OK, response["body"]
    assert body_of(response)["outcome"] == "ignored"
    assert ddb.scan(TableName=SUBSCRIPTIONS)["Count"] == 0


@pytest.mark.parametrize(
    "change",
    [
        lambda e, o: o.pop("customer"),
        lambda e, o: o.update(client_reference_id=None),
        lambda e, o: o.update(client_reference_id=""),
    ],
    ids=["no-customer", "no-reader", "empty-reader"],
)
def test_a_checkout_without_its_customer_or_reader_is_ignored(billing: Any, ddb: Any, change: Any) -> None:
    response = deliver(billing, _defective(change, "checkout.session.completed"))
    assert body_of(response)["outcome"] == "ignored"
    assert ddb.scan(TableName=SUBSCRIPTIONS)["Count"] == 0
    assert billing.webhook.LEDGER.user_of_customer(Reader(USER).customer_id) is None


# ---- what Stripe may send in other shapes ---------------------------------------------------------


def test_an_expanded_customer_is_read_by_its_id(billing: Any, ddb: Any) -> None:
    reader = Reader(USER)
    payload = _defective(lambda e, o: o.update(customer={"id": reader.customer_id, "object": "customer"}))
    assert body_of(deliver(billing, payload))["outcome"] == "applied"
    assert record(ddb)["customerId"] == {"S": reader.customer_id}


@pytest.mark.parametrize(
    "change",
    [
        lambda e, o: o.update(items=None),  # no items list: the period end is the subscription's own
        lambda e, o: o["items"].update(data=None),
    ],
    ids=["items-missing", "items-without-data"],
)
def test_an_old_subscription_without_items_is_read_from_its_own_period(billing: Any, change: Any) -> None:
    end = int(time.time()) + 86_400
    payload = _defective(change, api_version=OLD_API)
    payload["data"]["object"]["current_period_end"] = end
    unpriced = json.loads(json.dumps(payload).replace(payload["id"], payload["id"] + "x"))
    assert body_of(deliver(billing, unpriced))["outcome"] == "ignored"  # no price: not known to be ours
    assert me(billing)["status"] == "none"
    payload["data"]["object"]["plan"] = {"id": stripefake.PRICE, "object": "plan"}  # the legacy single plan
    payload["created"] += 1  # news after the unpriced event
    assert body_of(deliver(billing, payload))["outcome"] == "applied"
    assert me(billing)["currentPeriodEnd"] == datetime.fromtimestamp(end, UTC).isoformat().replace("+00:00", "Z")


def test_an_item_that_names_its_price_only_as_the_legacy_plan_is_ours(billing: Any) -> None:
    def legacy(e: dict[str, Any], o: dict[str, Any]) -> None:
        item = o["items"]["data"][0]
        item["plan"] = {"id": item.pop("price")["id"], "object": "plan"}

    assert body_of(deliver(billing, _defective(legacy, api_version=OLD_API)))["outcome"] == "applied"
    assert access(billing) and me(billing)["plan"] == "Monthly"


@pytest.mark.parametrize("api_version", [OLD_API, NEW_API])
def test_an_invoice_naming_no_price_renews_a_subscription_known_to_be_ours(billing: Any, api_version: str) -> None:
    reader, now = Reader(USER), int(time.time())
    deliver(billing, event_for("customer.subscription.created", reader, created=now - 60, period_end=now + 60))
    renewal = event_for("invoice.paid", reader, created=now, period_end=now + 30 * 86_400, api_version=api_version)
    for line in renewal["data"]["object"]["lines"]["data"]:  # an invoice line without its price
        line.pop("price", None)
        line.pop("pricing", None)
    assert body_of(deliver(billing, renewal))["outcome"] == "applied"
    assert access(billing) and me(billing)["plan"] == "Monthly"
    assert me(billing)["currentPeriodEnd"] == iso(datetime.fromtimestamp(now + 30 * 86_400, UTC))


def test_any_positive_timestamp_is_a_period_end_to_the_second(billing: Any) -> None:
    payload = _defective(lambda e, o: o["items"]["data"][0].update(current_period_end=1))
    assert body_of(deliver(billing, payload))["outcome"] == "applied"
    assert me(billing)["currentPeriodEnd"] == "1970-01-01T00:00:01Z" and me(billing)["status"] == "active"


@pytest.mark.parametrize("api_version", [OLD_API, NEW_API])
def test_an_invoice_names_its_reader_before_the_checkout_is_known(billing: Any, api_version: str) -> None:
    """The reader is in the subscription's metadata, which the invoice carries (where depends on the
    API version): an invoice that arrives before the checkout event still reaches them."""
    payload = event_for("invoice.paid", Reader(USER), api_version=api_version)
    assert body_of(deliver(billing, payload))["outcome"] == "applied"
    assert me(billing)["status"] == "active" and me(billing)["cancelAtPeriodEnd"] is False


@pytest.mark.parametrize(
    "change",
    [
        lambda e, o: o.pop("subscription_details"),
        lambda e, o: o["subscription_details"].update(metadata=None),
        lambda e, o: o["subscription_details"]["metadata"].update(userId=42),
    ],
    ids=["no-details", "no-metadata", "numeric-reader"],
)
def test_an_invoice_without_a_usable_reader_maps_through_its_customer(billing: Any, change: Any) -> None:
    payload = _defective(change, "invoice.paid", OLD_API)
    assert body_of(deliver(billing, payload))["outcome"] == "unmatched"
    deliver(billing, event_for("checkout.session.completed", Reader(USER)))
    assert body_of(deliver(billing, _defective(change, "invoice.paid", OLD_API)))["outcome"] == "applied"
    assert me(billing)["status"] == "active"


@pytest.mark.parametrize(
    "metadata", [None, {"userId": 42}, {"userId": ""}], ids=["no-metadata", "numeric-reader", "empty-reader"]
)
def test_a_subscription_without_a_usable_reader_maps_through_its_customer(billing: Any, metadata: Any) -> None:
    payload = _defective(lambda e, o: o.update(metadata=metadata))
    assert body_of(deliver(billing, payload))["outcome"] == "unmatched"
    deliver(billing, event_for("checkout.session.completed", Reader(USER)))
    assert body_of(deliver(billing, _defective(lambda e, o: o.update(metadata=metadata))))["outcome"] == "applied"


# ---- money rules: two subscriptions, other prices, late invoices, operators ---------------------


def access(billing: Any, user: str = USER) -> bool:
    """What the authorizer decides: the record's summary lets the reader read."""
    subscription = billing.webhook.ACCOUNTS.get(user)
    return subscription is not None and subscription.allows_reading(datetime.now(UTC))


def test_cancelling_a_duplicate_subscription_keeps_the_other_one_s_access(
    billing: Any, caplog: pytest.LogCaptureFixture
) -> None:
    first, second = Reader(USER), Reader(USER, subscription_id="sub_duplicate_of_the_first")
    now = int(time.time())
    deliver(billing, event_for("customer.subscription.created", first, created=now - 60))
    deliver(billing, event_for("customer.subscription.created", second, created=now - 30))
    warned = [r for r in caplog.records if r.getMessage() == "several live subscriptions"]
    assert [r.liveSubscriptions for r in warned] == [2]  # type: ignore[attr-defined]  # the operator: refund one
    deliver(billing, event_for("customer.subscription.deleted", second, created=now))
    assert access(billing)
    assert me(billing)["status"] == "active"
    stored = record(billing.webhook.ACCOUNTS.client)
    assert stored["subscriptionId"] == {"S": first.subscription_id}
    assert stored["subscriptions"]["M"][second.subscription_id]["M"]["status"] == {"S": "canceled"}


def test_a_second_customer_s_subscription_is_the_reader_s_too_and_the_first_customer_stays(
    billing: Any, stripe_api: FakeStripe
) -> None:
    first, second = Reader(USER), Reader(USER, customer_id="cus_second", subscription_id="sub_second")
    now = int(time.time())
    deliver(billing, event_for("checkout.session.completed", first, created=now - 90))
    deliver(billing, event_for("checkout.session.completed", second, created=now - 80))
    deliver(billing, event_for("customer.subscription.created", second, created=now - 70))
    assert record(billing.webhook.ACCOUNTS.client)["customerId"] == {"S": first.customer_id}
    assert access(billing)
    # The portal opens the customer whose subscription is billed, so the reader can cancel it.
    assert billing.billing.handler(as_reader("portal"), CONTEXT)["statusCode"] == HTTPStatus.OK
    (sent,) = stripe_api.requests
    assert sent.params["customer"] == second.customer_id


@pytest.mark.parametrize("api_version", [OLD_API, NEW_API])
def test_a_late_invoice_never_revives_a_deleted_subscription(billing: Any, api_version: str) -> None:
    reader = Reader(USER)
    now = int(time.time())
    deliver(billing, event_for("customer.subscription.created", reader, created=now - 100, api_version=api_version))
    deliver(billing, event_for("customer.subscription.deleted", reader, created=now - 50, api_version=api_version))
    # the final invoice of the cancellation, paid after it (newer), then an old one delivered late
    for created in (now, now - 200):
        late = event_for("invoice.paid", reader, created=created, period_end=now + 86_400, api_version=api_version)
        assert body_of(deliver(billing, late))["outcome"] == "stale"
    assert not access(billing)
    assert me(billing)["status"] == "canceled"


def test_a_deletion_wins_even_when_an_invoice_of_a_later_second_arrived_first(billing: Any) -> None:
    reader = Reader(USER)
    now = int(time.time())
    deliver(billing, event_for("invoice.paid", reader, created=now, period_end=now + 86_400))
    assert access(billing)
    deliver(billing, event_for("customer.subscription.deleted", reader, created=now - 1))
    assert not access(billing)


def test_a_late_deletion_keeps_the_newest_news_of_its_subscription_for_the_summary(billing: Any) -> None:
    """Of two ended subscriptions the summary names the one with the newest news: a deletion that
    arrives after a newer invoice ends the subscription and keeps the invoice's place in time."""
    paid, ended = Reader(USER, subscription_id="sub_paid_last"), Reader(USER, subscription_id="sub_ended")
    now = int(time.time())
    deliver(billing, event_for("customer.subscription.created", ended, created=now - 10, period_end=now + 9 * 86_400))
    deliver(billing, event_for("customer.subscription.deleted", ended, created=now - 1, period_end=now + 9 * 86_400))
    deliver(billing, event_for("invoice.paid", paid, created=now, period_end=now + 30 * 86_400))
    deliver(billing, event_for("customer.subscription.deleted", paid, created=now - 2, period_end=now + 30 * 86_400))
    assert not access(billing)
    assert record(billing.webhook.ACCOUNTS.client)["subscriptionId"] == {"S": paid.subscription_id}


@pytest.mark.parametrize("api_version", [OLD_API, NEW_API])
def test_a_subscription_to_another_price_never_opens_the_paywall(billing: Any, api_version: str) -> None:
    newsletter = Reader(USER, subscription_id="sub_newsletter")
    for kind in ("customer.subscription.created", "invoice.paid"):
        payload = event_for(kind, newsletter, price="price_newsletter_099", api_version=api_version)
        assert body_of(deliver(billing, payload))["outcome"] == "ignored"
    assert not access(billing)
    assert me(billing)["status"] == "none"


def test_a_subscription_moved_to_another_price_stops_counting(billing: Any) -> None:
    reader = Reader(USER)
    now = int(time.time())
    deliver(billing, event_for("customer.subscription.created", reader, created=now - 10))
    assert access(billing)
    moved = event_for("customer.subscription.updated", reader, created=now, price="price_newsletter_099")
    assert body_of(deliver(billing, moved))["outcome"] == "applied"
    assert not access(billing)
    assert me(billing)["status"] == "none"


def test_an_operator_s_cancel_stands_until_a_newer_stripe_event_about_that_subscription(
    billing: Any, capsys: pytest.CaptureFixture[str]
) -> None:
    import essays_cli.admin as admin

    reader = Reader(USER)
    now = int(time.time())
    deliver(billing, event_for("customer.subscription.created", reader, created=now - 100))
    assert admin.main(["subscription", "cancel", USER, "--table", SUBSCRIPTIONS]) == 0
    assert not access(billing)
    # older news about the subscription, and news about another one, leave the cancel standing
    deliver(billing, event_for("invoice.paid", reader, created=now - 50))
    other = Reader(USER, subscription_id="sub_other_newsletter")
    deliver(billing, event_for("customer.subscription.updated", other, created=now + 5, price="price_news"))
    assert not access(billing)
    # Stripe renewing that very subscription later is newer than the operator's word
    deliver(billing, event_for("invoice.paid", reader, created=now + 60, period_end=now + 86_400))
    assert access(billing)


def test_an_operator_s_cancel_ends_the_live_ones_now_and_leaves_an_ended_one_ended(
    billing: Any, capsys: pytest.CaptureFixture[str]
) -> None:
    import essays_cli.admin as admin

    ended, live = Reader(USER, subscription_id="sub_ended"), Reader(USER, subscription_id="sub_live")
    now = int(time.time())
    deliver(billing, event_for("customer.subscription.created", ended, created=now - 300))
    deliver(billing, event_for("customer.subscription.deleted", ended, created=now - 200))
    deliver(billing, event_for("customer.subscription.created", live, created=now - 100))
    before = datetime.now(UTC).replace(microsecond=0)
    assert admin.main(["subscription", "cancel", USER, "--table", SUBSCRIPTIONS]) == 0
    after = datetime.now(UTC)
    assert not access(billing)
    cancelled = datetime.fromisoformat(me(billing)["currentPeriodEnd"].replace("Z", "+00:00"))
    assert before <= cancelled <= after  # ended at the operator's word, not at the paid period's end
    # a late invoice of the subscription Stripe ended, newer than the operator's cancel, is still stale
    late = event_for("invoice.paid", ended, created=now + 60, period_end=now + 86_400)
    assert body_of(deliver(billing, late))["outcome"] == "stale"
    assert not access(billing)


# The property: Stripe's truth about each subscription is its newest event (a deletion is final);
# the reader may read exactly when one of our plans' subscriptions is active or trialing in period.
TWO_SUBSCRIPTIONS = [
    Reader(USER, customer_id="cus_first", subscription_id="sub_first"),
    Reader(USER, customer_id="cus_second", subscription_id="sub_second"),
]
KINDS = [
    "customer.subscription.created",
    "customer.subscription.updated",
    "customer.subscription.deleted",
    "invoice.paid",
    "invoice.payment_failed",
]
STATUSES = ["active", "trialing", "past_due", "unpaid", "incomplete", "canceled", "incomplete_expired"]


def _truth(events: list[dict[str, Any]], now: int) -> bool:
    from shared.access.billing import BillingEvent, invoice_state, subscription_state

    entitled = False
    for reader in TWO_SUBSCRIPTIONS:
        about = []
        for payload in events:
            parsed = BillingEvent.parse(payload)
            state = (
                subscription_state(parsed.data)
                if parsed.type.startswith("customer.subscription.")
                else invoice_state(parsed.data, Status.ACTIVE if parsed.type == "invoice.paid" else Status.PAST_DUE)
            )
            if state and state.subscription_id == reader.subscription_id:
                about.append((parsed.order_key, state))
        if not about:
            continue
        ended = [s for _, s in about if s.status in (Status.CANCELED, Status.INCOMPLETE_EXPIRED)]
        _, newest = max(about, key=lambda pair: pair[0])
        ours = not any("price_other" in p for p in newest.price_ids) or not newest.price_ids
        if ended or not ours:
            continue
        if newest.status in (Status.ACTIVE, Status.TRIALING) and newest.current_period_end.timestamp() > now:
            entitled = True
    return entitled


@settings(
    max_examples=10 if UNDER_MUTATION else 30,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(data=st.data())
def test_access_follows_stripe_for_any_events_over_two_subscriptions_in_any_order(
    billing: Any, ddb: Any, data: st.DataObject
) -> None:
    user = str(uuid.uuid4())
    readers = [
        Reader(user, customer_id=r.customer_id + user[:8], subscription_id=r.subscription_id + user[:8])
        for r in TWO_SUBSCRIPTIONS
    ]
    TWO_SUBSCRIPTIONS[:] = readers  # _truth reads the same subscriptions
    now = int(time.time())
    story = data.draw(
        st.lists(
            st.tuples(
                st.sampled_from(readers),
                st.sampled_from(KINDS),
                st.sampled_from(STATUSES),
                st.integers(-300, 0),  # created
                st.integers(-2, 30),  # period end, days from now
                st.sampled_from([stripefake.PRICE, stripefake.PRICE, "price_other_product"]),
            ),
            min_size=1,
            max_size=7,
        )
    )
    events = []
    for reader, kind, status, created, days, price in story:
        if kind == "customer.subscription.deleted":
            status = "canceled"
        events.append(
            event_for(kind, reader, status=status, created=now + created, period_end=now + days * 86_400, price=price)
        )
    deliveries = data.draw(st.permutations(events))
    deliveries += data.draw(st.lists(st.sampled_from(events), max_size=3))  # Stripe's retries
    for payload in deliveries:
        assert deliver(billing, payload)["statusCode"] == HTTPStatus.OK
    assert access(billing, user) == _truth(events, now)


def test_a_rotated_stripe_key_is_used_by_a_warm_container_once_the_secret_cache_lets_it_in(
    billing: Any, stripe_api: FakeStripe, monkeypatch: pytest.MonkeyPatch
) -> None:
    moments = iter(range(0, 10_000, 400))  # each read of the clock: 400 s later (past the 5 minute age)
    monkeypatch.setattr(secrets, "clock", lambda: float(next(moments)))
    assert billing.billing.handler(as_reader("checkout"), CONTEXT)["statusCode"] == HTTPStatus.OK
    boto3.client("secretsmanager").put_secret_value(SecretId="stripe-secret-key-test", SecretString="sk_test_rotated")
    assert billing.billing.handler(as_reader("portal"), CONTEXT)["statusCode"] == HTTPStatus.OK
    assert stripe_api.requests[0].authorization == f"Bearer {STRIPE_KEY}"
    assert stripe_api.requests[-1].authorization == "Bearer sk_test_rotated"
