"""Opaque pagination cursors the server can verify: HMAC-signed, bound to what they page
through (a search's words, a section), and short-lived. A tampered, foreign or expired cursor
is refused, so it can never make a request read anything else."""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import json
import time
from typing import Any

from shared.errors import InvalidRequest
from shared.library.bounds import MAX_CURSOR_CHARS

CURSOR_TTL_SECONDS = 3600
_INVALID = "cursor is not valid for this request (it may have expired); start again without it"


class CursorCodec:
    def __init__(self, secret: str, ttl: int = CURSOR_TTL_SECONDS, clock: Any = time.time) -> None:
        self._key = hashlib.sha256(secret.encode("utf-8")).digest()
        self._ttl = ttl
        self._clock = clock

    def _sign(self, payload: bytes) -> bytes:
        return hmac.new(self._key, payload, hashlib.sha256).digest()[:16]

    def encode(self, scope: str, position: Any) -> str:
        payload = json.dumps(
            {"s": scope, "p": position, "e": int(self._clock()) + self._ttl}, separators=(",", ":")
        ).encode("utf-8")
        return base64.urlsafe_b64encode(self._sign(payload) + payload).decode("ascii").rstrip("=")

    def decode(self, cursor: str, scope: str) -> Any:
        if len(cursor) > MAX_CURSOR_CHARS:
            raise InvalidRequest(_INVALID)
        try:
            raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
        except (binascii.Error, ValueError):
            raise InvalidRequest(_INVALID) from None
        signature, payload = raw[:16], raw[16:]
        if not hmac.compare_digest(signature, self._sign(payload)):
            raise InvalidRequest(_INVALID)
        data = json.loads(payload)  # signed by us: well-formed
        if data["s"] != scope or data["e"] < self._clock():
            raise InvalidRequest(_INVALID)
        return data["p"]
