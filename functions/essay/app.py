"""GET /essays/{essayId}: the full, formatted essay, for active subscribers only (the
authorizer has already checked; API Gateway passes us who the reader is)."""

from shared.http.api import Event, Response, api_handler, essay_id_parameter, private_response
from shared.http.config import ContentConfig
from shared.http.observability import logger
from shared.library.essays import full_essay
from shared.store.content import ContentStore

CONFIG = ContentConfig.from_env()
STORE = ContentStore(CONFIG.essays_table)


@api_handler(CONFIG.http)
def handler(event: Event, context: object) -> Response:
    reader = (event.get("requestContext") or {}).get("authorizer") or {}
    essay = full_essay(STORE, essay_id_parameter(event))
    logger.info(
        "full essay served",
        extra={"essayId": essay.essay_id, "userId": reader.get("userId"), "plan": reader.get("plan")},
    )
    return private_response(essay.to_json(), CONFIG.http)
