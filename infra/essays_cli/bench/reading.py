"""The preview card's size by essay length, and the suggest route's reads as the library grows
(issue 15): what one GetItem of a card and one suggest request cost, measured."""

from __future__ import annotations

import math
import random
import time
from collections import Counter
from typing import Any

from essays_cli.bench.common import ROOT, median
from essays_cli.bench.reads import item_size, read_units

# ---- 2b. the preview card's size (self-contained: no stack needed) -------------------------------


def card_sizes(word_counts: tuple[int, ...] = (500, 1000, 2000, 3000)) -> list[tuple[int, int, int, int, float]]:
    """(words, words shown, card bytes, extracts' bytes before compression, RCU of its GetItem) for
    essays of the given lengths, made of the sample essays' sentences in order (real English, so
    compression is measured on the text it will see), through the loader's own item builder."""
    from essays_cli.loading import items
    from essays_cli.loading.deriving import derive
    from essays_cli.loading.files import read_records
    from essays_cli.loading.previews import PreviewPolicy
    from essays_cli.loading.record import EssayRecord
    from shared.library.text import paragraphs
    from shared.store.dynamo import to_item
    from shared.store.rows import Stamp

    samples = [s.record for path in sorted((ROOT / "samples" / "essays").glob("*.*")) for s in read_records(path)]
    pool = [p for record in samples if record for p in paragraphs(record.body)]
    longest = max((r for r in samples if r), key=lambda r: r.word_count)
    rows = []
    for words in word_counts:
        chosen: list[str] = []
        while sum(len(p.split()) for p in chosen) < words:
            chosen.append(pool[len(chosen) % len(pool)])
        text = " ".join(" ".join(chosen).split()[:words])
        record = EssayRecord.model_validate(
            {**longest.model_dump(by_alias=True, exclude={"body", "annotations"}), "body": text}
        )
        derivation = derive(record.title, record.body, PreviewPolicy())
        preview = derivation.preview
        essay = items.essay_rows(record, derivation, Stamp("0" * 32, "2026-01-01T00:00:00Z", "2026-01-01T00:00:00Z"))
        size = item_size(to_item(essay.card_item()))
        shown = sum(end - start for start, end in preview.spans)
        raw = len(" ".join(preview.extracts).encode("utf-8"))
        rows.append((words, shown, size, raw, 0.5 * max(1, math.ceil(size / 4096))))
    return rows


# ---- 2c. suggest at library scale (self-contained: its own table in the local DynamoDB) -----------

SUGGEST_QUERIES = ("re", "revolution", "stalin ri", "causes of the fr", "reform and revolution in ru")


def suggest_scaling(
    sizes: tuple[int, ...] = (1_000, 150_000), queries: tuple[str, ...] = SUGGEST_QUERIES, repeats: int = 3
) -> list[tuple[int, str, int, int, int, float, float]]:
    """(titles, q, suggestions, GetItem calls, items read, RCU, median ms) per request, as the library
    grows from the first size to the last. Titles are generated from a history vocabulary; the
    lists the measured requests read are the loader's (the best LISTED of every generated title with a
    word under the prefix, ranked and stored as `suggestions.py` does); lists of other prefixes are
    not written, since no measured request reads them."""
    import boto3

    from essays_cli.loading.writer import BatchWriter, put
    from essays_cli.template import table_definition
    from shared.library.suggest import LISTED, parse, prefixes, suggest
    from shared.store import schema
    from shared.store.content import ContentStore
    from shared.store.dynamo import to_item
    from shared.store.rows import SuggestRow

    table = "essays-suggest-bench"
    client = boto3.client("dynamodb")
    client.create_table(TableName=table, **table_definition("EssaysTable"))
    read: set[str] = set()
    for q in queries:
        earlier, prefix = parse(q)
        read |= {prefix, *earlier}
    vocabulary = [
        "revolution",
        "revolutionary",
        "reform",
        "reforms",
        "rise",
        "ruin",
        "russia",
        "russian",
        "rivalry",
        "causes",
        "consequences",
        "stalin",
        "lenin",
        "trotsky",
        "french",
        "france",
        "fraternity",
        "fraternite",
        "1848",
        "1917",
        "war",
        "peace",
        "empire",
        "emperor",
        "napoleon",
        "bismarck",
        "germany",
        "unification",
        "italy",
        "austria",
        "tsar",
        "tsarist",
        "collapse",
        "crisis",
        "economy",
    ]
    rng = random.Random(15)
    writer = BatchWriter(client, table, concurrency=4)
    calls: Counter[str] = Counter()
    units = [0.0, 0]

    def after_call(parsed: dict[str, Any], model: Any, **_: Any) -> None:
        calls[model.name] += 1
        units[0] += read_units(model.name, parsed)
        units[1] += len(parsed.get("Items", [])) + ("Item" in parsed)

    store = ContentStore(table, client)
    client.meta.events.register("after-call.dynamodb.GetItem", after_call)
    rows = []
    written = 0
    lists: dict[str, list[tuple[str, str, str, int | None]]] = {prefix: [] for prefix in read}
    counts: Counter[str] = Counter()
    for size in sizes:
        for n in range(written, size):
            title = " ".join(rng.sample(vocabulary, rng.randint(3, 7))).capitalize()
            essay_id, rating = f"essay-{n:06d}", rng.choice([None, 1, 2, 3, 4, 5])
            for prefix in prefixes(title) & read:
                counts[prefix] += 1
                lists[prefix].append((schema.rated_sk(essay_id, rating), essay_id, title, rating))
                if len(lists[prefix]) > 4 * LISTED:
                    lists[prefix] = sorted(lists[prefix])[:LISTED]
        batch = []
        for prefix, kept in lists.items():
            best = [SuggestRow(i, t, r) for _, i, t, r in sorted(kept)[:LISTED]]
            batch.append(put(to_item(SuggestRow.list_to_item(prefix, best, complete=counts[prefix] <= LISTED))))
        writer.write(batch)
        written = size
        for q in queries:
            timings = []
            for _ in range(repeats):
                calls.clear()
                units[:] = [0.0, 0]
                start = time.perf_counter()
                found = suggest(store, q, 8)
                timings.append((time.perf_counter() - start) * 1000)
            rows.append((size, q, len(found.suggestions), calls["GetItem"], int(units[1]), units[0], median(timings)))
    client.meta.events.unregister("after-call.dynamodb.GetItem", after_call)
    client.delete_table(TableName=table)
    return rows
