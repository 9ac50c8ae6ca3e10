"""The meter's calendar: months in UTC, the reset at the first instant of the next month."""

from __future__ import annotations

import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta, timezone

import pytest

from shared.access.meter import (
    EARNED,
    EARNED_KEPT,
    MeterReading,
    MeterSpent,
    month_of,
    open_earned,
    open_essay,
    resets_at,
)
from shared.access.times import iso


@pytest.mark.parametrize(
    ("now", "month", "reset"),
    [
        (datetime(2026, 11, 28, 9, 0, tzinfo=UTC), "2026-11", datetime(2026, 12, 1, tzinfo=UTC)),
        (datetime(2026, 12, 31, 23, 59, 59, 999999, tzinfo=UTC), "2026-12", datetime(2027, 1, 1, tzinfo=UTC)),
        (datetime(2027, 1, 1, tzinfo=UTC), "2027-01", datetime(2027, 2, 1, tzinfo=UTC)),
        (datetime(2028, 2, 29, 12, tzinfo=UTC), "2028-02", datetime(2028, 3, 1, tzinfo=UTC)),
        # 00:30 on 1 December in UTC+1 is still November in UTC
        (
            datetime(2026, 12, 1, 0, 30, tzinfo=timezone(timedelta(hours=1))),
            "2026-11",
            datetime(2026, 12, 1, tzinfo=UTC),
        ),
    ],
)
def test_months_are_utc_calendar_months(now: datetime, month: str, reset: datetime) -> None:
    assert month_of(now) == month
    assert resets_at(now) == reset


@pytest.fixture
def far_east_machine(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """A host clock set to UTC+14, where 30 November 12:00 UTC is already 1 December."""
    monkeypatch.setenv("TZ", "Pacific/Kiritimati")
    time.tzset()
    yield
    monkeypatch.undo()
    time.tzset()


def test_the_month_and_its_reset_are_utc_whatever_the_machine_s_zone(far_east_machine: None) -> None:
    noon = datetime(2026, 11, 30, 12, tzinfo=UTC)
    assert month_of(noon) == "2026-11"
    assert resets_at(noon) == datetime(2026, 12, 1, tzinfo=UTC)
    assert iso(resets_at(noon)) == "2026-12-01T00:00:00Z"


def test_a_subscription_s_dates_are_written_in_utc_whatever_the_machine_s_zone(far_east_machine: None) -> None:
    assert iso(datetime(2026, 11, 30, 12, 0, 0, 500, tzinfo=UTC)) == "2026-11-30T12:00:00Z"


class Recorder:
    def __init__(self, answer: int | None) -> None:
        self.answer, self.calls = answer, []  # type: ignore[var-annotated]

    def open(self, user_id: str, month: str, essay_id: str, limit: int, expires_at: datetime) -> int | None:
        self.calls.append((user_id, month, essay_id, limit, expires_at))
        return self.answer


def test_opening_writes_the_month_s_item_to_expire_a_day_after_the_month() -> None:
    meter = Recorder(2)
    reading = open_essay(meter, "u1", "e1", 3, datetime(2026, 11, 30, 23, 0, tzinfo=UTC))
    assert reading == MeterReading(2, 3, datetime(2026, 12, 1, tzinfo=UTC))
    assert meter.calls == [("u1", "2026-11", "e1", 3, datetime(2026, 12, 2, tzinfo=UTC))]


def test_a_refused_open_and_a_zero_limit_are_spent_meters() -> None:
    with pytest.raises(MeterSpent) as spent:
        open_essay(Recorder(None), "u1", "e1", 3, datetime(2026, 11, 30, tzinfo=UTC))
    assert spent.value.reading.to_json() == {"used": 3, "limit": 3, "resetsAt": "2026-12-01T00:00:00Z"}
    zero = Recorder(1)
    with pytest.raises(MeterSpent) as none_free:
        open_essay(zero, "u1", "e1", 0, datetime(2026, 11, 30, tzinfo=UTC))
    assert none_free.value.reading.to_json() == {"used": 0, "limit": 0, "resetsAt": "2026-12-01T00:00:00Z"}
    assert zero.calls == []  # the pure paywall writes nothing


def test_a_meter_of_one_free_essay_opens_one() -> None:
    one = Recorder(1)
    reading = open_essay(one, "u1", "e1", 1, datetime(2026, 11, 30, tzinfo=UTC))
    assert reading == MeterReading(1, 1, datetime(2026, 12, 1, tzinfo=UTC))
    assert len(one.calls) == 1


def test_earned_essays_are_counted_on_their_own_item_that_outlives_the_months() -> None:
    meter, now = Recorder(2), datetime(2026, 11, 30, 23, 0, tzinfo=UTC)
    assert open_earned(meter, "u1", "e1", 3, now) == MeterReading(2, 3, now + EARNED_KEPT)
    assert meter.calls == [("u1", EARNED, "e1", 3, now + EARNED_KEPT)]
    assert now + EARNED_KEPT > resets_at(now) + timedelta(days=365)  # no month, nor year, ends them


def test_spent_or_no_earned_essays_are_a_spent_meter_and_none_writes() -> None:
    now = datetime(2026, 11, 30, tzinfo=UTC)
    with pytest.raises(MeterSpent) as spent:
        open_earned(Recorder(None), "u1", "e1", 2, now)
    assert spent.value.reading == MeterReading(2, 2, now + EARNED_KEPT)
    nothing = Recorder(1)
    with pytest.raises(MeterSpent) as none_earned:
        open_earned(nothing, "u1", "e1", 0, now)
    assert none_earned.value.reading == MeterReading(0, 0, now + EARNED_KEPT)
    assert nothing.calls == []  # an "earned" item with no limit would otherwise open its first essay
    one = Recorder(1)
    assert open_earned(one, "u1", "e1", 1, now).used == 1 and len(one.calls) == 1
