"""The Stripe webhook keeps its own throttle bucket on the local stack (the emulator applies a stage's
limits per method, as API Gateway does): with the readers' routes flooded past their limit, every
signed event is still applied."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from http import HTTPStatus
from typing import Any
from urllib.parse import urlsplit

import boto3
import pytest
from essays_cli.stripefake import Reader
from essays_cli.template import load_template

from tests.e2e.test_payments import request, send_event

pytestmark = pytest.mark.e2e


@pytest.fixture
def readers_routes_at_one_request_a_second(stack: dict[str, Any]) -> Iterator[None]:
    """The stage-wide limit ("/*/*") lowered, as junk would use it up; restored to the template's after."""
    *_, api_id, stage = urlsplit(stack["apiUrl"]).path.rstrip("/").split("/")
    client = boto3.client(
        "apigateway",
        endpoint_url=stack["endpointUrl"],
        region_name=stack["region"],
        aws_access_key_id="000000000000",
        aws_secret_access_key="local",
    )

    def limit(rate: str, burst: str) -> None:
        operations = [
            {"op": "replace", "path": "/*/*/throttling/rateLimit", "value": rate},
            {"op": "replace", "path": "/*/*/throttling/burstLimit", "value": burst},
        ]
        client.update_stage(restApiId=api_id, stageName=stage, patchOperations=operations)

    parameters = load_template()["Parameters"]
    limit("1", "2")
    try:
        yield
    finally:
        limit(str(parameters["ThrottlingRateLimit"]["Default"]), str(parameters["ThrottlingBurstLimit"]["Default"]))


def test_a_flood_on_the_readers_routes_does_not_starve_the_webhook(
    stack: dict[str, Any], readers_routes_at_one_request_a_second: None
) -> None:
    readers = [Reader(str(uuid.uuid4())) for _ in range(5)]
    with ThreadPoolExecutor(max_workers=8) as pool:
        flood = [pool.submit(request, f"{stack['apiUrl']}/plans") for _ in range(40)]
        events = [pool.submit(send_event, stack, "checkout.session.completed", reader) for reader in readers]
        flooded = [f.result()[0] for f in flood]
        delivered = [f.result() for f in events]
    assert flooded.count(HTTPStatus.TOO_MANY_REQUESTS) >= len(flood) // 2, flooded  # the readers' bucket ran dry
    assert [status for status, _ in delivered] == [HTTPStatus.OK] * len(readers), delivered
    assert {body["outcome"] for _, body in delivered} == {"applied"}
