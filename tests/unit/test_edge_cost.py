"""The bench's edge cost: public reads through CloudFront and the web ACL, beside the origin's figure."""

from __future__ import annotations

from essays_cli.bench.common import FUNCTIONS
from essays_cli.bench.cost import EDGE_HIT_RATIOS, PUBLIC_ROUTES, edge_cost_per_million, edge_waf_monthly
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
    # Only the misses reach API Gateway, Lambda and DynamoDB.
    assert abs(high[3] - 0.01 * origin) < 1e-9 and abs(low[3] - 0.10 * origin) < 1e-9


def test_the_web_acl_is_priced_by_its_rules_and_the_report_shows_both_ratios() -> None:
    assert edge_waf_monthly() == 5.00 + 8 * 1.00  # 3 managed groups and 5 rate rules
    lines: list[str] = []
    edge_section(lambda *texts: lines.extend(texts), RECORDED)
    rows = [line for line in lines if line.startswith("| 9")]
    assert [row.split(" | ")[0] for row in rows] == ["| 90%", "| 99%"]
    assert "$13 a month" in "\n".join(lines)
