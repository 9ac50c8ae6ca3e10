"""The site's pages as HTML, complete in the first response: essay, section, search and home pages,
the 404 page, robots.txt and the sitemaps.

Each page is built from the reads the API's own routes make, through the same domain functions
(essay_preview, related_essays, section_essays, search, section_tree): never a Scan, never a body.
Stores are passed in; this module knows HTTP only as paths, query parameters and statuses.
Every text from the library is escaped here (html.escape; JSON-LD with `<` escaped).
"""

from __future__ import annotations

import html
import json
import math
import time
import unicodedata
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from http import HTTPStatus
from pathlib import Path
from string import Template
from typing import Any, Protocol
from urllib.parse import quote_plus
from xml.sax.saxutils import escape as xml_escape

from shared.access.models import Plan
from shared.errors import InvalidRequest, NotFound
from shared.library.bounds import MAX_QUERY_CHARS, SECTION_LIMIT
from shared.library.cursor import CursorCodec
from shared.library.discovery import DiscoveryStore, related_essays, search, section_essays, section_tree
from shared.library.essays import CardReader, essay_preview
from shared.library.ids import is_essay_id, is_section_id
from shared.library.models import EssayPreview, EssaySummary, SearchHit, SectionTree
from shared.library.preview import READ_MORE
from shared.store.rows import SitemapRow

TEMPLATES = Path(__file__).parent / "templates"
PAGE = Template((TEMPLATES / "page.html").read_text(encoding="utf-8"))
ESSAY = Template((TEMPLATES / "essay.html").read_text(encoding="utf-8"))

SITE_NAME = "Essay library"
RELATED_SHOWN = 8
SEARCH_SHOWN = 10
# A sitemap may list 50,000 URLs (50 MB); 5,000 keeps a file (~0.6 MB) inside a function's 6 MB
# response and its reads to a few 1 MB Query pages. The index lists one file per 5,000 essays of a section.
ESSAYS_PER_SITEMAP = 5_000
MAX_SITEMAPS = 50_000  # what one sitemap index may list
TREE_SECONDS = 300  # the section tree (the paywall's document count) is read at most every 5 minutes
DESCRIPTION_CHARS = 155
FIRST_EXTRACT = ' elementtiming="first-extract"'


class PageStore(CardReader, DiscoveryStore, Protocol):
    def sitemap_entries(self, section_id: str, skip: int, limit: int) -> list[SitemapRow]: ...


@dataclass(frozen=True)
class Page:
    """What a route answers: status, body, and its media type (HTML unless said otherwise)."""

    status: HTTPStatus
    body: str
    content_type: str = "text/html; charset=utf-8"
    cacheable: bool = True  # public and cacheable at the CDN (404s too); 400/5xx are not


def e(text: object) -> str:
    """Text for HTML content or a quoted attribute."""
    return html.escape(str(text), quote=True)


def json_ld(data: Mapping[str, Any], element_id: str = "") -> str:
    """A JSON-LD block that no title can end early: `<`, `>` and `&` as JSON escapes."""
    text = json.dumps(data, ensure_ascii=False, separators=(",", ":"))
    text = text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")
    named = f' id="{element_id}"' if element_id else ""
    return f'  <script type="application/ld+json"{named}>{text}</script>'


def describe(text: str) -> str:
    clean = " ".join(text.split())
    if len(clean) <= DESCRIPTION_CHARS:
        return clean
    cut = clean.rfind(" ", 0, DESCRIPTION_CHARS - 3)
    return clean[: cut if cut > 0 else DESCRIPTION_CHARS - 3] + "…"


def stars(rating: int | None) -> str:
    if not rating:
        return '<span class="stars none">Not yet rated</span>'
    label = f"Rated {rating} out of 5 by a teacher"
    return f'<span class="stars" role="img" aria-label="{label}">{"★" * rating}{"☆" * (5 - rating)}</span>'


def essay_path(essay_id: str) -> str:
    return f"/essays/{essay_id}"  # ids are [a-z0-9-]: nothing to encode


def section_path(section_id: str) -> str:
    return f"/sections/{section_id}"


def count(n: int, noun: str = "essay") -> str:
    return f"{n:,} {noun}{'' if n == 1 else 's'}"


def counted(name: str, n: int) -> str:
    return f'{e(name)} <span class="count">{count(n)}</span>'


def price(plan: Plan) -> str:
    symbol = {"GBP": "£", "EUR": "€", "USD": "$"}.get(plan.currency)
    amount = f"{symbol}{plan.price}" if symbol else f"{plan.price} {plan.currency}"
    return f"{amount} a {plan.period}"  # as the client's price() words it


def essay_list(essays: list[EssaySummary], where: Callable[[Any], str] = lambda _: "", heading: str = "h3") -> str:
    """Each title a heading one level under the list's: h3 under the essay page's "Related" h2, h2
    on the search and section pages, right under their h1."""
    items = "".join(
        f'<li><{heading}><a href="{essay_path(s.essay_id)}">{e(s.title)}</a></{heading}>{where(s)}'
        f'<p class="snippet">{e(s.snippet)}</p>{stars(s.rating)}</li>'
        for s in essays
    )
    return f'<ul class="essay-list">{items}</ul>'


def breadcrumb(crumbs: list[tuple[str, str | None]]) -> str:
    items = "".join(
        f'<li><a href="{e(href)}">{e(name)}</a></li>' if href else f"<li>{e(name)}</li>" for name, href in crumbs
    )
    return f'<nav class="breadcrumb" aria-label="Breadcrumb"><ol>{items}</ol></nav>'


def breadcrumb_ld(site: str, crumbs: list[tuple[str, str | None]]) -> dict[str, Any]:
    return {
        "@context": "https://schema.org",
        "@type": "BreadcrumbList",
        "itemListElement": [
            {"@type": "ListItem", "position": i, "name": name, **({"item": site + href} if href else {})}
            for i, (name, href) in enumerate(crumbs, start=1)
        ],
    }


def message(text: str, detail: str = "") -> str:
    """A page that is only a message: the message is its h1."""
    more = f'<p class="detail">{detail}</p>' if detail else ""
    return f'    <div class="message"><h1>{e(text)}</h1>{more}</div>'


@dataclass
class Site:
    """The pages of one site origin (e.g. https://essays.example.com), over the library's stores."""

    store: PageStore
    cursors: CursorCodec
    plans: list[Plan]
    clock: Callable[[], float] = time.monotonic
    section_size: int = SECTION_LIMIT.default  # essays per section page, as GET /sections/{id}/essays pages them
    _tree: tuple[float, SectionTree] | None = field(default=None, init=False)

    # ---- routing -------------------------------------------------------------------------------

    def page(self, origin: str, path: str, query: Mapping[str, str]) -> Page:
        """The page at `path`; unknown paths, essays and sections are the 404 page."""
        try:
            return self._route(origin, path, query)
        except NotFound:
            return self.not_found(origin)
        except InvalidRequest as error:
            return self.bad_request(origin, path, query, error.message)

    def _route(self, origin: str, path: str, query: Mapping[str, str]) -> Page:
        if path == "/":
            return self.home(origin)
        if path == "/search":
            return self.search(origin, query.get("q") or "", query.get("cursor"))
        if path == "/robots.txt":
            return Page(HTTPStatus.OK, robots(origin), "text/plain; charset=utf-8")
        if path == "/sitemap.xml":
            return Page(HTTPStatus.OK, self.sitemap_index(origin), "application/xml; charset=utf-8")
        if path == "/sitemaps/sections.xml":
            return Page(HTTPStatus.OK, self.sections_sitemap(origin), "application/xml; charset=utf-8")
        head, _, rest = path[1:].partition("/")
        if head == "essays" and is_essay_id(rest):
            return self.essay(origin, rest)
        if head == "sections" and is_section_id(rest):
            return self.section(origin, rest, query.get("cursor"), query.get("limit"))
        if head == "sitemaps" and rest.startswith("essays/") and rest.endswith(".xml"):
            section_id, _, number = rest.removeprefix("essays/").removesuffix(".xml").partition("/")
            if is_section_id(section_id) and number.isascii() and number.isdigit() and len(number) <= 5:
                return Page(
                    HTTPStatus.OK,
                    self.essays_sitemap(origin, section_id, int(number)),
                    "application/xml; charset=utf-8",
                )
        raise NotFound("no page at this address")

    # ---- the pages ------------------------------------------------------------------------------

    def essay(self, origin: str, essay_id: str) -> Page:
        """One GetItem for the card (the preview), one for the related list: the API's two reads."""
        essay = essay_preview(self.store, essay_id)
        try:
            related = related_essays(self.store, essay_id, RELATED_SHOWN).related
        except NotFound:  # a card whose related list a load is still writing: the preview alone
            related = []
        crumb = essay.breadcrumb
        url = origin + essay_path(essay_id)
        section_url = section_path(crumb.section.id)
        description = describe(essay.extracts[0].text if essay.extracts and essay.extracts[0].text else essay.title)
        # level > subject > section, as the page we model shows it (JSON-LD starts at the library's home)
        crumbs: list[tuple[str, str | None]] = [
            (crumb.level, None),
            (crumb.subject, None),
            (crumb.section.name, section_url),
        ]
        # Each cut extract ends in the link to the plans (the API's `readMore`).
        read_more = f' <a class="read-more" href="#plans">{READ_MORE}</a>'
        # The first extract is the page's first content: named for the Element Timing API, which the
        # mobile speed test reads (tests/browser/test_mobile_speed.py).
        extracts = "\n".join(
            f'        <div class="extract"><h2>{e(x.part)}</h2><p{FIRST_EXTRACT if i == 0 else ""}>'
            f"{e(x.text)}{read_more if x.read_more else ''}</p></div>"
            for i, x in enumerate(essay.extracts)
        )
        documents = self.documents()
        content = ESSAY.substitute(
            essay_id=e(essay_id),
            breadcrumb=breadcrumb(crumbs),
            title=e(essay.title),
            stars=stars(essay.rating),
            words=f"{essay.word_count:,}",
            contributor=f' <span class="by">Contributed by {e(who.name)}</span>' if (who := essay.contributor) else "",
            extracts=extracts,
            section_url=section_url,
            level=e(crumb.level),
            section=e(crumb.section.name),
            related=essay_list(related)
            if related
            else '        <p class="message small">No other essays in this section yet.</p>',
            price=e(f"Just {price(self.plans[0])}") if self.plans else "Plans from the library",
            documents=f'      <p class="count">{e(documents)}</p>' if documents else "",
        )
        article = self._article_ld(essay, url, description)
        head = "\n".join(
            [
                *self._social(url, essay.title, description, "article"),
                json_ld(article, "structured-data"),  # what web/assets/essay.js updates for a subscriber
                json_ld(breadcrumb_ld(origin, [("Library", "/"), *crumbs])),
            ]
        )
        return self._page(f"{essay.title} · {SITE_NAME}", description, head, content, "essay")

    @staticmethod
    def _article_ld(essay: EssayPreview, url: str, description: str) -> dict[str, Any]:
        # The paywalled part is the essay body, whose preview is in the HTML under the same class.
        return {
            "@context": "https://schema.org",
            "@type": "Article",
            "headline": essay.title[:110],
            "name": essay.title,
            "description": description,
            "url": url,
            "mainEntityOfPage": url,
            "wordCount": essay.word_count,
            "articleSection": essay.breadcrumb.section.name,
            "about": [essay.breadcrumb.level, essay.breadcrumb.subject],
            "isAccessibleForFree": False,
            "hasPart": {"@type": "WebPageElement", "isAccessibleForFree": False, "cssSelector": ".essay-body"},
            **({"contentRating": f"{essay.rating}/5"} if essay.rating else {}),
        }

    def section(self, origin: str, section_id: str, cursor: str | None, limit: str | None = None) -> Page:
        """One Query of the section's entries: the page GET /sections/{id}/essays serves, `limit`
        (1-50) essays a page as there."""
        if limit is not None and not (limit.isascii() and limit.isdigit() and 1 <= int(limit) <= SECTION_LIMIT.maximum):
            raise InvalidRequest(f"limit must be a whole number from 1 to {SECTION_LIMIT.maximum}")
        size = int(limit) if limit else self.section_size
        answer = section_essays(self.store, self.cursors, section_id, size, cursor)
        section = answer.section
        path = section_path(section_id)
        url = origin + path + (f"?cursor={quote_plus(cursor)}" if cursor else "")  # whatever the page size
        sized = f"limit={size}&amp;" if limit else ""
        description = describe(
            f"{section.name} essays for {section.level} {section.subject}, with teachers' ratings and free previews."
        )
        crumbs: list[tuple[str, str | None]] = [("Library", "/"), (section.level, None), (section.subject, None)]
        pager = []
        if cursor:
            pager.append(f'<a href="{path}{"?limit=" + str(size) if limit else ""}">First page</a>')
        if answer.next_cursor:
            following = f"{path}?{sized}cursor={e(quote_plus(answer.next_cursor))}"
            pager.append(f'<a href="{following}" rel="next">Next page</a>')
        content = "\n".join(
            [
                "    " + breadcrumb(crumbs),
                f"    <h1>{e(section.name)} essays</h1>",
                "    " + essay_list(answer.essays, heading="h2")
                if answer.essays
                else '    <p class="message">This section has no essays yet.</p>',
                f'    <nav class="pager" aria-label="Pages">{"".join(pager)}</nav>',
            ]
        )
        head = "\n".join(
            [
                *self._social(url, f"{section.name} essays", description, "website"),
                json_ld(breadcrumb_ld(origin, [*crumbs, (section.name, path)])),
            ]
        )
        title = f"{section.name} essays ({section.level}, {section.subject}) · {SITE_NAME}"
        return self._page(title, description, head, content, "section")

    def search(self, origin: str, q: str, cursor: str | None) -> Page:
        """Results pages are for readers, not for indexes (noindex), but their links are followed."""
        q = q.strip()
        robots_meta = '  <meta name="robots" content="noindex, follow">'
        if not q:
            content = message("Type some words of an essay's title in the search box.")
            return self._page(
                f"Search · {SITE_NAME}", "Search the essay library by title.", robots_meta, content, "search"
            )
        answer = search(self.store, self.cursors, q, SEARCH_SHOWN, cursor)
        if not answer.results:
            content = message(f"No essay titles match “{q}”.", "Try fewer or different words.")
        else:
            query = f"q={e(quote_plus(q))}"
            pager = []
            if cursor:
                pager.append(f'<a href="/search?{query}">First page</a>')
            if answer.next_cursor:
                pager.append(
                    f'<a href="/search?{query}&amp;cursor={e(quote_plus(answer.next_cursor))}" rel="next">Next page</a>'
                )

            def where(hit: SearchHit) -> str:
                crumb = hit.breadcrumb
                return f'<p class="where">{e(crumb.level)} › {e(crumb.subject)} › {e(crumb.section.name)}</p>'

            content = "\n".join(
                [
                    f"    <h1>Essays matching “{e(q)}”</h1>",
                    "    " + essay_list(list(answer.results), where, "h2"),
                    f'    <nav class="pager" aria-label="Pages">{"".join(pager)}</nav>',
                ]
            )
        title = f"{q} · Search · {SITE_NAME}"
        return self._page(title, f"Essays whose titles match {q}.", robots_meta, content, "search", query=q)

    def home(self, origin: str) -> Page:
        tree = self.tree(fresh=True)
        url = origin + "/"
        description = (
            "Student essays with teachers' ratings, by level, subject and section: "
            "free previews, every essay in full for subscribers."
        )
        if not tree.levels:
            body = message("The library has no essays yet.", "Please come back soon.")
        else:
            levels = [
                f'    <section class="level"><h2>{counted(level.name, level.essay_count)}</h2>'
                + "".join(
                    f'<div class="subject"><h3>{counted(subject.name, subject.essay_count)}</h3><ul>'
                    + "".join(
                        f'<li><a href="{section_path(s.id)}">{e(s.name)}</a> '
                        f'<span class="count">{count(s.essay_count)}</span></li>'
                        for s in subject.sections
                    )
                    + "</ul></div>"
                    for subject in level.subjects
                )
                + "</section>"
                for level in tree.levels
            ]
            body = '    <div class="tree">\n' + "\n".join(levels) + "\n    </div>"
        content = "    <h1>Browse the essay library</h1>\n" + body
        website = {
            "@context": "https://schema.org",
            "@type": "WebSite",
            "name": SITE_NAME,
            "url": url,
            "potentialAction": {
                "@type": "SearchAction",
                "target": f"{origin}/search?q={{search_term_string}}",
                "query-input": "required name=search_term_string",
            },
        }
        head = "\n".join([*self._social(url, SITE_NAME, description, "website"), json_ld(website)])
        return self._page(
            f"{SITE_NAME}: student essays by level, subject and section", description, head, content, "home"
        )

    def not_found(self, origin: str) -> Page:
        content = message(
            "Sorry, there is no page at this address.",
            'It may have been removed, or the link may be mistyped. <a href="/">Browse the library</a> '
            'or <a href="/search">search for an essay</a>.',
        )
        head = '  <meta name="robots" content="noindex">'
        return self._page(
            f"Page not found · {SITE_NAME}",
            "There is no page at this address.",
            head,
            content,
            "not-found",
            status=HTTPStatus.NOT_FOUND,
        )

    def bad_request(self, origin: str, path: str, query: Mapping[str, str], why: str) -> Page:
        """In readers' words, never the API's parameter rules (`why` stays in the description)."""
        q = (query.get("q") or "").strip() if path == "/search" else ""
        q = "".join(ch for ch in q if unicodedata.category(ch) != "Cc")[:MAX_QUERY_CHARS]  # kept in the box, cleaned
        if query.get("cursor"):  # an old or mangled page link: start again from the first page
            first = f"/search?q={e(quote_plus(q))}" if path == "/search" else e(path)
            content = message(
                "That page of results has expired.", f'<a href="{first}" data-action="start-again">Start again</a>'
            )
        elif path == "/search":
            content = message(
                f"Nothing to search for in “{q}”" if q else "Nothing to search for.",
                "Try other words from the essay's title.",
            )
        else:
            content = message("Sorry, there is no page at this address.", '<a href="/">Browse the library</a>')
        head = '  <meta name="robots" content="noindex">'
        page = self._page(
            f"Not found · {SITE_NAME}",
            "This page could not be shown.",
            head,
            content,
            "error",
            status=HTTPStatus.BAD_REQUEST,
            query=q,
        )
        return Page(page.status, page.body, page.content_type, cacheable=False)

    def fault(self, status: HTTPStatus, text: str) -> Page:
        """A page for a request that failed (busy, a fault of ours, a method we do not serve): never cached."""
        head = '  <meta name="robots" content="noindex">'
        page = self._page(f"{status.phrase} · {SITE_NAME}", text, head, message(text), "error", status=status)
        return Page(page.status, page.body, page.content_type, cacheable=False)

    # ---- robots.txt and sitemaps ----------------------------------------------------------------

    def sitemap_index(self, origin: str) -> str:
        """One Query (the taxonomy): the sections' sitemap, then each section's essays in files of
        ESSAYS_PER_SITEMAP, each dated by the section's last load."""
        rows = sorted(self.store.sections(), key=lambda r: r.section_id)
        entries = [(f"{origin}/sitemaps/sections.xml", max((r.updated_at or "" for r in rows), default=""))]
        for row in rows:
            files = math.ceil(row.essay_count / ESSAYS_PER_SITEMAP)
            entries += [
                (f"{origin}/sitemaps/essays/{row.section_id}/{n}.xml", row.updated_at or "")
                for n in range(1, files + 1)
            ]
        lines = [
            f"<sitemap><loc>{xml_escape(loc)}</loc>{_lastmod(when)}</sitemap>" for loc, when in entries[:MAX_SITEMAPS]
        ]
        return _xml("sitemapindex", lines)

    def sections_sitemap(self, origin: str) -> str:
        """The home page and every section page (one Query: the taxonomy)."""
        rows = sorted(self.store.sections(), key=lambda r: r.section_id)
        newest = max((r.updated_at or "" for r in rows), default="")
        lines = [f"<url><loc>{xml_escape(origin)}/</loc>{_lastmod(newest)}</url>"]
        lines += [
            f"<url><loc>{xml_escape(origin + section_path(r.section_id))}</loc>{_lastmod(r.updated_at or '')}</url>"
            for r in rows
        ]
        return _xml("urlset", lines)

    def essays_sitemap(self, origin: str, section_id: str, number: int) -> str:
        """Essays (number - 1) * 5,000 to number * 5,000 of a section, in title order, each dated by
        its own last load: Query pages of the section's entries, id and date projected."""
        if number < 1:
            raise NotFound("no such sitemap")
        skip = (number - 1) * ESSAYS_PER_SITEMAP
        entries = self.store.sitemap_entries(section_id, skip, ESSAYS_PER_SITEMAP)
        if not entries:
            raise NotFound("no such sitemap")
        lines = [
            f"<url><loc>{xml_escape(origin + essay_path(r.essay_id))}</loc>{_lastmod(r.updated_at or '')}</url>"
            for r in entries
        ]
        return _xml("urlset", lines)

    # ---- shared parts ---------------------------------------------------------------------------

    def tree(self, fresh: bool = False) -> SectionTree:
        """The section tree; kept by the container for TREE_SECONDS unless the page shows it whole."""
        now = self.clock()
        if fresh or self._tree is None or now - self._tree[0] > TREE_SECONDS:
            self._tree = (now, section_tree(self.store))
        return self._tree[1]

    def documents(self) -> str | None:
        total = self.tree().essay_count
        if not total:
            return None
        shown = f"{total // 1000 * 1000:,}+" if total >= 1000 else f"{total:,}"
        return f"{shown} {'document' if total == 1 else 'documents'} available"

    @staticmethod
    def _social(url: str, title: str, description: str, kind: str) -> list[str]:
        return [
            f'  <link rel="canonical" href="{e(url)}">',
            f'  <meta property="og:type" content="{kind}">',
            f'  <meta property="og:site_name" content="{SITE_NAME}">',
            f'  <meta property="og:title" content="{e(title)}">',
            f'  <meta property="og:description" content="{e(description)}">',
            f'  <meta property="og:url" content="{e(url)}">',
            '  <meta property="og:locale" content="en_GB">',
            '  <meta name="twitter:card" content="summary">',
            f'  <meta name="twitter:title" content="{e(title)}">',
            f'  <meta name="twitter:description" content="{e(description)}">',
        ]

    @staticmethod
    def _page(
        title: str,
        description: str,
        head: str,
        content: str,
        kind: str,
        status: HTTPStatus = HTTPStatus.OK,
        query: str = "",
    ) -> Page:
        body = PAGE.substitute(
            title=e(title), description=e(description), head=head, content=content, kind=kind, query=e(query)
        )
        return Page(status, body)


def robots(origin: str) -> str:
    # /search stays crawlable so its noindex is seen; the sign-in return is no page at all.
    return f"User-agent: *\nAllow: /\nDisallow: /callback\n\nSitemap: {origin}/sitemap.xml\n"


def _lastmod(when: str) -> str:
    return f"<lastmod>{xml_escape(when)}</lastmod>" if when else ""


def _xml(root: str, lines: list[str]) -> str:
    namespace = "http://www.sitemaps.org/schemas/sitemap/0.9"
    return (
        f'<?xml version="1.0" encoding="UTF-8"?>\n<{root} xmlns="{namespace}">\n' + "\n".join(lines) + f"\n</{root}>\n"
    )
