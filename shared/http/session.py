"""The site's token handler: sign-in kept in HttpOnly cookies on the site's own domain, never in the
page's storage (the token-mediating backend of "OAuth 2.0 for Browser-Based Apps").

    GET  /auth/login?returnTo=/path   starts sign-in: PKCE verifier in a short-lived HttpOnly cookie,
                                      then the user pool's managed login (&signup=1: its sign-up page)
    GET  /callback?code&state         trades the code for tokens (server to server); the refresh token
                                      becomes an HttpOnly cookie; back to returnTo
    POST /auth/token[?fresh=1]        the page's access token (kept in memory by the page), renewed
                                      with the refresh cookie; fresh=1 always renews (a new token is a
                                      new API Gateway authorizer cache key: /subscribed uses it)
    POST /auth/logout                 forgets the cookies; answers where the pool's logout is
    GET  /auth/resume?returnTo=/path  where a stale sign-in link (Back after signing in, an old tab)
                                      ends: the page if the reader is signed in, else "sign in again"

Locally `essays_cli.website` serves it; on AWS functions/session does, behind the distribution's
/auth/* and /callback behaviours. Everything it keeps is in the
cookies, so it needs no table. POSTs need the X-Essays-Session header: a cross-site form cannot send
one and a cross-origin script cannot without a CORS preflight this handler never answers.
"""

from __future__ import annotations

import base64
import binascii
import contextlib
import hashlib
import html
import json
import secrets
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass, field
from http.cookies import CookieError, SimpleCookie
from typing import Any

REFRESH, ACCESS, PKCE = "essays_refresh", "essays_access", "essays_pkce"
# No secret, readable by the page: whether asking /auth/token is worth a request (a visitor's page
# then asks nothing: on AWS, no invocation of the handler per page view).
HINT = "essays_signed_in"
HEADER = "X-Essays-Session"
REFRESH_DAYS = 30  # the template's client keeps refresh tokens 30 days
EARLY = 5 * 60  # an access token this close to expiry is renewed rather than handed out
SIGN_IN_MINUTES = 10

# (status, headers, body)
Answer = tuple[int, list[tuple[str, str]], bytes]
TokenCall = Callable[[str, dict[str, str]], dict[str, Any]]


def safe_path(value: str | None, default: str = "/") -> str:
    """A path on this site, never another site's address (`//evil`, `/\\evil`, `https://...`)."""
    if not value or not value.startswith("/") or value.startswith("//") or "\\" in value:
        return default
    if any(ord(c) < 0x20 for c in value):
        return default
    return value


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _unb64(text: str) -> str:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4)).decode()


def claims(token: str | None) -> dict[str, Any]:
    """A JWT's claims, unverified: only for tokens this handler got from the token endpoint itself."""
    try:
        value = json.loads(_unb64((token or "").split(".")[1]))
    except (IndexError, ValueError, UnicodeDecodeError, binascii.Error):
        return {}
    return value if isinstance(value, dict) else {}


def post_form(url: str, fields: dict[str, str]) -> dict[str, Any]:
    """The user pool's token endpoint (a public client: no secret). Raises on any refusal."""
    request = urllib.request.Request(
        url,
        data=urllib.parse.urlencode(fields).encode(),
        headers={"Content-Type": "application/x-www-form-urlencoded"},
        method="POST",
    )
    with urllib.request.urlopen(request, timeout=10) as response:
        answer = json.loads(response.read())
    if not isinstance(answer, dict) or "access_token" not in answer:
        raise ValueError("the token endpoint answered no access token")
    return answer


@dataclass
class TokenHandler:
    site_url: str
    pool_url: str
    client_id: str
    scopes: str = "openid email"
    token_call: TokenCall = post_form
    clock: Callable[[], float] = time.time
    secure: bool = field(init=False)

    def __post_init__(self) -> None:
        self.site_url = self.site_url.rstrip("/")
        self.pool_url = self.pool_url.rstrip("/")
        # Secure everywhere but plain http on this machine (browsers drop Secure cookies over http).
        self.secure = self.site_url.startswith("https://")

    # ---- routing -------------------------------------------------------------------------------

    def handles(self, path: str) -> bool:
        return path == "/callback" or path.startswith("/auth/")

    def handle(self, method: str, target: str, headers: dict[str, str]) -> Answer:
        """One request: method, path with query, headers (names lower-case)."""
        parts = urllib.parse.urlsplit(target)
        query = dict(urllib.parse.parse_qsl(parts.query))
        cookies = self._cookies(headers.get("cookie", ""))
        route = (method, parts.path)
        if route == ("GET", "/auth/login"):
            return self.login(safe_path(query.get("returnTo")), sign_up=query.get("signup") == "1")
        if route == ("GET", "/callback"):
            return self.callback(query, cookies)
        if route == ("GET", "/auth/resume"):
            return self.resume(safe_path(query.get("returnTo")), cookies)
        if method == "POST" and parts.path in ("/auth/token", "/auth/logout"):
            if headers.get(HEADER.lower()) != "1":
                return self._json(403, {"error": "missing the X-Essays-Session header"})
            if parts.path == "/auth/token":
                return self.token(cookies, fresh=query.get("fresh") == "1")
            return self.logout(cookies)
        return self._json(404, {"error": "no such sign-in route"})

    # ---- sign-in ---------------------------------------------------------------------------------

    def login(self, return_to: str, sign_up: bool = False) -> Answer:
        """To the managed login (its sign-up page for a new reader: it takes the same parameters)."""
        nonce, verifier = secrets.token_urlsafe(16), secrets.token_urlsafe(48)
        # The page to come back to rides in the state, so even a stale callback knows where to go.
        state = f"{nonce}.{_b64(return_to.encode())}"
        challenge = _b64(hashlib.sha256(verifier.encode()).digest())
        query = urllib.parse.urlencode(
            {
                "response_type": "code",
                "client_id": self.client_id,
                "redirect_uri": f"{self.site_url}/callback",
                "scope": self.scopes,
                "state": state,
                "code_challenge": challenge,
                "code_challenge_method": "S256",
            }
        )
        pkce = self._cookie(PKCE, f"{nonce}.{verifier}", SIGN_IN_MINUTES * 60, path="/callback")
        page = "signup" if sign_up else "oauth2/authorize"
        return self._redirect(f"{self.pool_url}/{page}?{query}", [pkce])

    def callback(self, query: dict[str, str], cookies: dict[str, str]) -> Answer:
        nonce, _, packed = (query.get("state") or "").partition(".")
        try:
            return_to = safe_path(_unb64(packed)) if packed else "/"
        except (ValueError, UnicodeDecodeError, binascii.Error):
            return_to = "/"
        if query.get("error"):
            return self._page(
                "Sign-in did not complete",
                "The sign-in service did not sign you in. You can try again.",
                return_to,
            )
        expected_nonce, _, verifier = cookies.get(PKCE, "").partition(".")
        forget_pkce = self._cookie(PKCE, "", 0, path="/callback")
        if not query.get("code") or not nonce or not secrets.compare_digest(nonce, expected_nonce) or not verifier:
            # Back after signing in, a link from another tab, an old bookmark: not this browser's
            # sign-in in progress. Somewhere useful instead of an error.
            back = urllib.parse.urlencode({"returnTo": return_to})
            return self._redirect(f"/auth/resume?{back}", [forget_pkce])
        try:
            answer = self.token_call(
                f"{self.pool_url}/oauth2/token",
                {
                    "grant_type": "authorization_code",
                    "client_id": self.client_id,
                    "code": query["code"],
                    "redirect_uri": f"{self.site_url}/callback",
                    "code_verifier": verifier,
                },
            )
        except (OSError, ValueError, urllib.error.HTTPError):
            return self._page(
                "Sign-in did not complete", "We could not finish signing you in. Please try again.", return_to
            )
        return self._redirect(return_to, [forget_pkce, *self._signed_in_cookies(answer, None)])

    def resume(self, return_to: str, cookies: dict[str, str]) -> Answer:
        if cookies.get(REFRESH):
            return self._redirect(return_to, [])
        return self._page(
            "Please sign in again", "That sign-in link has expired or was already used.", return_to, status=200
        )

    # ---- the page's tokens -----------------------------------------------------------------------

    def token(self, cookies: dict[str, str], fresh: bool) -> Answer:
        refresh = cookies.get(REFRESH)
        if not refresh:
            return self._json(200, {"signedIn": False})
        held = self._held(cookies.get(ACCESS, ""))
        if held and not fresh and held["expiresAt"] - self.clock() > EARLY:
            return self._json(200, {"signedIn": True, **held})
        try:
            answer = self.token_call(
                f"{self.pool_url}/oauth2/token",
                {"grant_type": "refresh_token", "client_id": self.client_id, "refresh_token": refresh},
            )
        except urllib.error.HTTPError as refused:
            if 400 <= refused.code < 500:  # the refresh token is revoked or expired: signed out
                return self._json(200, {"signedIn": False}, self._forget())
            return self._json(503, {"error": "the sign-in service is not answering"})
        except (OSError, ValueError):
            return self._json(503, {"error": "the sign-in service is not answering"})
        cookies_out = self._signed_in_cookies(answer, refresh, email=held["email"] if held else None)
        kept = self._held(cookies_out[-1][1].split(";", 1)[0].split("=", 1)[1])
        return self._json(200, {"signedIn": True, **(kept or {})}, cookies_out)

    def logout(self, cookies: dict[str, str]) -> Answer:
        if cookies.get(REFRESH):
            with contextlib.suppress(OSError, ValueError):  # best effort: the pool forgets it too
                self.token_call(
                    f"{self.pool_url}/oauth2/revoke", {"client_id": self.client_id, "token": cookies[REFRESH]}
                )
        query = urllib.parse.urlencode({"client_id": self.client_id, "logout_uri": f"{self.site_url}/"})
        return self._json(200, {"next": f"{self.pool_url}/logout?{query}"}, self._forget())

    # ---- cookies ---------------------------------------------------------------------------------

    def _signed_in_cookies(
        self, answer: dict[str, Any], previous_refresh: str | None, email: str | None = None
    ) -> list[tuple[str, str]]:
        """Set-Cookie headers for a token endpoint's answer: the refresh token and the access token
        (with its expiry and the reader's e-mail), both HttpOnly and only sent to /auth/."""
        refresh = str(answer.get("refresh_token") or previous_refresh or "")
        access = str(answer["access_token"])
        expires_at = int(self.clock()) + int(answer.get("expires_in") or 3600)
        who = claims(answer.get("id_token")).get("email") or email or claims(access).get("username") or ""
        held = f"{expires_at}.{_b64(str(who).encode())}.{access}"
        return [
            self._cookie(HINT, "1", REFRESH_DAYS * 86_400, path="/", http_only=False),
            self._cookie(REFRESH, refresh, REFRESH_DAYS * 86_400),
            self._cookie(ACCESS, held, int(answer.get("expires_in") or 3600)),  # last: token() reads it
        ]

    @staticmethod
    def _held(value: str) -> dict[str, Any] | None:
        expires, _, rest = value.partition(".")
        who, _, access = rest.partition(".")
        try:
            return {"accessToken": access, "expiresAt": int(expires), "email": _unb64(who)} if access else None
        except (ValueError, UnicodeDecodeError, binascii.Error):
            return None

    def _forget(self) -> list[tuple[str, str]]:
        return [
            self._cookie(HINT, "", 0, path="/", http_only=False),
            self._cookie(REFRESH, "", 0),
            self._cookie(ACCESS, "", 0),
        ]

    def _cookie(
        self, name: str, value: str, max_age: int, path: str = "/auth", http_only: bool = True
    ) -> tuple[str, str]:
        attributes = [f"{name}={value}", f"Path={path}", f"Max-Age={max_age}", "SameSite=Lax"]
        if http_only:
            attributes.insert(3, "HttpOnly")
        if self.secure:
            attributes.append("Secure")
        return ("Set-Cookie", "; ".join(attributes))

    @staticmethod
    def _cookies(header: str) -> dict[str, str]:
        jar: SimpleCookie = SimpleCookie()
        try:
            jar.load(header)
        except CookieError:
            return {}
        return {name: morsel.value for name, morsel in jar.items()}

    # ---- answers ---------------------------------------------------------------------------------

    @staticmethod
    def _json(status: int, body: dict[str, Any], cookies: list[tuple[str, str]] | None = None) -> Answer:
        headers = [("Content-Type", "application/json"), ("Cache-Control", "no-store"), *(cookies or [])]
        return status, headers, json.dumps(body).encode()

    @staticmethod
    def _redirect(location: str, cookies: list[tuple[str, str]]) -> Answer:
        return 302, [("Location", location), ("Cache-Control", "no-store"), *cookies], b""

    def _page(self, title: str, text: str, return_to: str, status: int = 400) -> Answer:
        """A page in the site's look for what went wrong, with the ways on."""
        again = "/auth/login?" + urllib.parse.urlencode({"returnTo": return_to})
        page = plain_page(
            title,
            f"""    <div class="message">
      <h1>{html.escape(title)}</h1>
      <p>{html.escape(text)}</p>
      <p class="actions"><a class="button primary" href="{html.escape(again)}">Sign in</a>
      <a href="{html.escape(return_to)}">Go back to the page without signing in</a></p>
    </div>
""",
        )
        headers = [("Content-Type", "text/html; charset=utf-8"), ("Cache-Control", "no-store")]
        return status, headers, page.encode()


def plain_page(title: str, main: str) -> str:
    """A page in the site's look, not for search engines, around `main` (HTML, indented as in <main>)."""
    return f"""<!doctype html>
<html lang="en-GB">
<head>
  <meta charset="utf-8">
  <meta name="viewport" content="width=device-width, initial-scale=1">
  <meta name="robots" content="noindex">
  <title>{html.escape(title)} · Essay library</title>
  <link rel="icon" href="data:,">
  <link rel="stylesheet" href="/assets/site.css">
</head>
<body>
  <header class="site"><div class="bar"><a class="brand" href="/">Essay<span>library</span></a></div></header>
  <main id="main">
{main}  </main>
</body>
</html>
"""
