"""GET /essays/{essayId}/preview: the free, unformatted preview of an essay."""

from shared.http.api import Event, Response, api_handler, essay_id_parameter, public_response
from shared.library.essays import essay_preview
from shared.settings.http import HttpConfig
from shared.settings.tables import essays_table
from shared.store.content import ContentStore

HTTP = HttpConfig.from_env()
STORE = ContentStore(essays_table())


@api_handler(HTTP)
def handler(event: Event, context: object) -> Response:
    return public_response(event, essay_preview(STORE, essay_id_parameter(event)).to_json(), HTTP)
