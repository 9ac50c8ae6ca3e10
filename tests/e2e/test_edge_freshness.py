"""How soon a load or a removal shows at the edge (issue 31), measured on the local stack: the loader
writes, then tells the edge what it changed (essays_cli/invalidation.py; locally the site's
loopback-only /__edge/invalidate, which the state file names), so the local site's /api, which keeps a
public answer for its s-maxage as CloudFront does, answers the change as soon as the loader returns,
not CdnMaxAge (3,600 s) later. On AWS the same paths go to CloudFront's CreateInvalidation, whose own
time (typically well under a minute, AWS does not promise a figure) replaces the few ms measured here."""

from __future__ import annotations

import json
import time
import urllib.request
from pathlib import Path
from typing import Any
from urllib.error import HTTPError

import pytest
from essays_cli import invalidation, seed

from tests.conftest import ROOT

PROBE = "edge-freshness-probe"


def read(url: str) -> tuple[int, dict[str, str]]:
    try:
        with urllib.request.urlopen(url, timeout=10) as response:
            response.read()
            return response.status, dict(response.headers)
    except HTTPError as error:
        return error.code, dict(error.headers)


def until(status: int, url: str, limit: float = 30.0) -> float:
    """Seconds until `url` answers `status` (polled every 50 ms)."""
    started = time.monotonic()
    while read(url)[0] != status:
        assert time.monotonic() - started < limit, f"{url} never answered {status}"
        time.sleep(0.05)
    return time.monotonic() - started


BOUND = 5.0  # seconds after the loader returns: the invalidation is part of its run


def test_a_load_an_update_and_a_removal_reach_the_edge_as_soon_as_the_loader_returns(
    stack: dict[str, Any], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "000000000000")  # the emulator takes any credentials
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "local")
    state = tmp_path / "stack.json"  # the fixture's stack, as `make dev` leaves .dev/stack.json
    state.write_text(json.dumps(stack))
    monkeypatch.setenv(invalidation.LOCAL_STATE_ENV, str(state))
    where = ["--stack", stack["stackName"], "--endpoint-url", stack["endpointUrl"], "--region", stack["region"]]
    sample = json.loads((ROOT / "samples" / "essays" / "economics-macro.jsonl").read_text().splitlines()[0])
    probe = tmp_path / "probe.jsonl"

    def load(title: str) -> float:
        probe.write_text(json.dumps({**sample, "id": PROBE, "title": title}) + "\n")
        started = time.monotonic()
        assert seed.main(["load", str(probe), *where]) == 0
        return time.monotonic() - started

    direct, edge = f"{stack['apiUrl']}/essays/{PROBE}/preview", f"{stack['siteApiUrl']}/essays/{PROBE}/preview"

    # Not there yet: the 404 is no-store, so the edge keeps nothing that would hide the load.
    status, headers = read(edge)
    assert status == 404 and "no-store" in headers["Cache-Control"]
    load_seconds = load("Edge freshness probe: " + sample["title"])
    edge_after_load = until(200, edge, BOUND)
    status, headers = read(edge)
    assert (status, headers["X-Cache"]) == (200, "Hit from essays-web")
    assert int(headers["Cache-Control"].split("s-maxage=")[1].split(",")[0]) == 3600  # CdnMaxAge's default

    # Updated: the edge's copy is forgotten by the loader, so the next read is the new title.
    update_seconds = load("Edge freshness probe, retitled: " + sample["title"])
    started = time.monotonic()
    while "retitled" not in title_at(edge):
        assert time.monotonic() - started < BOUND, "the edge still answers the old title"
        time.sleep(0.05)
    edge_after_update = time.monotonic() - started

    # Removed: the same, where before the edge kept its copy until its s-maxage ran out.
    assert read(edge)[1]["X-Cache"] == "Hit from essays-web"
    started = time.monotonic()
    assert seed.main(["remove", PROBE, *where]) == 0
    remove_seconds = time.monotonic() - started
    assert read(direct)[0] == 404
    edge_after_removal = until(404, edge, BOUND)
    print(
        f"\nedge freshness: load {load_seconds:.1f} s, the edge {edge_after_load:.2f} s later; update "
        f"{update_seconds:.1f} s, the edge {edge_after_update:.2f} s later; removal {remove_seconds:.1f} s, the "
        f"edge {edge_after_removal:.2f} s later (the cached copies' s-maxage: 3,600 s)"
    )


def title_at(url: str) -> str:
    with urllib.request.urlopen(url, timeout=10) as response:
        return str(json.loads(response.read())["title"])
