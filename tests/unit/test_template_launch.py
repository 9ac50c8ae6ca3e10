"""Going live safely, read off template.yaml (as written, and as CloudFormation receives it after the SAM
transform): parameters that refuse a wrong prod deploy, state that survives a deploy or a deletion, one
throttled stage, alarms that reach a person and roll a bad version back, and error bodies that are JSON
as API Gateway renders them."""

from __future__ import annotations

import functools
import json
import re
import tomllib
from typing import Any

import pytest
from essays_cli.template import SAM_PYTHON, TEMPLATE, circular_dependency, load_template, transformed_template

from tests.conftest import ROOT

TEMPLATE_DOC = load_template()
RESOURCES: dict[str, Any] = TEMPLATE_DOC["Resources"]
FUNCTIONS = sorted(k for k, v in RESOURCES.items() if v["Type"] == "AWS::Serverless::Function")
PROD = {
    "Stage": "prod",
    "StripePriceId": "price_1Abc",
    "AlarmEmail": "ops@example.org",
    "GradualDeploys": "true",
    "DeploymentType": "Canary10Percent5Minutes",
    "OriginVerifySecret": "0123456789abcdef0123456789abcdef",
}
needs_sam = pytest.mark.skipif(not SAM_PYTHON.exists(), reason="SAM CLI (.venv-sam) is not installed: make build")


@functools.cache
def _transformed(parameters: str) -> dict[str, Any]:
    return transformed_template(json.loads(parameters))


def transformed(parameters: dict[str, str] | None = None) -> dict[str, Any]:
    return _transformed(json.dumps(parameters or {}, sort_keys=True))


def parameter_values(overrides: dict[str, str]) -> dict[str, str]:
    values = {name: str(p.get("Default", "")) for name, p in TEMPLATE_DOC["Parameters"].items()}
    return {**values, **overrides}


# ---- Rules: a prod deploy that would go wrong is refused ---------------------------------------


def _evaluate(expression: Any, values: dict[str, str]) -> Any:
    """The rule functions CloudFormation evaluates (the ones our Rules use), over parameter values."""
    if isinstance(expression, str):
        return expression
    ((function, argument),) = expression.items()
    if function == "Ref":
        return values[argument]
    arguments = [_evaluate(a, values) for a in argument]
    if function == "Equals":
        return arguments[0] == arguments[1]
    if function == "Not":
        return not arguments[0]
    if function == "And":
        return all(arguments)
    if function == "Or":
        return any(arguments)
    raise AssertionError(f"{function} is not a rule function")


def refusals(overrides: dict[str, str]) -> list[str]:
    """The AssertDescription of every failed assertion, as CloudFormation would refuse the deploy."""
    values = parameter_values(overrides)
    refused = []
    for rule in TEMPLATE_DOC["Rules"].values():
        if "RuleCondition" in rule and not _evaluate(rule["RuleCondition"], values):
            continue
        refused += [a["AssertDescription"] for a in rule["Assertions"] if not _evaluate(a["Assert"], values)]
    return refused


def test_a_prod_deploy_without_a_price_an_alarm_recipient_or_with_foreign_return_urls_is_refused() -> None:
    assert refusals(PROD) == []
    assert refusals({}) == [], "a dev stack needs none of them"
    assert refusals({**PROD, "StripePriceId": ""}) == [
        "A prod stack needs StripePriceId (the price_... of the plan readers subscribe to)."
    ]
    no_one = refusals({**PROD, "AlarmEmail": ""})
    assert len(no_one) == 1 and "AlarmEmail" in no_one[0]
    assert refusals({**PROD, "AlarmEmail": "", "AlarmTopicArn": "arn:aws:sns:eu-west-2:123456789012:on-call"}) == []
    for url in ("CheckoutSuccessUrl", "CheckoutCancelUrl", "PortalReturnUrl"):
        refused = refusals({**PROD, url: "https://evil.example.net/x"})
        assert len(refused) == 1 and "site's own pages" in refused[0], url
    assert len(refusals({**PROD, "TableDeletionProtection": "false"})) == 1
    assert len(refusals({**PROD, "GradualDeploys": "false"})) == 1
    assert len(refusals({**PROD, "StripeApiBase": "http://127.0.0.1:9"})) == 1
    assert len(refusals({"SiteDomainName": "essays.example.org"})) == 1, "a domain without its certificate"


def test_samconfig_prod_names_the_stage_and_a_canary_and_leaves_only_the_required_values_to_the_operator() -> None:
    config = tomllib.loads((ROOT / "samconfig.toml").read_text(encoding="utf-8"))

    def overrides(env: str) -> dict[str, str]:
        pairs = config[env]["deploy"]["parameters"]["parameter_overrides"].split()
        return dict(pair.split("=", 1) for pair in pairs)

    prod, dev = overrides("prod"), overrides("default")
    assert prod["Stage"] == "prod" and prod["DeploymentType"].startswith("Canary")
    assert dev["Stage"] == "dev" and dev.get("DeploymentType", "AllAtOnce") == "AllAtOnce"
    assert prod["GradualDeploys"] == dev["GradualDeploys"] == "true"
    # What the Rules require is all that is left to name on a first prod deploy.
    missing = refusals(prod)
    assert len(missing) == 3 and "StripePriceId" in missing[0] and "AlarmEmail" in missing[1]
    assert "OriginVerifySecret" in missing[2]


def test_return_urls_default_to_the_sites_own_pages() -> None:
    assert "example.com" not in TEMPLATE.read_text(encoding="utf-8").replace("essays.example.com;", "")
    billing = RESOURCES["BillingFunction"]["Properties"]["Environment"]["Variables"]
    for variable, parameter in (
        ("CHECKOUT_SUCCESS_URL", "CheckoutSuccessUrl"),
        ("CHECKOUT_CANCEL_URL", "CheckoutCancelUrl"),
        ("PORTAL_RETURN_URL", "PortalReturnUrl"),
    ):
        assert TEMPLATE_DOC["Parameters"][parameter]["Default"] == ""
        assert billing[variable] == {"Ref": parameter}  # empty: the site's own page (shared/settings/payments.py)
    # the site: its own domain; on its CloudFront domain, the origin the edge sends (never named here:
    # the distribution's API origin depends on this function); without hosting, the CORS origin
    assert billing["SITE_ORIGIN"] == {
        "If": [
            "HasSiteDomain",
            {"Sub": "https://${SiteDomainName}"},
            {"If": ["WithWebHosting", "", {"Ref": "CorsAllowOrigin"}]},
        ]
    }


# ---- a template CloudFormation can create ---------------------------------------------------------

ON_ITS_DOMAIN = {
    **PROD,
    "SiteDomainName": "essays.example.org",
    "SiteCertificateArn": "arn:aws:acm:us-east-1:1:certificate/x",
}


@needs_sam
@pytest.mark.parametrize(
    "parameters", [{}, PROD, ON_ITS_DOMAIN, {"WebHosting": "false"}], ids=["dev", "prod", "domain", "api"]
)
def test_no_resource_depends_on_itself_through_others(parameters: dict[str, str]) -> None:
    # Every Fn::If branch counts: stricter than needed for any one set of parameter values, never looser.
    assert circular_dependency(transformed(parameters)) == []


def test_a_circle_through_the_api_s_definition_is_found() -> None:
    template: dict[str, Any] = {
        "Resources": {
            "Api": {"Properties": {"Body": {"uri": {"Fn::Sub": "arn:${BillingFunctionAliaslive}/invocations"}}}},
            "BillingFunctionAliaslive": {
                "Properties": {"FunctionVersion": {"Fn::GetAtt": ["BillingFunction", "Version"]}}
            },
            "BillingFunction": {
                "Properties": {"Environment": {"If": ["C", {"Fn::GetAtt": ["Site", "DomainName"]}, ""]}}
            },
            "Site": {"Properties": {"Origins": [{"DomainName": {"Fn::Sub": "${Api}.execute-api.${AWS::Region}"}}]}},
            "Bucket": {"Properties": {}},
        }
    }
    assert set(circular_dependency(template)) == {"Api", "BillingFunctionAliaslive", "BillingFunction", "Site"}
    del template["Resources"]["BillingFunction"]["Properties"]["Environment"]
    assert circular_dependency(template) == []


def test_nothing_behind_the_distribution_names_it() -> None:
    # Its origins are the API (every function's alias), the session function's URL and the bucket.
    behind = {"Api", "UserPoolClient", "UploadsBucket", "UserPool"} | {
        name for name, resource in RESOURCES.items() if resource["Type"] == "AWS::Serverless::Function"
    }
    assert "SiteDistribution" not in json.dumps(TEMPLATE_DOC["Globals"])
    for name in behind:
        assert "SiteDistribution" not in json.dumps(RESOURCES[name]), name


# ---- state that survives ---------------------------------------------------------------------------

# Where data lives that a deploy must never replace nor a stack deletion take along.
STATEFUL = {"AWS::DynamoDB::Table", "AWS::Cognito::UserPool", "AWS::SecretsManager::Secret", "AWS::S3::Bucket"}
RETAINED_LOGS = {"ApiAccessLogGroup", "BillingFunctionLogGroup", "WebhookFunctionLogGroup"}


def test_every_stateful_resource_is_retained_and_the_rest_of_the_logs_say_so() -> None:
    stateful = {k for k, v in RESOURCES.items() if v["Type"] in STATEFUL}
    assert {"EssaysTable", "SubscriptionsTable", "BillingTable", "MeterTable", "UserPool", "SiteBucket"} <= stateful
    assert {"SubmissionsTable", "UploadsBucket"} <= stateful
    assert {"StripeSecretKey", "StripeWebhookSecret", "CursorSecret"} <= stateful
    for name in stateful | RETAINED_LOGS:
        assert RESOURCES[name].get("DeletionPolicy") == "Retain", name
        assert RESOURCES[name].get("UpdateReplacePolicy") == "Retain", name
    for name, resource in RESOURCES.items():  # cfn-lint's I3011: every log group states its policies
        if resource["Type"] == "AWS::Logs::LogGroup" and name not in RETAINED_LOGS:
            assert resource["DeletionPolicy"] == resource["UpdateReplacePolicy"] == "Delete", name


def test_the_user_pool_is_protected_mails_through_ses_when_asked_and_has_threat_protection_in_prod() -> None:
    pool = RESOURCES["UserPool"]["Properties"]
    assert TEMPLATE_DOC["Parameters"]["TableDeletionProtection"]["Default"] == "true"
    assert pool["DeletionProtection"] == {"If": ["ProtectData", "ACTIVE", "INACTIVE"]}
    for table in ("EssaysTable", "SubscriptionsTable", "BillingTable", "MeterTable", "SubmissionsTable"):
        assert RESOURCES[table]["Properties"]["DeletionProtectionEnabled"] == {"Ref": "TableDeletionProtection"}
    assert pool["UserPoolAddOns"] == {"AdvancedSecurityMode": {"If": ["IsProd", "ENFORCED", "OFF"]}}
    assert pool["UserPoolTier"] == {"If": ["IsProd", "PLUS", "ESSENTIALS"]}
    condition, ses, default = pool["EmailConfiguration"]["If"]
    assert condition == "HasSesSender" and ses["EmailSendingAccount"] == "DEVELOPER"
    assert ses["From"] == {"Ref": "SesSenderAddress"}
    assert default == {"EmailSendingAccount": "COGNITO_DEFAULT"}


@needs_sam
def test_layer_versions_are_kept_for_rollback_and_stripe_ships_only_to_the_functions_calling_stripe() -> None:
    resources = transformed(PROD)["Resources"]
    layers = {k: v for k, v in resources.items() if v["Type"] == "AWS::Lambda::LayerVersion"}
    assert len(layers) == 2 and all(v["DeletionPolicy"] == "Retain" for v in layers.values())
    stripe_layer = next(k for k in layers if k.startswith("StripeLayer"))
    with_stripe = {
        name.removesuffix("Function")
        for name, v in resources.items()
        if v["Type"] == "AWS::Lambda::Function" and {"Ref": stripe_layer} in v["Properties"].get("Layers", [])
    }
    assert with_stripe == {"Billing", "Webhook"}
    requirements = (ROOT / "infra" / "layer-requirements.txt").read_text(encoding="utf-8")
    assert "stripe" not in re.sub(r"#.*", "", requirements)


# ---- one stage ---------------------------------------------------------------------------------


@needs_sam
@pytest.mark.parametrize("parameters", [{}, PROD], ids=["dev", "prod"])
def test_exactly_one_stage_throttled_logged_and_traced(parameters: dict[str, str]) -> None:
    resources = transformed(parameters)["Resources"]
    stages = [v["Properties"] for v in resources.values() if v["Type"] == "AWS::ApiGateway::Stage"]
    assert len(stages) == 1, "SAM's implicit 'Stage' stage is back (Globals: Api: OpenApiVersion)"
    (stage,) = stages
    assert stage["StageName"] == {"Ref": "Stage"}
    assert stage["TracingEnabled"] is True
    assert stage["AccessLogSetting"]["DestinationArn"] == {"Fn::GetAtt": ["ApiAccessLogGroup", "Arn"]}
    default, webhook = stage["MethodSettings"]
    assert (default["ResourcePath"], default["HttpMethod"]) == ("/*", "*")
    assert default["ThrottlingRateLimit"] == {"Ref": "ThrottlingRateLimit"}
    # the webhook's own bucket: Stripe's deliveries never share the readers' settings
    assert (webhook["ResourcePath"], webhook["HttpMethod"]) == ("/~1billing~1webhook", "POST")
    assert webhook["ThrottlingRateLimit"] == {"Ref": "WebhookThrottlingRateLimit"}
    assert webhook["ThrottlingBurstLimit"] == {"Ref": "WebhookThrottlingBurstLimit"}


def test_the_webhook_allow_list_is_a_waf_on_the_stage_only_when_named() -> None:
    assert TEMPLATE_DOC["Parameters"]["WebhookAllowedCidrs"]["Default"] == ""
    acl = RESOURCES["WebhookFirewall"]
    # the stage's one web ACL: this rule, and the origin guard's (tests/unit/test_template_edge.py)
    assert TEMPLATE_DOC["Conditions"][acl["Condition"]] == {
        "Or": [{"Condition": "HasWebhookAllowList"}, {"Condition": "HasOriginGuard"}]
    }
    assert acl["Properties"]["DefaultAction"] == {"Allow": {}}
    condition, rule, no_rule = acl["Properties"]["Rules"][0]["If"]
    assert condition == "HasWebhookAllowList" and no_rule == {"Ref": "AWS::NoValue"}
    path, not_from = rule["Statement"]["AndStatement"]["Statements"]
    assert path["ByteMatchStatement"]["SearchString"] == "/billing/webhook" and rule["Action"] == {"Block": {}}
    assert not_from["NotStatement"]["Statement"]["IPSetReferenceStatement"]["Arn"] == {"GetAtt": "WebhookSources.Arn"}
    assert RESOURCES["WebhookSources"]["Properties"]["Addresses"] == {"Split": [",", {"Ref": "WebhookAllowedCidrs"}]}


# ---- alarms that reach a person; gradual deploys ---------------------------------------------------


def test_every_alarm_notifies_the_topic_and_says_when_it_is_over() -> None:
    target = {"If": ["HasAlarmTopicArn", {"Ref": "AlarmTopicArn"}, {"Ref": "AlarmTopic"}]}
    alarms = {k: v for k, v in RESOURCES.items() if v["Type"] == "AWS::CloudWatch::Alarm"}
    assert len(alarms) >= len(FUNCTIONS) + 7
    for name, alarm in alarms.items():
        # the sign-up triggers' alarm exists with the user pool they belong to
        assert alarm["Condition"] == ("WithSignUpAlarm" if name == "SignUpFunctionAlarm" else "WithAlarms"), name
        assert alarm["Properties"]["AlarmActions"] == [target], name
        assert alarm["Properties"]["OKActions"] == [target], name
    assert RESOURCES["AlarmTopic"]["Condition"] == "CreateAlarmTopic"
    subscription = RESOURCES["AlarmEmailSubscription"]
    assert subscription["Properties"]["Endpoint"] == {"Ref": "AlarmEmail"}
    assert subscription["Properties"]["Protocol"] == "email"


def test_each_function_has_an_errors_and_throttles_alarm_that_rolls_its_deploy_back() -> None:
    globals_ = TEMPLATE_DOC["Globals"]["Function"]
    assert globals_["AutoPublishAlias"] == "live"
    assert globals_["DeploymentPreference"] == {"Enabled": {"Ref": "GradualDeploys"}, "Type": {"Ref": "DeploymentType"}}
    for function in FUNCTIONS:
        alarm = RESOURCES[f"{function}Alarm"]["Properties"]
        metrics = {m["Id"]: m for m in alarm["Metrics"]}
        for metric, name in (("errors", "Errors"), ("throttles", "Throttles")):
            stat = metrics[metric]["MetricStat"]["Metric"]
            assert stat["MetricName"] == name and stat["Dimensions"][0]["Value"] == {"Ref": function}
        triggers = RESOURCES[function]["Properties"]["DeploymentPreference"]["Alarms"]
        if function == "SignUpFunction":  # a user pool trigger, behind no API
            expected = ["WithSignUpAlarm", [{"Ref": f"{function}Alarm"}], [{"Ref": "AWS::NoValue"}]]
        else:
            expected = [
                "WithAlarms",
                [{"Ref": f"{function}Alarm"}, {"Ref": "Api5xxRateAlarm"}],
                [{"Ref": "AWS::NoValue"}],
            ]
        assert triggers == {"If": expected}


@needs_sam
def test_prod_shifts_traffic_by_canary_with_rollback_and_the_local_stack_without_codedeploy() -> None:
    prod = transformed(PROD)["Resources"]
    groups = {k: v["Properties"] for k, v in prod.items() if v["Type"] == "AWS::CodeDeploy::DeploymentGroup"}
    assert len(groups) == len(FUNCTIONS)
    for group in groups.values():
        assert group["DeploymentConfigName"]["Fn::Sub"][1] == {"ConfigName": "Canary10Percent5Minutes"}
        assert "DEPLOYMENT_STOP_ON_ALARM" in group["AutoRollbackConfiguration"]["Events"]
        assert group["AlarmConfiguration"]["Fn::If"][1]["Enabled"] is True
    # API Gateway calls the alias CodeDeploy moves, authorizers included
    body = prod["Api"]["Properties"]["Body"]
    integrations = [op["x-amazon-apigateway-integration"] for path in body["paths"].values() for op in path.values()]
    lambdas = [json.dumps(i["uri"]) for i in integrations if i["type"] == "aws_proxy"]
    assert len(lambdas) == len([r for r in RESOURCES.values() for e in (r["Properties"].get("Events") or {}).values()])
    assert all(re.search(r"\$\{\w+Functionaliaslive\}", uri, re.IGNORECASE) for uri in lambdas), lambdas
    for scheme in body["components"]["securitySchemes"].values():
        uri = scheme["x-amazon-apigateway-authorizer"]["authorizerUri"]["Fn::Sub"][1]["__FunctionArn__"]
        assert uri["Ref"] in {"AuthorizerFunctionAliaslive", "IdentityFunctionAliaslive"}
    local = transformed({"Stage": "local", "GradualDeploys": "false", "CreateAlarms": "false"})["Resources"]
    assert not [k for k, v in local.items() if v["Type"].startswith("AWS::CodeDeploy")]
    assert len([v for v in local.values() if v["Type"] == "AWS::Lambda::Alias"]) == len(FUNCTIONS)


def test_checkout_and_webhook_failures_have_alarms_of_their_own() -> None:
    checkout_filter = RESOURCES["CheckoutFailuresFilter"]["Properties"]
    assert checkout_filter["LogGroupName"] == {"Ref": "BillingFunctionLogGroup"}
    assert '"stripe unavailable"' in checkout_filter["FilterPattern"]
    assert RESOURCES["CheckoutFailuresAlarm"]["Properties"]["MetricName"] == "CheckoutFailures"
    outcomes = RESOURCES["WebhookOutcomesFilter"]["Properties"]["MetricTransformations"][0]
    assert outcomes["Dimensions"] == [{"Key": "outcome", "Value": "$.outcome"}]
    attention = RESOURCES["WebhookAttentionFilter"]["Properties"]  # unmatched events log a warning
    assert attention["LogGroupName"] == {"Ref": "WebhookFunctionLogGroup"}
    assert '$.level = "WARNING"' in attention["FilterPattern"] and '$.level = "ERROR"' in attention["FilterPattern"]
    assert RESOURCES["WebhookAttentionAlarm"]["Properties"]["MetricName"] == "WebhookAttention"
    for alarm in ("WebhookClientErrorsAlarm", "WebhookServerErrorsAlarm"):
        dimensions = {d["Name"]: d["Value"] for d in RESOURCES[alarm]["Properties"]["Dimensions"]}
        assert dimensions["Resource"] == "/billing/webhook"


def test_the_dashboard_is_json_and_shows_traffic_latency_cold_starts_payments_and_the_meter() -> None:
    body, variables = RESOURCES["Dashboard"]["Properties"]["DashboardBody"]["Sub"]
    values = {"AWS::Region": "eu-west-2", "AWS::StackName": "essay-library-prod", "Stage": "prod"}
    values |= {"ApiName": "essay-library-prod-api", "Namespace": "EssayLibrary/essay-library-prod"}
    assert set(variables) == {"ApiName", "Namespace"}
    rendered = re.sub(r"\$\{([^}]+)\}", lambda m: values[m.group(1)], body)
    widgets = json.loads(rendered)["widgets"]
    text = json.dumps(widgets)
    for shown in ('"Count"', '"4XXError"', '"5XXError"', '"p50"', '"p99"', "initDurationMs", '"WebhookEvents"'):
        assert shown in text, shown
    assert '"CheckoutFailures"' in text and '"MeteredReads"' in text and '"MeterSpent"' in text
    filters = {
        v["Properties"]["MetricTransformations"][0]["MetricName"]
        for v in RESOURCES.values()
        if v["Type"] == "AWS::Logs::MetricFilter"
    }
    assert filters == {"CheckoutFailures", "WebhookEvents", "WebhookAttention", "MeteredReads", "MeterSpent"}


def test_the_regions_api_gateway_logging_role_is_made_only_where_asked() -> None:
    assert TEMPLATE_DOC["Parameters"]["ConfigureApiGatewayLogging"]["Default"] == "false"
    assert TEMPLATE_DOC["Conditions"]["SetApiGatewayAccount"] == {
        "Equals": [{"Ref": "ConfigureApiGatewayLogging"}, "true"]
    }
    for name in ("ApiGatewayAccount", "ApiGatewayCloudWatchRole"):
        assert RESOURCES[name]["Condition"] == "SetApiGatewayAccount"


def test_custom_domains_are_optional_and_the_webhook_url_follows_the_apis() -> None:
    assert RESOURCES["ApiDomain"]["Condition"] == "HasApiDomain"
    assert RESOURCES["ApiDomainMapping"]["Properties"]["RestApiId"] == {"Ref": "Api"}
    webhook = TEMPLATE_DOC["Outputs"]["WebhookUrl"]["Value"]["If"]
    assert webhook[0] == "HasApiDomain" and webhook[1] == {"Sub": "https://${ApiDomainName}/billing/webhook"}
    distribution = RESOURCES["SiteDistribution"]["Properties"]["DistributionConfig"]
    assert distribution["Aliases"]["If"][1] == [{"Ref": "SiteDomainName"}]
    assert distribution["ViewerCertificate"]["If"][1]["MinimumProtocolVersion"] == "TLSv1.2_2021"


# ---- what API Gateway answers itself ----------------------------------------------------------------

TOKEN = "eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJ4In0.c2lnbmF0dXJl"
AUTHORIZERS = RESOURCES["Api"]["Properties"]["Auth"]["Authorizers"]


@pytest.mark.parametrize("name", sorted(AUTHORIZERS))
def test_the_token_shape_admits_exactly_bearer_space_jwt(name: str) -> None:
    """API Gateway matches the whole header against the expression (Java regex; ours uses nothing Python
    reads differently): every variant of one token is refused before it can be a new cache key."""
    expression = re.compile(AUTHORIZERS[name]["Identity"]["ValidationExpression"])
    assert expression.fullmatch(f"Bearer {TOKEN}")
    assert expression.fullmatch("Bearer a.b.c-_")
    for variant in (
        f"bearer {TOKEN}",
        f"BEARER {TOKEN}",
        f"BeArEr {TOKEN}",
        f"Bearer  {TOKEN}",
        f"Bearer\t{TOKEN}",
        f" Bearer {TOKEN}",
        f"Bearer {TOKEN} ",
        f"Bearer {TOKEN}\n",
        TOKEN,
        f"Bearer {TOKEN}=",
        f"Bearer {TOKEN}.x",
        "Bearer a..c",
        "Bearer a.b.",
        f"Token {TOKEN}",
        f"Bearer {TOKEN.replace('.', '+', 1)}",
    ):
        assert not expression.fullmatch(variant), repr(variant)


def _quoted(value: str) -> str:
    return json.dumps(value)


# How API Gateway renders each $context variable into a gateway response: messageString is the
# message as a JSON string, quotes included ("null" without one); the others are raw text.
CONTEXT = {
    "context.error.messageString": [_quoted('Invalid "key" = value\\ \u00e9'), "null", " " + _quoted("x")],
    "context.error.message": ["Missing Authentication Token"],
    "context.error.responseType": ["DEFAULT_4XX"],
    "context.requestId": ["c0ffee-1"],
    "context.resourcePath": ["/essays/{essayId}"],
    "context.stage": ["prod"],
}


def test_every_gateway_response_is_json_after_api_gateway_substitutes_its_variables() -> None:
    responses = RESOURCES["Api"]["Properties"]["GatewayResponses"]
    plans = TEMPLATE_DOC["Parameters"]["Plans"]["Default"]
    assert len(responses) >= 5
    for response_type, response in responses.items():
        template = response["ResponseTemplates"]["application/json"]
        if isinstance(template, dict):  # !Sub over the template's parameters
            template = template["Sub"].replace("${Plans}", plans)
        used = re.findall(r"\$(?:\{(context\.[\w.]+)\}|(context\.[\w.]+))", template)
        for name in {a or b for a, b in used}:
            assert name in CONTEXT, (response_type, name)
        for index in range(3):

            def value(match: re.Match[str], index: int = index) -> str:
                choices = CONTEXT[match.group(1) or match.group(2)]
                return choices[index % len(choices)]

            rendered = re.sub(r"\$(?:\{(context\.[\w.]+)\}|(context\.[\w.]+))", value, template)
            body = json.loads(rendered)
            assert set(body) == {"error"} and isinstance(body["error"]["message"], str | None), response_type
    default = responses["DEFAULT_4XX"]["ResponseTemplates"]["application/json"]
    assert json.loads(default.replace("$context.error.messageString", _quoted('a "b"')))["error"]["message"] == 'a "b"'


@needs_sam
def test_the_pages_function_url_and_the_distributions_permissions_are_the_aliass() -> None:
    """With AutoPublishAlias the function URL belongs to the alias: a permission on the bare function
    would not let CloudFront through it."""
    resources = transformed({})["Resources"]
    assert resources["PagesFunctionUrl"]["Properties"]["TargetFunctionArn"] == {"Ref": "PagesFunctionAliaslive"}
    for permission in ("PagesInvokePermission", "PagesInvokeThroughUrlPermission"):
        assert resources[permission]["Properties"]["FunctionName"] == {"Ref": "PagesFunctionAliaslive"}, permission
