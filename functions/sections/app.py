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
from shared.library.bounds import SECTION_LIMIT
from shared.library.discovery import section_essays, section_tree
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
    if not event.get("pathParameters"):
        return public_response(event, section_tree(STORE).to_json(), HTTP)
    page = section_essays(
        STORE,
        CURSORS,
        section_id_parameter(event),
        limit_parameter(event, SECTION_LIMIT),
        query_parameter(event, "cursor"),
    )
    return public_response(event, page.to_json(), HTTP)
