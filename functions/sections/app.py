"""GET /sections (the level > subject > section tree with essay counts) and
GET /sections/{sectionId}/essays?limit=&cursor= (a section's essays, paginated).

One function for both: they read the same items and share permissions."""

from shared.http.api import (
    Event,
    Response,
    api_handler,
    limit_parameter,
    public_response,
    query_parameter,
    section_id_parameter,
)
from shared.http.config import ContentConfig, cursor_secret_id
from shared.library.bounds import SECTION_LIMIT
from shared.library.cursor import MAX_CURSOR_AGE, CursorCodec
from shared.library.discovery import section_essays, section_tree
from shared.store.content import ContentStore
from shared.store.secrets import previous_secret_string, secret_string

CONFIG = ContentConfig.from_env()
STORE = ContentStore(CONFIG.essays_table)
CURSOR_SECRET_ARN = cursor_secret_id()
CURSORS = CursorCodec(
    lambda: secret_string(CURSOR_SECRET_ARN),  # read at run time, at most SECRETS_MAX_AGE_MINUTES old
    previous=lambda: previous_secret_string(CURSOR_SECRET_ARN, MAX_CURSOR_AGE),  # cursors outlive a rotation
)


@api_handler(CONFIG.http)
def handler(event: Event, context: object) -> Response:
    if not event.get("pathParameters"):
        return public_response(event, section_tree(STORE).to_json(), CONFIG.http)
    page = section_essays(
        STORE,
        CURSORS,
        section_id_parameter(event),
        limit_parameter(event, SECTION_LIMIT),
        query_parameter(event, "cursor"),
    )
    return public_response(event, page.to_json(), CONFIG.http)
