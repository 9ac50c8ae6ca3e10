"""Contributors' submissions and their review: the state machine, pure (no AWS, no clock).

    submitted --claim--> in_review --publish--> published
        |                  |   |----return---> returned
        |                  |   '----reject---> rejected
        '------------------'--withdraw (the contributor)--> withdrawn

A claim is one teacher's for `claim_seconds` (a template parameter): while it holds, only that
teacher may annotate, assess, publish, return or reject; once it lapses any teacher may claim the
submission (an in-review submission whose claim lapsed is back in the queue as submitted). Every
change appends to the history (who, when, what), which every teacher sees. Each change is written
by the store on the condition that the item is still the version it was read at, so two teachers
(or a teacher and the withdrawing contributor) racing cannot both win.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from shared.errors import Conflict, InvalidRequest
from shared.library.anchoring import anchor
from shared.library.limits import EMPTY, too_long
from shared.library.models import Annotation

SUBMITTED, IN_REVIEW, RETURNED, PUBLISHED, REJECTED, WITHDRAWN = (
    "submitted",
    "in_review",
    "returned",
    "published",
    "rejected",
    "withdrawn",
)
QUEUED = (SUBMITTED, IN_REVIEW)  # what the review queue shows
WITHDRAWABLE = (SUBMITTED, IN_REVIEW, RETURNED)
NAMED, ANONYMOUS = "named", "anonymous"
KINDS = ("strength", "improvement", "note")
MAX_FEEDBACK_CHARS = 2_000


def iso(moment: datetime) -> str:
    return moment.isoformat(timespec="seconds").replace("+00:00", "Z")


@dataclass(frozen=True)
class Event:
    at: str
    actor: str
    action: str
    detail: str = ""

    def to_json(self) -> dict[str, str]:
        return {"at": self.at, "actor": self.actor, "action": self.action, "detail": self.detail}


@dataclass(frozen=True)
class NewNote:
    """What a teacher marks, as the anchoring of the loader reads an annotation: a quote in a
    paragraph, at `start` (the offset the page serves)."""

    paragraph: int
    quote: str
    comment: str
    kind: str
    start: int | None
    occurrence: int | None = None


@dataclass(frozen=True)
class Submission:
    submission_id: str
    contributor_id: str
    title: str
    level: str
    subject: str
    section: str
    section_id: str
    word_count: int
    state: str
    credit: str
    credit_name: str | None
    created_at: str
    updated_at: str
    version: int = 1
    feedback: str | None = None
    reason: str | None = None
    essay_id: str | None = None
    free_essays_earned: int | None = None
    annotations: tuple[Annotation, ...] = ()
    rating: int | None = None
    teacher_comment: str | None = None
    claimed_by: str | None = None
    claim_expires_at: str | None = None
    history: tuple[Event, ...] = field(default_factory=tuple)

    # ---- what each reader of it sees ----------------------------------------------------------

    def to_json(self) -> dict[str, Any]:
        """As its contributor sees it (never the teachers' ids)."""
        values: dict[str, Any] = {
            "submissionId": self.submission_id,
            "title": self.title,
            "level": self.level,
            "subject": self.subject,
            "section": self.section,
            "sectionId": self.section_id,
            "wordCount": self.word_count,
            "state": self.state,
            "credit": self.credit,
            "creditName": self.credit_name,
            "createdAt": self.created_at,
            "updatedAt": self.updated_at,
        }
        if self.state == RETURNED:
            values["feedback"] = self.feedback
        if self.state == REJECTED:
            values["reason"] = self.reason
        if self.state == PUBLISHED:
            values["essayId"] = self.essay_id
            values["freeEssaysEarned"] = self.free_essays_earned
        return values

    def claim_at(self, now: datetime) -> tuple[str, str] | None:
        """(teacher, expiry) of a claim still holding at `now`."""
        if self.state != IN_REVIEW or not self.claimed_by or not self.claim_expires_at:
            return None
        return (self.claimed_by, self.claim_expires_at) if self.claim_expires_at > iso(now) else None

    def queue_state(self, now: datetime) -> str:
        return IN_REVIEW if self.claim_at(now) else SUBMITTED

    def to_queue_json(self, now: datetime) -> dict[str, Any]:
        claim = self.claim_at(now)
        return {
            "submissionId": self.submission_id,
            "title": self.title,
            "level": self.level,
            "subject": self.subject,
            "section": self.section,
            "wordCount": self.word_count,
            "state": self.queue_state(now) if self.state in QUEUED else self.state,
            "submittedAt": self.created_at,
            "claimedBy": claim[0] if claim else None,
            "claimExpiresAt": claim[1] if claim else None,
        }

    def to_review_json(self, now: datetime, paragraphs: Sequence[str]) -> dict[str, Any]:
        claim = self.claim_at(now)
        values = self.to_json()
        if self.state in QUEUED:
            values["state"] = self.queue_state(now)
        values.update(
            feedback=self.feedback,
            reason=self.reason,
            paragraphs=list(paragraphs),
            annotations=[a.to_json() for a in self.annotations],
            rating=self.rating,
            teacherComment=self.teacher_comment,
            claim={"teacherId": claim[0], "expiresAt": claim[1]} if claim else None,
            history=[e.to_json() for e in self.history],
        )
        return values

    # ---- changes -------------------------------------------------------------------------------

    def _changed(self, actor: str, now: datetime, action: str, detail: str = "", **changes: Any) -> Submission:
        at = iso(now)
        event = Event(at, actor, action, detail)
        return dataclasses.replace(self, **changes, updated_at=at, history=(*self.history, event))

    def withdraw(self, contributor: str, now: datetime) -> Submission:
        if self.state not in WITHDRAWABLE:
            raise Conflict(f"this submission is {self.state.replace('_', ' ')}: it can no longer be withdrawn")
        return self._changed(contributor, now, "withdrawn", state=WITHDRAWN, claimed_by=None, claim_expires_at=None)

    def claim(self, teacher: str, now: datetime, claim_seconds: int) -> Submission:
        if self.state not in QUEUED:
            raise Conflict(f"this submission is {self.state.replace('_', ' ')}: there is nothing to review")
        holder = self.claim_at(now)
        if holder and holder[0] != teacher:
            raise Conflict(f"another teacher is reviewing this submission until {holder[1]}")
        expires = iso(now + timedelta(seconds=claim_seconds))
        action = "claim renewed" if holder else "claimed"
        return self._changed(
            teacher, now, action, f"until {expires}", state=IN_REVIEW, claimed_by=teacher, claim_expires_at=expires
        )

    def _held_by(self, teacher: str, now: datetime) -> None:
        holder = self.claim_at(now)
        if holder is None or holder[0] != teacher:
            if self.state not in QUEUED:
                raise Conflict(f"this submission is {self.state.replace('_', ' ')}: there is nothing to review")
            raise Conflict("claim this submission first: only the teacher holding its claim may change it")

    def annotate(self, teacher: str, now: datetime, paragraphs: Sequence[str], note: NewNote) -> Submission:
        """A passage marked, anchored and checked exactly as the loader checks a file's annotations
        (the same messages), against those already on it: an overlap is refused."""
        self._held_by(teacher, now)
        if note.kind not in KINDS:
            raise InvalidRequest(f"kind must be strength, improvement or note, not {note.kind!r}")
        existing = [NewNote(a.paragraph, a.quote, a.comment, a.kind, a.start) for a in self.annotations]
        placed, problems = anchor(list(paragraphs), [*existing, note])
        if problems:
            where, message = problems[-1]
            raise InvalidRequest(f"{where.split('.', 1)[-1] if '.' in where else where}: {message}")
        ordered = tuple(sorted(placed, key=lambda a: (a.paragraph, a.start)))
        detail = f"paragraph {note.paragraph} [{note.start}, {(note.start or 0) + len(note.quote)}): {note.kind}"
        return self._changed(teacher, now, "annotated", detail, annotations=ordered)

    def remove_annotation(self, teacher: str, now: datetime, index: int) -> Submission:
        self._held_by(teacher, now)
        if not 0 <= index < len(self.annotations):
            raise InvalidRequest(f"there is no annotation {index}: this submission has {len(self.annotations)}")
        gone = self.annotations[index]
        kept = self.annotations[:index] + self.annotations[index + 1 :]
        detail = f"paragraph {gone.paragraph} [{gone.start}, {gone.end})"
        return self._changed(teacher, now, "annotation removed", detail, annotations=kept)

    def assess(self, teacher: str, now: datetime, rating: int, comment: str | None) -> Submission:
        self._held_by(teacher, now)
        return self._changed(teacher, now, "assessed", f"{rating} stars", rating=rating, teacher_comment=comment)

    def publish(self, teacher: str, now: datetime, essay_id: str, free_essays: int) -> Submission:
        self._held_by(teacher, now)
        if self.rating is None:
            raise InvalidRequest("rate the essay (PUT .../assessment) before publishing it")
        return self._changed(
            teacher,
            now,
            "published",
            essay_id,
            state=PUBLISHED,
            essay_id=essay_id,
            free_essays_earned=free_essays,
            claimed_by=None,
            claim_expires_at=None,
        )

    def send_back(self, teacher: str, now: datetime, feedback: str) -> Submission:
        self._held_by(teacher, now)
        unclaimed = {"claimed_by": None, "claim_expires_at": None}
        return self._changed(teacher, now, "returned", feedback, state=RETURNED, feedback=feedback, **unclaimed)

    def reject(self, teacher: str, now: datetime, reason: str) -> Submission:
        self._held_by(teacher, now)
        return self._changed(
            teacher, now, "rejected", reason, state=REJECTED, reason=reason, claimed_by=None, claim_expires_at=None
        )


def text_field(body: dict[str, Any], name: str, limit: int, *, required: bool = True) -> str | None:
    """A free-text field of a request: stripped, within `limit` characters, said as the loader says it."""
    value = body.get(name)
    if value is None or (isinstance(value, str) and not value.strip()):
        if required:
            raise InvalidRequest(f"{name}: {EMPTY}")
        return None
    if not isinstance(value, str):
        raise InvalidRequest(f"{name}: must be text, not {type(value).__name__}")
    value = value.strip()
    if len(value) > limit:
        raise InvalidRequest(f"{name}: {too_long(limit, len(value))}")
    return value


def whole_number(body: dict[str, Any], name: str, low: int, high: int) -> int:
    value = body.get(name)
    if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
        raise InvalidRequest(f"{name}: must be a whole number from {low} to {high}")
    return value
