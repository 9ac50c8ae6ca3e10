"""Teachers' annotations: checking them against the essay, anchoring them, and saying what is
wrong as `annotations[i].field: ...` (i counted from 0, as in the JSON list).

The shape of one annotation is the record model's (record.Annotation); what only the essay can
tell (the paragraph exists, the quote is in it) is checked here, and anchoring finds the quote's
character offsets in the paragraph as the full essay serves it, so `paragraph[start:end] == quote`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from essays_cli.loading.record import MAX_ANNOTATIONS, MAX_COMMENT_CHARS, MAX_QUOTE_CHARS, EssayRecord
from shared.library.text import paragraphs

FIELDS = ("paragraph", "quote", "comment", "kind")
EXAMPLE = '[{"paragraph": 2, "quote": "exact words from paragraph 2", "comment": "...", "kind": "strength"}]'


@dataclass(frozen=True)
class Anchored:
    """An annotation as stored and served: paragraph (1-based) and [start, end) offsets in its text."""

    paragraph: int
    start: int
    end: int
    quote: str
    comment: str
    kind: str

    def values(self) -> dict[str, Any]:
        return {
            "paragraph": self.paragraph,
            "start": self.start,
            "end": self.end,
            "quote": self.quote,
            "comment": self.comment,
            "kind": self.kind,
        }


def anchoring_problems(record: EssayRecord) -> list[tuple[str, str]]:
    """(field, message) for every annotation that does not fit the essay; empty when all do."""
    if not record.annotations:
        return []  # most essays: no need to split the body
    texts = paragraphs(record.body)
    problems = []
    for i, note in enumerate(record.annotations):
        if note.paragraph > len(texts):
            problems.append(
                (
                    f"annotations[{i}].paragraph",
                    f"there is no paragraph {note.paragraph}: this essay has {len(texts)} (the first is 1)",
                )
            )
        elif note.quote not in texts[note.paragraph - 1]:
            elsewhere = [n for n, text in enumerate(texts, start=1) if note.quote in text]
            hint = (
                f"; it is in paragraph {elsewhere[0]}"
                if elsewhere
                else "; copy it exactly from the essay (case and punctuation count)"
            )
            problems.append(
                (f"annotations[{i}].quote", f"{_clip(note.quote)!r} is not in paragraph {note.paragraph}{hint}")
            )
    return problems


def anchored(record: EssayRecord) -> list[Anchored]:
    """The record's annotations with their offsets (first occurrence of the quote in its paragraph).

    Raises ValueError for an annotation that does not fit: records are checked first, so that is a bug.
    """
    if not record.annotations:
        return []
    texts = paragraphs(record.body)
    result = []
    for note in record.annotations:
        text = texts[note.paragraph - 1] if note.paragraph <= len(texts) else ""
        start = text.find(note.quote)
        if start < 0:
            raise ValueError(f"annotation quote {_clip(note.quote)!r} is not in paragraph {note.paragraph}")
        result.append(Anchored(note.paragraph, start, start + len(note.quote), note.quote, note.comment, note.kind))
    return result


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
    if name == "paragraph":
        return field, f"must be a whole number from 1 (the essay's first paragraph), not {value!r}"
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


def _clip(text: str, chars: int = 60) -> str:
    return text if len(text) <= chars else text[: chars - 1] + "…"
