"""The local site as a crawler meets it: plain HTTP GETs of its URLs, no script run. The pages come
from the pages function of the local stack (template.yaml deployed into the emulator), through the
local site as the distribution routes them, compressed as CloudFront compresses them."""

from __future__ import annotations

import gzip
import urllib.error
import urllib.request
from http import HTTPStatus
from typing import Any
from xml.etree import ElementTree

import pytest

from tests.html_page import HtmlPage, parse_page

pytestmark = pytest.mark.e2e

ESSAY = "stalin-rise-to-power"
SECTION = "as-and-a-level--history--modern-european-history-1789-1945"
NS = {"s": "http://www.sitemaps.org/schemas/sitemap/0.9"}


def fetch(stack: dict[str, Any], path: str, headers: dict[str, str] | None = None) -> tuple[int, dict[str, str], str]:
    request = urllib.request.Request(
        stack["webUrl"] + path, headers={"User-Agent": "Googlebot/2.1", "Accept-Encoding": "gzip", **(headers or {})}
    )
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            status, raw, found = response.status, response.read(), response.headers
    except urllib.error.HTTPError as error:
        status, raw, found = error.code, error.read(), error.headers
    answer = {k.lower(): v for k, v in found.items()}
    if answer.get("content-encoding") == "gzip":
        raw = gzip.decompress(raw)
    return status, answer, raw.decode("utf-8")


def page(stack: dict[str, Any], path: str, status: int = HTTPStatus.OK) -> HtmlPage:
    got, headers, body = fetch(stack, path)
    assert got == status, (path, body[:300])
    assert headers["content-type"] == "text/html; charset=utf-8"
    return parse_page(body)


def test_an_essay_page_is_whole_without_scripts(stack: dict[str, Any]) -> None:
    status, headers, body = fetch(stack, f"/essays/{ESSAY}")
    essay = parse_page(body)
    assert status == HTTPStatus.OK
    assert headers["content-encoding"] == "gzip" and headers["etag"]
    assert headers["cache-control"].startswith("public") and "s-maxage=" in headers["cache-control"]
    assert essay.title.startswith("How did Stalin rise to power after Lenin's death?")
    assert essay.meta["description"] and essay.meta["og:title"] and essay.meta["twitter:card"]
    assert essay.rel["canonical"] == f"{stack['webUrl']}/essays/{ESSAY}"
    assert f"/sections/{SECTION}" in essay.hrefs("/sections/")  # the breadcrumb
    assert essay.text.count("...read more") == 3
    assert "★" in essay.text and " words" in essay.text
    assert [h for h in essay.hrefs("/essays/") if h != f"/essays/{ESSAY}"]  # related essays
    (article,) = essay.of_type("Article")
    assert article["isAccessibleForFree"] is False
    assert article["hasPart"]["cssSelector"].removeprefix(".") in essay.classes
    assert "This site needs JavaScript" not in body and "Loading" not in essay.text
    again = fetch(stack, f"/essays/{ESSAY}", {"If-None-Match": headers["etag"]})
    assert again[0] == HTTPStatus.NOT_MODIFIED


def test_section_home_and_search_pages_are_whole_without_scripts(stack: dict[str, Any]) -> None:
    section = page(stack, f"/sections/{SECTION}")
    assert section.title.startswith("Modern European History, 1789-1945 essays")
    assert f"/essays/{ESSAY}" in section.hrefs("/essays/")
    home = page(stack, "/")
    assert f"/sections/{SECTION}" in home.hrefs("/sections/")
    assert home.rel["canonical"] == f"{stack['webUrl']}/"
    found = page(stack, "/search?q=stalin+power")
    assert f"/essays/{ESSAY}" in found.hrefs("/essays/")
    assert found.meta["robots"] == "noindex, follow"


@pytest.mark.parametrize("path", ["/essays/no-such-essay", "/sections/gcse--english--no-such-section", "/no/such/page"])
def test_unknown_pages_are_404s(stack: dict[str, Any], path: str) -> None:
    missing = page(stack, path, HTTPStatus.NOT_FOUND)
    assert missing.meta["robots"] == "noindex"


def test_robots_txt_and_the_sitemaps_list_every_essay(stack: dict[str, Any]) -> None:
    status, headers, robots = fetch(stack, "/robots.txt")
    assert status == HTTPStatus.OK and headers["content-type"].startswith("text/plain")
    (sitemap_line,) = [line for line in robots.splitlines() if line.startswith("Sitemap: ")]
    index_url = sitemap_line.removeprefix("Sitemap: ")
    assert index_url == f"{stack['webUrl']}/sitemap.xml"
    status, _, index = fetch(stack, "/sitemap.xml")
    files = [s.findtext("s:loc", "", NS) for s in ElementTree.fromstring(index)]
    assert status == HTTPStatus.OK and f"{stack['webUrl']}/sitemaps/sections.xml" in files
    urls: dict[str, str] = {}
    for url in files:
        status, _, body = fetch(stack, url.removeprefix(stack["webUrl"]))
        assert status == HTTPStatus.OK, url
        entries = ElementTree.fromstring(body).findall("s:url", NS)
        assert 0 < len(entries) <= 50_000 and len(body.encode()) <= 50 * 1024 * 1024
        urls |= {u.findtext("s:loc", "", NS): u.findtext("s:lastmod", "", NS) for u in entries}
    assert urls[f"{stack['webUrl']}/essays/{ESSAY}"]  # with its lastmod
    assert urls[f"{stack['webUrl']}/sections/{SECTION}"]
    listed = [u for u in urls if "/essays/" in u]
    assert len(listed) == len(set(listed)) >= 40  # every sample essay, once
