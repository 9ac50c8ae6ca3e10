"""Domain logic of the public read routes: turn stored items into API models.

Stores are passed in, so this module knows nothing of DynamoDB; a stored item that does not
fit the models raises pydantic's ValidationError, which the API treats as a fault (500).
"""

from __future__ import annotations

from typing import Any, Protocol

from shared.errors import NotFound
from shared.models import Breadcrumb, EssayPreview, Extract, FullEssay, SectionRef
from shared.preview import PARTS, with_read_more


class CardReader(Protocol):
    def get_card(self, essay_id: str) -> dict[str, Any] | None: ...


class BodyReader(Protocol):
    def get_body(self, essay_id: str) -> dict[str, Any] | None: ...


def breadcrumb_of(item: dict[str, Any]) -> Breadcrumb:
    return Breadcrumb(
        level=item["level"],
        subject=item["subject"],
        section=SectionRef(id=item["sectionId"], name=item["sectionName"]),
    )


def preview_from_card(card: dict[str, Any]) -> EssayPreview:
    return EssayPreview(
        essay_id=card["essayId"],
        title=card["title"],
        breadcrumb=breadcrumb_of(card),
        word_count=card["wordCount"],
        rating=card.get("rating"),
        extracts=[
            Extract(part=part, text=with_read_more(text)) for part, text in zip(PARTS, card["extracts"], strict=True)
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
    return FullEssay(
        essay_id=body["essayId"],
        title=body["title"],
        breadcrumb=breadcrumb_of(body),
        word_count=body["wordCount"],
        rating=body.get("rating"),
        paragraphs=body["paragraphs"],
        teacher_comment=body.get("teacherComment"),
        updated_at=body["updatedAt"],
    )
