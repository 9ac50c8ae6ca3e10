"""The teachers' review (signed-in callers in the user pool's `teachers` group; anyone else: 403):

GET    /review/queue?cursor=&limit=                     submitted and in-review submissions, oldest first
GET    /review/submissions/{id}                         the text, annotations, assessment, claim, history
POST   /review/submissions/{id}/claim                   one teacher at a time, for CLAIM_SECONDS
POST   /review/submissions/{id}/annotations             mark a passage (anchored as the loader anchors)
DELETE /review/submissions/{id}/annotations/{index}
PUT    /review/submissions/{id}/assessment             star rating and the teacher's comment
POST   /review/submissions/{id}/publish                 into the library, derived exactly as a load
POST   /review/submissions/{id}/return                  back to the contributor with feedback
POST   /review/submissions/{id}/reject                  with a reason

Every action but the first two needs the caller's unexpired claim (409 otherwise)."""

import functools
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from shared.http.api import (
    Event,
    Response,
    api_handler,
    json_body,
    limit_parameter,
    path_parameter,
    private_response,
    query_parameter,
    reader_groups,
    reader_id,
)
from shared.library.review import (
    NOTE_FIELDS,
    QUEUE_LIMIT,
    annotation_index,
    assessment,
    feedback,
    new_note,
    queue,
    submission_of,
    teacher,
)
from shared.library.submissions import Submission
from shared.observability import logger
from shared.settings.content import cursor_secret_id
from shared.settings.contributions import ReviewConfig
from shared.store.cursors import signed_cursors
from shared.store.submissions import SubmissionStore

CONFIG = ReviewConfig.from_env()
STORE = SubmissionStore(CONFIG.submissions_table)
CURSORS = signed_cursors(cursor_secret_id())
CLOCK: Callable[[], datetime] = lambda: datetime.now(UTC)  # noqa: E731 - replaced by tests (claims expire)
BASE = "/review/submissions/{submissionId}"


@api_handler(CONFIG.http)
def handler(event: Event, context: object) -> Response:
    me = teacher(reader_id(event), reader_groups(event))
    resource, now = str(event.get("resource")), CLOCK()
    if resource == "/review/queue":
        page = queue(STORE, CURSORS, now, limit_parameter(event, QUEUE_LIMIT), query_parameter(event, "cursor"))
        return private_response(page, CONFIG.http)
    before = submission_of(STORE, path_parameter(event, "submissionId"))
    action = resource.removeprefix(BASE).lstrip("/")
    if action == "":
        paragraphs, _ = STORE.text(before.submission_id)
        return private_response(before.to_review_json(now, paragraphs), CONFIG.http)
    after = act(event, action, me, before, now)
    saved = STORE.save(before, after) if after.state != "published" else after
    logger.info("review action", extra={"submissionId": before.submission_id, "teacherId": me, "action": action})
    if action == "claim":
        claim = saved.claim_at(now)
        return private_response({"claim": {"teacherId": me, "expiresAt": claim[1] if claim else None}}, CONFIG.http)
    if action.startswith("annotations"):
        body = {"annotations": [a.to_json() for a in saved.annotations]}
        return private_response(body, CONFIG.http, 201 if event.get("httpMethod") == "POST" else 200)
    if action == "publish":
        return private_response({"essayId": saved.essay_id}, CONFIG.http)
    paragraphs, _ = STORE.text(before.submission_id)
    return private_response(saved.to_review_json(now, paragraphs), CONFIG.http)


def act(event: Event, action: str, me: str, before: Submission, now: datetime) -> Submission:
    if action == "claim":
        json_body(event, ())
        return before.claim(me, now, CONFIG.claim_seconds)
    if action == "annotations":
        paragraphs, _ = STORE.text(before.submission_id)
        return before.annotate(me, now, paragraphs, new_note(json_body(event, NOTE_FIELDS), paragraphs))
    if action.startswith("annotations/"):
        return before.remove_annotation(me, now, annotation_index(path_parameter(event, "index")))
    if action == "assessment":
        rating, comment = assessment(json_body(event, ("rating", "teacherComment")))
        return before.assess(me, now, rating, comment)
    if action == "return":
        return before.send_back(me, now, feedback(json_body(event, ("feedback",)), "feedback"))
    if action == "reject":
        return before.reject(me, now, feedback(json_body(event, ("reason",)), "reason"))
    # publish: the claim and the rating are checked before anything is written
    json_body(event, ())
    before.publish(me, now, "-", 0)
    paragraphs, _ = STORE.text(before.submission_id)
    published: Submission = publisher().publish(before, me, paragraphs, now)
    return published


@functools.cache
def publisher() -> Any:
    """The loader, imported on the first publication only: the queue and the other actions never pay
    for it (pydantic and the loader's modules, at a cold start)."""
    from functions.review.publishing import LibraryPublisher

    return LibraryPublisher(CONFIG)
