"""The content table's items as typed rows, read and written: the only place that knows stored
attribute names. Each row type has its reader (`from_item`, what the functions use) beside its
writer (`to_item`, what the loader writes through); both speak plain values (shared/store/dynamo.py
turns them into DynamoDB's), and the key shapes are schema.py's.

Items read back are checked field by field (no validation library: cold start), so a malformed
item is a loud fault (StoredItemError, a 500), never a silent leak or a half-filled response.
Rows are Records (shared/records.py), not dataclasses: frozen to mypy, never compared or printed, and
no code compiled for them at a cold start.
"""

from __future__ import annotations

import json
import zlib
from typing import Any, ClassVar

from shared.errors import StoredItemError
from shared.library.models import Annotation
from shared.records import Record
from shared.store import schema

# The card's extracts are stored zlib-compressed as one binary attribute: a 3,000-word essay's
# 900-word preview is ~5.5 KB of text but ~2.5 KB stored, so its card stays one 0.5 RCU read.
EXTRACTS_ATTRIBUTE = "extractsZ"
MAX_EXTRACTS_BYTES = 256 * 1024  # far above any real preview: a corrupt item cannot balloon in memory
RELATED_ITEM_BUDGET = 3_900  # bytes: one eventually consistent read (0.5 RCU) serves a related list
# The related and suggest lists are packed the same way (one binary attribute each), and read whole:
# as lists of maps they were ~130 and ~40 nested attribute values, which botocore and the endpoint walk
# one by one (a related item cost a bulk load ~4x the CPU of a flat item of its size), and a related
# list of the bench's essays took 2.9 KB, 3 write units, where packed it takes 1.0 KB, 1 unit.
RELATED_ATTRIBUTE = "relatedZ"
SUGGEST_ATTRIBUTE = "titlesZ"
# The full essay's paragraphs too: a 2,000-word essay's 12 KB of text is 5 KB stored (a subscriber's read of
# it takes 2 read units of 4 KB, not 4), and one value, where a list of paragraphs was one per paragraph.
PARAGRAPHS_ATTRIBUTE = "paragraphsZ"
MAX_PARAGRAPHS_BYTES = 1024 * 1024  # the loader refuses an essay of more than ~394 KB of text; JSON at most doubles it


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


def pack_json(value: Any, level: int = 6) -> bytes:
    """A value as a packed attribute stores it: compact JSON, zlib-compressed."""
    return zlib.compress(json.dumps(value, ensure_ascii=False, separators=(",", ":")).encode("utf-8"), level)


def pack_extracts(extracts: tuple[str, ...] | list[str]) -> bytes:
    """The card's extracts as stored: JSON, zlib-compressed (a big load packs them in its worker processes)."""
    return pack_json(list(extracts), 9)


def _unpacked(item: dict[str, Any], attribute: str, limit: int = MAX_EXTRACTS_BYTES) -> Any:
    """The value of a packed attribute (pack_json), never inflated past `limit` bytes."""
    blob = item.get(attribute)
    where = f"stored item {item.get('pk', '?')!r}: {attribute}"
    if not isinstance(blob, bytes):
        raise StoredItemError(f"{where} should be binary, not {type(blob).__name__}")
    try:
        inflate = zlib.decompressobj()
        data = inflate.decompress(blob, limit)
        if inflate.unconsumed_tail or not inflate.eof:
            raise StoredItemError(f"{where} is truncated or larger than {limit} bytes")
        return json.loads(data)
    except (zlib.error, UnicodeDecodeError, ValueError) as error:
        raise StoredItemError(f"{where} cannot be read: {error}") from error


def _paragraphs(item: dict[str, Any]) -> list[str]:
    if PARAGRAPHS_ATTRIBUTE not in item:  # a list of text in a table loaded before the paragraphs were packed
        return _texts(item, "paragraphs")
    value = _unpacked(item, PARAGRAPHS_ATTRIBUTE, MAX_PARAGRAPHS_BYTES)
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise StoredItemError(f"stored item {item.get('pk', '?')!r}: {PARAGRAPHS_ATTRIBUTE} should hold a list of text")
    return value


def _extracts(item: dict[str, Any]) -> tuple[str, ...]:
    value = _unpacked(item, EXTRACTS_ATTRIBUTE)
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise StoredItemError(f"stored item {item.get('pk', '?')!r}: {EXTRACTS_ATTRIBUTE} should hold a list of text")
    return tuple(value)


class SectionRow(Record):
    """A section as the essays that belong to it name it."""

    section_id: str
    name: str
    level: str
    subject: str

    @classmethod
    def from_item(cls, item: dict[str, Any]) -> SectionRow:
        return cls(_text(item, "sectionId"), _text(item, "sectionName"), _text(item, "level"), _text(item, "subject"))

    def to_item(self) -> dict[str, Any]:
        return {"sectionId": self.section_id, "sectionName": self.name, "level": self.level, "subject": self.subject}


class Stamp(Record):
    """What a load writes on an essay's card and body to know it again: the fingerprint of what shaped
    them, when the essay was first loaded and when a load last changed it."""

    content_hash: str
    created_at: str
    updated_at: str

    @classmethod
    def from_item(cls, item: dict[str, Any]) -> Stamp:
        return cls(_text(item, "contentHash"), _text(item, "createdAt"), _text(item, "updatedAt"))

    def to_item(self) -> dict[str, Any]:
        return {"contentHash": self.content_hash, "createdAt": self.created_at, "updatedAt": self.updated_at}


class HeaderRow(Record):
    """What the preview and the full essay both show first (stored on the card and the body)."""

    essay_id: str
    title: str
    section: SectionRow
    word_count: int
    rating: int | None
    contributor: str | None = None  # the name a published submission's contributor chose to show

    @classmethod
    def from_item(cls, item: dict[str, Any]) -> HeaderRow:
        return cls(
            _text(item, "essayId"),
            _text(item, "title"),
            SectionRow.from_item(item),
            _whole(item, "wordCount"),
            _rating(item),
            _optional_text(item, "contributorName"),
        )

    def to_item(self) -> dict[str, Any]:
        return {
            "essayId": self.essay_id,
            "title": self.title,
            **self.section.to_item(),
            "wordCount": self.word_count,
            "rating": self.rating,
            # written only when there is one: the library's items keep their size and shape
            **({"contributorName": self.contributor} if self.contributor else {}),
        }


class CardRow(Record):
    """An essay's public card: header, the three preview extracts and the snippet. (Its keywords,
    which related ranking compares, are its section entry's: MemberRow.)"""

    header: HeaderRow
    extracts: tuple[str, ...]  # Introduction, Middle, Conclusion
    snippet: str
    annotation_count: int

    @classmethod
    def from_item(cls, item: dict[str, Any]) -> CardRow:
        return cls(HeaderRow.from_item(item), _extracts(item), _text(item, "snippet"), _count(item, "annotationCount"))

    def to_item(self, stamp: Stamp, packed: bytes | None = None) -> dict[str, Any]:
        """`packed`: the extracts already packed (pack_extracts, in a worker process), else packed here."""
        return {
            "pk": schema.essay_pk(self.header.essay_id),
            "sk": schema.CARD,
            **self.header.to_item(),
            EXTRACTS_ATTRIBUTE: pack_extracts(self.extracts) if packed is None else packed,
            "snippet": self.snippet,
            "annotationCount": self.annotation_count or None,  # absent means none (_count): a number fewer
            **stamp.to_item(),
        }


class StoredCard(Record):
    """What a load reads back of a stored card (a projection) to tell whether, and where from, an
    essay changes."""

    ATTRIBUTES: ClassVar[tuple[str, ...]] = (
        "essayId",
        "title",
        "rating",
        "sectionId",
        "sectionName",
        "level",
        "subject",
        "contentHash",
        "createdAt",
    )

    essay_id: str
    title: str
    rating: int | None
    section: SectionRow
    content_hash: str
    created_at: str

    @classmethod
    def from_item(cls, item: dict[str, Any]) -> StoredCard:
        return cls(
            _text(item, "essayId"),
            _text(item, "title"),
            _rating(item),
            SectionRow.from_item(item),
            _text(item, "contentHash"),
            _text(item, "createdAt"),
        )


class AnnotationRow:
    """How a teacher's annotation (the API's models.Annotation) is stored, in the full essay's item and on
    a submission; read back only where it still fits its paragraph."""

    @staticmethod
    def from_item(item: dict[str, Any], paragraphs: list[str]) -> Annotation:
        row = Annotation(
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

    @staticmethod
    def to_item(annotation: Annotation) -> dict[str, Any]:
        return {
            "paragraph": annotation.paragraph,
            "start": annotation.start,
            "end": annotation.end,
            "quote": annotation.quote,
            "comment": annotation.comment,
            "kind": annotation.kind,
        }


class BodyRow(Record):
    """The paywalled full essay."""

    header: HeaderRow
    paragraphs: list[str]
    teacher_comment: str | None
    annotations: list[Annotation]
    updated_at: str

    @classmethod
    def from_item(cls, item: dict[str, Any]) -> BodyRow:
        paragraphs = _paragraphs(item)
        notes = item.get("annotations") or []
        if not isinstance(notes, list) or not all(isinstance(n, dict) for n in notes):
            raise StoredItemError(f"stored item {item.get('pk', '?')!r}: annotations should be a list of maps")
        return cls(
            HeaderRow.from_item(item),
            paragraphs,
            _optional_text(item, "teacherComment"),
            [AnnotationRow.from_item(n, paragraphs) for n in notes],
            _text(item, "updatedAt"),
        )

    def to_item(self, stamp: Stamp, packed: bytes | None = None) -> dict[str, Any]:
        """The whole essay and a copy of the header, so one read serves it (its updatedAt: the stamp's).
        No teacher's comment or annotations: absent, not null and an empty list (two values fewer).
        `packed`: the paragraphs already packed (pack_json, in a load's worker process), else packed here."""
        return {
            "pk": schema.body_pk(self.header.essay_id),
            "sk": schema.BODY,
            **self.header.to_item(),
            PARAGRAPHS_ATTRIBUTE: pack_json(self.paragraphs) if packed is None else packed,
            **({"teacherComment": self.teacher_comment} if self.teacher_comment is not None else {}),
            # paywalled: only ever on this item
            **({"annotations": [AnnotationRow.to_item(a) for a in self.annotations]} if self.annotations else {}),
            **stamp.to_item(),
        }


class SummaryRow(Record):
    """An essay as listed elsewhere (related, search, section): never more than its snippet."""

    essay_id: str
    title: str
    snippet: str
    rating: int | None
    annotation_count: int

    @classmethod
    def from_item(cls, item: dict[str, Any]) -> SummaryRow:
        return cls(
            _text(item, "essayId"),
            _text(item, "title"),
            _text(item, "snippet"),
            _rating(item),
            _count(item, "annotationCount"),
        )

    def to_item(self) -> dict[str, Any]:
        return {
            "essayId": self.essay_id,
            "title": self.title,
            "snippet": self.snippet,
            "rating": self.rating,
            "annotationCount": self.annotation_count or None,  # absent means none (_count)
        }


class MemberRow(Record):
    """An essay's entry in its section (title order): what listings and sitemaps show, and what
    related ranking needs (its keywords)."""

    # What ranking a section and its related entries read of each member (the members a load keeps aside).
    RANKED: ClassVar[tuple[str, ...]] = ("essayId", "title", "snippet", "rating", "annotationCount", "keywords")

    summary: SummaryRow
    section: SectionRow
    word_count: int
    keywords: tuple[str, ...]
    updated_at: str  # the essay's sitemap lastmod (functions/pages)

    def to_item(self) -> dict[str, Any]:
        return {
            "pk": schema.section_pk(self.section.section_id),
            "sk": schema.member_sk(self.summary.title, self.summary.essay_id),
            **self.summary.to_item(),
            "wordCount": self.word_count,
            # one string, words apart (a keyword is a run of letters and digits: text.words_in), not a
            # list of ~20 values that botocore and the endpoint walk one by one
            "keywords": " ".join(self.keywords),
            **self.section.to_item(),
            "updatedAt": self.updated_at,
        }

    @staticmethod
    def keywords_of(item: dict[str, Any]) -> list[str]:
        """A member's keywords (none when the item does not say; a list in a table loaded before they
        were stored as one string)."""
        keywords = item.get("keywords") or []
        return keywords.split() if isinstance(keywords, str) else list(keywords)

    @staticmethod
    def section_id_of(item: dict[str, Any]) -> str:
        return _text(item, "sectionId")

    @staticmethod
    def sort_key_of(item: dict[str, Any]) -> str:
        """Where the member sorts in its section (its sort key), from its own values."""
        return schema.member_sk(_text(item, "title"), _text(item, "essayId"))


class ListedRow(Record):
    """A section entry read for an operator's listing (TITLED) or to find edited copies (OPENING)."""

    TITLED: ClassVar[tuple[str, ...]] = ("essayId", "title")
    OPENING: ClassVar[tuple[str, ...]] = ("essayId", "title", "snippet")

    essay_id: str
    title: str
    snippet: str  # "" when not read

    @classmethod
    def from_item(cls, item: dict[str, Any]) -> ListedRow:
        return cls(_text(item, "essayId"), _text(item, "title"), str(item.get("snippet") or ""))


class RelatedRow(Record):
    """An essay's precomputed related list, best first."""

    essay_id: str
    section: SectionRow
    related: list[SummaryRow]

    @classmethod
    def from_item(cls, item: dict[str, Any]) -> RelatedRow:
        # packed, as the loader writes it; a list of maps in a table loaded before issue 33
        entries = _unpacked(item, RELATED_ATTRIBUTE) if RELATED_ATTRIBUTE in item else item.get("related") or []
        if not isinstance(entries, list) or not all(isinstance(e, dict) for e in entries):
            raise StoredItemError(f"stored item {item.get('pk', '?')!r}: related should be a list of essays")
        return cls(_text(item, "essayId"), SectionRow.from_item(item), [SummaryRow.from_item(e) for e in entries])

    def to_item(self) -> dict[str, Any]:
        """As many of the ranked essays as fit one small read (RELATED_ITEM_BUDGET), best first,
        packed (pack_json) as one binary attribute, as the card's extracts are."""
        entries: list[dict[str, Any]] = []
        size = 300 + len(json.dumps(self.section.name))
        for row in self.related:
            entry = row.to_item()  # no annotation count when none: keeps the list inside one small read
            size += len(json.dumps(entry, ensure_ascii=False).encode("utf-8"))
            if size > RELATED_ITEM_BUDGET:
                break
            entries.append({k: v for k, v in entry.items() if v is not None})
        return {
            "pk": schema.essay_pk(self.essay_id),
            "sk": schema.RELATED,
            "essayId": self.essay_id,
            **self.section.to_item(),
            RELATED_ATTRIBUTE: pack_json(entries),
        }


class SectionPage(Record):
    """One page of a section's essays in title order, and where the next page starts (None: last page)."""

    section: SectionRow | None  # None: the section has no essays (or does not exist)
    essays: list[SummaryRow]
    next_key: str | None


def _named_section(item: dict[str, Any]) -> tuple[str, str, str, str]:
    """(id, name, level, subject) of a section as the taxonomy and the loader's marks store it."""
    return _text(item, "sectionId"), _text(item, "name"), _text(item, "level"), _text(item, "subject")


def _named_section_item(section_id: str, name: str, level: str, subject: str) -> dict[str, Any]:
    return {"sectionId": section_id, "level": level, "subject": subject, "name": name}


class TaxonomyRow(Record):
    """A section of the tree, with its essay count."""

    section_id: str
    name: str
    level: str
    subject: str
    essay_count: int
    updated_at: str | None = None  # when a load last changed the section (its sitemap lastmod)

    @classmethod
    def from_item(cls, item: dict[str, Any]) -> TaxonomyRow:
        return cls(*_named_section(item), _whole(item, "essayCount"), _optional_text(item, "updatedAt"))

    def to_item(self) -> dict[str, Any]:
        return {
            "pk": schema.TAXONOMY,
            "sk": schema.taxonomy_sk(self.section_id),
            **_named_section_item(self.section_id, self.name, self.level, self.subject),
            "essayCount": self.essay_count,
            "updatedAt": self.updated_at,
        }


class DirtyMarkRow(Record):
    """A section whose derived data a load has still to rebuild (loader side: the functions never read it)."""

    section_id: str
    name: str
    level: str
    subject: str
    marked_at: str | None = None

    @classmethod
    def from_item(cls, item: dict[str, Any]) -> DirtyMarkRow:
        return cls(*_named_section(item), _optional_text(item, "markedAt"))

    def to_item(self) -> dict[str, Any]:
        return {
            "pk": schema.LOADER,
            "sk": schema.dirty_sk(self.section_id),
            **_named_section_item(self.section_id, self.name, self.level, self.subject),
            "markedAt": self.marked_at,
        }


class SuggestRow(Record):
    """A title in a prefix's suggest list (the list: best rated first, then by essay id)."""

    essay_id: str
    title: str
    rating: int | None

    # what suggest reads of a prefix's list ("titles": its entries as a list of maps, before issue 33)
    ATTRIBUTES: ClassVar[tuple[str, ...]] = (SUGGEST_ATTRIBUTE, "titles", "complete")

    @classmethod
    def list_from_item(cls, item: dict[str, Any]) -> tuple[list[SuggestRow], bool]:
        """The entries of a prefix's suggest list item (SUGGEST#<prefix>, TOP), and whether they are all
        the titles under the prefix."""
        entries = _unpacked(item, SUGGEST_ATTRIBUTE) if SUGGEST_ATTRIBUTE in item else item.get("titles")
        complete = item.get("complete")
        if not isinstance(entries, list) or not all(isinstance(e, dict) for e in entries):
            raise StoredItemError(f"stored item {item.get('pk', '?')!r}: titles should be a list of entries")
        if not isinstance(complete, bool):
            raise StoredItemError(f"stored item {item.get('pk', '?')!r}: complete should be true or false")
        return [cls(_text(e, "essayId"), _text(e, "title"), _rating(e)) for e in entries], complete

    @staticmethod
    def list_to_item(prefix: str, rows: list[SuggestRow], complete: bool) -> dict[str, Any]:
        """The item of a prefix's suggest list, entries in the order given, as many as fit SUGGEST_BYTES
        (one read unit, eventually consistent, whatever the titles' scripts); no rating: unrated."""
        entries: list[dict[str, Any]] = []
        size = 0
        for row in rows:
            size += 40 + len(row.essay_id) + len(row.title.encode("utf-8"))
            if size > SUGGEST_BYTES:
                complete = False
                break
            entries.append({"essayId": row.essay_id, "title": row.title, "rating": row.rating})
        packed = pack_json([{k: v for k, v in e.items() if v is not None} for e in entries])
        return {
            "pk": schema.suggest_pk(prefix),
            "sk": schema.SUGGEST_TOP,
            SUGGEST_ATTRIBUTE: packed,
            "complete": complete,
        }


SUGGEST_BYTES = 7_500  # a suggest list item stays under 8 KB: one eventually consistent read unit


class SitemapRow(Record):
    """An essay as a sitemap lists it: its id and when a load last changed it (None: loaded before
    section entries carried the date)."""

    ATTRIBUTES: ClassVar[tuple[str, ...]] = ("essayId", "updatedAt")  # read from the section entries

    essay_id: str
    updated_at: str | None

    @classmethod
    def from_item(cls, item: dict[str, Any]) -> SitemapRow:
        return cls(_text(item, "essayId"), _optional_text(item, "updatedAt"))
