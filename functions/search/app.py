"""GET /search?q=...&limit=N&cursor=...: essays whose titles match the words of q, best first."""

from shared.http.api import Event, Response, api_handler, limit_parameter, public_response, query_parameter
from shared.http.config import ContentConfig, cursor_secret_id
from shared.library.bounds import SEARCH_LIMIT
from shared.library.cursor import MAX_CURSOR_AGE, CursorCodec
from shared.library.discovery import search
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
    results = search(
        STORE,
        CURSORS,
        query_parameter(event, "q") or "",
        limit_parameter(event, SEARCH_LIMIT),
        query_parameter(event, "cursor"),
    )
    return public_response(event, results.to_json(), CONFIG.http)
