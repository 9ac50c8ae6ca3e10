"""The site's pages (/, /essays/{id}, /sections/{id}, /search, robots.txt, the sitemaps, the 404 page),
rendered on the server so a crawler that runs no script reads them whole (functions/pages/site.py).

Reached through the function's URL: on AWS, the site's CloudFront distribution signs its requests
to it (origin access control) and caches the answers by their Cache-Control; locally, the site of
`make dev` signs its requests the same way (infra/essays_cli/website.py). The viewer's site origin,
for canonical URLs and sitemaps, comes in the X-Site-Origin header the distribution sets.
"""

from __future__ import annotations

import hashlib
import re
from http import HTTPStatus
from typing import Any

from functions.pages.site import Page, Site
from shared.access.plans import configured_plans
from shared.errors import Unavailable
from shared.http.api import Event, Response, header
from shared.observability import api_gateway_request_id, logged, logger, traced
from shared.settings.content import cursor_secret_id
from shared.settings.http import HttpConfig
from shared.settings.tables import essays_table
from shared.store.content import ContentStore
from shared.store.cursors import signed_cursors

HTTP = HttpConfig.from_env()
SITE = Site(ContentStore(essays_table()), signed_cursors(cursor_secret_id()), configured_plans())
# What X-Site-Origin may be: a scheme and a host name (and port), nothing a page could be made to link to.
SITE_ORIGIN = re.compile(r"^https?://[a-z0-9](?:[a-z0-9.-]{0,251}[a-z0-9])?(?::\d{1,5})?$")
DEFAULT_ORIGIN = "https://essays.example.com"
NOT_CACHED = "no-store"
ERROR_SECONDS = 60  # a 404 is kept this long: a newly loaded essay shows within a minute of its load


def site_origin(event: Event) -> str:
    origin = (header(event, "X-Site-Origin") or "").lower()
    return origin if SITE_ORIGIN.fullmatch(origin) else DEFAULT_ORIGIN


def _method(event: Event) -> str:
    # A function URL's event (payload 2.0) or API Gateway's (1.0): the same request either way.
    http = (event.get("requestContext") or {}).get("http") or {}
    return str(http.get("method") or event.get("httpMethod") or "GET").upper()


def _path(event: Event) -> str:
    return str(event.get("rawPath") or event.get("path") or "/")


def _query(event: Event) -> dict[str, str]:
    values = event.get("queryStringParameters") or {}
    return {k: v for k, v in values.items() if isinstance(k, str) and isinstance(v, str)}


def _cache_control(page: Page, http: HttpConfig) -> str:
    if not page.cacheable:
        return NOT_CACHED
    if page.status == HTTPStatus.NOT_FOUND:
        return f"public, max-age={ERROR_SECONDS}, s-maxage={ERROR_SECONDS}"
    return f"public, max-age={http.browser_max_age}, s-maxage={http.cdn_max_age}"


def respond(event: Event, page: Page, http: HttpConfig) -> Response:
    """The page with a strong ETag (a 304 when the client has it) and CDN cache headers."""
    etag = '"' + hashlib.sha256(page.body.encode("utf-8")).hexdigest()[:32] + '"'
    headers = {"Content-Type": page.content_type, "Cache-Control": _cache_control(page, http), "ETag": etag}
    if page.content_type.startswith("text/html"):
        headers["Content-Language"] = "en-GB"
    candidates = {c.strip().removeprefix("W/") for c in (header(event, "If-None-Match") or "").split(",")}
    if page.status == HTTPStatus.OK and etag in candidates:
        return {"statusCode": HTTPStatus.NOT_MODIFIED.value, "headers": headers, "body": ""}
    body = "" if _method(event) == "HEAD" else page.body
    return {"statusCode": page.status.value, "headers": headers, "body": body}


def _fault(event: Event, status: HTTPStatus, text: str) -> Response:
    page = SITE.fault(status, text)
    response = respond(event, page, HTTP)
    if status == HTTPStatus.SERVICE_UNAVAILABLE:
        response["headers"]["Retry-After"] = "1"
    return response


@logged(api_gateway_request_id)
@traced
def handler(event: Event, context: Any) -> Response:
    if _method(event) not in ("GET", "HEAD"):
        return _fault(event, HTTPStatus.METHOD_NOT_ALLOWED, "This address only serves pages to read.")
    try:
        page = SITE.page(site_origin(event), _path(event), _query(event))
    except Unavailable:
        logger.info("request refused", extra={"status": 503, "code": "unavailable"})
        return _fault(
            event, HTTPStatus.SERVICE_UNAVAILABLE, "The library is busy right now; please reload in a moment."
        )
    except Exception:
        logger.exception("unhandled fault")
        return _fault(
            event, HTTPStatus.INTERNAL_SERVER_ERROR, "Something went wrong on our side; please try again later."
        )
    return respond(event, page, HTTP)
