"""DynamoDB plumbing: one client per container, a small attribute codec, and the mapping of
DynamoDB errors onto domain exceptions.

The codec is ours, not boto3's TypeSerializer/TypeDeserializer: those give every number as a Decimal
and binary as a Binary wrapper, which the rows (ints, bytes) would convert back, and decoding a preview
card with them took 2.9x as long before that conversion (255 against 88 µs; docs/performance.md)."""

from __future__ import annotations

import functools
import gc
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from typing import Any

from botocore.config import Config
from botocore.exceptions import ClientError, ConnectionError, HTTPClientError

from shared.errors import Unavailable
from shared.store.clients import aws_client

# Everything loaded so far (botocore) lives as long as the container. Frozen, the garbage
# collector stops scanning those objects at every collection for the rest of init and during requests:
# measured, it halves the CPU time of importing our modules after botocore.
gc.freeze()

AttributeMap = dict[str, dict[str, Any]]
# Worth a retry after a moment (the functions answer 503, the loader backs off); any other
# DynamoDB error is a fault of ours. The one list of them: the loader's writer uses it too.
RETRYABLE = frozenset(
    {
        "ProvisionedThroughputExceededException",
        "ThrottlingException",
        "RequestLimitExceeded",
        "InternalServerError",
        "ServiceUnavailable",
    }
)
BUSY = "The library is busy right now; please retry in a moment."


@functools.cache
def dynamodb_client() -> Any:
    """Created on first use (never at import, so tests can start moto first), then reused.

    The endpoint honours AWS_ENDPOINT_URL / AWS_ENDPOINT_URL_DYNAMODB for local emulators.
    """
    # Two attempts of at most 1 s connect + 2 s read stay inside the functions' 8 s timeout.
    config = Config(connect_timeout=1, read_timeout=2, retries={"mode": "standard", "max_attempts": 2})
    return aws_client("dynamodb", config)


class Table:
    """One DynamoDB table: its name, and the container's client unless a test or tool passes one."""

    def __init__(self, table_name: str, client: Any = None) -> None:
        self.table_name = table_name
        self._client = client

    @property
    def client(self) -> Any:
        return self._client or dynamodb_client()


@contextmanager
def dynamodb_errors() -> Iterator[None]:
    """Throttling and transient failures become Unavailable (503, retry later); the rest are faults."""
    try:
        yield
    except ClientError as error:
        if error.response.get("Error", {}).get("Code") in RETRYABLE:
            raise Unavailable(BUSY) from error
        raise
    except (ConnectionError, HTTPClientError) as error:  # timeouts and refused connections
        raise Unavailable(BUSY) from error


class ConditionalWrite:
    """Whether a conditional write was refused because its condition did not hold (no error: the
    caller reads what holds instead)."""

    refused = False


@contextmanager
def conditional_write() -> Iterator[ConditionalWrite]:
    """A write with a ConditionExpression: a failed condition sets `refused`; other errors as
    dynamodb_errors() maps them."""
    write = ConditionalWrite()
    try:
        with dynamodb_errors():
            yield write
    except ClientError as error:
        if error.response.get("Error", {}).get("Code") != "ConditionalCheckFailedException":
            raise
        write.refused = True


def to_attribute(value: Any) -> dict[str, Any]:
    if isinstance(value, bool):
        return {"BOOL": value}
    if isinstance(value, str):
        return {"S": value}
    if isinstance(value, bytes):
        return {"B": value}
    if isinstance(value, int):
        return {"N": str(value)}
    if isinstance(value, list | tuple):
        return {"L": [to_attribute(v) for v in value]}
    if isinstance(value, Mapping):
        return {"M": to_item(value)}
    raise TypeError(f"cannot store {type(value).__name__} in DynamoDB")


def to_item(values: Mapping[str, Any]) -> AttributeMap:
    """Plain values to a DynamoDB item; None means "attribute absent"."""
    return {k: to_attribute(v) for k, v in values.items() if v is not None}


def from_attribute(attribute: Mapping[str, Any]) -> Any:
    ((kind, value),) = attribute.items()
    if kind == "S" or kind == "BOOL" or kind == "B":
        return value
    if kind == "N":
        return int(value) if value.lstrip("-").isdigit() else float(value)
    if kind == "L":
        return [from_attribute(v) for v in value]
    if kind == "M":
        return from_item(value)
    if kind == "NULL":
        return None
    if kind == "SS":
        return set(value)
    raise TypeError(f"unexpected DynamoDB attribute type {kind}")


def from_item(item: Mapping[str, Any]) -> dict[str, Any]:
    return {k: from_attribute(v) for k, v in item.items()}


def projection(attributes: Sequence[str]) -> dict[str, Any]:
    """The parameters of a read that returns only these attributes (each named by a placeholder:
    some attribute names are DynamoDB reserved words)."""
    return {
        "ProjectionExpression": ", ".join(f"#a{i}" for i in range(len(attributes))),
        "ExpressionAttributeNames": {f"#a{i}": name for i, name in enumerate(attributes)},
    }


def batch_get(
    client: Any,
    table: str,
    keys: Sequence[AttributeMap],
    *,
    attempts: int = 3,
    wait: Callable[[int], None] = lambda attempt: None,
    consistent: bool = False,
    attributes: Sequence[str] = (),
) -> Iterator[dict[str, Any]]:
    """The items of up to 100 keys (BatchGetItem), unprocessed keys retried up to `attempts`
    times with `wait(attempt)` between; still refused, or throttled: Unavailable."""
    request: dict[str, Any] = {table: {"Keys": list(keys)} | ({"ConsistentRead": True} if consistent else {})}
    if attributes:
        request[table] |= projection(attributes)
    for attempt in range(attempts):
        with dynamodb_errors():
            response = client.batch_get_item(RequestItems=request)
        for item in response.get("Responses", {}).get(table, []):
            yield from_item(item)
        request = response.get("UnprocessedKeys") or {}
        if not request:
            return
        wait(attempt)
    raise Unavailable(BUSY)


def query_items(client: Any, **query: Any) -> Iterator[dict[str, Any]]:
    """Every item a Query matches, page after page (each page one call; throttling: Unavailable)."""
    while True:
        with dynamodb_errors():
            response = client.query(**query)
        for item in response.get("Items", []):
            yield from_item(item)
        if "LastEvaluatedKey" not in response:
            return
        query = {**query, "ExclusiveStartKey": response["LastEvaluatedKey"]}
