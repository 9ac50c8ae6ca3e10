"""Domain logic of the essay routes: turn stored items into API models.

Stores are passed in, so this module knows nothing of DynamoDB; a stored item that does not
fit the models raises StoredItemError, which the API treats as a fault (500).
"""

from __future__ import annotations

from typing import Any, Protocol

from shared.errors import NotFound
from shared.library.models import (
    Breadcrumb,
    EssayPreview,
    Extract,
    FullEssay,
    StoredItemError,
    rating,
    text,
    texts,
    whole,
)
from shared.library.preview import PARTS, with_read_more


class CardReader(Protocol):
    def get_card(self, essay_id: str) -> dict[str, Any] | None: ...


class BodyReader(Protocol):
    def get_body(self, essay_id: str) -> dict[str, Any] | None: ...


def _header(item: dict[str, Any]) -> dict[str, Any]:
    """What the preview and the full essay both show first, from a card or a body item."""
    return {
        "essay_id": text(item, "essayId"),
        "title": text(item, "title"),
        "breadcrumb": Breadcrumb.from_item(item),
        "word_count": whole(item, "wordCount"),
        "rating": rating(item),
    }


def preview_from_card(card: dict[str, Any]) -> EssayPreview:
    extracts = texts(card, "extracts")
    if len(extracts) != len(PARTS):
        raise StoredItemError(f"stored card {card.get('pk')!r} has {len(extracts)} extracts, not {len(PARTS)}")
    return EssayPreview(
        **_header(card),
        extracts=[
            Extract(part=part, text=with_read_more(extract)) for part, extract in zip(PARTS, extracts, strict=True)
        ],
    )


def essay_preview(store: CardReader, essay_id: str) -> EssayPreview:
    card = store.get_card(essay_id)
    if card is None:
        raise NotFound(f"No essay has the id '{essay_id}'.")
    return preview_from_card(card)


def full_essay(store: BodyReader, essay_id: str) -> FullEssay:
    body = store.get_body(essay_id)
    if body is None:
        raise NotFound(f"No essay has the id '{essay_id}'.")
    comment = body.get("teacherComment")
    return FullEssay(
        **_header(body),
        paragraphs=texts(body, "paragraphs"),
        teacher_comment=text(body, "teacherComment") if comment is not None else None,
        updated_at=text(body, "updatedAt"),
    )
