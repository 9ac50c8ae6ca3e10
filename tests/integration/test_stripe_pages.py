"""The offline Stripe's hosted pages (essays_cli.stripefake): Checkout's Pay sends the events Stripe
sends, signed with the webhook's secret, then redirects to the success URL with the session id;
Cancel goes to the cancel URL; the portal's Cancel subscription and Cancel now send the updates.
The events are what the webhook's own parsing accepts."""

from __future__ import annotations

import json
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest
import stripe
from essays_cli.stripefake import FakeStripe, new_signing_secret

from shared.access.billing import BillingEvent, invoice_state, subscription_state
from shared.access.subscriptions import Status

SECRET = new_signing_secret()


class Webhook:
    """A stand-in for the stack's webhook: verifies each signature as stripe-python does."""

    def __init__(self) -> None:
        self.events: list[dict[str, Any]] = []
        owner = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers["Content-Length"])).decode()
                stripe.Webhook.construct_event(body, self.headers["Stripe-Signature"], SECRET)
                owner.events.append(json.loads(body))
                self.send_response(200)
                self.end_headers()

            def log_message(self, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/billing/webhook"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def wait_for(self, count: int) -> list[dict[str, Any]]:
        for _ in range(100):
            if len(self.events) >= count:
                break
            time.sleep(0.05)
        return self.events


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args: Any, **kwargs: Any) -> None:
        return None


def press(url: str) -> tuple[int, str]:
    try:
        urllib.request.build_opener(NoRedirect).open(urllib.request.Request(url, data=b"", method="POST"))
    except urllib.error.HTTPError as answer:
        return answer.code, answer.headers.get("Location", "")
    raise AssertionError("no redirect")


def create(fake: FakeStripe, path: str, fields: dict[str, str]) -> str:
    data = urllib.parse.urlencode(fields).encode()
    with urllib.request.urlopen(urllib.request.Request(fake.url + path, data=data, method="POST")) as response:
        return str(json.loads(response.read())["url"])


@pytest.fixture
def stripe_pages() -> Iterator[tuple[FakeStripe, Webhook]]:
    fake, webhook = FakeStripe(), Webhook()
    fake.connect(webhook.url, SECRET)
    yield fake, webhook
    fake.stop()
    webhook.server.shutdown()


CHECKOUT = {
    "mode": "subscription",
    "client_reference_id": "user-1",
    "metadata[userId]": "user-1",
    "success_url": "http://site/subscribed?session_id={CHECKOUT_SESSION_ID}&returnTo=%2Fessays%2Fx",
    "cancel_url": "http://site/plans?returnTo=%2Fessays%2Fx",
}


def test_pay_sends_stripe_s_events_then_returns_to_the_success_url(stripe_pages: tuple[FakeStripe, Webhook]) -> None:
    fake, webhook = stripe_pages
    url = create(fake, "/v1/checkout/sessions", CHECKOUT)
    with urllib.request.urlopen(url) as response:
        page = response.read().decode()
    assert "Pay £6.99" in page and "Cancel" in page and '<html lang="en-GB">' in page
    session_id = url.rsplit("/", 1)[1]
    status, location = press(f"{url}/pay")
    assert (status, location) == (303, f"http://site/subscribed?session_id={session_id}&returnTo=%2Fessays%2Fx")
    events = webhook.wait_for(3)
    assert [e["type"] for e in events] == [
        "checkout.session.completed",
        "customer.subscription.created",
        "invoice.paid",
    ]
    parsed = [BillingEvent.parse(e) for e in events]
    assert parsed[0].data["client_reference_id"] == "user-1" and parsed[0].data["mode"] == "subscription"
    created = subscription_state(parsed[1].data)
    paid = invoice_state(parsed[2].data, Status.ACTIVE)
    assert created.user_id == "user-1" and created.status is Status.ACTIVE
    assert paid is not None and paid.subscription_id == created.subscription_id
    assert parsed[0].data["customer"] == created.customer_id == paid.customer_id


def test_cancel_returns_to_the_cancel_url_and_sends_nothing(stripe_pages: tuple[FakeStripe, Webhook]) -> None:
    fake, webhook = stripe_pages
    url = create(fake, "/v1/checkout/sessions", CHECKOUT)
    assert press(f"{url}/cancel") == (303, "http://site/plans?returnTo=%2Fessays%2Fx")
    time.sleep(0.2)
    assert webhook.events == []


def test_the_portal_cancels_at_period_end_or_at_once(stripe_pages: tuple[FakeStripe, Webhook]) -> None:
    fake, webhook = stripe_pages
    press(create(fake, "/v1/checkout/sessions", CHECKOUT) + "/pay")
    customer = webhook.wait_for(3)[1]["data"]["object"]["customer"]
    portal = create(fake, "/v1/billing_portal/sessions", {"customer": customer, "return_url": "http://site/account"})
    with urllib.request.urlopen(portal) as response:
        page = response.read().decode()
    assert "Cancel subscription" in page and "Return" in page
    assert press(f"{portal}/cancel") == (303, "http://site/account")
    update = subscription_state(webhook.wait_for(4)[3]["data"]["object"])
    assert webhook.events[3]["type"] == "customer.subscription.updated"
    assert update.cancel_at_period_end and update.status is Status.ACTIVE and update.user_id == "user-1"
    assert press(f"{portal}/cancel-now") == (303, "http://site/account")
    ended = subscription_state(webhook.wait_for(5)[4]["data"]["object"])
    assert webhook.events[4]["type"] == "customer.subscription.deleted" and ended.status is Status.CANCELED
    assert press(f"{portal}/return") == (303, "http://site/account")
    time.sleep(0.2)
    assert len(webhook.events) == 5  # Return sends nothing


def test_an_unknown_page_is_a_404(stripe_pages: tuple[FakeStripe, Webhook]) -> None:
    fake, _ = stripe_pages
    with pytest.raises(urllib.error.HTTPError) as missing:
        urllib.request.urlopen(f"{fake.url}/c/pay/cs_test_unknown")
    assert missing.value.code == 404
