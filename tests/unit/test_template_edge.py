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
from essays_cli.website import SHELL_PAGES

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
    # No resource policy: a REST API's cannot test a header, the stage's web ACL does (the origin guard below).
    assert "Policy" not in RESOURCES["Api"]["Properties"]


@pytest.mark.skipif(not shutil.which("node"), reason="node runs the CloudFront Function's code")
def test_the_path_function_strips_api_so_the_origin_path_adds_the_stage_and_passes_the_site_s_origin() -> None:
    code = RESOURCES["ApiPathFunction"]["Properties"]["FunctionCode"]
    paths = ["/api/search", "/api/essays/e1/preview", "/api", "/api/billing/webhook"]
    script = code + (
        "\nconst paths = JSON.parse(process.argv[1]);\n"
        "console.log(JSON.stringify(paths.map((uri) => handler({request: {uri, headers: {"
        "host: {value: 'd1a2b3.cloudfront.net'}, 'x-site-origin': {value: 'https://evil.example'}}}}))));"
    )
    result = subprocess.run(["node", "-e", script, json.dumps(paths)], capture_output=True, text=True, check=True)
    requests = json.loads(result.stdout)
    assert [r["uri"] for r in requests] == ["/search", "/essays/e1/preview", "/", "/billing/webhook"]
    # the viewer's own x-site-origin is replaced: Stripe's return pages (functions/billing) follow it
    assert {r["headers"]["x-site-origin"]["value"] for r in requests} == {"https://d1a2b3.cloudfront.net"}
    forwarded = RESOURCES["ApiOriginRequestPolicy"]["Properties"]["OriginRequestPolicyConfig"]["HeadersConfig"]
    assert "x-site-origin" in forwarded["Headers"] and "Host" not in forwarded["Headers"]


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
    site = ["/assets/*", "/config.json", "/404.html", "/auth/*", "/callback", *SHELL_PAGES]
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


# ---- only CloudFront reaches the origin: X-Origin-Verify, checked by the stage's web ACL ---------------

NO_VALUE = object()


def _condition(name: str, values: dict[str, str]) -> bool:
    return bool(_cfn(TEMPLATE_DOC["Conditions"][name], values))


def _cfn(node: Any, values: dict[str, str]) -> Any:
    """The template's intrinsic functions this part uses, as CloudFormation resolves them."""
    if isinstance(node, list):
        return [item for item in (_cfn(x, values) for x in node) if item is not NO_VALUE]
    if not isinstance(node, dict):
        return node
    if len(node) == 1:
        ((function, argument),) = node.items()
        if function == "Ref":
            return NO_VALUE if argument == "AWS::NoValue" else values.get(argument, argument)
        if function == "Condition":
            return _condition(argument, values)
        if function == "If":
            name, when_true, when_false = argument
            return _cfn(when_true if _condition(name, values) else when_false, values)
        if function == "Equals":
            left, right = (_cfn(x, values) for x in argument)
            return left == right
        if function == "Not":
            return not _cfn(argument[0], values)
        if function == "And":
            return all(_cfn(x, values) for x in argument)
        if function == "Or":
            return any(_cfn(x, values) for x in argument)
        if function in ("GetAtt", "Sub"):
            return node
    return {k: v for k, v in ((k, _cfn(v, values)) for k, v in node.items()) if v is not NO_VALUE}


def _parameters(**overrides: str) -> dict[str, str]:
    values = {name: str(p.get("Default", "")) for name, p in TEMPLATE_DOC["Parameters"].items()}
    return {**values, **overrides}


def _matches(statement: dict[str, Any], request: dict[str, Any]) -> bool:
    """AWS WAF's evaluation of the statement kinds the stage's ACL uses."""
    ((kind, body),) = statement.items()
    if kind == "AndStatement":
        return all(_matches(s, request) for s in body["Statements"])
    if kind == "NotStatement":
        return not _matches(body["Statement"], request)
    if kind == "IPSetReferenceStatement":
        return bool(request.get("from_allowed_ip"))
    assert kind == "ByteMatchStatement", kind
    field = body["FieldToMatch"]
    value = request["path"] if "UriPath" in field else request["headers"].get(field["SingleHeader"]["Name"].lower(), "")
    for transformation in body["TextTransformations"]:
        value = value.lower() if transformation["Type"] == "LOWERCASE" else value
    wanted, how = body["SearchString"], body["PositionalConstraint"]
    return value == wanted if how == "EXACTLY" else value.endswith(wanted) if how == "ENDS_WITH" else wanted in value


def _stage_answers(values: dict[str, str], request: dict[str, Any]) -> str:
    """allow, or what blocks the request, by the stage's web ACL resolved for these parameters."""
    if not _condition(RESOURCES["WebhookFirewall"]["Condition"], values):
        return "allow (no web ACL)"
    acl = _cfn(RESOURCES["WebhookFirewall"]["Properties"], values)
    for rule in sorted(acl["Rules"], key=lambda r: r["Priority"]):
        if _matches(rule["Statement"], request):
            return f"block ({rule['Name']})"
    return "allow"


SECRET, OLD_SECRET = "a" * 64, "b" * 64


def test_the_distribution_sends_the_origin_secret_and_the_stage_lets_only_it_through() -> None:
    values = _parameters(OriginVerifySecret=SECRET)
    (origin,) = [o for o in _cfn(DISTRIBUTION, values)["Origins"] if o["Id"] == "api"]
    assert origin["OriginCustomHeaders"] == [{"HeaderName": "X-Origin-Verify", "HeaderValue": SECRET}]
    through_cloudfront = {"path": "/prod/essays/e1/preview", "headers": {"x-origin-verify": SECRET}}
    direct = {"path": "/prod/essays/e1/preview", "headers": {}}
    guessed = {"path": "/prod/search", "headers": {"x-origin-verify": SECRET[:-1]}}
    stripe = {"path": "/prod/billing/webhook", "headers": {}}
    assert _stage_answers(values, through_cloudfront) == "allow"
    assert _stage_answers(values, direct) == "block (OnlyThroughTheDistribution)"
    assert _stage_answers(values, guessed) == "block (OnlyThroughTheDistribution)"
    assert _stage_answers(values, stripe) == "allow", "Stripe calls the direct URL: the webhook stays reachable"
    # The refusal is the API's JSON error shape, with a 403.
    acl = _cfn(RESOURCES["WebhookFirewall"]["Properties"], values)
    (rule,) = acl["Rules"]
    response = rule["Action"]["Block"]["CustomResponse"]
    assert response["ResponseCode"] == 403
    assert json.loads(acl["CustomResponseBodies"][response["CustomResponseBodyKey"]]["Content"])["error"]["code"]
    association = RESOURCES["WebhookFirewallAssociation"]
    assert association["Condition"] == RESOURCES["WebhookFirewall"]["Condition"]
    assert association["Properties"]["WebACLArn"] == {"GetAtt": "WebhookFirewall.Arn"}


def test_the_secret_rotates_without_a_refusal_and_is_never_shown() -> None:
    parameters = TEMPLATE_DOC["Parameters"]
    for name in ("OriginVerifySecret", "OriginVerifySecretPrevious"):
        assert parameters[name]["NoEcho"] is True and parameters[name]["Default"] == ""
        assert "{32,128}" in parameters[name]["AllowedPattern"]
    rotating = _parameters(OriginVerifySecret=SECRET, OriginVerifySecretPrevious=OLD_SECRET)
    for value in (SECRET, OLD_SECRET):  # edges still sending the old value while the new one deploys
        assert _stage_answers(rotating, {"path": "/prod/plans", "headers": {"x-origin-verify": value}}) == "allow"
    done = _parameters(OriginVerifySecret=SECRET)
    assert _stage_answers(done, {"path": "/prod/plans", "headers": {"x-origin-verify": OLD_SECRET}}).startswith("block")


def test_without_a_secret_or_a_site_the_direct_url_answers_everything_and_prod_needs_one() -> None:
    direct = {"path": "/dev/essays/e1/preview", "headers": {}}
    assert _stage_answers(_parameters(), direct) == "allow (no web ACL)"
    no_site = _parameters(OriginVerifySecret=SECRET, WebHosting="false")
    assert _stage_answers(no_site, direct) == "allow (no web ACL)", "no distribution: nothing else could reach it"
    (origin,) = [o for o in _cfn(DISTRIBUTION, _parameters())["Origins"] if o["Id"] == "api"]
    assert "OriginCustomHeaders" not in origin
    # The webhook's allow-list and the guard share the stage's one web ACL.
    both = _parameters(OriginVerifySecret=SECRET, WebhookAllowedCidrs="203.0.113.7/32")
    stranger = {"path": "/prod/billing/webhook", "headers": {}, "from_allowed_ip": False}
    assert _stage_answers(both, stranger) == "block (WebhookFromStripeOnly)"
    assert _stage_answers(both, {**stranger, "from_allowed_ip": True}) == "allow"
    assert _stage_answers(both, direct) == "block (OnlyThroughTheDistribution)"
    rule = TEMPLATE_DOC["Rules"]["ProdGuardsItsOrigin"]
    assert _cfn(rule["RuleCondition"], _parameters(Stage="prod"))
    assert not _cfn(rule["RuleCondition"], _parameters(Stage="prod", WebHosting="false"))
    (assertion,) = rule["Assertions"]
    assert not _cfn(assertion["Assert"], _parameters(Stage="prod"))
    assert _cfn(assertion["Assert"], _parameters(Stage="prod", OriginVerifySecret=SECRET))
