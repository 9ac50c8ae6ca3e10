"""Who signs the readers' tokens, and where its keys are fetched from."""

from __future__ import annotations

import os
from urllib.parse import urlsplit

from shared.errors import ConfigError
from shared.records import Record
from shared.settings.environment import LOOPBACK, flag, no_odd_characters, optional, required


class IssuerConfig(Record):
    issuer: str
    audience: str  # the app client id (Cognito access tokens carry it as client_id)
    token_use: str | None  # "access" or "id" for Cognito; None for issuers without the claim


def jwks_url(issuer: str) -> str:
    """Where the issuer's signing keys may be fetched from: whoever controls that URL can sign tokens.

    Parsed, never compared by prefix: https only, no user name or password, on the issuer's own
    host or the one host JWKS_HOST names; JWKS_LOCAL_EMULATOR=true (a local emulator serving the
    keys, set by the template only when CognitoEndpoint is) allows http, on this machine only.
    """
    url = optional("JWKS_URL") or issuer.rstrip("/") + "/.well-known/jwks.json"
    no_odd_characters("JWKS_URL", url)
    parts = urlsplit(url)
    try:
        parts.port  # noqa: B018 - a port that is not a number raises here
    except ValueError:
        raise ConfigError("JWKS_URL has an invalid port") from None
    if "@" in parts.netloc:
        raise ConfigError("JWKS_URL must not hold a user name or password")
    host = (parts.hostname or "").lower()
    if flag("JWKS_LOCAL_EMULATOR"):
        if parts.scheme not in ("http", "https") or host not in LOOPBACK:
            raise ConfigError("with JWKS_LOCAL_EMULATOR, JWKS_URL must be on 127.0.0.1, localhost or ::1")
        return url
    if parts.scheme != "https":
        raise ConfigError("JWKS_URL must be an https:// URL")
    allowed = {(urlsplit(issuer).hostname or "").lower(), os.environ.get("JWKS_HOST", "").strip().lower()} - {""}
    if host not in allowed:
        raise ConfigError(f"JWKS_URL must be on the issuer's host or on JWKS_HOST, not {host!r}")
    return url


class IdentityConfig(Record):
    """The signed-in authorizer: token checks only, no data."""

    issuer: IssuerConfig
    jwks_url: str

    @classmethod
    def from_env(cls) -> IdentityConfig:
        issuer = required("TOKEN_ISSUER")  # exactly as the tokens' iss: Auth0's ends in "/", Cognito's does not
        return cls(IssuerConfig(issuer, required("TOKEN_AUDIENCE"), optional("TOKEN_USE")), jwks_url(issuer))
