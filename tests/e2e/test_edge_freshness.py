"""How soon a load or a removal shows at the edge (issue 31), measured on the local stack: the loader
writes, the API (the origin) answers the change at once, and the local site's /api, which keeps a
public answer for its s-maxage as CloudFront does, answers it once its copy expires: within
CdnMaxAge (3,600 s by default) of the change, sooner for a path no one has read since its last change."""

from __future__ import annotations

import json
import time
import urllib.request
from pathlib import Path
from typing import Any
from urllib.error import HTTPError

import pytest
from essays_cli import seed

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


def test_a_load_and_a_removal_reach_the_origin_at_once_and_the_edge_within_s_maxage(
    stack: dict[str, Any], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "000000000000")  # the emulator takes any credentials
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "local")
    where = ["--stack", stack["stackName"], "--endpoint-url", stack["endpointUrl"], "--region", stack["region"]]
    sample = json.loads((ROOT / "samples" / "essays" / "economics-macro.jsonl").read_text().splitlines()[0])
    probe = tmp_path / "probe.jsonl"
    probe.write_text(json.dumps({**sample, "id": PROBE, "title": "Edge freshness probe: " + sample["title"]}) + "\n")
    direct, edge = f"{stack['apiUrl']}/essays/{PROBE}/preview", f"{stack['siteApiUrl']}/essays/{PROBE}/preview"

    # Not there yet: the 404 is no-store, so the edge keeps nothing that would hide the load.
    status, headers = read(edge)
    assert status == 404 and "no-store" in headers["Cache-Control"]
    started = time.monotonic()
    assert seed.main(["load", str(probe), *where]) == 0
    load_seconds = time.monotonic() - started
    origin_after_load = until(200, direct)
    edge_after_load = until(200, edge)
    status, headers = read(edge)
    assert (status, headers["X-Cache"]) == (200, "Hit from essays-web")
    s_maxage = int(headers["Cache-Control"].split("s-maxage=")[1].split(",")[0])

    # Removed: the origin answers 404 at once; the edge its copy, until that copy's s-maxage runs out.
    started = time.monotonic()
    assert seed.main(["remove", PROBE, *where]) == 0
    remove_seconds = time.monotonic() - started
    origin_after_removal = until(404, direct)
    status, headers = read(edge)
    assert (status, headers["X-Cache"]) == (200, "Hit from essays-web")
    age = int(headers["Age"])
    assert age < s_maxage == 3600  # CdnMaxAge's default: the bound
    print(
        f"\nedge freshness: load {load_seconds:.1f} s, then the origin {origin_after_load:.2f} s and the edge "
        f"{edge_after_load:.2f} s later (nothing cached); removal {remove_seconds:.1f} s, then the origin "
        f"{origin_after_removal:.2f} s later and the edge when its copy expires: {s_maxage - age} s more "
        f"(s-maxage {s_maxage}, age {age})"
    )
