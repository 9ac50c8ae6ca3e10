"""GET /search?q=...&limit=N&cursor=...: essays whose titles match the words of q, best first."""

from shared.http.api import Event, Response, api_handler, limit_parameter, public_response, query_parameter
from shared.library.bounds import SEARCH_LIMIT
from shared.library.discovery import search
from shared.settings.content import cursor_secret_id
from shared.settings.http import HttpConfig
from shared.settings.tables import essays_table
from shared.store.content import ContentStore
from shared.store.cursors import signed_cursors

HTTP = HttpConfig.from_env()
STORE = ContentStore(essays_table())
CURSORS = signed_cursors(cursor_secret_id())


@api_handler(HTTP)
def handler(event: Event, context: object) -> Response:
    results = search(
        STORE,
        CURSORS,
        query_parameter(event, "q") or "",
        limit_parameter(event, SEARCH_LIMIT),
        query_parameter(event, "cursor"),
    )
    return public_response(event, results.to_json(), HTTP)
