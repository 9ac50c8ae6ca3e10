"""The suggest lists: one item per prefix of the library's title words (SUGGEST#<prefix>, TOP) holding
its LISTED best-rated titles, best rated first, then by essay id (shared/library/suggest.py reads them).

A load collects the prefixes it touches: every prefix of the titles it writes and of the titles those
essays had, and of the essays it removes (an essay whose title and rating stay is not touched). After
the essays' writes and the section rebuilds it rebuilds those lists from the sections' entries, which
hold every essay's id, title and rating: one pass over them (read back with one Query per section
page, or from the load's own kept members when it began on an empty table), keeping the best LISTED
per touched prefix, then one write per list (a prefix no essay has any more: its item deleted).
Memory holds the touched prefixes and at most LISTED entries each, not the library.

Before its first write a load stores a mark (LOADER, SUGGEST#<load>#000000), and before each chunk's
writes one more naming the prefixes of the titles the chunk replaces or removes; the marks are
deleted once the lists are rebuilt. A run that finds marks (the last load was cut off) rebuilds every
prefix of every title, and those the marks name. Marks are written with BatchWriteItem and read with
a Query, as a load's other items: the review function's publishing may do nothing else.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterable, Iterator
from typing import Any

from essays_cli.loading.members import Members
from essays_cli.loading.writer import BatchWriter, delete, key, put
from shared.library.suggest import LISTED, prefixes
from shared.store import schema
from shared.store.dynamo import to_item
from shared.store.rows import SuggestRow

Entry = tuple[str, str, int | None]  # essay id, title, rating


class SuggestLists:
    """The suggest lists one load (or removal) touches: made by the loader for each run and kept on
    its LoadRun (run.py), so nothing of a load stays on the loader."""

    def __init__(self, client: Any, table: str, writer: BatchWriter, query: Callable[..., Iterator[dict[str, Any]]]):
        self.client = client
        self.table = table
        self.writer = writer
        self.query = query  # a partition's items, strongly consistent (the section rebuilder's)
        self.touched: set[str] = set()
        self.everything = False  # the last load was cut off: every list is rebuilt
        self.marks: list[str] = []  # the sort keys of the marks to clear once the lists are rebuilt
        self.load_id = uuid.uuid4().hex[:12]

    def begin(self) -> None:
        """Read the marks an unfinished load left, and store this load's (before its first write)."""
        for item in self.query(schema.LOADER, schema.SUGGEST_PENDING):
            self.everything = True
            self.touched |= set(item.get("prefixes") or ())
            self.marks.append(str(item["sk"]))
        self._mark([])

    def touch(self, title: str) -> None:
        """A title the load writes: its prefixes' lists are rebuilt after the writes."""
        self.touched |= prefixes(title)

    def replaced(self, titles: Iterable[str]) -> None:
        """Titles the load replaces or removes: their prefixes are rebuilt, and named in a mark first
        (the rerun of a cut-off load reads them nowhere else)."""
        stale: set[str] = set()
        for title in titles:
            stale |= prefixes(title)
        if stale:
            self.touched |= stale
            self._mark(sorted(stale))

    def _mark(self, stale: list[str]) -> None:
        """One mark item (LOADER, SUGGEST#<load>#<n>), written with BatchWriteItem as a load's other
        items are: what a publishing function may write."""
        sk = f"{schema.SUGGEST_PENDING}#{self.load_id}#{len(self.marks):06d}"
        self.marks.append(sk)
        self.writer.write([put(to_item({"pk": schema.LOADER, "sk": sk, "prefixes": stale or None}))])

    def rebuild(self, members: Members | None = None) -> int:
        """Rebuild the touched lists (all, after a cut-off load) and clear the mark; the lists written."""
        best: dict[str, list[tuple[str, str, str, int | None]]] = {}
        counts: dict[str, int] = {}
        for essay_id, title, rating in self._entries(members):
            order = schema.rated_sk(essay_id, rating)  # best rated first, then by id: the old sort key
            for prefix in prefixes(title):
                if not self.everything and prefix not in self.touched:
                    continue
                kept = best.setdefault(prefix, [])
                kept.append((order, essay_id, title, rating))
                counts[prefix] = counts.get(prefix, 0) + 1
                if len(kept) > 4 * LISTED:  # trimmed now and then: memory holds a few lists' worth
                    kept.sort()
                    del kept[LISTED:]
        requests: list[dict[str, Any]] = []
        written = 0
        for prefix in sorted(self.touched | set(best)):
            kept = sorted(best.pop(prefix, []))[:LISTED]
            if not kept:
                requests.append(delete(schema.suggest_key(prefix)))
            else:
                rows = [SuggestRow(essay_id, title, rating) for _, essay_id, title, rating in kept]
                requests.append(put(to_item(SuggestRow.list_to_item(prefix, rows, complete=counts[prefix] <= LISTED))))
            if len(requests) == 2_500:  # written as they are made: memory holds 2,500 writes, not every list's
                self.writer.write(requests)
                written, requests = written + len(requests), []
        self.writer.write(requests)
        self.writer.write([delete(key(schema.LOADER, sk)) for sk in self.marks])
        self.touched, self.everything, self.marks = set(), False, []
        return written + len(requests)

    def _entries(self, members: Members | None) -> Iterator[Entry]:
        """Every essay's id, title and rating, from the sections' entries."""
        if members is not None and not self.everything:  # a load onto an empty table: every essay is in it
            for record in members.every():
                yield record["essayId"], record["title"], record.get("rating")
            return
        for section in self.query(schema.TAXONOMY, "SECTION#"):
            for item in self.query(
                schema.section_pk(section["sectionId"]),
                ProjectionExpression="#i, #t, #r",
                ExpressionAttributeNames={"#i": "essayId", "#t": "title", "#r": "rating"},
            ):
                if "essayId" in item:
                    yield item["essayId"], item["title"], item.get("rating")
