"""Secrets read at run time from Secrets Manager, never from a function's configuration (which
`GetFunctionConfiguration` shows to anyone allowed to read it).

Each secret is fetched on first use and kept for the container's life; the client is created
once, lazily (never at import, so tests can start moto first). A secret rotated in Secrets
Manager reaches warm containers as they are recycled: whoever rotates must accept both values
for a while (the cursor key: cursors under an hour old are refused and clients start again).
"""

from __future__ import annotations

import functools
import threading
from typing import Any

import boto3
from botocore.config import Config
from botocore.exceptions import BotoCoreError, ClientError

from shared.errors import Unavailable

UNAVAILABLE = "The service is briefly unavailable; please retry in a moment."

_values: dict[str, str] = {}
_lock = threading.Lock()


@functools.cache
def secrets_client() -> Any:
    """One client per container. The endpoint honours AWS_ENDPOINT_URL(_SECRETS_MANAGER) for emulators."""
    # Two attempts of at most 1 s connect + 2 s read stay inside the functions' 8 s timeout.
    config = Config(connect_timeout=1, read_timeout=2, retries={"mode": "standard", "max_attempts": 2})
    return boto3.client("secretsmanager", config=config)


def secret_string(secret_id: str) -> str:
    """The SecretString of `secret_id` (its ARN or name), fetched once per container.

    Any AWS error (throttling, an outage, a missing secret or permission) is Unavailable: a 503,
    and the caller is refused rather than served without the secret.
    """
    value = _values.get(secret_id)
    if value is not None:
        return value
    with _lock:
        if secret_id not in _values:
            try:
                response = secrets_client().get_secret_value(SecretId=secret_id)
            except (ClientError, BotoCoreError) as error:
                raise Unavailable(UNAVAILABLE) from error
            secret = response.get("SecretString")
            if not isinstance(secret, str):
                raise Unavailable(UNAVAILABLE)  # a binary secret: not one of ours
            _values[secret_id] = secret
        return _values[secret_id]


def forget() -> None:
    """Drop the cached values and client (tests; a new container does the same)."""
    with _lock:
        _values.clear()
        secrets_client.cache_clear()
