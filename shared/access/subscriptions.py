"""Subscriptions: one record per user (the token's `sub`), and the rules that decide access.

A reader's record knows each Stripe subscription of theirs that is about one of our plans (a reader
can end up with two: a checkout finished twice, or one made in Stripe's dashboard). Access follows
the best of them, so an event about one never downgrades another. The record's summary (`status`,
`plan`, `currentPeriodEnd`...) is that best one, written beside them: the authorizer reads only it.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from enum import StrEnum


class Status(StrEnum):
    """Stripe's subscription statuses; only active and trialing open the paywall."""

    ACTIVE = "active"
    TRIALING = "trialing"
    PAST_DUE = "past_due"
    CANCELED = "canceled"
    UNPAID = "unpaid"
    INCOMPLETE = "incomplete"
    INCOMPLETE_EXPIRED = "incomplete_expired"
    PAUSED = "paused"


ENTITLED = frozenset({Status.ACTIVE, Status.TRIALING})
# Statuses in which Stripe may still charge the reader (a new checkout would charge them twice).
CHARGEABLE = frozenset({Status.ACTIVE, Status.TRIALING, Status.PAST_DUE, Status.UNPAID, Status.INCOMPLETE})
# Stripe never brings a subscription back from these: no later event about it may reopen access.
FINAL = frozenset({Status.CANCELED, Status.INCOMPLETE_EXPIRED})


@dataclass(frozen=True)
class Subscription:
    user_id: str
    plan: str
    status: Status
    current_period_end: datetime
    updated_at: datetime
    cancel_at_period_end: bool = False

    @classmethod
    def for_days(cls, user_id: str, plan: str, status: Status, days: int, now: datetime) -> Subscription:
        """A record whose period ends `days` from now (negative: it ended that long ago)."""
        return cls(user_id, plan, status, now + timedelta(days=days), now)

    def allows_reading(self, now: datetime) -> bool:
        """Active or trialing, and the paid (or trial) period has not ended."""
        return self.status in ENTITLED and self.current_period_end > now


OPERATOR_GRANT = "operator"  # the id of an operator's grant among a reader's subscriptions


class Source(StrEnum):
    STRIPE = "stripe"  # written from a verified webhook event
    OPERATOR = "operator"  # written by essays-admin: stands until a newer Stripe event about it


@dataclass(frozen=True)
class PlanSubscription:
    """What the record knows of one subscription of the reader: a Stripe subscription (its `sub_` id)
    or an operator's grant. `event_key` orders the writes about it (see billing.BillingEvent);
    `plan` is "" for a subscription to another product's price, which never counts."""

    id: str
    plan: str
    status: Status
    current_period_end: datetime
    cancel_at_period_end: bool
    event_key: str
    customer_id: str = ""
    source: Source = Source.STRIPE

    def allows_reading(self, now: datetime) -> bool:
        return self.status in ENTITLED and self.current_period_end > now

    @property
    def chargeable(self) -> bool:
        return self.status in CHARGEABLE

    @property
    def final(self) -> bool:
        """Ended for good by Stripe (an operator's cancel is not: a newer Stripe event may undo it)."""
        return self.status in FINAL and self.source is Source.STRIPE


def governing(subscriptions: Iterable[PlanSubscription], now: datetime) -> PlanSubscription | None:
    """The subscription the reader's access follows: one that lets them read (the latest-ending), else
    one Stripe still charges for, else the most recently changed. Other products' never count."""
    candidates = [s for s in subscriptions if s.plan]
    if not candidates:
        return None
    return max(
        candidates,
        key=lambda s: (
            s.allows_reading(now),
            s.chargeable,
            s.current_period_end if s.chargeable else _EPOCH,
            s.event_key,
        ),
    )


_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


@dataclass(frozen=True)
class Checkout:
    """The reader's open Checkout Session, reused while it lasts so one reader cannot make many."""

    session_id: str
    url: str
    expires_at: datetime
    request_key: str = ""  # what it was made for (plan and return path): another request gets another


@dataclass(frozen=True)
class Account:
    """A reader's record in the subscriptions table: their Stripe customer once they have checked out,
    and their subscription once Stripe (or an operator) has given them one (None before, or if never).
    `revision` guards read-modify-write updates of `subscriptions` (optimistic locking)."""

    customer_id: str | None
    subscription: Subscription | None
    subscriptions: tuple[PlanSubscription, ...] = ()
    revision: int = 0
    checkout: Checkout | None = None
    signed_out_at: datetime | None = None
    earned_essays: int = 0  # free full essays earned by publishing their own (issue 34), for good

    def chargeable(self) -> list[PlanSubscription]:
        """The reader's subscriptions to our plans that Stripe may still charge."""
        return still_charged(self.subscriptions)


def still_charged(subscriptions: Iterable[PlanSubscription]) -> list[PlanSubscription]:
    """Those subscriptions to our plans that Stripe may still charge."""
    return [s for s in subscriptions if s.plan and s.chargeable]
