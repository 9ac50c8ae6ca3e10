"""The local site's /api/*: one origin for the site and the API, public reads answered from a shared
cache while their s-maxage lasts (as the distribution's ApiPublicCachePolicy does), and nothing
signed-in ever stored or shared. A real HTTP origin stands in for the API and counts its calls."""

from __future__ import annotations

import fnmatch
import json
import threading
import urllib.request
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, ClassVar
from urllib.error import HTTPError

import pytest
from essays_cli.edgecache import PUBLIC_READS, EdgeCache, shared_max_age
from essays_cli.invalidation import LocalSite as LocalEdge
from essays_cli.template import load_template
from essays_cli.website import INVALIDATION_PATH, LocalSite, site_config

PUBLIC = "public, max-age=300, s-maxage=3600"


class FakeApi(BaseHTTPRequestHandler):
    """The API stage: a public preview, a signed-in essay, the webhook; every call recorded."""

    calls: ClassVar[list[tuple[str, str, str | None, bytes]]] = []  # (method, path?query, Authorization, body)
    version = "v1"

    def _answer(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        FakeApi.calls.append((self.command, self.path, self.headers.get("Authorization"), body))
        path = self.path.split("?")[0]
        if path.endswith("/preview") or path.startswith("/local/search"):
            status, cache = 200, PUBLIC
        elif path == "/local/billing/webhook":
            status, cache = 200, "no-store"
        elif self.headers.get("Authorization"):
            status, cache = 200, "private, no-store"
        else:
            status, cache = 401, "no-store"
        payload = json.dumps({"path": self.path, "version": FakeApi.version, "n": len(FakeApi.calls)}).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Cache-Control", cache)
        self.send_header("ETag", f'"{FakeApi.version}"')
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        self.wfile.write(payload)

    do_GET = do_POST = _answer

    def log_message(self, format: str, *args: Any) -> None:
        pass


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def edge() -> Iterator[tuple[str, Clock]]:
    """The local site (its URL) in front of the fake API, and the clock its cache reads."""
    FakeApi.calls, FakeApi.version = [], "v1"
    api = ThreadingHTTPServer(("127.0.0.1", 0), FakeApi)
    threading.Thread(target=api.serve_forever, daemon=True).start()
    site, clock = LocalSite(), Clock()
    site.edge = EdgeCache(clock)
    pool = "http://127.0.0.1:1"
    site.configure(
        site_config("eu-west-2", "pool", "client", pool, "http://site"),
        api_url=f"http://127.0.0.1:{api.server_address[1]}/local",
    )
    yield site.url, clock
    site.close()
    api.shutdown()
    api.server_close()


def get(url: str, **headers: str) -> tuple[int, dict[str, str], Any]:
    request = urllib.request.Request(url, headers=headers)
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status, dict(response.headers), json.loads(response.read() or b"null")
    except HTTPError as error:
        return error.code, dict(error.headers), json.loads(error.read() or b"null")


def test_a_public_reads_second_request_is_served_from_the_edge_cache(edge: tuple[str, Clock]) -> None:
    site, clock = edge
    status, headers, first = get(f"{site}/api/essays/e1/preview?utm_source=x")
    assert status == 200 and headers["X-Cache"] == "Miss from essays-web" and headers["Cache-Control"] == PUBLIC
    clock.now += 30
    status, headers, second = get(f"{site}/api/essays/e1/preview")
    assert status == 200 and headers["X-Cache"] == "Hit from essays-web" and headers["Age"] == "30"
    assert second == first
    # The origin was called once, with the stage's path and without the parameter outside the key.
    assert [(m, p) for m, p, *_ in FakeApi.calls] == [("GET", "/local/essays/e1/preview")]
    # A conditional GET is answered from the copy too.
    request = urllib.request.Request(f"{site}/api/essays/e1/preview", headers={"If-None-Match": '"v1"'})
    with pytest.raises(HTTPError) as not_modified:
        urllib.request.urlopen(request, timeout=10)
    assert not_modified.value.code == 304 and len(FakeApi.calls) == 1


def test_the_key_is_the_path_and_the_routes_own_parameters(edge: tuple[str, Clock]) -> None:
    site, _ = edge
    for query in ("q=stalin&limit=5", "limit=5&q=stalin&fbclid=1", "q=stalin&limit=6", "q=stalin&limit=5&cursor=c"):
        get(f"{site}/api/search?{query}")
    assert [p for _, p, *_ in FakeApi.calls] == [
        "/local/search?q=stalin&limit=5",
        "/local/search?q=stalin&limit=6",
        "/local/search?q=stalin&limit=5&cursor=c",
    ]


def test_an_answer_expires_with_its_s_maxage_and_the_next_read_sees_the_change(edge: tuple[str, Clock]) -> None:
    """The freshness bound: a change at the origin is visible at the edge once s-maxage has run out."""
    site, clock = edge
    assert get(f"{site}/api/essays/e1/preview")[2]["version"] == "v1"
    FakeApi.version = "v2"  # the essay is reloaded (or removed) at the origin
    clock.now += 3599
    assert get(f"{site}/api/essays/e1/preview")[2]["version"] == "v1"  # still the edge's copy
    clock.now += 1
    _status, headers, body = get(f"{site}/api/essays/e1/preview")
    assert body["version"] == "v2" and headers["X-Cache"] == "Miss from essays-web"


def test_the_loaders_invalidation_makes_the_next_read_see_the_change_at_once(edge: tuple[str, Clock]) -> None:
    """What the loader does after a load on the local stack (essays_cli/invalidation.py): the copies
    of the paths it names are forgotten, others kept."""
    site, _ = edge
    get(f"{site}/api/essays/e1/preview")
    get(f"{site}/api/search?q=stalin")
    get(f"{site}/api/essays/e2/preview")
    FakeApi.version = "v2"
    said = LocalEdge(f"{site}{INVALIDATION_PATH}").invalidate(["/api/essays/e1/preview", "/api/search*"])
    assert said == "2 cached answer(s) forgotten"
    assert get(f"{site}/api/essays/e1/preview")[2]["version"] == "v2"
    assert get(f"{site}/api/search?q=stalin")[2]["version"] == "v2"
    assert get(f"{site}/api/essays/e2/preview")[2]["version"] == "v1"  # not named: still the edge's copy
    bad = urllib.request.Request(f"{site}{INVALIDATION_PATH}", data=b"{}", method="POST")
    with pytest.raises(HTTPError) as refused:
        urllib.request.urlopen(bad, timeout=10)
    assert refused.value.code == 400


def test_a_request_with_authorization_is_never_answered_from_the_cache_nor_stored(edge: tuple[str, Clock]) -> None:
    site, _ = edge
    token = {"Authorization": "Bearer reader-a"}
    for _ in range(2):
        status, headers, _ = get(f"{site}/api/essays/e1", **token)
        assert status == 200 and headers["X-Cache"] == "Miss from essays-web"
        assert headers["Cache-Control"] == "private, no-store"
    # Another reader (or nobody) is never given reader A's answer.
    assert get(f"{site}/api/essays/e1")[0] == 401
    # A token on a public route: passed to the API, the answer not kept for the next (anonymous) reader.
    for _ in range(2):
        assert get(f"{site}/api/essays/e1/preview", **token)[1]["X-Cache"] == "Miss from essays-web"
    get(f"{site}/api/essays/e1/preview")
    assert [(p, a) for _, p, a, _ in FakeApi.calls] == [
        ("/local/essays/e1", "Bearer reader-a"),
        ("/local/essays/e1", "Bearer reader-a"),
        ("/local/essays/e1", None),
        ("/local/essays/e1/preview", "Bearer reader-a"),
        ("/local/essays/e1/preview", "Bearer reader-a"),
        ("/local/essays/e1/preview", None),
    ]


def test_the_webhook_is_passed_through_untouched(edge: tuple[str, Clock]) -> None:
    site, _ = edge
    for _ in range(2):
        request = urllib.request.Request(
            f"{site}/api/billing/webhook",
            data=b'{"id":"evt_1"}',
            headers={"Stripe-Signature": "t=1,v1=x", "Content-Type": "application/json"},
            method="POST",
        )
        with urllib.request.urlopen(request, timeout=10) as response:
            assert response.status == 200 and response.headers["X-Cache"] == "Miss from essays-web"
    assert [(m, p, b) for m, p, _, b in FakeApi.calls] == [("POST", "/local/billing/webhook", b'{"id":"evt_1"}')] * 2


def test_only_what_a_shared_cache_may_keep_is_kept() -> None:
    assert shared_max_age(PUBLIC) == 3600
    assert shared_max_age("public, max-age=60") == 60
    assert shared_max_age("private, no-store") == 0
    assert shared_max_age("public, s-maxage=60, no-cache") == 0
    assert shared_max_age(None) == 0  # the policy's default TTL is 0
    assert shared_max_age("public, s-maxage=999999") == 86_400  # its MaxTTL


def test_the_local_public_reads_are_the_distributions_cached_api_behaviours() -> None:
    distribution = load_template()["Resources"]["SiteDistribution"]["Properties"]["DistributionConfig"]
    public = [
        b["PathPattern"]
        for b in distribution["CacheBehaviors"]
        if b["PathPattern"].startswith("/api/") and b["CachePolicyId"] == {"Ref": "ApiPublicCachePolicy"}
    ]
    paths = [
        "/api/essays/e1/preview",
        "/api/essays/e1/related",
        "/api/essays/e1",
        "/api/search",
        "/api/search/suggest",
        "/api/sections",
        "/api/sections/gcse--english/essays",
        "/api/plans",
        "/api/openapi.json",
        "/api/checkout",
        "/api/billing/portal",
        "/api/billing/webhook",
        "/api/me/subscription",
        "/api/me/signout",
    ]

    def cached_by_the_distribution(path: str) -> bool:
        # CloudFront takes the first behaviour that matches, in order; /api/* (private) is last.
        return any(fnmatch.fnmatchcase(path, pattern) for pattern in public)

    assert [bool(PUBLIC_READS.fullmatch(p)) for p in paths] == [cached_by_the_distribution(p) for p in paths]
    assert sum(bool(PUBLIC_READS.fullmatch(p)) for p in paths) == 8
