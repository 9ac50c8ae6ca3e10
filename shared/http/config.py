"""Environment configuration of the content functions, read and checked once per container."""

from __future__ import annotations

import os
from dataclasses import dataclass


class ConfigError(RuntimeError):
    """A function was deployed with missing or invalid settings: a fault, never the caller's."""


def _int(name: str, default: int, low: int, high: int) -> int:
    raw = os.environ.get(name, str(default))
    try:
        value = int(raw)
    except ValueError:
        raise ConfigError(f"{name} must be an integer, got {raw!r}") from None
    if not low <= value <= high:
        raise ConfigError(f"{name} must be between {low} and {high}, got {value}")
    return value


def _required(name: str) -> str:
    value = os.environ.get(name, "").strip()
    if not value:
        raise ConfigError(f"{name} is not set")
    return value


@dataclass(frozen=True)
class HttpConfig:
    cors_allow_origin: str
    browser_max_age: int  # seconds a browser may reuse a public response
    cdn_max_age: int  # seconds a CDN / API Gateway cache may reuse it

    @classmethod
    def from_env(cls) -> HttpConfig:
        return cls(
            cors_allow_origin=os.environ.get("CORS_ALLOW_ORIGIN", "*"),
            browser_max_age=_int("PUBLIC_MAX_AGE", 300, 0, 86_400),
            cdn_max_age=_int("CDN_MAX_AGE", 3600, 0, 604_800),
        )


@dataclass(frozen=True)
class ContentConfig:
    essays_table: str
    http: HttpConfig

    @classmethod
    def from_env(cls) -> ContentConfig:
        return cls(essays_table=_required("ESSAYS_TABLE"), http=HttpConfig.from_env())


def cursor_secret() -> str:
    """The key that signs pagination cursors; long enough to resist guessing."""
    secret = _required("CURSOR_SECRET")
    if len(secret) < 32:
        raise ConfigError("CURSOR_SECRET must be at least 32 characters")
    return secret


@dataclass(frozen=True)
class IssuerConfig:
    issuer: str
    audience: str  # the app client id (Cognito access tokens carry it as client_id)
    token_use: str | None  # "access" or "id" for Cognito; None for issuers without the claim


@dataclass(frozen=True)
class AuthorizerConfig:
    issuer: IssuerConfig
    jwks_url: str
    subscriptions_table: str

    @classmethod
    def from_env(cls) -> AuthorizerConfig:
        issuer = _required("TOKEN_ISSUER").rstrip("/")
        jwks_url = os.environ.get("JWKS_URL", "").strip() or f"{issuer}/.well-known/jwks.json"
        if not jwks_url.startswith(("https://", "http://127.0.0.1", "http://localhost")):
            raise ConfigError("JWKS_URL must be an https:// URL")
        return cls(
            issuer=IssuerConfig(
                issuer=issuer,
                audience=_required("TOKEN_AUDIENCE"),
                token_use=os.environ.get("TOKEN_USE", "").strip() or None,
            ),
            jwks_url=jwks_url,
            subscriptions_table=_required("SUBSCRIPTIONS_TABLE"),
        )
