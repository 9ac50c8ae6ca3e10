"""The teachers' review: the queue, a submission as a teacher sees it, and each action, applied to
the stored submission on the condition that nobody changed it meanwhile. Pure logic apart from the
stores it is handed; publishing itself (the essay written as a load writes it) is the publisher's."""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import datetime
from typing import Any, Protocol

from shared.errors import Forbidden, InvalidRequest, NotFound
from shared.library.bounds import PageSize
from shared.library.contributions import ORDER, SUBMISSION_ID
from shared.library.cursor import CursorCodec
from shared.library.limits import MAX_COMMENT_CHARS, MAX_TEACHER_COMMENT_CHARS
from shared.library.submissions import MAX_FEEDBACK_CHARS, NewNote, Submission, text_field, whole_number

TEACHERS = "teachers"  # the user-pool group (template.yaml creates it)
QUEUE_LIMIT = PageSize(default=20, maximum=50)
INDEX = re.compile(r"^\d{1,2}$")
NOTE_FIELDS = ("paragraph", "start", "end", "kind", "comment")


class Submissions(Protocol):
    def get(self, submission_id: str) -> Submission | None: ...
    def text(self, submission_id: str) -> tuple[list[str], list[dict[str, Any]]]: ...
    def save(self, before: Submission, after: Submission) -> Submission: ...
    def queue(self, limit: int, after: str | None) -> tuple[list[Submission], str | None]: ...


def teacher(user_id: str, groups: frozenset[str]) -> str:
    if TEACHERS not in groups:
        raise Forbidden("the review is for teachers only (the user pool's teachers group)")
    return user_id


def submission_of(store: Submissions, submission_id: str) -> Submission:
    found = store.get(submission_id) if SUBMISSION_ID.match(submission_id) else None
    if found is None:
        raise NotFound("no such submission")
    return found


def queue(store: Submissions, cursors: CursorCodec, now: datetime, limit: int, cursor: str | None) -> dict[str, Any]:
    after = cursors.decode(cursor, "queue", lambda p: isinstance(p, str) and bool(ORDER.match(p))) if cursor else None
    page, next_after = store.queue(limit, after)
    return {
        "items": [s.to_queue_json(now) for s in page],
        "cursor": cursors.encode("queue", next_after) if next_after else None,
    }


def new_note(body: dict[str, Any], paragraphs: Sequence[str]) -> NewNote:
    """A teacher's selection: paragraph (1-based) and [start, end) in it as served; the quote is what
    lies there, so the anchoring checks it as it checks a file's annotation that gives its start."""
    paragraph = whole_number(body, "paragraph", 1, max(len(paragraphs), 1))
    text = paragraphs[paragraph - 1] if paragraph <= len(paragraphs) else ""
    start = whole_number(body, "start", 0, max(len(text) - 1, 0))
    end = whole_number(body, "end", start + 1, max(len(text), start + 1))
    comment = text_field(body, "comment", MAX_COMMENT_CHARS) or ""
    kind = body.get("kind", "note")
    if not isinstance(kind, str):
        raise InvalidRequest("kind: must be strength, improvement or note")
    quote = text[start:end]
    if not quote.strip():
        raise InvalidRequest("select some words: the passage is empty")
    return NewNote(paragraph, quote, comment, kind, start)


def annotation_index(raw: str) -> int:
    if not INDEX.match(raw):
        raise InvalidRequest("the annotation index must be a whole number from 0")
    return int(raw)


def assessment(body: dict[str, Any]) -> tuple[int, str | None]:
    rating = whole_number(body, "rating", 1, 5)
    return rating, text_field(body, "teacherComment", MAX_TEACHER_COMMENT_CHARS, required=False)


def feedback(body: dict[str, Any], name: str) -> str:
    return text_field(body, name, MAX_FEEDBACK_CHARS) or ""
