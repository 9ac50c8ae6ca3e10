"""The rows an essay is stored as, built from a validated record and its derivation (pure: no AWS,
no clock). The rows' attribute names and key shapes are the store's (shared/store/rows.py and
schema.py), so the functions that read items and the loader that writes them cannot disagree.

`essay_rows` is the whole of one essay: what a load writes for it, and what anything else that
stores an essay the way a load does (one at a time) writes too.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from essays_cli.loading.annotations import anchored
from essays_cli.loading.previews import Preview
from essays_cli.loading.ranking import SectionEssay, rank_related
from essays_cli.loading.record import EssayRecord
from shared.library.text import paragraphs, unique_terms
from shared.store import schema
from shared.store.rows import (
    AnnotationRow,
    BodyRow,
    CardRow,
    HeaderRow,
    MemberRow,
    RelatedRow,
    SectionRow,
    Stamp,
    SummaryRow,
)

MAX_ITEM_BYTES = 400 * 1024  # DynamoDB's limit for one item
ITEM_MARGIN = 6 * 1024  # what the card may hold beyond its extracts (snippet, hashes, dates)
Key = tuple[str, str]  # (pk, sk)


@dataclass(frozen=True)
class Derivation:
    """What an essay's text gives, computed once per load of it (essays_cli.loading.deriving)."""

    preview: Preview
    keywords: list[str]
    packed_extracts: bytes  # the preview's extracts as the card stores them
    paragraphs: list[str]
    packed_paragraphs: bytes  # as the body stores them
    word_count: int


@dataclass(frozen=True)
class EssayRows:
    """Every item of one essay: the card (its commit point, written last), the body, its section
    entry, and the keys of its search postings (key-only items). Its title's suggest lists are
    rebuilt after the load's writes (essays_cli.loading.suggestions)."""

    card: CardRow
    body: BodyRow
    member: MemberRow
    stamp: Stamp
    packed_extracts: bytes
    packed_paragraphs: bytes
    postings: set[Key]

    def card_item(self) -> dict[str, Any]:
        return self.card.to_item(self.stamp, self.packed_extracts)

    def body_item(self) -> dict[str, Any]:
        return self.body.to_item(self.stamp, self.packed_paragraphs)


def item_size(value: Any) -> int:
    """An item's size as DynamoDB counts it: names and strings in UTF-8 bytes, numbers ~digits/2,
    3 bytes per list or map and 1 per element."""
    if isinstance(value, dict):
        return 3 + sum(len(k.encode("utf-8")) + 1 + item_size(v) for k, v in value.items() if v is not None)
    if isinstance(value, list | tuple):
        return 3 + sum(1 + item_size(v) for v in value)
    if isinstance(value, str):
        return len(value.encode("utf-8"))
    if isinstance(value, bool):
        return 1
    return len(str(value)) // 2 + 2


def size_problem(record: EssayRecord) -> str | None:
    """Why the record's items would not fit DynamoDB, checked before anything is written. The body
    item is the largest; the card holds less than a third of the same text plus a few KB. Both store
    their text compressed: measured as plain text, the check holds whatever the text, and costs the
    validation pass no compressing."""
    if _size_bound(record) + ITEM_MARGIN <= MAX_ITEM_BYTES:
        return None  # nearly every essay: far inside the limit, its rows not built to tell
    row = body_row(record, "2000-01-01T00:00:00Z")
    size = item_size(row.header.to_item()) + item_size(row.paragraphs) + item_size(record.teacher_comment or "")
    size += item_size([AnnotationRow.to_item(a) for a in row.annotations])
    if size + ITEM_MARGIN <= MAX_ITEM_BYTES:
        return None
    return (
        f"is too large to store: it takes {size / 1024:,.0f} KB in UTF-8, and an essay may take at most "
        f"{(MAX_ITEM_BYTES - ITEM_MARGIN) / 1024:,.0f} KB (about 390,000 English letters, or 130,000 Chinese "
        "characters, which take 3 bytes each); split it in two"
    )


def _size_bound(record: EssayRecord) -> int:
    """More than the body item can take: at most 4 UTF-8 bytes a character, and at most one byte of
    list overhead per character of text (a paragraph holds one or more); 2 KB for the header's
    names (each at most 100 characters) and the stamp, 100 bytes for each annotation's names and offsets."""
    notes = sum(len(a.quote) + len(a.comment) + 25 for a in record.annotations)
    characters = len(record.body) + len(record.title) + len(record.teacher_comment or "") + notes
    return 5 * characters + 2048 + 100 * len(record.annotations)


def header_row(record: EssayRecord, word_count: int | None = None) -> HeaderRow:
    """`word_count`: the body's, already counted (a Derivation's), else counted here."""
    section = SectionRow(record.section_id, record.section, record.level, record.subject)
    words = record.word_count if word_count is None else word_count
    return HeaderRow(record.essay_id, record.title, section, words, record.rating, record.contributor)


def body_row(record: EssayRecord, updated_at: str, header: HeaderRow | None = None) -> BodyRow:
    """The paywalled item: the formatted essay with a copy of the header, so one read serves it."""
    header = header or header_row(record)
    texts = paragraphs(record.body)
    return BodyRow(header, texts, record.teacher_comment, anchored(record, texts), updated_at)


def body_values(record: EssayRecord, content_hash: str, created_at: str, updated_at: str) -> dict[str, Any]:
    """The body item's values, as written."""
    return body_row(record, updated_at).to_item(Stamp(content_hash, created_at, updated_at))


def essay_rows(record: EssayRecord, derivation: Derivation, stamp: Stamp) -> EssayRows:
    """Every item of one essay (the record with the library's names already: Taxonomy.canonical)."""
    header = header_row(record, derivation.word_count)
    preview = derivation.preview
    annotations = len(record.annotations)
    card = CardRow(header, preview.extracts, preview.snippet, annotations)
    summary = SummaryRow(record.essay_id, record.title, preview.snippet, record.rating, annotations)
    member = MemberRow(summary, header.section, header.word_count, tuple(derivation.keywords), stamp.updated_at)
    return EssayRows(
        card,
        BodyRow(
            header,
            derivation.paragraphs,
            record.teacher_comment,
            anchored(record, derivation.paragraphs),  # the paragraphs split once
            stamp.updated_at,
        ),
        member,
        stamp,
        derivation.packed_extracts,
        derivation.packed_paragraphs,
        posting_keys(record.essay_id, record.title, record.rating),
    )


def related_items(
    section: SectionRow, essays: Sequence[SectionEssay], listed: Mapping[str, SummaryRow]
) -> list[dict[str, Any]]:
    """The related list item of each essay of a section (rank_related; `listed`: what an entry
    shows of each essay), packed as stored: pure, so a big load makes them in its worker processes."""
    return [
        RelatedRow(essay_id, section, [listed[j] for j in others]).to_item()
        for essay_id, others in rank_related(essays)
    ]


def posting_keys(essay_id: str, title: str, rating: int | None) -> set[Key]:
    """(pk, sk) of the search postings of an essay: one per distinct title term."""
    return {(schema.term_pk(t), schema.rated_sk(essay_id, rating)) for t in unique_terms(title)}


def member_key(section_id: str, title: str, essay_id: str) -> Key:
    return schema.section_pk(section_id), schema.member_sk(title, essay_id)
