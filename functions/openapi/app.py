"""GET /openapi.json: the API's OpenAPI 3 description, generated from the code by
`make openapi` (infra/essays_cli/openapi.py) and shipped beside this handler."""

import json
from pathlib import Path

from shared.http.api import Event, Response, api_handler, public_response
from shared.settings.http import HttpConfig

HTTP = HttpConfig.from_env()
DOCUMENT = json.loads((Path(__file__).parent / "openapi.json").read_text(encoding="utf-8"))


@api_handler(HTTP)
def handler(event: Event, context: object) -> Response:
    return public_response(event, DOCUMENT, HTTP)
