"""One bulk load, in a fresh interpreter, as `essays-seed load` makes it:

    python -m essays_cli.bench.load_run TABLE FILE [--concurrency 8] [--bodies PATH]

Prints one JSON line: seconds (of which the rebuilds, sections then suggest lists, which come last), essays loaded,
BatchWriteItem requests sent, the mean bytes per item sent (request bodies over items), the write
requests sent and the write request units they would cost on DynamoDB, and the
peak memory (RSS, MB) after validation and writes, and in all. With --bodies, the BatchWriteItem
bodies it sent are kept in PATH, one a line, for replay_run.
"""

from __future__ import annotations

import argparse
import json
import resource
import time
from pathlib import Path
from typing import Any

from essays_cli.bench.common import writing_client
from essays_cli.loading.loader import Loader
from essays_cli.loading.sections import SectionLabel


def peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("table")
    parser.add_argument("file", type=Path)
    parser.add_argument("--concurrency", type=int, default=8)
    parser.add_argument("--bodies", type=Path)
    args = parser.parse_args(argv)
    client, wire = writing_client(args.concurrency, units=True, keep=args.bodies)
    loader = Loader(client, args.table, concurrency=args.concurrency)
    rebuild_sections, writes_peak_mb, rebuilds_began = loader.rebuild_sections, [], []

    def rebuild_after_the_writes(sections: dict[str, SectionLabel], at_once: int = 1, **run: Any) -> Any:
        writes_peak_mb.append(peak_mb())  # the peak of validation and writes, before the section rebuilds
        rebuilds_began.append(time.perf_counter())
        return rebuild_sections(sections, at_once, **run)  # the load's kept members and worker processes

    loader.rebuild_sections = rebuild_after_the_writes  # type: ignore[method-assign]
    start = time.perf_counter()
    validation = loader.validate([args.file])
    summary = loader.load([args.file], validation)
    end = time.perf_counter()
    seconds = end - start
    result = {
        "seconds": seconds,
        "essays": summary.loaded,
        "requests": loader.writer.requests_sent,
        "bytes_per_item": wire.total / max(loader.writer.items_sent, 1),
        "items_sent": loader.writer.items_sent,
        "write_units": wire.count_units(),  # after the clock: parsing the bodies is the bench's work
        "peak_mb": peak_mb(),
        "writes_peak_mb": writes_peak_mb[0] if writes_peak_mb else peak_mb(),
        "rebuild_seconds": end - rebuilds_began[0] if rebuilds_began else 0.0,
    }
    print(json.dumps(result))


if __name__ == "__main__":
    main()
