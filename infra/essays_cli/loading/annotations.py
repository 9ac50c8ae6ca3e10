"""Teachers' annotations: checking them against the essay, anchoring them, and saying what is
wrong as `annotations[i].field: ...` (i counted from 0, as in the JSON list).

The shape of one annotation is the record model's (record.Annotation); what only the essay can
tell (the paragraph exists, the quote is in it) is checked here, and anchoring finds the quote's
character offsets in the paragraph as the full essay serves it, so `paragraph[start:end] == quote`
(an anchored annotation is the stored row, shared/store/rows.AnnotationRow).
"""

from __future__ import annotations

import json
import unicodedata
from collections.abc import Sequence
from typing import Any

from pydantic import ValidationError

from essays_cli.loading.record import MAX_ANNOTATIONS, MAX_COMMENT_CHARS, MAX_QUOTE_CHARS, Annotation, EssayRecord
from shared.library.text import paragraphs
from shared.store.rows import AnnotationRow

FIELDS = ("paragraph", "quote", "comment", "kind", "occurrence", "start")
EXAMPLE = '[{"paragraph": 2, "quote": "exact words from paragraph 2", "comment": "...", "kind": "strength"}]'


def anchoring_problems(record: EssayRecord) -> list[tuple[str, str]]:
    """(field, message) for every annotation that does not fit the essay; empty when all do."""
    if not record.annotations:
        return []  # most essays: no need to split the body
    return anchor(paragraphs(record.body), record.annotations)[1]


def anchored(record: EssayRecord) -> list[AnnotationRow]:
    """The record's annotations with their offsets in their paragraph.

    Raises ValueError for an annotation that does not fit: records are checked first, so that is a bug.
    """
    if not record.annotations:
        return []
    notes, problems = anchor(paragraphs(record.body), record.annotations)
    if problems:
        raise ValueError("; ".join(f"{field}: {message}" for field, message in problems))
    return notes


def anchor(texts: list[str], notes: Sequence[Annotation | None]) -> tuple[list[AnnotationRow], list[tuple[str, str]]]:
    """Each annotation anchored in its paragraph, and (field, message) for every one that cannot be:
    its paragraph or quote is not there, its quote is there more than once and it does not say
    which (`occurrence`), or it overlaps another (a page can mark a passage only once). A None
    (an annotation already found malformed) keeps its place in the numbering and is skipped."""
    result: list[AnnotationRow] = []
    problems: list[tuple[str, str]] = []
    placed: list[tuple[int, AnnotationRow]] = []
    for i, note in enumerate(notes):
        if note is None:
            continue
        where = f"annotations[{i}]"
        if note.paragraph > len(texts):
            problems.append(
                (
                    f"{where}.paragraph",
                    f"there is no paragraph {note.paragraph}: this essay has {len(texts)} (the first is 1)",
                )
            )
            continue
        text = texts[note.paragraph - 1]
        starts = occurrences(text, note.quote)
        if not starts:
            elsewhere = [n for n, other in enumerate(texts, start=1) if note.quote in other]
            hint = (
                f"; it is in paragraph {elsewhere[0]}"
                if elsewhere
                else "; copy it exactly from the essay (case and punctuation count)"
            )
            problems.append((f"{where}.quote", f"{_clip(note.quote)!r} is not in paragraph {note.paragraph}{hint}"))
            continue
        if note.start is not None:
            # the offset the full essay serves (an annotation exported from it): the quote must be there
            if note.start not in starts and text[note.start : note.start + len(note.quote)] != note.quote:
                at = ", ".join(map(str, starts))
                problems.append(
                    (
                        f"{where}.start",
                        f"{_clip(note.quote)!r} is not at character {note.start} of paragraph {note.paragraph} "
                        f"(it is at {at}, counted from 0)",
                    )
                )
                continue
            starts = [note.start]
        if note.occurrence is None and len(starts) > 1:
            places = "; ".join(f"{n}: …{_context(text, start, len(note.quote))}…" for n, start in enumerate(starts, 1))
            problems.append(
                (
                    f"{where}.quote",
                    f"{_clip(note.quote)!r} is in paragraph {note.paragraph} {len(starts)} times ({places}); "
                    f'say which with "occurrence": 1 to {len(starts)} (or "start", its character offset), '
                    "or quote more words",
                )
            )
            continue
        if note.occurrence is not None and note.occurrence > len(starts):
            times = "once" if len(starts) == 1 else f"{len(starts)} times"
            problems.append(
                (
                    f"{where}.occurrence",
                    f"is {note.occurrence}, but {_clip(note.quote)!r} is in paragraph {note.paragraph} only {times}",
                )
            )
            continue
        start = starts[(note.occurrence or 1) - 1]
        anchored_note = AnnotationRow(
            note.paragraph, start, start + len(note.quote), note.quote, note.comment, note.kind
        )
        clash = next(
            (
                (j, other)
                for j, other in placed
                if other.paragraph == anchored_note.paragraph
                and other.start < anchored_note.end
                and anchored_note.start < other.end
            ),
            None,
        )
        if clash is not None:
            j, other = clash
            problems.append(
                (
                    f"{where}.quote",
                    f"{_clip(note.quote)!r} overlaps annotations[{j}] ({_clip(other.quote)!r}) in paragraph "
                    f"{note.paragraph}: a passage can carry one note; merge the two, or quote passages that do not "
                    "overlap",
                )
            )
            continue
        placed.append((i, anchored_note))
        result.append(anchored_note)
    return result, problems


def occurrences(text: str, quote: str) -> list[int]:
    """Where the quote starts in the paragraph: each place where it stands as whole words (not
    "war" inside "warfare"); in text without spaces between words (Chinese...), every place."""
    found = []
    start = text.find(quote)
    while start >= 0:
        found.append(start)
        start = text.find(quote, start + 1)
    whole = [s for s in found if _whole_words(text, s, s + len(quote))]
    return whole or found


def _whole_words(text: str, start: int, end: int) -> bool:
    before = text[start - 1] if start > 0 else " "
    after = text[end] if end < len(text) else " "
    return not (_wordy(before) and _wordy(text[start])) and not (_wordy(after) and _wordy(text[end - 1]))


def _wordy(ch: str) -> bool:
    # letters, digits and the marks that belong to them (Devanagari vowel signs are marks, not letters)
    return ch.isalnum() or unicodedata.category(ch).startswith("M")


def _context(text: str, start: int, length: int, words: int = 3, chars: int = 25) -> str:
    """The quote with a few words either side, to tell its places apart."""
    before = " ".join(text[:start].split()[-words:])[-chars:]
    after = " ".join(text[start + length :].split()[:words])[:chars]
    space_before = " " if before and text[start - 1].isspace() else ""
    space_after = " " if after and text[start + length].isspace() else ""
    return f"{before}{space_before}{text[start : start + length]}{space_after}{after}"


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
    if name == "paragraph":
        return field, f"must be a whole number from 1 (the essay's first paragraph), not {value!r}"
    if name == "start":
        return field, f"must be a whole number from 0 (where the quote starts in its paragraph), not {value!r}"
    if name == "occurrence":
        return field, f"must be a whole number from 1 (the quote's first place in its paragraph), not {value!r}"
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
