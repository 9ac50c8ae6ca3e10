"""Bulk load: generated essays loaded through the loader (`load_run`), against the raw ceiling of
writing as many items of the same mean size through the same writer (`raw_run`), and the load's own
writes replayed alone (`replay_run`): what the endpoint makes of the load's items by themselves. Sizes
are bytes of request body per item as sent (every BatchWriteItem body the load sends, over its
items): what the endpoint receives and parses."""

from __future__ import annotations

import json
import os
import random
import tempfile
from pathlib import Path
from typing import Any

from essays_cli.bench.common import run_program

# A new on-demand table takes about 4,000 write request units a second until it scales (DynamoDB's
# warm throughput of a new on-demand table); the template's EssaysWarmWriteUnits raises that for a first
# big load. The projections divide a load's write units by these rates: the table's limit, not our CPU.
FRESH_WRITE_UNITS_PER_S = 4_000
WARM_WRITE_UNITS_PER_S = 12_000

WORDS = [
    *("revolution", "empire", "war", "treaty", "reform", "economy", "parliament", "crisis", "industry", "nation"),
    *("trade", "people", "power", "rights", "church", "army", "unity", "state", "policy", "famine", "labour"),
    *("cause", "effect", "change", "growth", "coast", "river", "cell"),
]


def generated_essays(path: Path, count: int, seed_value: int = 7) -> None:
    """COUNT essays of 40 sentences in 50 sections, as a JSON Lines file; the same for the same seed."""
    rng = random.Random(seed_value)
    with path.open("w", encoding="utf-8") as handle:
        for i in range(count):
            sentences = [" ".join(rng.choices(WORDS, k=rng.randint(8, 20))).capitalize() + "." for _ in range(40)]
            body = "\n\n".join(" ".join(sentences[j : j + 5]) for j in range(0, 40, 5))
            record = {
                "id": f"gen-{i}",
                "title": " ".join(rng.choices(WORDS, k=6)).capitalize() + f" {i}",
                "level": "GCSE",
                "subject": f"Subject {i % 5}",
                "section": f"Section {i % 50}",
                "body": body,
                "rating": rng.randint(1, 5),
            }
            handle.write(json.dumps(record) + "\n")


def bulk_load(env: dict[str, str], sizes: list[int], concurrency: int = 8) -> list[dict[str, Any]]:
    import boto3

    from essays_cli.template import table_definition

    client = boto3.client("dynamodb")
    rows = []
    with tempfile.TemporaryDirectory() as folder:
        for count in sizes:
            path = Path(folder) / f"essays-{count}.jsonl"
            generated_essays(path, count)
            table, raw_table, replay_table = f"bulk-{count}", f"raw-{count}", f"replay-{count}"
            bodies = Path(folder) / f"bodies-{count}.jsonl"
            client.create_table(TableName=table, **table_definition("EssaysTable"))
            load_args = [table, str(path), f"--concurrency={concurrency}", f"--bodies={bodies}"]
            load = json.loads(run_program("load_run", load_args, env))
            items = int(client.describe_table(TableName=table)["Table"].get("ItemCount", 0)) or load["requests"] * 25
            client.delete_table(TableName=table)
            sample = min(items, 100_000)  # the ceiling's rate and the replay's, on up to 100,000 items
            client.create_table(TableName=raw_table, **table_definition("EssaysTable"))
            size = round(load["bytes_per_item"])
            raw = json.loads(
                run_program("raw_run", [raw_table, str(sample), str(size), f"--concurrency={concurrency}"], env)
            )
            client.delete_table(TableName=raw_table)
            client.create_table(TableName=replay_table, **table_definition("EssaysTable"))
            replay_args = [replay_table, str(bodies), str(sample), f"--concurrency={concurrency}"]
            replay = json.loads(run_program("replay_run", replay_args, env))
            client.delete_table(TableName=replay_table)
            bodies.unlink()
            items_per_second = items / load["seconds"]
            raw_per_second = raw["items"] / raw["seconds"]
            replay_per_second = replay["items"] / replay["seconds"]
            rows.append(
                {
                    "essays": count,
                    "seconds": load["seconds"],
                    "rebuild_seconds": load["rebuild_seconds"],
                    "essays_per_s": load["essays"] / load["seconds"],
                    "items": items,
                    "items_per_essay": items / count,
                    "write_units": load["write_units"],
                    "fresh_minutes": load["write_units"] / FRESH_WRITE_UNITS_PER_S / 60,
                    "warm_minutes": load["write_units"] / WARM_WRITE_UNITS_PER_S / 60,
                    "items_per_s": items_per_second,
                    "raw_items_per_s": raw_per_second,
                    "item_bytes": size,
                    "raw_item_bytes": raw["bytes_per_item"],
                    "ratio": items_per_second / raw_per_second,
                    "replay_items_per_s": replay_per_second,
                    "replay_ratio": replay_per_second / raw_per_second,
                    "peak_mb": load["peak_mb"],
                    "writes_peak_mb": load["writes_peak_mb"],
                    "load_average": os.getloadavg()[0],  # the machine's, over the last minute of the run
                }
            )
    return rows
