"""Anchoring teachers' annotations in an essay's paragraphs: where each passage is, as the full
essay serves it (paragraph, 1-based, and [start, end) character offsets in it, so that
`paragraph[start:end] == quote`: the API's `models.Annotation`, stored by shared/store/rows.py), and what is wrong with
one that cannot be anchored, in plain words. Shared by the loader (a file's annotations) and the
review function (a teacher's marks), so both anchor the same way and refuse overlaps with the same
messages. Pure logic."""

from __future__ import annotations

import unicodedata
from collections.abc import Sequence
from typing import Protocol

from shared.library.models import Annotation


class Note(Protocol):
    """An annotation before anchoring (the loader's record.Annotation, a teacher's new mark)."""

    @property
    def paragraph(self) -> int: ...
    @property
    def quote(self) -> str: ...
    @property
    def comment(self) -> str: ...
    @property
    def kind(self) -> str: ...
    @property
    def occurrence(self) -> int | None: ...
    @property
    def start(self) -> int | None: ...


def anchor(texts: list[str], notes: Sequence[Note | None]) -> tuple[list[Annotation], list[tuple[str, str]]]:
    """Each annotation anchored in its paragraph, and (field, message) for every one that cannot be:
    its paragraph or quote is not there, its quote is there more than once and it does not say
    which (`occurrence`), or it overlaps another (a page can mark a passage only once). A None
    (an annotation already found malformed) keeps its place in the numbering and is skipped."""
    result: list[Annotation] = []
    problems: list[tuple[str, str]] = []
    placed: list[tuple[int, Annotation]] = []
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
            problems.append((f"{where}.quote", f"{clip(note.quote)!r} is not in paragraph {note.paragraph}{hint}"))
            continue
        if note.start is not None:
            # the offset the full essay serves (an annotation exported from it): the quote must be there
            if note.start not in starts and text[note.start : note.start + len(note.quote)] != note.quote:
                at = ", ".join(map(str, starts))
                problems.append(
                    (
                        f"{where}.start",
                        f"{clip(note.quote)!r} is not at character {note.start} of paragraph {note.paragraph} "
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
                    f"{clip(note.quote)!r} is in paragraph {note.paragraph} {len(starts)} times ({places}); "
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
                    f"is {note.occurrence}, but {clip(note.quote)!r} is in paragraph {note.paragraph} only {times}",
                )
            )
            continue
        start = starts[(note.occurrence or 1) - 1]
        anchored_note = Annotation(note.paragraph, start, start + len(note.quote), note.quote, note.comment, note.kind)
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
                    f"{clip(note.quote)!r} overlaps annotations[{j}] ({clip(other.quote)!r}) in paragraph "
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


def clip(text: str, chars: int = 60) -> str:
    return text if len(text) <= chars else text[: chars - 1] + "…"
