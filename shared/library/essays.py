"""Domain logic of the essay routes: turn the store's rows into API models.

Stores are passed in, so this module knows nothing of DynamoDB or of stored attribute names.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Protocol

from shared.errors import NotFound, StoredItemError
from shared.library.models import Breadcrumb, Contributor, EssayPreview, Extract, FullEssay, SectionRef
from shared.library.preview import PARTS

if TYPE_CHECKING:  # the store's rows, named by the Protocols the store implements (no import at run time)
    from shared.store.rows import BodyRow, CardRow, HeaderRow


class CardReader(Protocol):
    def get_card(self, essay_id: str) -> CardRow | None: ...


class BodyReader(Protocol):
    def get_body(self, essay_id: str) -> BodyRow | None: ...


def breadcrumb(header: HeaderRow) -> Breadcrumb:
    section = header.section
    return Breadcrumb(section.level, section.subject, SectionRef(section.section_id, section.name))


def contributor(header: HeaderRow) -> Contributor | None:
    return Contributor(header.contributor) if header.contributor else None


def _header_fields(header: HeaderRow) -> dict[str, Any]:
    """The EssayHeader fields both the preview and the full essay start with."""
    return {
        "essay_id": header.essay_id,
        "title": header.title,
        "breadcrumb": breadcrumb(header),
        "word_count": header.word_count,
        "rating": header.rating,
    }


def preview_from_card(card: CardRow) -> EssayPreview:
    header = card.header
    if len(card.extracts) != len(PARTS):
        raise StoredItemError(f"the card of {header.essay_id!r} has {len(card.extracts)} extracts, not {len(PARTS)}")
    return EssayPreview(
        **_header_fields(header),
        annotation_count=card.annotation_count,
        extracts=[Extract(part, extract) for part, extract in zip(PARTS, card.extracts, strict=True)],
        contributor=contributor(header),
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
        **_header_fields(body.header),
        paragraphs=body.paragraphs,
        teacher_comment=body.teacher_comment,
        annotations=body.annotations,
        updated_at=body.updated_at,
        contributor=contributor(body.header),
    )
