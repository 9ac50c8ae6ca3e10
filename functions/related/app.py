"""GET /essays/{essayId}/related?limit=N: other essays of the same section, closest first."""

from shared.http.api import Event, Response, api_handler, essay_id_parameter, limit_parameter, public_response
from shared.library.bounds import RELATED_LIMIT
from shared.library.discovery import related_essays
from shared.settings.http import HttpConfig
from shared.settings.tables import essays_table
from shared.store.content import ContentStore

HTTP = HttpConfig.from_env()
STORE = ContentStore(essays_table())


@api_handler(HTTP)
def handler(event: Event, context: object) -> Response:
    related = related_essays(STORE, essay_id_parameter(event), limit_parameter(event, RELATED_LIMIT))
    return public_response(event, related.to_json(), HTTP)
