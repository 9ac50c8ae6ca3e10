"""The HTTP edge of the content functions (API Gateway REST proxy integration).

Each function serves one route, so there is no router here: just reading the request,
writing JSON responses with CORS and cache headers, and the single place where domain
exceptions become HTTP statuses.
"""

from __future__ import annotations

import base64
import functools
import hashlib
import json
from collections.abc import Callable, Mapping
from http import HTTPStatus
from typing import Any

from shared.errors import (
    AccessDenied,
    Conflict,
    EssayApiError,
    Forbidden,
    InvalidRequest,
    NotFound,
    PayloadTooLarge,
    TooManyRequests,
    Unauthenticated,
    Unavailable,
)
from shared.library.bounds import PageSize
from shared.library.ids import is_essay_id, is_section_id
from shared.observability import api_gateway_request_id, logged, logger, traced
from shared.settings.http import HttpConfig

Event = Mapping[str, Any]
Response = dict[str, Any]

# The one exception -> HTTP map. Anything not listed is a fault of ours: 500.
_STATUS_OF: dict[type[EssayApiError], HTTPStatus] = {
    InvalidRequest: HTTPStatus.BAD_REQUEST,
    Unauthenticated: HTTPStatus.UNAUTHORIZED,
    AccessDenied: HTTPStatus.FORBIDDEN,
    Forbidden: HTTPStatus.FORBIDDEN,
    NotFound: HTTPStatus.NOT_FOUND,
    Conflict: HTTPStatus.CONFLICT,
    TooManyRequests: HTTPStatus.TOO_MANY_REQUESTS,
    PayloadTooLarge: HTTPStatus.REQUEST_ENTITY_TOO_LARGE,
    Unavailable: HTTPStatus.SERVICE_UNAVAILABLE,
}


def header(event: Event, name: str) -> str | None:
    """A request header, whatever case the client (or a local emulator) used."""
    wanted = name.lower()
    for key, value in (event.get("headers") or {}).items():
        if key.lower() == wanted:
            return value if isinstance(value, str) else None
    return None


def path_parameter(event: Event, name: str) -> str:
    value = (event.get("pathParameters") or {}).get(name)
    if not value:
        raise InvalidRequest(f"the path parameter '{name}' is missing")
    return str(value)


def _cors(config: HttpConfig) -> dict[str, str]:
    return {
        "Access-Control-Allow-Origin": config.cors_allow_origin,
        "Access-Control-Expose-Headers": "ETag",
        **({} if config.cors_allow_origin == "*" else {"Vary": "Origin"}),
    }


def _json(status: int, body: Any, headers: dict[str, str]) -> Response:
    return {
        "statusCode": int(status),
        "headers": {"Content-Type": "application/json; charset=utf-8", **headers},
        "body": json.dumps(body, ensure_ascii=False, separators=(",", ":")),
    }


def error_response(
    status: HTTPStatus, code: str, message: str, config: HttpConfig, details: Mapping[str, Any] | None = None
) -> Response:
    headers = {**_cors(config), "Cache-Control": "no-store"}
    if status == HTTPStatus.SERVICE_UNAVAILABLE:
        headers["Retry-After"] = "1"
    if status == HTTPStatus.UNAUTHORIZED:
        headers["WWW-Authenticate"] = "Bearer"
    return _json(status, {"error": {"code": code, "message": message, **(details or {})}}, headers)


def _etag_matches(if_none_match: str | None, etag: str) -> bool:
    if not if_none_match:
        return False
    candidates = {c.strip().removeprefix("W/") for c in if_none_match.split(",")}
    return "*" in candidates or etag in candidates


def public_response(event: Event, body: Any, config: HttpConfig) -> Response:
    """A response anyone may see: cacheable by browsers and CDNs, with a strong ETag."""
    payload = json.dumps(body, ensure_ascii=False, separators=(",", ":"))
    etag = '"' + hashlib.sha256(payload.encode("utf-8")).hexdigest()[:32] + '"'
    headers = {
        **_cors(config),
        "Cache-Control": f"public, max-age={config.browser_max_age}, s-maxage={config.cdn_max_age}",
        "ETag": etag,
    }
    if _etag_matches(header(event, "If-None-Match"), etag):
        return {"statusCode": HTTPStatus.NOT_MODIFIED.value, "headers": headers, "body": ""}
    return {
        "statusCode": HTTPStatus.OK.value,
        "headers": {"Content-Type": "application/json; charset=utf-8", **headers},
        "body": payload,
    }


def private_response(body: Any, config: HttpConfig, status: int = HTTPStatus.OK) -> Response:
    """A response for one subscriber only: never stored by any cache."""
    return _json(status, body, {**_cors(config), "Cache-Control": "private, no-store"})


def no_content(config: HttpConfig) -> Response:
    """204: done, nothing to answer (never cached)."""
    return {
        "statusCode": HTTPStatus.NO_CONTENT.value,
        "headers": {**_cors(config), "Cache-Control": "no-store"},
        "body": "",
    }


def api_handler(config: HttpConfig) -> Callable[[Callable[[Event, Any], Response]], Callable[..., Response]]:
    """Wrap a route function with logging (API Gateway's request id as the correlation id),
    tracing when switched on, and the exception -> HTTP map."""

    def decorate(route: Callable[[Event, Any], Response]) -> Callable[..., Response]:
        @functools.wraps(route)
        def safe_route(event: Event, context: Any) -> Response:
            try:
                return route(event, context)
            except EssayApiError as error:
                status = _STATUS_OF.get(type(error), HTTPStatus.INTERNAL_SERVER_ERROR)
                logger.info("request refused", extra={"status": int(status), "code": error.code})
                details = error.details if isinstance(error, AccessDenied) else None
                return error_response(status, error.code, error.message, config, details)
            except Exception:
                logger.exception("unhandled fault")
                return error_response(
                    HTTPStatus.INTERNAL_SERVER_ERROR,
                    "internal_error",
                    "Something went wrong on our side; please try again later.",
                    config,
                )

        return logged(api_gateway_request_id)(traced(safe_route))

    return decorate


def query_parameter(event: Event, name: str) -> str | None:
    return (event.get("queryStringParameters") or {}).get(name)


def limit_parameter(event: Event, size: PageSize) -> int:
    raw = query_parameter(event, "limit")
    if raw is None:
        return size.default
    if not (raw.isascii() and raw.isdigit() and len(raw) <= 4) or not 1 <= int(raw) <= size.maximum:
        raise InvalidRequest(f"limit must be a whole number from 1 to {size.maximum}")
    return int(raw)


def essay_id_parameter(event: Event) -> str:
    essay_id = path_parameter(event, "essayId")
    if not is_essay_id(essay_id):
        raise InvalidRequest("essayId must be 1-100 lower-case letters, digits or hyphens, e.g. 'stalin-rise-to-power'")
    return essay_id


def section_id_parameter(event: Event) -> str:
    section_id = path_parameter(event, "sectionId")
    if not is_section_id(section_id):
        raise InvalidRequest("sectionId must look like 'gcse--english--poetry' (level--subject--section)")
    return section_id


def reader_id(event: Event) -> str:
    """The signed-in reader, as the authorizer verified them: never from the path, query or body."""
    user_id = ((event.get("requestContext") or {}).get("authorizer") or {}).get("userId")
    if not isinstance(user_id, str) or not user_id:
        raise Unauthenticated("Sign in first: send Authorization: Bearer <token>.")
    return user_id


def reader_groups(event: Event) -> frozenset[str]:
    """The user-pool groups of the signed-in caller, as the signed-in authorizer verified them
    (the token's `cognito:groups`, passed on as a comma-separated `groups`)."""
    groups = ((event.get("requestContext") or {}).get("authorizer") or {}).get("groups")
    return frozenset(g for g in groups.split(",") if g) if isinstance(groups, str) else frozenset()


def raw_body(event: Event, limit: int) -> bytes:
    """The request body exactly as the client sent it (API Gateway base64-encodes binary bodies)."""
    body = event.get("body") or ""
    if event.get("isBase64Encoded"):
        if len(body) > (limit + 2) * 4 // 3 + 4:
            raise PayloadTooLarge(f"the body is larger than {limit // 1024} KB")
        try:
            data = base64.b64decode(body, validate=True)
        except ValueError:
            raise InvalidRequest("the body is not valid base64") from None
    else:
        data = body.encode("utf-8")
    if len(data) > limit:
        raise PayloadTooLarge(f"the body is larger than {limit // 1024} KB")
    return data


def json_body(event: Event, allowed: tuple[str, ...], limit: int = 4096) -> dict[str, Any]:
    """An optional small JSON object body with only `allowed` keys ({} when there is no body)."""
    data = raw_body(event, limit)
    if not data.strip():
        return {}
    try:
        body = json.loads(data)
    except (ValueError, UnicodeDecodeError):
        raise InvalidRequest("the body must be a JSON object") from None
    if not isinstance(body, dict):
        raise InvalidRequest("the body must be a JSON object")
    unknown = sorted(set(body) - set(allowed))
    if unknown:
        raise InvalidRequest(f"unknown field {unknown[0]!r}: the body may hold only {', '.join(allowed)}")
    return body
