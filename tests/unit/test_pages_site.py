"""The site's sitemaps at the library's real sizes, with a store that counts its reads: the index costs
one read however many essays there are, a sitemap file lists at most 5,000 of a section's essays and
reads only its own slice, and JSON-LD cannot be ended early by a title."""

from __future__ import annotations

import json
from typing import Any
from xml.etree import ElementTree

import pytest

from functions.pages import site as site_module
from shared.library.cursor import CursorCodec
from shared.store.rows import SitemapRow, TaxonomyRow

NS = {"s": "http://www.sitemaps.org/schemas/sitemap/0.9"}


class CountingStore:
    """Sections of the given sizes; every read is recorded."""

    def __init__(self, sizes: dict[str, int]) -> None:
        self.sizes = sizes
        self.reads: list[tuple[str, Any]] = []

    def sections(self) -> list[TaxonomyRow]:
        self.reads.append(("sections", None))
        return [
            TaxonomyRow(section_id, "Name", "GCSE", "History", count, "2026-12-01T10:00:00Z")
            for section_id, count in self.sizes.items()
        ]

    def sitemap_entries(self, section_id: str, skip: int, limit: int) -> list[SitemapRow]:
        self.reads.append(("sitemap_entries", (section_id, skip, limit)))
        total = self.sizes.get(section_id, 0)
        return [SitemapRow(f"essay-{n}", "2026-11-30T09:00:00Z") for n in range(skip, min(skip + limit, total))]


def site_of(store: CountingStore) -> site_module.Site:
    return site_module.Site(store, CursorCodec(lambda: "key-0123456789abcdef0123456789abcdef"), [])  # type: ignore[arg-type]


def test_the_index_is_one_read_and_lists_a_file_per_5000_essays_of_each_section() -> None:
    store = CountingStore({"gcse--history--big": 12_001, "gcse--history--small": 3, "gcse--history--edge": 5_000})
    index = ElementTree.fromstring(site_of(store).sitemap_index("https://s.example"))
    files = [s.findtext("s:loc", "", NS) for s in index]
    assert store.reads == [("sections", None)]
    big = [f for f in files if "--big/" in f]
    assert big == [f"https://s.example/sitemaps/essays/gcse--history--big/{n}.xml" for n in (1, 2, 3)]
    assert len([f for f in files if "--edge/" in f]) == 1 and len([f for f in files if "--small/" in f]) == 1
    assert all(s.findtext("s:lastmod", "", NS) == "2026-12-01T10:00:00Z" for s in index)


def test_a_sitemap_file_reads_its_slice_and_lists_at_most_5000() -> None:
    store = CountingStore({"gcse--history--big": 12_001})
    site = site_of(store)
    third = ElementTree.fromstring(site.essays_sitemap("https://s.example", "gcse--history--big", 3))
    second = ElementTree.fromstring(site.essays_sitemap("https://s.example", "gcse--history--big", 2))
    assert [u.findtext("s:loc", "", NS) for u in third] == [
        "https://s.example/essays/essay-10000",
        *(f"https://s.example/essays/essay-{n}" for n in range(10_001, 12_001)),
    ]
    assert len(second) == site_module.ESSAYS_PER_SITEMAP == 5_000
    assert store.reads == [
        ("sitemap_entries", ("gcse--history--big", 10_000, 5_000)),
        ("sitemap_entries", ("gcse--history--big", 5_000, 5_000)),
    ]
    with pytest.raises(site_module.NotFound):
        site.essays_sitemap("https://s.example", "gcse--history--big", 4)


def test_json_ld_cannot_be_closed_by_a_title() -> None:
    title = '</script><script>alert(1)</script> & <!-- "x"'
    block = site_module.json_ld({"headline": title})
    inner = block.split(">", 1)[1].rsplit("</script>", 1)[0]
    assert "<" not in inner and ">" not in inner and "&" not in inner
    assert json.loads(inner) == {"headline": title}
