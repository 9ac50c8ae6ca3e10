"""The edge, read off template.yaml and infra/edge-waf.yaml: /api/* on the site's distribution (public
reads cached by path and their own query parameters, everything signed-in keyed on Authorization and
never stored, the webhook passed through), no cached behaviour that could hand one reader's answer to
another, and the web ACL's managed rules and per-IP budgets (counted in dev, blocking in prod)."""

from __future__ import annotations

import fnmatch
import json
import shutil
import subprocess
from typing import Any

import pytest
from essays_cli.template import api_routes, load_template

from tests.conftest import ROOT
from tests.unit.test_template_launch import needs_sam, transformed

TEMPLATE_DOC = load_template()
RESOURCES: dict[str, Any] = TEMPLATE_DOC["Resources"]
DISTRIBUTION: dict[str, Any] = RESOURCES["SiteDistribution"]["Properties"]["DistributionConfig"]
BEHAVIOURS: list[dict[str, Any]] = DISTRIBUTION["CacheBehaviors"]
EDGE_WAF = load_template(ROOT / "infra" / "edge-waf.yaml")

CACHING_DISABLED = "4135ea2d-6df8-44a3-9df3-4b5a84be39ad"
CACHING_OPTIMIZED = "658327ea-f89d-4fab-a63d-7e88639e58f6"
# Managed origin request policies that pass every viewer header on (AllViewer, AllViewerExceptHostHeader,
# AllViewerAndCloudFrontHeaders-2022-06): never behind a shared cache key.
ALL_VIEWER = {
    "216adef6-5c7f-47e4-b989-5492eafa07d3",
    "b689b0a8-53d0-40ab-baf2-68738e2966ac",
    "33f36d7e-f396-46d9-90e0-52428a34d9dc",
}


def behaviour_for(path: str) -> dict[str, Any]:
    """CloudFront's choice: the first behaviour whose pattern matches (* is any characters, / included)."""
    for behaviour in BEHAVIOURS:
        if fnmatch.fnmatchcase(path, behaviour["PathPattern"]):
            return behaviour
    return {**DISTRIBUTION["DefaultCacheBehavior"], "PathPattern": "Default (*)"}


def concrete(path: str) -> str:
    return "/api" + path.replace("{essayId}", "the-essay").replace("{sectionId}", "the-section")


def cache_policy(behaviour: dict[str, Any]) -> dict[str, Any]:
    """The policy's config; the managed ones as AWS documents them."""
    policy_id = behaviour["CachePolicyId"]
    if policy_id == CACHING_DISABLED:
        return {"MinTTL": 0, "DefaultTTL": 0, "MaxTTL": 0, "ParametersInCacheKeyAndForwardedToOrigin": {}}
    if policy_id == CACHING_OPTIMIZED:
        return {
            "MinTTL": 1,
            "DefaultTTL": 86400,
            "MaxTTL": 31536000,
            "ParametersInCacheKeyAndForwardedToOrigin": {"HeadersConfig": {"HeaderBehavior": "none"}},
        }
    config: dict[str, Any] = RESOURCES[policy_id["Ref"]]["Properties"]["CachePolicyConfig"]
    return config


def keyed_headers(policy: dict[str, Any]) -> set[str]:
    headers = policy["ParametersInCacheKeyAndForwardedToOrigin"].get("HeadersConfig", {})
    return {h.lower() for h in headers.get("Headers", [])} if headers.get("HeaderBehavior") == "whitelist" else set()


def forwarded_headers(behaviour: dict[str, Any]) -> set[str]:
    """What the origin request policy adds to the cache key's headers ("*" for all of the viewer's)."""
    policy_id = behaviour.get("OriginRequestPolicyId")
    if policy_id is None:
        return set()
    if isinstance(policy_id, str):
        return {"*"} if policy_id in ALL_VIEWER else {"?"}
    headers = RESOURCES[policy_id["Ref"]]["Properties"]["OriginRequestPolicyConfig"]["HeadersConfig"]
    assert headers["HeaderBehavior"] in ("none", "whitelist"), "allViewer-style behaviours forward Authorization"
    return {h.lower() for h in headers.get("Headers", [])}


PUBLIC_ROUTES = [r for r in api_routes() if r.authorizer is None and r.method == "GET"]
SIGNED_IN_ROUTES = [r for r in api_routes() if r.authorizer is not None]


def test_every_api_route_is_reached_under_api_through_the_path_function_and_the_stage() -> None:
    assert len(PUBLIC_ROUTES) >= 8 and len(SIGNED_IN_ROUTES) >= 5
    for route in api_routes():
        behaviour = behaviour_for(concrete(route.path))
        assert behaviour["TargetOriginId"] == "api", route
        assert behaviour["ViewerProtocolPolicy"] in ("https-only", "redirect-to-https")
        (association,) = behaviour["FunctionAssociations"]
        assert association == {"EventType": "viewer-request", "FunctionARN": {"GetAtt": "ApiPathFunction.FunctionARN"}}
        assert route.method in behaviour["AllowedMethods"], route
    (origin,) = [o for o in DISTRIBUTION["Origins"] if o["Id"] == "api"]
    assert origin["DomainName"] == {"Sub": "${Api}.execute-api.${AWS::Region}.${AWS::URLSuffix}"}
    assert origin["OriginPath"] == {"Sub": ["/${StageName}", {"StageName": {"Ref": "Api.Stage"}}]}
    assert origin["CustomOriginConfig"]["OriginProtocolPolicy"] == "https-only"
    # The direct execute-api URL stays: the API itself has no new restriction on who calls it.
    assert "Policy" not in RESOURCES["Api"]["Properties"]


@pytest.mark.skipif(not shutil.which("node"), reason="node runs the CloudFront Function's code")
def test_the_path_function_strips_api_so_the_origin_path_adds_the_stage() -> None:
    code = RESOURCES["ApiPathFunction"]["Properties"]["FunctionCode"]
    paths = ["/api/search", "/api/essays/e1/preview", "/api", "/api/billing/webhook"]
    script = code + (
        "\nconst paths = JSON.parse(process.argv[1]);\n"
        "console.log(JSON.stringify(paths.map((uri) => handler({request: {uri}}).uri)));"
    )
    result = subprocess.run(["node", "-e", script, json.dumps(paths)], capture_output=True, text=True, check=True)
    assert json.loads(result.stdout) == ["/search", "/essays/e1/preview", "/", "/billing/webhook"]


def test_public_reads_are_cached_by_path_and_their_own_query_parameters_honouring_s_maxage() -> None:
    for route in PUBLIC_ROUTES:
        behaviour = behaviour_for(concrete(route.path))
        assert behaviour["CachePolicyId"] == {"Ref": "ApiPublicCachePolicy"}, route
        assert set(behaviour["AllowedMethods"]) <= {"GET", "HEAD", "OPTIONS"}, route
        assert set(behaviour["CachedMethods"]) == {"GET", "HEAD"}
    policy = RESOURCES["ApiPublicCachePolicy"]["Properties"]["CachePolicyConfig"]
    # Min 0 and default 0: only the origin's s-maxage makes an answer cacheable (no-store ones are not).
    assert (policy["MinTTL"], policy["DefaultTTL"]) == (0, 0) and policy["MaxTTL"] > 0
    key = policy["ParametersInCacheKeyAndForwardedToOrigin"]
    assert key["HeadersConfig"] == {"HeaderBehavior": "none"}
    assert key["CookiesConfig"] == {"CookieBehavior": "none"}
    assert key["QueryStringsConfig"] == {"QueryStringBehavior": "whitelist", "QueryStrings": ["q", "cursor", "limit"]}


def test_signed_in_routes_are_keyed_on_authorization_and_never_stored() -> None:
    for route in SIGNED_IN_ROUTES:
        behaviour = behaviour_for(concrete(route.path))
        assert behaviour["CachePolicyId"] == {"Ref": "ApiPrivateCachePolicy"}, route
    policy = RESOURCES["ApiPrivateCachePolicy"]["Properties"]["CachePolicyConfig"]
    assert keyed_headers(policy) == {"authorization"}
    # MaxTTL 1 is the least that lets a header into the key; the origin's private, no-store does the rest.
    assert (policy["MinTTL"], policy["DefaultTTL"], policy["MaxTTL"]) == (0, 0, 1)
    # The full essay shares the /api/essays/ prefix with the public preview: it must not fall into theirs.
    assert behaviour_for("/api/essays/the-essay")["CachePolicyId"] == {"Ref": "ApiPrivateCachePolicy"}
    assert behaviour_for("/api/essays/the-essay/preview")["CachePolicyId"] == {"Ref": "ApiPublicCachePolicy"}
    # An API path the template does not have yet lands in the signed-in behaviour, not a cached one.
    assert behaviour_for("/api/some/new/route")["CachePolicyId"] == {"Ref": "ApiPrivateCachePolicy"}


def test_the_webhook_is_passed_through_uncached_with_its_body_and_signature() -> None:
    behaviour = behaviour_for("/api/billing/webhook")
    assert behaviour["CachePolicyId"] == CACHING_DISABLED
    assert "POST" in behaviour["AllowedMethods"]
    assert "stripe-signature" in forwarded_headers(behaviour) and "content-type" in forwarded_headers(behaviour)
    assert "FunctionAssociations" not in behaviour or len(behaviour["FunctionAssociations"]) == 1  # the path only


def test_no_cached_behaviour_can_serve_an_answer_given_to_an_authorization_header() -> None:
    """Wherever a cache could keep an answer, either Authorization never reaches the origin (so the answer
    is the public one for everybody) or it is part of the key (so only the same token gets it back)."""
    for behaviour in [*BEHAVIOURS, DISTRIBUTION["DefaultCacheBehavior"]]:
        policy = cache_policy(behaviour)
        forwarded = forwarded_headers(behaviour)
        assert "authorization" not in forwarded, behaviour.get("PathPattern")
        assert set(behaviour.get("CachedMethods", ["GET", "HEAD"])) <= {"GET", "HEAD"}
        if policy["MaxTTL"] == 0:
            continue
        if behaviour["TargetOriginId"] == "api":
            assert "*" not in forwarded and "?" not in forwarded, behaviour["PathPattern"]
            reaches_origin = "authorization" in keyed_headers(policy)
            if reaches_origin:
                assert policy["MaxTTL"] <= 1, behaviour["PathPattern"]
            else:
                # Nothing signed-in behind it: every route it matches is a public one.
                pattern = behaviour["PathPattern"]
                matched = [r for r in api_routes() if fnmatch.fnmatchcase(concrete(r.path), pattern)]
                assert matched and all(r.authorizer is None for r in matched), pattern


def test_the_sites_other_behaviours_are_unchanged_and_api_ones_come_first() -> None:
    patterns = [b["PathPattern"] for b in BEHAVIOURS]
    site = ["/assets/*", "/config.json", "/404.html", "/auth/*", "/callback", "/plans", "/subscribed", "/account"]
    assert [p for p in patterns if not p.startswith("/api")] == site
    assert patterns.index("/api/*") < patterns.index("/assets/*")
    assert patterns.index("/api/*") == max(i for i, p in enumerate(patterns) if p.startswith("/api"))
    assert DISTRIBUTION["DefaultCacheBehavior"]["TargetOriginId"] == "pages"
    assert len(BEHAVIOURS) <= 25, "CloudFront's default quota of cache behaviours per distribution"


# ---- the web ACL (infra/edge-waf.yaml, us-east-1) --------------------------------------------------

WEB_ACL = EDGE_WAF["Resources"]["EdgeWebAcl"]["Properties"]
RULES = {rule["Name"]: rule for rule in WEB_ACL["Rules"]}


def _resolve(value: Any, stage: str) -> Any:
    """The ACL's one condition (IsProd), evaluated for a stage."""
    if isinstance(value, dict) and set(value) == {"If"}:
        condition, when_true, when_false = value["If"]
        assert condition == "IsProd"
        return when_true if stage == "prod" else when_false
    return value


def test_the_distribution_takes_the_us_east_1_web_acl_by_parameter() -> None:
    assert WEB_ACL["Scope"] == "CLOUDFRONT"
    assert EDGE_WAF["Conditions"]["IsProd"] == {"Equals": [{"Ref": "Stage"}, "prod"]}
    assert DISTRIBUTION["WebACLId"] == {"If": ["HasEdgeWebAcl", {"Ref": "EdgeWebAclArn"}, {"Ref": "AWS::NoValue"}]}
    pattern = TEMPLATE_DOC["Parameters"]["EdgeWebAclArn"]["AllowedPattern"]
    assert ":us-east-1:" in pattern and "global/webacl" in pattern
    assert TEMPLATE_DOC["Parameters"]["EdgeWebAclArn"]["Default"] == ""


def test_the_managed_rule_groups_count_in_dev_and_block_in_prod() -> None:
    groups = {
        rule["Statement"]["ManagedRuleGroupStatement"]["Name"]: rule
        for rule in RULES.values()
        if "ManagedRuleGroupStatement" in rule["Statement"]
    }
    assert set(groups) == {
        "AWSManagedRulesCommonRuleSet",
        "AWSManagedRulesKnownBadInputsRuleSet",
        "AWSManagedRulesAmazonIpReputationList",
    }
    for rule in groups.values():
        assert _resolve(rule["OverrideAction"], "dev") == {"Count": {}}
        assert _resolve(rule["OverrideAction"], "prod") == {"None": {}}


def _scope(rule: dict[str, Any]) -> list[tuple[str, str, str]]:
    statement = rule["Statement"]["RateBasedStatement"]["ScopeDownStatement"]
    matches = (
        [s["ByteMatchStatement"] for s in statement["AndStatement"]["Statements"]]
        if "AndStatement" in statement
        else [statement["ByteMatchStatement"]]
    )
    return [(next(iter(m["FieldToMatch"])), m["PositionalConstraint"], m["SearchString"]) for m in matches]


def test_rate_rules_per_ip_on_the_abused_paths_with_parameter_thresholds() -> None:
    expected = {
        "CheckoutPerIp": ("CheckoutRateLimit", [("UriPath", "EXACTLY", "/api/checkout")]),
        "SearchPerIp": ("SearchRateLimit", [("UriPath", "EXACTLY", "/api/search")]),
        "SuggestPerIp": ("SuggestRateLimit", [("UriPath", "EXACTLY", "/api/search/suggest")]),
        "WebhookPerIp": ("WebhookRateLimit", [("UriPath", "EXACTLY", "/api/billing/webhook")]),
        "SignUpPerIp": (
            "SignUpRateLimit",
            [("UriPath", "EXACTLY", "/auth/login"), ("QueryString", "CONTAINS", "signup=1")],
        ),
    }
    rate_rules = {name: rule for name, rule in RULES.items() if "RateBasedStatement" in rule["Statement"]}
    assert set(rate_rules) == set(expected)
    for name, (parameter, scope) in expected.items():
        rule = rate_rules[name]
        statement = rule["Statement"]["RateBasedStatement"]
        assert statement["AggregateKeyType"] == "IP"
        assert statement["Limit"] == {"Ref": parameter}
        assert EDGE_WAF["Parameters"][parameter]["MinValue"] >= 10  # WAF's least rate limit
        assert _scope(rule) == scope, name
        assert _resolve(rule["Action"], "dev") == {"Count": {}}
        assert _resolve(rule["Action"], "prod") == {"Block": {"CustomResponse": {"ResponseCode": 429}}}
    # The paths are the ones the distribution and the session function really serve.
    for name in ("CheckoutPerIp", "SearchPerIp", "SuggestPerIp", "WebhookPerIp"):
        path = _scope(rate_rules[name])[0][2]
        assert path.removeprefix("/api") in {r.path for r in api_routes()}
        assert behaviour_for(path)["TargetOriginId"] == "api"
    session = (ROOT / "shared" / "http" / "session.py").read_text(encoding="utf-8")
    assert '("GET", "/auth/login")' in session and 'query.get("signup") == "1"' in session
    assert behaviour_for("/auth/login")["TargetOriginId"] == "sessions"


def test_the_common_rule_set_leaves_the_webhooks_large_bodies_alone() -> None:
    scope = RULES["Common"]["Statement"]["ManagedRuleGroupStatement"]["ScopeDownStatement"]
    match = scope["NotStatement"]["Statement"]["ByteMatchStatement"]
    assert (match["PositionalConstraint"], match["SearchString"]) == ("EXACTLY", "/api/billing/webhook")


@needs_sam
def test_the_origin_path_is_the_stage_api_gateway_deploys() -> None:
    resources = transformed()["Resources"]
    config = resources["SiteDistribution"]["Properties"]["DistributionConfig"]
    (origin,) = [o for o in config["Origins"] if o["Id"] == "api"]
    path, names = origin["OriginPath"]["Fn::Sub"]
    assert path == "/${StageName}"
    assert resources[names["StageName"]["Ref"]]["Type"] == "AWS::ApiGateway::Stage"
