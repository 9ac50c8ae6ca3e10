"""A contributor's new submission, checked as the loader checks a record (the same limits and
words, shared/library/limits.py), and their own list of submissions. Pure logic apart from the
stores it is handed."""

from __future__ import annotations

import re
import secrets
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Protocol

from shared.errors import InvalidRequest, NotFound
from shared.library.cursor import CursorCodec
from shared.library.limits import (
    MAX_BODY_BYTES,
    MAX_BODY_CHARS,
    MAX_NAME_CHARS,
    MAX_TITLE_CHARS,
    too_large,
    too_long,
)
from shared.library.submissions import ANONYMOUS, NAMED, SUBMITTED, Event, Submission, iso, text_field
from shared.library.text import paragraphs, word_count

SUBMISSION_ID = re.compile(r"^s-[0-9a-f]{16}$")
UPLOAD_ID = re.compile(r"^u-[0-9a-f]{24}$")
ORDER = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ#s-[0-9a-f]{16}$")  # a page's last createdAt#id
PAGE_SIZE = 20
NO_WORDS = "the essay text is empty"  # the loader's words for a record without text
FIELDS = ("title", "level", "subject", "section", "body", "uploadId", "ownWork", "credit", "creditName")
# The largest body a valid submission can be: JSON may spell any character as an escape, 12 bytes for one
# outside the BMP (\ud83d\ude00), as clients that escape all non-ASCII do (Python's json.dumps). Under it,
# a field too long gets the loader's 400; only a body no valid submission could be gets a 413.
MAX_SUBMISSION_BYTES = (MAX_BODY_CHARS + MAX_TITLE_CHARS + 4 * MAX_NAME_CHARS) * 12 + 16 * 1024


class Section(Protocol):
    @property
    def section_id(self) -> str: ...
    @property
    def level(self) -> str: ...
    @property
    def subject(self) -> str: ...
    @property
    def name(self) -> str: ...


class Contributions(Protocol):
    def get(self, submission_id: str) -> Submission | None: ...
    def contributed(
        self, contributor_id: str, limit: int, after: str | None
    ) -> tuple[list[Submission], str | None]: ...


@dataclass(frozen=True)
class Draft:
    """A checked submission, before its text is known (pasted, or converted from an upload)."""

    title: str
    section: Section
    credit: str
    credit_name: str | None
    body: str | None
    upload_id: str | None


def new_submission_id() -> str:
    return "s-" + secrets.token_hex(8)


def new_upload_id() -> str:
    return "u-" + secrets.token_hex(12)


def check_upload_request(body: dict[str, Any], max_bytes: int) -> None:
    """The file a reader says they will send: a .docx of 1 byte to max_bytes. Told before the upload
    so a wrong file is refused at once; S3's policy still enforces the size whatever was said. Either
    may be left out, but not sent as null."""
    name, size = body.get("fileName"), body.get("size")
    if "fileName" in body and (not isinstance(name, str) or not name.strip().lower().endswith(".docx")):
        raise InvalidRequest("fileName: send a Word document (.docx); other files cannot be read")
    if "size" in body and (isinstance(size, bool) or not isinstance(size, int) or not 1 <= size <= max_bytes):
        raise InvalidRequest(f"size: a file of 1 byte to {max_bytes} bytes ({max_bytes // 1_048_576} MB), in bytes")


def check_draft(body: dict[str, Any], sections: Sequence[Section]) -> Draft:
    title = text_field(body, "title", MAX_TITLE_CHARS)
    names = [text_field(body, name, MAX_NAME_CHARS) for name in ("level", "subject", "section")]
    section = next(
        (
            s
            for s in sections
            if [s.level.casefold(), s.subject.casefold(), s.name.casefold()] == [(n or "").casefold() for n in names]
        ),
        None,
    )
    if section is None:
        raise InvalidRequest(
            "section: there is no such section in the library: choose the level, subject and section from GET /sections"
        )
    if body.get("ownWork") is not True:
        raise InvalidRequest("ownWork: declare that the essay is your own work (ownWork: true) to submit it")
    credit = body.get("credit", ANONYMOUS)
    if credit not in (NAMED, ANONYMOUS):
        raise InvalidRequest("credit: must be named or anonymous")
    credit_name = text_field(body, "creditName", MAX_NAME_CHARS, required=credit == NAMED)
    text, upload = body.get("body"), body.get("uploadId")
    if (text is None) == (upload is None):
        raise InvalidRequest("send the essay as body (pasted text) or uploadId (an uploaded .docx), one of the two")
    if upload is not None and not (isinstance(upload, str) and UPLOAD_ID.match(upload)):
        raise InvalidRequest("uploadId: is not one this API gave (POST /me/submissions/uploads)")
    if text is not None:
        text = check_text(text)
    return Draft(title or "", section, credit, credit_name if credit == NAMED else None, text, upload)


def check_text(text: Any) -> str:
    if not isinstance(text, str):
        raise InvalidRequest(f"body: must be text, not {type(text).__name__}")
    if len(text) > MAX_BODY_CHARS:
        raise InvalidRequest(f"body: {too_long(MAX_BODY_CHARS, len(text))}")
    size = len(text.encode("utf-8", "surrogatepass"))
    if size > MAX_BODY_BYTES:
        raise InvalidRequest(f"body: {too_large(size)}")
    if not text.strip() or word_count(text) == 0:
        raise InvalidRequest(f"body: {NO_WORDS}")
    return text


def submission(draft: Draft, contributor_id: str, text: str, now: datetime) -> tuple[Submission, list[str]]:
    """The new submission and its paragraphs as the full essay will serve them."""
    at = iso(now)
    parts = paragraphs(text)
    return (
        Submission(
            submission_id=new_submission_id(),
            contributor_id=contributor_id,
            title=draft.title,
            level=draft.section.level,
            subject=draft.section.subject,
            section=draft.section.name,
            section_id=draft.section.section_id,
            word_count=word_count(text),
            state=SUBMITTED,
            credit=draft.credit,
            credit_name=draft.credit_name,
            created_at=at,
            updated_at=at,
            history=(Event(at, contributor_id, "submitted", f"{word_count(text):,} words"),),
        ),
        parts,
    )


def own(store: Contributions, contributor_id: str, submission_id: str) -> Submission:
    """The caller's own submission; another's is as unknown as one that does not exist (404)."""
    found = store.get(submission_id) if SUBMISSION_ID.match(submission_id) else None
    if found is None or found.contributor_id != contributor_id:
        raise NotFound("no such submission of yours")
    return found


def my_submissions(
    store: Contributions, cursors: CursorCodec, contributor_id: str, cursor: str | None
) -> dict[str, Any]:
    scope = f"mine:{contributor_id}"
    after = cursors.decode(cursor, scope, lambda p: isinstance(p, str) and bool(ORDER.match(p))) if cursor else None
    page, next_after = store.contributed(contributor_id, PAGE_SIZE, after)
    return {
        "items": [s.to_json() for s in page],
        "cursor": cursors.encode(scope, next_after) if next_after else None,
    }
