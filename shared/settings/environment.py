"""Reading environment variables: each value checked, a bad one named in a ConfigError."""

from __future__ import annotations

import os
from urllib.parse import urlsplit

from shared.errors import ConfigError

LOOPBACK = frozenset({"127.0.0.1", "localhost", "::1"})


def whole_number(name: str, default: int, low: int, high: int) -> int:
    raw = os.environ.get(name, str(default))
    try:
        value = int(raw)
    except ValueError:
        raise ConfigError(f"{name} must be an integer, got {raw!r}") from None
    if not low <= value <= high:
        raise ConfigError(f"{name} must be between {low} and {high}, got {value}")
    return value


def required(name: str) -> str:
    value = os.environ.get(name, "").strip()
    if not value:
        raise ConfigError(f"{name} is not set")
    return value


def optional(name: str) -> str | None:
    return os.environ.get(name, "").strip() or None


def flag(name: str) -> bool:
    raw = os.environ.get(name, "").strip()
    if raw not in ("", "true", "false"):
        raise ConfigError(f"{name} must be true or false, got {raw!r}")
    return raw == "true"


def no_odd_characters(name: str, value: str) -> None:
    if any(ch.isspace() or not ch.isprintable() or ch == "\\" for ch in value):
        raise ConfigError(f"{name} must not contain spaces, control characters or backslashes")


def local_or_https(name: str, value: str) -> str:
    """A URL our code sends credentials or readers to: parsed, never compared by prefix; https, or
    http on this machine only (a local fake); no user name or password."""
    if not value:
        return value
    no_odd_characters(name, value)
    parts = urlsplit(value)
    if "@" in parts.netloc or not parts.hostname:
        raise ConfigError(f"{name} must be a URL with a host and no user name or password")
    if parts.scheme == "https" or (parts.scheme == "http" and parts.hostname.lower() in LOOPBACK):
        return value
    raise ConfigError(f"{name} must be an https:// URL")
