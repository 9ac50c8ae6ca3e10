"""The wire shapes of the contributors' and teachers' routes (issue 34), for the OpenAPI document and
the tests that parse responses against it. The handlers build the same shapes from the domain
(shared/library/submissions.py's to_json methods); tests/integration/test_submissions.py checks each
response against these classes (extra keys forbidden), so the two cannot drift."""

from __future__ import annotations

from shared.library.models import ApiModel


class UploadForm(ApiModel):
    upload_id: str
    url: str  # the browser posts multipart form data here: `fields`, then the file as `file`
    fields: dict[str, str]
    max_bytes: int
    expires_at: str


class SubmissionHeader(ApiModel):
    """What the contributor and the teachers both see of a submission first."""

    submission_id: str
    title: str
    level: str
    subject: str
    section: str
    section_id: str
    word_count: int
    state: str  # submitted, in_review, returned, published, rejected, withdrawn
    credit: str  # named or anonymous
    credit_name: str | None
    created_at: str
    updated_at: str


class MySubmission(SubmissionHeader):
    feedback: str | None = None  # when returned
    reason: str | None = None  # when rejected
    essay_id: str | None = None  # when published
    free_essays_earned: int | None = None  # when published


class MySubmissions(ApiModel):
    items: list[MySubmission]
    cursor: str | None


class QueuedSubmission(ApiModel):
    submission_id: str
    title: str
    level: str
    subject: str
    section: str
    word_count: int
    state: str  # submitted or in_review
    submitted_at: str
    claimed_by: str | None
    claim_expires_at: str | None


class ReviewQueue(ApiModel):
    items: list[QueuedSubmission]
    cursor: str | None


class Claim(ApiModel):
    teacher_id: str
    expires_at: str | None


class ClaimHeld(ApiModel):
    claim: Claim


class MarkedPassage(ApiModel):
    paragraph: int  # 1-based
    start: int  # [start, end) in the paragraph as served
    end: int
    quote: str
    kind: str  # strength, improvement or note
    comment: str


class MarkedPassages(ApiModel):
    annotations: list[MarkedPassage]


class HistoryEntry(ApiModel):
    at: str
    actor: str
    action: str
    detail: str


class ReviewedSubmission(SubmissionHeader):
    feedback: str | None
    reason: str | None
    paragraphs: list[str]
    annotations: list[MarkedPassage]
    rating: int | None
    teacher_comment: str | None
    claim: Claim | None
    history: list[HistoryEntry]
    essay_id: str | None = None
    free_essays_earned: int | None = None


class PublishedEssay(ApiModel):
    essay_id: str
