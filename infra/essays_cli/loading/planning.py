"""Pass 2 of a load, the deciding half: which essays change, and the writes that carry them out.

Each chunk of essays is compared with what is stored (one strongly consistent BatchGetItem of
their cards' fingerprints, skipped when the load began on a table that held no essay); unchanged
essays are skipped, and the others' previews and keywords derived together (`deriving.py`).
The writes of a chunk come in three steps that must happen in order: the dirty marks of the
sections touched, then every item but the cards (body, section entry, search postings, and
deletions of stale ones), then the cards. The suggest lists the chunk's titles touch are noted
(`suggestions.py`) and rebuilt after the load's writes. The card is each essay's commit point: an
essay whose card is written has all its items.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any

from essays_cli.loading import items
from essays_cli.loading.items import Derivation, EssayRows
from essays_cli.loading.previews import PreviewPolicy
from essays_cli.loading.record import EssayRecord
from essays_cli.loading.run import LoadRun, Summary
from essays_cli.loading.sections import SectionLabel, dirty_mark
from essays_cli.loading.writer import Backoff, WriteFailed, delete, key, put
from shared.errors import Unavailable
from shared.store import schema
from shared.store.dynamo import batch_get, to_item
from shared.store.rows import Stamp, StoredCard

# Bump when previews or keywords are computed differently: reloads redo all.
# 2: units of unspaced scripts, Unicode terms, CSV line breaks as paragraphs.
# 3: extracts about a third of the budget each (unused words carry over), stored zlib-compressed.
# 4: words keep their marks (Indic vowel signs, Thai vowels); unspaced bigrams of characters with their marks.
ALGORITHM_VERSION = "4"
READS_REFUSED = (
    "DynamoDB is too busy right now: it kept refusing reads; nothing was written for these essays: run again"
)


__all__ = ["ChunkWrites", "Planner", "Summary"]


@dataclass
class ChunkWrites:
    """A chunk's writes, in the order they must happen."""

    marks: list[dict[str, Any]] = field(default_factory=list)
    items: list[dict[str, Any]] = field(default_factory=list)
    cards: list[dict[str, Any]] = field(default_factory=list)

    def in_order(self) -> list[list[dict[str, Any]]]:
        return [self.marks, self.items, self.cards]


class Planner:
    def __init__(self, client: Any, table: str, policy: PreviewPolicy, backoff: Backoff, clock: Callable[[], str]):
        self.client = client
        self.table = table
        self.policy = policy
        self.backoff = backoff
        self.clock = clock
        self.fingerprint_salt = f"v{ALGORITHM_VERSION};{policy.share};{policy.max_words_per_extract}"

    def stored_cards(self, essay_ids: Sequence[str]) -> dict[str, StoredCard]:
        """The stored cards' bookkeeping fields, read strongly consistent (one BatchGetItem)."""
        keys = [schema.card_key(i) for i in dict.fromkeys(essay_ids)]
        try:
            found = batch_get(
                self.client,
                self.table,
                keys,
                attempts=self.backoff.attempts,
                wait=self.backoff.wait,
                consistent=True,
                attributes=StoredCard.ATTRIBUTES,
            )
            return {card.essay_id: card for card in map(StoredCard.from_item, found)}
        except Unavailable as error:
            raise WriteFailed(READS_REFUSED) from error

    def plan_chunk(
        self, chunk: list[EssayRecord], run: LoadRun, derived: Iterator[Derivation] | None = None
    ) -> ChunkWrites:
        """Classify a chunk's essays (counted in the run's summary) and build their writes. `derived`:
        the derivations of every essay of the chunk, begun ahead (Deriver.start), for a load that
        began on an empty table, where every essay is new."""
        stored = {} if run.table_was_empty else self.stored_cards([r.essay_id for r in chunk])
        chunk = self._same_essays(chunk, stored, run)
        now = self.clock()
        writes = ChunkWrites()
        changed = []
        for record in map(run.taxonomy.canonical, chunk):  # the library's names, not the row's
            fingerprint = record.content_hash(self.fingerprint_salt)
            old = stored.get(record.essay_id)
            if old and old.content_hash == fingerprint:
                run.summary.unchanged += 1
            else:
                changed.append((record, fingerprint, old))
        if derived is None:
            derived = run.derive.start([(record.title, record.body) for record, _, _ in changed])
        elif len(changed) != len(chunk):
            raise ValueError("derivations begun ahead are of every essay: for a load onto an empty table only")
        derivations = list(derived)
        for (record, fingerprint, old), derivation in zip(changed, derivations, strict=True):
            stamp = Stamp(fingerprint, old.created_at if old else now, now)
            essay, requests = self._essay_requests(record, derivation, stamp, old)
            if old:
                run.summary.updated += 1
                run.summary.changed_sections.add(old.section.section_id)
            else:
                run.summary.loaded += 1
                self._tell_new(record, essay.card.snippet, run)
            run.summary.changed_ids.append(record.essay_id)
            run.summary.changed_sections.add(record.section_id)
            if run.dry_run:
                continue
            touched = [(record.section_id, SectionLabel(record.level, record.subject, record.section))]
            if old:
                touched.append((old.section.section_id, run.taxonomy.label(old.section.section_id, _label_of(old))))
            self._mark(touched, run.dirty, writes, now)
            self._touch_suggestions(record, old, run)
            writes.items += requests
            writes.cards.append(put(to_item(essay.card_item())))
            if run.members is not None:
                run.members.add(essay.member.to_item())
        self._replaced(run)
        return writes

    @staticmethod
    def _touch_suggestions(record: EssayRecord, old: StoredCard | None, run: LoadRun) -> None:
        """The suggest lists this essay's title is in, before and after (none if title and rating stay)."""
        if run.suggest is None:
            return
        if old and old.title == record.title and old.rating == record.rating:
            return
        run.suggest.touch(record.title)
        if old:
            run.replaced_titles.append(old.title)

    @staticmethod
    def _replaced(run: LoadRun) -> None:
        """Name the chunk's replaced titles in the suggest mark, before any of its writes."""
        if run.suggest is not None and run.replaced_titles:
            run.suggest.replaced(run.replaced_titles)
        run.replaced_titles = []

    def _same_essays(self, chunk: list[EssayRecord], stored: dict[str, StoredCard], run: LoadRun) -> list[EssayRecord]:
        """The chunk with each new essay whose title is a stored essay's of its section but for its
        typography given that essay's id, so it is updated, not added beside it (an id in the file
        says otherwise: it is kept). Their stored cards are read into `stored`."""
        if run.copies is None or run.table_was_empty:
            return chunk
        result, renamed = [], []
        for record in chunk:
            if record.id is None and record.essay_id not in stored:
                same = run.copies.same_title(record.section_id, record.title)
                if same is not None and same not in run.claimed:
                    run.claimed.add(same)
                    run.on_same(record, same)
                    record = record.model_copy(update={"id": same})
                    renamed.append(same)
            result.append(record)
        if renamed:
            stored.update(self.stored_cards(renamed))
        return result

    @staticmethod
    def _tell_new(record: EssayRecord, snippet: str, run: LoadRun) -> None:
        """Tell the run's listener of a new essay, with the stored essay it looks like an edited copy of."""
        copies = run.copies
        original = copies.original_of(record.section_id, record.essay_id, record.title, snippet) if copies else None
        run.on_new(record, original)

    def plan_removal(self, essay_ids: list[str], run: LoadRun) -> ChunkWrites:
        stored = self.stored_cards(essay_ids)
        run.summary.missing_ids += [i for i in essay_ids if i not in stored]
        run.summary.not_found += len(essay_ids) - len(stored)
        writes = ChunkWrites()
        now = self.clock()
        for essay_id, old in stored.items():
            label = run.taxonomy.label(old.section.section_id, _label_of(old))
            self._mark([(old.section.section_id, label)], run.dirty, writes, now)
            keys = items.posting_keys(essay_id, old.title, old.rating)
            run.replaced_titles.append(old.title)
            keys |= {
                items.member_key(old.section.section_id, old.title, essay_id),
                (schema.essay_pk(essay_id), schema.RELATED),
                (schema.body_pk(essay_id), schema.BODY),
            }
            writes.items += [delete(key(pk, sk)) for pk, sk in sorted(keys)]
            writes.cards.append(delete(schema.card_key(essay_id)))
            run.summary.removed += 1
            run.summary.changed_ids.append(essay_id)
            run.summary.changed_sections.add(old.section.section_id)
        self._replaced(run)
        return writes

    @staticmethod
    def _mark(
        touched: list[tuple[str, SectionLabel]], dirty: dict[str, SectionLabel], writes: ChunkWrites, now: str
    ) -> None:
        """Mark each section dirty once per load, before the writes that touch it."""
        for section_id, label in touched:
            if section_id not in dirty:
                dirty[section_id] = label
                writes.marks.append(dirty_mark(section_id, label, now))

    def _essay_requests(
        self, record: EssayRecord, derivation: Derivation, stamp: Stamp, old: StoredCard | None
    ) -> tuple[EssayRows, list[dict[str, Any]]]:
        """The essay's rows, and the writes of all but its card: puts of its items, deletes of those
        an earlier version of it had and this one has not."""
        essay = items.essay_rows(record, derivation, stamp)
        member = essay.member.to_item()
        requests = [
            put(to_item(essay.body_item())),
            put(to_item(member)),
            *(put(key(pk, sk)) for pk, sk in sorted(essay.postings)),
        ]
        if old:
            stale = items.posting_keys(record.essay_id, old.title, old.rating) - essay.postings
            old_member = items.member_key(old.section.section_id, old.title, old.essay_id)
            if old_member != items.member_key(record.section_id, record.title, record.essay_id):
                stale.add(old_member)
            requests += [delete(key(pk, sk)) for pk, sk in sorted(stale)]
        return essay, requests


def _label_of(card: StoredCard) -> SectionLabel:
    return SectionLabel(card.section.level, card.section.subject, card.section.name)
