"""What the API returns: plain dataclasses, camelCase on the wire.

The functions import no validation library (pydantic costs ~90 ms of cold start, measured by
`make bench`): items read back from DynamoDB are checked by the store's rows (shared/store/rows.py).
The OpenAPI document is generated from these same classes (pydantic reads `__pydantic_config__`).

A model is built once per request and serialised at once, so it is a bare dataclass: no generated
`__eq__`, `__repr__` or frozen `__setattr__`, each of which dataclasses compiles at import (so the
classes here cost a third as much at a cold start, measured).
"""

from __future__ import annotations

import functools
from dataclasses import dataclass, fields, is_dataclass
from typing import Any


def camel(name: str) -> str:
    head, *rest = name.split("_")
    return head + "".join(part.title() for part in rest)


@functools.cache
def _wire_names(cls: type) -> tuple[tuple[str, str], ...]:
    return tuple((f.name, camel(f.name)) for f in fields(cls))


def _fields_json(value: Any) -> dict[str, Any]:
    return {wire: to_json(getattr(value, name)) for name, wire in _wire_names(value.__class__)}


def to_json(value: Any) -> Any:
    if isinstance(value, ApiModel) and type(value).to_json is not ApiModel.to_json:
        return value.to_json()  # a model that shapes itself (Access drops what does not apply)
    if is_dataclass(value) and not isinstance(value, type):
        return _fields_json(value)
    if isinstance(value, list | tuple):
        return [to_json(v) for v in value]
    return value


# Read by pydantic only when the OpenAPI document or a test parses a response: camelCase keys, no extras.
API_CONFIG = {"alias_generator": camel, "extra": "forbid"}


@dataclass(eq=False, repr=False)
class ApiModel:
    __pydantic_config__ = API_CONFIG

    def to_json(self) -> dict[str, Any]:
        return to_json(self)  # type: ignore[no-any-return]


@dataclass(eq=False, repr=False)
class SectionRef(ApiModel):
    id: str
    name: str


@dataclass(eq=False, repr=False)
class Breadcrumb(ApiModel):
    level: str
    subject: str
    section: SectionRef


@dataclass(eq=False, repr=False)
class Extract(ApiModel):
    part: str
    text: str
    read_more: bool = True


@dataclass(eq=False, repr=False)
class Contributor(ApiModel):
    """Who contributed a published submission, when they chose to be named: only the name they gave."""

    name: str


def _credited(model: EssayPreview | FullEssay) -> dict[str, Any]:
    # `contributor` is absent, not null, for an anonymous contribution and the library's own essays
    values = _fields_json(model)
    if model.contributor is None:
        del values["contributor"]
    return values


@dataclass(eq=False, repr=False)
class EssayHeader(ApiModel):
    """What the preview and the full essay both show first."""

    essay_id: str
    title: str
    breadcrumb: Breadcrumb
    word_count: int
    rating: int | None


@dataclass(eq=False, repr=False)
class EssayPreview(EssayHeader):
    annotation_count: int  # how many teachers' annotations subscribers see (never the annotations)
    extracts: list[Extract]
    formatted: bool = False
    note: str = "This preview is unformatted text; subscribers read the full, formatted essay."
    contributor: Contributor | None = None

    def to_json(self) -> dict[str, Any]:
        return _credited(self)


@dataclass(eq=False, repr=False)
class Annotation(ApiModel):
    """A teacher's note on a passage: paragraphs[paragraph - 1][start:end] == quote."""

    paragraph: int  # 1-based
    start: int  # character offsets within that paragraph's text
    end: int
    quote: str
    comment: str
    kind: str  # strength, improvement or note


@dataclass(eq=False, repr=False)
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


@dataclass(eq=False, repr=False)
class Access(ApiModel):
    """{"kind": "subscription"} or {"kind": "metered", "used": N, "limit": L, "resetsAt": "..."}."""

    kind: str
    used: int | None = None
    limit: int | None = None
    resets_at: str | None = None  # the first instant of next month, UTC

    def to_json(self) -> dict[str, Any]:
        pairs = ((wire, getattr(self, name)) for name, wire in _wire_names(Access))
        return {wire: value for wire, value in pairs if value is not None}


@dataclass(eq=False, repr=False)
class EssaySummary(ApiModel):
    """An essay as listed elsewhere (related, search, section): never more than its snippet."""

    essay_id: str
    title: str
    snippet: str
    rating: int | None
    annotation_count: int


@dataclass(eq=False, repr=False)
class SectionInfo(ApiModel):
    id: str
    name: str
    level: str
    subject: str


@dataclass(eq=False, repr=False)
class RelatedEssays(ApiModel):
    essay_id: str
    section: SectionInfo
    related: list[EssaySummary]


@dataclass(eq=False, repr=False)
class SearchHit(EssaySummary):
    breadcrumb: Breadcrumb
    matched_words: int


@dataclass(eq=False, repr=False)
class SearchResults(ApiModel):
    query: str
    words: list[str]
    results: list[SearchHit]
    next_cursor: str | None


@dataclass(eq=False, repr=False)
class Suggestion(ApiModel):
    essay_id: str
    title: str
    rating: int | None


@dataclass(eq=False, repr=False)
class Suggestions(ApiModel):
    query: str
    suggestions: list[Suggestion]


@dataclass(eq=False, repr=False)
class SectionEssays(ApiModel):
    section: SectionInfo
    essays: list[EssaySummary]
    next_cursor: str | None


@dataclass(eq=False, repr=False)
class SectionNode(ApiModel):
    id: str
    name: str
    essay_count: int


@dataclass(eq=False, repr=False)
class SubjectNode(ApiModel):
    name: str
    essay_count: int
    sections: list[SectionNode]


@dataclass(eq=False, repr=False)
class LevelNode(ApiModel):
    name: str
    essay_count: int
    subjects: list[SubjectNode]


@dataclass(eq=False, repr=False)
class SectionTree(ApiModel):
    levels: list[LevelNode]
    essay_count: int
