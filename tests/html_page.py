"""Reading an HTML page as a crawler does (no script runs): its title, meta tags, canonical link,
JSON-LD blocks, links, classes and visible text. Shared by the pages' handler and crawler tests."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from html.parser import HTMLParser
from typing import Any


@dataclass
class HtmlPage:
    title: str = ""
    meta: dict[str, str] = field(default_factory=dict)  # name or property -> content
    links: list[tuple[str, str]] = field(default_factory=list)  # (href, text) of <a> elements
    rel: dict[str, str] = field(default_factory=dict)  # <link rel=...> -> href
    json_ld: list[Any] = field(default_factory=list)
    classes: set[str] = field(default_factory=set)
    ids: set[str] = field(default_factory=set)
    text: str = ""  # the visible text: what a reader (or a crawler) sees, scripts left out
    main_attributes: dict[str, str] = field(default_factory=dict)

    def of_type(self, kind: str) -> list[dict[str, Any]]:
        return [d for d in self.json_ld if isinstance(d, dict) and d.get("@type") == kind]

    def hrefs(self, prefix: str) -> list[str]:
        return [href for href, _ in self.links if href.startswith(prefix)]


class _Reader(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.page = HtmlPage()
        self.stack: list[str] = []
        self.texts: list[str] = []
        self.script: str | None = None  # the type of the <script> being read
        self.script_text: list[str] = []
        self.anchor: tuple[str, list[str]] | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = {k: v or "" for k, v in attrs}
        self.page.classes.update(values.get("class", "").split())
        if values.get("id"):
            self.page.ids.add(values["id"])
        if tag == "meta" and "content" in values:
            key = values.get("name") or values.get("property")
            if key:
                self.page.meta[key] = values["content"]
        elif tag == "link" and values.get("rel"):
            self.page.rel[values["rel"]] = values.get("href", "")
        elif tag == "script":
            self.script = values.get("type", "")
            self.script_text = []
        elif tag == "a":
            self.anchor = (values.get("href", ""), [])
        elif tag == "main":
            self.page.main_attributes = values
        if tag not in ("meta", "link", "input", "br", "img"):
            self.stack.append(tag)

    def handle_endtag(self, tag: str) -> None:
        if tag == "script" and self.script is not None:
            if self.script == "application/ld+json":
                self.page.json_ld.append(json.loads("".join(self.script_text)))
            self.script = None
        elif tag == "a" and self.anchor:
            self.page.links.append((self.anchor[0], " ".join("".join(self.anchor[1]).split())))
            self.anchor = None
        if tag in self.stack:
            while self.stack and self.stack.pop() != tag:
                pass

    def handle_data(self, data: str) -> None:
        if self.script is not None:
            self.script_text.append(data)
            return
        if self.stack and self.stack[-1] == "title":
            self.page.title += data
            return
        if "head" in self.stack:
            return
        self.texts.append(data)
        if self.anchor:
            self.anchor[1].append(data)


def parse_page(html: str) -> HtmlPage:
    reader = _Reader()
    reader.feed(html)
    reader.close()
    reader.page.text = " ".join(" ".join(reader.texts).split())
    return reader.page
