"""Warm latency with DynamoDB stubbed (botocore's Stubber replays each function's recorded
responses): a regression guard on the work of ours per request, against a minimal handler."""

from __future__ import annotations

import importlib
import json
import os
import time
from collections.abc import Callable
from contextlib import redirect_stdout
from typing import Any

from essays_cli.bench.common import FUNCTIONS, TABLE, event_for, median
from essays_cli.bench.context import LambdaContext

Replies = list[tuple[str, dict[str, Any]]]


def warm_latency(env: dict[str, str], calls: int = 1000) -> list[tuple[str, float, float]]:
    """Per row: name, median ms per request, ratio to the baseline."""
    from botocore.stub import Stubber

    from shared.store.dynamo import dynamodb_client

    client = dynamodb_client()
    recorded: dict[str, Replies] = {}

    def record(name: str) -> Callable[..., None]:
        def after_call(parsed: dict[str, Any], model: Any, **_: Any) -> None:
            response = {k: v for k, v in parsed.items() if k != "ResponseMetadata"}
            recorded[name].append((model.name, response))

        return after_call

    modules = {name: importlib.import_module(f"functions.{name}.app") for name in FUNCTIONS}
    devnull = open(os.devnull, "w")  # noqa: SIM115 - kept open for every timed batch
    for name, module in modules.items():  # one real call each, to learn the responses to replay
        recorded[name] = []
        hook = record(name)
        client.meta.events.register("after-call.dynamodb", hook)
        with redirect_stdout(devnull):
            module.handler(event_for(name, env["TOKEN"]), LambdaContext())
        client.meta.events.unregister("after-call.dynamodb", hook)

    baseline_item = next(r for op, r in recorded["preview"] if op == "GetItem")

    def baseline(event: dict[str, Any], context: Any) -> dict[str, Any]:
        item = client.get_item(TableName=TABLE, Key={"pk": {"S": "x"}, "sk": {"S": "y"}}).get("Item")
        return {"statusCode": 200, "body": json.dumps({"found": bool(item)})}

    def time_calls(handler: Callable[..., Any], event: dict[str, Any], responses: Replies) -> float:
        per_call = []
        with Stubber(client) as stubber, redirect_stdout(devnull):
            for _ in range(5):
                for _ in range(calls // 5):
                    for operation, response in responses:
                        stubber.add_response(_snake(operation), response)
                start = time.perf_counter()
                for _ in range(calls // 5):
                    handler(event, LambdaContext())
                per_call.append((time.perf_counter() - start) / (calls // 5) * 1000)
        return median(per_call)

    results = [("baseline", time_calls(baseline, {}, [("GetItem", baseline_item)]))]
    for name, module in modules.items():
        # the authorizer's key set is cached after its first call: it then reads the subscription only
        responses = [(op, r) for op, r in recorded[name] if name != "authorizer" or op == "GetItem"]
        results.append((name, time_calls(module.handler, event_for(name, env["TOKEN"]), responses)))
    devnull.close()
    base = results[0][1]
    return [(name, ms, ms / base) for name, ms in results]


def _snake(operation: str) -> str:
    return "".join("_" + c.lower() if c.isupper() else c for c in operation).lstrip("_")
