"""`make screenshots`: the essay page as a visitor, a subscriber and a lapsed reader see it, written
to docs/screenshots/ (skipped unless pytest runs with --screenshots)."""

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
