"""Stripe, offline: events shaped like Stripe's published examples, signed with the library's own
helper, and a fake of the two Stripe API endpoints the billing routes call. For the tests, the
benchmark-free local stack (`make dev`) and `essays-dev billing-event`; never shipped to Lambda.

Two API versions matter to the webhook: up to 2025-02 ("acacia") a subscription's period end is on
the subscription and an invoice names its subscription at the top; from 2025-03 ("basil") the
period end is on each subscription item and the invoice's subscription is under `parent`.
"""

from __future__ import annotations

import hashlib
import json
import secrets
import threading
import time
import urllib.parse
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

OLD_API = "2025-02-24.acacia"
NEW_API = "2025-03-31.basil"
PRICE = "price_local_monthly"
MONTH = 30 * 24 * 3600


def _id(prefix: str, seed: str) -> str:
    return f"{prefix}_{hashlib.sha256(seed.encode()).hexdigest()[:24]}"


@dataclass
class Reader:
    """A reader as Stripe knows them: ids derived from their user id, so every event agrees."""

    user_id: str
    customer_id: str = ""
    subscription_id: str = ""

    def __post_init__(self) -> None:
        self.customer_id = self.customer_id or _id("cus", self.user_id)
        self.subscription_id = self.subscription_id or _id("sub", self.user_id)


def _price(created: int) -> dict[str, Any]:
    return {
        "id": PRICE,
        "object": "price",
        "active": True,
        "billing_scheme": "per_unit",
        "created": created - 86_400,
        "currency": "gbp",
        "livemode": False,
        "lookup_key": None,
        "metadata": {},
        "nickname": "Monthly",
        "product": "prod_local_essays",
        "recurring": {"interval": "month", "interval_count": 1, "usage_type": "licensed"},
        "type": "recurring",
        "unit_amount": 699,
        "unit_amount_decimal": "699",
    }


def subscription_object(
    reader: Reader,
    status: str,
    period_end: int,
    api_version: str = NEW_API,
    cancel_at_period_end: bool = False,
    created: int | None = None,
    with_metadata: bool = True,
) -> dict[str, Any]:
    created = created or period_end - MONTH
    start = period_end - MONTH
    item: dict[str, Any] = {
        "id": _id("si", reader.subscription_id),
        "object": "subscription_item",
        "created": created,
        "metadata": {},
        "price": _price(created),
        "quantity": 1,
        "subscription": reader.subscription_id,
        "tax_rates": [],
    }
    subscription: dict[str, Any] = {
        "id": reader.subscription_id,
        "object": "subscription",
        "application": None,
        "automatic_tax": {"enabled": False, "liability": None},
        "billing_cycle_anchor": start,
        "cancel_at": period_end if cancel_at_period_end else None,
        "cancel_at_period_end": cancel_at_period_end,
        "canceled_at": created if status == "canceled" else None,
        "collection_method": "charge_automatically",
        "created": created,
        "currency": "gbp",
        "customer": reader.customer_id,
        "default_payment_method": "pm_local_card",
        "ended_at": created if status == "canceled" else None,
        "items": {
            "object": "list",
            "data": [item],
            "has_more": False,
            "total_count": 1,
            "url": f"/v1/subscription_items?subscription={reader.subscription_id}",
        },
        "latest_invoice": _id("in", f"{reader.subscription_id}:{period_end}"),
        "livemode": False,
        "metadata": {"userId": reader.user_id} if with_metadata else {},
        "start_date": created,
        "status": status,
        "trial_end": None,
        "trial_start": None,
    }
    if api_version <= OLD_API:
        subscription.update(current_period_start=start, current_period_end=period_end)
    else:
        item.update(current_period_start=start, current_period_end=period_end)
    return subscription


def invoice_object(reader: Reader, paid: bool, period_end: int, api_version: str = NEW_API) -> dict[str, Any]:
    start = period_end - MONTH
    line = {
        "id": _id("il", f"{reader.subscription_id}:{period_end}"),
        "object": "line_item",
        "amount": 699,
        "currency": "gbp",
        "description": "1 × Essay library (at £6.99 / month)",
        "livemode": False,
        "metadata": {},
        "period": {"end": period_end, "start": start},
        "quantity": 1,
    }
    invoice: dict[str, Any] = {
        "id": _id("in", f"{reader.subscription_id}:{period_end}"),
        "object": "invoice",
        "amount_due": 699,
        "amount_paid": 699 if paid else 0,
        "amount_remaining": 0 if paid else 699,
        "attempt_count": 1,
        "attempted": True,
        "billing_reason": "subscription_cycle",
        "collection_method": "charge_automatically",
        "created": start,
        "currency": "gbp",
        "customer": reader.customer_id,
        "customer_email": "reader@example.com",
        "lines": {"object": "list", "data": [line], "has_more": False, "total_count": 1, "url": "/v1/invoices/lines"},
        "livemode": False,
        "paid": paid,
        "period_end": start,
        "period_start": start - MONTH,
        "status": "paid" if paid else "open",
        "total": 699,
    }
    details = {"metadata": {"userId": reader.user_id}}
    if api_version <= OLD_API:
        invoice.update(subscription=reader.subscription_id, subscription_details=details)
    else:
        invoice["parent"] = {
            "quote_details": None,
            "subscription_details": {**details, "subscription": reader.subscription_id},
            "type": "subscription_details",
        }
        line["parent"] = {"subscription_item_details": {"subscription": reader.subscription_id}}
    return invoice


def checkout_session_object(reader: Reader, created: int) -> dict[str, Any]:
    return {
        "id": _id("cs_test", f"{reader.user_id}:{created}"),
        "object": "checkout.session",
        "amount_subtotal": 699,
        "amount_total": 699,
        "cancel_url": "https://essays.example.com/plans",
        "client_reference_id": reader.user_id,
        "created": created,
        "currency": "gbp",
        "customer": reader.customer_id,
        "customer_details": {"email": "reader@example.com", "name": None},
        "livemode": False,
        "metadata": {"userId": reader.user_id},
        "mode": "subscription",
        "payment_status": "paid",
        "status": "complete",
        "subscription": reader.subscription_id,
        "success_url": "https://essays.example.com/subscribed?session_id={CHECKOUT_SESSION_ID}",
        "url": None,
    }


def event(kind: str, obj: dict[str, Any], created: int | None = None, api_version: str = NEW_API) -> dict[str, Any]:
    """A webhook event as Stripe sends it (the `snapshot` payload)."""
    return {
        "id": "evt_" + secrets.token_hex(12),
        "object": "event",
        "api_version": api_version,
        "created": created or int(time.time()),
        "data": {"object": obj},
        "livemode": False,
        "pending_webhooks": 1,
        "request": {"id": "req_" + secrets.token_hex(7), "idempotency_key": None},
        "type": kind,
    }


SUBSCRIPTION_EVENTS = (
    "customer.subscription.created",
    "customer.subscription.updated",
    "customer.subscription.deleted",
)
EVENT_TYPES = ("checkout.session.completed", *SUBSCRIPTION_EVENTS, "invoice.paid", "invoice.payment_failed")


def event_for(
    kind: str,
    reader: Reader,
    status: str | None = None,
    created: int | None = None,
    period_end: int | None = None,
    api_version: str = NEW_API,
) -> dict[str, Any]:
    """An event of one of the six handled types about `reader`, as Stripe would send it."""
    created = created or int(time.time())
    period_end = period_end or created + MONTH
    if kind == "checkout.session.completed":
        obj = checkout_session_object(reader, created)
    elif kind in SUBSCRIPTION_EVENTS:
        default = "canceled" if kind.endswith("deleted") else "active"
        obj = subscription_object(reader, status or default, period_end, api_version, created=created)
    elif kind in ("invoice.paid", "invoice.payment_failed"):
        obj = invoice_object(reader, kind == "invoice.paid", period_end, api_version)
    else:
        raise ValueError(f"unknown event type {kind!r}; one of {', '.join(EVENT_TYPES)}")
    return event(kind, obj, created, api_version)


def signed(body: str, secret: str, timestamp: int | None = None) -> str:
    """The Stripe-Signature header for `body`, made by stripe-python's own helper."""
    import stripe

    return str(stripe.WebhookSignature.generate_signature_header(body, secret, timestamp))


def new_signing_secret() -> str:
    return "whsec_" + secrets.token_urlsafe(24)


# ---- the two API endpoints the billing routes call --------------------------------------------


@dataclass
class Request:
    method: str
    path: str
    params: dict[str, str]  # form fields as Stripe's library encodes them: line_items[0][price]=...
    authorization: str


@dataclass
class FakeStripe:
    """POST /v1/checkout/sessions and POST /v1/billing_portal/sessions on 127.0.0.1, answering the way
    Stripe does (a session with a `url`) and keeping each request for the tests to read."""

    requests: list[Request] = field(default_factory=list)
    status: int = 200  # set to 500, 429... to make the fake fail

    def __post_init__(self) -> None:
        owner = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                form = urllib.parse.parse_qsl(self.rfile.read(length).decode(), keep_blank_values=True)
                request = Request("POST", self.path, dict(form), self.headers.get("Authorization", ""))
                owner.requests.append(request)
                self._answer(*owner.answer(request))

            def do_GET(self) -> None:  # the "hosted page" a checkout or portal URL leads to
                page = b"<!doctype html><title>Fake Stripe</title><p>Offline stand-in for a Stripe page.</p>"
                self.send_response(200)
                self.send_header("Content-Type", "text/html")
                self.send_header("Content-Length", str(len(page)))
                self.end_headers()
                self.wfile.write(page)

            def _answer(self, status: int, body: dict[str, Any]) -> None:
                data = json.dumps(body).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.send_header("Request-Id", "req_" + secrets.token_hex(7))
                self.end_headers()
                self.wfile.write(data)

            def log_message(self, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def answer(self, request: Request) -> tuple[int, dict[str, Any]]:
        if self.status != 200:
            error = {"type": "api_error", "message": "The fake was told to fail."}
            return self.status, {"error": error}
        now = int(time.time())
        if request.path == "/v1/checkout/sessions":
            session_id = "cs_test_" + secrets.token_hex(16)
            return 200, {
                "id": session_id,
                "object": "checkout.session",
                "client_reference_id": request.params.get("client_reference_id"),
                "created": now,
                "customer": request.params.get("customer"),
                "expires_at": now + 86_400,
                "livemode": False,
                "mode": request.params.get("mode"),
                "status": "open",
                "url": f"{self.url}/c/pay/{session_id}",
            }
        if request.path == "/v1/billing_portal/sessions":
            session_id = "bps_" + secrets.token_hex(12)
            return 200, {
                "id": session_id,
                "object": "billing_portal.session",
                "created": now,
                "customer": request.params.get("customer"),
                "livemode": False,
                "return_url": request.params.get("return_url"),
                "url": f"{self.url}/p/session/{session_id}",
            }
        return 404, {
            "error": {"type": "invalid_request_error", "message": f"Unrecognized request URL ({request.path})."}
        }

    def stop(self) -> None:
        self.server.shutdown()
