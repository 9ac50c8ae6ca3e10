"""Subscriptions: one record per user (the token's `sub`), and the rule that decides access."""

from __future__ import annotations

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


ENTITLED = {Status.ACTIVE, Status.TRIALING}


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


def iso(moment: datetime) -> str:
    """UTC, to the second, with a Z: how every time is stored and answered."""
    return moment.astimezone(UTC).replace(microsecond=0).isoformat().replace("+00:00", "Z")


@dataclass(frozen=True)
class Account:
    """A reader's record in the subscriptions table: their Stripe customer once they have checked out,
    and their subscription once Stripe (or an operator) has given them one (None before, or if never)."""

    customer_id: str | None
    subscription: Subscription | None
