"""The items an essay is stored as, built from a validated record (used by the loader).

Kept beside schema.py so the functions that read items and the loader that writes them
cannot disagree on their shape.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

from essays_cli.loading.annotations import anchored
from essays_cli.loading.previews import Preview
from essays_cli.loading.record import EssayRecord
from shared.library.suggest import prefixes
from shared.library.text import paragraphs, unique_terms
from shared.store import rows, schema

RELATED_ITEM_BUDGET = 3_900  # bytes: one eventually consistent read (0.5 RCU) serves a related list
MAX_ITEM_BYTES = 400 * 1024  # DynamoDB's limit for one item
ITEM_MARGIN = 6 * 1024  # what the card may hold beyond its extracts (keywords, snippet, hashes, dates)


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
    item is the largest; the card holds less than a third of the same text plus a few KB."""
    size = item_size(body_values(record, "0" * 32, "2000-01-01T00:00:00Z", "2000-01-01T00:00:00Z"))
    if size + ITEM_MARGIN <= MAX_ITEM_BYTES:
        return None
    return (
        f"is too large to store: it takes {size / 1024:,.0f} KB in UTF-8, and an essay may take at most "
        f"{(MAX_ITEM_BYTES - ITEM_MARGIN) / 1024:,.0f} KB (about 390,000 English letters, or 130,000 Chinese "
        "characters, which take 3 bytes each); split it in two"
    )


def card_values(
    record: EssayRecord,
    preview: Preview,
    keywords: list[str],
    content_hash: str,
    created_at: str,
    updated_at: str,
    extracts: bytes | None = None,
) -> dict[str, Any]:
    """`extracts`: the preview's extracts already encoded (by a worker process), else encoded here."""
    essay_id, section_id = record.essay_id, record.section_id
    return {
        "pk": schema.essay_pk(essay_id),
        "sk": schema.CARD,
        "essayId": essay_id,
        "title": record.title,
        "level": record.level,
        "subject": record.subject,
        "sectionId": section_id,
        "sectionName": record.section,
        "wordCount": record.word_count,
        "rating": record.rating,
        rows.EXTRACTS_ATTRIBUTE: rows.encode_extracts(preview.extracts) if extracts is None else extracts,
        "snippet": preview.snippet,
        "annotationCount": len(record.annotations),
        "keywords": keywords,
        "contentHash": content_hash,
        "createdAt": created_at,
        "updatedAt": updated_at,
    }


def body_values(record: EssayRecord, content_hash: str, created_at: str, updated_at: str) -> dict[str, Any]:
    """The paywalled item: the formatted essay with a copy of the header, so one read serves it."""
    return {
        "pk": schema.body_pk(record.essay_id),
        "sk": schema.BODY,
        "essayId": record.essay_id,
        "title": record.title,
        "level": record.level,
        "subject": record.subject,
        "sectionId": record.section_id,
        "sectionName": record.section,
        "wordCount": record.word_count,
        "rating": record.rating,
        "paragraphs": paragraphs(record.body),
        "teacherComment": record.teacher_comment,
        "annotations": [a.values() for a in anchored(record)],  # paywalled: only ever on this item
        "contentHash": content_hash,
        "createdAt": created_at,
        "updatedAt": updated_at,
    }


def member_values(card: dict[str, Any]) -> dict[str, Any]:
    """The essay's entry in its section: what listings show and what related ranking needs."""
    return {
        "pk": schema.section_pk(card["sectionId"]),
        "sk": schema.member_sk(card["title"], card["essayId"]),
        **{
            k: card[k]
            for k in (
                "essayId",
                "title",
                "rating",
                "snippet",
                "annotationCount",
                "wordCount",
                "keywords",
                "sectionId",
                "sectionName",
                "level",
                "subject",
                "updatedAt",  # the essay's sitemap lastmod (functions/pages)
            )
        },
    }


def posting_keys(essay_id: str, title: str, rating: int | None) -> set[tuple[str, str]]:
    """(pk, sk) of the search postings of an essay: one per distinct title term."""
    return {(schema.term_pk(t), schema.posting_sk(essay_id, rating)) for t in unique_terms(title)}


def suggest_keys(essay_id: str, title: str, rating: int | None) -> set[tuple[str, str]]:
    """(pk, sk) of an essay's suggest entries: one per prefix of its title's words."""
    return {(schema.suggest_pk(p), schema.posting_sk(essay_id, rating)) for p in prefixes(title)}


def suggest_values(pk: str, sk: str, title: str) -> dict[str, Any]:
    """A suggest entry: the key says prefix, rating and essay; the title is what the reader sees."""
    return {"pk": pk, "sk": sk, "title": title}


def related_values(card: dict[str, Any], related_cards: Sequence[dict[str, Any]]) -> dict[str, Any]:
    """The related list of one essay, as many of the ranked entries as fit one small read."""
    entries: list[dict[str, Any]] = []
    size = 300 + len(json.dumps(card["sectionName"]))
    for other in related_cards:
        entry = {k: other.get(k) for k in ("essayId", "title", "snippet", "rating", "annotationCount")}
        if not entry["annotationCount"]:
            entry["annotationCount"] = None  # absent means none: keeps the list inside one small read
        size += len(json.dumps(entry, ensure_ascii=False).encode("utf-8"))
        if size > RELATED_ITEM_BUDGET:
            break
        entries.append({k: v for k, v in entry.items() if v is not None})
    return {
        "pk": schema.essay_pk(card["essayId"]),
        "sk": schema.RELATED,
        "essayId": card["essayId"],
        "sectionId": card["sectionId"],
        "sectionName": card["sectionName"],
        "level": card["level"],
        "subject": card["subject"],
        "related": entries,
    }


def taxonomy_values(
    section_id: str, level: str, subject: str, name: str, essay_count: int, updated_at: str
) -> dict[str, Any]:
    return {
        "pk": schema.TAXONOMY,
        "sk": schema.taxonomy_sk(section_id),
        "sectionId": section_id,
        "level": level,
        "subject": subject,
        "name": name,
        "essayCount": essay_count,
        "updatedAt": updated_at,
    }
