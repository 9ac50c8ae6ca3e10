"""functions/session: the token handler behind the distribution, from function URL events."""

from __future__ import annotations

import importlib
import json
from typing import Any

import pytest


@pytest.fixture
def app(monkeypatch: pytest.MonkeyPatch) -> Any:
    monkeypatch.setenv("USER_POOL_DOMAIN_URL", "https://essays.auth.eu-west-2.amazoncognito.com")
    monkeypatch.setenv("USER_POOL_CLIENT_ID", "client-1")
    import functions.session.app as module

    return importlib.reload(module)


def event(method: str, path: str, query: str = "", **headers: str) -> dict[str, Any]:
    return {
        "version": "2.0",
        "rawPath": path,
        "rawQueryString": query,
        "headers": {"x-site-origin": "https://essays.example.com", **headers},
        "requestContext": {"http": {"method": method, "path": path}},
    }


def test_sign_in_starts_with_the_site_s_own_redirect_uri(app: Any) -> None:
    answer = app.handler(event("GET", "/auth/login", "returnTo=%2Fessays%2Fx"), None)
    assert answer["statusCode"] == 302
    assert answer["headers"]["Location"].startswith("https://essays.auth.eu-west-2.amazoncognito.com/oauth2/authorize?")
    assert "redirect_uri=https%3A%2F%2Fessays.example.com%2Fcallback" in answer["headers"]["Location"]
    (pkce,) = answer["cookies"]
    assert pkce.startswith("essays_pkce=") and "HttpOnly" in pkce and "Secure" in pkce


def test_cookies_arrive_as_a_list_and_posts_need_the_header(app: Any) -> None:
    signed_out = app.handler(event("POST", "/auth/token", **{"x-essays-session": "1"}), None)
    assert (signed_out["statusCode"], json.loads(signed_out["body"])) == (200, {"signedIn": False})
    assert app.handler(event("POST", "/auth/token"), None)["statusCode"] == 403
    stale = event("GET", "/auth/resume", "returnTo=%2Faccount")
    stale["cookies"] = ["essays_refresh=r1", "other=x"]
    assert app.handler(stale, None)["headers"]["Location"] == "/account"


def test_without_the_distribution_s_origin_header_nothing_is_answered(app: Any) -> None:
    for origin in ("", "http://essays.example.com", "https://evil.example.com/path"):
        request = event("GET", "/auth/login")
        request["headers"]["x-site-origin"] = origin
        assert app.handler(request, None)["statusCode"] == 404
