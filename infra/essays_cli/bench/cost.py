"""Cost per million requests, from list prices, the warm durations and the read units measured."""

from __future__ import annotations

from essays_cli.bench.common import FUNCTIONS

# List prices (eu-west-2 is close; us-east-1 shown), USD.
PRICE_API_PER_MILLION = 3.50  # REST API requests, first 333 million
PRICE_LAMBDA_REQUEST_PER_MILLION = 0.20
PRICE_LAMBDA_GB_SECOND_ARM = 0.0000133334
PRICE_READ_UNITS_PER_MILLION = 0.125  # DynamoDB on-demand read request units
MEMORY_GB = 0.5


def _lambda_cost(warm_ms: float) -> float:
    duration_s = max(warm_ms, 1.0) / 1000  # Lambda bills per 1 ms
    return PRICE_LAMBDA_REQUEST_PER_MILLION + duration_s * MEMORY_GB * PRICE_LAMBDA_GB_SECOND_ARM * 1e6


def cost_per_million(warm: dict[str, float], reads: dict[str, float]) -> list[tuple[str, float, float, float, float]]:
    """Per route: API Gateway, Lambda, DynamoDB and total, USD per million requests."""
    rows = []
    for name in FUNCTIONS:
        if name == "authorizer":
            continue
        lambda_cost = _lambda_cost(warm.get(name, 1.0))
        read_cost = reads.get(name, 0.0) * PRICE_READ_UNITS_PER_MILLION
        if name == "essay":  # plus the authorizer, on a cache miss (worst case: every request)
            lambda_cost += _lambda_cost(warm.get("authorizer", 1.0))
            read_cost += reads.get("authorizer", 0.0) * PRICE_READ_UNITS_PER_MILLION
        total = PRICE_API_PER_MILLION + lambda_cost + read_cost
        rows.append((name, PRICE_API_PER_MILLION, lambda_cost, read_cost, total))
    return rows
