"""Every bound a route puts on its input, in one place: the handlers enforce these and the
OpenAPI document (infra/essays_cli/openapi.py) publishes the same numbers. Id shapes are in ids.py."""

from __future__ import annotations

from shared.errors import InvalidRequest
from shared.records import Record


class PageSize(Record):
    """A route's `limit` query parameter: its default and the most a client may ask for."""

    default: int
    maximum: int


RELATED_LIMIT = PageSize(default=8, maximum=20)
SEARCH_LIMIT = PageSize(default=10, maximum=50)
SECTION_LIMIT = PageSize(default=20, maximum=50)
SUGGEST_LIMIT = PageSize(default=8, maximum=10)

MAX_QUERY_CHARS = 200  # q of /search and /search/suggest
MAX_QUERY_WORDS = 8  # words of q that are searched for (stop words do not count)
MAX_CURSOR_CHARS = 2048


def plain_query(query: str, wanted: str) -> str:
    """q of /search or /search/suggest, stripped, or 400 when it is empty (asking for `wanted`), too long or
    holds control characters."""
    import unicodedata  # only the two search routes pay for it

    query = query.strip()
    if not query:
        raise InvalidRequest(f"q is empty: give {wanted}")
    if len(query) > MAX_QUERY_CHARS:
        raise InvalidRequest(f"q is too long: at most {MAX_QUERY_CHARS} characters")
    if any(unicodedata.category(ch) == "Cc" for ch in query):
        raise InvalidRequest("q contains control characters (such as NUL or line breaks); send plain words")
    return query


def check_word_count(count: int) -> None:
    """400 for a q with more than MAX_QUERY_WORDS words that count (stop words do not)."""
    if count > MAX_QUERY_WORDS:
        raise InvalidRequest(f"q has too many words: at most {MAX_QUERY_WORDS} (common words do not count)")
