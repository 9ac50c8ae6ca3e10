"""Loading essays in bulk, and removing them, keeping every derived item consistent.

A load makes passes over the files, streaming them, so memory stays flat however many
essays they hold:

1. validate every record (and find duplicate ids with 8 bytes per essay);
2. write, 100 essays at a time: read their stored fingerprints, skip the unchanged ones,
   mark their sections dirty, write body, section entry and search postings (dropping the
   stale ones), and the preview card last: the card is the commit point, so an essay whose
   card is written has all its items, and a rerun redoes any essay whose card is not;
3. rebuild each dirty section: its related lists and its essay count, then clear the mark.

Dirty marks are stored in the table, so a load cut off at any point is finished by the
next run, even one with nothing new to write.
"""

from __future__ import annotations

import hashlib
from array import array
from collections.abc import Callable, Iterable, Iterator, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import UTC, datetime
from itertools import islice, pairwise
from pathlib import Path
from typing import Any

from essays_cli.loading import items
from essays_cli.loading.files import Problem, SourceRecord, read_records
from essays_cli.loading.previews import PreviewPolicy, build_preview
from essays_cli.loading.ranking import SectionEssay, essay_keywords, rank_related
from essays_cli.loading.record import EssayRecord
from essays_cli.loading.writer import Backoff, BatchWriter, delete, put
from shared.store import schema
from shared.store.dynamo import from_item, to_item

CHUNK = 100  # essays per write step (BatchGetItem reads at most 100 keys)
ALGORITHM_VERSION = "1"  # bump when previews or keywords are computed differently: reloads redo all


def utc_now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds").replace("+00:00", "Z")


@dataclass
class Summary:
    loaded: int = 0
    updated: int = 0
    unchanged: int = 0
    rejected: int = 0
    removed: int = 0
    not_found: int = 0
    sections_rebuilt: int = 0
    problems: int = 0


@dataclass
class Validation:
    valid: int = 0
    rejected_lines: set[tuple[str, int]] = field(default_factory=set)
    problems: int = 0


@dataclass(frozen=True)
class SectionInfo:
    level: str
    subject: str
    name: str


class Loader:
    def __init__(
        self,
        client: Any,
        table: str,
        policy: PreviewPolicy | None = None,
        *,
        concurrency: int = 4,
        backoff: Backoff | None = None,
        clock: Callable[[], str] = utc_now,
        report: Callable[[Problem], None] = lambda problem: None,
        progress: Callable[[int], Any] | None = None,
    ) -> None:
        self.client = client
        self.table = table
        self.policy = policy or PreviewPolicy()
        self.writer = BatchWriter(client, table, concurrency=concurrency, backoff=backoff)
        self.backoff = backoff or Backoff()
        self.clock = clock
        self.report = report
        self.progress = progress
        self.fingerprint_salt = f"v{ALGORITHM_VERSION};{self.policy.share};{self.policy.max_words_per_extract}"

    # ---- pass 1: validation -------------------------------------------------------------

    def validate(self, paths: Sequence[Path]) -> Validation:
        result = Validation()
        # 8 bytes per essay, in 256 buckets by the hash's top byte, so finding repeats sorts small lists
        id_hashes = [array("Q") for _ in range(256)]
        for source in _all_records(paths):
            if source.record is None:
                self._reject(result, source.file, source.line, source.problems)
            else:
                result.valid += 1
                digest = _id_hash(source.record.essay_id)
                id_hashes[digest >> 56].append(digest)
        duplicated = _repeated(id_hashes)
        if duplicated:
            self._report_duplicates(paths, duplicated, result)
        return result

    def _reject(self, result: Validation, file: str, line: int, problems: list[Problem]) -> None:
        result.rejected_lines.add((file, line))
        result.problems += len(problems)
        for problem in problems:
            self.report(problem)

    def _report_duplicates(self, paths: Sequence[Path], duplicated: set[int], result: Validation) -> None:
        first_seen: dict[str, tuple[str, int]] = {}
        for source in _all_records(paths):
            record = source.record
            if record is None or _id_hash(record.essay_id) not in duplicated:
                continue
            essay_id = record.essay_id
            if essay_id not in first_seen:
                first_seen[essay_id] = (source.file, source.line)
                continue
            file, line = first_seen[essay_id]
            if record.id:
                message = f"the id '{essay_id}' is already used by the essay at {file}:{line}"
            else:
                message = (
                    f"an essay with this title is already at {file}:{line} (an essay without an id "
                    "gets its id from its title): give one of them an id, or remove the repeat"
                )
            result.valid -= 1
            self._reject(result, source.file, source.line, [Problem(source.file, source.line, "id", message)])

    # ---- pass 2: writing ----------------------------------------------------------------

    def load(self, paths: Sequence[Path], validation: Validation, *, dry_run: bool = False) -> Summary:
        summary = Summary(rejected=len(validation.rejected_lines), problems=validation.problems)
        dirty = {} if dry_run else self.pending_sections()
        records = (
            s.record
            for s in _all_records(paths)
            if s.record is not None and (s.file, s.line) not in validation.rejected_lines
        )
        # Double buffering: one chunk's writes go on in the background while the next is prepared
        # (reading, previews, keywords); never more than one in flight, so memory stays bounded.
        with ThreadPoolExecutor(max_workers=1) as background:
            in_flight: Future[None] | None = None
            for chunk in _chunks(records, CHUNK):
                steps = self._load_chunk(chunk, summary, dirty, dry_run)
                if in_flight:
                    in_flight.result()  # a failed write stops the load here
                in_flight = background.submit(self._write_steps, steps)
                if self.progress:
                    self.progress(len(chunk))
            if in_flight:
                in_flight.result()
        if not dry_run:
            summary.sections_rebuilt = self.rebuild_sections(dirty)
        return summary

    def _write_steps(self, steps: list[list[dict[str, Any]]]) -> None:
        for step in steps:
            if step:
                self.writer.write(step)

    def _load_chunk(
        self, chunk: list[EssayRecord], summary: Summary, dirty: dict[str, SectionInfo], dry_run: bool
    ) -> list[list[dict[str, Any]]]:
        """Classify a chunk's essays and build their writes, in the order they must happen."""
        stored = self._stored_cards([r.essay_id for r in chunk])
        now = self.clock()
        marks: list[dict[str, Any]] = []
        first: list[dict[str, Any]] = []  # everything but the cards
        cards: list[dict[str, Any]] = []
        for record in chunk:
            fingerprint = record.content_hash(self.fingerprint_salt)
            old = stored.get(record.essay_id)
            if old and old.get("contentHash") == fingerprint:
                summary.unchanged += 1
                continue
            if old:
                summary.updated += 1
            else:
                summary.loaded += 1
            if dry_run:
                continue
            touched = [(record.section_id, SectionInfo(record.level, record.subject, record.section))]
            if old:
                touched.append((old["sectionId"], SectionInfo(old["level"], old["subject"], old["sectionName"])))
            for section_id, info in touched:
                if section_id not in dirty:
                    dirty[section_id] = info
                    marks.append(put(to_item(_dirty_mark(section_id, info, now))))
            created = old["createdAt"] if old else now
            card, requests = self._essay_requests(record, fingerprint, created, now, old)
            first += requests
            cards.append(put(to_item(card)))
        # Marks before the essays they cover, cards after everything else: see the module doc.
        return [marks, first, cards]

    def _essay_requests(
        self, record: EssayRecord, fingerprint: str, created: str, now: str, old: dict[str, Any] | None
    ) -> tuple[dict[str, Any], list[dict[str, Any]]]:
        preview = build_preview(record.body, self.policy)
        keywords = essay_keywords(record.title, record.body)
        card = items.card_values(record, preview, keywords, fingerprint, created, now)
        member = items.member_values(card)
        postings = items.posting_keys(record.essay_id, record.title, record.rating)
        requests = [
            put(to_item(items.body_values(record, fingerprint, created, now))),
            put(to_item(member)),
            *(put(_key(pk, sk)) for pk, sk in sorted(postings)),
        ]
        if old:
            stale = items.posting_keys(record.essay_id, old["title"], old.get("rating")) - postings
            old_member = (schema.section_pk(old["sectionId"]), schema.member_sk(old["title"], old["essayId"]))
            if old_member != (member["pk"], member["sk"]):
                stale.add(old_member)
            requests += [delete(_key(pk, sk)) for pk, sk in sorted(stale)]
        return card, requests

    def _stored_cards(self, essay_ids: Sequence[str]) -> dict[str, dict[str, Any]]:
        """The stored cards' bookkeeping fields, read strongly consistent (BatchGetItem)."""
        names = [
            "essayId",
            "contentHash",
            "sectionId",
            "sectionName",
            "level",
            "subject",
            "title",
            "rating",
            "createdAt",
        ]
        request: dict[str, Any] = {
            self.table: {
                "Keys": [schema.card_key(i) for i in dict.fromkeys(essay_ids)],
                "ConsistentRead": True,
                "ProjectionExpression": ", ".join(f"#{n}" for n in names),
                "ExpressionAttributeNames": {f"#{n}": n for n in names},
            }
        }
        found: dict[str, dict[str, Any]] = {}
        for attempt in range(self.backoff.attempts):
            response = self.client.batch_get_item(RequestItems=request)
            for item in response.get("Responses", {}).get(self.table, []):
                card = from_item(item)
                found[card["essayId"]] = card
            request = response.get("UnprocessedKeys") or {}
            if not request:
                return found
            self.backoff.wait(attempt)
        raise RuntimeError("DynamoDB kept refusing reads; nothing was written for these essays: run again")

    # ---- pass 3: derived data of the sections --------------------------------------------

    def pending_sections(self) -> dict[str, SectionInfo]:
        """Sections marked dirty by an earlier load that did not finish."""
        pending: dict[str, SectionInfo] = {}
        for item in self._query(schema.LOADER, "DIRTY#"):
            pending[item["sectionId"]] = SectionInfo(item["level"], item["subject"], item["name"])
        return pending

    def rebuild_sections(self, sections: dict[str, SectionInfo]) -> int:
        for section_id, info in sorted(sections.items()):
            self.rebuild_section(section_id, info)
        return len(sections)

    def rebuild_section(self, section_id: str, info: SectionInfo) -> None:
        """Related lists and essay count of one section, from its member items (one Query per page).

        Memory grows with the largest section, not the library: members are kept slim and the
        related lists are written as they are made.
        """
        listed: dict[str, dict[str, Any]] = {}  # what a related entry shows
        essays: list[SectionEssay] = []  # what ranking needs
        for member in self._query(schema.section_pk(section_id)):
            listed[member["essayId"]] = {k: member.get(k) for k in ("essayId", "title", "snippet", "rating")}
            essays.append(
                SectionEssay(member["essayId"], member["title"], member.get("rating"), member.get("keywords", []))
            )
        header = {"sectionId": section_id, "sectionName": info.name, "level": info.level, "subject": info.subject}
        related = (
            put(to_item(items.related_values({**header, "essayId": essay_id}, [listed[j] for j in others])))
            for essay_id, others in rank_related(essays)
        )
        for batch in _chunks(related, 100):  # a related item is ~30 KB as boto3 request dicts
            self.writer.write(batch)
        if listed:
            count = len(listed)
            taxonomy = items.taxonomy_values(section_id, info.level, info.subject, info.name, count, self.clock())
            self.writer.write([put(to_item(taxonomy))])
        else:
            self.writer.write([delete(_key(schema.TAXONOMY, schema.taxonomy_sk(section_id)))])
        self.writer.write([delete(_key(schema.LOADER, schema.dirty_sk(section_id)))])

    def _query(self, pk: str, sk_prefix: str | None = None) -> Iterator[dict[str, Any]]:
        condition = "pk = :pk" + (" AND begins_with(sk, :prefix)" if sk_prefix else "")
        values = {":pk": {"S": pk}} | ({":prefix": {"S": sk_prefix}} if sk_prefix else {})
        kwargs: dict[str, Any] = {
            "TableName": self.table,
            "KeyConditionExpression": condition,
            "ExpressionAttributeValues": values,
            "ConsistentRead": True,
            "Limit": 250,  # pages of ~100 KB: a 1 MB page parsed by botocore would cost ~10 MB at once
        }
        while True:
            response = self.client.query(**kwargs)
            for item in response.get("Items", []):
                yield from_item(item)
            if "LastEvaluatedKey" not in response:
                return
            kwargs["ExclusiveStartKey"] = response["LastEvaluatedKey"]

    # ---- removal --------------------------------------------------------------------------

    def remove(self, essay_ids: Iterable[str]) -> Summary:
        summary = Summary()
        dirty: dict[str, SectionInfo] = self.pending_sections()
        for chunk in _chunks(iter(dict.fromkeys(essay_ids)), CHUNK):
            stored = self._stored_cards(chunk)
            summary.not_found += len(chunk) - len(stored)
            marks, first, cards = [], [], []
            now = self.clock()
            for essay_id, old in stored.items():
                info = SectionInfo(old["level"], old["subject"], old["sectionName"])
                if old["sectionId"] not in dirty:
                    dirty[old["sectionId"]] = info
                    marks.append(put(to_item(_dirty_mark(old["sectionId"], info, now))))
                keys = items.posting_keys(essay_id, old["title"], old.get("rating"))
                keys |= {
                    (schema.section_pk(old["sectionId"]), schema.member_sk(old["title"], essay_id)),
                    (schema.essay_pk(essay_id), schema.RELATED),
                    (schema.body_pk(essay_id), schema.BODY),
                }
                first += [delete(_key(pk, sk)) for pk, sk in sorted(keys)]
                cards.append(delete(schema.card_key(essay_id)))
                summary.removed += 1
            for step in (marks, first, cards):
                if step:
                    self.writer.write(step)
        summary.sections_rebuilt = self.rebuild_sections(dirty)
        return summary


def _dirty_mark(section_id: str, info: SectionInfo, now: str) -> dict[str, Any]:
    return {
        "pk": schema.LOADER,
        "sk": schema.dirty_sk(section_id),
        "sectionId": section_id,
        "level": info.level,
        "subject": info.subject,
        "name": info.name,
        "markedAt": now,
    }


def _key(pk: str, sk: str) -> dict[str, Any]:
    return {"pk": {"S": pk}, "sk": {"S": sk}}


def _all_records(paths: Sequence[Path]) -> Iterator[SourceRecord]:
    for path in paths:
        yield from read_records(path)


def _id_hash(essay_id: str) -> int:
    return int.from_bytes(hashlib.blake2b(essay_id.encode("utf-8"), digest_size=8).digest(), "big")


def _repeated(buckets: list[array[int]]) -> set[int]:
    return {a for bucket in buckets for a, b in pairwise(sorted(bucket)) if a == b}


def _chunks(items: Iterator[Any], size: int) -> Iterator[list[Any]]:
    while chunk := list(islice(items, size)):
        yield chunk
