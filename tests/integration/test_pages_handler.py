"""The site's server-rendered pages through the pages function's real entry point (function URL
events as CloudFront sends them), against moto: what a crawler that runs no script reads, the real
404s, robots.txt and the sitemaps, escaping, and the paywall (never a BODY# read, never more of an
essay than its preview)."""

from __future__ import annotations

import copy
import json
import re
from collections.abc import Iterator
from http import HTTPStatus
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl
from xml.etree import ElementTree

import pytest
from essays_cli.loading.slugs import essay_id_from_title
from essays_cli.seed import main as seed

from functions.pages import app
from functions.pages.site import ESSAYS_PER_SITEMAP
from shared.library.text import paragraphs
from tests.conftest import EVENTS, dynamodb_requests, sample_records
from tests.html_page import HtmlPage, parse_page

SITE = "https://essays.example.com"
STALIN = "stalin-rise-to-power"
STALIN_SECTION = "as-and-a-level--history--modern-european-history-1789-1945"
NS = {"s": "http://www.sitemaps.org/schemas/sitemap/0.9"}


def page_event(
    path: str, query: dict[str, str] | None = None, headers: dict[str, str] | None = None, method: str = "GET"
) -> dict[str, Any]:
    """The recorded function URL event (payload 2.0, signed by CloudFront) for another request."""
    event = copy.deepcopy(json.loads((EVENTS / "page.json").read_text()))
    event["rawPath"] = event["requestContext"]["http"]["path"] = path
    event["requestContext"]["http"]["method"] = method
    if query:
        event["queryStringParameters"] = query
        event["rawQueryString"] = "&".join(f"{k}={v}" for k, v in query.items())
    event["headers"].update(headers or {})
    return event


def get(path: str, context: Any, **kwargs: Any) -> dict[str, Any]:
    return app.handler(page_event(path, **kwargs), context)


def html_of(path: str, context: Any, status: int = HTTPStatus.OK, **kwargs: Any) -> HtmlPage:
    response = get(path, context, **kwargs)
    assert response["statusCode"] == status, response["body"][:500]
    assert response["headers"]["Content-Type"] == "text/html; charset=utf-8"
    return parse_page(response["body"])


@pytest.fixture(autouse=True)
def fresh_site() -> Iterator[None]:
    app.SITE._tree = None  # the container's section tree belongs to one test's table
    yield
    app.SITE._tree = None


def test_an_essay_page_is_complete_in_its_first_response(library: str, context: Any) -> None:
    response = get(f"/essays/{STALIN}", context)
    page = parse_page(response["body"])

    assert response["statusCode"] == HTTPStatus.OK
    # Title, description, canonical, Open Graph and Twitter tags
    title = "How did Stalin rise to power after Lenin's death?"
    assert page.title == f"{title} · Essay library"
    assert page.meta["description"].startswith("When Lenin died on 21 January 1924")
    assert len(page.meta["description"]) <= 155
    url = f"{SITE}/essays/{STALIN}"
    assert page.rel["canonical"] == url
    assert page.meta["og:title"] == title and page.meta["og:url"] == url and page.meta["og:type"] == "article"
    assert page.meta["og:description"] == page.meta["description"]
    assert page.meta["twitter:card"] == "summary" and page.meta["twitter:title"] == title
    # The breadcrumb, level > subject > section, the section a link
    assert "AS and A Level History Modern European History, 1789-1945" in page.text
    assert f"/sections/{STALIN_SECTION}" in page.hrefs("/sections/")
    # The three extracts, each ending in "...read more", the rating and the word count
    for part in ("Introduction", "Middle", "Conclusion"):
        assert part in page.text
    assert page.text.count("...read more") == 3
    assert "When Lenin died on 21 January 1924" in page.text
    assert "★★★★★" in page.text and re.search(r"[\d,]+ words", page.text)
    assert "The above preview is unformatted text" in page.text
    assert "Not the one? Search for your essay title..." in page.text
    # Related essays as links, never the essay itself
    related = page.hrefs("/essays/")
    assert related and f"/essays/{STALIN}" not in related
    # JSON-LD: a paywalled Article whose hasPart names an element of this very page
    (article,) = page.of_type("Article")
    assert article["isAccessibleForFree"] is False and article["headline"] == title and article["url"] == url
    selector = article["hasPart"]["cssSelector"]
    assert article["hasPart"]["isAccessibleForFree"] is False
    assert selector.startswith(".") and selector[1:] in page.classes
    (crumbs,) = page.of_type("BreadcrumbList")
    assert crumbs["itemListElement"][-1]["item"] == f"{SITE}/sections/{STALIN_SECTION}"
    assert crumbs["itemListElement"][0] == {"@type": "ListItem", "position": 1, "name": "Library", "item": f"{SITE}/"}
    # The paywall: a price and the count of documents
    assert "Just £6.99 a month" in page.text and re.search(r"\d+ documents available", page.text)
    assert page.main_attributes["data-rendered"] == "essay"


def test_pages_are_cacheable_at_the_cdn_with_an_etag(library: str, context: Any) -> None:
    response = get(f"/essays/{STALIN}", context)
    headers = response["headers"]
    assert headers["Cache-Control"] == "public, max-age=300, s-maxage=3600"
    again = get(f"/essays/{STALIN}", context, headers={"if-none-match": headers["ETag"]})
    assert again["statusCode"] == HTTPStatus.NOT_MODIFIED and again["body"] == ""
    head = get(f"/essays/{STALIN}", context, method="HEAD")
    assert head["statusCode"] == HTTPStatus.OK and head["body"] == "" and head["headers"]["ETag"] == headers["ETag"]


def test_the_preview_page_never_reads_a_body_nor_shows_more_than_the_extracts(library: str, context: Any) -> None:
    for record in sample_records():
        essay_id = record.get("id") or essay_id_from_title(record["title"])
        with (
            dynamodb_requests("GetItem") as gets,
            dynamodb_requests("Query") as queries,
            dynamodb_requests("BatchGetItem") as batches,
        ):
            response = get(f"/essays/{essay_id}", context)
        assert response["statusCode"] == HTTPStatus.OK, record["title"]
        read = [g["Key"]["pk"]["S"] for g in gets]
        read += [q["ExpressionAttributeValues"][":pk"]["S"] for q in queries]
        read += [k["pk"]["S"] for b in batches for t in b["RequestItems"].values() for k in t["Keys"]]
        assert read and not any(pk.startswith("BODY#") for pk in read), read
        assert len(gets) == 2  # the card and the related list: the API's two single reads
        page = parse_page(response["body"])
        preview = json.loads(get_preview_json(essay_id, context))
        shown = " ".join(x["text"] for x in preview["extracts"])
        # Every sentence of the essay on the page is one of the preview's: the rest stays paywalled
        for paragraph in paragraphs(record["body"]):
            for sentence in re.split(r"(?<=[.!?。])\s+", paragraph):
                if len(sentence) > 40 and sentence not in shown:
                    assert sentence not in page.text, (record["title"], sentence)


def get_preview_json(essay_id: str, context: Any) -> str:
    from functions.preview import app as preview_app
    from tests.conftest import api_event

    response = preview_app.handler(api_event("preview", path_parameters={"essayId": essay_id}), context)
    return str(response["body"])


def load(tmp_path: Path, table: str, *records: dict[str, Any]) -> None:
    source = tmp_path / "more.jsonl"
    source.write_text("".join(json.dumps(r) + "\n" for r in records), encoding="utf-8")
    assert seed(["load", str(source), "--table", table, "--new-sections"]) == 0


HOSTILE: dict[str, Any] = {
    "id": "hostile-title",
    "title": 'Why </script><script>alert("x")</script> & <b>bold</b> titles fail',
    "level": "GCSE",
    "subject": "English",
    "section": "Poetry",
    "rating": 3,
    "body": " ".join(f"Sentence number {n} of an essay about escaping markup in titles." for n in range(120)),
}


def test_titles_with_markup_are_escaped_everywhere_they_appear(library: str, context: Any, tmp_path: Path) -> None:
    load(tmp_path, library, HOSTILE)

    response = get("/essays/hostile-title", context)
    body = response["body"]
    assert response["statusCode"] == HTTPStatus.OK
    assert "<script>alert" not in body and "<b>bold</b>" not in body
    page = parse_page(body)
    assert page.title.startswith(HOSTILE["title"])  # shown as text, exactly
    assert page.meta["og:title"] == HOSTILE["title"]
    (article,) = page.of_type("Article")  # the JSON-LD block is whole: no title ends it early
    assert article["headline"] == HOSTILE["title"]
    # in the section's list, the home page's tree and a search for it
    section = get("/sections/gcse--english--poetry", context)["body"]
    assert "<script>alert" not in section and HOSTILE["title"] in parse_page(section).text
    found = get("/search", context, query={"q": "escaping titles fail"})["body"]
    assert "<script>alert" not in found
    reflected = get("/search", context, query={"q": '"><script>alert(1)</script>'})["body"]
    assert "<script>alert(1)" not in reflected


@pytest.mark.parametrize(
    "path",
    [
        "/essays/no-such-essay",
        "/essays/NOT_AN_ID",
        "/essays/stalin-rise-to-power/",
        "/essays/stalin-rise-to-power/preview",
        "/sections/gcse--english--no-such-section",
        "/sections/not-a-section",
        "/no/such/page",
        "/index.html",
        "/sitemaps/essays/gcse--english--poetry/2.xml",
        "/sitemaps/essays/gcse--english--poetry/0.xml",
    ],
)
def test_unknown_pages_are_real_404s(library: str, context: Any, path: str) -> None:
    response = get(path, context)
    page = parse_page(response["body"])
    assert response["statusCode"] == HTTPStatus.NOT_FOUND
    assert page.meta["robots"] == "noindex"
    assert "Sorry, there is no page at this address." in page.text
    assert response["headers"]["Cache-Control"] == "public, max-age=60, s-maxage=60"


def test_a_removed_essay_is_a_404_and_leaves_its_section_and_sitemap(
    library: str, context: Any, tmp_path: Path
) -> None:
    load(tmp_path, library, HOSTILE)
    assert get("/essays/hostile-title", context)["statusCode"] == HTTPStatus.OK
    assert "/essays/hostile-title" in sitemap_urls("/sitemaps/essays/gcse--english--poetry/1.xml", context)

    assert seed(["remove", "hostile-title", "--table", library]) == 0

    assert get("/essays/hostile-title", context)["statusCode"] == HTTPStatus.NOT_FOUND
    assert "/essays/hostile-title" not in sitemap_urls("/sitemaps/essays/gcse--english--poetry/1.xml", context)
    assert "/essays/hostile-title" not in parse_page(get("/sections/gcse--english--poetry", context)["body"]).hrefs(
        "/essays/"
    )


def test_a_section_page_lists_its_essays_as_links_paged(library: str, context: Any) -> None:
    first = html_of("/sections/gcse--english--poetry", context, query={"limit": "2"})
    assert first.title.startswith("Poetry essays")
    assert len(first.hrefs("/essays/")) == 2
    assert first.rel["canonical"] == f"{SITE}/sections/gcse--english--poetry"
    (next_link,) = [href for href, text in first.links if text == "Next page"]
    path, _, query = next_link.partition("?")
    following = dict(parse_qsl(query))
    assert following["limit"] == "2"
    second = html_of(path, context, query=following)
    assert len(second.hrefs("/essays/")) == 2 and not set(second.hrefs("/essays/")) & set(first.hrefs("/essays/"))
    assert ("/sections/gcse--english--poetry?limit=2", "First page") in second.links
    assert second.rel["canonical"].startswith(f"{SITE}/sections/gcse--english--poetry?cursor=")
    html_of(path, context, status=HTTPStatus.BAD_REQUEST, query={"cursor": "forged"})
    html_of(path, context, status=HTTPStatus.BAD_REQUEST, query={"limit": "51"})


def test_the_home_page_links_every_section(library: str, context: Any) -> None:
    page = html_of("/", context)
    from shared.library.discovery import section_tree
    from shared.store.content import ContentStore

    tree = section_tree(ContentStore(library))
    expected = {f"/sections/{s.id}" for level in tree.levels for subject in level.subjects for s in subject.sections}
    assert expected and set(page.hrefs("/sections/")) == expected
    assert page.rel["canonical"] == f"{SITE}/"
    (website,) = page.of_type("WebSite")
    assert website["potentialAction"]["target"] == f"{SITE}/search?q={{search_term_string}}"


def test_search_pages_list_links_and_are_not_indexed(library: str, context: Any) -> None:
    page = html_of("/search", context, query={"q": "Stalin power"})
    assert f"/essays/{STALIN}" in page.hrefs("/essays/")
    assert page.meta["robots"] == "noindex, follow"
    assert page.title.startswith("Stalin power")
    empty = html_of("/search", context)
    assert "Type some words" in empty.text
    refused = get("/search", context, query={"q": "the"})
    assert refused["statusCode"] == HTTPStatus.BAD_REQUEST and refused["headers"]["Cache-Control"] == "no-store"


def test_robots_txt_points_at_the_sitemap_index(library: str, context: Any) -> None:
    response = get("/robots.txt", context)
    assert response["statusCode"] == HTTPStatus.OK
    assert response["headers"]["Content-Type"] == "text/plain; charset=utf-8"
    assert f"Sitemap: {SITE}/sitemap.xml" in response["body"].splitlines()
    assert "Disallow: /essays" not in response["body"]


def sitemap(path: str, context: Any) -> ElementTree.Element:
    response = get(path, context)
    assert response["statusCode"] == HTTPStatus.OK, path
    assert response["headers"]["Content-Type"] == "application/xml; charset=utf-8"
    return ElementTree.fromstring(response["body"])


def sitemap_urls(path: str, context: Any) -> dict[str, str]:
    """path -> lastmod of a sitemap's URLs."""
    root = sitemap(path, context)
    return {
        u.findtext("s:loc", "", NS).removeprefix(SITE): u.findtext("s:lastmod", "", NS)
        for u in root.findall("s:url", NS)
    }


def test_the_sitemaps_list_every_essay_and_section_with_their_dates(library: str, context: Any) -> None:
    index = sitemap("/sitemap.xml", context)
    files = {s.findtext("s:loc", "", NS).removeprefix(SITE): s.findtext("s:lastmod", "", NS) for s in index}
    assert "/sitemaps/sections.xml" in files and all(files.values())
    essays: dict[str, str] = {}
    for path in files:
        urls = sitemap_urls(path, context)
        assert 0 < len(urls) <= ESSAYS_PER_SITEMAP
        if path.startswith("/sitemaps/essays/"):
            essays |= urls
    ids = {r.get("id") or essay_id_from_title(r["title"]) for r in sample_records()}
    assert set(essays) == {f"/essays/{i}" for i in ids}
    assert all(re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", when) for when in essays.values())
    sections = sitemap_urls("/sitemaps/sections.xml", context)
    assert "/" in sections and f"/sections/{STALIN_SECTION}" in sections


def test_a_load_moves_the_lastmod_of_what_it_changed(library: str, context: Any, tmp_path: Path) -> None:
    before = sitemap_urls("/sitemaps/essays/gcse--english--poetry/1.xml", context)
    sections_before = sitemap_urls("/sitemaps/sections.xml", context)
    load(tmp_path, library, HOSTILE)
    after = sitemap_urls("/sitemaps/essays/gcse--english--poetry/1.xml", context)
    sections_after = sitemap_urls("/sitemaps/sections.xml", context)
    assert after["/essays/hostile-title"] >= max(before.values())
    assert {k: v for k, v in after.items() if k != "/essays/hostile-title"} == before  # untouched essays keep theirs
    poetry = "/sections/gcse--english--poetry"
    assert sections_after[poetry] >= after["/essays/hostile-title"] >= sections_before[poetry]
    assert sections_after["/"] == max(sections_after.values())


def test_only_reading_methods_and_only_a_plain_site_origin(library: str, context: Any) -> None:
    assert get("/", context, method="POST")["statusCode"] == HTTPStatus.METHOD_NOT_ALLOWED
    page = html_of("/", context, headers={"x-site-origin": 'https://evil.example"><script>'})
    assert page.rel["canonical"] == f"{SITE}/"
    local = html_of("/", context, headers={"x-site-origin": "http://127.0.0.1:8123"})
    assert local.rel["canonical"] == "http://127.0.0.1:8123/"


def test_a_busy_or_failing_library_is_a_page_never_cached(
    library: str, context: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    from shared.errors import Unavailable

    def busy(essay_id: str) -> None:
        raise Unavailable("throttled")

    monkeypatch.setattr(app.SITE.store, "get_card", busy)
    response = get(f"/essays/{STALIN}", context)
    assert response["statusCode"] == HTTPStatus.SERVICE_UNAVAILABLE
    assert response["headers"]["Cache-Control"] == "no-store" and response["headers"]["Retry-After"] == "1"
    assert "please reload in a moment" in parse_page(response["body"]).text

    def broken(essay_id: str) -> None:
        raise RuntimeError("a fault of ours")

    monkeypatch.setattr(app.SITE.store, "get_card", broken)
    response = get(f"/essays/{STALIN}", context)
    assert response["statusCode"] == HTTPStatus.INTERNAL_SERVER_ERROR
    assert response["headers"]["Cache-Control"] == "no-store"
    assert "a fault of ours" not in response["body"]


@pytest.mark.parametrize(
    "path",
    [
        "/essays/stalin-rise-to-power%00",
        "/essays/stalin\x00rise",
        "/essays/../../etc/passwd",
        "/essays/" + "a" * 5000,
        "/sections/" + "a-" * 3000,
        "/sitemaps/essays/gcse--english--poetry/99999999999999999999.xml",
        "/sitemaps/essays/gcse--english--poetry/١.xml",  # an Arabic-Indic digit is a digit to str.isdigit
        "/sitemaps/essays/../sections.xml",
        "/essays/\u202estalin",
        "//essays/stalin-rise-to-power",
        "",
    ],
)
def test_hostile_paths_are_404_pages_never_faults(library: str, context: Any, path: str) -> None:
    response = get(path, context)
    assert response["statusCode"] == (HTTPStatus.OK if path == "" else HTTPStatus.NOT_FOUND), path
    assert response["headers"]["Content-Type"] == "text/html; charset=utf-8"


@pytest.mark.parametrize(
    ("path", "query"),
    [
        ("/search", {"q": "x" * 201}),
        ("/search", {"q": "stalin\x00"}),
        ("/search", {"q": "stalin", "cursor": "A" * 5000}),
        ("/sections/gcse--english--poetry", {"cursor": "not-a-cursor"}),
        ("/sections/gcse--english--poetry", {"limit": "0"}),
        ("/sections/gcse--english--poetry", {"limit": "１"}),  # a full-width digit
    ],
)
def test_hostile_queries_are_400_pages_never_faults(
    library: str, context: Any, path: str, query: dict[str, str]
) -> None:
    response = get(path, context, query=query)
    assert response["statusCode"] == HTTPStatus.BAD_REQUEST, (path, query)
    assert response["headers"]["Cache-Control"] == "no-store"
    assert "\x00" not in response["body"]
