"""The essay page and the pages around it, in Chromium, against the local stack: every element of
the page (rendered by the server, then enhanced by the scripts), search, paging, sign-in through the
managed login (subscriber, lapsed reader), errors, the request budget, the page weight, console and
CORS cleanliness, and axe-core."""

from __future__ import annotations

import json
import re
from typing import Any

import pytest

from tests.browser.conftest import ESSAY, Visit, api_get
from tests.conftest import aws_client, physical_id

pytestmark = pytest.mark.browser

PAGE_WEIGHT_LIMIT = 60 * 1024  # HTML + JS + CSS, uncompressed


def published_by_teachers(stack: dict[str, Any]) -> int:
    """Essays the review desk has published on this stack (the contributions test publishes one)."""
    table = physical_id(stack, "SubmissionsTable")
    items = aws_client(stack, "dynamodb").scan(TableName=table)["Items"]
    return sum(item.get("state", {}).get("S") == "published" for item in items)


def test_every_element_of_the_essay_page(visit: Visit, stack: dict[str, Any]) -> None:
    preview = api_get(stack, f"/essays/{ESSAY}/preview")
    related = api_get(stack, f"/essays/{ESSAY}/related?limit=8")
    total = sum(level["essayCount"] for level in api_get(stack, "/sections")["levels"])
    page = visit.page
    visit.goto(f"/essays/{ESSAY}")

    # The page arrives whole from the server: a visitor's browser asks the API nothing, and the
    # page's own files stay within the weight budget.
    assert visit.api_calls == []
    assert sum(visit.site_bytes.values()) <= PAGE_WEIGHT_LIMIT, visit.site_bytes

    assert page.locator("h1").inner_text() == preview["title"]
    crumb = preview["breadcrumb"]
    assert page.locator(".breadcrumb li").all_inner_texts() == [
        crumb["level"],
        crumb["subject"],
        crumb["section"]["name"],
    ]
    assert page.locator(".breadcrumb a").get_attribute("href") == f"/sections/{crumb['section']['id']}"
    assert (
        page.locator(".meta .stars").get_attribute("aria-label") == f"Rated {preview['rating']} out of 5 by a teacher"
    )

    extracts = page.locator(".essay-body .extract")
    assert extracts.locator("h2").all_inner_texts() == ["Introduction", "Middle", "Conclusion"]
    for paragraph in extracts.locator("p").all_inner_texts():
        assert paragraph.endswith("...read more") and not paragraph.endswith("...read more ...read more")
    assert page.get_by_text("The above preview is unformatted text", exact=True).is_visible()
    found_in = page.locator(".found-in").inner_text()
    expected = (
        "This student written piece of work is one of many that can be found in our "
        f"{crumb['level']} {crumb['section']['name']} section"
    )
    assert found_in == expected

    plans = page.locator("#plans")
    assert plans.get_by_text("Just £6.99 a month").is_visible()
    # The count is the library's of a few minutes ago (the page keeps the section tree TREE_SECONDS, the
    # edge the page its s-maxage): essays the review desk published since may not be in it yet.
    shown = int(plans.get_by_text(re.compile(r"^\d+ documents available$")).inner_text().split()[0])
    assert total - published_by_teachers(stack) <= shown <= total
    assert page.get_by_role("heading", name="Not the one? Search for your essay title...").is_visible()
    assert page.locator(".search-again input[name=q]").is_visible()

    # The related essays, below the fold, are in the HTML too.
    heading = page.get_by_role("heading", name=f"Related {crumb['section']['name']} essays")
    heading.scroll_into_view_if_needed()
    items = page.locator(".related .essay-list li")
    items.first.wait_for()
    assert items.count() == len(related["related"]) == 8
    for item, essay in zip(items.all(), related["related"], strict=True):
        assert item.locator("h3 a").inner_text() == essay["title"]
        assert item.locator("h3 a").get_attribute("href") == f"/essays/{essay['essayId']}"
        assert item.locator(".snippet").inner_text() == essay["snippet"]
        assert item.locator(".stars").count() == 1
    assert visit.api_calls == []

    # SEO: title, description from the introduction, canonical link, JSON-LD for paywalled content.
    assert page.title().startswith(preview["title"])
    description = page.locator('meta[name="description"]').get_attribute("content") or ""
    assert preview["extracts"][0]["text"].startswith(description.rstrip("…")[:100])
    assert page.locator('link[rel="canonical"]').get_attribute("href") == f"{stack['webUrl']}/essays/{ESSAY}"
    data = json.loads(page.locator("#structured-data").inner_text())
    assert data["isAccessibleForFree"] is False
    assert data["hasPart"]["@type"] == "WebPageElement" and data["hasPart"]["isAccessibleForFree"] is False
    assert page.locator(data["hasPart"]["cssSelector"]).count() == 1

    assert visit.problems() == []
    assert visit.accessibility_violations() == []


def test_search_from_the_essay_page_reaches_another_essay(visit: Visit) -> None:
    page = visit.page
    visit.goto(f"/essays/{ESSAY}")
    box = page.locator(".search-again input[name=q]")
    box.fill("revolution causes")
    box.press("Enter")
    page.wait_for_url(re.compile(r"/search\?q=revolution\+causes$"))
    page.locator(".essay-list li").first.wait_for()
    assert page.locator("h1").inner_text() == "Essays matching “revolution causes”"
    first = page.locator(".essay-list h2 a").first
    title = first.inner_text()
    first.click()
    page.wait_for_url(re.compile(r"/essays/(?!" + ESSAY + ")"))
    page.locator("h1").wait_for()
    assert page.locator("h1").inner_text() == title
    page.wait_for_load_state("networkidle")
    # GET /search/suggest may not exist yet: the box then degrades to plain search (a 404, no error shown).
    assert visit.problems(expected_statuses=(404,)) == []
    assert visit.accessibility_violations() == []


def test_a_section_pages_with_the_api_cursor(visit: Visit, stack: dict[str, Any]) -> None:
    tree = api_get(stack, "/sections")
    section = max(
        (s for lv in tree["levels"] for sj in lv["subjects"] for s in sj["sections"]), key=lambda s: s["essayCount"]
    )
    page = visit.page
    visit.goto(f"/sections/{section['id']}?limit=3")
    assert page.locator("h1").inner_text() == f"{section['name']} essays"
    seen: list[str] = []
    while True:
        titles = page.locator(".essay-list h2 a").all_inner_texts()
        assert 1 <= len(titles) <= 3
        seen += titles
        following = page.get_by_role("link", name="Next page")
        if not following.count():
            break
        following.click()
        page.wait_for_load_state("networkidle")
    assert len(seen) == len(set(seen)) == section["essayCount"] > 3
    assert visit.problems() == []
    assert visit.accessibility_violations() == []


def test_the_home_page_lists_the_section_tree(visit: Visit, stack: dict[str, Any]) -> None:
    tree = api_get(stack, "/sections")
    page = visit.page
    visit.goto("/")
    assert page.locator(".level h2").count() == len(tree["levels"])
    first = tree["levels"][0]["subjects"][0]["sections"][0]
    link = page.get_by_role("link", name=first["name"], exact=True)
    link.click()
    page.wait_for_url(f"**/sections/{first['id']}")
    page.locator(".essay-list li").first.wait_for()
    assert visit.problems() == []
    assert visit.accessibility_violations() == []


def test_a_subscriber_signs_in_and_reads_the_full_essay(visit: Visit, stack: dict[str, Any]) -> None:
    page = visit.page
    visit.goto(f"/essays/{ESSAY}")
    visit.sign_in(stack["subscriberEmail"], stack["subscriberPassword"])
    page.locator(".essay-body.full").wait_for()
    assert page.locator(".essay-body.full p").count() > 5
    assert page.get_by_role("heading", name="Teacher's comment").is_visible()
    assert page.locator(".essay-body .extract").count() == 0 and page.locator("#plans").count() == 0
    account = page.get_by_role("link", name="Your account")
    assert account.get_attribute("title") == f"Signed in as {stack['subscriberEmail']}"
    # No token in the page's storage, nor in a cookie its scripts can read: the refresh token is in an
    # HttpOnly cookie sent to the token handler (/auth) only, the access token in memory. The one
    # readable cookie only says that asking the handler is worth a request.
    readable = page.evaluate("[document.cookie, Object.keys(localStorage), Object.keys(sessionStorage)]")
    assert readable == ["essays_signed_in=1", [], []]
    cookies = {c["name"]: c for c in page.context.cookies()}
    assert cookies["essays_refresh"]["httpOnly"] and cookies["essays_refresh"]["path"] == "/auth"
    assert cookies["essays_refresh"]["sameSite"] == "Lax"
    assert visit.problems() == []
    assert visit.accessibility_violations() == []

    page.get_by_role("button", name="Sign out").click()
    page.wait_for_url(f"{stack['webUrl']}/")
    assert "essays_refresh" not in {c["name"] for c in page.context.cookies()}
    page.goto(f"{stack['webUrl']}/essays/{ESSAY}")
    page.locator("#plans").wait_for()
    assert page.get_by_role("button", name="Sign in", exact=True).is_visible()


def test_signed_in_across_tabs_and_reloads(visit: Visit, stack: dict[str, Any]) -> None:
    page = visit.page
    visit.goto(f"/essays/{ESSAY}")
    visit.sign_in(stack["subscriberEmail"], stack["subscriberPassword"])
    page.locator(".essay-body.full").wait_for()
    page.reload()
    page.locator(".essay-body.full").wait_for()
    # A related essay opened in a new tab (Ctrl-click) is read signed in too.
    other = page.context.new_page()
    other.goto(f"{stack['webUrl']}/essays/{ESSAY}")
    other.locator(".essay-body.full").wait_for()
    assert other.get_by_role("link", name="Your account").is_visible()
    # Each page asks the token handler for the access token; the handler renews it with the refresh
    # cookie only when it nears expiry, so both tabs use the same one (one authorizer cache entry).
    tokens = [
        p.evaluate("fetch('/auth/token', {method: 'POST', headers: {'X-Essays-Session': '1'}}).then(r => r.json())")
        for p in (page, other)
    ]
    assert tokens[0]["signedIn"] and tokens[0]["accessToken"] == tokens[1]["accessToken"]
    # Without the header (a cross-site form could not send one) the handler refuses.
    refused = page.evaluate("fetch('/auth/token', {method: 'POST'}).then(r => r.status)")
    assert refused == 403
    assert visit.problems(expected_statuses=(403,)) == []


def test_back_after_sign_in_and_stale_sign_in_links(visit: Visit, stack: dict[str, Any]) -> None:
    page = visit.page
    visit.goto(f"/essays/{ESSAY}")
    visit.sign_in(stack["subscriberEmail"], stack["subscriberPassword"])
    page.locator(".essay-body.full").wait_for()
    # Back: the managed login's form again; signing in there (a used state) ends on the essay.
    page.go_back()
    if "/oauth2/authorize" in page.url:
        visit.log_in(stack["subscriberEmail"], stack["subscriberPassword"])
    page.wait_for_url(f"{stack['webUrl']}/essays/{ESSAY}")
    page.locator(".essay-body.full").wait_for()
    # A stale sign-in link (an old tab, a bookmark): where it meant to go, signed in.
    visit.goto("/callback?code=old&state=abc.L2FjY291bnQ")
    assert page.url == f"{stack['webUrl']}/account"
    page.get_by_role("heading", name="Subscription").wait_for()
    # Signed out, the same link offers to sign in again instead of an error.
    page.context.clear_cookies()
    visit.goto("/callback?code=old&state=abc.L2FjY291bnQ")
    assert page.get_by_role("heading", name="Please sign in again").is_visible()
    assert page.get_by_role("link", name="Sign in").get_attribute("href") == "/auth/login?returnTo=%2Faccount"
    assert visit.accessibility_violations() == []


def test_a_lapsed_reader_sees_the_paywall_with_the_plans(visit: Visit, stack: dict[str, Any]) -> None:
    page = visit.page
    visit.goto(f"/essays/{ESSAY}")
    visit.sign_in(stack["lapsedEmail"], stack["lapsedPassword"])
    paywall = page.locator("#plans.paywall")
    paywall.wait_for()
    assert paywall.get_by_text("Just £6.99 a month").is_visible()
    assert page.locator(".essay-body .extract").count() == 3 and page.locator(".essay-body.full").count() == 0
    # The first render: the full essay (403, with the plans), the preview and the section tree.
    assert [call.split("?")[0] for call in visit.api_calls[-3:]] == [
        f"GET /essays/{ESSAY}",
        f"GET /essays/{ESSAY}/preview",
        "GET /sections",
    ]
    assert visit.accessibility_violations() == []
    subscribe = paywall.get_by_role("button", name="Subscribe")
    # POST /checkout answers a Stripe Checkout URL (on the local stack, its offline fake) and the site goes there.
    with page.expect_navigation(url=re.compile(r"/c/pay/cs_test_"), timeout=30_000):
        subscribe.click()
    assert visit.problems(expected_statuses=(403,)) == []


def test_an_unknown_essay_shows_the_not_found_message(visit: Visit) -> None:
    page = visit.page
    response = visit.goto("/essays/no-such-essay-here")
    assert response.status == 404
    assert page.locator(".message").inner_text().startswith("Sorry, there is no page at this address.")
    assert page.locator('meta[name="robots"]').get_attribute("content") == "noindex"
    assert visit.problems(expected_statuses=(404,)) == []

    response = visit.goto("/no/such/page")
    assert response.status == 404
    assert page.get_by_text("Sorry, there is no page at this address.").is_visible()
