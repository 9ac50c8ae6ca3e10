"""`make screenshots`: the essay page as a visitor, a subscriber, a reader on a free essay and a lapsed
reader see it, and the paying reader's own pages (plans, subscribed, account), written to
docs/screenshots/ (skipped unless pytest runs with --screenshots)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from tests.browser.conftest import ESSAY, Visit

pytestmark = pytest.mark.browser
SHOTS = Path(__file__).resolve().parents[2] / "docs" / "screenshots"


@pytest.fixture(autouse=True)
def only_when_asked(request: pytest.FixtureRequest) -> None:
    if not request.config.getoption("--screenshots"):
        pytest.skip("make screenshots writes them (pytest --screenshots)")


def _shoot(visit: Visit, name: str) -> None:
    visit.page.locator(".related").scroll_into_view_if_needed()  # the related essays load when seen
    visit.page.locator(".related .essay-list li").first.wait_for()
    visit.page.evaluate("window.scrollTo(0, 0)")
    SHOTS.mkdir(parents=True, exist_ok=True)
    visit.page.screenshot(path=str(SHOTS / f"essay-{name}.png"), full_page=True)


def test_visitor(visit: Visit) -> None:
    visit.goto(f"/essays/{ESSAY}")
    _shoot(visit, "visitor")


def test_subscriber(visit: Visit, stack: dict[str, Any]) -> None:
    visit.goto(f"/essays/{ESSAY}")
    visit.sign_in(stack["subscriberEmail"], stack["subscriberPassword"])
    visit.page.locator(".essay-body.full").wait_for()
    _shoot(visit, "subscriber")


def test_paywall(visit: Visit, stack: dict[str, Any]) -> None:
    visit.goto(f"/essays/{ESSAY}")
    visit.sign_in(stack["lapsedEmail"], stack["lapsedPassword"])
    visit.page.locator("#plans.paywall").wait_for()
    _shoot(visit, "paywall")


def _page(visit: Visit, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    visit.page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)


def test_metered(visit: Visit) -> None:
    visit.goto(f"/essays/{ESSAY}")
    visit.sign_up()
    visit.page.locator(".essay-body.full").wait_for()
    visit.page.locator("#plans .meter").wait_for()
    _shoot(visit, "metered")


def test_plans(visit: Visit) -> None:
    visit.goto(f"/plans?returnTo=/essays/{ESSAY}")
    visit.sign_in(visit.stack["lapsedEmail"], visit.stack["lapsedPassword"])
    visit.page.locator(".plans .meter").wait_for()
    _page(visit, "plans")


def test_subscribed(visit: Visit, stack: dict[str, Any]) -> None:
    visit.goto("/account")
    visit.sign_in(stack["lapsedEmail"], stack["lapsedPassword"])
    visit.page.goto(f"{stack['webUrl']}/subscribed?session_id=cs_test_example&returnTo=/essays/{ESSAY}")
    visit.page.get_by_role("heading", name="Thank you for subscribing").wait_for()
    _page(visit, "subscribed")


def test_account(visit: Visit, stack: dict[str, Any]) -> None:
    visit.goto("/account")
    visit.sign_in(stack["subscriberEmail"], stack["subscriberPassword"])
    visit.page.locator(".subscription .standing").wait_for()
    _page(visit, "account")
    visit.page.set_viewport_size({"width": 390, "height": 844})
    _page(visit, "account-phone")


def test_contributions(visit: Visit, stack: dict[str, Any]) -> None:
    """Submit your essay, My submissions (submitted, then published), the review queue and the review
    page with two annotations (issue 34)."""
    from tests.browser.test_contributions import (
        essay_text,
        review_and_publish,
        submit_a_docx,
        teacher_signs_in,
        unique_word,
    )

    page = visit.page
    title = "Was the Weimar Republic doomed from the start?"
    paragraphs = essay_text(unique_word())
    visit.goto("/submit")
    email = visit.sign_up()
    submit_a_docx(visit, title, paragraphs, lambda: _page(visit, "submit"))
    page.locator("li.submission").first.wait_for()
    _page(visit, "submissions")
    page.context.clear_cookies()
    visit.goto("/review")
    teacher_signs_in(visit)
    page.locator("table.queue").wait_for()
    _page(visit, "review-queue")

    def review_shot() -> None:
        page.evaluate("document.getSelection().removeAllRanges()")
        page.evaluate("window.scrollTo(0, 0)")
        _page(visit, "review")

    review_and_publish(visit, title, review_shot)
    page.context.clear_cookies()
    visit.goto("/submissions")
    visit.sign_in(email, "Local-reader-2026")
    page.locator("li.submission .state-published").first.wait_for()
    _page(visit, "submissions-published")
