"""The load's own writes replayed, in a fresh interpreter: the first COUNT write requests of the
BatchWriteItem bodies a load sent (load_run --bodies), in the order it sent them, through the
loader's writer into TABLE, with nothing to validate, derive or build. What the endpoint makes of
the load's items by themselves: between the raw ceiling (flat items of the same size) and the load.

    python -m essays_cli.bench.replay_run TABLE BODIES COUNT [--concurrency 8]

Prints one JSON line: seconds and items written.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import Any

from essays_cli.bench.common import timed_writes, writing_client
from essays_cli.loading.writer import BatchWriter


def writes_of(bodies: Path, count: int) -> list[dict[str, Any]]:
    """The first COUNT write requests (puts and deletes) of the bodies, in the order they were sent."""
    writes: list[dict[str, Any]] = []
    with bodies.open("rb") as lines:
        for line in lines:
            for requests in json.loads(line)["RequestItems"].values():
                writes += requests
            if len(writes) >= count:
                break
    return writes[:count]


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("table")
    parser.add_argument("bodies", type=Path)
    parser.add_argument("count", type=int)
    parser.add_argument("--concurrency", type=int, default=8)
    args = parser.parse_args(argv)
    client, _ = writing_client(args.concurrency)
    writer = BatchWriter(client, args.table, concurrency=args.concurrency)
    writes = writes_of(args.bodies, args.count)
    seconds = timed_writes(writer, writes)  # as raw_run sends its items
    print(json.dumps({"seconds": seconds, "items": len(writes)}))


if __name__ == "__main__":
    main()
