"""The cursor codec on its own: what a client holds between pages (the handlers' tests page through
search and sections with it; these pin the codec's own contract)."""

from __future__ import annotations

import base64
import json

import pytest

from shared.errors import InvalidRequest
from shared.library.cursor import CursorCodec

SECRET = "cursor-secret-for-unit-tests-0123456789abcdef"
NOW = 1_764_331_200.0  # 2025-11-28T12:00:00Z, a multiple of the 300 s expiry step


def codec(secret: str = SECRET, ttl: int = 3600, now: float = NOW) -> CursorCodec:
    return CursorCodec(lambda: secret, ttl=ttl, clock=lambda: now)


def test_a_cursor_carries_its_position_back_in_compact_url_safe_form() -> None:
    cursor = codec().encode("search:stalin", 20)
    assert codec().decode(cursor, "search:stalin", lambda p: isinstance(p, int)) == 20
    assert set(cursor) <= set("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_")
    raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
    # 16 bytes of signature, then the smallest JSON of scope, position and expiry: it travels in URLs
    assert raw[16:] == json.dumps({"s": "search:stalin", "p": 20, "e": int(NOW) + 3600}, separators=(",", ":")).encode()


def test_the_lifetime_is_the_codec_s_own() -> None:
    short = codec(ttl=600).encode("section:x", 3)
    assert codec(ttl=600, now=NOW + 600).decode(short, "section:x", lambda p: True) == 3
    with pytest.raises(InvalidRequest):
        codec(ttl=600, now=NOW + 601).decode(short, "section:x", lambda p: True)


def test_a_cursor_signed_with_another_secret_is_refused() -> None:
    cursor = codec(secret="another-secret-of-enough-length-0123456789").encode("search:stalin", 20)
    with pytest.raises(InvalidRequest):
        codec().decode(cursor, "search:stalin", lambda p: True)
