"""The raw write ceiling, in a fresh interpreter: BatchWriteItem of COUNT items of SIZE bytes each
as sent (the request body's bytes per item, as the load's are measured) through the loader's
writer, with nothing to derive.

    python -m essays_cli.bench.raw_run TABLE COUNT SIZE [--concurrency 8]

Prints one JSON line: seconds, items written, and the bytes per item actually sent.
"""

from __future__ import annotations

import argparse
import json

from essays_cli.bench.common import timed_writes, writing_client
from essays_cli.loading.writer import BatchWriter, put


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("table")
    parser.add_argument("count", type=int)
    parser.add_argument("size", type=int)
    parser.add_argument("--concurrency", type=int, default=8)
    args = parser.parse_args(argv)
    client, wire = writing_client(args.concurrency)
    writer = BatchWriter(client, args.table, concurrency=args.concurrency)
    bare = put({"pk": {"S": f"RAW#{args.count}"}, "sk": {"S": "x"}, "pad": {"S": ""}})
    pad = "x" * max(1, args.size - len(json.dumps(bare, separators=(",", ":"))) - 1)  # 1: the comma between
    items = [put({"pk": {"S": f"RAW#{i}"}, "sk": {"S": "x"}, "pad": {"S": pad}}) for i in range(args.count)]
    seconds = timed_writes(writer, items)
    print(json.dumps({"seconds": seconds, "items": len(items), "bytes_per_item": wire.total / writer.items_sent}))


if __name__ == "__main__":
    main()
