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
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass, field
from typing import Any

from essays_cli.localhttp import QuietHandler, serve

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


def _price(created: int, price: str = PRICE) -> dict[str, Any]:
    return {
        "id": price,
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
    price: str = PRICE,
) -> dict[str, Any]:
    created = created or period_end - MONTH
    start = period_end - MONTH
    item: dict[str, Any] = {
        "id": _id("si", reader.subscription_id),
        "object": "subscription_item",
        "created": created,
        "metadata": {},
        "price": _price(created, price),
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


def invoice_object(
    reader: Reader, paid: bool, period_end: int, api_version: str = NEW_API, price: str = PRICE
) -> dict[str, Any]:
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
        line.update(price=_price(start, price), subscription=reader.subscription_id)
    else:
        invoice["parent"] = {
            "quote_details": None,
            "subscription_details": {**details, "subscription": reader.subscription_id},
            "type": "subscription_details",
        }
        line["parent"] = {"subscription_item_details": {"subscription": reader.subscription_id}}
        line["pricing"] = {
            "price_details": {"price": price, "product": "prod_local_essays"},
            "type": "price_details",
            "unit_amount_decimal": "699",
        }
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
    price: str = PRICE,
) -> dict[str, Any]:
    """An event of one of the six handled types about `reader`, as Stripe would send it."""
    created = created or int(time.time())
    period_end = period_end or created + MONTH
    if kind == "checkout.session.completed":
        obj = checkout_session_object(reader, created)
    elif kind in SUBSCRIPTION_EVENTS:
        default = "canceled" if kind.endswith("deleted") else "active"
        obj = subscription_object(reader, status or default, period_end, api_version, created=created, price=price)
    elif kind in ("invoice.paid", "invoice.payment_failed"):
        obj = invoice_object(reader, kind == "invoice.paid", period_end, api_version, price)
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
    idempotency_key: str = ""


@dataclass
class FakeStripe:
    """POST /v1/checkout/sessions and POST /v1/billing_portal/sessions on 127.0.0.1, answering the way
    Stripe does (a session with a `url`) and keeping each request for the tests to read."""

    requests: list[Request] = field(default_factory=list)
    status: int = 200  # set to 500, 429... to make the fake fail
    # Where the hosted pages' buttons send Stripe's events (set once the stack is up: `connect`).
    webhook_url: str = ""
    signing_secret: str = ""
    sessions: dict[str, dict[str, str]] = field(default_factory=dict)  # id -> the session's fields
    subscriptions: dict[str, tuple[str, int]] = field(default_factory=dict)  # customer -> (user, period end)
    delivered: list[tuple[str, int]] = field(default_factory=list)  # (event type, the webhook's status)
    # Stripe keeps an idempotency key's first answer for 24 h and gives it again for the same key.
    answered: dict[str, tuple[int, dict[str, Any]]] = field(default_factory=dict)

    def __post_init__(self) -> None:
        owner = self
        self._lock = threading.Lock()

        class Handler(QuietHandler):
            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                form = urllib.parse.parse_qsl(self.rfile.read(length).decode(), keep_blank_values=True)
                if self.path.startswith(("/c/pay/", "/p/session/")):  # a button on a hosted page
                    location = owner.press(self.path)
                    if location:
                        self._page(303, b"", location)
                    else:
                        self._page(404, _hosted("Not found", "<p>This page has expired.</p>"))
                    return
                request = Request(
                    "POST",
                    self.path,
                    dict(form),
                    self.headers.get("Authorization", ""),
                    self.headers.get("Idempotency-Key", ""),
                )
                owner.requests.append(request)
                status, body = owner.idempotent_answer(request)
                self.send_json(status, body, Request_Id="req_" + secrets.token_hex(7))

            def do_GET(self) -> None:  # the "hosted page" a checkout or portal URL leads to
                status, page = owner.page(self.path)
                self._page(status, page)

            def _page(self, status: int, page: bytes, location: str = "") -> None:
                self.send_response(status)
                if location:
                    self.send_header("Location", location)
                self.send_header("Content-Type", "text/html; charset=utf-8")
                self.send_header("Content-Length", str(len(page)))
                self.send_header("Cache-Control", "no-store")
                self.end_headers()
                self.wfile.write(page)

        self.server, self.url = serve(Handler)

    def idempotent_answer(self, request: Request) -> tuple[int, dict[str, Any]]:
        with self._lock:
            if request.idempotency_key and request.idempotency_key in self.answered:
                return self.answered[request.idempotency_key]
            answer = self.answer(request)
            if request.idempotency_key and answer[0] == 200:
                self.answered[request.idempotency_key] = answer
            return answer

    def answer(self, request: Request) -> tuple[int, dict[str, Any]]:
        if self.status != 200:
            error = {"type": "api_error", "message": "The fake was told to fail."}
            return self.status, {"error": error}
        now = int(time.time())
        if request.path == "/v1/customers":
            return 200, {
                "id": "cus_" + secrets.token_hex(12),
                "object": "customer",
                "created": now,
                "livemode": False,
                "metadata": {k[9:-1]: v for k, v in request.params.items() if k.startswith("metadata[")},
            }
        if request.path == "/v1/checkout/sessions":
            return 200, self._session(
                request,
                "checkout",
                "cs_test_" + secrets.token_hex(16),
                "/c/pay/",
                now,
                client_reference_id=request.params.get("client_reference_id"),
                expires_at=now + 86_400,
                mode=request.params.get("mode"),
                status="open",
            )
        if request.path == "/v1/billing_portal/sessions":
            session_id = "bps_" + secrets.token_hex(12)
            return 200, self._session(
                request, "portal", session_id, "/p/session/", now, return_url=request.params.get("return_url")
            )
        return 404, {
            "error": {"type": "invalid_request_error", "message": f"Unrecognized request URL ({request.path})."}
        }

    def _session(
        self, request: Request, kind: str, session_id: str, page: str, now: int, **fields: Any
    ) -> dict[str, Any]:
        """A new Checkout or portal session, kept for its hosted page (at `page` + its id)."""
        self.sessions[session_id] = {"kind": kind, **request.params}
        return {
            "id": session_id,
            "object": "checkout.session" if kind == "checkout" else "billing_portal.session",
            "created": now,
            "customer": request.params.get("customer"),
            "livemode": False,
            "url": f"{self.url}{page}{session_id}",
            **fields,
        }

    def stop(self) -> None:
        self.server.shutdown()

    # ---- the hosted pages: Checkout's Pay and Cancel, the portal's Cancel subscription and Return ----

    def connect(self, webhook_url: str, signing_secret: str) -> None:
        self.webhook_url, self.signing_secret = webhook_url, signing_secret

    def page(self, path: str) -> tuple[int, bytes]:
        kind, session_id = _session_of(path)
        session = self.sessions.get(session_id)
        if session is None or session["kind"] != kind:
            return 404, _hosted("Not found", "<p>This page has expired. Go back to the site and try again.</p>")
        if kind == "checkout":
            body = f"""<h1>Subscribe to the essay library</h1>
<p class="price">£6.99 a month</p>
<p>Offline stand-in for Stripe Checkout: no card is needed and no money moves.</p>
<form method="post" action="/c/pay/{session_id}/pay"><button type="submit">Pay £6.99</button></form>
<form method="post" action="/c/pay/{session_id}/cancel"><button type="submit" class="quiet">Cancel</button></form>"""
            return 200, _hosted("Checkout", body)
        customer = session.get("customer", "")
        _, period_end = self.subscriptions.get(customer, ("", 0))
        renews = time.strftime("%-d %B %Y", time.gmtime(period_end)) if period_end else "at the end of the period"
        body = f"""<h1>Manage your subscription</h1>
<p>Offline stand-in for the Stripe customer portal. Essay library, £6.99 a month, renews {renews}.</p>
<form method="post" action="/p/session/{session_id}/cancel">
<button type="submit">Cancel subscription</button></form>
<form method="post" action="/p/session/{session_id}/cancel-now">
<button type="submit" class="quiet">Cancel now</button></form>
<form method="post" action="/p/session/{session_id}/return">
<button type="submit" class="quiet">Return</button></form>"""
        return 200, _hosted("Billing", body)

    def press(self, path: str) -> str | None:
        """A button on a hosted page: the events Stripe would send, then where Stripe would redirect."""
        kind, session_id = _session_of(path)
        session = self.sessions.get(session_id)
        action = path.rstrip("/").rsplit("/", 1)[-1]
        if session is None or session["kind"] != kind:
            return None
        now = int(time.time())
        if kind == "checkout":
            if action == "cancel":
                return session.get("cancel_url", "")
            user = session.get("client_reference_id") or session.get("metadata[userId]", "")
            reader = Reader(user, customer_id=session.get("customer", ""))
            self.subscriptions[reader.customer_id] = (user, now + MONTH)
            completed = checkout_session_object(reader, now)
            completed.update(
                success_url=session.get("success_url"), cancel_url=session.get("cancel_url"), id=session_id
            )
            self._deliver(
                [
                    event("checkout.session.completed", completed, now),
                    event_for("customer.subscription.created", reader, created=now),
                    event_for("invoice.paid", reader, created=now),
                ]
            )
            return session.get("success_url", "").replace("{CHECKOUT_SESSION_ID}", session_id)
        if action in ("cancel", "cancel-now"):
            customer = session.get("customer", "")
            user, period_end = self.subscriptions.get(customer, ("", now + MONTH))
            reader = Reader(user, customer_id=customer) if user else Reader(customer, customer_id=customer)
            if action == "cancel":  # the portal's default: it runs to the end of the period paid for
                obj = subscription_object(
                    reader, "active", period_end, cancel_at_period_end=True, with_metadata=bool(user)
                )
                self._deliver([event("customer.subscription.updated", obj, now)])
            else:
                obj = subscription_object(reader, "canceled", period_end, with_metadata=bool(user))
                self._deliver([event("customer.subscription.deleted", obj, now)])
        return session.get("return_url", "")

    def _deliver(self, events: list[dict[str, Any]]) -> None:
        """To the webhook in the background, in order, as Stripe does: the reader's browser is
        redirected at once and the page there waits for the webhook."""

        def send() -> None:
            for item in events:
                body = json.dumps(item)
                request = urllib.request.Request(
                    self.webhook_url,
                    data=body.encode(),
                    method="POST",
                    headers={"Content-Type": "application/json", "Stripe-Signature": signed(body, self.signing_secret)},
                )
                try:
                    with urllib.request.urlopen(request, timeout=30) as response:
                        self.delivered.append((item["type"], response.status))
                except urllib.error.HTTPError as refused:
                    self.delivered.append((item["type"], refused.code))
                except OSError:
                    self.delivered.append((item["type"], 0))

        if self.webhook_url:
            threading.Thread(target=send, name="stripefake-webhook", daemon=True).start()


def _session_of(path: str) -> tuple[str, str]:
    parts = path.split("?", 1)[0].strip("/").split("/")
    if len(parts) >= 3 and parts[:2] == ["c", "pay"]:
        return "checkout", parts[2]
    if len(parts) >= 3 and parts[:2] == ["p", "session"]:
        return "portal", parts[2]
    return "", ""


def _hosted(title: str, body: str) -> bytes:
    """A page of the offline stand-in, plainly styled, accessible like the site's own."""
    return f"""<!doctype html>
<html lang="en-GB">
<head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>{title} · Stripe (offline stand-in)</title><link rel="icon" href="data:,">
<style>
body {{ font-family: system-ui, sans-serif; background: #f6f9fc; color: #1a1f36; margin: 0; }}
main {{ max-width: 28rem; margin: 3rem auto; background: #fff; padding: 2rem; border-radius: 8px;
  box-shadow: 0 2px 8px rgb(0 0 0 / 10%); }}
button {{ font: inherit; width: 100%; margin: 0.4rem 0; padding: 0.7rem; border-radius: 6px; border: 0;
  background: #4f46e5; color: #fff; cursor: pointer; }}
button.quiet {{ background: #e3e8ee; color: #1a1f36; }}
.price {{ font-size: 1.5rem; font-weight: 700; }}
</style></head>
<body><main>{body}</main></body></html>
""".encode()
