"""The whole API over HTTP, as a browser or the web team sees it: every route, the paywall's
401/403/200, the JSON errors with CORS headers, preflight, and hostile URLs (the `stack` fixture,
shared with tests/browser, is in tests/conftest.py)."""

from __future__ import annotations

import json
import urllib.error
import urllib.request
from http import HTTPStatus
from typing import Any

import pytest

pytestmark = pytest.mark.e2e


def call(
    stack: dict[str, Any], path: str, method: str = "GET", headers: dict[str, str] | None = None
) -> tuple[int, dict[str, str], Any]:
    request = urllib.request.Request(stack["apiUrl"] + path, method=method, headers=headers or {})
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            status, raw, header_map = response.status, response.read(), response.headers
    except urllib.error.HTTPError as error:
        status, raw, header_map = error.code, error.read(), error.headers
    body = json.loads(raw) if raw else None
    return status, {k.lower(): v for k, v in header_map.items()}, body


def assert_error(
    result: tuple[int, dict[str, str], Any], status: int | tuple[int, ...], code: str | None = None
) -> dict[str, Any]:
    got, headers, body = result
    assert got in (status if isinstance(status, tuple) else (status,)), body
    assert headers["content-type"].startswith("application/json")
    assert headers["access-control-allow-origin"]
    assert set(body) == {"error"} and {"code", "message"} <= set(body["error"])
    if code:
        assert body["error"]["code"] == code
    return dict(body["error"])


@pytest.mark.parametrize(
    "path",
    [
        "/essays/stalin-rise-to-power/preview",
        "/essays/stalin-rise-to-power/related?limit=3",
        "/search?q=revolution%20causes",
        "/search/suggest?q=stalin%20ri",
        "/sections",
        "/sections/gcse--english--poetry/essays?limit=2",
        "/plans",
        "/openapi.json",
    ],
)
def test_public_routes_answer_json_with_cdn_caching_and_etags(stack: dict[str, Any], path: str) -> None:
    status, headers, body = call(stack, path)
    assert status == HTTPStatus.OK and body
    assert headers["cache-control"].startswith("public")
    assert headers["access-control-allow-origin"]
    again = call(stack, path, headers={"If-None-Match": headers["etag"]})
    assert again[0] == HTTPStatus.NOT_MODIFIED


def test_the_paywall_over_http(stack: dict[str, Any]) -> None:
    essay = "/essays/stalin-rise-to-power"
    assert_error(call(stack, essay), HTTPStatus.UNAUTHORIZED, "unauthorized")
    assert_error(call(stack, essay, headers={"Authorization": "Bearer garbage"}), HTTPStatus.UNAUTHORIZED)
    assert_error(call(stack, essay, headers={"Authorization": "Basic abc"}), HTTPStatus.UNAUTHORIZED)
    denied = assert_error(
        call(stack, essay, headers={"Authorization": f"Bearer {stack['lapsedToken']}"}),
        HTTPStatus.FORBIDDEN,
        "subscription_required",
    )
    assert denied["plans"][0]["currency"] == "GBP"

    status, headers, body = call(stack, essay, headers={"Authorization": f"Bearer {stack['subscriberToken']}"})
    assert status == HTTPStatus.OK
    assert headers["cache-control"] == "private, no-store"
    assert len(body["paragraphs"]) > 5 and body["formatted"] is True


@pytest.mark.parametrize("path", ["/essays/stalin-rise-to-power", "/search"])
def test_a_cors_preflight_is_answered(stack: dict[str, Any], path: str) -> None:
    status, headers, _ = call(
        stack,
        path,
        method="OPTIONS",
        headers={
            "Origin": stack["webUrl"],
            "Access-Control-Request-Method": "GET",
            "Access-Control-Request-Headers": "authorization",
        },
    )
    assert status in (HTTPStatus.OK, HTTPStatus.NO_CONTENT)
    # The local stack allows its own site's origin (CorsAllowOrigin), as a deployed stack allows its site's.
    assert headers["access-control-allow-origin"] == stack["webUrl"]
    assert headers["access-control-max-age"] == "600"
    assert "GET" in headers["access-control-allow-methods"]
    assert "authorization" in headers["access-control-allow-headers"].lower()


# An encoded slash: API Gateway routes on the raw path and the function refuses the decoded id (400);
# the emulator decodes before routing and finds no route (404). Either way a JSON error, never a 500.
ENCODED_SLASH = (HTTPStatus.BAD_REQUEST, HTTPStatus.NOT_FOUND)


@pytest.mark.parametrize(
    ("path", "status"),
    [
        ("/essays/..%2F..%2Fetc%2Fpasswd/preview", ENCODED_SLASH),
        ("/essays/%2e%2e/preview", HTTPStatus.BAD_REQUEST),
        ("/essays/stalin%00/preview", HTTPStatus.BAD_REQUEST),
        ("/essays/stalin-rise-to-power%0A/preview", HTTPStatus.BAD_REQUEST),
        ("/essays/%E2%80%AEstalin/related", HTTPStatus.BAD_REQUEST),
        ("/essays/" + "a" * 3000 + "/preview", HTTPStatus.BAD_REQUEST),
        ("/essays/no-such-essay/preview", HTTPStatus.NOT_FOUND),
        ("/search?q=" + "x" * 500, HTTPStatus.BAD_REQUEST),
        ("/search?q=stalin&limit=0", HTTPStatus.BAD_REQUEST),
        ("/search/suggest?q=stalin&limit=11", HTTPStatus.BAD_REQUEST),
        ("/search/suggest?q=%00", HTTPStatus.BAD_REQUEST),
        ("/search?q=stalin&cursor=forged", HTTPStatus.BAD_REQUEST),
        ("/sections/..%2FTAXONOMY/essays", ENCODED_SLASH),
        ("/no/such/route", HTTPStatus.NOT_FOUND),
    ],
)
def test_hostile_urls_get_json_errors_never_500(
    stack: dict[str, Any], path: str, status: int | tuple[int, ...]
) -> None:
    assert_error(call(stack, path), status)


def test_undeclared_methods_get_json_errors(stack: dict[str, Any]) -> None:
    assert_error(call(stack, "/plans", method="POST"), HTTPStatus.NOT_FOUND, "not_found")
    assert_error(call(stack, "/essays/stalin-rise-to-power", method="DELETE"), HTTPStatus.NOT_FOUND)
