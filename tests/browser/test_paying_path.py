"""The paying reader's whole path in Chromium, against the local stack and its offline Stripe: the
meter on the essay page, Subscribe (also while metered) spending nothing, paying and coming back to
the essay opened, the account page, managing and cancelling, a reader Stripe still charges, the
API hung and down, the search box as a combobox, and every one of these pages at 390 px and in axe."""

from __future__ import annotations

import json
import re
import time
from typing import Any

import pytest
from essays_cli.devserver import sign_in
from essays_cli.stripefake import Reader, event_for, signed

from tests.browser.conftest import ESSAY, Visit
from tests.e2e.test_payments import cognito, request

pytestmark = pytest.mark.browser
METER = re.compile(r"(\d) of 3 free essays left this month, resets 1 [A-Z][a-z]+")


@pytest.fixture(scope="module", autouse=True)
def warm(stack: dict[str, Any]) -> None:
    """The functions these journeys call, started once (a cold start on a busy machine can outlast
    the page's 8 s timeout, which is for a hung API, not a first start)."""
    for path in (f"/essays/{ESSAY}", "/me/subscription", "/plans", "/search/suggest?q=stal"):
        request(stack["apiUrl"] + path, token=stack["subscriberToken"])


def checkout_bodies(visit: Visit) -> list[Any]:
    bodies: list[Any] = []
    visit.page.on(
        "request",
        lambda r: (
            bodies.append(json.loads(r.post_data) if r.post_data else None)
            if r.method == "POST" and r.url.endswith("/checkout")
            else None
        ),
    )
    return bodies


def test_metered_reading_shows_the_meter_and_subscribe_spends_nothing(visit: Visit, stack: dict[str, Any]) -> None:
    page = visit.page
    visit.goto(f"/essays/{ESSAY}")
    visit.sign_up()
    # A new reader opens an essay with one of their three free ones: the full essay, the meter, Subscribe.
    page.locator(".essay-body.full").wait_for()
    box = page.locator("#plans")
    assert box.get_by_role("heading", name="You are reading a free essay").is_visible()
    assert METER.search(box.inner_text()).group(1) == "2"  # type: ignore[union-attr]
    assert visit.accessibility_violations() == []
    assert visit.fits(390)
    page.set_viewport_size({"width": 1280, "height": 800})

    bodies = checkout_bodies(visit)
    with page.expect_navigation(url=re.compile(r"/c/pay/cs_test_"), timeout=30_000):
        box.get_by_role("button", name="Subscribe").click()
    assert bodies == [{"returnTo": f"/essays/{ESSAY}"}]  # no {plan}: the plan charged is the configured one
    assert not [call for call in visit.api_calls if "openapi" in call]
    # Cancel on the payment page: back on the site, nothing paid, nothing spent.
    page.get_by_role("button", name="Cancel").click()
    page.wait_for_url(re.compile(r"/plans"))
    page.get_by_role("heading", name="Subscribe to the essay library").wait_for()
    assert page.get_by_role("link", name="Back to your essay").get_attribute("href") == f"/essays/{ESSAY}"
    assert METER.search(page.locator(".plans").inner_text()).group(1) == "2"  # type: ignore[union-attr]
    assert visit.accessibility_violations() == []
    assert visit.problems() == []


def _new_reader_signed_up(visit: Visit) -> tuple[str, str]:
    password = "Local-reader-2026"
    visit.goto("/account")
    email = visit.sign_up(password)
    return email, password


def test_paying_returns_to_the_essay_opened_and_the_account_manages_and_cancels(
    visit: Visit, stack: dict[str, Any]
) -> None:
    page = visit.page
    email, password = _new_reader_signed_up(visit)
    page.context.clear_cookies()  # signed out: the visitor's "Sign in to subscribe"
    visit.goto(f"/essays/{ESSAY}")
    visit.api_calls.clear()
    bearers: list[tuple[str, str]] = []  # (path, the token it was called with)
    page.on(
        "request",
        lambda r: (
            bearers.append((r.url.removeprefix(stack["siteApiUrl"]), r.headers["authorization"]))
            if r.url.startswith(stack["siteApiUrl"]) and "authorization" in r.headers
            else None
        ),
    )
    visit.sign_in(email, password, button="Sign in to subscribe", ends="**/c/pay/**")
    # Signing in to subscribe went straight on to the payment page without reading the essay.
    assert not [call for call in visit.api_calls if call.startswith(f"GET /essays/{ESSAY}") and "preview" not in call]
    assert "GET /me/subscription" in visit.api_calls

    page.get_by_role("button", name=re.compile("^Pay")).click()
    paid = time.monotonic()
    page.wait_for_url(re.compile(r"/subscribed\?session_id=cs_test_"))
    page.get_by_role("heading", name="Thank you for subscribing").wait_for()
    page.wait_for_url(f"{stack['webUrl']}/essays/{ESSAY}", timeout=40_000)
    page.locator(".essay-body.full").wait_for()
    opened = time.monotonic() - paid
    assert opened < 10, f"the essay opened {opened:.1f} s after paying"
    assert page.locator("#plans").count() == 0
    # The essay was read with a token minted after the payment: a new authorizer cache key, so no
    # decision cached for the tokens used before it (a Deny, on AWS without the meter) applies.
    before = {token for path, token in bearers if path in ("/checkout", "/me/subscription")}
    (essay_token,) = {token for path, token in bearers if path == f"/essays/{ESSAY}"}
    assert before and essay_token not in before

    # The account page: active, renewal date, Manage billing, Sign out.
    visit.goto("/account")
    panel = page.locator(".subscription")
    panel.get_by_text("Monthly plan: active.").wait_for()
    assert re.search(r"Renews on \d{1,2} [A-Z][a-z]+ 20\d\d\.", panel.inner_text())
    assert page.get_by_text(f"Signed in as {email}").is_visible()
    assert visit.accessibility_violations() == []
    assert visit.fits(390)
    page.set_viewport_size({"width": 1280, "height": 800})

    # Manage billing: the portal; cancelling there comes back to the account page, which says so.
    panel.get_by_role("button", name="Manage billing").click()
    page.wait_for_url("**/p/session/**")
    page.get_by_role("button", name="Cancel subscription").click()
    page.wait_for_url(f"{stack['webUrl']}/account")
    for _ in range(20):  # the webhook may land a moment after the redirect
        if "It will not renew" in page.locator("main").inner_text():
            break
        time.sleep(0.5)
        page.reload()
        page.locator(".subscription").wait_for()
    assert re.search(r"Monthly plan: active until \d{1,2} [A-Z][a-z]+ 20\d\d\.", panel.inner_text())
    assert "It will not renew" in panel.inner_text()

    panel.get_by_role("button", name="Manage billing").click()
    page.wait_for_url("**/p/session/**")
    page.get_by_role("button", name="Cancel now").click()
    page.wait_for_url(f"{stack['webUrl']}/account")
    for _ in range(20):
        if "ended" in page.locator(".subscription").inner_text():
            break
        time.sleep(0.5)
        page.reload()
        page.locator(".subscription").wait_for()
    assert "Monthly plan: ended" in panel.inner_text()
    assert panel.get_by_role("link", name="Subscribe").is_visible()
    assert visit.problems() == []


def test_a_reader_stripe_still_charges_is_sent_to_manage_billing(visit: Visit, stack: dict[str, Any]) -> None:
    password = "Local-reader-2026"
    email = f"owing-{int(time.time() * 1000)}@example.com"
    sub, _, _ = sign_in(cognito(stack), stack["userPoolId"], stack["userPoolClientId"], email, password)
    body = json.dumps(event_for("customer.subscription.created", Reader(sub), status="past_due"))
    headers = {"Content-Type": "application/json", "Stripe-Signature": signed(body, stack["stripeWebhookSecret"])}
    assert request(stack["webhookUrl"], "POST", body=body.encode(), headers=headers)[0] == 200
    page = visit.page
    visit.goto("/plans")
    visit.sign_in(email, password)
    page.get_by_text("A payment for your subscription did not go through").wait_for()
    assert page.get_by_role("button", name="Manage billing").is_visible()
    assert page.get_by_role("button", name="Subscribe").count() == 0
    visit.goto("/account")
    page.get_by_text("Monthly plan: a payment did not go through.").wait_for()
    with page.expect_navigation(url=re.compile(r"/p/session/bps_")):
        page.get_by_role("button", name="Manage billing").click()
    assert visit.problems() == []


def test_the_subscribed_page_waits_and_says_so(visit: Visit, stack: dict[str, Any]) -> None:
    """A reader whose payment has not reached us yet: the page waits, in readers' words."""
    page = visit.page
    visit.goto("/account")
    visit.sign_in(stack["lapsedEmail"], stack["lapsedPassword"])
    page.goto(f"{stack['webUrl']}/subscribed?session_id=cs_test_x&returnTo=%2F%2Fevil.example.com")
    page.get_by_role("heading", name="Thank you for subscribing").wait_for()
    assert page.get_by_text("We are confirming your payment").is_visible()
    assert visit.accessibility_violations() == []


def test_the_api_hung_then_down(visit: Visit, stack: dict[str, Any]) -> None:
    page = visit.page
    api = stack["siteApiUrl"]
    visit.goto("/account")
    visit.sign_in(stack["subscriberEmail"], stack["subscriberPassword"])
    page.route(f"{api}/**", lambda route: None)  # never answers
    started = time.monotonic()
    page.reload()
    page.get_by_role("heading", name="The essay library is taking too long to answer.").wait_for(timeout=15_000)
    assert time.monotonic() - started < 12
    assert visit.accessibility_violations() == []
    page.unroute(f"{api}/**")
    page.route(f"{api}/**", lambda route: route.abort("connectionrefused"))
    page.get_by_role("button", name="Try again").click()
    page.get_by_role("heading", name="We're having problems at our end.").wait_for()
    assert "connection" not in page.locator("main").inner_text()
    page.unroute(f"{api}/**")
    outage = '{"message": "Internal server error"}'
    page.route(f"{api}/**", lambda route: route.fulfill(status=502, content_type="application/json", body=outage))
    page.get_by_role("button", name="Try again").click()
    page.get_by_role("heading", name="We're having problems at our end.").wait_for()
    page.unroute(f"{api}/**")
    page.get_by_role("button", name="Try again").click()
    page.get_by_role("heading", name="Subscription").wait_for()

    # The essay page keeps the server's preview and says why the full essay is not there, with Retry.
    page.route(f"{api}/**", lambda route: None)
    visit.goto(f"/essays/{ESSAY}")
    notice = page.get_by_role("alert")
    notice.get_by_text("The essay library is taking too long to answer.").wait_for(timeout=15_000)
    assert page.locator(".essay-body .extract").count() == 3
    page.unroute(f"{api}/**")
    notice.get_by_role("button", name="Try again").click()
    page.locator(".essay-body.full").wait_for()
    assert visit.accessibility_violations() == []


def test_failures_in_readers_words(visit: Visit) -> None:
    page = visit.page
    assert visit.goto("/essays/Not%20An%20Id!").status == 404
    assert page.get_by_role("heading", name="Sorry, there is no page at this address.").is_visible()
    assert "lower-case" not in page.locator("main").inner_text()
    visit.goto("/search?q=the")  # stop words only
    assert page.get_by_role("heading", name="Nothing to search for in “the”").is_visible()
    assert "Try other words" in page.locator("main").inner_text()
    visit.goto("/search?q=stalin&cursor=expired-or-mangled")  # an old page link starts again
    page.wait_for_url(re.compile(r"/search\?q=stalin$"))
    page.locator(".essay-list li").first.wait_for()
    section = "as-and-a-level--history--modern-european-history-1789-1945"
    visit.goto(f"/sections/{section}?cursor=expired-or-mangled")
    page.wait_for_url(re.compile(f"/sections/{section}$"))
    page.locator(".essay-list li").first.wait_for()
    assert visit.accessibility_violations() == []
    assert visit.problems(expected_statuses=(400, 404)) == []


def test_the_search_box_is_a_combobox(visit: Visit) -> None:
    page = visit.page
    visit.goto(f"/essays/{ESSAY}")
    box = page.get_by_role("combobox", name="Search essay titles")
    box.fill("stal")
    options = page.get_by_role("option")
    options.first.wait_for()
    assert box.get_attribute("aria-expanded") == "true"
    assert re.match(r"\d suggestions?: use the up and down arrows", page.locator("header [role=status]").inner_text())
    box.press("ArrowDown")
    box.press("ArrowDown")
    second = options.nth(1)
    assert second.get_attribute("aria-selected") == "true"
    assert box.get_attribute("aria-activedescendant") == second.get_attribute("id")
    assert visit.accessibility_violations() == []
    box.press("Escape")
    assert options.count() == 0 and box.get_attribute("aria-expanded") == "false"
    # Focus leaving the box closes the list.
    box.fill("stali")
    options.first.wait_for()
    page.keyboard.press("Tab")
    page.keyboard.press("Tab")
    assert options.count() == 0
    # Enter takes the highlighted suggestion...
    box.fill("stal")
    options.first.wait_for()
    title = options.first.inner_text()
    box.press("ArrowDown")
    box.press("Enter")
    page.wait_for_url(re.compile(r"/essays/"))
    page.locator("h1").filter(has_text=title).wait_for()
    # ...and otherwise searches what was typed, the last word as a prefix.
    box = page.get_by_role("combobox", name="Search essay titles")
    box.fill("stal")
    options.first.wait_for()
    box.press("Enter")
    page.wait_for_url(re.compile(r"/search\?q=stal$"))
    page.locator(".essay-list li").first.wait_for()
    assert page.locator("h1").inner_text() in ("Essays starting with “stal”", "Essays matching “stal”")
    assert all("stal" in t.lower() for t in page.locator(".essay-list h2 a").all_inner_texts())
    assert visit.accessibility_violations() == []
    assert visit.problems() == []


@pytest.mark.parametrize(
    "path",
    [
        *("/", "/plans", "/account", "/subscribed", f"/essays/{ESSAY}", "/search?q=stalin", "/no-such-page"),
        *("/auth/signup", "/auth/resume?returnTo=%2Faccount"),
    ],
)
def test_every_page_has_an_h1_fits_a_phone_and_passes_axe(visit: Visit, path: str) -> None:
    visit.goto(path)
    assert visit.page.locator("h1").count() == 1
    assert visit.fits(390)
    assert visit.accessibility_violations() == []
