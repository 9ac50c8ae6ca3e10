"""GET /essays/{essayId}/preview: the free, unformatted preview of an essay."""

from shared.api import Event, Response, api_handler, path_parameter, public_response
from shared.catalog import essay_preview
from shared.config import ContentConfig
from shared.ids import is_essay_id
from shared.errors import InvalidRequest
from shared.store.content import ContentStore

CONFIG = ContentConfig.from_env()
STORE = ContentStore(CONFIG.essays_table)


@api_handler(CONFIG.http)
def handler(event: Event, context: object) -> Response:
    essay_id = path_parameter(event, "essayId")
    if not is_essay_id(essay_id):
        raise InvalidRequest(
            "essayId must be 1-100 lower-case letters, digits or hyphens, e.g. 'stalin-rise-to-power'."
        )
    return public_response(event, essay_preview(STORE, essay_id).to_json(), CONFIG.http)
