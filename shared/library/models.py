"""What the API returns: records (shared/records.py), camelCase on the wire.

The functions import no validation library (pydantic costs ~90 ms of cold start, measured by
`make bench`): items read back from DynamoDB are checked by the store's rows (shared/store/rows.py).
The OpenAPI document is generated from these same classes: pydantic reads them as dataclasses, which
the generator and the tests make of them (infra/essays_cli/openapi.py's `readable`), and reads
`__pydantic_config__`.

A model is built once per request and serialised at once, so it is a Record, not a dataclass: no code
compiled for it at import (dataclasses compiled an `__init__` for each of these classes at every cold
start, ~0.3 ms a class, measured).
"""

from __future__ import annotations

from typing import Any, ClassVar

from shared.records import Record


def camel(name: str) -> str:
    head, *rest = name.split("_")
    return head + "".join(part.title() for part in rest)


def _fields_json(value: ApiModel) -> dict[str, Any]:
    return {wire: to_json(getattr(value, name)) for name, wire in value._wire_names}


def to_json(value: Any) -> Any:
    if isinstance(value, ApiModel):
        return value.to_json()  # its fields, or what a model that shapes itself makes (Access)
    if isinstance(value, list | tuple):
        return [to_json(v) for v in value]
    return value


# Read by pydantic only when the OpenAPI document or a test parses a response: camelCase keys, no extras.
API_CONFIG = {"alias_generator": camel, "extra": "forbid"}


class ApiModel(Record):
    __pydantic_config__ = API_CONFIG
    _wire_names: ClassVar[tuple[tuple[str, str], ...]] = ()  # (field, its camelCase key on the wire)

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        cls._wire_names = tuple((name, camel(name)) for name in cls._fields)

    def to_json(self) -> dict[str, Any]:
        return _fields_json(self)


class SectionRef(ApiModel):
    id: str
    name: str


class Breadcrumb(ApiModel):
    level: str
    subject: str
    section: SectionRef


class Extract(ApiModel):
    part: str
    text: str
    read_more: bool = True


class Contributor(ApiModel):
    """Who contributed a published submission, when they chose to be named: only the name they gave."""

    name: str


def _credited(model: EssayPreview | FullEssay) -> dict[str, Any]:
    # `contributor` is absent, not null, for an anonymous contribution and the library's own essays
    values = _fields_json(model)
    if model.contributor is None:
        del values["contributor"]
    return values


class EssayHeader(ApiModel):
    """What the preview and the full essay both show first."""

    essay_id: str
    title: str
    breadcrumb: Breadcrumb
    word_count: int
    rating: int | None


class EssayPreview(EssayHeader):
    annotation_count: int  # how many teachers' annotations subscribers see (never the annotations)
    extracts: list[Extract]
    formatted: bool = False
    note: str = "This preview is unformatted text; subscribers read the full, formatted essay."
    contributor: Contributor | None = None

    def to_json(self) -> dict[str, Any]:
        return _credited(self)


class Annotation(ApiModel):
    """A teacher's note on a passage: paragraphs[paragraph - 1][start:end] == quote."""

    paragraph: int  # 1-based
    start: int  # character offsets within that paragraph's text
    end: int
    quote: str
    comment: str
    kind: str  # strength, improvement or note


class FullEssay(EssayHeader):
    paragraphs: list[str]
    teacher_comment: str | None
    annotations: list[Annotation]
    updated_at: str
    formatted: bool = True
    access: Access | None = None  # how the reader may read it: their subscription, or the meter
    contributor: Contributor | None = None

    def to_json(self) -> dict[str, Any]:
        return _credited(self)


class Access(ApiModel):
    """{"kind": "subscription"} or {"kind": "metered", "used": N, "limit": L, "resetsAt": "..."}."""

    kind: str
    used: int | None = None
    limit: int | None = None
    resets_at: str | None = None  # the first instant of next month, UTC

    def to_json(self) -> dict[str, Any]:
        pairs = ((wire, getattr(self, name)) for name, wire in self._wire_names)
        return {wire: value for wire, value in pairs if value is not None}


class EssaySummary(ApiModel):
    """An essay as listed elsewhere (related, search, section): never more than its snippet."""

    essay_id: str
    title: str
    snippet: str
    rating: int | None
    annotation_count: int


class SectionInfo(ApiModel):
    id: str
    name: str
    level: str
    subject: str


class RelatedEssays(ApiModel):
    essay_id: str
    section: SectionInfo
    related: list[EssaySummary]


class SearchHit(EssaySummary):
    breadcrumb: Breadcrumb
    matched_words: int


class SearchResults(ApiModel):
    query: str
    words: list[str]
    results: list[SearchHit]
    next_cursor: str | None


class Suggestion(ApiModel):
    essay_id: str
    title: str
    rating: int | None


class Suggestions(ApiModel):
    query: str
    suggestions: list[Suggestion]


class SectionEssays(ApiModel):
    section: SectionInfo
    essays: list[EssaySummary]
    next_cursor: str | None


class SectionNode(ApiModel):
    id: str
    name: str
    essay_count: int


class SubjectNode(ApiModel):
    name: str
    essay_count: int
    sections: list[SectionNode]


class LevelNode(ApiModel):
    name: str
    essay_count: int
    subjects: list[SubjectNode]


class SectionTree(ApiModel):
    levels: list[LevelNode]
    essay_count: int
