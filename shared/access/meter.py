"""The meter: a signed-in reader without a subscription may open FREE_ESSAYS_PER_MONTH full essays per
calendar month (UTC). Pure logic; the counting itself is one conditional write (shared/store/meter.py).

What counts is the set of distinct essays opened this month, kept on one item per reader and month.
Opening an essay is a single UpdateItem that adds its id to the set on the condition that the set
already holds it (a re-read, free) or holds fewer than the limit. DynamoDB applies conditional
writes to one item one at a time, so concurrent requests can neither over- nor under-count, and a
retried write adds nothing twice (a set). Never read-then-write.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import NamedTuple, Protocol

from shared.access.times import iso

# What an Allow of the subscription authorizer grants, passed to the essay function as `access`.
SUBSCRIPTION, METERED = "subscription", "metered"
# Items stay a day past their month (DynamoDB TTL), then go by themselves; keys are per month anyway.
KEEP_AFTER_MONTH = timedelta(days=1)


def month_of(now: datetime) -> str:
    """The calendar month (UTC) a moment falls in: 2026-11."""
    return now.astimezone(UTC).strftime("%Y-%m")


def resets_at(now: datetime) -> datetime:
    """The first instant of the next calendar month, UTC: when the meter starts again."""
    moment = now.astimezone(UTC)
    year, month = (moment.year + 1, 1) if moment.month == 12 else (moment.year, moment.month + 1)
    return datetime(year, month, 1, tzinfo=UTC)


class MeterReading(NamedTuple):
    """Where a reader's meter stands (a NamedTuple: compared like a value, and less code compiled at
    import than a frozen dataclass's)."""

    used: int
    limit: int
    resets_at: datetime

    def to_json(self) -> dict[str, object]:
        return {"used": self.used, "limit": self.limit, "resetsAt": iso(self.resets_at)}


class MeterSpent(Exception):
    """The reader has opened `limit` other essays this month."""

    def __init__(self, reading: MeterReading) -> None:
        super().__init__("the free essays of this month are used up")
        self.reading = reading


class MeterWriter(Protocol):
    def open(self, user_id: str, month: str, essay_id: str, limit: int, expires_at: datetime) -> int | None:
        """The count after opening (None: refused, the meter is spent); one conditional write."""
        ...


class MeterReader(Protocol):
    def used(self, user_id: str, month: str) -> int: ...


def open_essay(meter: MeterWriter, user_id: str, essay_id: str, limit: int, now: datetime) -> MeterReading:
    """Count `essay_id` against the reader's month, or MeterSpent. A fault raises (503): never free."""
    reset = resets_at(now)
    if limit <= 0:
        raise MeterSpent(MeterReading(0, 0, reset))
    used = meter.open(user_id, month_of(now), essay_id, limit, reset + KEEP_AFTER_MONTH)
    if used is None:
        raise MeterSpent(MeterReading(limit, limit, reset))
    return MeterReading(used, limit, reset)


EARNED = "earned"  # the meter item (in place of a month) of the essays a contributor opened with earned ones
EARNED_KEPT = timedelta(days=3650)  # earned essays do not lapse with a month


def open_earned(meter: MeterWriter, user_id: str, essay_id: str, earned: int, now: datetime) -> MeterReading:
    """Count `essay_id` against the reader's earned essays (a re-read is free), or MeterSpent. One
    conditional write, as for the month's."""
    never = now + EARNED_KEPT
    if earned <= 0:
        raise MeterSpent(MeterReading(0, 0, never))
    used = meter.open(user_id, EARNED, essay_id, earned, never)
    if used is None:
        raise MeterSpent(MeterReading(earned, earned, never))
    return MeterReading(used, earned, never)


def month_so_far(meter: MeterReader, user_id: str, limit: int, now: datetime) -> MeterReading:
    """The reader's meter as it stands this month, without opening anything (GET /me/subscription)."""
    return MeterReading(min(meter.used(user_id, month_of(now)), limit), limit, resets_at(now))
