"""Loading essays in bulk, and removing them, keeping every derived item consistent.

A load makes passes over the files, streaming them, so memory stays flat however many
essays they hold:

1. validate every record (`validation.py`; duplicate ids found with 8 bytes per essay);
2. write, 100 essays at a time: `planning.py` reads their stored fingerprints, skips the
   unchanged ones and builds the writes (dirty marks, then body, section entry and search
   postings with the stale ones deleted, then the preview card last: the card is the commit
   point, so a rerun redoes any essay whose card is not written); `writer.py` writes them,
   two chunks at a time while the next is planned;
3. rebuild each dirty section: its related lists and its essay count, then clear the mark
   (`sections.py`). A load that began on a table with no section kept its members aside
   (`members.py`) and reads none back; any other load Queries each section's members;
4. rebuild the suggest lists of the prefixes its titles touched (`suggestions.py`), from the
   same members, then clear its mark.

Dirty marks are stored in the table, so a load cut off at any point is finished by the
next run, even one with nothing new to write.

What one load knows while it runs (the library's names, the dirty sections, the counts, the
worker processes, the members kept aside) is a value, `run.LoadRun`, made by `Loader.load` and
handed to each pass; the passes keep nothing of a load between runs.
"""

from __future__ import annotations

import gc
from collections import deque
from collections.abc import Callable, Iterable, Iterator, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from essays_cli.loading import listing
from essays_cli.loading.copies import EditedCopies
from essays_cli.loading.deriving import Deriver
from essays_cli.loading.files import Problem
from essays_cli.loading.items import Derivation, related_items
from essays_cli.loading.members import Members
from essays_cli.loading.planning import ChunkWrites, Planner
from essays_cli.loading.previews import PreviewPolicy
from essays_cli.loading.progress import CHECKING, REBUILDING, WRITING, Progress, Silent
from essays_cli.loading.record import EssayRecord
from essays_cli.loading.run import LoadRun, Summary
from essays_cli.loading.sections import Relating, SectionLabel, SectionRebuilder, chunks, dirty_mark
from essays_cli.loading.suggestions import SuggestLists
from essays_cli.loading.taxonomy import Taxonomy
from essays_cli.loading.validation import Validation, Validator, all_records
from essays_cli.loading.writer import Backoff, BatchWriter
from shared.store import schema

CHUNK = 100  # essays per write step (BatchGetItem reads at most 100 keys)
REBUILDS_AT_ONCE = 2  # sections rebuilt at a time by a load of more than one chunk
CHUNKS_IN_FLIGHT = 2  # chunks being written while the next is planned

__all__ = ["CHUNK", "Loader", "Summary", "Validation"]


def utc_now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds").replace("+00:00", "Z")


class Loader:
    """The passes of a load put together; each part does one thing (see the module doc)."""

    def __init__(
        self,
        client: Any,
        table: str,
        policy: PreviewPolicy | None = None,
        *,
        concurrency: int = 8,
        backoff: Backoff | None = None,
        clock: Callable[[], str] = utc_now,
        report: Callable[[Problem], None] = lambda problem: None,
        warn: Callable[[Problem], None] = lambda problem: None,
        progress: Progress | None = None,
    ) -> None:
        backoff = backoff or Backoff()
        self.policy = policy or PreviewPolicy()
        self.writer = BatchWriter(client, table, concurrency=concurrency, backoff=backoff)
        self.validator = Validator(report, warn)
        self.planner = Planner(client, table, self.policy, backoff, clock)
        self.sections = SectionRebuilder(client, table, self.writer, clock)
        self.client, self.table = client, table
        self.progress: Progress = progress or Silent()

    def validate(self, paths: Sequence[Path]) -> Validation:
        self.progress.start(CHECKING, None)
        return self.validator.validate(paths, self.progress.advance)

    def pending_sections(self) -> dict[str, SectionLabel]:
        return self.sections.pending()

    def rebuild_sections(
        self,
        sections: dict[str, SectionLabel],
        at_once: int = 1,
        *,
        members: Members | None = None,
        relate: Relating = related_items,
    ) -> int:
        self.progress.start(REBUILDING, len(sections))
        return self.sections.rebuild_all(sections, at_once, self.progress.advance, members=members, relate=relate)

    def read_taxonomy(self) -> Taxonomy:
        """The library's sections as they stand (one Query), with those an unfinished load marked
        dirty (one more): a load's own unfinished work is never new to its rerun."""
        return Taxonomy(listing.sections(self.sections.query), self.pending_sections())

    def load(
        self,
        paths: Sequence[Path],
        validation: Validation,
        *,
        dry_run: bool = False,
        taxonomy: Taxonomy | None = None,
        on_new: Callable[[EssayRecord, str | None], None] | None = None,
        on_same: Callable[[EssayRecord, str], None] | None = None,
    ) -> Summary:
        """Write the valid records; `on_new` hears of each new essay, with the id of an essay
        already in its section that it looks like an edited copy of. The load's state is a LoadRun,
        made here and handed to each pass: nothing of it stays on them."""
        taxonomy = taxonomy or self.read_taxonomy()
        taxonomy.new_names(validation.sections)  # adopts them (when the caller has not): one spelling per load
        dirty = {} if dry_run else self.pending_sections()
        table_was_empty = not dry_run and not dirty and self._holds_no_section()
        run = LoadRun(
            taxonomy,
            Deriver(self.policy),
            Summary(rejected=validation.rejected_rows, problems=validation.problems),
            dirty,
            dry_run,
            table_was_empty,
            copies=EditedCopies(self.sections.query, taxonomy.stored_sections, validation.has_id),
        )
        run.on_new = on_new or run.on_new
        run.on_same = on_same or run.on_same
        self.progress.start(WRITING, validation.valid)  # from here on, the table may change
        if not dry_run:  # before any essay: a load cut off anywhere leaves all its new sections known
            run.suggest = SuggestLists(self.client, self.table, self.writer, self.sections.query)
            run.suggest.begin()
            self._mark_new_sections(validation, run)
        big = validation.valid > CHUNK
        if big:
            run.derive.use_pool()  # the sections' related lists in the worker processes too
        if table_was_empty:  # every member of every section it touches is in this load
            run.members = Members()
        records = (
            s.record
            for s in all_records(paths)
            if s.record is not None and (s.file, s.line) not in validation.rejected_lines
        )
        interrupted = True
        # What exists before the load (modules, the client's service model) is left out of the collector's
        # scans while it runs: a load makes many objects, and each full collection walked all of those too.
        gc.freeze()
        try:
            self._write_chunks(records, run)
            if not dry_run:
                at_once = REBUILDS_AT_ONCE if big else 1
                rebuilt = self.rebuild_sections(run.dirty, at_once, members=run.members, relate=run.derive.related)
                run.summary.sections_rebuilt = rebuilt
                if run.suggest is not None:
                    run.suggest.rebuild(run.members)
            interrupted = False
        finally:
            gc.unfreeze()
            run.derive.close(cancel=interrupted)
            if run.members is not None:
                run.members.close()
            self.writer.close()
        return run.summary

    def _write_chunks(self, records: Iterator[EssayRecord], run: LoadRun) -> None:
        """Plan each chunk while the two before it are written (never more than two in flight, so
        memory stays bounded; their batches share the writer's threads). A chunk's dirty marks are
        written before it is handed on, so every essay's section is marked before any of its items
        is written, whichever chunk marked it first."""
        with ThreadPoolExecutor(max_workers=CHUNKS_IN_FLIGHT) as background:
            in_flight: deque[Future[None]] = deque()
            for chunk, derived in self._derived_ahead(chunks(records, CHUNK), run):
                writes = self.planner.plan_chunk(chunk, run, derived)
                if len(in_flight) == CHUNKS_IN_FLIGHT:
                    in_flight.popleft().result()  # a failed write stops the load here
                if writes.marks:
                    self.writer.write(writes.marks)
                in_flight.append(background.submit(self._write, ChunkWrites(items=writes.items, cards=writes.cards)))
                self.progress.advance(len(chunk))
            while in_flight:
                in_flight.popleft().result()

    @staticmethod
    def _derived_ahead(
        chunks_: Iterator[list[EssayRecord]], run: LoadRun
    ) -> Iterator[tuple[list[EssayRecord], Iterator[Derivation] | None]]:
        """Each chunk, with its derivations begun while the chunk before is planned, when the load
        began on an empty table (every essay is new, so each is derived: the worker processes derive
        one chunk while the main thread builds the items of the other). Otherwise which essays to
        derive is known only once the chunk's stored cards are read: none begun ahead."""
        if not run.table_was_empty:
            yield from ((chunk, None) for chunk in chunks_)
            return
        ahead = None
        for chunk in chunks_:
            derived = run.derive.start([(record.title, record.body) for record in chunk])
            if ahead is not None:
                yield ahead
            ahead = (chunk, derived)
        if ahead is not None:
            yield ahead

    def remove(self, essay_ids: Iterable[str]) -> Summary:
        run = LoadRun(self.read_taxonomy(), Deriver(self.policy), dirty=self.pending_sections())
        run.suggest = SuggestLists(self.client, self.table, self.writer, self.sections.query)
        run.suggest.begin()
        for chunk in chunks(iter(dict.fromkeys(essay_ids)), CHUNK):
            self._write(self.planner.plan_removal(chunk, run))
        run.summary.sections_rebuilt = self.rebuild_sections(run.dirty)
        run.suggest.rebuild()
        return run.summary

    def essays(self, section: str | None = None, search: str | None = None) -> Iterable[listing.Listed]:
        return listing.essays(self.sections.query, section, search)

    def titled(self, title: str) -> list[listing.Listed]:
        return listing.titled(self.sections.query, title)

    def _mark_new_sections(self, validation: Validation, run: LoadRun) -> None:
        """Mark dirty, at once, every section this load creates (its sections the library did not
        have), so that a rerun after an interruption at any point knows them as this load's own."""
        new = {
            section_id: run.taxonomy.label(section_id, label)
            for section_id, label in sorted(validation.sections.items())
            if section_id not in run.taxonomy.stored_sections and section_id not in run.dirty
        }
        if new:
            now = self.planner.clock()
            self.writer.write([dirty_mark(section_id, label, now) for section_id, label in new.items()])
            run.dirty.update(new)

    def _holds_no_section(self) -> bool:
        return next(iter(self.sections.query(schema.TAXONOMY)), None) is None  # one page, one request

    def _write(self, writes: ChunkWrites) -> None:
        for step in writes.in_order():
            if step:
                self.writer.write(step)
