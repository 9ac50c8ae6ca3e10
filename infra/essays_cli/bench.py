"""essays-bench (`make bench`): cold start, reads per request, warm latency, bulk load and cost.

Every figure is measured against its baseline in the same run and reported as a ratio, with
medians: this machine is noisy. It prints a Markdown table and writes it to --output.

    essays-bench [--runs 10] [--sizes 10000,50000] [--full] [--output infra/bench-results.md]
"""

from __future__ import annotations

import argparse
import json
import math
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager, redirect_stdout
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
EVENTS = ROOT / "tests" / "events"
TABLE, SUBSCRIPTIONS = "essays-bench", "subscriptions-bench"
USER = "bench-subscriber"
FUNCTIONS = ["preview", "essay", "related", "search", "suggest", "sections", "plans", "authorizer"]
EVENT_OF = {"sections": "section_essays", "authorizer": "authorizer_token"}

# List prices (eu-west-2 is close; us-east-1 shown), USD.
PRICE_API_PER_MILLION = 3.50  # REST API requests, first 333 million
PRICE_LAMBDA_REQUEST_PER_MILLION = 0.20
PRICE_LAMBDA_GB_SECOND_ARM = 0.0000133334
PRICE_READ_UNITS_PER_MILLION = 0.125  # DynamoDB on-demand read request units
MEMORY_GB = 0.5

BASELINE_SCRIPT = """
import json, time
t = time.perf_counter()
import boto3
client = boto3.client("dynamodb")
body = json.dumps({"statusCode": 200, "body": json.dumps({"ok": True})})
print((time.perf_counter() - t) * 1000)
"""

# The same, plus the one GetItem a function's first request makes: what serving a request costs
# before any code of ours runs (botocore resolves the endpoint and signs on the first call).
BASELINE_WITH_READ_SCRIPT = """
import json, time
t = time.perf_counter()
import boto3
client = boto3.client("dynamodb")
client.get_item(TableName="essays-bench", Key={"pk": {"S": "ESSAY#stalin-rise-to-power"}, "sk": {"S": "CARD"}})
body = json.dumps({"statusCode": 200, "body": json.dumps({"ok": True})})
print((time.perf_counter() - t) * 1000)
"""

# The same again, plus what the search and sections functions add on a first request that pages:
# a Secrets Manager client and one GetSecretValue for the cursor key (kept for the container's life).
BASELINE_WITH_SECRET_SCRIPT = BASELINE_WITH_READ_SCRIPT.replace(
    "body = ",
    'boto3.client("secretsmanager").get_secret_value(SecretId="bench-cursor-secret")\nbody = ',
)

FUNCTION_SCRIPT = """
import json, sys, time, io, contextlib
t = time.perf_counter()
sys.path.insert(0, {root!r})
with contextlib.redirect_stdout(io.StringIO()):
    from functions.{name} import app
    class Context:
        function_name = "bench"; memory_limit_in_mb = 512; aws_request_id = "bench"
        invoked_function_arn = "arn:aws:lambda:eu-west-2:000000000000:function:bench"
        def get_remaining_time_in_millis(self): return 5000
    response = app.handler(json.loads({event!r}), Context())
elapsed = (time.perf_counter() - t) * 1000
policy = response.get("policyDocument", {{}}).get("Statement", [{{}}])[0]
ok = response.get("statusCode") == 200 or policy.get("Effect") == "Allow"
print(elapsed if ok else -1)
"""


def _median(values: list[float]) -> float:
    return statistics.median(values) if values else float("nan")


# ---- the local stack the benchmark runs against -----------------------------------------------


@contextmanager
def dynamodb_endpoint() -> Iterator[str]:
    """The local DynamoDB to measure against: ministack (pinned, in its own environment, see the
    Makefile) when installed; else moto's server, whose Query reads the whole table, so bulk
    loads there measure the emulator more than the loader."""
    import logging
    import socket
    import urllib.request

    ministack = ROOT / ".venv-ministack" / "bin" / "ministack"
    if ministack.exists():
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            port = probe.getsockname()[1]
        process = subprocess.Popen(
            [str(ministack)],
            env={**os.environ, "GATEWAY_PORT": str(port), "MINISTACK_HOST": "127.0.0.1"},
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        url = f"http://127.0.0.1:{port}"
        try:
            for _ in range(100):
                try:
                    urllib.request.urlopen(f"{url}/_ministack/health", timeout=1)
                    break
                except OSError:
                    time.sleep(0.1)
            yield url
        finally:
            process.terminate()
            process.wait(timeout=10)
        return
    from moto.server import ThreadedMotoServer

    logging.getLogger("werkzeug").setLevel(logging.ERROR)
    emulator = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    emulator.start()
    host, port = emulator.get_host_and_port()
    try:
        yield f"http://{host}:{port}"
    finally:
        emulator.stop()


@contextmanager
def local_stack() -> Iterator[dict[str, str]]:
    """A local DynamoDB with the samples and one subscriber, and a JWKS endpoint."""
    import boto3

    from essays_cli import seed
    from essays_cli.issuer import CLIENT_ID, JwksServer, LocalIssuer
    from essays_cli.template import table_definition
    from shared.access.subscriptions import Status, Subscription
    from shared.store.subscriptions import SubscriptionStore

    stack = ExitStack()
    dynamodb_url = stack.enter_context(dynamodb_endpoint())

    jwks = JwksServer()
    issuer_url = jwks.base
    issuer = LocalIssuer(issuer_url)
    jwks.document = issuer.jwks()
    env = {
        "AWS_ACCESS_KEY_ID": "000000000000",  # ministack reads a 12-digit key as the account
        "AWS_SECRET_ACCESS_KEY": "bench",
        "AWS_DEFAULT_REGION": "eu-west-2",
        "AWS_ENDPOINT_URL_DYNAMODB": dynamodb_url,
        "AWS_ENDPOINT_URL_SECRETS_MANAGER": dynamodb_url,  # the same emulator serves both
        "ESSAYS_TABLE": TABLE,
        "SUBSCRIPTIONS_TABLE": SUBSCRIPTIONS,
        "CURSOR_SECRET_ARN": "bench-cursor-secret",  # a name serves as well as an ARN
        "TOKEN_ISSUER": issuer_url,
        "TOKEN_AUDIENCE": CLIENT_ID,
        "TOKEN_USE": "access",
        "JWKS_URL": jwks.url,
        "JWKS_LOCAL_EMULATOR": "true",  # the keys are served on 127.0.0.1 over http
        "POWERTOOLS_SERVICE_NAME": "bench",
        "POWERTOOLS_LOG_LEVEL": "WARNING",
        "POWERTOOLS_METRICS_NAMESPACE": "Bench",
        "TOKEN": issuer.token(USER),
    }
    os.environ.update(env)
    boto3.client("secretsmanager").create_secret(
        Name=env["CURSOR_SECRET_ARN"], SecretString="bench-cursor-secret-0123456789abcdef0123"
    )
    client = boto3.client("dynamodb")
    client.create_table(TableName=TABLE, **table_definition("EssaysTable"))
    client.create_table(TableName=SUBSCRIPTIONS, **table_definition("SubscriptionsTable"))
    samples = sorted(str(p) for p in (ROOT / "samples" / "essays").glob("*.*"))
    with redirect_stdout(sys.stderr):
        seed.main(["load", *samples, "--table", TABLE])
    SubscriptionStore(SUBSCRIPTIONS, client).put(
        Subscription.for_days(USER, "Monthly", Status.ACTIVE, 30, datetime.now(UTC))
    )
    try:
        yield env
    finally:
        jwks.stop()
        stack.close()


def event_for(name: str, token: str) -> dict[str, Any]:
    event: dict[str, Any] = json.loads((EVENTS / f"{EVENT_OF.get(name, name)}.json").read_text())
    if name == "authorizer":
        event["authorizationToken"] = f"Bearer {token}"
    return event


# ---- 1. cold start ---------------------------------------------------------------------------


def _run_python(script: str, env: dict[str, str]) -> float:
    out = subprocess.run(
        [sys.executable, "-c", script], env={**os.environ, **env}, capture_output=True, text=True, check=True
    )
    return float(out.stdout.strip().splitlines()[-1])


def cold_starts(env: dict[str, str], runs: int) -> list[tuple[str, float, float, float]]:
    scripts = {
        name: FUNCTION_SCRIPT.format(root=str(ROOT), name=name, event=json.dumps(event_for(name, env["TOKEN"])))
        for name in FUNCTIONS
    }
    rows = ["baseline", "baseline + 1 GetItem", "baseline + 1 GetItem + 1 GetSecretValue", *FUNCTIONS]
    samples: dict[str, list[float]] = {name: [] for name in rows}
    for _ in range(runs):  # interleaved, so drift in the machine's load hits every figure alike
        samples["baseline"].append(_run_python(BASELINE_SCRIPT, env))
        samples["baseline + 1 GetItem"].append(_run_python(BASELINE_WITH_READ_SCRIPT, env))
        samples["baseline + 1 GetItem + 1 GetSecretValue"].append(_run_python(BASELINE_WITH_SECRET_SCRIPT, env))
        for name, script in scripts.items():
            elapsed = _run_python(script, env)
            if elapsed < 0:
                raise RuntimeError(f"the {name} function did not answer 200/Allow in the cold-start run")
            samples[name].append(elapsed)
    baseline, with_read = _median(samples["baseline"]), _median(samples["baseline + 1 GetItem"])
    return [
        (name, _median(samples[name]), _median(samples[name]) / baseline, _median(samples[name]) / with_read)
        for name in rows
    ]


# ---- 2. reads per request -----------------------------------------------------------------------


def _item_size(item: dict[str, Any]) -> int:
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


def _read_units(operation: str, parsed: dict[str, Any]) -> float:
    """Eventually consistent read units: 0.5 per 4 KB, per item for GetItem/BatchGetItem,
    over the summed size for a Query."""
    if operation == "GetItem":
        return 0.5 * max(1, math.ceil(_item_size(parsed.get("Item", {})) / 4096))
    if operation == "Query":
        return 0.5 * max(1, math.ceil(sum(_item_size(i) for i in parsed.get("Items", [])) / 4096))
    if operation == "BatchGetItem":
        items = [i for table in parsed.get("Responses", {}).values() for i in table]
        return sum(0.5 * max(1, math.ceil(_item_size(i) / 4096)) for i in items)
    return 0.0


def reads_per_request(env: dict[str, str]) -> list[tuple[str, str, float, float]]:
    from shared.store.dynamo import dynamodb_client

    calls: Counter[str] = Counter()
    units = [0.0, 0.0]  # total, largest single read

    def after_call(http_response: Any, parsed: dict[str, Any], model: Any, **_: Any) -> None:
        calls[model.name] += 1
        read = _read_units(model.name, parsed)
        units[0] += read
        units[1] = max(units[1], read)

    dynamodb_client().meta.events.register("after-call.dynamodb", after_call)
    rows = []
    for name in FUNCTIONS:
        if name == "plans":
            continue
        module = __import__(f"functions.{name}.app", fromlist=["handler"])
        calls.clear()
        units[:] = [0.0, 0.0]
        with open(os.devnull, "w") as devnull, redirect_stdout(devnull):
            module.handler(event_for(name, env["TOKEN"]), _Context())
        summary = ", ".join(f"{n} {op}" for op, n in sorted(calls.items())) or "none"
        rows.append((name, summary, units[0], units[1]))
    return rows


class _Context:
    function_name = "bench"
    memory_limit_in_mb = 512
    aws_request_id = "bench"
    invoked_function_arn = "arn:aws:lambda:eu-west-2:000000000000:function:bench"

    @staticmethod
    def get_remaining_time_in_millis() -> int:
        return 5000


# ---- 2b. the preview card's size (self-contained: no stack needed) -------------------------------


def card_sizes(word_counts: tuple[int, ...] = (500, 1000, 2000, 3000)) -> list[tuple[int, int, int, int, float]]:
    """(words, words shown, card bytes, extracts' bytes before compression, RCU of its GetItem) for
    essays of the given lengths, made of the sample essays' sentences in order (real English, so
    compression is measured on the text it will see), through the loader's own item builder."""
    from essays_cli.loading import items
    from essays_cli.loading.files import read_records
    from essays_cli.loading.previews import PreviewPolicy, build_preview
    from essays_cli.loading.ranking import essay_keywords
    from essays_cli.loading.record import EssayRecord
    from shared.library.text import paragraphs
    from shared.store.dynamo import to_item

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
        preview = build_preview(record.body, PreviewPolicy())
        card = items.card_values(
            record,
            preview,
            essay_keywords(record.title, record.body),
            "0" * 32,
            "2026-01-01T00:00:00Z",
            "2026-01-01T00:00:00Z",
        )
        size = _item_size(to_item(card))
        shown = sum(end - start for start, end in preview.spans)
        raw = len(" ".join(preview.extracts).encode("utf-8"))
        rows.append((words, shown, size, raw, 0.5 * max(1, math.ceil(size / 4096))))
    return rows


# ---- 2c. suggest at library scale (self-contained: its own table in the local DynamoDB) -----------

SUGGEST_QUERIES = ("re", "revolution", "stalin ri", "causes of the fr", "reform and revolution in ru")


def suggest_scaling(
    sizes: tuple[int, ...] = (1_000, 150_000), queries: tuple[str, ...] = SUGGEST_QUERIES, repeats: int = 3
) -> list[tuple[int, str, int, int, int, float, float]]:
    """(titles, q, suggestions, Query calls, items read, RCU, median ms) per request, as the library
    grows from the first size to the last. Titles are generated from a history vocabulary; the
    partitions the measured requests read are complete (every generated title with a word under
    that prefix has its entry, written by the loader's own item builder); entries under other
    prefixes are not written, since a Query reads one partition and no measured request reads them."""
    import boto3

    from essays_cli.loading import items
    from essays_cli.loading.writer import BatchWriter, put
    from essays_cli.template import table_definition
    from shared.library.suggest import parse, suggest
    from shared.store.content import ContentStore
    from shared.store.dynamo import to_item

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
        units[0] += _read_units(model.name, parsed)
        units[1] += len(parsed.get("Items", []))

    store = ContentStore(table, client)
    client.meta.events.register("after-call.dynamodb.Query", after_call)
    rows = []
    written = 0
    for size in sizes:
        batch: list[dict[str, Any]] = []
        for n in range(written, size):
            title = " ".join(rng.sample(vocabulary, rng.randint(3, 7))).capitalize()
            essay_id = f"essay-{n:06d}"
            for pk, sk in items.suggest_keys(essay_id, title, rng.choice([None, 1, 2, 3, 4, 5])):
                if pk.removeprefix("SUGGEST#") in read:
                    batch.append(put(to_item(items.suggest_values(pk, sk, title))))
            if len(batch) >= 2_500:
                writer.write(batch)
                batch = []
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
            rows.append((size, q, len(found.suggestions), calls["Query"], int(units[1]), units[0], _median(timings)))
    client.meta.events.unregister("after-call.dynamodb.Query", after_call)
    client.delete_table(TableName=table)
    return rows


# ---- 3. warm latency, DynamoDB stubbed ------------------------------------------------------


def warm_latency(env: dict[str, str], calls: int = 1000) -> list[tuple[str, float, float]]:
    from botocore.stub import Stubber

    from shared.store.dynamo import dynamodb_client

    client = dynamodb_client()
    recorded: dict[str, list[tuple[str, dict[str, Any]]]] = {}

    def record(name: str) -> Callable[..., None]:
        def after_call(parsed: dict[str, Any], model: Any, **_: Any) -> None:
            response = {k: v for k, v in parsed.items() if k != "ResponseMetadata"}
            recorded[name].append((model.name, response))

        return after_call

    modules = {name: __import__(f"functions.{name}.app", fromlist=["handler"]) for name in FUNCTIONS}
    devnull = open(os.devnull, "w")  # noqa: SIM115 - kept open for every timed batch
    for name, module in modules.items():  # one real call each, to learn the responses to replay
        recorded[name] = []
        hook = record(name)
        client.meta.events.register("after-call.dynamodb", hook)
        with redirect_stdout(devnull):
            module.handler(event_for(name, env["TOKEN"]), _Context())
        client.meta.events.unregister("after-call.dynamodb", hook)

    baseline_item = next(r for op, r in recorded["preview"] if op == "GetItem")

    def baseline(event: dict[str, Any], context: Any) -> dict[str, Any]:
        item = client.get_item(TableName=TABLE, Key={"pk": {"S": "x"}, "sk": {"S": "y"}}).get("Item")
        return {"statusCode": 200, "body": json.dumps({"found": bool(item)})}

    Replies = list[tuple[str, dict[str, Any]]]

    def time_calls(handler: Callable[..., Any], event: dict[str, Any], responses: Replies) -> float:
        per_call = []
        with Stubber(client) as stubber, redirect_stdout(devnull):
            for _ in range(5):
                for _ in range(calls // 5):
                    for operation, response in responses:
                        stubber.add_response(_snake(operation), response)
                start = time.perf_counter()
                for _ in range(calls // 5):
                    handler(event, _Context())
                per_call.append((time.perf_counter() - start) / (calls // 5) * 1000)
        return _median(per_call)

    results = [("baseline", time_calls(baseline, {}, [("GetItem", baseline_item)]), 1.0)]
    for name, module in modules.items():
        # the authorizer's key set is cached after its first call: it then reads the subscription only
        responses = [(op, r) for op, r in recorded[name] if name != "authorizer" or op == "GetItem"]
        results.append((name, time_calls(module.handler, event_for(name, env["TOKEN"]), responses), 0.0))
    base = results[0][1]
    return [(name, ms, ms / base) for name, ms, _ in results]


def _snake(operation: str) -> str:
    return "".join("_" + c.lower() if c.isupper() else c for c in operation).lstrip("_")


# ---- 4. bulk load -----------------------------------------------------------------------------

WORDS = [
    *("revolution", "empire", "war", "treaty", "reform", "economy", "parliament", "crisis", "industry", "nation"),
    *("trade", "people", "power", "rights", "church", "army", "unity", "state", "policy", "famine", "labour"),
    *("cause", "effect", "change", "growth", "coast", "river", "cell"),
]


def _generated_essays(path: Path, count: int, seed_value: int = 7) -> None:
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


LOAD_SCRIPT = """
import json, resource, sys, time, io, contextlib
from pathlib import Path
sys.argv = ["essays-seed"]
from essays_cli.loading.loader import Loader
import boto3
from botocore.config import Config
client = boto3.client("dynamodb", config=Config(parameter_validation=False, max_pool_connections=10))
loader = Loader(client, {table!r}, concurrency={concurrency})
peak_mb = lambda: resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
rebuild_sections, writes_peak_mb = loader.rebuild_sections, []
def rebuild_after_the_writes(sections):
    writes_peak_mb.append(peak_mb())  # the peak of validation and writes, before the section rebuilds
    return rebuild_sections(sections)
loader.rebuild_sections = rebuild_after_the_writes
t = time.perf_counter()
validation = loader.validate([Path({path!r})])
summary = loader.load([Path({path!r})], validation)
elapsed = time.perf_counter() - t
print(json.dumps({{"seconds": elapsed, "essays": summary.loaded, "requests": loader.writer.requests_sent,
                   "peak_mb": peak_mb(), "writes_peak_mb": writes_peak_mb[0]}}))
"""

RAW_SCRIPT = """
import json, resource, time
import boto3
from essays_cli.loading.writer import BatchWriter, put
from botocore.config import Config
client = boto3.client("dynamodb", config=Config(parameter_validation=False, max_pool_connections=10))
writer = BatchWriter(client, {table!r}, concurrency={concurrency})
pad = "x" * {size}
items = [put({{"pk": {{"S": f"RAW#{{i}}"}}, "sk": {{"S": "x"}}, "pad": {{"S": pad}}}}) for i in range({count})]
t = time.perf_counter()
for start in range(0, len(items), 2500):
    writer.write(items[start:start + 2500])
print(json.dumps({{"seconds": time.perf_counter() - t, "items": len(items)}}))
"""


def _mean_item_bytes(client: Any, table: str, segments: int = 8, per_segment: int = 250) -> int:
    """The loaded items' mean size (attribute names + values, as DynamoDB sizes an item), from the
    first page of each of a few parallel-scan segments: the raw ceiling writes items as big."""
    total = count = 0
    for segment in range(segments):
        page = client.scan(TableName=table, Segment=segment, TotalSegments=segments, Limit=per_segment)
        for item in page["Items"]:
            total += sum(len(name) + len(json.dumps(value)) for name, value in item.items())
            count += 1
    return max(total // max(count, 1), 1)


def bulk_load(env: dict[str, str], sizes: list[int], concurrency: int = 4) -> list[dict[str, Any]]:
    import boto3

    from essays_cli.template import table_definition

    client = boto3.client("dynamodb")
    rows = []
    with tempfile.TemporaryDirectory() as folder:
        for count in sizes:
            path = Path(folder) / f"essays-{count}.jsonl"
            _generated_essays(path, count)
            table = f"bulk-{count}"
            client.create_table(TableName=table, **table_definition("EssaysTable"))
            script = LOAD_SCRIPT.format(table=table, concurrency=concurrency, path=str(path))
            out = subprocess.run(
                [sys.executable, "-c", script], env={**os.environ, **env}, capture_output=True, text=True, check=True
            )
            load = json.loads(out.stdout.strip().splitlines()[-1])
            items = int(client.describe_table(TableName=table)["Table"].get("ItemCount", 0)) or load["requests"] * 25
            raw_table = f"raw-{count}"
            client.create_table(TableName=raw_table, **table_definition("EssaysTable"))
            raw_items = min(items, 100_000)  # the ceiling's rate, on up to 100,000 items
            size = _mean_item_bytes(client, table)
            raw_script = RAW_SCRIPT.format(table=raw_table, concurrency=concurrency, size=size, count=raw_items)
            raw_out = subprocess.run(
                [sys.executable, "-c", raw_script],
                env={**os.environ, **env},
                capture_output=True,
                text=True,
                check=True,
            )
            raw = json.loads(raw_out.stdout.strip().splitlines()[-1])
            client.delete_table(TableName=table)
            client.delete_table(TableName=raw_table)
            essays_per_second = load["essays"] / load["seconds"]
            items_per_second = items / load["seconds"]
            raw_per_second = raw["items"] / raw["seconds"]
            rows.append(
                {
                    "essays": count,
                    "seconds": load["seconds"],
                    "essays_per_s": essays_per_second,
                    "items": items,
                    "items_per_s": items_per_second,
                    "raw_items_per_s": raw_per_second,
                    "item_bytes": size,
                    "ratio": items_per_second / raw_per_second,
                    "peak_mb": load["peak_mb"],
                    "writes_peak_mb": load["writes_peak_mb"],
                }
            )
    return rows


# ---- 5. cost ----------------------------------------------------------------------------------


def cost_per_million(warm: dict[str, float], reads: dict[str, float]) -> list[tuple[str, float, float, float, float]]:
    rows = []
    for name in FUNCTIONS:
        if name == "authorizer":
            continue
        duration_s = max(warm.get(name, 1.0), 1.0) / 1000  # Lambda bills per 1 ms
        lambda_cost = PRICE_LAMBDA_REQUEST_PER_MILLION + duration_s * MEMORY_GB * PRICE_LAMBDA_GB_SECOND_ARM * 1e6
        read_cost = reads.get(name, 0.0) * PRICE_READ_UNITS_PER_MILLION
        if name == "essay":  # plus the authorizer, on a cache miss (worst case: every request)
            auth_s = max(warm.get("authorizer", 1.0), 1.0) / 1000
            lambda_cost += PRICE_LAMBDA_REQUEST_PER_MILLION + auth_s * MEMORY_GB * PRICE_LAMBDA_GB_SECOND_ARM * 1e6
            read_cost += reads.get("authorizer", 0.0) * PRICE_READ_UNITS_PER_MILLION
        total = PRICE_API_PER_MILLION + lambda_cost + read_cost
        rows.append((name, PRICE_API_PER_MILLION, lambda_cost, read_cost, total))
    return rows


def _verdict(name: str, ratio: float, target: float) -> str:
    return "—" if name.startswith("baseline") else ("met" if ratio <= target else "missed")


# ---- report ---------------------------------------------------------------------------------


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="essays-bench", description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=10, help="cold starts per function (default 10)")
    parser.add_argument("--sizes", default="10000,50000", help="bulk-load sizes (default 10000,50000)")
    parser.add_argument("--full", action="store_true", help="add the 150,000-essay load")
    parser.add_argument("--skip-load", action="store_true", help="no bulk load (quick run)")
    parser.add_argument("--output", type=Path, default=ROOT / "infra" / "bench-results.md")
    args = parser.parse_args(argv)
    sys.path.insert(0, str(ROOT))
    sizes = [int(s) for s in args.sizes.split(",") if s] + ([150_000] if args.full else [])

    lines = [
        f"# Benchmark results ({datetime.now(UTC):%Y-%m-%d %H:%M} UTC, {os.cpu_count()} cores, "
        f"Python {sys.version.split()[0]})",
        "",
    ]

    def emit(text: str = "") -> None:
        print(text, flush=True)
        lines.append(text)

    with local_stack() as env:
        emit("## Cold start: fresh interpreter, import + first request (median ms)")
        emit(
            f"Baseline: a bare handler importing boto3, creating a DynamoDB client and returning JSON. "
            f"{args.runs} runs."
        )
        emit()
        emit("| function | median ms | × baseline | target ≤ 1.2× | × baseline + 1 GetItem |")
        emit("|---|---:|---:|---|---:|")
        for name, ms, ratio, ratio_with_read in cold_starts(env, args.runs):
            emit(f"| {name} | {ms:.0f} | {ratio:.2f} | {_verdict(name, ratio, 1.2)} | {ratio_with_read:.2f} |")
        emit()

        emit("## Reads per request (DynamoDB calls and eventually consistent read units)")
        emit()
        emit("| function | calls | read units | largest single read |")
        emit("|---|---|---:|---:|")
        reads = reads_per_request(env)
        for name, summary, units, largest in reads:
            emit(f"| {name} | {summary} | {units:.1f} | {largest:.1f} |")
        emit("\nNo function issues a Scan (none is in any function's code path or IAM policy).\n")

        emit("## The preview card: size and read units by essay length (extracts stored zlib-compressed)")
        emit()
        emit("| essay words | words shown | share | extracts' text, bytes | card item, bytes | GetItem RCU |")
        emit("|---:|---:|---:|---:|---:|---:|")
        for words, shown, size, raw, units in card_sizes():
            emit(f"| {words:,} | {shown:,} | {shown / words:.1%} | {raw:,} | {size:,} | {units:.1f} |")
        emit()

        emit("## Suggest as the library grows (GET /search/suggest, limit 8, against the local DynamoDB)")
        emit(
            "Titles generated from a history vocabulary; the partitions the requests read hold every title "
            "with a word under their prefix (entries under other prefixes are not written: no request here "
            "reads them)."
        )
        emit()
        emit("| titles | q | suggestions | Query calls | items read | RCU | median ms |")
        emit("|---:|---|---:|---:|---:|---:|---:|")
        for size, q, found, queries, items_read, units, ms in suggest_scaling():
            emit(f"| {size:,} | `{q}` | {found} | {queries} | {items_read} | {units:.1f} | {ms:.1f} |")
        emit()

        emit("## Warm latency, DynamoDB stubbed (botocore Stubber), median ms per request")
        emit("Baseline: a minimal handler doing one stubbed GetItem and returning JSON.")
        emit()
        emit("| function | ms | × baseline | target ≤ 1.5× |")
        emit("|---|---:|---:|---|")
        warm = warm_latency(env)
        for name, ms, ratio in warm:
            emit(f"| {name} | {ms:.3f} | {ratio:.2f} | {_verdict(name, ratio, 1.5)} |")
        emit()

        if not args.skip_load and sizes:
            emulator = "ministack" if (ROOT / ".venv-ministack").exists() else "moto server"
            emit(f"## Bulk load into a local DynamoDB endpoint ({emulator}), concurrency 4")
            emit(
                "Ceiling: raw BatchWriteItem of items as big as the loaded ones (their mean size, sampled), "
                "through the same writer, endpoint and concurrency."
            )
            emit()
            emit(
                "Peak memory (RSS) of the loader process: after validation and writes, and in all (the section "
                "rebuilds hold one section at a time: here 50 sections, so they grow with the library)."
            )
            emit()
            emit(
                "| essays | seconds | essays/s | items | item bytes | items/s | raw items/s | × ceiling "
                "| peak MB, writes | peak MB |"
            )
            emit("|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
            for row in bulk_load(env, sizes):
                emit(
                    f"| {row['essays']:,} | {row['seconds']:.0f} | {row['essays_per_s']:.0f} | {row['items']:,} | "
                    f"{row['item_bytes']:,} | {row['items_per_s']:.0f} | {row['raw_items_per_s']:.0f} | "
                    f"{row['ratio']:.2f} | {row['writes_peak_mb']:.0f} | {row['peak_mb']:.0f} |"
                )
            emit()

        emit(
            "## Cost per million requests (USD list prices: REST API $3.50/M, Lambda arm64 512 MB, "
            "on-demand reads $0.125/M units)"
        )
        emit(
            "Durations are the warm figures above (this machine, not Lambda; billed at ≥ 1 ms). The full essay "
            "includes one authorizer call per request (no cache hits: the worst case)."
        )
        emit()
        emit("| route | API Gateway | Lambda | DynamoDB | total |")
        emit("|---|---:|---:|---:|---:|")
        warm_ms = {name: ms for name, ms, _ in warm}
        read_units = {name: units for name, _, units, _ in reads}
        for name, api, lam, ddb, total in cost_per_million(warm_ms, read_units):
            emit(f"| {name} | {api:.2f} | {lam:.2f} | {ddb:.3f} | {total:.2f} |")

    args.output.write_text("\n".join(lines) + "\n", encoding="utf-8")
    print(f"\nWritten to {args.output}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
