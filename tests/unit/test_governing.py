"""Which of a reader's subscriptions their access follows (shared/access/subscriptions.governing): the
record's summary, all the authorizer reads until the next event about the reader rewrites it."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from shared.access.subscriptions import PlanSubscription, Status, governing

NOW = datetime(2026, 11, 28, 10, 0, tzinfo=UTC)


def subscription(
    sid: str, status: Status, ends_in_days: float, changed: int, plan: str = "Monthly"
) -> PlanSubscription:
    return PlanSubscription(sid, plan, status, NOW + timedelta(days=ends_in_days), False, f"{changed:012d}#4#evt_{sid}")


def test_of_two_that_let_the_reader_read_the_later_ending_one_governs_whatever_came_last() -> None:
    """Otherwise the summary would end with the shorter one, and the authorizer would refuse the
    reader while the other is still paid for."""
    long, short = subscription("sub_long", Status.ACTIVE, 30, changed=1), subscription("sub_short", Status.ACTIVE, 2, 2)
    assert governing([long, short], NOW) == long
    assert governing([short, long], NOW) == long


def test_of_ended_ones_the_most_recently_changed_governs_whatever_their_period_ends() -> None:
    older = subscription("sub_old", Status.CANCELED, 20, changed=1)
    newer = subscription("sub_new", Status.CANCELED, -5, changed=2)
    assert governing([older, newer], NOW) == newer
    assert governing([newer, older], NOW) == newer


def test_a_subscription_ending_at_this_very_instant_no_longer_lets_the_reader_read() -> None:
    ending = subscription("sub_ending", Status.ACTIVE, 0, changed=2)
    still_billed = subscription("sub_billed", Status.PAST_DUE, 10, changed=1)
    assert not ending.allows_reading(NOW)
    assert governing([ending, still_billed], NOW) == still_billed  # both billed: the later-ending one
    assert governing([ending, still_billed], NOW - timedelta(seconds=1)) == ending  # a second before: readable


def test_another_product_s_subscription_never_governs() -> None:
    newsletter = subscription("sub_news", Status.ACTIVE, 30, changed=2, plan="")
    assert governing([newsletter], NOW) is None
    ours = subscription("sub_ours", Status.CANCELED, -1, changed=1)
    assert governing([newsletter, ours], NOW) == ours
