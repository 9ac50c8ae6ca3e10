"""The bench's edge cost: public reads through CloudFront and the web ACL, beside the origin's figure."""

from __future__ import annotations

from essays_cli.bench.common import FUNCTIONS
from essays_cli.bench.cost import (
    EDGE_HIT_RATIOS,
    PUBLIC_ROUTES,
    cache_behaviours,
    edge_cost_per_million,
    edge_waf_monthly,
    flat_rate_rows,
    pay_as_you_go_edge_monthly,
)
from essays_cli.bench.report import edge_section

# The public routes' rows of infra/bench-results.md: (route, API Gateway, Lambda, DynamoDB, total).
RECORDED = [
    ("preview", 3.50, 0.21, 0.062, 3.77),
    ("related", 3.50, 0.21, 0.062, 3.77),
    ("search", 3.50, 0.21, 0.438, 4.14),
    ("suggest", 3.50, 0.21, 0.062, 3.77),
    ("sections", 3.50, 0.21, 0.062, 3.77),
    ("plans", 3.50, 0.21, 0.000, 3.71),
]


def test_a_higher_hit_ratio_costs_less_and_both_cost_less_than_the_origin_alone() -> None:
    assert set(PUBLIC_ROUTES) <= set(FUNCTIONS) and "essay" not in PUBLIC_ROUTES
    origin = sum(row[4] for row in RECORDED) / len(RECORDED)
    (low, high) = (edge_cost_per_million(origin, ratio) for ratio in EDGE_HIT_RATIOS)
    assert EDGE_HIT_RATIOS == (0.90, 0.99)
    assert high[4] < low[4] < origin
    for row in (low, high):
        assert abs(sum(row[:4]) - row[4]) < 1e-9
    # Only the misses reach API Gateway, Lambda and DynamoDB, through the stage's web ACL (X-Origin-Verify).
    assert abs(high[3] - 0.01 * (origin + 0.60)) < 1e-9 and abs(low[3] - 0.10 * (origin + 0.60)) < 1e-9


def test_the_web_acl_is_priced_by_its_rules_and_the_report_shows_both_ratios() -> None:
    assert edge_waf_monthly() == 5.00 + 8 * 1.00  # 3 managed groups and 5 rate rules
    lines: list[str] = []
    edge_section(lambda *texts: lines.extend(texts), RECORDED)
    rows = [line for line in lines if line.startswith("| 9")]
    assert [row.split(" | ")[0] for row in rows] == ["| 90%", "| 99%"]
    assert "$13 (edge) and $6 (stage) a month" in "\n".join(lines)


def test_flat_rate_plans_are_priced_at_their_allowance_and_only_those_allowing_custom_policies_fit() -> None:
    origin = sum(row[4] for row in RECORDED) / len(RECORDED)
    behaviours = cache_behaviours()
    assert 10 < behaviours <= 50, "more than Pro's 10 behaviours, within Business's 50"
    rows = {row[0]: row for row in flat_rate_rows(origin, behaviours)}
    assert [name for name, (_, fits, *_) in rows.items() if fits] == [
        "Business",
        "Premium",
        "Premium at 6 B requests",
    ]
    _, _, edge, at_90, at_99, payg = rows["Business"]
    assert edge == 200 / 125 and at_99 < at_90
    assert abs(at_90 - (edge + 0.10 * (origin + 0.60))) < 1e-9
    # Pay-as-you-go at 125M a month: 115M billed requests, 500 GB within the free terabyte, WAF, the ACL.
    assert abs(pay_as_you_go_edge_monthly(125_000_000) - (13 + 115 + 0 + 75)) < 1e-9
    assert abs(payg - 203 / 125) < 1e-9
    # Nothing meets $1 per million cached reads at its allowance.
    assert min(row[2] for row in rows.values() if row[1]) > 1.00
