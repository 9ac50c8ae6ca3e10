"""Teachers' annotations: checking them against the essay, anchoring them, and saying what is
wrong as `annotations[i].field: ...` (i counted from 0, as in the JSON list).

The shape of one annotation is the record model's (record.Annotation); what only the essay can
tell (the paragraph exists, the quote is in it) is checked here, and anchoring finds the quote's
character offsets in the paragraph as the full essay serves it, so `paragraph[start:end] == quote`
(an anchored annotation is the API's models.Annotation, stored by shared/store/rows.AnnotationRow),
with the anchoring the review function uses too (shared/library/anchoring.py).
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

from pydantic import ValidationError

from essays_cli.loading.record import Annotation, EssayRecord
from shared.library import models
from shared.library.anchoring import anchor
from shared.library.limits import MAX_ANNOTATIONS, MAX_COMMENT_CHARS, MAX_QUOTE_CHARS
from shared.library.text import paragraphs

FIELDS = ("paragraph", "quote", "comment", "kind", "occurrence", "start")
# the whole-number fields, and where each counts from
WHOLE_NUMBERS = {
    "paragraph": "1 (the essay's first paragraph)",
    "start": "0 (where the quote starts in its paragraph)",
    "occurrence": "1 (the quote's first place in its paragraph)",
}
EXAMPLE = '[{"paragraph": 2, "quote": "exact words from paragraph 2", "comment": "...", "kind": "strength"}]'


def anchoring_problems(record: EssayRecord) -> list[tuple[str, str]]:
    """(field, message) for every annotation that does not fit the essay; empty when all do."""
    if not record.annotations:
        return []  # most essays: no need to split the body
    return anchor(paragraphs(record.body), record.annotations)[1]


def anchored(record: EssayRecord, texts: list[str] | None = None) -> list[models.Annotation]:
    """The record's annotations with their offsets in their paragraph (`texts`: the body's
    paragraphs, when already split).

    Raises ValueError for an annotation that does not fit: records are checked first, so that is a bug.
    """
    if not record.annotations:
        return []
    notes, problems = anchor(paragraphs(record.body) if texts is None else texts, record.annotations)
    if problems:
        raise ValueError("; ".join(f"{field}: {message}" for field, message in problems))
    return notes


def problems_beside(data: dict[str, Any], errors: Sequence[Any]) -> list[tuple[str, str]]:
    """For a record refused for other reasons: what anchoring would say of its well-formed
    annotations too, so that every annotation problem of a file is reported in one run."""
    body = data.get("body")
    raw = data.get("annotations")
    if isinstance(raw, str) and raw.strip():
        try:
            raw = json.loads(raw)
        except ValueError:
            return []
    if not isinstance(body, str) or not body.strip() or not isinstance(raw, list) or len(raw) > MAX_ANNOTATIONS:
        return []
    if any(tuple(e.get("loc") or ()) in (("body",), ("annotations",)) for e in errors):
        return []  # no essay text to anchor in, or no list of annotations
    notes: list[Annotation | None] = []
    for value in raw:
        try:
            notes.append(Annotation.model_validate(value))
        except ValidationError:
            notes.append(None)
    return anchor(paragraphs(body), notes)[1]


def is_annotation_error(detail: Any) -> bool:
    loc: tuple[Any, ...] = tuple(detail.get("loc") or ())
    return bool(loc) and loc[0] == "annotations"


def annotation_problem(detail: Any, data: dict[str, Any]) -> tuple[str, str]:
    """A pydantic error about the annotations field as (field, message), in plain words."""
    loc = tuple(detail.get("loc") or ("annotations",))
    kind = detail["type"]
    if len(loc) == 1:
        if kind == "too_long":
            count = (detail.get("ctx") or {}).get("actual_length", "more")
            return "annotations", f"at most {MAX_ANNOTATIONS} annotations per essay; this one has {count}"
        if kind == "value_error":
            return "annotations", str(detail["msg"]).removeprefix("Value error, ")
        return "annotations", f"must be a list of annotations, like {EXAMPLE}"
    where = f"annotations[{loc[1]}]"
    if len(loc) == 2:
        return where, "must be an object with a paragraph, a quote, a comment and optionally a kind"
    name = str(loc[2])
    field = f"{where}.{name}"
    value = detail.get("input")
    if kind == "missing":
        return field, f"this field is missing; every annotation needs a {name}"
    if kind == "extra_forbidden":
        return field, f"this is not a field of an annotation; they are {', '.join(FIELDS)}"
    if name in WHOLE_NUMBERS:
        return field, f"must be a whole number from {WHOLE_NUMBERS[name]}, not {value!r}"
    if name == "kind":
        return field, f"must be strength, improvement or note (or left out for note), not {value!r}"
    limit = MAX_COMMENT_CHARS if name == "comment" else MAX_QUOTE_CHARS
    if kind == "string_too_short":
        return field, f"is empty; write 1 to {limit:,} characters"
    if kind == "string_too_long":
        length = f"{len(value):,}" if isinstance(value, str) else "more"
        return field, f"is too long: at most {limit:,} characters, this one has {length}"
    if kind == "string_type":
        return field, f"must be text, not {type(value).__name__}"
    return field, str(detail["msg"])
