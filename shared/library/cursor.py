"""Opaque pagination cursors the server can verify: HMAC-signed, bound to what they page
through (a search's words, a section), and short-lived. A tampered, foreign or expired cursor
is refused, so it can never make a request read anything else.

A valid signature is not trusted blindly either: after it, every field's type and range is
checked (the caller says what a position may be), so even a cursor forged with the key is a
400, never a 500 or a read of something else."""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import json
import time
from collections.abc import Callable
from typing import Any

from shared.errors import InvalidRequest
from shared.library.bounds import MAX_CURSOR_CHARS

CURSOR_TTL_SECONDS = 3600
CLOCK_SKEW_SECONDS = 60  # another container's clock may run this far ahead of ours
# Expiries are rounded up to a whole step, so a page's body (and its ETag) stays the same for that
# long and If-None-Match revalidation works; a cursor lives TTL to TTL + one step.
EXPIRY_STEP_SECONDS = 300
# The longest a cursor stays valid after it was signed: how long a replaced key must still verify.
MAX_CURSOR_AGE = CURSOR_TTL_SECONDS + EXPIRY_STEP_SECONDS + CLOCK_SKEW_SECONDS
MIN_SECRET_CHARS = 32
SIGNATURE_BYTES = 16
INVALID_CURSOR = "cursor is not valid for this request (it may have expired); start again without it"


def _mac(secret: str, payload: bytes) -> bytes:
    key = hashlib.sha256(secret.encode("utf-8")).digest()
    return hmac.new(key, payload, hashlib.sha256).digest()[:SIGNATURE_BYTES]


class CursorCodec:
    """`secret` gives the signing key when first needed (it is read from Secrets Manager at run
    time, never from the function's configuration). `previous` gives the key a rotation replaced
    while cursors it signed may still be valid (else None): those keep working across a rotation."""

    def __init__(
        self,
        secret: Callable[[], str],
        ttl: int = CURSOR_TTL_SECONDS,
        clock: Callable[[], float] = time.time,
        previous: Callable[[], str | None] | None = None,
    ) -> None:
        self._secret = secret
        self._ttl = ttl
        self._clock = clock
        self._previous = previous

    def _sign(self, payload: bytes) -> bytes:
        secret = self._secret()
        if len(secret) < MIN_SECRET_CHARS:
            raise ValueError(f"the cursor secret must be at least {MIN_SECRET_CHARS} characters")  # a fault: 500
        return _mac(secret, payload)

    def _signed(self, signature: bytes, payload: bytes) -> bool:
        if hmac.compare_digest(signature, self._sign(payload)):
            return True
        if self._previous is None:
            return False
        previous = self._previous()  # asked only for a cursor the current key did not sign
        return previous is not None and hmac.compare_digest(signature, _mac(previous, payload))

    def encode(self, scope: str, position: Any) -> str:
        expires = -(-(int(self._clock()) + self._ttl) // EXPIRY_STEP_SECONDS) * EXPIRY_STEP_SECONDS
        payload = json.dumps({"s": scope, "p": position, "e": expires}, separators=(",", ":")).encode("utf-8")
        return base64.urlsafe_b64encode(self._sign(payload) + payload).decode("ascii").rstrip("=")

    def decode(self, cursor: str, scope: str, valid_position: Callable[[Any], bool]) -> Any:
        """The position a cursor of `scope` carries, if `valid_position` accepts it; else a 400."""
        if len(cursor) > MAX_CURSOR_CHARS:
            raise InvalidRequest(INVALID_CURSOR)
        try:
            raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
        except (binascii.Error, ValueError):
            raise InvalidRequest(INVALID_CURSOR) from None
        signature, payload = raw[:SIGNATURE_BYTES], raw[SIGNATURE_BYTES:]
        if not self._signed(signature, payload):
            raise InvalidRequest(INVALID_CURSOR)
        try:
            data = json.loads(payload)
        except ValueError:  # not JSON, not UTF-8, or a number too long to read
            raise InvalidRequest(INVALID_CURSOR) from None
        if not (isinstance(data, dict) and set(data) == {"s", "p", "e"}):
            raise InvalidRequest(INVALID_CURSOR)
        expires, now = data["e"], self._clock()
        if not (type(expires) is int and now <= expires <= now + self._ttl + EXPIRY_STEP_SECONDS + CLOCK_SKEW_SECONDS):
            raise InvalidRequest(INVALID_CURSOR)
        if data["s"] != scope or not valid_position(data["p"]):
            raise InvalidRequest(INVALID_CURSOR)
        return data["p"]
