"""Secrets read at run time from Secrets Manager, never from a function's configuration (which
`GetFunctionConfiguration` shows to anyone allowed to read it).

Each secret is fetched on first use and kept for SECRETS_MAX_AGE_MINUTES (the template's
SecretsMaxAgeMinutes, 5 by default), then read again: a value rotated in Secrets Manager reaches every
warm container within that age, with no deploy (docs/operations.md has each secret's rotation). If the
read again fails, the value in hand is kept and the read retried RETRY_SECONDS later, so an outage of
Secrets Manager does not take down a function that already holds its secret; with no value in hand,
the request is refused (503). The client is created once, lazily (never at import, so tests can start
moto first).

Ours, not Powertools Parameters' `get_secret` (whose `max_age` bounds a value's age the same way):
importing Powertools' parameters utility added about 100 ms of CPU to the first request that reads a
secret (essays_cli/bench/libraries.py, docs/performance.md), and it neither keeps the value in hand
when a refresh fails nor gives the previous value for a while after a rotation.

`previous_secret_string` gives the value a rotation replaced (Secrets Manager's AWSPREVIOUS), for a
while after the rotation only: a key that signs short-lived tokens (the cursor key) keeps verifying
what it signed until those have expired, then is forgotten.
"""

from __future__ import annotations

import functools
import os
import threading
import time
from collections.abc import Callable
from typing import Any

from botocore.config import Config
from botocore.exceptions import BotoCoreError, ClientError

from shared.errors import Unavailable
from shared.records import Record
from shared.store.clients import aws_client

UNAVAILABLE = "The service is briefly unavailable; please retry in a moment."
DEFAULT_MAX_AGE_MINUTES = 5.0
RETRY_SECONDS = 30.0  # after a failed refresh, how long the value in hand is used before trying again


CURRENT, PREVIOUS = "AWSCURRENT", "AWSPREVIOUS"


class _Cached(Record):
    value: str | None  # None: no such version (there is no previous value)
    created: float  # when this version was put, in seconds since the epoch
    fresh_until: float  # on the monotonic clock


_values: dict[tuple[str, str], _Cached] = {}
_lock = threading.Lock()
clock: Callable[[], float] = time.monotonic  # tests move them
wall_clock: Callable[[], float] = time.time


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
    return aws_client("secretsmanager", config)


def _fetch(secret_id: str, stage: str) -> tuple[str | None, float]:
    try:
        response = secrets_client().get_secret_value(SecretId=secret_id, VersionStage=stage)
    except ClientError as error:
        if stage == PREVIOUS and error.response.get("Error", {}).get("Code") == "ResourceNotFoundException":
            return None, 0.0  # never rotated
        raise Unavailable(UNAVAILABLE) from error
    except BotoCoreError as error:
        raise Unavailable(UNAVAILABLE) from error
    secret = response.get("SecretString")
    if not isinstance(secret, str):
        raise Unavailable(UNAVAILABLE)  # a binary secret: not one of ours
    created = response.get("CreatedDate")
    return secret, created.timestamp() if created is not None else 0.0


def secret_string(secret_id: str) -> str:
    """The SecretString of `secret_id` (its ARN or name), at most SECRETS_MAX_AGE_MINUTES old.

    Any AWS error (throttling, an outage, a missing secret or permission) on the first read is
    Unavailable: a 503, and the caller is refused rather than served without the secret.
    """
    value = _version(secret_id, CURRENT).value
    assert value is not None  # AWSCURRENT always exists: a missing secret raised Unavailable
    return value


def previous_secret_string(secret_id: str, within_seconds: float) -> str | None:
    """The value the last rotation of `secret_id` replaced, if that rotation is under `within_seconds`
    old; else (or if it was never rotated, or the previous value cannot be read) None."""
    current = _version(secret_id, CURRENT)
    if wall_clock() - current.created > within_seconds:
        return None  # nothing signed with the old value can still be valid: no call at all
    try:
        return _version(secret_id, PREVIOUS).value
    except Unavailable:
        return None  # only what the old value signed is refused


def _version(secret_id: str, stage: str) -> _Cached:
    key = (secret_id, stage)
    cached = _values.get(key)
    if cached is not None and clock() < cached.fresh_until:
        return cached
    with _lock:
        cached = _values.get(key)
        now = clock()
        if cached is not None and now < cached.fresh_until:
            return cached  # another thread has just read it
        try:
            value, created = _fetch(secret_id, stage)
        except Unavailable:
            if cached is None:
                raise
            _values[key] = cached = _Cached(cached.value, cached.created, now + RETRY_SECONDS)
            return cached
        _values[key] = cached = _Cached(value, created, now + max_age_seconds())
        return cached


def forget() -> None:
    """Drop the cached values and client (tests; a new container does the same)."""
    with _lock:
        _values.clear()
        secrets_client.cache_clear()
