"""The cursor codec on its own: what a client holds between pages (the handlers' tests page through
search and sections with it; these pin the codec's own contract)."""

from __future__ import annotations

import base64
import json
import re

import pytest

from shared.errors import InvalidRequest
from shared.library.bounds import MAX_CURSOR_CHARS
from shared.library.cursor import INVALID_CURSOR, CursorCodec

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


def test_every_cursor_decodes_whatever_its_length_and_last_character() -> None:
    for position in range(300):  # base64 lengths of every remainder, and every last character
        scope = "search:" + "w" * (position % 7)
        assert codec().decode(codec().encode(scope, position), scope, lambda p: True) == position


def test_a_cursor_of_the_longest_allowed_length_is_read_and_one_longer_is_not() -> None:
    scope = next(s for s in ("s" * n for n in range(1400, 1600)) if len(codec().encode(s, 1)) == MAX_CURSOR_CHARS)
    assert codec().decode(codec().encode(scope, 1), scope, lambda p: True) == 1
    with pytest.raises(InvalidRequest, match=re.escape(INVALID_CURSOR)):
        codec().decode(codec().encode(scope + "s", 1), scope + "s", lambda p: True)


def test_what_is_not_base64_gets_the_one_cursor_message() -> None:
    with pytest.raises(InvalidRequest) as refused:
        codec().decode("a", "search:stalin", lambda p: True)
    assert refused.value.message == INVALID_CURSOR


def test_a_cursor_from_a_container_whose_clock_runs_ahead_is_read() -> None:
    cursor = codec().encode("search:stalin", 20)  # expires NOW + 3600 (NOW is on a 300 s step)
    ahead = NOW - (300 + 60)  # we run behind its container by the rounding step and the allowed skew
    assert codec(now=ahead).decode(cursor, "search:stalin", lambda p: True) == 20
    with pytest.raises(InvalidRequest):
        codec(now=ahead - 1).decode(cursor, "search:stalin", lambda p: True)


def test_the_key_is_at_least_32_characters() -> None:
    assert codec(secret="k" * 32).encode("search:stalin", 1)
    with pytest.raises(ValueError):  # a deployment fault (a 500), never a weak signature
        codec(secret="k" * 31).encode("search:stalin", 1)
