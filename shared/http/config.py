"""Environment configuration of the content functions, read and checked once per container.

The settings classes are frozen but never compared or printed: no generated `__eq__`, `__hash__` or
`__repr__`, whose code every cold start would compile for each class."""

from __future__ import annotations

import os
from dataclasses import dataclass
from urllib.parse import urlsplit

from shared.errors import ConfigError


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


@dataclass(frozen=True, eq=False, repr=False)
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


@dataclass(frozen=True, eq=False, repr=False)
class ContentConfig:
    essays_table: str
    http: HttpConfig

    @classmethod
    def from_env(cls) -> ContentConfig:
        return cls(essays_table=_required("ESSAYS_TABLE"), http=HttpConfig.from_env())


def cursor_secret_id() -> str:
    """The ARN of the secret that signs pagination cursors: the functions read its value at run
    time (shared/store/secrets.py), so the key never sits in their configuration."""
    return _required("CURSOR_SECRET_ARN")


@dataclass(frozen=True, eq=False, repr=False)
class IssuerConfig:
    issuer: str
    audience: str  # the app client id (Cognito access tokens carry it as client_id)
    token_use: str | None  # "access" or "id" for Cognito; None for issuers without the claim


_LOOPBACK = frozenset({"127.0.0.1", "localhost", "::1"})


def _flag(name: str) -> bool:
    raw = os.environ.get(name, "").strip()
    if raw not in ("", "true", "false"):
        raise ConfigError(f"{name} must be true or false, got {raw!r}")
    return raw == "true"


def _jwks_url(issuer: str) -> str:
    """Where the issuer's signing keys may be fetched from: whoever controls that URL can sign tokens.

    Parsed, never compared by prefix: https only, no user name or password, on the issuer's own
    host or the one host JWKS_HOST names; JWKS_LOCAL_EMULATOR=true (a local emulator serving the
    keys, set by the template only when CognitoEndpoint is) allows http, on this machine only.
    """
    url = os.environ.get("JWKS_URL", "").strip() or issuer.rstrip("/") + "/.well-known/jwks.json"
    if any(ch.isspace() or not ch.isprintable() or ch == "\\" for ch in url):
        raise ConfigError("JWKS_URL must not contain spaces, control characters or backslashes")
    parts = urlsplit(url)
    try:
        parts.port  # noqa: B018 - a port that is not a number raises here
    except ValueError:
        raise ConfigError("JWKS_URL has an invalid port") from None
    if "@" in parts.netloc:
        raise ConfigError("JWKS_URL must not hold a user name or password")
    host = (parts.hostname or "").lower()
    if _flag("JWKS_LOCAL_EMULATOR"):
        if parts.scheme not in ("http", "https") or host not in _LOOPBACK:
            raise ConfigError("with JWKS_LOCAL_EMULATOR, JWKS_URL must be on 127.0.0.1, localhost or ::1")
        return url
    if parts.scheme != "https":
        raise ConfigError("JWKS_URL must be an https:// URL")
    allowed = {(urlsplit(issuer).hostname or "").lower(), os.environ.get("JWKS_HOST", "").strip().lower()} - {""}
    if host not in allowed:
        raise ConfigError(f"JWKS_URL must be on the issuer's host or on JWKS_HOST, not {host!r}")
    return url


@dataclass(frozen=True, eq=False, repr=False)
class AuthorizerConfig:
    issuer: IssuerConfig
    jwks_url: str
    subscriptions_table: str
    free_essays_per_month: int  # the meter: 0 is the pure paywall

    @classmethod
    def from_env(cls) -> AuthorizerConfig:
        identity = IdentityConfig.from_env()
        return cls(
            issuer=identity.issuer,
            jwks_url=identity.jwks_url,
            subscriptions_table=_required("SUBSCRIPTIONS_TABLE"),
            free_essays_per_month=free_essays_per_month(),
        )


def free_essays_per_month() -> int:
    """FREE_ESSAYS_PER_MONTH: full essays a signed-in reader without a subscription may open a month."""
    return _int("FREE_ESSAYS_PER_MONTH", 0, 0, 100)


def _local_or_https(name: str, value: str) -> str:
    """A URL our code sends credentials or readers to: parsed, never compared by prefix; https, or
    http on this machine only (a local fake); no user name or password."""
    if not value:
        return value
    if any(ch.isspace() or not ch.isprintable() or ch == "\\" for ch in value):
        raise ConfigError(f"{name} must not contain spaces, control characters or backslashes")
    parts = urlsplit(value)
    if "@" in parts.netloc or not parts.hostname:
        raise ConfigError(f"{name} must be a URL with a host and no user name or password")
    if parts.scheme == "https" or (parts.scheme == "http" and parts.hostname.lower() in _LOOPBACK):
        return value
    raise ConfigError(f"{name} must be an https:// URL")


@dataclass(frozen=True, eq=False, repr=False)
class StripeConfig:
    secret_key_id: str  # the Secrets Manager secret holding the Stripe secret key (its ARN or name)
    api_base: str | None  # None: Stripe itself; a local fake in tests and on the local stack

    @classmethod
    def from_env(cls) -> StripeConfig:
        base = _local_or_https("STRIPE_API_BASE", os.environ.get("STRIPE_API_BASE", "").strip())
        return cls(secret_key_id=_required("STRIPE_SECRET_KEY_ID"), api_base=base or None)


@dataclass(frozen=True, eq=False, repr=False)
class BillingConfig:
    """POST /checkout and POST /billing/portal."""

    subscriptions_table: str
    stripe: StripeConfig
    sessions_per_hour: int  # new Checkout Sessions one reader may make in an hour
    success_url: str
    cancel_url: str
    portal_return_url: str
    http: HttpConfig

    @classmethod
    def from_env(cls) -> BillingConfig:
        return cls(
            subscriptions_table=_required("SUBSCRIPTIONS_TABLE"),
            stripe=StripeConfig.from_env(),
            sessions_per_hour=_int("CHECKOUT_SESSIONS_PER_HOUR", 10, 1, 1000),
            success_url=_local_or_https("CHECKOUT_SUCCESS_URL", _required("CHECKOUT_SUCCESS_URL")),
            cancel_url=_local_or_https("CHECKOUT_CANCEL_URL", _required("CHECKOUT_CANCEL_URL")),
            portal_return_url=_local_or_https("PORTAL_RETURN_URL", _required("PORTAL_RETURN_URL")),
            http=HttpConfig.from_env(),
        )


@dataclass(frozen=True, eq=False, repr=False)
class WebhookConfig:
    """POST /billing/webhook."""

    subscriptions_table: str
    billing_table: str
    signing_secret_id: str  # the Secrets Manager secret holding the endpoint's whsec_... signing secret
    http: HttpConfig

    @classmethod
    def from_env(cls) -> WebhookConfig:
        return cls(
            subscriptions_table=_required("SUBSCRIPTIONS_TABLE"),
            billing_table=_required("BILLING_TABLE"),
            signing_secret_id=_required("STRIPE_WEBHOOK_SECRET_ID"),
            http=HttpConfig.from_env(),
        )


@dataclass(frozen=True, eq=False, repr=False)
class MeConfig:
    """GET /me/subscription."""

    subscriptions_table: str
    meter_table: str
    free_essays_per_month: int
    http: HttpConfig

    @classmethod
    def from_env(cls) -> MeConfig:
        return cls(
            subscriptions_table=_required("SUBSCRIPTIONS_TABLE"),
            meter_table=_required("METER_TABLE"),
            free_essays_per_month=free_essays_per_month(),
            http=HttpConfig.from_env(),
        )


@dataclass(frozen=True, eq=False, repr=False)
class EssayConfig:
    """GET /essays/{essayId}: the bodies, and the meter for signed-in readers without a subscription."""

    essays_table: str
    meter_table: str
    free_essays_per_month: int
    http: HttpConfig

    @classmethod
    def from_env(cls) -> EssayConfig:
        return cls(
            essays_table=_required("ESSAYS_TABLE"),
            meter_table=_required("METER_TABLE"),
            free_essays_per_month=free_essays_per_month(),
            http=HttpConfig.from_env(),
        )


@dataclass(frozen=True, eq=False, repr=False)
class IdentityConfig:
    """The signed-in authorizer: token checks only, no data."""

    issuer: IssuerConfig
    jwks_url: str

    @classmethod
    def from_env(cls) -> IdentityConfig:
        issuer = _required("TOKEN_ISSUER")  # exactly as the tokens' iss: Auth0's ends in "/", Cognito's does not
        return cls(
            issuer=IssuerConfig(
                issuer=issuer,
                audience=_required("TOKEN_AUDIENCE"),
                token_use=os.environ.get("TOKEN_USE", "").strip() or None,
            ),
            jwks_url=_jwks_url(issuer),
        )


@dataclass(frozen=True, eq=False, repr=False)
class SignUpConfig:
    """The user pool's sign-up triggers (functions/signup)."""

    meter_table: str  # where claimed addresses are kept

    @classmethod
    def from_env(cls) -> SignUpConfig:
        return cls(meter_table=_required("METER_TABLE"))


@dataclass(frozen=True, eq=False, repr=False)
class SubmissionsConfig:
    """/me/submissions: contributors' own submissions, the uploads bucket, the taxonomy to choose from."""

    submissions_table: str
    essays_table: str  # the TAXONOMY partition only (template.yaml)
    uploads_bucket: str
    max_upload_bytes: int
    http: HttpConfig

    @classmethod
    def from_env(cls) -> SubmissionsConfig:
        return cls(
            submissions_table=_required("SUBMISSIONS_TABLE"),
            essays_table=_required("ESSAYS_TABLE"),
            uploads_bucket=_required("UPLOADS_BUCKET"),
            max_upload_bytes=_int("MAX_UPLOAD_MEGABYTES", 5, 1, 20) * 1024 * 1024,
            http=HttpConfig.from_env(),
        )


@dataclass(frozen=True, eq=False, repr=False)
class ReviewConfig:
    """/review/*: the teachers' queue and actions; publishing writes the essay as a load does."""

    submissions_table: str
    essays_table: str
    subscriptions_table: str  # a contributor's free essays, credited on publication
    claim_seconds: int
    free_essays_per_publication: int
    preview_share: float
    http: HttpConfig

    @classmethod
    def from_env(cls) -> ReviewConfig:
        return cls(
            submissions_table=_required("SUBMISSIONS_TABLE"),
            essays_table=_required("ESSAYS_TABLE"),
            subscriptions_table=_required("SUBSCRIPTIONS_TABLE"),
            claim_seconds=_int("CLAIM_MINUTES", 30, 1, 1440) * 60,
            free_essays_per_publication=_int("FREE_ESSAYS_PER_PUBLICATION", 3, 0, 100),
            preview_share=_int("PREVIEW_SHARE_PERCENT", 30, 1, 50) / 100,
            http=HttpConfig.from_env(),
        )
