"""Payments: what Stripe's webhook events mean for a reader's subscription, and the checkout and
portal requests. Pure logic: the stores and the Stripe client are passed in.

Stripe delivers each event at least once and in no particular order, so:
- an event already handled (its id marked, with a TTL) is acknowledged and changes nothing;
- every change is about one subscription and guarded by the event's place in time (`order_key`:
  its `created` second, then the type's place in a subscription's life, then its id), stored
  beside that subscription's state, so an older event never overwrites a newer one, whatever order
  they arrive in, and an event about one subscription never touches another of the same reader;
- only subscriptions to our plans' prices count (another product of the same Stripe account is
  acknowledged and ignored), and a subscription Stripe has ended (canceled, incomplete_expired)
  stays ended: a late invoice never reopens it;
- the record is updated read-modify-write, guarded by its revision (optimistic locking), so two
  events about two subscriptions of one reader, handled at once, both land.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from enum import StrEnum
from typing import Any, Protocol
from urllib.parse import quote

from shared.access.subscriptions import (
    FINAL,
    OPERATOR_GRANT,
    Account,
    Checkout,
    PlanSubscription,
    Source,
    Status,
    Subscription,
    governing,
    still_charged,
)
from shared.errors import Conflict, InvalidRequest, NotFound, TooManyRequests, Unavailable

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
    IGNORED = "ignored"  # a type we do not act on, or not about a subscription to one of our plans
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


def operator_key(now: datetime) -> str:
    """An operator's change sorts after every Stripe event of the same second and before any later one."""
    return f"{int(now.timestamp()):012d}#9#operator"


@dataclass(frozen=True)
class SubscriptionState:
    """What an event says about a subscription."""

    customer_id: str
    subscription_id: str
    status: Status
    current_period_end: datetime
    cancel_at_period_end: bool
    user_id: str | None  # from the subscription's metadata, when the event carries it
    price_ids: tuple[str, ...] = ()  # the prices it charges for (none known: an invoice without lines' prices)


@dataclass(frozen=True)
class Handled:
    outcome: Outcome
    live: int = 0  # the reader's subscriptions Stripe may still charge, after the event


class Ledger(Protocol):
    """Where the webhook keeps what it knows (shared/store/billing.py)."""

    def seen(self, event_id: str) -> bool: ...
    def mark(self, event_id: str, expires_at: datetime) -> None: ...
    def link_customer(self, customer_id: str, user_id: str) -> None: ...
    def user_of_customer(self, customer_id: str) -> str | None: ...


class Accounts(Protocol):
    """The subscriptions table (shared/store/subscriptions.py)."""

    def account(self, user_id: str) -> Account | None: ...
    def set_customer(self, user_id: str, customer_id: str) -> str:
        """Record the reader's Stripe customer unless they have one; the one they have, either way."""
        ...

    def save_subscriptions(
        self,
        user_id: str,
        subscriptions: Sequence[PlanSubscription],
        summary: PlanSubscription | None,
        revision: int,
        at: datetime,
    ) -> bool:
        """Write the subscriptions and their summary if the record is still at `revision` (else False);
        a record without a customer gets the summary's."""
        ...

    def count_checkout(self, user_id: str, window: str, request_key: str, limit: int) -> bool:
        """Count the checkout request `request_key` in `window` (once however often it comes); False
        when `limit` other requests were already counted in it."""
        ...

    def remember_checkout(self, user_id: str, checkout: Checkout) -> None: ...


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


def _price_of(entry: Mapping[str, Any]) -> str | None:
    """The price of a subscription item or invoice line: `price` (an id or an object) up to 2025-02,
    `pricing.price_details.price` from 2025-03 on; the legacy `plan` where neither is there."""
    pricing = entry.get("pricing")
    details = pricing.get("price_details") if isinstance(pricing, Mapping) else None
    found = _text(details, "price") if isinstance(details, Mapping) else None
    return found or _text(entry, "price") or _text(entry, "plan")


def _prices(entries: list[Mapping[str, Any]]) -> tuple[str, ...]:
    return tuple(dict.fromkeys(price for price in map(_price_of, entries) if price))


def _reader(metadata: Any) -> str | None:
    """The reader a subscription was made for: its metadata's user id, as checkout sets it."""
    user = metadata.get(USER_METADATA) if isinstance(metadata, Mapping) else None
    return user if isinstance(user, str) and user else None


def subscription_state(subscription: Mapping[str, Any]) -> SubscriptionState:
    """A Subscription object of any API version: up to 2025-02 the period end is on the subscription,
    from 2025-03 on each of its items (the latest one counts)."""
    customer, subscription_id = _text(subscription, "customer"), _text(subscription, "id")
    items = _items(subscription, "items")
    ends = [_epoch(subscription.get("current_period_end"))]
    ends += [_epoch(item.get("current_period_end")) for item in items]
    known = [end for end in ends if end is not None]
    if not customer or not subscription_id or not known:
        raise InvalidRequest("the subscription has no customer, id or period end")
    return SubscriptionState(
        customer,
        subscription_id,
        _status(subscription.get("status")),
        max(known),
        subscription.get("cancel_at_period_end") is True,
        _reader(subscription.get("metadata")),
        _prices(items) or tuple(filter(None, [_text(subscription, "plan")])),
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
    lines = _items(invoice, "lines")
    ends = [_epoch((line.get("period") or {}).get("end")) for line in lines]
    known = [end for end in ends if end is not None]
    if not customer or not known:
        raise InvalidRequest("the invoice has no customer or period")
    return SubscriptionState(
        customer, subscription_id, status, max(known), False, _reader(details.get("metadata")), _prices(lines)
    )


def fold(
    known: PlanSubscription | None, state: SubscriptionState, key: str, plans: Mapping[str, str]
) -> PlanSubscription | None:
    """What the record should hold about `state`'s subscription after an event with `key`, or None
    when the event changes nothing: older than what is known, or about a subscription Stripe has
    ended. A subscription to a price that is not one of our plans (`plans`: price id -> plan name) is
    kept with plan "" (so its order is known if it moves to ours) and never counts."""
    if state.price_ids:  # "": now on another product's price, no longer a subscription of ours
        plan = next((plans[price] for price in state.price_ids if price in plans), "")
    else:  # an invoice that names no price: the subscription's own is known, or it is not ours
        plan = known.plan if known else ""
    if known is not None:
        if known.final:
            return None  # Stripe never revives an ended subscription, whatever the event's date
        if key <= known.event_key and state.status not in FINAL:
            return None
    return PlanSubscription(
        id=state.subscription_id,
        plan=plan,
        status=state.status,
        current_period_end=state.current_period_end,
        cancel_at_period_end=state.cancel_at_period_end,
        event_key=max(key, known.event_key) if known else key,
        customer_id=state.customer_id,
    )


# A record updated by many at once (two subscriptions' events together) is read again and retried.
WRITE_ATTEMPTS = 5


def change_subscription(
    accounts: Accounts,
    user_id: str,
    change: Callable[[PlanSubscription | None], PlanSubscription | None],
    subscription_id: str,
    at: datetime,
) -> tuple[PlanSubscription, ...] | None:
    """Apply `change` to the reader's subscription `subscription_id` (read-modify-write, retried when
    another writer got there first); the reader's subscriptions after, or None when `change` changed
    nothing."""
    for _ in range(WRITE_ATTEMPTS):
        account = accounts.account(user_id)
        known = {s.id: s for s in account.subscriptions} if account else {}
        changed = change(known.get(subscription_id))
        if changed is None:
            return None
        known[subscription_id] = changed
        summary = governing(known.values(), at)
        revision = account.revision if account else 0
        if accounts.save_subscriptions(user_id, list(known.values()), summary, revision, at):
            return tuple(known.values())
    raise Unavailable("The subscription record is busy; please retry.")


def handle_event(
    ledger: Ledger, accounts: Accounts, event: BillingEvent, plans: Mapping[str, str], now: datetime
) -> Handled:
    """Apply one verified event, at most once in effect (see the module's notes)."""
    if event.type not in HANDLED:
        return Handled(Outcome.IGNORED)
    if ledger.seen(event.id):
        return Handled(Outcome.DUPLICATE)
    handled = _apply(ledger, accounts, event, plans, now)
    if handled.outcome is not Outcome.UNMATCHED:  # an unmatched event may match once its checkout is known
        ledger.mark(event.id, now + timedelta(days=EVENT_MARK_DAYS))
    return handled


def _apply(ledger: Ledger, accounts: Accounts, event: BillingEvent, plans: Mapping[str, str], now: datetime) -> Handled:
    obj = event.data
    if event.type == "checkout.session.completed":
        user, customer = _text(obj, "client_reference_id"), _text(obj, "customer")
        if obj.get("mode") != "subscription" or not user or not customer:
            return Handled(Outcome.IGNORED)
        ledger.link_customer(customer, user)
        accounts.set_customer(user, customer)
        return Handled(Outcome.APPLIED)
    if event.type.startswith("customer.subscription."):
        state = subscription_state(obj)
    else:
        paid = event.type == "invoice.paid"
        found = invoice_state(obj, Status.ACTIVE if paid else Status.PAST_DUE)
        if found is None:
            return Handled(Outcome.IGNORED)
        state = found
    user = state.user_id or ledger.user_of_customer(state.customer_id)
    if user is None:
        return Handled(Outcome.UNMATCHED)
    if state.user_id:
        ledger.link_customer(state.customer_id, state.user_id)
    key = event.order_key
    was_ours = False

    def change(known: PlanSubscription | None) -> PlanSubscription | None:
        nonlocal was_ours
        was_ours = bool(known and known.plan)
        return fold(known, state, key, plans)

    after = change_subscription(accounts, user, change, state.subscription_id, now)
    if after is None:
        return Handled(Outcome.STALE)
    mine = {s.id: s for s in after}[state.subscription_id]
    ours = mine.plan or was_ours  # news about another product's subscription is acknowledged, not applied
    return Handled(Outcome.APPLIED if ours else Outcome.IGNORED, len(still_charged(after)))


def operator_change(
    accounts: Accounts,
    user_id: str,
    subscription_id: str,
    make: Callable[[PlanSubscription | None], PlanSubscription | None],
    now: datetime,
) -> None:
    """An operator's grant or cancel (essays-admin), ordered with Stripe's events: it carries the
    key of `now`, so it stands until a newer Stripe event about the same subscription."""

    def change(known: PlanSubscription | None) -> PlanSubscription | None:
        made = make(known)
        return replace(made, event_key=operator_key(now), source=Source.OPERATOR) if made else None

    change_subscription(accounts, user_id, change, subscription_id, now)


# ---- checkout and portal ---------------------------------------------------------------------


class Payments(Protocol):
    """The Stripe calls the billing routes make (shared/access/stripe_api.py). `idempotency_key`:
    the same key within 24 h gives the same object, so racing requests create one."""

    def create_customer(self, user_id: str, idempotency_key: str) -> str: ...
    def checkout_session(self, params: dict[str, Any], idempotency_key: str) -> Checkout: ...
    def portal_url(self, params: dict[str, Any]) -> str: ...


@dataclass(frozen=True)
class CheckoutSettings:
    prices: Mapping[str, str]  # plan name -> Stripe price id, the first the default
    success_url: str
    cancel_url: str
    portal_return_url: str
    sessions_per_hour: int = 10  # new Checkout Sessions one reader may make in an hour


# A reused session must leave the reader time to pay before Stripe expires it.
_REUSE_MARGIN = timedelta(minutes=30)
_RETURN_TO = 300  # characters of a return path


def return_path(value: Any) -> str | None:
    """A path of this site to come back to (`/essays/...`), or InvalidRequest: never another site."""
    if value is None:
        return None
    if (
        not isinstance(value, str)
        or not value.startswith("/")
        or value.startswith("//")
        or len(value) > _RETURN_TO
        or any(c == "\\" or not c.isprintable() or c.isspace() for c in value)
    ):
        raise InvalidRequest(
            f"returnTo must be a path of this site starting with a single / (at most {_RETURN_TO} characters)"
        )
    return value


def _with_return(url: str, path: str | None) -> str:
    if path is None:
        return url
    return f"{url}{'&' if '?' in url else '?'}returnTo={quote(path, safe='/')}"


def start_checkout(
    accounts: Accounts,
    payments: Payments,
    settings: CheckoutSettings,
    user_id: str,
    now: datetime,
    plan: str | None = None,
    return_to: str | None = None,
) -> str:
    """A Checkout Session URL for the plan (the first by default). Conflict while Stripe may still
    charge the reader for a subscription of theirs (they manage it in the portal instead); the
    reader's open session for the same plan and return path is reused; a reader's first checkout
    creates their one Stripe customer; TooManyRequests past `sessions_per_hour` new sessions."""
    name = plan or next(iter(settings.prices))
    if name not in settings.prices:
        raise InvalidRequest(f"plan must be one of: {', '.join(settings.prices)} (GET /plans lists them)")
    account = accounts.account(user_id)
    if account and account.chargeable():
        raise Conflict("You already have a subscription that is still billed; manage it with POST /billing/portal.")
    # what the session is for: the plan and the return path (None, no path, is no path of the site)
    request_key = hashlib.sha256(f"{name}\n{return_to}".encode()).hexdigest()
    open_session = account.checkout if account else None
    if open_session and open_session.request_key == request_key and open_session.expires_at > now + _REUSE_MARGIN:
        return open_session.url
    window = now.strftime("%Y-%m-%dT%H")
    if not accounts.count_checkout(user_id, window, request_key, settings.sessions_per_hour):
        raise TooManyRequests("Too many checkout attempts; please try again in an hour.")
    customer = account.customer_id if account else None
    if customer is None:
        created = payments.create_customer(user_id, idempotency_key=f"customer-{user_id}")
        customer = accounts.set_customer(user_id, created)
    params: dict[str, Any] = {
        "mode": "subscription",
        "customer": customer,
        "line_items": [{"price": settings.prices[name], "quantity": 1}],
        "client_reference_id": user_id,
        "success_url": _with_return(settings.success_url, return_to),
        "cancel_url": _with_return(settings.cancel_url, return_to),
        "metadata": {USER_METADATA: user_id},
        "subscription_data": {"metadata": {USER_METADATA: user_id}},
    }
    session = payments.checkout_session(params, idempotency_key=f"checkout-{user_id}-{request_key}-{window}")
    session = replace(session, request_key=request_key)
    accounts.remember_checkout(user_id, session)
    return session.url


def portal(accounts: Accounts, payments: Payments, settings: CheckoutSettings, user_id: str, now: datetime) -> str:
    """The portal of the customer whose subscription the reader's access follows (their one customer)."""
    account = accounts.account(user_id)
    live = governing(account.subscriptions, now) if account else None
    customer = (live.customer_id if live and live.customer_id else None) or (account.customer_id if account else None)
    if customer is None:
        raise NotFound("You have no billing account yet: subscribe first (POST /checkout).")
    return payments.portal_url({"customer": customer, "return_url": settings.portal_return_url})


# ---- an operator's changes (essays-admin) ------------------------------------------------------


def operator_grant(accounts: Accounts, subscription: Subscription, now: datetime) -> None:
    """Give the reader `subscription` (a support grant, or the local stack's readers) beside whatever
    Stripe gave them: it stands until a newer operator change."""

    def make(known: PlanSubscription | None) -> PlanSubscription:
        return PlanSubscription(
            id=OPERATOR_GRANT,
            plan=subscription.plan,
            status=subscription.status,
            current_period_end=subscription.current_period_end,
            cancel_at_period_end=subscription.cancel_at_period_end,
            event_key="",
        )

    operator_change(accounts, subscription.user_id, OPERATOR_GRANT, make, now)


def operator_cancel(accounts: Accounts, user_id: str, now: datetime) -> None:
    """End every subscription of the reader that lets them read, now. A Stripe subscription stays
    canceled here until a newer Stripe event about it (cancel it in Stripe too, or it may come back
    with its next invoice); one that has ended already is left as it ended."""

    def make(known: PlanSubscription | None) -> PlanSubscription | None:
        if known is None or known.status in FINAL:
            return None
        return replace(known, status=Status.CANCELED, current_period_end=now)

    account = accounts.account(user_id)
    for subscription in account.subscriptions if account else ():
        operator_change(accounts, user_id, subscription.id, make, now)
