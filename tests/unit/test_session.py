"""The site's token handler (shared/http/session.py): sign-in through the managed login with
PKCE, the refresh token only in an HttpOnly cookie, the access token handed to the page on request,
stale sign-in links that lead somewhere useful, and no open redirect."""

from __future__ import annotations

import base64
import hashlib
import json
import urllib.error
import urllib.parse
from email.message import Message
from typing import Any

import pytest

from shared.http.session import ACCESS, HINT, PKCE, REFRESH, TokenHandler, safe_path

SITE, POOL = "http://127.0.0.1:3001", "http://127.0.0.1:3000"


def jwt(claims: dict[str, Any]) -> str:
    part = base64.urlsafe_b64encode(json.dumps(claims).encode()).rstrip(b"=").decode()
    return f"e30.{part}.sig"


class Pool:
    """The user pool's token endpoint: records each call, answers fresh tokens or refuses."""

    def __init__(self) -> None:
        self.calls: list[tuple[str, dict[str, str]]] = []
        self.refuse: int | None = None
        self.issued = 0

    def __call__(self, url: str, fields: dict[str, str]) -> dict[str, Any]:
        self.calls.append((url, fields))
        if self.refuse:
            raise urllib.error.HTTPError(url, self.refuse, "refused", Message(), None)
        self.issued += 1
        answer = {"access_token": jwt({"n": self.issued, "username": "u1"}), "expires_in": 3600}
        if fields.get("grant_type") == "authorization_code":
            answer.update(refresh_token="refresh-1", id_token=jwt({"email": "reader@example.com"}))
        return answer


@pytest.fixture
def pool() -> Pool:
    return Pool()


@pytest.fixture
def handler(pool: Pool) -> TokenHandler:
    return TokenHandler(SITE, POOL, "client-1", token_call=pool, clock=lambda: 1_000_000.0)


def cookies_of(headers: list[tuple[str, str]]) -> dict[str, str]:
    return {value.split("=", 1)[0]: value for name, value in headers if name == "Set-Cookie"}


def jar(headers: list[tuple[str, str]]) -> str:
    """The Cookie header a browser would send back (cookies with Max-Age=0 are dropped)."""
    kept = [v.split(";", 1)[0] for v in cookies_of(headers).values() if "Max-Age=0" not in v]
    return "; ".join(kept)


def location(headers: list[tuple[str, str]]) -> str:
    return dict(headers)["Location"]


def signed_in(handler: TokenHandler, return_to: str = "/essays/x") -> tuple[int, list[tuple[str, str]], bytes]:
    _, headers, _ = handler.handle("GET", f"/auth/login?returnTo={urllib.parse.quote(return_to)}", {})
    query = dict(urllib.parse.parse_qsl(urllib.parse.urlsplit(location(headers)).query))
    back = f"/callback?code=c1&state={urllib.parse.quote(query['state'])}"
    return handler.handle("GET", back, {"cookie": jar(headers)})


def test_sign_in_uses_pkce_and_comes_back_to_the_page(handler: TokenHandler, pool: Pool) -> None:
    status, headers, _ = handler.handle("GET", "/auth/login?returnTo=%2Fessays%2Fx", {})
    assert status == 302
    target = urllib.parse.urlsplit(location(headers))
    assert f"{target.scheme}://{target.netloc}{target.path}" == f"{POOL}/oauth2/authorize"
    query = dict(urllib.parse.parse_qsl(target.query))
    assert query["redirect_uri"] == f"{SITE}/callback" and query["code_challenge_method"] == "S256"
    pkce = cookies_of(headers)[PKCE]
    assert "HttpOnly" in pkce and "Path=/callback" in pkce and "Secure" not in pkce  # http on 127.0.0.1
    verifier = pkce.split(";")[0].split("=", 1)[1].split(".", 1)[1]
    digest = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).rstrip(b"=").decode()
    assert query["code_challenge"] == digest

    back = f"/callback?code=c1&state={urllib.parse.quote(query['state'])}"
    status, headers, _ = handler.handle("GET", back, {"cookie": jar(headers)})
    assert (status, location(headers)) == (302, "/essays/x")
    assert pool.calls[-1][1]["code_verifier"] == verifier
    refresh = cookies_of(headers)[REFRESH]
    assert refresh.startswith(f"{REFRESH}=refresh-1;")
    assert all(part in refresh for part in ("HttpOnly", "SameSite=Lax", "Path=/auth"))
    assert "Max-Age=0" in cookies_of(headers)[PKCE]  # used once
    # The page's hint that it is signed in: readable (no HttpOnly), site-wide, and no secret.
    assert cookies_of(headers)[HINT].startswith(f"{HINT}=1; Path=/;") and "HttpOnly" not in cookies_of(headers)[HINT]


def test_cookies_are_secure_on_https() -> None:
    handler = TokenHandler("https://essays.example.com", POOL, "client-1", token_call=Pool())
    _, headers, _ = signed_in(handler)
    assert all("Secure" in cookie for cookie in cookies_of(headers).values())


@pytest.mark.parametrize("target", ["//evil.example.com/x", "https://evil.example.com", "/\\evil.example.com", "", "x"])
def test_no_open_redirect(handler: TokenHandler, target: str) -> None:
    assert safe_path(target) == "/"
    _, headers, _ = signed_in(handler, target)
    assert location(headers) == "/"


def test_the_page_gets_its_access_token_from_the_cookie(handler: TokenHandler, pool: Pool) -> None:
    _, headers, _ = signed_in(handler)
    sent = {"cookie": jar(headers), "x-essays-session": "1"}
    calls = len(pool.calls)
    status, out, body = handler.handle("POST", "/auth/token", sent)
    answer = json.loads(body)
    assert status == 200 and answer["signedIn"] and answer["email"] == "reader@example.com"
    assert len(pool.calls) == calls  # still valid: no call to the pool, the same token (one cache key)
    assert dict(out)["Cache-Control"] == "no-store"
    # fresh=1 (the /subscribed page): a new token from the refresh token.
    status, out, body = handler.handle("POST", "/auth/token?fresh=1", sent)
    fresh = json.loads(body)
    assert pool.calls[-1][1] == {"grant_type": "refresh_token", "client_id": "client-1", "refresh_token": "refresh-1"}
    assert fresh["accessToken"] != answer["accessToken"] and fresh["email"] == "reader@example.com"
    assert ACCESS in cookies_of(out)


def test_an_access_token_near_expiry_is_renewed(pool: Pool) -> None:
    now = [1_000_000.0]
    handler = TokenHandler(SITE, POOL, "client-1", token_call=pool, clock=lambda: now[0])
    _, headers, _ = signed_in(handler)
    now[0] += 3600 - 60  # a minute left
    _, _, body = handler.handle("POST", "/auth/token", {"cookie": jar(headers), "x-essays-session": "1"})
    assert pool.calls[-1][1]["grant_type"] == "refresh_token" and json.loads(body)["signedIn"]


def test_a_refused_refresh_token_signs_out_and_an_outage_does_not(handler: TokenHandler, pool: Pool) -> None:
    _, headers, _ = signed_in(handler)
    sent = {"cookie": jar(headers), "x-essays-session": "1"}
    pool.refuse = 503
    status, out, _ = handler.handle("POST", "/auth/token?fresh=1", sent)
    assert status == 503 and not cookies_of(out)
    pool.refuse = 400
    status, out, body = handler.handle("POST", "/auth/token?fresh=1", sent)
    assert (status, json.loads(body)) == (200, {"signedIn": False})
    assert "Max-Age=0" in cookies_of(out)[REFRESH]


def test_posts_need_the_header_a_cross_site_form_cannot_send(handler: TokenHandler) -> None:
    _, headers, _ = signed_in(handler)
    for path in ("/auth/token", "/auth/logout"):
        assert handler.handle("POST", path, {"cookie": jar(headers)})[0] == 403


def test_signed_out_and_sign_out(handler: TokenHandler, pool: Pool) -> None:
    status, _, body = handler.handle("POST", "/auth/token", {"x-essays-session": "1"})
    assert (status, json.loads(body)) == (200, {"signedIn": False})
    _, headers, _ = signed_in(handler)
    status, out, body = handler.handle("POST", "/auth/logout", {"cookie": jar(headers), "x-essays-session": "1"})
    assert status == 200 and json.loads(body)["next"].startswith(f"{POOL}/logout?client_id=client-1")
    assert pool.calls[-1] == (f"{POOL}/oauth2/revoke", {"client_id": "client-1", "token": "refresh-1"})
    assert all("Max-Age=0" in cookie for cookie in cookies_of(out).values())


def test_stale_sign_in_links_lead_somewhere_useful(handler: TokenHandler) -> None:
    _, headers, _ = signed_in(handler, "/account")
    state = "old." + base64.urlsafe_b64encode(b"/account").rstrip(b"=").decode()
    # Back after signing in: the used state has no PKCE cookie any more.
    status, out, _ = handler.handle("GET", f"/callback?code=c2&state={state}", {"cookie": jar(headers)})
    assert (status, location(out)) == (302, "/auth/resume?returnTo=%2Faccount")
    status, out, _ = handler.handle("GET", "/auth/resume?returnTo=%2Faccount", {"cookie": jar(headers)})
    assert (status, location(out)) == (302, "/account")
    # Signed out: a page that offers to sign in again, not an error.
    status, _, page = handler.handle("GET", "/auth/resume?returnTo=%2Faccount", {})
    assert status == 200 and b"<h1>Please sign in again</h1>" in page
    assert b'href="/auth/login?returnTo=%2Faccount"' in page
    # The managed login's own error: said so, with a way to try again.
    status, _, page = handler.handle("GET", f"/callback?error=access_denied&state={state}", {})
    assert status == 400 and b"Sign-in did not complete" in page


def test_sign_up_goes_to_the_managed_login_s_sign_up_page(handler: TokenHandler) -> None:
    _, headers, _ = handler.handle("GET", "/auth/login?returnTo=%2F&signup=1", {})
    assert location(headers).startswith(f"{POOL}/signup?response_type=code&client_id=client-1")
