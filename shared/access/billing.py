"""Payments: what Stripe's webhook events mean for a reader's subscription, and the checkout and
portal requests. Pure logic: the stores and the Stripe client are passed in.

Stripe delivers each event at least once and in no particular order, so:
- an event already handled (its id marked, with a TTL) is acknowledged and changes nothing;
- every change is guarded by the event's place in time (`order_key`: its `created` second, then
  the type's place in a subscription's life, then its id), stored beside the state it wrote, so
  an older event never overwrites a newer one, whatever order they arrive in. A duplicate that
  races past the mark is refused by the same guard (its key is not newer than itself).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from enum import StrEnum
from typing import Any, Protocol

from shared.access.subscriptions import Account, Status
from shared.errors import Conflict, InvalidRequest, NotFound

HANDLED = (
    "checkout.session.completed",
    "customer.subscription.created",
    "customer.subscription.updated",
    "customer.subscription.deleted",
    "invoice.paid",
    "invoice.payment_failed",
)
# Where an event type stands in a subscription's life: breaks ties between events of the same second.
_RANK = {
    "customer.subscription.created": 1,
    "invoice.payment_failed": 2,
    "invoice.paid": 3,
    "customer.subscription.updated": 4,
    "customer.subscription.deleted": 5,
}
# Marks of handled events outlive Stripe's retries (3 days) and manual resends (30 days).
EVENT_MARK_DAYS = 35
USER_METADATA = "userId"  # set on every subscription our checkout creates: its events name the reader


class Outcome(StrEnum):
    APPLIED = "applied"  # the reader's record changed
    STALE = "stale"  # older than what the record holds: nothing written
    DUPLICATE = "duplicate"  # already handled
    IGNORED = "ignored"  # a type we do not act on, or not about a subscription of ours
    UNMATCHED = "unmatched"  # about a customer we cannot tie to a reader


@dataclass(frozen=True)
class BillingEvent:
    id: str
    type: str
    created: int
    data: Mapping[str, Any]  # data.object: the Checkout Session, Subscription or Invoice

    @classmethod
    def parse(cls, event: Mapping[str, Any]) -> BillingEvent:
        """A verified Stripe event, or InvalidRequest when the body is not one."""
        data = event.get("data")
        obj = data.get("object") if isinstance(data, Mapping) else None
        created = event.get("created")
        if (
            event.get("object") != "event"
            or not isinstance(event.get("id"), str)
            or not event["id"]
            or not isinstance(event.get("type"), str)
            or not isinstance(created, int)
            or isinstance(created, bool)
            or not isinstance(obj, Mapping)
        ):
            raise InvalidRequest("the body is not a Stripe event")
        return cls(event["id"], event["type"], created, obj)

    @property
    def order_key(self) -> str:
        return f"{self.created:012d}#{_RANK.get(self.type, 0)}#{self.id}"

    @property
    def at(self) -> datetime:
        return datetime.fromtimestamp(self.created, UTC)


@dataclass(frozen=True)
class SubscriptionState:
    """What an event says about a subscription, ready to be stored on the reader's record."""

    customer_id: str
    subscription_id: str
    status: Status
    current_period_end: datetime
    cancel_at_period_end: bool
    user_id: str | None  # from the subscription's metadata, when the event carries it


class Ledger(Protocol):
    """Where the webhook keeps what it knows (shared/store/billing.py)."""

    def seen(self, event_id: str) -> bool: ...
    def mark(self, event_id: str, expires_at: datetime) -> None: ...
    def link_customer(self, customer_id: str, user_id: str) -> None: ...
    def user_of_customer(self, customer_id: str) -> str | None: ...


class Accounts(Protocol):
    def account(self, user_id: str) -> Account | None: ...
    def set_customer(self, user_id: str, customer_id: str) -> None: ...
    def apply(self, user_id: str, plan: str, state: SubscriptionState, order_key: str, at: datetime) -> bool: ...


def _text(obj: Mapping[str, Any], key: str) -> str | None:
    value = obj.get(key)
    if isinstance(value, Mapping):  # an expanded object
        value = value.get("id")
    return value if isinstance(value, str) and value else None


def _epoch(value: Any) -> datetime | None:
    if isinstance(value, int) and not isinstance(value, bool) and value > 0:
        return datetime.fromtimestamp(value, UTC)
    return None


def _items(obj: Mapping[str, Any], key: str) -> list[Mapping[str, Any]]:
    listed = obj.get(key)
    data = listed.get("data") if isinstance(listed, Mapping) else None
    return [entry for entry in data if isinstance(entry, Mapping)] if isinstance(data, list) else []


def _status(value: Any) -> Status:
    try:
        return Status(value)
    except ValueError:
        raise InvalidRequest(f"unknown subscription status {value!r}") from None


def subscription_state(subscription: Mapping[str, Any]) -> SubscriptionState:
    """A Subscription object of any API version: up to 2025-02 the period end is on the subscription,
    from 2025-03 on each of its items (the latest one counts)."""
    customer, subscription_id = _text(subscription, "customer"), _text(subscription, "id")
    ends = [_epoch(subscription.get("current_period_end"))]
    ends += [_epoch(item.get("current_period_end")) for item in _items(subscription, "items")]
    known = [end for end in ends if end is not None]
    if not customer or not subscription_id or not known:
        raise InvalidRequest("the subscription has no customer, id or period end")
    metadata = subscription.get("metadata")
    user = metadata.get(USER_METADATA) if isinstance(metadata, Mapping) else None
    return SubscriptionState(
        customer,
        subscription_id,
        _status(subscription.get("status")),
        max(known),
        subscription.get("cancel_at_period_end") is True,
        user if isinstance(user, str) and user else None,
    )


def invoice_state(invoice: Mapping[str, Any], status: Status) -> SubscriptionState | None:
    """What a subscription's invoice says (None for an invoice of no subscription). Up to 2025-02 the
    subscription is `invoice.subscription` and its metadata `invoice.subscription_details.metadata`;
    from 2025-03 both are under `invoice.parent.subscription_details`. The period is the lines'."""
    parent = invoice.get("parent")
    details = parent.get("subscription_details") if isinstance(parent, Mapping) else None
    if not isinstance(details, Mapping):
        details = invoice.get("subscription_details")
    details = details if isinstance(details, Mapping) else {}
    subscription_id = _text(invoice, "subscription") or _text(details, "subscription")
    if subscription_id is None:
        return None
    customer = _text(invoice, "customer")
    ends = [_epoch((line.get("period") or {}).get("end")) for line in _items(invoice, "lines")]
    known = [end for end in ends if end is not None]
    if not customer or not known:
        raise InvalidRequest("the invoice has no customer or period")
    metadata = details.get("metadata")
    user = metadata.get(USER_METADATA) if isinstance(metadata, Mapping) else None
    return SubscriptionState(
        customer, subscription_id, status, max(known), False, user if isinstance(user, str) and user else None
    )


def handle_event(ledger: Ledger, accounts: Accounts, event: BillingEvent, plan: str) -> Outcome:
    """Apply one verified event, at most once in effect (see the module's notes)."""
    if event.type not in HANDLED:
        return Outcome.IGNORED
    if ledger.seen(event.id):
        return Outcome.DUPLICATE
    outcome = _apply(ledger, accounts, event, plan)
    if outcome is not Outcome.UNMATCHED:  # an unmatched event may match once its checkout is known
        ledger.mark(event.id, datetime.now(UTC) + timedelta(days=EVENT_MARK_DAYS))
    return outcome


def _apply(ledger: Ledger, accounts: Accounts, event: BillingEvent, plan: str) -> Outcome:
    obj = event.data
    if event.type == "checkout.session.completed":
        user, customer = _text(obj, "client_reference_id"), _text(obj, "customer")
        if obj.get("mode") != "subscription" or not user or not customer:
            return Outcome.IGNORED
        ledger.link_customer(customer, user)
        accounts.set_customer(user, customer)
        return Outcome.APPLIED
    if event.type.startswith("customer.subscription."):
        state = subscription_state(obj)
    else:
        paid = event.type == "invoice.paid"
        found = invoice_state(obj, Status.ACTIVE if paid else Status.PAST_DUE)
        if found is None:
            return Outcome.IGNORED
        state = found
    user = state.user_id or ledger.user_of_customer(state.customer_id)
    if user is None:
        return Outcome.UNMATCHED
    if state.user_id:
        ledger.link_customer(state.customer_id, state.user_id)
    applied = accounts.apply(user, plan, state, event.order_key, event.at)
    return Outcome.APPLIED if applied else Outcome.STALE


# ---- checkout and portal ---------------------------------------------------------------------


class Payments(Protocol):
    """The two Stripe calls the billing routes make (shared/access/stripe_api.py)."""

    def checkout_url(self, params: dict[str, Any]) -> str: ...
    def portal_url(self, params: dict[str, Any]) -> str: ...


@dataclass(frozen=True)
class CheckoutSettings:
    price_id: str
    success_url: str
    cancel_url: str
    portal_return_url: str


def start_checkout(
    accounts: Accounts, payments: Payments, settings: CheckoutSettings, user_id: str, now: datetime
) -> str:
    """A Checkout Session URL for the plan; Conflict if the reader already subscribes."""
    account = accounts.account(user_id)
    if account and account.subscription and account.subscription.allows_reading(now):
        raise Conflict("You already subscribe; manage your subscription with POST /billing/portal.")
    params: dict[str, Any] = {
        "mode": "subscription",
        "line_items": [{"price": settings.price_id, "quantity": 1}],
        "client_reference_id": user_id,
        "success_url": settings.success_url,
        "cancel_url": settings.cancel_url,
        "metadata": {USER_METADATA: user_id},
        "subscription_data": {"metadata": {USER_METADATA: user_id}},
    }
    if account and account.customer_id:
        params["customer"] = account.customer_id  # a returning reader keeps one customer
    return payments.checkout_url(params)


def portal(accounts: Accounts, payments: Payments, settings: CheckoutSettings, user_id: str) -> str:
    account = accounts.account(user_id)
    if account is None or account.customer_id is None:
        raise NotFound("You have no billing account yet: subscribe first (POST /checkout).")
    return payments.portal_url({"customer": account.customer_id, "return_url": settings.portal_return_url})
