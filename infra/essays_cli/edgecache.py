"""The local site's /api/*: what the distribution's API behaviours do (template.yaml, issue 31), in
Python, so `make dev` and the browser tests call the API on the site's own origin as readers do.

- The public GET routes (ApiPublicCachePolicy's behaviours) are answered from a shared cache for as
  long as the origin's `s-maxage` says, keyed on the path and the routes' own query parameters (q,
  cursor, limit: the only ones forwarded), as CloudFront keys them.
- Nothing else is ever stored or shared: not the signed-in routes, not an answer marked `private`,
  `no-store` or `no-cache`, and not the answer to any request that carries Authorization (stricter
  than CloudFront, which drops the header on the public routes and serves the public answer).
"""

from __future__ import annotations

import re
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from urllib.parse import parse_qsl, urlencode

API_PREFIX = "/api"
# The distribution's public API behaviours (PathPatterns under /api with ApiPublicCachePolicy):
# tests/unit/test_edge_proxy.py holds this to the template.
PUBLIC_READS = re.compile(
    r"^/api/(essays/[^/]+/preview|essays/[^/]+/related|search|search/suggest|sections|sections/.+|plans"
    r"|openapi\.json)$"
)
CACHE_KEY_PARAMS = ("q", "cursor", "limit")  # ApiPublicCachePolicy's QueryStrings
MAX_TTL = 86_400  # ApiPublicCachePolicy's MaxTTL; its MinTTL and DefaultTTL are 0


def is_public_read(method: str, path: str) -> bool:
    return method in ("GET", "HEAD") and PUBLIC_READS.fullmatch(path) is not None


def upstream_query(query: str) -> str:
    """The query string CloudFront forwards on a public route: only the cache key's parameters."""
    return urlencode([(k, v) for k, v in parse_qsl(query, keep_blank_values=True) if k in CACHE_KEY_PARAMS])


def public_key(path: str, query: str) -> str:
    """The path and the key's parameters, in a fixed order (the API's answer does not depend on it)."""
    params = sorted((k, v) for k, v in parse_qsl(query, keep_blank_values=True) if k in CACHE_KEY_PARAMS)
    return f"{path}?{urlencode(params)}"


def shared_max_age(cache_control: str | None) -> int:
    """Seconds a shared cache may keep an answer with this Cache-Control (0: not at all)."""
    directives: dict[str, str] = {}
    for part in (cache_control or "").split(","):
        name, _, value = part.strip().partition("=")
        directives[name.strip().lower()] = value.strip().strip('"')
    if {"private", "no-store", "no-cache"} & directives.keys():
        return 0
    for name in ("s-maxage", "max-age"):
        if directives.get(name, "").isdigit():
            return min(int(directives[name]), MAX_TTL)
    return 0


@dataclass(frozen=True)
class Answer:
    status: int
    headers: dict[str, str]  # the origin's, by canonical name (Content-Type, Cache-Control, ETag...)
    body: bytes


@dataclass(frozen=True)
class _Entry:
    answer: Answer
    stored_at: float
    ttl: int


class EdgeCache:
    """Public answers by cache key, each until its own s-maxage runs out."""

    def __init__(self, clock: Callable[[], float] = time.monotonic) -> None:
        self._clock = clock
        self._entries: dict[str, _Entry] = {}
        self._lock = threading.Lock()

    def get(self, key: str) -> tuple[Answer, int] | None:
        """The stored answer and its age in whole seconds, or None (absent or expired)."""
        with self._lock:
            entry = self._entries.get(key)
            if entry is None:
                return None
            age = self._clock() - entry.stored_at
            if age >= entry.ttl:
                del self._entries[key]
                return None
            return entry.answer, int(age)

    def put(self, key: str, answer: Answer) -> bool:
        """Keep a 200 the origin lets shared caches keep; whether it was kept."""
        ttl = shared_max_age(answer.headers.get("Cache-Control"))
        if answer.status != 200 or ttl <= 0:
            return False
        with self._lock:
            self._entries[key] = _Entry(answer, self._clock(), ttl)
        return True

    def invalidate(self, pattern: str = "/api/*") -> int:
        """Forget the answers whose path matches (a trailing * as CloudFront's invalidation paths)."""
        prefix, wildcard = pattern.removesuffix("*"), pattern.endswith("*")
        with self._lock:
            gone = [k for k in self._entries if (k.startswith(prefix) if wildcard else k.split("?")[0] == pattern)]
            for key in gone:
                del self._entries[key]
        return len(gone)
