"""Verifying the identity provider's JWTs (Cognito or any OIDC issuer) with PyJWT.

RS256 only: the algorithm is pinned here, never taken from the token. The signing key is
chosen by the token's `kid` from the issuer's JWKS, fetched once per container and kept;
an unknown `kid` (the issuer rotated its keys) refetches the set at most once a minute.

Ours, not PyJWT's PyJWKClient: at a cold start they cost the same (`import jwt` loads PyJWKClient
anyway; import + first verify measured by essays_cli/bench/libraries.py, docs/performance.md), but
PyJWKClient reads the key set whole, however large, and fetches it again every `lifespan` seconds on
a request's path; this cache refuses a set over 1 MB unread and refetches only for an unknown `kid`.
"""

from __future__ import annotations

import json
import threading
import time
import urllib.request
from collections.abc import Callable
from typing import Any

import jwt

from shared.settings.identity import IssuerConfig

ALGORITHM = "RS256"
LEEWAY_SECONDS = 30
REFETCH_INTERVAL_SECONDS = 60


class TokenRejected(Exception):
    """The caller's token is missing or not acceptable: 401. The reason is for logs only."""


class KeySetUnavailable(Exception):
    """The issuer's JWKS could not be fetched or read: a fault, the caller is denied."""


def fetch_json(url: str, timeout: float = 2.0) -> Any:
    request = urllib.request.Request(url, headers={"Accept": "application/json"})
    with urllib.request.urlopen(request, timeout=timeout) as response:
        return json.loads(response.read(1_000_000))


class JwksCache:
    def __init__(
        self, url: str, fetch: Callable[[str], Any] = fetch_json, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self.url = url
        self._fetch = fetch
        self._clock = clock
        self._keys: dict[str, jwt.PyJWK] = {}
        self._fetched_at: float | None = None
        self._lock = threading.Lock()
        self.fetches = 0

    def key(self, kid: str) -> Any:
        with self._lock:
            if kid not in self._keys and self._may_refetch():
                self._refresh()
            found = self._keys.get(kid)
        if found is None:
            raise TokenRejected(f"unknown signing key id {kid!r}")
        return found.key

    def _may_refetch(self) -> bool:
        return self._fetched_at is None or self._clock() - self._fetched_at >= REFETCH_INTERVAL_SECONDS

    def _refresh(self) -> None:
        self._fetched_at = self._clock()
        self.fetches += 1
        try:
            document = self._fetch(self.url)
            keys = {}
            for entry in document["keys"]:
                if entry.get("kty") == "RSA" and entry.get("use", "sig") == "sig" and "kid" in entry:
                    keys[entry["kid"]] = jwt.PyJWK(entry, algorithm=ALGORITHM)
        except Exception as error:  # network, JSON or key format: all mean "no keys to trust"
            raise KeySetUnavailable(f"cannot read the JWKS at {self.url}: {type(error).__name__}") from error
        self._keys = keys


class TokenVerifier:
    def __init__(self, config: IssuerConfig, keys: JwksCache) -> None:
        self.config = config
        self.keys = keys

    def verify(self, authorization: str | None) -> dict[str, Any]:
        """The verified claims of `Authorization: Bearer <JWT>`, or TokenRejected."""
        scheme, _, token = (authorization or "").strip().partition(" ")
        token = token.strip()
        if scheme.lower() != "bearer" or not token:
            raise TokenRejected("no bearer token")
        try:
            header = jwt.get_unverified_header(token)
        except jwt.InvalidTokenError as error:
            raise TokenRejected(f"malformed token: {error}") from None
        if header.get("alg") != ALGORITHM:
            raise TokenRejected(f"algorithm {header.get('alg')!r} is not accepted")
        kid = header.get("kid")
        if not isinstance(kid, str) or not kid:
            raise TokenRejected("token has no key id")
        try:
            claims: dict[str, Any] = jwt.decode(
                token,
                self.keys.key(kid),
                algorithms=[ALGORITHM],
                issuer=self.config.issuer,
                leeway=LEEWAY_SECONDS,
                options={"require": ["exp", "iat", "iss", "sub"], "verify_aud": False},
            )
        except jwt.InvalidTokenError as error:
            raise TokenRejected(f"{type(error).__name__}: {error}") from None
        self._check_audience(claims)
        if self.config.token_use and claims.get("token_use") != self.config.token_use:
            raise TokenRejected(f"token_use {claims.get('token_use')!r} is not {self.config.token_use!r}")
        if not isinstance(claims.get("sub"), str) or not claims["sub"]:
            raise TokenRejected("token has no subject")
        return claims

    def _check_audience(self, claims: dict[str, Any]) -> None:
        audience = claims.get("aud", claims.get("client_id"))
        audiences = audience if isinstance(audience, list) else [audience]
        if self.config.audience not in audiences:
            raise TokenRejected("token is for another audience")
