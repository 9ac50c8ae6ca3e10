"""essays-bench (`make bench`): cold start, reads per request, warm latency, bulk load and cost.

Every figure is measured against its baseline in the same run and reported as a ratio, with
medians: this machine is noisy. It prints a Markdown table and writes it to --output.

    essays-bench [--runs 10] [--sizes 10000,50000] [--full] [--skip-load | --load-only | --cold-only] [--output FILE]
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

from essays_cli.bench.bulk import FRESH_WRITE_UNITS_PER_S, WARM_WRITE_UNITS_PER_S, bulk_load
from essays_cli.bench.cold_start import cold_starts
from essays_cli.bench.common import ROOT
from essays_cli.bench.cost import (
    EDGE_HIT_RATIOS,
    FLAT_RATE_PLANS,
    FREE_TIER_GB,
    FREE_TIER_REQUESTS,
    PRICE_CLOUDFRONT_GB_OUT,
    PRICE_CLOUDFRONT_HTTPS_PER_MILLION,
    PRICE_COGNITO_PLUS_MAU,
    PRICE_WAF_ACL_MONTH,
    PRICE_WAF_PER_MILLION,
    PRICE_WAF_RULE_MONTH,
    PUBLIC_RESPONSE_BYTES,
    PUBLIC_ROUTES,
    cache_behaviours,
    cost_per_million,
    edge_cost_per_million,
    edge_waf_monthly,
    fixed_monthly,
    flat_rate_rows,
    monthly_totals,
)
from essays_cli.bench.libraries import library_costs, table
from essays_cli.bench.reading import card_sizes, suggest_scaling
from essays_cli.bench.reads import reads_per_request
from essays_cli.bench.stack import local_stack
from essays_cli.bench.warm import warm_latency


class Report:
    def __init__(self) -> None:
        self.lines = [
            f"# Benchmark results ({datetime.now(UTC):%Y-%m-%d %H:%M} UTC, {os.cpu_count()} cores, "
            f"Python {sys.version.split()[0]})",
            "",
        ]

    def emit(self, *texts: str) -> None:
        for text in texts or ("",):
            print(text, flush=True)
            self.lines.append(text)


def cold_start_section(report: Report, env: dict[str, str], runs: int) -> None:
    report.emit(
        f"## Cold start: fresh interpreter, import + first request (median of {runs} interleaved runs)",
        "Each function against its floor: a bare handler importing boto3 and making the same first AWS calls "
        "(one GetItem; plus the GetSecretValue of the cursor key where the function signs cursors). The "
        "measure is CPU time, the process's own, which waiting for a shared machine's cores does not "
        "inflate; wall-clock times are shown beside it and are inflated by that waiting.",
        "",
        "| function | floor | CPU ms | floor CPU ms | CPU × floor | target | verdict | wall ms | wall × floor |",
        "|---|---|---:|---:|---:|---:|---|---:|---:|",
    )
    for row in cold_starts(env, runs):
        target = "—" if row.target is None else f"≤ {row.target:.2f}×"
        verdict = "—" if row.met is None else "met" if row.met else "missed"
        floor = "—" if row.floor == row.name else row.floor
        report.emit(
            f"| {row.name} | {floor} | {row.cpu_ms:.0f} | {row.floor_cpu_ms:.0f} | {row.cpu_ratio:.2f} "
            f"| {target} | {verdict} | {row.wall_ms:.0f} | {row.wall_ratio:.2f} |"
        )
    report.emit()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="essays-bench", description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--runs", type=int, default=10, help="cold starts per function (default 10)")
    parser.add_argument("--sizes", default="10000,50000", help="bulk-load sizes (default 10000,50000)")
    parser.add_argument("--full", action="store_true", help="add the 150,000-essay load")
    parser.add_argument("--skip-load", action="store_true", help="no bulk load (quick run)")
    parser.add_argument("--load-only", action="store_true", help="only the bulk load (and its ceiling)")
    parser.add_argument("--cold-only", action="store_true", help="only the cold starts (a few minutes)")
    parser.add_argument("--output", type=Path, default=ROOT / "infra" / "bench-results.md")
    args = parser.parse_args(argv)
    sys.path.insert(0, str(ROOT))
    sizes = [int(s) for s in args.sizes.split(",") if s] + ([150_000] if args.full else [])
    report = Report()

    with local_stack() as env:
        if args.cold_only:
            cold_start_section(report, env, args.runs)
        elif not args.load_only:
            other_sections(report, env, args.runs)
        if not (args.skip_load or args.cold_only) and sizes:
            bulk_load_section(report, env, sizes)
    args.output.write_text("\n".join(report.lines) + "\n", encoding="utf-8")
    print(f"\nWritten to {args.output}")
    return 0


def library_section(report: Report, env: dict[str, str], runs: int) -> None:
    """Our key-set cache, DynamoDB codec and secret cache against the libraries that could replace them."""
    report.emit("## Ours or the library's: import + first call (essays_cli/bench/libraries.py)", "")
    report.emit(*table(library_costs(env, env["CURSOR_SECRET_ARN"], runs), runs))
    report.emit()


def other_sections(report: Report, env: dict[str, str], runs: int) -> None:
    emit = report.emit
    cold_start_section(report, env, runs)
    library_section(report, env, runs)

    emit("## Reads per request (DynamoDB calls and eventually consistent read units)", "")
    emit("| function | calls | read units | largest single read |", "|---|---|---:|---:|")
    reads = reads_per_request(env)
    for name, summary, units, largest in reads:
        emit(f"| {name} | {summary} | {units:.1f} | {largest:.1f} |")
    emit("", "No function issues a Scan (none is in any function's code path or IAM policy).", "")

    emit("## The preview card: size and read units by essay length (extracts stored zlib-compressed)", "")
    emit(
        "| essay words | words shown | share | extracts' text, bytes | card item, bytes | GetItem RCU |",
        "|---:|---:|---:|---:|---:|---:|",
    )
    for words, shown, size, raw, units in card_sizes():
        emit(f"| {words:,} | {shown:,} | {shown / words:.1%} | {raw:,} | {size:,} | {units:.1f} |")
    emit(
        "",
        "## Suggest as the library grows (GET /search/suggest, limit 8, against the local DynamoDB)",
        "Titles generated from a history vocabulary; the partitions the requests read hold every title "
        "with a word under their prefix (entries under other prefixes are not written: no request here "
        "reads them).",
        "",
        "| titles | q | suggestions | GetItem calls | items read | RCU | median ms |",
        "|---:|---|---:|---:|---:|---:|---:|",
    )
    for size, q, found, queries, items_read, units, ms in suggest_scaling():
        emit(f"| {size:,} | `{q}` | {found} | {queries} | {items_read} | {units:.1f} | {ms:.1f} |")
    emit()

    emit(
        "## Warm latency, DynamoDB stubbed (botocore Stubber), median ms per request",
        "Baseline: a minimal handler doing one stubbed GetItem and returning JSON. A regression guard, "
        "no target: Lambda bills whole milliseconds.",
        "",
        "| function | ms | × baseline |",
        "|---|---:|---:|",
    )
    warm = warm_latency(env)
    for name, ms, ratio in warm:
        emit(f"| {name} | {ms:.3f} | {ratio:.2f} |")
    emit()

    emit(
        "## Cost per million requests (USD list prices: REST API $3.50/M, Lambda arm64 512 MB, "
        "on-demand reads $0.125/M units)",
        "Durations are the warm figures above (this machine, not Lambda; billed at ≥ 1 ms). The full essay "
        "includes one authorizer call per request (no cache hits: the worst case).",
        "",
        "| route | API Gateway | Lambda | DynamoDB | total |",
        "|---|---:|---:|---:|---:|",
    )
    warm_ms = {name: ms for name, ms, _ in warm}
    read_units = {name: units for name, _, units, _ in reads}
    per_route = cost_per_million(warm_ms, read_units)
    for name, api, lam, ddb, total in per_route:
        emit(f"| {name} | {api:.2f} | {lam:.2f} | {ddb:.3f} | {total:.2f} |")
    emit()
    edge_section(emit, [row for row in per_route if row[0] in PUBLIC_ROUTES])
    monthly_section(emit, sum(row[4] for row in per_route) / len(per_route))


def edge_section(emit: Callable[..., None], public_rows: list[tuple[str, float, float, float, float]]) -> None:
    """Public reads through the site's CloudFront and its web ACL (infra/edge-waf.yaml), beside the origin."""
    origin = sum(row[4] for row in public_rows) / len(public_rows)
    emit(
        f"## Public reads at the edge, per million (CloudFront ${PRICE_CLOUDFRONT_HTTPS_PER_MILLION:.2f}/M HTTPS "
        f"requests, ${PRICE_CLOUDFRONT_GB_OUT:.3f}/GB out, WAF ${PRICE_WAF_PER_MILLION:.2f}/M)",
        f"Responses of {PUBLIC_RESPONSE_BYTES:,} bytes compressed (an assumption); misses pay the origin's mean "
        f"over the public routes above, ${origin:.2f}, and the stage's web ACL (X-Origin-Verify), "
        f"${PRICE_WAF_PER_MILLION:.2f}. The web ACLs themselves: ${edge_waf_monthly():.0f} (edge) and "
        f"${PRICE_WAF_ACL_MONTH:.0f} (stage) a month.",
        "",
        "| hit ratio | CloudFront requests | transfer | WAF | origin (misses) | total | vs origin only |",
        "|---:|---:|---:|---:|---:|---:|---:|",
    )
    for ratio in EDGE_HIT_RATIOS:
        requests, transfer, waf, misses, total = edge_cost_per_million(origin, ratio)
        emit(
            f"| {ratio:.0%} | {requests:.2f} | {transfer:.2f} | {waf:.2f} | {misses:.2f} | {total:.2f} "
            f"| {total / origin:.0%} |"
        )
    emit()
    behaviours = cache_behaviours()
    emit(
        "### CloudFront's flat-rate plans, at each plan's monthly allowance of requests",
        "A plan's price covers the distribution, its web ACL (rules and requests) and data transfer, with no "
        f"overage charges. This distribution has {behaviours} cache behaviours and custom cache, origin request and "
        "response headers policies: only Business and Premium allow them. Pay-as-you-go counts its free tier "
        f"({FREE_TIER_REQUESTS // 1_000_000}M requests and {FREE_TIER_GB:,} GB a month) and the edge ACL's monthly "
        "price.",
        "",
        "| plan | fits this distribution | edge per million | with misses at 90% | at 99% "
        "| pay-as-you-go edge per million, same traffic |",
        "|---|---|---:|---:|---:|---:|",
    )
    for name, fits, edge, at_90, at_99, payg in flat_rate_rows(origin, behaviours):
        emit(f"| {name} | {'yes' if fits else 'no'} | {edge:.2f} | {at_90:.2f} | {at_99:.2f} | {payg:.2f} |")
    business = next(plan for plan in FLAT_RATE_PLANS if plan.name == "Business")
    dollar_a_million = business.usd_a_month * 1e6  # requests a month at which the plan costs $1 per million
    emit(
        "",
        "At list prices nothing here meets $1 per million cached reads: pay-as-you-go's CloudFront requests alone "
        f"are ${PRICE_CLOUDFRONT_HTTPS_PER_MILLION:.2f}/M. Business's ${business.usd_a_month:.0f} comes to $1 per "
        f"million only at {dollar_a_million / 1e6:.0f}M requests a month, "
        f"{dollar_a_million / business.requests:.1f}x its allowance, which it serves without overage charges but "
        "may serve more slowly if the excess lasts for months.",
        "",
    )


def monthly_section(emit: Callable[..., None], per_million: float) -> None:
    """The fixed monthly costs read off template.yaml, and totals a month at 1M, 10M and 100M requests."""
    fixed = fixed_monthly()
    emit(
        "## Fixed monthly costs (USD list prices, with alarms; counted off template.yaml)",
        "",
        "| item | USD a month |",
        "|---|---:|",
    )
    for item, usd in fixed:
        emit(f"| {item} | {usd:.2f} |")
    fixed_total = sum(usd for _, usd in fixed)
    emit(f"| **fixed total** | **{fixed_total:.2f}** |", "")
    emit(
        "Per reader, not per request: Cognito's Plus tier (prod's threat protection) "
        f"${PRICE_COGNITO_PLUS_MAU:.3f} per monthly active user (1,000 signed-in readers: "
        f"${1000 * PRICE_COGNITO_PLUS_MAU:.0f}); dev's Essentials tier is free up to 10,000. "
        f"With WebhookAllowedCidrs, the stage's web ACL has a second rule (${PRICE_WAF_RULE_MONTH:.0f} a month more); "
        f"it costs ${PRICE_WAF_PER_MILLION:.2f} per million requests. The edge's web ACL (infra/edge-waf.yaml, "
        "its own stack) is in the edge's table above. Not counted: logs ($0.50 per GB ingested), X-Ray traces "
        "beyond the free 100,000, table storage and backups ($0.25 + $0.20 per GB).",
        "",
        f"Totals a month at an even mix of the routes above (${per_million:.2f} per million requests):",
        "",
        "| requests a month | USD a month | of which fixed |",
        "|---:|---:|---:|",
    )
    for volume, usd in monthly_totals(per_million, fixed_total):
        emit(f"| {volume:,} | {usd:,.2f} | {100 * fixed_total / usd:.0f}% |")
    emit()


def bulk_load_section(report: Report, env: dict[str, str], sizes: list[int]) -> None:
    emit = report.emit
    emulator = "ministack" if (ROOT / ".venv-ministack").exists() else "moto server"
    emit(
        f"## Bulk load into a local DynamoDB endpoint ({emulator}), 8 write requests in flight",
        "Ceiling: raw BatchWriteItem of items as big as the loaded ones (bytes of request body per item as sent, "
        "the load's measured over all it sent, the ceiling's shown beside), through the same writer, endpoint "
        "and concurrency. Replayed: the load's own writes (its first 100,000, in the order sent) written again "
        "into a fresh table through the same writer, with nothing to validate, derive or build: the rate the "
        "endpoint allows the load's items themselves, and how far the loader's own work keeps it from that. "
        "Load average: the machine's, over the last minute of the run.",
        "",
        "Items: what the table holds after the load. Write units: the on-demand write request units the "
        "load's writes would cost on DynamoDB (one per started KB of each item put, one per delete). On AWS the "
        "limit is the table's write rate, not the loader: projected minutes are the write units over "
        f"{FRESH_WRITE_UNITS_PER_S:,} a second (a new on-demand table) and over {WARM_WRITE_UNITS_PER_S:,} "
        f"(the table pre-warmed with EssaysWarmWriteUnits={WARM_WRITE_UNITS_PER_S}).",
        "",
        "Rebuilds: the sections' related lists and counts, then the suggest lists of the prefixes the load "
        "touched, after the essays' writes. Peak memory (RSS) of the loader process: after validation and "
        "writes, and in all (the section rebuilds hold two sections at a time; the suggest rebuild holds the "
        "touched prefixes with at most 48 entries each).",
        "",
        "| essays | items | items/essay | write units | units/essay | seconds here | of which rebuilds "
        "| items/s | raw items/s | × ceiling | replayed items/s | replayed × ceiling | bytes/item | raw bytes/item "
        f"| AWS min, fresh table | AWS min, warm {WARM_WRITE_UNITS_PER_S:,}/s | peak MB, writes | peak MB "
        "| load average |",
        "|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    )
    rows = bulk_load(env, sizes)
    for row in rows:
        emit(
            f"| {row['essays']:,} | {row['items']:,} | {row['items_per_essay']:.1f} | {row['write_units']:,} "
            f"| {row['write_units'] / row['essays']:.1f} | {row['seconds']:.0f} | {row['rebuild_seconds']:.0f} "
            f"| {row['items_per_s']:.0f} | {row['raw_items_per_s']:.0f} | {row['ratio']:.2f} "
            f"| {row['replay_items_per_s']:.0f} | {row['replay_ratio']:.2f} "
            f"| {row['item_bytes']:,} | {row['raw_item_bytes']:,.0f} | {row['fresh_minutes']:.1f} "
            f"| {row['warm_minutes']:.1f} | {row['writes_peak_mb']:.0f} | {row['peak_mb']:.0f} "
            f"| {row['load_average']:.1f} |"
        )
    largest = max(rows, key=lambda row: row["essays"], default=None)
    if largest and largest["essays"] < 150_000:
        units = largest["write_units"] / largest["essays"] * 150_000
        emit(
            "",
            f"150,000 essays, projected from the {largest['essays']:,}-essay load's write units per essay: "
            f"{units:,.0f} write units, {units / FRESH_WRITE_UNITS_PER_S / 60:.1f} minutes on a fresh on-demand "
            f"table, {units / WARM_WRITE_UNITS_PER_S / 60:.1f} minutes pre-warmed to "
            f"{WARM_WRITE_UNITS_PER_S:,} write units a second (target ≤ 10).",
        )
    emit()


if __name__ == "__main__":
    sys.exit(main())
