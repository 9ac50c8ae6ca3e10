"""Secrets read at run time from Secrets Manager, never from a function's configuration (which
`GetFunctionConfiguration` shows to anyone allowed to read it).

Each secret is fetched on first use and kept for SECRETS_MAX_AGE_MINUTES (the template's
SecretsMaxAgeMinutes, 5 by default), then read again: a value rotated in Secrets Manager reaches every
warm container within that age, with no deploy (docs/operations.md has each secret's rotation). If the
read again fails, the value in hand is kept and the read retried RETRY_SECONDS later, so an outage of
Secrets Manager does not take down a function that already holds its secret; with no value in hand,
the request is refused (503). The client is created once, lazily (never at import, so tests can start
moto first).
"""

from __future__ import annotations

import functools
import os
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import boto3
from botocore.config import Config
from botocore.exceptions import BotoCoreError, ClientError

from shared.errors import Unavailable

UNAVAILABLE = "The service is briefly unavailable; please retry in a moment."
DEFAULT_MAX_AGE_MINUTES = 5.0
RETRY_SECONDS = 30.0  # after a failed refresh, how long the value in hand is used before trying again


@dataclass(frozen=True)
class _Cached:
    value: str
    fresh_until: float  # on the monotonic clock


_values: dict[str, _Cached] = {}
_lock = threading.Lock()
clock: Callable[[], float] = time.monotonic  # tests move it


def max_age_seconds() -> float:
    """SECRETS_MAX_AGE_MINUTES as seconds (a missing, unreadable or non-positive value: the default)."""
    try:
        minutes = float(os.environ.get("SECRETS_MAX_AGE_MINUTES", DEFAULT_MAX_AGE_MINUTES))
    except ValueError:
        minutes = DEFAULT_MAX_AGE_MINUTES
    return (minutes if minutes > 0 else DEFAULT_MAX_AGE_MINUTES) * 60


@functools.cache
def secrets_client() -> Any:
    """One client per container. The endpoint honours AWS_ENDPOINT_URL(_SECRETS_MANAGER) for emulators."""
    # Two attempts of at most 1 s connect + 2 s read stay inside the functions' 8 s timeout.
    config = Config(connect_timeout=1, read_timeout=2, retries={"mode": "standard", "max_attempts": 2})
    return boto3.client("secretsmanager", config=config)


def _fetch(secret_id: str) -> str:
    try:
        response = secrets_client().get_secret_value(SecretId=secret_id)
    except (ClientError, BotoCoreError) as error:
        raise Unavailable(UNAVAILABLE) from error
    secret = response.get("SecretString")
    if not isinstance(secret, str):
        raise Unavailable(UNAVAILABLE)  # a binary secret: not one of ours
    return secret


def secret_string(secret_id: str) -> str:
    """The SecretString of `secret_id` (its ARN or name), at most SECRETS_MAX_AGE_MINUTES old.

    Any AWS error (throttling, an outage, a missing secret or permission) on the first read is
    Unavailable: a 503, and the caller is refused rather than served without the secret.
    """
    cached = _values.get(secret_id)
    if cached is not None and clock() < cached.fresh_until:
        return cached.value
    with _lock:
        cached = _values.get(secret_id)
        now = clock()
        if cached is not None and now < cached.fresh_until:
            return cached.value  # another thread has just read it
        try:
            value = _fetch(secret_id)
        except Unavailable:
            if cached is None:
                raise
            _values[secret_id] = _Cached(cached.value, now + RETRY_SECONDS)
            return cached.value
        _values[secret_id] = _Cached(value, now + max_age_seconds())
        return value


def forget() -> None:
    """Drop the cached values and client (tests; a new container does the same)."""
    with _lock:
        _values.clear()
        secrets_client.cache_clear()
