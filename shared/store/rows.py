"""The content table's items as typed rows: the only place that knows stored attribute names.

Items read back are checked field by field (no validation library: cold start), so a malformed
item is a loud fault (StoredItemError, a 500), never a silent leak or a half-filled response.
Rows are frozen but never compared or printed: no generated `__eq__`, `__hash__` or `__repr__`, whose
code every cold start would compile for each class.
"""

from __future__ import annotations

import json
import zlib
from dataclasses import dataclass
from typing import Any

# The card's extracts are stored zlib-compressed as one binary attribute: a 3,000-word essay's
# 900-word preview is ~5.5 KB of text but ~2.5 KB stored, so its card stays one 0.5 RCU read.
EXTRACTS_ATTRIBUTE = "extractsZ"
MAX_EXTRACTS_BYTES = 256 * 1024  # far above any real preview: a corrupt item cannot balloon in memory


class StoredItemError(ValueError):
    """A stored item does not have the shape the code expects: a fault of ours, never the caller's."""


def _text(item: dict[str, Any], key: str) -> str:
    value = item.get(key)
    if not isinstance(value, str):
        raise StoredItemError(f"stored item {item.get('pk', '?')!r}: {key} should be text, not {type(value).__name__}")
    return value


def _optional_text(item: dict[str, Any], key: str) -> str | None:
    return None if item.get(key) is None else _text(item, key)


def _whole(item: dict[str, Any], key: str) -> int:
    value = item.get(key)
    if not isinstance(value, int) or isinstance(value, bool) or value < 0:
        raise StoredItemError(f"stored item {item.get('pk', '?')!r}: {key} should be a whole number")
    return value


def _rating(item: dict[str, Any]) -> int | None:
    value = item.get("rating")
    if value is None:
        return None
    if not isinstance(value, int) or isinstance(value, bool) or not 1 <= value <= 5:
        raise StoredItemError(f"stored item {item.get('pk', '?')!r}: rating should be 1-5")
    return value


def _count(item: dict[str, Any], key: str) -> int:
    # Absent means none: related entries leave zeros out to stay one small read.
    return 0 if item.get(key) is None else _whole(item, key)


def _texts(item: dict[str, Any], key: str) -> list[str]:
    value = item.get(key)
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise StoredItemError(f"stored item {item.get('pk', '?')!r}: {key} should be a list of text")
    return value


def encode_extracts(extracts: tuple[str, ...] | list[str]) -> bytes:
    """The loader's side of the extracts attribute (the card's largest part)."""
    return zlib.compress(json.dumps(list(extracts), ensure_ascii=False, separators=(",", ":")).encode("utf-8"), 9)


def _extracts(item: dict[str, Any]) -> tuple[str, ...]:
    blob = item.get(EXTRACTS_ATTRIBUTE)
    where = f"stored item {item.get('pk', '?')!r}: {EXTRACTS_ATTRIBUTE}"
    if not isinstance(blob, bytes):
        raise StoredItemError(f"{where} should be binary, not {type(blob).__name__}")
    try:
        inflate = zlib.decompressobj()
        data = inflate.decompress(blob, MAX_EXTRACTS_BYTES)
        if inflate.unconsumed_tail or not inflate.eof:
            raise StoredItemError(f"{where} is truncated or larger than {MAX_EXTRACTS_BYTES} bytes")
        value = json.loads(data)
    except (zlib.error, UnicodeDecodeError, ValueError) as error:
        raise StoredItemError(f"{where} cannot be read: {error}") from error
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise StoredItemError(f"{where} should hold a list of text")
    return tuple(value)


@dataclass(frozen=True, eq=False, repr=False)
class SectionRow:
    """A section as the essays that belong to it name it."""

    section_id: str
    name: str
    level: str
    subject: str

    @classmethod
    def of(cls, item: dict[str, Any]) -> SectionRow:
        return cls(_text(item, "sectionId"), _text(item, "sectionName"), _text(item, "level"), _text(item, "subject"))


@dataclass(frozen=True, eq=False, repr=False)
class HeaderRow:
    """What the preview and the full essay both show first (stored on the card and the body)."""

    essay_id: str
    title: str
    section: SectionRow
    word_count: int
    rating: int | None

    @classmethod
    def of(cls, item: dict[str, Any]) -> HeaderRow:
        return cls(
            _text(item, "essayId"), _text(item, "title"), SectionRow.of(item), _whole(item, "wordCount"), _rating(item)
        )


@dataclass(frozen=True, eq=False, repr=False)
class CardRow:
    """An essay's public card: header, the three preview extracts and the snippet."""

    header: HeaderRow
    extracts: tuple[str, ...]  # Introduction, Middle, Conclusion
    snippet: str
    annotation_count: int

    @classmethod
    def of(cls, item: dict[str, Any]) -> CardRow:
        return cls(HeaderRow.of(item), _extracts(item), _text(item, "snippet"), _count(item, "annotationCount"))


@dataclass(frozen=True, eq=False, repr=False)
class AnnotationRow:
    """A teacher's annotation, anchored: paragraphs[paragraph - 1][start:end] == quote."""

    paragraph: int
    start: int
    end: int
    quote: str
    comment: str
    kind: str

    @classmethod
    def of(cls, item: dict[str, Any], paragraphs: list[str]) -> AnnotationRow:
        row = cls(
            _whole(item, "paragraph"),
            _whole(item, "start"),
            _whole(item, "end"),
            _text(item, "quote"),
            _text(item, "comment"),
            _text(item, "kind"),
        )
        if not 1 <= row.paragraph <= len(paragraphs) or paragraphs[row.paragraph - 1][row.start : row.end] != row.quote:
            raise StoredItemError(f"a stored annotation of paragraph {row.paragraph} does not match its text")
        return row


@dataclass(frozen=True, eq=False, repr=False)
class BodyRow:
    """The paywalled full essay."""

    header: HeaderRow
    paragraphs: list[str]
    teacher_comment: str | None
    annotations: list[AnnotationRow]
    updated_at: str

    @classmethod
    def of(cls, item: dict[str, Any]) -> BodyRow:
        paragraphs = _texts(item, "paragraphs")
        notes = item.get("annotations") or []
        if not isinstance(notes, list) or not all(isinstance(n, dict) for n in notes):
            raise StoredItemError(f"stored item {item.get('pk', '?')!r}: annotations should be a list of maps")
        return cls(
            HeaderRow.of(item),
            paragraphs,
            _optional_text(item, "teacherComment"),
            [AnnotationRow.of(n, paragraphs) for n in notes],
            _text(item, "updatedAt"),
        )


@dataclass(frozen=True, eq=False, repr=False)
class SummaryRow:
    """An essay as listed elsewhere (related, search, section): never more than its snippet."""

    essay_id: str
    title: str
    snippet: str
    rating: int | None
    annotation_count: int

    @classmethod
    def of(cls, item: dict[str, Any]) -> SummaryRow:
        return cls(
            _text(item, "essayId"),
            _text(item, "title"),
            _text(item, "snippet"),
            _rating(item),
            _count(item, "annotationCount"),
        )


@dataclass(frozen=True, eq=False, repr=False)
class RelatedRow:
    """An essay's precomputed related list, best first."""

    essay_id: str
    section: SectionRow
    related: list[SummaryRow]

    @classmethod
    def of(cls, item: dict[str, Any]) -> RelatedRow:
        entries = item.get("related") or []
        if not isinstance(entries, list) or not all(isinstance(e, dict) for e in entries):
            raise StoredItemError(f"stored item {item.get('pk', '?')!r}: related should be a list of essays")
        return cls(_text(item, "essayId"), SectionRow.of(item), [SummaryRow.of(e) for e in entries])


@dataclass(frozen=True, eq=False, repr=False)
class SectionPage:
    """One page of a section's essays in title order, and where the next page starts (None: last page)."""

    section: SectionRow | None  # None: the section has no essays (or does not exist)
    essays: list[SummaryRow]
    next_key: str | None


@dataclass(frozen=True, eq=False, repr=False)
class TaxonomyRow:
    """A section of the tree, with its essay count."""

    section_id: str
    name: str
    level: str
    subject: str
    essay_count: int
    updated_at: str | None = None  # when a load last changed the section (its sitemap lastmod)

    @classmethod
    def of(cls, item: dict[str, Any]) -> TaxonomyRow:
        return cls(
            _text(item, "sectionId"),
            _text(item, "name"),
            _text(item, "level"),
            _text(item, "subject"),
            _whole(item, "essayCount"),
            _optional_text(item, "updatedAt"),
        )


@dataclass(frozen=True, eq=False, repr=False)
class SuggestRow:
    """A title under one of its word prefixes (sort key: rating, then essay id)."""

    essay_id: str
    title: str
    rating: int | None

    @classmethod
    def of(cls, item: dict[str, Any]) -> SuggestRow:
        sk = _text(item, "sk")
        rank, _, essay_id = sk.partition("#")
        if not (rank.isdigit() and 4 <= int(rank) <= 9 and essay_id):
            raise StoredItemError(f"stored item {item.get('pk', '?')!r}: sort key {sk!r} is not <9-rating>#<id>")
        rating = 9 - int(rank)
        return cls(essay_id, _text(item, "title"), rating or None)


@dataclass(frozen=True, eq=False, repr=False)
class SitemapRow:
    """An essay as a sitemap lists it: its id and when a load last changed it (None: loaded before
    section entries carried the date)."""

    essay_id: str
    updated_at: str | None

    @classmethod
    def of(cls, item: dict[str, Any]) -> SitemapRow:
        return cls(_text(item, "essayId"), _optional_text(item, "updatedAt"))
