"""What every measure shares: the names of the bench's tables and functions, the recorded events,
a Lambda context, and running one of the bench's programs in a fresh interpreter."""

from __future__ import annotations

import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[3]
EVENTS = ROOT / "tests" / "events"
TABLE, SUBSCRIPTIONS, METER = "essays-bench", "subscriptions-bench", "meter-bench"
USER = "bench-subscriber"
FUNCTIONS = ["preview", "essay", "related", "search", "suggest", "sections", "plans", "authorizer"]
EVENT_OF = {"sections": "section_essays", "authorizer": "authorizer_token"}


def median(values: list[float]) -> float:
    return statistics.median(values) if values else float("nan")


def event_for(name: str, token: str) -> dict[str, Any]:
    """The recorded API Gateway event of a function's route (the authorizer's with a valid token)."""
    event: dict[str, Any] = json.loads((EVENTS / f"{EVENT_OF.get(name, name)}.json").read_text())
    if name == "authorizer":
        event["authorizationToken"] = f"Bearer {token}"
    return event


def run_program(module: str, args: list[str], env: dict[str, str]) -> str:
    """Run `python -m essays_cli.bench.<module> ARGS...` and return the last line it printed."""
    out = subprocess.run(
        [sys.executable, "-m", f"essays_cli.bench.{module}", *args],
        env={**os.environ, **env},
        capture_output=True,
        text=True,
    )
    if out.returncode:
        raise RuntimeError(f"essays_cli.bench.{module} {' '.join(args)} failed:\n{out.stderr[-3000:]}")
    return out.stdout.strip().splitlines()[-1]


def attribute_size(value: dict[str, Any]) -> int:
    """Bytes DynamoDB counts for one attribute value (its item-size rules; numbers rounded up)."""
    kind, inner = next(iter(value.items()))
    if kind == "S":
        return len(inner.encode("utf-8"))
    if kind == "N":
        return len(inner.lstrip("-").replace(".", "")) // 2 + 2
    if kind in ("BOOL", "NULL"):
        return 1
    if kind == "B":
        return len(inner) if isinstance(inner, bytes) else len(inner) * 3 // 4
    if kind == "L":
        return 3 + sum(1 + attribute_size(v) for v in inner)
    if kind == "M":
        return 3 + sum(len(k.encode("utf-8")) + 1 + attribute_size(v) for k, v in inner.items())
    return sum(len(str(v)) for v in inner)  # sets: the members' bytes


def write_units(item: dict[str, Any]) -> int:
    """On-demand write request units of putting ITEM: one per started KB of its size."""
    size = sum(len(name.encode("utf-8")) + attribute_size(value) for name, value in item.items())
    return max(1, -(-size // 1024))


class WireBytes:
    """The bytes of every BatchWriteItem request body a client sends (retries included): with the
    writer's count of items sent, the mean size of an item as the emulator receives it. With
    `units`, the bodies are also kept in a temporary file, and `count_units()` gives the write request
    units their items would cost on DynamoDB (deletes: 1 each), retries included as the bytes are (a
    load against a fresh emulator table retries next to nothing). Counted after the load, off its
    clock: parsing every body again as it is sent took ~0.4 ms of CPU per essay from the load's
    threads, which the ceiling it is compared with does not pay."""

    def __init__(self, client: Any, units: bool = False, keep: Path | None = None) -> None:
        self.total = 0
        # kept in KEEP when given (the bench replays them: replay_run), else in a temporary file
        bodies = (keep.open("w+b") if keep else tempfile.TemporaryFile()) if units else None  # noqa: SIM115
        self._bodies = bodies  # closed by count_units
        client.meta.events.register("before-send.dynamodb.BatchWriteItem", self._count)

    def _count(self, request: Any, **_: Any) -> None:
        body = request.body or b""
        self.total += len(body)
        if self._bodies is not None:
            self._bodies.write(body + b"\n")  # compact JSON: no line break inside a body

    def count_units(self) -> int:
        """The write request units of every body kept (call once, after the load)."""
        assert self._bodies is not None, "made without units"
        units = 0
        with self._bodies as bodies:
            bodies.seek(0)
            for line in bodies:
                for writes in json.loads(line)["RequestItems"].values():
                    for write in writes:
                        put = write.get("PutRequest")
                        units += write_units(put["Item"]) if put else 1
        return units


def timed_writes(writer: Any, requests: list[dict[str, Any]]) -> float:
    """Seconds to write REQUESTS through a loader's BatchWriter, 2,500 at a time (what the raw ceiling
    and the replay both time); the writer is closed after the clock."""
    start = time.perf_counter()
    for first in range(0, len(requests), 2500):
        writer.write(requests[first : first + 2500])
    seconds = time.perf_counter() - start
    writer.close()
    return seconds


def writing_client(concurrency: int, units: bool = False, keep: Path | None = None) -> tuple[Any, WireBytes]:
    """A DynamoDB client as the seed makes one for `concurrency` writer threads (requests built by
    the loader are not checked again), with the bytes of its BatchWriteItem bodies counted."""
    import boto3
    from botocore.config import Config

    config = Config(parameter_validation=False, max_pool_connections=max(10, 2 * concurrency))
    client = boto3.client("dynamodb", config=config)
    return client, WireBytes(client, units, keep)
