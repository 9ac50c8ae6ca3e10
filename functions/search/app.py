"""GET /search?q=...&limit=N&cursor=...: essays whose titles match the words of q, best first."""

from shared.http.api import Event, Response, api_handler, limit_parameter, public_response, query_parameter
from shared.http.config import ContentConfig, cursor_secret_id
from shared.library.bounds import SEARCH_LIMIT
from shared.library.cursor import CursorCodec
from shared.library.discovery import search
from shared.store.content import ContentStore
from shared.store.secrets import secret_string

CONFIG = ContentConfig.from_env()
STORE = ContentStore(CONFIG.essays_table)
CURSOR_SECRET_ARN = cursor_secret_id()
CURSORS = CursorCodec(lambda: secret_string(CURSOR_SECRET_ARN))  # read on first use, then kept


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
