"""Subscriptions: one record per user (the token's `sub`), and the rule that decides access."""

from __future__ import annotations

from datetime import UTC, datetime
from enum import StrEnum
from typing import Annotated

from pydantic import BaseModel, ConfigDict, StringConstraints


class Status(StrEnum):
    ACTIVE = "active"
    TRIALING = "trialing"
    PAST_DUE = "past_due"
    CANCELED = "canceled"


ENTITLED = {Status.ACTIVE, Status.TRIALING}


class Subscription(BaseModel):
    """As stored in the subscriptions table; a record that does not fit is a fault."""

    model_config = ConfigDict(extra="ignore", frozen=True)

    userId: Annotated[str, StringConstraints(min_length=1, max_length=200)]
    plan: Annotated[str, StringConstraints(min_length=1, max_length=100)]
    status: Status
    currentPeriodEnd: datetime
    updatedAt: datetime

    def allows_reading(self, now: datetime) -> bool:
        """Active or trialing, and the paid (or trial) period has not ended."""
        end = self.currentPeriodEnd if self.currentPeriodEnd.tzinfo else self.currentPeriodEnd.replace(tzinfo=UTC)
        return self.status in ENTITLED and end > now
