"""A signed-in reader's own submissions (contributors):

POST   /me/submissions/uploads          a presigned POST for one .docx, straight to the private bucket
POST   /me/submissions                  submit: pasted text, or an upload (converted here, then deleted)
GET    /me/submissions?cursor=          theirs, newest first
GET    /me/submissions/{submissionId}   one of theirs (another's is a 404)
DELETE /me/submissions/{submissionId}   withdraw it before it is published

The contributor is the one the token names, never a field of the request. This function is the
only reader of the uploads bucket, and reads the content table's taxonomy only (template.yaml)."""

from collections.abc import Callable
from datetime import UTC, datetime

from shared.errors import InvalidRequest
from shared.http.api import (
    Event,
    Response,
    api_handler,
    json_body,
    no_content,
    path_parameter,
    private_response,
    query_parameter,
    reader_id,
)
from shared.library.contributions import (
    FIELDS,
    MAX_SUBMISSION_BYTES,
    check_draft,
    check_text,
    check_upload_request,
    my_submissions,
    new_upload_id,
    own,
    submission,
)
from shared.library.documents import convert
from shared.observability import logger
from shared.settings.content import cursor_secret_id
from shared.settings.contributions import SubmissionsConfig
from shared.store.content import ContentStore
from shared.store.cursors import signed_cursors
from shared.store.submissions import SubmissionStore
from shared.store.uploads import Uploads

CONFIG = SubmissionsConfig.from_env()
STORE = SubmissionStore(CONFIG.submissions_table)
LIBRARY = ContentStore(CONFIG.essays_table)
UPLOADS = Uploads(CONFIG.uploads_bucket, CONFIG.max_upload_bytes)
CURSORS = signed_cursors(cursor_secret_id())
CLOCK: Callable[[], datetime] = lambda: datetime.now(UTC)  # noqa: E731 - replaced by tests


@api_handler(CONFIG.http)
def handler(event: Event, context: object) -> Response:
    user_id = reader_id(event)
    resource, method = event.get("resource"), event.get("httpMethod")
    if resource == "/me/submissions/uploads":
        check_upload_request(json_body(event, ("fileName", "size")), UPLOADS.max_bytes)  # S3's policy enforces it
        return private_response(UPLOADS.form(user_id, new_upload_id(), CLOCK()), CONFIG.http, 201)
    if resource == "/me/submissions" and method == "POST":
        return private_response(submit(user_id, json_body(event, FIELDS, MAX_SUBMISSION_BYTES)), CONFIG.http, 201)
    if resource == "/me/submissions":
        return private_response(my_submissions(STORE, CURSORS, user_id, query_parameter(event, "cursor")), CONFIG.http)
    mine = own(STORE, user_id, path_parameter(event, "submissionId"))
    if method == "DELETE":
        STORE.save(mine, mine.withdraw(user_id, CLOCK()))
        logger.info("submission withdrawn", extra={"submissionId": mine.submission_id, "userId": user_id})
        return no_content(CONFIG.http)
    return private_response(mine.to_json(), CONFIG.http)


def submit(user_id: str, body: dict[str, object]) -> dict[str, object]:
    draft = check_draft(body, LIBRARY.sections())
    emphasis: list[dict[str, object]] = []
    if draft.upload_id is not None:
        converted = convert(UPLOADS.take(user_id, draft.upload_id))  # the upload is gone from here on
        if not converted.paragraphs:
            raise InvalidRequest("the document has no text: 0 words")
        text = check_text("\n\n".join(converted.paragraphs))
        emphasis = converted.emphasis
    else:
        text = draft.body or ""
    new, paragraphs = submission(draft, user_id, text, CLOCK())
    STORE.create(new, paragraphs, emphasis)
    logger.info(
        "essay submitted",
        extra={"submissionId": new.submission_id, "userId": user_id, "words": new.word_count, "upload": bool(emphasis)},
    )
    return new.to_json()
