"""Pass 3 of a load: rebuild the derived data of each section a load touched (its related
lists and its essay count), then clear the section's dirty mark.

Dirty marks are items of the table (`LOADER` / `DIRTY#<sectionId>`), written before the
essays they cover, so a load cut off at any point is finished by the next run.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from itertools import islice
from typing import Any

from essays_cli.loading.items import related_items
from essays_cli.loading.members import Members
from essays_cli.loading.ranking import SectionEssay
from essays_cli.loading.writer import BatchWriter, delete, key, put
from shared.store import schema
from shared.store.dynamo import query_items, to_item
from shared.store.rows import DirtyMarkRow, MemberRow, SectionRow, SummaryRow, TaxonomyRow

RELATED_PER_WRITE = 200  # 8 batches of 25: every write request in flight at once
# related_items, or a load's worker processes' (Deriver.related)
Relating = Callable[[SectionRow, Sequence[SectionEssay], Mapping[str, SummaryRow]], list[dict[str, Any]]]


@dataclass(frozen=True)
class SectionLabel:
    """The names a section is shown with: its level, subject and own name (loader side)."""

    level: str
    subject: str
    name: str


def dirty_mark(section_id: str, label: SectionLabel, now: str) -> dict[str, Any]:
    """The write that marks a section dirty (before any write that touches it)."""
    return put(to_item(DirtyMarkRow(section_id, label.name, label.level, label.subject, now).to_item()))


def chunks(values: Iterator[Any], size: int) -> Iterator[list[Any]]:
    while chunk := list(islice(values, size)):
        yield chunk


class SectionRebuilder:
    def __init__(self, client: Any, table: str, writer: BatchWriter, clock: Callable[[], str]) -> None:
        self.client = client
        self.table = table
        self.writer = writer
        self.clock = clock

    def query(self, pk: str, sk_prefix: str | None = None, **extra: Any) -> Iterator[dict[str, Any]]:
        """A partition's items (strongly consistent), in pages of ~100 KB: a 1 MB page parsed by
        botocore would cost ~10 MB at once."""
        condition = "pk = :pk" + (" AND begins_with(sk, :prefix)" if sk_prefix else "")
        values = {":pk": {"S": pk}} | ({":prefix": {"S": sk_prefix}} if sk_prefix else {})
        return query_items(
            self.client,
            TableName=self.table,
            KeyConditionExpression=condition,
            ExpressionAttributeValues=values,
            ConsistentRead=True,
            Limit=250,
            **extra,
        )

    def pending(self) -> dict[str, SectionLabel]:
        """Sections marked dirty by an earlier load that did not finish."""
        marks = (DirtyMarkRow.from_item(item) for item in self.query(schema.LOADER, schema.dirty_sk("")))
        return {mark.section_id: SectionLabel(mark.level, mark.subject, mark.name) for mark in marks}

    def rebuild_all(
        self,
        sections: dict[str, SectionLabel],
        at_once: int = 1,
        done: Callable[[int], Any] = lambda n: None,
        *,
        members: Members | None = None,
        relate: Relating = related_items,
    ) -> int:
        """`at_once` sections at a time: with 2, one's ranking (CPU) overlaps the other's Queries and
        writes (waiting); memory holds that many sections, still bounded by the largest, not the library.
        `done(1)` as each section is finished. `members`: those a load kept aside (it began on a table
        with no section), so none is read back; `relate`: in process, or the load's worker processes."""
        pool = ThreadPoolExecutor(max_workers=at_once)
        futures = [pool.submit(self.rebuild, *item, members, relate) for item in sorted(sections.items())]
        try:
            for future in futures:
                future.result()  # a failed (or interrupted) rebuild stops here; its mark stays for the next run
                done(1)
        finally:
            for future in futures:
                future.cancel()  # interrupted: the sections not begun wait for the next run, not for this one
            pool.shutdown()
        return len(sections)

    def rebuild(
        self, section_id: str, label: SectionLabel, members: Members | None = None, relate: Relating = related_items
    ) -> None:
        """Related lists and essay count of one section, from its members: those this load kept
        (`members.py`) when it began on a table with no section, else its member items (a Query).

        Memory grows with the largest section, not the library: members are kept slim and the
        related lists are written as they are made.
        """
        source = members.of(section_id) if members is not None and section_id in members else None
        listed: dict[str, SummaryRow] = {}  # what a related entry shows
        essays: list[SectionEssay] = []  # what ranking needs
        for member in source if source is not None else self.query(schema.section_pk(section_id)):
            summary = SummaryRow.from_item(member)
            listed[summary.essay_id] = summary
            essays.append(SectionEssay(summary.essay_id, summary.title, summary.rating, MemberRow.keywords_of(member)))
        del source
        section = SectionRow(section_id, label.name, label.level, label.subject)
        related = (put(to_item(item)) for item in relate(section, essays, listed))
        for batch in chunks(related, RELATED_PER_WRITE):
            self.writer.write(batch)
        if listed:
            taxonomy = TaxonomyRow(section_id, label.name, label.level, label.subject, len(listed), self.clock())
            self.writer.write([put(to_item(taxonomy.to_item()))])
        else:
            self.writer.write([delete(key(schema.TAXONOMY, schema.taxonomy_sk(section_id)))])
        self.writer.write([delete(key(schema.LOADER, schema.dirty_sk(section_id)))])
