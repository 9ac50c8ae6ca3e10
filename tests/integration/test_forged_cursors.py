"""Cursors forged with the signing key (a leaked or guessed key, or a bug of ours that signs the
wrong thing): a valid signature is not trusted blindly. Every field's type and range is checked
after it, and anything odd is a 400 with the cursor message, never a 500 or a misleading 404."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import time
from http import HTTPStatus
from typing import Any

import pytest

from functions.search import app as search_app
from functions.sections import app as sections_app
from shared.library.cursor import INVALID_CURSOR
from tests.conftest import CURSOR_SECRET, api_event, body_of

HISTORY = "as-and-a-level--history--modern-european-history-1789-1945"
SEARCH_SCOPE = "search:stalin"
SECTION_SCOPE = f"section:{HISTORY}"
HOUR = 3600


def sign(payload: bytes) -> str:
    """A cursor as the functions make them: 16 bytes of HMAC-SHA256 under sha256(secret), then the payload."""
    key = hashlib.sha256(CURSOR_SECRET.encode()).digest()
    signature = hmac.new(key, payload, hashlib.sha256).digest()[:16]
    return base64.urlsafe_b64encode(signature + payload).decode().rstrip("=")


def forge(scope: Any = SEARCH_SCOPE, position: Any = 2, expires: Any = None, **extra: Any) -> str:
    fields = {"s": scope, "p": position, "e": int(time.time()) + HOUR if expires is None else expires, **extra}
    return sign(json.dumps({k: v for k, v in fields.items() if v is not ...}, separators=(",", ":")).encode())


def search(context: Any, cursor: str) -> dict[str, Any]:
    return search_app.handler(api_event("search", query={"q": "stalin", "limit": "1", "cursor": cursor}), context)


def section_page(context: Any, cursor: str) -> dict[str, Any]:
    event = api_event("section_essays", path_parameters={"sectionId": HISTORY}, query={"limit": "2", "cursor": cursor})
    return sections_app.handler(event, context)


def assert_cursor_refused(response: dict[str, Any]) -> None:
    assert response["statusCode"] == HTTPStatus.BAD_REQUEST, response
    assert body_of(response)["error"] == {"code": "invalid_request", "message": INVALID_CURSOR}


def test_a_forged_cursor_of_the_right_shape_is_honoured(library: str, context: Any) -> None:
    """The forging helper signs as the functions do: the refusals below are about the fields."""
    first = body_of(search_app.handler(api_event("search", query={"q": "stalin", "limit": "2"}), context))
    second = body_of(search(context, forge(position=1)))
    assert second["results"][0]["essayId"] == first["results"][1]["essayId"]


NOW = int(time.time())
BAD_SEARCH_CURSORS = {
    'p="abc"': forge(position="abc"),
    "p={}": forge(position={}),
    "p=[]": forge(position=[]),
    "p=null": forge(position=None),
    "p=true": forge(position=True),
    "p=1.5": forge(position=1.5),
    "p=-1": forge(position=-1),
    "p=0": forge(position=0),
    "p past any search (8,001)": forge(position=8001),
    "p huge": forge(position=10**18),
    "p with 5,000 digits": sign(b'{"s":"search:stalin","p":' + b"1" * 5000 + b',"e":9999999999}'),
    "p NaN": sign(f'{{"s":"search:stalin","p":NaN,"e":{NOW + HOUR}}}'.encode()),
    "another query's scope": forge(scope="search:revolution"),
    "a section's scope": forge(scope=SECTION_SCOPE),
    "scope not text": forge(scope=["search:stalin"]),
    "scope null": forge(scope=None),
    "expired": forge(expires=NOW - 1),
    "expiry past what we issue": forge(expires=NOW + HOUR + 3600),
    "expiry as text": forge(expires=str(NOW + HOUR)),
    "expiry true": forge(expires=True),
    "expiry a float": forge(expires=NOW + HOUR + 0.5),
    "no position": forge(position=...),
    "no expiry": sign(json.dumps({"s": SEARCH_SCOPE, "p": 2}).encode()),
    "an extra field": forge(x=1),
    "a list": sign(b"[1,2,3]"),
    "a number": sign(b"2"),
    "not JSON": sign(b"\xff\xfe not json"),
    "empty payload": sign(b""),
}


@pytest.mark.parametrize("cursor", BAD_SEARCH_CURSORS.values(), ids=BAD_SEARCH_CURSORS.keys())
def test_a_signed_search_cursor_with_odd_fields_is_400(essays_table: str, context: Any, cursor: str) -> None:
    assert_cursor_refused(search(context, cursor))


def _member_key(context: Any) -> str:
    """A real section entry's sort key, read back from a genuine cursor."""
    first = body_of(section_page(context, forge(SECTION_SCOPE, "a#a")))  # before every title
    cursor = first["nextCursor"]
    raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))[16:]
    return str(json.loads(raw)["p"])


def test_a_forged_section_cursor_of_the_right_shape_is_honoured(library: str, context: Any) -> None:
    key = _member_key(context)
    assert "#" in key
    assert section_page(context, forge(SECTION_SCOPE, key))["statusCode"] == HTTPStatus.OK


BAD_SECTION_CURSORS = {
    "p=5": forge(SECTION_SCOPE, 5),
    "p={}": forge(SECTION_SCOPE, {}),
    'p=""': forge(SECTION_SCOPE, ""),
    "p without an essay id": forge(SECTION_SCOPE, "stalin"),
    "p with a bad essay id": forge(SECTION_SCOPE, "stalin#BODY#"),
    "p too long": forge(SECTION_SCOPE, "a" * 300 + "#stalin-rise-to-power"),
    "p past the last essay (was a 404)": forge(SECTION_SCOPE, "zzzz#zzzz"),
    "another section's scope": forge("section:gcse--english--poetry", "a#a"),
    "a search's scope": forge(SEARCH_SCOPE, "a#a"),
}


@pytest.mark.parametrize("cursor", BAD_SECTION_CURSORS.values(), ids=BAD_SECTION_CURSORS.keys())
def test_a_signed_section_cursor_with_odd_fields_is_400(essays_table: str, context: Any, cursor: str) -> None:
    assert_cursor_refused(section_page(context, cursor))


# ---- pins: the cursor's lifetime and bounds as a client sees them (issue 21) -----------------------


def _first_cursor(context: Any) -> str:
    return str(
        body_of(search_app.handler(api_event("search", query={"q": "stalin", "limit": "1"}), context))["nextCursor"]
    )


def test_a_cursor_lives_an_hour_up_to_the_next_five_minutes(
    library: str, context: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    issued = 1_900_000_250.0  # an hour later is 1_900_003_850, which rounds up to 1_900_004_100
    monkeypatch.setattr(search_app.CURSORS, "_clock", lambda: issued)
    cursor = _first_cursor(context)
    monkeypatch.setattr(search_app.CURSORS, "_clock", lambda: 1_900_004_100)
    assert search(context, cursor)["statusCode"] == HTTPStatus.OK  # still valid at its expiry
    monkeypatch.setattr(search_app.CURSORS, "_clock", lambda: 1_900_004_101)
    assert_cursor_refused(search(context, cursor))


def test_a_page_keeps_its_cursor_and_etag_within_five_minutes(
    library: str, context: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A next cursor that changed every second would change the page's ETag: no 304 ever."""
    monkeypatch.setattr(search_app.CURSORS, "_clock", lambda: 1_900_000_201.0)  # 1_900_000_200 is a whole five minutes
    first = search_app.handler(api_event("search", query={"q": "stalin", "limit": "1"}), context)
    monkeypatch.setattr(search_app.CURSORS, "_clock", lambda: 1_900_000_499.0)
    again = search_app.handler(api_event("search", query={"q": "stalin", "limit": "1"}), context)
    assert first["body"] == again["body"] and first["headers"]["ETag"] == again["headers"]["ETag"]


def test_another_containers_clock_may_run_a_minute_ahead(essays_table: str, context: Any) -> None:
    now = int(time.time())
    latest_issued = now + HOUR + 300  # rounded up to a whole five minutes
    assert search(context, forge(expires=latest_issued + 55))["statusCode"] == HTTPStatus.OK
    assert_cursor_refused(search(context, forge(expires=latest_issued + 65)))


def test_the_furthest_offset_any_search_can_reach_is_accepted(essays_table: str, context: Any) -> None:
    response = search(context, forge(position=8000))  # 8 words x 1,000 titles each
    assert response["statusCode"] == HTTPStatus.OK
    assert body_of(response)["results"] == []


def test_a_cursor_over_2048_characters_is_refused_before_anything_else(essays_table: str, context: Any) -> None:
    assert_cursor_refused(search(context, "A" * 2049))


def test_a_section_key_of_the_longest_title_and_id_is_accepted(library: str, context: Any) -> None:
    longest = "a" * 100 + "#" + "a" * 100  # a folded title cut at 100 characters, an id of 100
    assert section_page(context, forge(SECTION_SCOPE, longest))["statusCode"] == HTTPStatus.OK
    assert_cursor_refused(section_page(context, forge(SECTION_SCOPE, "a" + longest)))
