"""A client generated from the committed OpenAPI document (openapi-python-client, `make test` writes
it to build/essay_client) works against the running API, and its models parse real responses."""

from __future__ import annotations

import json
import sys
from http import HTTPStatus
from pathlib import Path
from typing import Any

import pytest

pytestmark = pytest.mark.e2e

BUILD = Path(__file__).resolve().parents[2] / "build"
if not (BUILD / "essay_client").is_dir():
    pytest.fail("build/essay_client is missing: `make test` generates it (make generated-client)", pytrace=False)
sys.path.insert(0, str(BUILD))

from essay_client import AuthenticatedClient, Client  # noqa: E402
from essay_client.api.default import get_essay, get_essay_preview, search_essays  # noqa: E402
from essay_client.models import Error, EssayPreview, FullEssay, SearchResults  # noqa: E402


def test_the_generated_client_reads_a_preview(stack: dict[str, Any]) -> None:
    client = Client(base_url=stack["apiUrl"], raise_on_unexpected_status=True)
    response = get_essay_preview.sync_detailed("stalin-rise-to-power", client=client)
    assert response.status_code == HTTPStatus.OK
    preview = response.parsed
    assert isinstance(preview, EssayPreview)
    assert preview.essay_id == "stalin-rise-to-power" and preview.formatted is False
    assert [e.part for e in preview.extracts] == ["Introduction", "Middle", "Conclusion"]
    assert all(e.read_more and e.text and not e.text.endswith("...read more") for e in preview.extracts)
    assert preview.to_dict() == json.loads(response.content)  # the model holds every field of the real answer


def test_the_generated_client_pages_through_search_with_the_cursor(stack: dict[str, Any]) -> None:
    client = Client(base_url=stack["apiUrl"], raise_on_unexpected_status=True)
    response = search_essays.sync_detailed(client=client, q="Stalin", limit=2)
    first = response.parsed
    assert isinstance(first, SearchResults) and len(first.results) == 2
    assert first.to_dict() == json.loads(response.content)
    assert isinstance(first.next_cursor, str)
    second = search_essays.sync(client=client, q="Stalin", limit=2, cursor=first.next_cursor)
    assert isinstance(second, SearchResults) and second.results
    assert not {h.essay_id for h in first.results} & {h.essay_id for h in second.results}
    assert all(h.matched_words >= 1 and h.breadcrumb.level for h in second.results)


def test_the_generated_client_reads_a_full_essay_with_the_subscriber_token(stack: dict[str, Any]) -> None:
    client = AuthenticatedClient(base_url=stack["apiUrl"], token=stack["subscriberToken"])
    response = get_essay.sync_detailed(client=client, essay_id="stalin-rise-to-power")
    essay = response.parsed
    assert isinstance(essay, FullEssay)
    assert essay.formatted is True and len(essay.paragraphs) > 1
    assert essay.to_dict() == json.loads(response.content)


def test_the_generated_client_parses_the_403_of_a_lapsed_reader(stack: dict[str, Any]) -> None:
    client = AuthenticatedClient(base_url=stack["apiUrl"], token=stack["lapsedToken"])
    response = get_essay.sync_detailed(client=client, essay_id="stalin-rise-to-power")
    assert response.status_code == HTTPStatus.FORBIDDEN
    assert isinstance(response.parsed, Error)
    assert response.parsed.error.code and response.parsed.error.message
    assert response.parsed.error.plans and response.parsed.error.plans[0].price
