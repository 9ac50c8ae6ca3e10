"""Cost per million requests, from list prices, the warm durations and the read units measured; the
fixed monthly costs (alarms, metrics, dashboard, secrets), counted off template.yaml; and totals."""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from essays_cli.bench.common import FUNCTIONS
from essays_cli.template import TEMPLATE, load_template

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


# ---- fixed monthly costs: what the stack costs with no traffic, counted off template.yaml ----------

PRICE_ALARM_METRIC_MONTH = 0.10  # standard-resolution alarm, per metric it evaluates (metric math: each)
PRICE_CUSTOM_METRIC_MONTH = 0.30  # the first 10,000 custom metrics (metric filters, API per-method metrics)
PRICE_DASHBOARD_MONTH = 3.00  # beyond the account's first three
PRICE_SECRET_MONTH = 0.40
PRICE_COGNITO_PLUS_MAU = 0.020  # prod's threat protection (Plus tier), per monthly active user
PRICE_COGNITO_ESSENTIALS_MAU = 0.015  # dev; the first 10,000 MAU a month are free
PRICE_WAF_ACL_MONTH = 5.00 + 1.00  # a web ACL and its one rule (only with WebhookAllowedCidrs)
PRICE_WAF_PER_MILLION = 0.60
API_METHOD_METRICS = 5  # Count, 4XXError, 5XXError, Latency, IntegrationLatency
WEBHOOK_OUTCOMES = 5  # applied, stale, duplicate, ignored, unmatched: one metric each (a dimension)
REQUEST_VOLUMES = (1_000_000, 10_000_000, 100_000_000)


def _alarm_metrics(alarm: dict[str, Any]) -> int:
    metrics = alarm["Properties"].get("Metrics")
    return 1 if metrics is None else sum(1 for m in metrics if "MetricStat" in m)


def fixed_monthly(template: dict[str, Any] | None = None) -> list[tuple[str, float]]:
    """What a stack with alarms costs a month before its first request, USD, item by item."""
    resources = (template or load_template())["Resources"]
    of_type = defaultdict(list)
    for resource in resources.values():
        of_type[resource["Type"]].append(resource)
    alarm_metrics = sum(_alarm_metrics(a) for a in of_type["AWS::CloudWatch::Alarm"])
    filter_metrics = 0
    for metric_filter in of_type["AWS::Logs::MetricFilter"]:
        transformation = metric_filter["Properties"]["MetricTransformations"][0]
        filter_metrics += WEBHOOK_OUTCOMES if transformation.get("Dimensions") else 1
    api = resources["Api"]["Properties"]
    methods = sum(1 for s in api["MethodSettings"] if s.get("MetricsEnabled") is True)
    secrets = len(of_type["AWS::SecretsManager::Secret"])
    dashboards = len(of_type["AWS::CloudWatch::Dashboard"])
    return [
        (
            f"CloudWatch alarms ({len(of_type['AWS::CloudWatch::Alarm'])}, {alarm_metrics} metrics)",
            alarm_metrics * PRICE_ALARM_METRIC_MONTH,
        ),
        (f"metrics from log filters ({filter_metrics})", filter_metrics * PRICE_CUSTOM_METRIC_MONTH),
        (f"API per-method metrics ({methods} method)", methods * API_METHOD_METRICS * PRICE_CUSTOM_METRIC_MONTH),
        (f"dashboard ({dashboards})", dashboards * PRICE_DASHBOARD_MONTH),
        (f"Secrets Manager secrets ({secrets})", secrets * PRICE_SECRET_MONTH),
    ]


def monthly_totals(per_million: float, fixed: float) -> list[tuple[int, float]]:
    """(requests a month, USD a month) at each of REQUEST_VOLUMES."""
    return [(volume, fixed + per_million * volume / 1_000_000) for volume in REQUEST_VOLUMES]


# ---- the edge: public reads through the site's CloudFront and its web ACL (issue 31) -------------

PRICE_CLOUDFRONT_HTTPS_PER_MILLION = 1.00  # $0.0100 per 10,000 HTTPS requests, US and Europe (PriceClass_100)
PRICE_CLOUDFRONT_GB_OUT = 0.085  # first 10 TB a month to viewers, US and Europe; AWS origins to CloudFront are free
PRICE_WAF_RULE_MONTH = 1.00  # per rule or managed rule group (AWS's baseline groups add no fee)
EDGE_HIT_RATIOS = (0.90, 0.99)
# A public answer as it leaves the edge, compressed, with its headers: an assumption (a preview card or a
# page of 20 search hits is 2-6 KB of JSON before gzip), not a measure.
PUBLIC_RESPONSE_BYTES = 4_000
PUBLIC_ROUTES = ("preview", "related", "search", "suggest", "sections", "plans")
EDGE_WAF_TEMPLATE = TEMPLATE.parent / "infra" / "edge-waf.yaml"


def edge_cost_per_million(
    origin_per_million: float, hit_ratio: float, response_bytes: float = PUBLIC_RESPONSE_BYTES
) -> tuple[float, float, float, float, float]:
    """Per million public reads at the edge: CloudFront requests, transfer out, WAF, the origin's share
    (the misses only) and the total, USD."""
    transfer = response_bytes * 1e6 / 1e9 * PRICE_CLOUDFRONT_GB_OUT
    origin = (1 - hit_ratio) * origin_per_million
    total = PRICE_CLOUDFRONT_HTTPS_PER_MILLION + transfer + PRICE_WAF_PER_MILLION + origin
    return PRICE_CLOUDFRONT_HTTPS_PER_MILLION, transfer, PRICE_WAF_PER_MILLION, origin, total


def edge_waf_monthly() -> float:
    """infra/edge-waf.yaml's web ACL a month: the ACL and each of its rules."""
    rules = load_template(EDGE_WAF_TEMPLATE)["Resources"]["EdgeWebAcl"]["Properties"]["Rules"]
    return 5.00 + len(rules) * PRICE_WAF_RULE_MONTH
