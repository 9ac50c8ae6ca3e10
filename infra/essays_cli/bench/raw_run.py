"""The raw write ceiling, in a fresh interpreter: BatchWriteItem of COUNT items of SIZE bytes
through the loader's writer, with nothing to derive.

    python -m essays_cli.bench.raw_run TABLE COUNT SIZE [--concurrency 8]

Prints one JSON line: seconds and items written.
"""

from __future__ import annotations

import argparse
import json
import time

import boto3
from botocore.config import Config

from essays_cli.loading.writer import BatchWriter, put


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("table")
    parser.add_argument("count", type=int)
    parser.add_argument("size", type=int)
    parser.add_argument("--concurrency", type=int, default=8)
    args = parser.parse_args(argv)
    client = boto3.client(
        "dynamodb", config=Config(parameter_validation=False, max_pool_connections=max(10, 2 * args.concurrency))
    )
    writer = BatchWriter(client, args.table, concurrency=args.concurrency)
    pad = "x" * args.size
    items = [put({"pk": {"S": f"RAW#{i}"}, "sk": {"S": "x"}, "pad": {"S": pad}}) for i in range(args.count)]
    start = time.perf_counter()
    for first in range(0, len(items), 2500):
        writer.write(items[first : first + 2500])
    print(json.dumps({"seconds": time.perf_counter() - start, "items": len(items)}))


if __name__ == "__main__":
    main()
