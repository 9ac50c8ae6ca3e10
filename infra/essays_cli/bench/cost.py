"""Cost per million requests, from list prices, the warm durations and the read units measured; the
fixed monthly costs (alarms, metrics, dashboard, secrets), counted off template.yaml; and totals."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
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
PRICE_WAF_ACL_MONTH = 5.00 + 1.00  # a web ACL and its one rule: the stage's origin guard (WebhookFirewall)
PRICE_WAF_RULE_MONTH = 1.00  # each further rule (the webhook's allow-list, with WebhookAllowedCidrs)
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
    ] + (
        # the stage's regional web ACL, on wherever the site is (its origin guard's rule)
        [("web ACL on the API stage (1 rule: only the distribution)", PRICE_WAF_ACL_MONTH)]
        if "WebhookFirewall" in resources
        else []
    )


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
    (the misses only, each also through the stage's web ACL that checks X-Origin-Verify) and the
    total, USD."""
    transfer = response_bytes * 1e6 / 1e9 * PRICE_CLOUDFRONT_GB_OUT
    origin = (1 - hit_ratio) * (origin_per_million + PRICE_WAF_PER_MILLION)
    total = PRICE_CLOUDFRONT_HTTPS_PER_MILLION + transfer + PRICE_WAF_PER_MILLION + origin
    return PRICE_CLOUDFRONT_HTTPS_PER_MILLION, transfer, PRICE_WAF_PER_MILLION, origin, total


def edge_waf_monthly() -> float:
    """infra/edge-waf.yaml's web ACL a month: the ACL and each of its rules."""
    rules = load_template(EDGE_WAF_TEMPLATE)["Resources"]["EdgeWebAcl"]["Properties"]["Rules"]
    return 5.00 + len(rules) * PRICE_WAF_RULE_MONTH


# ---- CloudFront's flat-rate plans (since 18 November 2025) against pay-as-you-go ----------------------
# One distribution each, with its web ACL, the ACL's rules and requests, and data transfer included, no
# overage charges (traffic far above the allowance for months may be served more slowly instead).
# Allowances and features: AWS's developer guide, "CloudFront flat-rate pricing plans"; prices: the
# CloudFront pricing page. This distribution needs custom cache and origin request policies (the /api
# behaviours) and a custom response headers policy (the CSP): Business and Premium only.
FREE_TIER_REQUESTS = 10_000_000  # pay-as-you-go's always-free tier, every month
FREE_TIER_GB = 1_000


@dataclass(frozen=True)
class FlatRatePlan:
    name: str
    usd_a_month: float
    requests: int  # the monthly allowance
    cache_behaviours: int  # the most a distribution on the plan may have
    custom_policies: bool  # custom cache, origin request and response headers policies


FLAT_RATE_PLANS = (
    FlatRatePlan("Free", 0, 1_000_000, 5, False),
    FlatRatePlan("Pro", 15, 10_000_000, 10, False),
    FlatRatePlan("Business", 200, 125_000_000, 50, True),
    FlatRatePlan("Premium", 1_000, 500_000_000, 100, True),
    FlatRatePlan("Premium at 6 B requests", 10_000, 6_000_000_000, 100, True),
)


def cache_behaviours(template: dict[str, Any] | None = None) -> int:
    """The site distribution's cache behaviours, the default one included."""
    distribution = (template or load_template())["Resources"]["SiteDistribution"]["Properties"]["DistributionConfig"]
    return len(distribution["CacheBehaviors"]) + 1


def plan_fits(plan: FlatRatePlan, behaviours: int) -> bool:
    return plan.custom_policies and behaviours <= plan.cache_behaviours


def pay_as_you_go_edge_monthly(requests: int, response_bytes: float = PUBLIC_RESPONSE_BYTES) -> float:
    """The edge alone a month (CloudFront and its web ACL) at this many requests, after the free tier."""
    billed_requests = max(0, requests - FREE_TIER_REQUESTS)
    billed_gb = max(0.0, requests * response_bytes / 1e9 - FREE_TIER_GB)
    return (
        edge_waf_monthly()
        + billed_requests / 1e6 * PRICE_CLOUDFRONT_HTTPS_PER_MILLION
        + billed_gb * PRICE_CLOUDFRONT_GB_OUT
        + requests / 1e6 * PRICE_WAF_PER_MILLION
    )


def flat_rate_rows(origin_per_million: float, behaviours: int) -> list[tuple[str, bool, float, float, float, float]]:
    """Per plan, at exactly its allowance of public reads: whether it fits this distribution, the edge per
    million reads, the same with the origin's misses at 90% and 99% hits, and pay-as-you-go's edge per
    million for the same traffic (USD)."""
    rows = []
    for plan in FLAT_RATE_PLANS:
        millions = plan.requests / 1e6
        edge = plan.usd_a_month / millions
        misses = [(1 - ratio) * (origin_per_million + PRICE_WAF_PER_MILLION) for ratio in EDGE_HIT_RATIOS]
        payg = pay_as_you_go_edge_monthly(plan.requests) / millions
        rows.append((plan.name, plan_fits(plan, behaviours), edge, edge + misses[0], edge + misses[1], payg))
    return rows
