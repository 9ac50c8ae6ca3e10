"""Subscriptions: one record per user (the token's `sub`), and the rule that decides access."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from enum import StrEnum
from typing import Any


class Status(StrEnum):
    ACTIVE = "active"
    TRIALING = "trialing"
    PAST_DUE = "past_due"
    CANCELED = "canceled"


ENTITLED = {Status.ACTIVE, Status.TRIALING}


class MalformedSubscription(ValueError):
    """A stored record that does not fit: the authorizer denies (fails closed) and logs it."""


def _instant(value: Any, field: str) -> datetime:
    try:
        moment = datetime.fromisoformat(str(value).replace("Z", "+00:00"))
    except ValueError:
        raise MalformedSubscription(f"{field} is not an ISO 8601 date-time") from None
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


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

    @classmethod
    def from_item(cls, item: dict[str, Any]) -> Subscription:
        for field in ("userId", "plan", "status", "currentPeriodEnd", "updatedAt"):
            if not isinstance(item.get(field), str) or not item[field]:
                raise MalformedSubscription(f"{field} is missing or not text")
        try:
            status = Status(item["status"])
        except ValueError:
            raise MalformedSubscription(f"status {item['status']!r} is not one we know") from None
        return cls(
            item["userId"],
            item["plan"],
            status,
            _instant(item["currentPeriodEnd"], "currentPeriodEnd"),
            _instant(item["updatedAt"], "updatedAt"),
        )

    def to_item(self) -> dict[str, str]:
        return {
            "userId": self.user_id,
            "plan": self.plan,
            "status": self.status.value,
            "currentPeriodEnd": self.current_period_end.isoformat().replace("+00:00", "Z"),
            "updatedAt": self.updated_at.isoformat().replace("+00:00", "Z"),
        }
