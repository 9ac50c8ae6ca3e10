"""The web client (web/) in Chromium, against the local stack the e2e suite uses (the `stack`
fixture of tests/conftest.py): Debian's chromium driven by Playwright, axe-core run in the page."""

from __future__ import annotations

import contextlib
import json
import shutil
import urllib.request
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[2]
AXE = ROOT / ".venv-npm" / "node_modules" / "axe-core" / "axe.min.js"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
ESSAY = "stalin-rise-to-power"


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption("--screenshots", action="store_true", help="write docs/screenshots/*.png (make screenshots)")


def api_get(stack: dict[str, Any], path: str) -> Any:
    with urllib.request.urlopen(stack["apiUrl"] + path, timeout=10) as response:
        return json.loads(response.read())


@dataclass
class Visit:
    """A page and what it did: console messages, script errors, failed requests, API calls."""

    page: Any
    stack: dict[str, Any]
    console: list[tuple[str, str, str]] = field(default_factory=list)  # (type, text, url)
    page_errors: list[str] = field(default_factory=list)
    failed_requests: list[str] = field(default_factory=list)
    api_calls: list[str] = field(default_factory=list)  # "GET /path?query" to the site's /api
    elsewhere: list[str] = field(default_factory=list)  # calls to the API's direct URL, and preflights: none
    site_bytes: dict[str, int] = field(default_factory=dict)  # the site's own files: url -> size

    def goto(self, path: str) -> Any:
        response = self.page.goto(self.stack["webUrl"] + path)
        self.page.wait_for_load_state("networkidle")
        return response

    def problems(self, expected_statuses: tuple[int, ...] = ()) -> list[str]:
        """Console errors, script errors and failed requests, except 'Failed to load resource' lines
        for the statuses the test expects (a 403 paywall, a 404 essay)."""
        found = [f"page error: {e}" for e in self.page_errors]
        found += [f"not same-origin: {call}" for call in self.elsewhere]
        # A request cut short by leaving the page (net::ERR_ABORTED) is not a failure.
        found += [f"request failed: {r}" for r in self.failed_requests if not r.endswith("net::ERR_ABORTED")]
        for kind, text, url in self.console:
            if url == f"{self.stack['endpointUrl']}/favicon.ico":
                continue  # the emulator's managed login page asks for an icon it does not have
            if "cors" in text.lower() or "access-control" in text.lower():
                found.append(f"CORS: {text} ({url})")
            elif kind == "error" and not any(f"status of {s} " in text for s in expected_statuses):
                found.append(f"console: {text} ({url})")
        return found

    def accessibility_violations(self) -> list[str]:
        """axe-core's violations of any impact on the page as it is now."""
        # Through the DevTools protocol, which the site's CSP (script-src 'self') does not govern.
        self.page.evaluate(AXE.read_text(encoding="utf-8") + "\n;0")
        result = self.page.evaluate("async () => (await axe.run(document)).violations")
        return [f"{v['id']} ({v['impact']}): {v['help']} - {[n['target'] for n in v['nodes']][:3]}" for v in result]

    def sign_in(self, email: str, password: str, button: str = "Sign in", ends: str | None = None) -> None:
        """Through the site's token handler and the user pool's managed login (the emulator's), back
        to the page it started on (or `ends`)."""
        start = self.page.url
        self.page.get_by_role("button", name=button, exact=True).first.click()
        self.log_in(email, password)
        self.page.wait_for_url(ends or start)
        self.page.wait_for_load_state("networkidle")

    def log_in(self, email: str, password: str) -> None:
        """The managed login's form."""
        self.page.wait_for_url("**/oauth2/authorize**")
        self.page.fill("#username", email)
        self.page.fill("#password", password)
        self.page.click("button[type=submit]")

    def sign_up(self, password: str = "Local-reader-2026") -> str:
        """A new reader, through the header's "Create an account" (the local site's stand-in for
        managed login's sign-up), then signed in; back where it started. Returns their e-mail."""
        email = f"reader-{uuid.uuid4().hex[:10]}@example.com"
        start = self.page.url
        self.page.get_by_role("link", name="Create an account").first.click()
        self.page.fill("#email", email)
        self.page.fill("#password", password)
        self.page.get_by_role("button", name="Create the account, then sign in").click()
        self.log_in(email, password)
        self.page.wait_for_url(start)
        self.page.wait_for_load_state("networkidle")
        return email

    def fits(self, width: int = 390) -> bool:
        """Nothing wider than a phone's screen of `width` CSS pixels: the page does not scroll
        sideways, and nothing in the content spills into the margins (where no scrollbar shows it)."""
        self.page.set_viewport_size({"width": width, "height": 844})
        spills = self.page.evaluate(
            """() => {
              const main = document.getElementById("main");
              const edge = main.getBoundingClientRect().right - parseFloat(getComputedStyle(main).paddingRight);
              return [...main.querySelectorAll("*")]
                .filter((el) => getComputedStyle(el).position !== "absolute")
                .filter((el) => el.getBoundingClientRect().right > edge + 0.5)
                .map((el) => `${el.tagName}.${el.className}`);
            }"""
        )
        return not spills and bool(self.page.evaluate(f"document.documentElement.scrollWidth <= {width}"))


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    from playwright.sync_api import sync_playwright

    executable = shutil.which("chromium")
    if not executable:
        pytest.fail("Debian's chromium is not installed: `make test` installs it (apt-get install chromium)")
    if not AXE.exists():
        pytest.fail(f"axe-core is not installed ({AXE}): `make test` installs it with npm")
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@pytest.fixture
def visit(browser: Any, stack: dict[str, Any]) -> Iterator[Visit]:
    """A fresh browser context (no session storage, no cache) at 1280x800."""
    context = browser.new_context(viewport={"width": 1280, "height": 800}, locale="en-GB")
    page = context.new_page()
    page.set_default_timeout(15_000)
    seen = Visit(page, stack)
    api = stack["siteApiUrl"]  # the site calls the API on its own origin, through the local edge
    page.on("console", lambda m: seen.console.append((m.type, m.text, m.location.get("url", ""))))
    page.on("pageerror", lambda e: seen.page_errors.append(str(e)))
    page.on("requestfailed", lambda r: seen.failed_requests.append(f"{r.method} {r.url}: {r.failure}"))

    def on_request(request: Any) -> None:
        if request.method == "OPTIONS" or request.url.startswith(stack["apiUrl"]):
            seen.elsewhere.append(f"{request.method} {request.url}")
        elif request.url.startswith(api):
            seen.api_calls.append(f"{request.method} {request.url.removeprefix(api)}")

    def on_response(response: Any) -> None:
        if response.url.startswith(stack["webUrl"]) and response.request.resource_type in (
            "document",
            "script",
            "stylesheet",
        ):
            with contextlib.suppress(Exception):  # a redirect has no body
                seen.site_bytes[response.url] = len(response.body())

    page.on("request", on_request)
    page.on("response", on_response)
    yield seen
    context.close()
