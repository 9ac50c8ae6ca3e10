"""Every bound a route puts on its input, in one place: the handlers enforce these and the
OpenAPI document (infra/essays_cli/openapi.py) publishes the same numbers. Id shapes are in ids.py."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class PageSize:
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
