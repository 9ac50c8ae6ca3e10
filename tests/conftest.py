"""Shared fixtures: fake AWS (moto) with tables built from template.yaml, sample data,
API Gateway events kept as JSON files, a Lambda context, and the local stack (template.yaml
deployed into the emulator) that the e2e and browser suites share: one per test session."""

from __future__ import annotations

import contextlib
import copy
import functools
import json
import os
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

import boto3
import pytest
from hypothesis import settings
from moto import mock_aws
from pydantic import TypeAdapter

# Set before any function module is imported: they read their configuration at import.
os.environ.update(
    AWS_ACCESS_KEY_ID="testing",
    AWS_SECRET_ACCESS_KEY="testing",
    AWS_SECURITY_TOKEN="testing",
    AWS_SESSION_TOKEN="testing",
    AWS_DEFAULT_REGION="eu-west-2",
    ESSAYS_TABLE="essays-test",
    CORS_ALLOW_ORIGIN="https://essays.example.com",
    POWERTOOLS_SERVICE_NAME="essay-library-tests",
    POWERTOOLS_TRACE_DISABLED="true",
    CURSOR_SECRET_ARN="essay-library-test-cursor-secret",  # a name serves as well as an ARN
    # the billing functions (tests/integration/test_billing.py creates these tables and secrets)
    SUBSCRIPTIONS_TABLE="subscriptions-test",
    BILLING_TABLE="billing-test",
    METER_TABLE="meter-test",
    STRIPE_SECRET_KEY_ID="stripe-secret-key-test",
    STRIPE_WEBHOOK_SECRET_ID="stripe-webhook-secret-test",
    STRIPE_PRICE_ID="price_local_monthly",
    STRIPE_API_BASE="http://127.0.0.1:9",  # nothing listens: a test that reaches Stripe sets the fake's URL
    CHECKOUT_SUCCESS_URL="https://essays.example.com/subscribed?session_id={CHECKOUT_SESSION_ID}",
    CHECKOUT_CANCEL_URL="https://essays.example.com/plans",
    PORTAL_RETURN_URL="https://essays.example.com/account",
)
os.environ.pop("AWS_ENDPOINT_URL", None)
os.environ.pop("AWS_PROFILE", None)

from essays_cli.openapi import readable
from essays_cli.template import load_template, table_definition

from shared.store import secrets
from shared.store.dynamo import dynamodb_client

# Hypothesis: 200 examples per property in `make test`; `make mutation` runs the same properties
# with fewer, since it runs them once per mutant (the pinned tests catch what they would).
settings.register_profile("thorough", max_examples=200, deadline=None)
settings.register_profile("mutation", max_examples=25, deadline=None)
HYPOTHESIS_PROFILE = os.environ.get("HYPOTHESIS_PROFILE", "thorough")
settings.load_profile(HYPOTHESIS_PROFILE)
UNDER_MUTATION = HYPOTHESIS_PROFILE == "mutation"  # for properties that set their own (smaller) budget

T = TypeVar("T")
CURSOR_SECRET = "test-cursor-secret-0123456789abcdef0123456789"  # its value in moto's Secrets Manager
ROOT = Path(__file__).resolve().parent.parent
SAMPLES = sorted((ROOT / "samples" / "essays").glob("*.*"))
EVENTS = Path(__file__).parent / "events"
TABLE = os.environ["ESSAYS_TABLE"]


@functools.cache
def _table_from_template(logical_id: str) -> tuple[dict[str, Any], dict[str, Any] | None]:
    """A table's CreateTable arguments and TTL setting, parsed once per session."""
    ttl = load_template()["Resources"][logical_id]["Properties"].get("TimeToLiveSpecification")
    return table_definition(logical_id), ttl


def create_table_from_template(client: Any, logical_id: str, name: str) -> None:
    """Create a moto table from template.yaml's own definition: tests and infrastructure cannot drift."""
    definition, ttl = copy.deepcopy(_table_from_template(logical_id))
    client.create_table(TableName=name, **definition)
    if ttl:
        client.update_time_to_live(TableName=name, TimeToLiveSpecification=ttl)


@pytest.fixture
def aws() -> Iterator[None]:
    """moto, with the cursor secret the search and sections functions read from Secrets Manager."""
    dynamodb_client.cache_clear()
    secrets.forget()
    with mock_aws():
        boto3.client("secretsmanager").create_secret(Name=os.environ["CURSOR_SECRET_ARN"], SecretString=CURSOR_SECRET)
        yield
    dynamodb_client.cache_clear()
    secrets.forget()


@pytest.fixture
def ddb(aws: None) -> Any:
    return boto3.client("dynamodb")


@pytest.fixture
def essays_table(ddb: Any) -> str:
    create_table_from_template(ddb, "EssaysTable", TABLE)
    return TABLE


_library_items: list[dict[str, Any]] = []  # the table the first load produced, for the later tests


@pytest.fixture
def library(essays_table: str, ddb: Any) -> str:
    """The sample essays, loaded through the seed CLI as the content team would. The first test of
    the session runs the load; later ones get the items it wrote, put back as they were: the
    same table, without the seconds the load takes in moto each time."""
    if not _library_items:
        from essays_cli.seed import main

        assert main(["load", *map(str, SAMPLES), "--table", essays_table]) == 0
        for page in ddb.get_paginator("scan").paginate(TableName=essays_table):
            _library_items.extend(page["Items"])
        return essays_table
    for start in range(0, len(_library_items), 25):
        batch = [{"PutRequest": {"Item": item}} for item in _library_items[start : start + 25]]
        assert not ddb.batch_write_item(RequestItems={essays_table: batch}).get("UnprocessedItems")
    return essays_table


@contextlib.contextmanager
def dynamodb_requests(operation: str) -> Iterator[list[dict[str, Any]]]:
    """The parameters of every `operation` call the functions' DynamoDB client sends meanwhile."""
    sent: list[dict[str, Any]] = []

    def record(params: dict[str, Any], **_: Any) -> None:
        sent.append(params)

    client = dynamodb_client()
    client.meta.events.register(f"provide-client-params.dynamodb.{operation}", record)
    try:
        yield sent
    finally:
        client.meta.events.unregister(f"provide-client-params.dynamodb.{operation}", record)


def api_event(
    name: str,
    *,
    path_parameters: dict[str, str] | None = None,
    query: dict[str, str] | None = None,
    headers: dict[str, str] | None = None,
) -> dict[str, Any]:
    """A recorded API Gateway event with the parts a test cares about replaced."""
    event = copy.deepcopy(json.loads((EVENTS / f"{name}.json").read_text()))
    if path_parameters is not None:
        event["pathParameters"] = path_parameters
        path = event["resource"]
        for key, value in path_parameters.items():
            path = path.replace("{" + key + "}", value)
        event["path"] = path
    if query is not None:
        event["queryStringParameters"] = query or None
        event["multiValueQueryStringParameters"] = {k: [v] for k, v in query.items()} or None
    if headers:
        event["headers"] = {**event["headers"], **headers}
        event["multiValueHeaders"] = {**event["multiValueHeaders"], **{k: [v] for k, v in headers.items()}}
    return event


@dataclass
class LambdaContext:
    function_name: str = "essay-library-test"
    memory_limit_in_mb: int = 512
    invoked_function_arn: str = "arn:aws:lambda:eu-west-2:123456789012:function:essay-library-test"
    aws_request_id: str = "52fdfc07-2182-154f-163f-5f0f9a621d72"

    @staticmethod
    def get_remaining_time_in_millis() -> int:
        return 5000


@pytest.fixture
def context() -> LambdaContext:
    return LambdaContext()


def earned_essay_event(essay_id: str, user: str, earned: int) -> dict[str, Any]:
    """GET /essays/{essayId} as the authorizer passes on a signed-in reader with earned free essays."""
    event = api_event("essay", path_parameters={"essayId": essay_id})
    event["requestContext"]["authorizer"] = {
        "principalId": user,
        "userId": user,
        "plan": "",
        "access": "metered",
        "earned": str(earned),
    }
    return event


def body_of(response: dict[str, Any]) -> Any:
    return json.loads(response["body"])


def parse(model: type[T], body: Any) -> T:
    """A response body read back through its API model: camelCase keys, nothing missing or extra."""
    return TypeAdapter(readable(model)).validate_python(body)


def sample_records() -> list[dict[str, Any]]:
    """The sample essays as plain dicts (JSON Lines and CSV alike)."""
    import csv

    records: list[dict[str, Any]] = []
    for path in SAMPLES:
        if path.suffix == ".jsonl":
            records += [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
        elif path.suffix == ".csv":
            with path.open(encoding="utf-8", newline="") as handle:
                records += list(csv.DictReader(handle))
    return records


def _running_stack() -> dict[str, Any] | None:
    """The stack `make dev` or `make dev-up` is running, if its process is alive."""
    try:
        state = json.loads((ROOT / ".dev" / "stack.json").read_text())
        os.kill(state["pid"], 0)
    except (OSError, ValueError, KeyError):
        return None
    return dict(state)


@pytest.fixture(scope="session")
def stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Any]]:
    """template.yaml deployed into the local emulator, samples loaded, the site served: `essays-dev`
    started in a subprocess on free ports (or the stack `make dev-up` left in .dev/stack.json)."""
    running = _running_stack()
    if running:
        yield {**running, "logFile": str(ROOT / ".dev" / "dev.log")}  # where `make dev-up` sends its output
        return
    folder = tmp_path_factory.mktemp("stack")
    state, log = folder / "stack.json", folder / "essays-dev.log"
    command = [
        sys.executable,
        "-m",
        "essays_cli.devserver",
        "--port",
        "0",
        "--web-port",
        "0",
        "--state-file",
        str(state),
    ]
    with log.open("w") as out:
        # essays-dev drops the test settings it inherits
        process = subprocess.Popen(command, cwd=ROOT, stdout=out, stderr=subprocess.STDOUT)
    try:
        for _ in range(1200):  # sam build (the first time, the layer's wheels) and deploy: up to 5 minutes
            if state.exists() or process.poll() is not None:
                break
            time.sleep(0.25)
        if not state.exists():
            raise RuntimeError(f"the local stack did not start:\n{log.read_text()}")
        yield {**json.loads(state.read_text()), "logFile": str(log)}  # essays-dev's own output
    finally:
        process.terminate()  # essays-dev stops the emulator and its functions
        process.wait(timeout=30)


def aws_client(stack: dict[str, Any], service: str) -> Any:
    """A client of the emulator the stack runs in (never of a real account)."""
    return boto3.client(  # type: ignore[call-overload]
        service,
        endpoint_url=stack["endpointUrl"],
        region_name=stack["region"],
        aws_access_key_id="000000000000",
        aws_secret_access_key="local",
    )


def physical_id(stack: dict[str, Any], logical_id: str) -> str:
    """The name the stack gave one of its resources (a table, a function)."""
    resource = aws_client(stack, "cloudformation").describe_stack_resource(
        StackName=stack["stackName"], LogicalResourceId=logical_id
    )
    return str(resource["StackResourceDetail"]["PhysicalResourceId"])
