"""Least privilege, read off template.yaml: what each function's role may do. The local emulator
does not enforce IAM, so these are the checks that the paywall also holds at the permission level."""

from __future__ import annotations

from typing import Any

from essays_cli.template import load_template

READ_CURSOR_KEY = ("CursorSecret", {"secretsmanager:GetSecretValue"}, None)
# function: the (table or secret, actions, key prefixes) its policy grants; nothing else
EXPECTED = {
    "PreviewFunction": [("EssaysTable", {"dynamodb:GetItem"}, {"ESSAY#*"})],
    "RelatedFunction": [("EssaysTable", {"dynamodb:GetItem"}, {"ESSAY#*"})],
    "SearchFunction": [
        ("EssaysTable", {"dynamodb:Query", "dynamodb:BatchGetItem"}, {"TERM#*", "ESSAY#*"}),
        READ_CURSOR_KEY,
    ],
    "SuggestFunction": [("EssaysTable", {"dynamodb:Query"}, {"SUGGEST#*"})],
    "SectionsFunction": [("EssaysTable", {"dynamodb:Query"}, {"TAXONOMY", "SECTION#*"}), READ_CURSOR_KEY],
    "EssayFunction": [("EssaysTable", {"dynamodb:GetItem"}, {"BODY#*"})],
    "AuthorizerFunction": [("SubscriptionsTable", {"dynamodb:GetItem"}, None)],
    "PlansFunction": [],
    "OpenApiFunction": [],
}


def _grants(function: dict[str, Any]) -> list[tuple[str, set[str], set[str] | None]]:
    grants = []
    for policy in function["Properties"].get("Policies") or []:
        assert set(policy) == {"Statement"}, "only inline statements: no managed or SAM policy templates"
        for statement in policy["Statement"]:
            assert statement["Effect"] == "Allow"
            actions = statement["Action"]
            resource = statement["Resource"]
            if resource == {"Ref": "CursorSecret"}:  # a secret's Ref is its ARN
                target = "CursorSecret"
            else:
                assert set(resource) == {"GetAtt"} and resource["GetAtt"].endswith(".Arn"), resource
                target = resource["GetAtt"].removesuffix(".Arn")
            condition = statement.get("Condition")
            prefixes = None
            if condition is not None:
                assert set(condition) == {"ForAllValues:StringLike"}
                prefixes = set(condition["ForAllValues:StringLike"]["dynamodb:LeadingKeys"])
            grants.append((target, set(actions if isinstance(actions, list) else [actions]), prefixes))
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
        for table, _, prefixes in _grants(resource)
        if table == "EssaysTable" and (prefixes is None or any(p.startswith(("BODY", "*")) for p in prefixes))
    }
    assert readers == {"EssayFunction"}


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
