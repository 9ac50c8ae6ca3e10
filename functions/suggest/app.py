"""GET /search/suggest?q=...&limit=N: titles as the reader types (the last word of q may be unfinished)."""

from shared.http.api import Event, Response, api_handler, limit_parameter, public_response, query_parameter
from shared.library.bounds import SUGGEST_LIMIT
from shared.library.suggest import suggest
from shared.settings.http import HttpConfig
from shared.settings.tables import essays_table
from shared.store.content import ContentStore

HTTP = HttpConfig.from_env()
STORE = ContentStore(essays_table())


@api_handler(HTTP)
def handler(event: Event, context: object) -> Response:
    results = suggest(STORE, query_parameter(event, "q") or "", limit_parameter(event, SUGGEST_LIMIT))
    return public_response(event, results.to_json(), HTTP)
