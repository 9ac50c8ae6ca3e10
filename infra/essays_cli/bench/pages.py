"""The server-rendered pages' own cost: rendering time with the reads answered from memory, the
reads each page makes, the page's size raw and gzipped, and the cost per million page views at the
origin and at the edge (docs/site.md). Against moto, with the sample essays loaded.

    python -m essays_cli.bench.pages
"""

from __future__ import annotations

import gzip
import os
import statistics
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[3]
PAGES = {
    "essay": "/essays/stalin-rise-to-power",
    "section": "/sections/as-and-a-level--history--modern-european-history-1789-1945",
    "home": "/",
    "search": "/search?q=stalin+power",
    "sitemap index": "/sitemap.xml",
    "essays sitemap": "/sitemaps/essays/as-and-a-level--history--modern-european-history-1789-1945/1.xml",
}
# List prices, USD (us-east-1; eu-west-2 is close): Lambda arm64 at 512 MB, DynamoDB on demand,
# CloudFront (PriceClass_100: North America and Europe) requests and data out, S3 GET and PUT.
LAMBDA_REQUEST = 0.20 / 1e6
LAMBDA_GB_SECOND = 0.0000133334
MEMORY_GB = 0.5
READ_UNIT = 0.125 / 1e6
CLOUDFRONT_REQUEST = 0.0100 / 10_000
CLOUDFRONT_GB = 0.085
S3_GET = 0.0004 / 1000
S3_PUT = 0.005 / 1000
DYNAMODB_ROUND_TRIP_MS = 5.0  # an in-region GetItem or Query of a small item, p50 (assumed, not measured here)


class Recording:
    """The store, its answers kept: the first call reads moto, the later ones come from memory."""

    def __init__(self, store: Any) -> None:
        self.store = store
        self.answers: dict[tuple[str, str], Any] = {}
        self.calls: Counter[str] = Counter()
        self.replay = False

    def __getattr__(self, name: str) -> Any:
        method = getattr(self.store, name)

        def call(*args: Any) -> Any:
            key = (name, repr(args))
            if not self.replay:
                self.calls[name] += 1
                self.answers[key] = method(*args)
            return self.answers[key]

        return call


def main() -> int:
    os.environ.setdefault("AWS_DEFAULT_REGION", "eu-west-2")
    os.environ.update(
        AWS_ACCESS_KEY_ID="bench",
        AWS_SECRET_ACCESS_KEY="bench",
        ESSAYS_TABLE="essays-bench",
        CURSOR_SECRET_ARN="cursor",
    )
    import boto3
    from moto import mock_aws

    from essays_cli.seed import main as seed
    from essays_cli.template import table_definition

    with mock_aws():
        client = boto3.client("dynamodb")
        client.create_table(TableName="essays-bench", **table_definition("EssaysTable"))
        boto3.client("secretsmanager").create_secret(Name="cursor", SecretString="bench-cursor-secret-0123456789abcdef")
        samples = [str(p) for p in sorted((ROOT / "samples" / "essays").glob("*.*"))]
        import contextlib
        import io

        with contextlib.redirect_stdout(io.StringIO()):
            assert seed(["load", *samples, "--table", "essays-bench"]) == 0
        from functions.pages import app

        print("| page | reads | render ms (reads from memory), median of 200 | HTML bytes | gzipped |")
        print("|---|---|---:|---:|---:|")
        results = {}
        for name, url in PAGES.items():
            path, _, query = url.partition("?")
            params = dict(p.split("=", 1) for p in query.split("&")) if query else {}
            params = {k: v.replace("+", " ") for k, v in params.items()}
            recording = Recording(app.SITE.store)
            app.SITE.store = recording
            app.SITE._tree = None
            try:
                page = app.SITE.page("https://essays.example.com", path, params)
                recording.replay = True
                times = []
                for _ in range(200):
                    app.SITE._tree = None
                    start = time.perf_counter()
                    app.SITE.page("https://essays.example.com", path, params)
                    times.append((time.perf_counter() - start) * 1000)
            finally:
                app.SITE.store = recording.store
            raw = page.body.encode("utf-8")
            reads = ", ".join(f"{n} {c}" for c, n in sorted(recording.calls.items()))
            ms = statistics.median(times)
            results[name] = (ms, len(gzip.compress(raw, 6)))
            print(f"| {name} | {reads} | {ms:.2f} | {len(raw):,} | {len(gzip.compress(raw, 6)):,} |")

    render_ms, gz_bytes = results["essay"]
    # The container keeps the section tree 5 minutes: the essay page's own reads are its card and related list.
    billed_ms = render_ms + 2 * DYNAMODB_ROUND_TRIP_MS
    origin = LAMBDA_REQUEST + billed_ms / 1000 * MEMORY_GB * LAMBDA_GB_SECOND + 1.0 * READ_UNIT
    edge = CLOUDFRONT_REQUEST + gz_bytes / 1e9 * CLOUDFRONT_GB
    print(
        f"\nessay page per million views: origin (Lambda {billed_ms:.0f} ms billed + 1 read unit) "
        f"${origin * 1e6:.2f} per million misses; edge (CloudFront request + {gz_bytes:,} B out) ${edge * 1e6:.2f}; "
        f"all misses ${(origin + edge) * 1e6:.2f}, 90% hits ${(0.1 * origin + edge) * 1e6:.2f}; "
        f"pages in S3 instead: ${(S3_GET + edge) * 1e6:.2f} all misses, and ${150_000 * S3_PUT:.2f} "
        "to write 150,000 essay pages"
    )
    cold = []
    for module in ("functions.pages.app", "functions.preview.app"):
        code = f"import time; t = time.perf_counter(); import {module}; print((time.perf_counter() - t) * 1000)"
        runs = [
            float(
                subprocess.run(
                    [sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=ROOT
                ).stdout
            )
            for _ in range(5)
        ]
        cold.append(f"{module} {statistics.median(runs):.0f} ms")
    print("import at a cold start, median of 5: " + ", ".join(cold))
    return 0


if __name__ == "__main__":
    sys.exit(main())
