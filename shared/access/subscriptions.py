"""Subscriptions: one record per user (the token's `sub`), and the rule that decides access."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum


class Status(StrEnum):
    ACTIVE = "active"
    TRIALING = "trialing"
    PAST_DUE = "past_due"
    CANCELED = "canceled"


ENTITLED = {Status.ACTIVE, Status.TRIALING}


@dataclass(frozen=True)
class Subscription:
    user_id: str
    plan: str
    status: Status
    current_period_end: datetime
    updated_at: datetime

    @classmethod
    def for_days(cls, user_id: str, plan: str, status: Status, days: int, now: datetime) -> Subscription:
        """A record whose period ends `days` from now (negative: it ended that long ago)."""
        return cls(user_id, plan, status, now + timedelta(days=days), now)

    def allows_reading(self, now: datetime) -> bool:
        """Active or trialing, and the paid (or trial) period has not ended."""
        return self.status in ENTITLED and self.current_period_end > now
