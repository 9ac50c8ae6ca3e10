"""The essay page on a throttled phone, in Chromium, against the warm local stack: a 390 px screen,
1.6 Mbps down, 150 ms round trips and the CPU slowed four times (the DevTools protocol's network and
CPU emulation). Prints when the first extract and the largest contentful paint show; both must meet
their targets, with no request chain before the first extract (it is in the HTML) and the page's
HTML + CSS + JS within 60 KB. `make test` runs it; docs/site.md states its figures and the machine."""

from __future__ import annotations

import contextlib
import os
import statistics
from typing import Any

import pytest

from tests.browser.conftest import ESSAY, Visit

pytestmark = pytest.mark.browser

FIRST_EXTRACT_TARGET = 1.0  # seconds from navigation
LCP_TARGET = 2.5
PAGE_WEIGHT_LIMIT = 60 * 1024  # HTML + JS + CSS, uncompressed
LOADS = 5
PHONE = {
    "viewport": {"width": 390, "height": 844},
    "device_scale_factor": 3,
    "is_mobile": True,
    "has_touch": True,
    "locale": "en-GB",
    "user_agent": (
        "Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) "
        "Chrome/131.0.0.0 Mobile Safari/537.36"
    ),
}
NETWORK = {  # bytes per second; latency in ms
    "offline": False,
    "latency": 150,
    "downloadThroughput": 1.6 * 1_000_000 / 8,
    "uploadThroughput": 0.75 * 1_000_000 / 8,
}

# The first extract's paint (Element Timing: the server names it) and the last LCP candidate, in seconds.
TIMINGS = """() => new Promise((resolve) => {
  const found = {};
  new PerformanceObserver((list) => {
    for (const entry of list.getEntries()) {
      if (entry.identifier === "first-extract") found.extract = (entry.renderTime || entry.loadTime) / 1000;
    }
  }).observe({ type: "element", buffered: true });
  new PerformanceObserver((list) => {
    const last = list.getEntries().at(-1);
    found.lcp = (last.renderTime || last.startTime) / 1000;
    found.lcpElement = last.element ? last.element.tagName + "." + last.element.className : "";
  }).observe({ type: "largest-contentful-paint", buffered: true });
  setTimeout(() => resolve(found), 1000);
})"""


def load_on_a_phone(browser: Any, stack: dict[str, Any]) -> tuple[dict[str, Any], dict[str, tuple[str, int]], str]:
    """One load of the essay page in a fresh phone context (nothing cached): its timings, the site's
    files it loaded (url -> resource type, uncompressed bytes) and its HTML."""
    context = browser.new_context(**PHONE)
    try:
        page = context.new_page()
        cdp = context.new_cdp_session(page)
        cdp.send("Network.enable")
        cdp.send("Network.setCacheDisabled", {"cacheDisabled": True})
        cdp.send("Network.emulateNetworkConditions", NETWORK)
        cdp.send("Emulation.setCPUThrottlingRate", {"rate": 4})
        loaded: dict[str, tuple[str, int]] = {}

        def on_response(response: Any) -> None:
            if response.url.startswith(stack["webUrl"]):
                with contextlib.suppress(Exception):  # a redirect has no body
                    loaded[response.url] = (response.request.resource_type, len(response.body()))

        page.on("response", on_response)
        document = page.goto(stack["webUrl"] + f"/essays/{ESSAY}", wait_until="load")
        timings = page.evaluate(TIMINGS)
        timings["firstByte"] = page.evaluate("performance.getEntriesByType('navigation')[0].responseStart / 1000")
        return timings, loaded, document.text()
    finally:
        context.close()


def test_the_essay_page_on_a_throttled_phone(browser: Any, stack: dict[str, Any], visit: Visit) -> None:
    visit.goto(f"/essays/{ESSAY}")  # warms the stack: the pages function's container, the emulator
    # Five loads: on a shared machine one load can stall for a second while another process has the
    # cores. A regression of the page slows every load, so the best one is held to the targets; the
    # median and each load are printed too.
    loads = [load_on_a_phone(browser, stack) for _ in range(LOADS)]
    best = {k: min(t[k] for t, _, _ in loads) for k in ("extract", "lcp", "firstByte")}
    timings = {k: statistics.median(t[k] for t, _, _ in loads) for k in ("extract", "lcp", "firstByte")}
    _, loaded, html = loads[0]
    weight = sum(size for kind, size in loaded.values() if kind in ("document", "script", "stylesheet"))
    each = ", ".join(f"{t['extract']:.2f}" for t, _, _ in loads)
    print(
        f"\nessay page on a 390 px phone at 1.6 Mbps / 150 ms / CPU x4, {LOADS} loads: best first extract "
        f"{best['extract']:.2f} s, LCP {best['lcp']:.2f} s; median first byte {timings['firstByte']:.2f} s, "
        f"first extract {timings['extract']:.2f} s, LCP {timings['lcp']:.2f} s ({loads[0][0].get('lcpElement')}); "
        "each load's first extract "
        f"{each} s; HTML + CSS + JS {weight / 1024:.1f} KB "
        f"in {len(loaded)} files; load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores"
    )
    # No request chain before the first extract: it is in the document itself.
    assert 'elementtiming="first-extract"' in html
    assert weight <= PAGE_WEIGHT_LIMIT, loaded
    assert 0 < best["extract"] <= FIRST_EXTRACT_TARGET
    assert 0 < best["lcp"] <= LCP_TARGET
