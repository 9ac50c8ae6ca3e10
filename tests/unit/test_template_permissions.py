"""Least privilege, read off template.yaml: what each function's role may do. The local emulator
does not enforce IAM, so these are the checks that the paywall also holds at the permission level."""

from __future__ import annotations

from typing import Any

from essays_cli.template import load_template

READ_CURSOR_KEY = ("CursorSecret", {"secretsmanager:GetSecretValue"}, None)
CUSTOMER_AND_CHECKOUT = {"userId", "customerId", "checkout", "checkoutWindow", "checkoutRequests"}
LOADED = {"ESSAY#*", "BODY#*", "SECTION#*", "TERM#*", "SUGGEST#*", "TAXONOMY", "LOADER"}  # what a load writes
Grant = tuple[Any, ...]  # (table or secret, actions, key prefixes[, the only attributes it may write])
# function: the (table or secret, actions, key prefixes) its policy grants; nothing else
EXPECTED = {
    "PreviewFunction": [("EssaysTable", {"dynamodb:GetItem"}, {"ESSAY#*"})],
    "RelatedFunction": [("EssaysTable", {"dynamodb:GetItem"}, {"ESSAY#*"})],
    "SearchFunction": [
        ("EssaysTable", {"dynamodb:Query", "dynamodb:BatchGetItem"}, {"TERM#*", "ESSAY#*"}),
        READ_CURSOR_KEY,
    ],
    "SuggestFunction": [("EssaysTable", {"dynamodb:GetItem"}, {"SUGGEST#*"})],
    "SectionsFunction": [("EssaysTable", {"dynamodb:Query"}, {"TAXONOMY", "SECTION#*"}), READ_CURSOR_KEY],
    # the site's pages: the preview's, related list's, sections' and search's reads, never a body
    "PagesFunction": [
        ("EssaysTable", {"dynamodb:GetItem", "dynamodb:BatchGetItem"}, {"ESSAY#*"}),
        ("EssaysTable", {"dynamodb:Query"}, {"TAXONOMY", "SECTION#*", "TERM#*"}),
        READ_CURSOR_KEY,
    ],
    "EssayFunction": [
        ("EssaysTable", {"dynamodb:GetItem"}, {"BODY#*"}),
        ("MeterTable", {"dynamodb:UpdateItem"}, None),  # counts metered reads; cannot read subscriptions
    ],
    "AuthorizerFunction": [("SubscriptionsTable", {"dynamodb:GetItem"}, None)],
    "IdentityFunction": [],  # the signed-in authorizer verifies tokens and reads no data
    "BillingFunction": [
        ("SubscriptionsTable", {"dynamodb:GetItem"}, None),
        # the reader's one Stripe customer and open Checkout Session, no other attribute
        ("SubscriptionsTable", {"dynamodb:UpdateItem"}, None, CUSTOMER_AND_CHECKOUT),
        ("StripeSecretKey", {"secretsmanager:GetSecretValue"}, None),
    ],
    "MeFunction": [
        ("SubscriptionsTable", {"dynamodb:GetItem"}, None),
        ("SubscriptionsTable", {"dynamodb:UpdateItem"}, None, {"userId", "signedOutAt"}),  # sign out everywhere
        ("MeterTable", {"dynamodb:GetItem"}, None),
    ],
    "WebhookFunction": [
        ("SubscriptionsTable", {"dynamodb:GetItem", "dynamodb:UpdateItem"}, None),
        ("BillingTable", {"dynamodb:GetItem", "dynamodb:PutItem"}, {"EVENT#*", "CUSTOMER#*"}),
        ("StripeWebhookSecret", {"secretsmanager:GetSecretValue"}, None),
    ],
    "PlansFunction": [],
    # the user pool's sign-up triggers: claimed e-mail addresses only, never a reader's meter
    "SignUpFunction": [("MeterTable", {"dynamodb:GetItem", "dynamodb:PutItem"}, {"ADDRESS#*"})],
    "SessionFunction": [],  # the site's sign-in: the user pool's token endpoint only, no data
    "OpenApiFunction": [],
    # contributors (issue 34): their submissions, the taxonomy to choose a section from, the uploads
    # bucket (the only reader: it signs the presigned POST, reads and deletes each upload once)
    "SubmissionsFunction": [
        ("SubmissionsTable", {"dynamodb:GetItem", "dynamodb:PutItem"}, {"SUBMISSION#*"}),
        ("SubmissionsTable/index/contributor", {"dynamodb:Query"}, None),
        ("EssaysTable", {"dynamodb:Query"}, {"TAXONOMY"}),
        ("UploadsBucket/uploads/*", {"s3:PutObject", "s3:GetObject", "s3:DeleteObject"}, None),
        READ_CURSOR_KEY,
    ],
    # teachers: the submissions and their queue; publishing is a load (reads never a body, writes what a
    # load writes); the contributor's earned free essays, no other attribute of their account
    "ReviewFunction": [
        ("SubmissionsTable", {"dynamodb:GetItem", "dynamodb:PutItem"}, {"SUBMISSION#*"}),
        ("SubmissionsTable/index/queue", {"dynamodb:Query"}, None),
        ("EssaysTable", {"dynamodb:Query", "dynamodb:BatchGetItem"}, {"ESSAY#*", "SECTION#*", "TAXONOMY", "LOADER"}),
        ("EssaysTable", {"dynamodb:BatchWriteItem"}, LOADED),
        ("SubscriptionsTable", {"dynamodb:UpdateItem"}, None, {"userId", "earnedEssays", "earnedAt"}),
        READ_CURSOR_KEY,
    ],
}


def _grants(function: dict[str, Any]) -> list[Grant]:
    grants: list[Grant] = []
    for policy in function["Properties"].get("Policies") or []:
        assert set(policy) == {"Statement"}, "only inline statements: no managed or SAM policy templates"
        for statement in policy["Statement"]:
            assert statement["Effect"] == "Allow"
            actions = statement["Action"]
            resource = statement["Resource"]
            if set(resource) == {"Ref"}:  # a secret (its Ref is its ARN)
                assert actions == "secretsmanager:GetSecretValue", statement
                grants.append((resource["Ref"], {actions}, None))
                continue
            if set(resource) == {"Sub"}:  # an index of a table, or a bucket's objects: "${X.Arn}/..."
                assert resource["Sub"].startswith("${") and ".Arn}/" in resource["Sub"], resource
                target = resource["Sub"][2:].replace(".Arn}", "", 1)
                grants.append((target, set(actions if isinstance(actions, list) else [actions]), None))
                assert "Condition" not in statement
                continue
            assert set(resource) == {"GetAtt"} and resource["GetAtt"].endswith(".Arn"), resource
            condition = statement.get("Condition")
            prefixes = attributes = None
            if condition is not None and "ForAllValues:StringEquals" in condition:
                assert set(condition) == {"ForAllValues:StringEquals", "StringEqualsIfExists"}, condition
                attributes = set(condition["ForAllValues:StringEquals"]["dynamodb:Attributes"])
                # ReturnValues ALL_OLD / ALL_NEW would read back attributes outside the list
                assert set(condition["StringEqualsIfExists"]["dynamodb:ReturnValues"]) <= {
                    "NONE",
                    "UPDATED_OLD",
                    "UPDATED_NEW",
                }
            elif condition is not None:
                assert set(condition) == {"ForAllValues:StringLike"}
                prefixes = set(condition["ForAllValues:StringLike"]["dynamodb:LeadingKeys"])
            table = resource["GetAtt"].removesuffix(".Arn")
            grant = (table, set(actions if isinstance(actions, list) else [actions]), prefixes)
            grants.append(grant if attributes is None else (*grant, attributes))
    return grants


def test_each_function_may_do_only_what_its_route_needs() -> None:
    resources = load_template()["Resources"]
    functions = {k: v for k, v in resources.items() if v["Type"] == "AWS::Serverless::Function"}
    assert set(functions) == set(EXPECTED)
    for name, function in functions.items():
        assert _grants(function) == EXPECTED[name], name


def test_only_the_essay_function_can_read_essay_bodies() -> None:
    resources = load_template()["Resources"]
    readers = {
        name
        for name, resource in resources.items()
        if resource["Type"] == "AWS::Serverless::Function"
        for table, actions, prefixes, *_ in _grants(resource)
        if table == "EssaysTable"
        and actions - {"dynamodb:BatchWriteItem"}  # writing a body (publishing) reads nothing back
        and (prefixes is None or any(p.startswith(("BODY", "*")) for p in prefixes))
    }
    assert readers == {"EssayFunction"}


def test_only_the_submissions_and_review_functions_touch_submissions_and_uploads() -> None:
    touching: dict[str, set[str]] = {"SubmissionsTable": set(), "UploadsBucket": set()}
    resources = load_template()["Resources"]
    for function, resource in resources.items():
        if resource["Type"] == "AWS::Serverless::Function":
            for target, *_ in _grants(resource):
                if target.split("/")[0] in touching:
                    touching[target.split("/")[0]].add(function)
    assert touching == {
        "SubmissionsTable": {"SubmissionsFunction", "ReviewFunction"},
        "UploadsBucket": {"SubmissionsFunction"},  # the only reader of the uploads
    }
    bucket = resources["UploadsBucket"]["Properties"]
    assert all(bucket["PublicAccessBlockConfiguration"].values())
    (rule,) = bucket["LifecycleConfiguration"]["Rules"]
    assert (rule["Prefix"], rule["ExpirationInDays"]) == ("uploads/", 1)


def _who_touches(name: str) -> set[str]:
    resources = load_template()["Resources"]
    return {
        function
        for function, resource in resources.items()
        if resource["Type"] == "AWS::Serverless::Function"
        for target, *_ in _grants(resource)
        if target == name
    }


def test_content_functions_cannot_read_subscriptions_and_the_authorizers_cannot_read_essays() -> None:
    assert _who_touches("SubscriptionsTable") == {
        "AuthorizerFunction",
        "BillingFunction",
        "MeFunction",
        "WebhookFunction",
        "ReviewFunction",  # credits a contributor's earned essays, no other attribute (EXPECTED)
    }
    assert _who_touches("EssaysTable").isdisjoint({"AuthorizerFunction", "IdentityFunction"})


def test_only_the_webhook_writes_subscriptions_and_touches_the_billing_table() -> None:
    resources = load_template()["Resources"]
    writers = {
        function
        for function, resource in resources.items()
        if resource["Type"] == "AWS::Serverless::Function"
        for target, actions, _, *attributes in _grants(resource)
        if target == "SubscriptionsTable" and actions - {"dynamodb:GetItem"} and not attributes
    }
    assert writers == {"WebhookFunction"}  # billing writes only its customer and checkout attributes
    assert _who_touches("BillingTable") == {"WebhookFunction"}


def test_each_stripe_secret_is_readable_by_one_function() -> None:
    assert _who_touches("StripeSecretKey") == {"BillingFunction"}
    assert _who_touches("StripeWebhookSecret") == {"WebhookFunction"}


def test_no_function_configuration_holds_a_secret_value() -> None:
    """GetFunctionConfiguration shows environment variables to anyone allowed to read them: they
    name secrets (by ARN), never resolve them."""
    resources = load_template()["Resources"]
    for name, resource in resources.items():
        if resource["Type"] != "AWS::Serverless::Function":
            continue
        variables = (resource["Properties"].get("Environment") or {}).get("Variables") or {}
        assert "resolve:" not in str(variables), name
        if name in ("SearchFunction", "SectionsFunction"):
            assert variables["CURSOR_SECRET_ARN"] == {"Ref": "CursorSecret"}
    assert "resolve:secretsmanager" not in str(load_template()["Globals"])


def test_only_the_essay_function_writes_the_meter_and_only_me_reads_it() -> None:
    resources = load_template()["Resources"]
    grants = {
        function: actions
        for function, resource in resources.items()
        if resource["Type"] == "AWS::Serverless::Function"
        for target, actions, *_ in _grants(resource)
        if target == "MeterTable"
    }
    assert grants == {
        "EssayFunction": {"dynamodb:UpdateItem"},
        "MeFunction": {"dynamodb:GetItem"},
        "SignUpFunction": {"dynamodb:GetItem", "dynamodb:PutItem"},  # ADDRESS# items only (EXPECTED)
    }
    meter = resources["MeterTable"]["Properties"]
    assert meter["TimeToLiveSpecification"] == {"AttributeName": "expiresAt", "Enabled": True}
