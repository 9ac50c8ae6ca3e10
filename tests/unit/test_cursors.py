"""The cursor codec on its own: what a client holds between pages (the handlers' tests page through
search and sections with it; these pin the codec's own contract)."""

from __future__ import annotations

import base64
import json
import re

import pytest

from shared.errors import InvalidRequest
from shared.library.bounds import MAX_CURSOR_CHARS
from shared.library.cursor import INVALID_CURSOR, MAX_CURSOR_AGE, CursorCodec

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


OLD_SECRET = "the-key-before-the-rotation-0123456789abcdef"


def rotated(previous: str | None, asked: list[int] | None = None) -> CursorCodec:
    """A codec whose key was rotated from OLD_SECRET to SECRET (previous: what it is told the old key is)."""

    def old_key() -> str | None:
        if asked is not None:
            asked.append(1)
        return previous

    return CursorCodec(lambda: SECRET, clock=lambda: NOW, previous=old_key)


def test_a_cursor_signed_before_a_rotation_still_pages_while_the_old_key_is_given() -> None:
    before = codec(secret=OLD_SECRET).encode("search:stalin", 20)
    assert rotated(OLD_SECRET).decode(before, "search:stalin", lambda p: True) == 20
    with pytest.raises(InvalidRequest):  # once the old key is no longer given, it is refused
        rotated(None).decode(before, "search:stalin", lambda p: True)
    with pytest.raises(InvalidRequest):  # and a key that is neither signs nothing
        rotated("some-third-key-that-signed-nothing-0123456789").decode(before, "search:stalin", lambda p: True)


def test_new_cursors_are_signed_with_the_current_key_and_the_old_one_is_asked_for_only_when_needed() -> None:
    asked: list[int] = []
    cursor = rotated(OLD_SECRET, asked).encode("section:x", 3)
    assert codec().decode(cursor, "section:x", lambda p: True) == 3  # the current key alone verifies it
    assert rotated(OLD_SECRET, asked).decode(cursor, "section:x", lambda p: True) == 3
    assert asked == []
    with pytest.raises(InvalidRequest):
        codec(secret=OLD_SECRET).decode(cursor, "section:x", lambda p: True)
    with pytest.raises(InvalidRequest):
        rotated(OLD_SECRET, asked).decode(cursor[:-2] + "AA", "section:x", lambda p: True)
    assert asked == [1]


def test_an_old_key_does_not_lift_the_other_checks() -> None:
    old = codec(secret=OLD_SECRET, now=NOW - 3600 - 300 - 1)  # signed before the rotation, and expired
    with pytest.raises(InvalidRequest):
        rotated(OLD_SECRET).decode(old.encode("search:a", 1), "search:a", lambda p: True)
    with pytest.raises(InvalidRequest):  # another scope
        rotated(OLD_SECRET).decode(codec(secret=OLD_SECRET).encode("search:a", 1), "search:b", lambda p: True)
    assert MAX_CURSOR_AGE == 3600 + 300 + 60
