"""Reads per request: the DynamoDB calls each function's request makes, and their read units."""

from __future__ import annotations

import importlib
import math
import os
from collections import Counter
from contextlib import redirect_stdout
from typing import Any

from essays_cli.bench.common import FUNCTIONS, event_for
from essays_cli.bench.context import LambdaContext


def item_size(item: dict[str, Any]) -> int:
    """An item's size as DynamoDB counts it: attribute names plus values."""

    def value_size(value: dict[str, Any]) -> int:
        ((kind, inner),) = value.items()
        if kind == "S":
            return len(inner.encode("utf-8"))
        if kind == "N":
            return len(inner.lstrip("-").replace(".", "")) // 2 + 2
        if kind == "B":
            return len(inner)
        if kind in ("BOOL", "NULL"):
            return 1
        if kind == "L":
            return 3 + sum(1 + value_size(v) for v in inner)
        if kind == "M":
            return 3 + sum(len(k.encode()) + 1 + value_size(v) for k, v in inner.items())
        return len(str(inner))

    return sum(len(k.encode("utf-8")) + value_size(v) for k, v in item.items())


def read_units(operation: str, parsed: dict[str, Any]) -> float:
    """Eventually consistent read units: 0.5 per 4 KB, per item for GetItem/BatchGetItem,
    over the summed size for a Query."""
    if operation == "GetItem":
        return 0.5 * max(1, math.ceil(item_size(parsed.get("Item", {})) / 4096))
    if operation == "Query":
        return 0.5 * max(1, math.ceil(sum(item_size(i) for i in parsed.get("Items", [])) / 4096))
    if operation == "BatchGetItem":
        items = [i for table in parsed.get("Responses", {}).values() for i in table]
        return sum(0.5 * max(1, math.ceil(item_size(i) / 4096)) for i in items)
    return 0.0


def reads_per_request(env: dict[str, str]) -> list[tuple[str, str, float, float]]:
    """Per function that reads: its calls ("1 GetItem"), their read units, and the largest single read."""
    from shared.store.dynamo import dynamodb_client

    calls: Counter[str] = Counter()
    units = [0.0, 0.0]  # total, largest single read

    def after_call(http_response: Any, parsed: dict[str, Any], model: Any, **_: Any) -> None:
        calls[model.name] += 1
        read = read_units(model.name, parsed)
        units[0] += read
        units[1] = max(units[1], read)

    dynamodb_client().meta.events.register("after-call.dynamodb", after_call)
    rows = []
    for name in FUNCTIONS:
        if name == "plans":
            continue
        module = importlib.import_module(f"functions.{name}.app")
        calls.clear()
        units[:] = [0.0, 0.0]
        with open(os.devnull, "w") as devnull, redirect_stdout(devnull):
            module.handler(event_for(name, env["TOKEN"]), LambdaContext())
        summary = ", ".join(f"{n} {op}" for op, n in sorted(calls.items())) or "none"
        rows.append((name, summary, units[0], units[1]))
    return rows
