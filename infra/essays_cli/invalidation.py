"""After a load or a removal, the edge forgets what it changed (issue 31's freshness), so a reader
sees it within the invalidation's own time instead of the cached copy's s-maxage (CdnMaxAge).

The paths are the changed essays' answers and pages, their sections' lists and pages, the lists every
change touches (sections, search, suggest, the home page) and the sitemaps, under CloudFront's rules:
a `*` only at the end, 3,000 file paths and 15 wildcard paths in progress per distribution, the first
1,000 paths a month free (a wildcard counts as one). A load of more than ESSAY_BUDGET essays or
SECTION_BUDGET sections is forgotten by wildcards instead, so one run sends at most 95 paths (about ten
runs a month in the free tier) and at most 13 of the 15 wildcards.

Where: on AWS the stack's distribution (its SiteDistributionId output; an operator needs
cloudfront:CreateInvalidation on it); on the local stack of `make dev`, the local site's cache, through
its loopback-only /__edge/invalidate (the state file names it). A failure never undoes the load.
"""

from __future__ import annotations

import json
import os
import time
import urllib.request
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

DISTRIBUTION_OUTPUT = "SiteDistributionId"
ESSAY_BUDGET = 20  # essays named one by one (4 paths each): beyond, /api/essays/* and /essays/*
SECTION_BUDGET = 3  # sections named one by one (3 wildcards each): beyond, their wildcards
LOCAL_STATE = Path(".dev") / "stack.json"  # where `make dev` writes the local stack's state
LOCAL_STATE_ENV = "ESSAYS_DEV_STATE"  # another state file (the tests' own stack)
# Answers every change can alter, whichever essay: the section tree and counts, search and suggest
# (/api/search* covers /api/search/suggest*), the home page, the site's search page and the sitemaps.
EVERYWHERE = ("/api/sections", "/api/search*", "/", "/search*", "/sitemap.xml", "/sitemaps/sections.xml")


def essay_paths(essay_id: str) -> list[str]:
    api = f"/api/essays/{essay_id}"
    return [api, f"{api}/preview", f"{api}/related", f"/essays/{essay_id}"]


def section_paths(section_id: str) -> list[str]:
    # wildcards: the lists and pages are cached per cursor and limit
    return [f"/api/sections/{section_id}/essays*", f"/sections/{section_id}*", f"/sitemaps/essays/{section_id}/*"]


def paths(essay_ids: Iterable[str], section_ids: Iterable[str]) -> list[str]:
    """What to invalidate after these essays (written or removed) in these sections changed."""
    essays, sections = sorted(set(essay_ids)), sorted(set(section_ids))
    if not essays and not sections:
        return []
    found: list[str] = []
    if len(essays) > ESSAY_BUDGET:
        found += ["/api/essays/*", "/essays/*"]
    else:
        found += [path for essay_id in essays for path in essay_paths(essay_id)]
    if len(sections) > SECTION_BUDGET:
        found += ["/api/sections/*", "/sections/*", "/sitemaps/essays/*"]
    else:
        found += [path for section_id in sections for path in section_paths(section_id)]
    return found + list(EVERYWHERE)


class Edge(Protocol):
    @property
    def where(self) -> str:
        """Where the copies are, for the messages."""

    def invalidate(self, paths: list[str]) -> str:
        """Forget these paths; what was done (raises when it could not)."""


@dataclass
class CloudFront:
    client: Any
    distribution_id: str

    @property
    def where(self) -> str:
        return f"the distribution {self.distribution_id}"

    def invalidate(self, paths: list[str]) -> str:
        answer = self.client.create_invalidation(
            DistributionId=self.distribution_id,
            InvalidationBatch={
                "Paths": {"Quantity": len(paths), "Items": paths},
                "CallerReference": f"essays-seed-{time.time_ns()}",
            },
        )
        return f"invalidation {answer['Invalidation']['Id']} ({answer['Invalidation']['Status']})"


@dataclass
class LocalSite:
    url: str  # the local site's /__edge/invalidate
    where: str = "the local site's cache"

    def invalidate(self, paths: list[str]) -> str:
        request = urllib.request.Request(
            self.url, data=json.dumps({"paths": paths}).encode(), headers={"Content-Type": "application/json"}
        )
        with urllib.request.urlopen(request, timeout=10) as response:
            forgotten = json.loads(response.read())["forgotten"]
        return f"{forgotten} cached answer(s) forgotten"


def local_site(stack: str, endpoint_url: str | None) -> LocalSite | None:
    """The local site of the local stack the loader writes to, if its state file names it."""
    state_file = Path(os.environ.get(LOCAL_STATE_ENV) or LOCAL_STATE)
    try:
        state = json.loads(state_file.read_text())
    except (OSError, ValueError):
        return None
    same = state.get("stackName") == stack and state.get("endpointUrl") == endpoint_url
    url = state.get("edgeInvalidationUrl")
    return LocalSite(str(url)) if same and url else None


def after_writes(edge: Edge | None, essay_ids: Iterable[str], section_ids: Iterable[str], dry_run: bool) -> str | None:
    """Invalidate what changed; the line to print (None: nothing to say). Never raises: the data is
    written either way, and a stale edge catches up by itself when its copies' s-maxage ends."""
    found = paths(essay_ids, section_ids)
    if edge is None or not found:
        return None
    listed = "\n".join(f"  {path}" for path in found)
    if dry_run:
        return f"Would invalidate {len(found)} path(s) at {edge.where}:\n{listed}"
    try:
        done = edge.invalidate(found)
    except Exception as error:  # any failure is reported, never a reason to fail the load
        raise NotInvalidated(
            f"warning: the load is written, but the edge was not invalidated at {edge.where} ({error}). Readers "
            "may see the old answers until their s-maxage (CdnMaxAge, 3,600 s by default) runs out; to refresh "
            f"them now, invalidate these paths by hand:\n{listed}"
        ) from error
    return f"Invalidated {len(found)} path(s) at {edge.where}: {done}"


class NotInvalidated(Exception):
    """The writes stand; the edge keeps its copies until they expire (the message says so)."""
