"""GET /essays/{essayId}/preview: the free, unformatted preview of an essay."""

from shared.http.api import Event, Response, api_handler, essay_id_parameter, public_response
from shared.http.config import ContentConfig
from shared.library.essays import essay_preview
from shared.store.content import ContentStore

CONFIG = ContentConfig.from_env()
STORE = ContentStore(CONFIG.essays_table)


@api_handler(CONFIG.http)
def handler(event: Event, context: object) -> Response:
    return public_response(event, essay_preview(STORE, essay_id_parameter(event)).to_json(), CONFIG.http)
