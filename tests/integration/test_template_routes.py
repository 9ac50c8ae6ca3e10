"""template.yaml is the one source of the routes (the local stack deploys it as it is): each route
is handled by the function folder the template names."""

from __future__ import annotations

import importlib
from http import HTTPStatus
from typing import Any

from essays_cli.template import api_routes, load_template

from tests.conftest import ROOT, api_event, body_of

SPEC_ROUTES = {
    ("GET", "/essays/{essayId}"),
    ("GET", "/essays/{essayId}/preview"),
    ("GET", "/essays/{essayId}/related"),
    ("GET", "/search"),
    ("GET", "/search/suggest"),
    ("GET", "/sections"),
    ("GET", "/sections/{sectionId}/essays"),
    ("GET", "/plans"),
    ("GET", "/openapi.json"),
    ("POST", "/checkout"),
    ("POST", "/billing/portal"),
    ("GET", "/me/subscription"),
    ("POST", "/billing/webhook"),
}


def test_the_template_declares_the_public_routes_of_the_spec() -> None:
    assert {(r.method, r.path) for r in api_routes()} >= SPEC_ROUTES


def test_every_function_has_its_own_folder_log_group_and_build() -> None:
    resources = load_template()["Resources"]
    functions = {k: v for k, v in resources.items() if v["Type"] == "AWS::Serverless::Function"}
    for logical_id, function in functions.items():
        module_path, _ = function["Properties"]["Handler"].rsplit(".", 1)
        assert (ROOT / f"{module_path}.py").is_file(), logical_id
        # the Makefile's build-<Name>Function rule finds the folder from the logical id
        assert module_path == f"functions/{logical_id.removesuffix('Function').lower()}/app", logical_id
        assert function["Properties"]["LoggingConfig"]["LogGroup"] == {"Ref": f"{logical_id}LogGroup"}
        assert function["Metadata"]["BuildMethod"] == "makefile"


def test_each_template_route_is_answered_by_the_handler_it_names(library: str, context: Any) -> None:
    examples = {  # route: its recorded event, path parameters, query
        "/essays/{essayId}/preview": ("preview", {"essayId": "stalin-rise-to-power"}, {}),
        "/essays/{essayId}/related": ("related", {"essayId": "stalin-rise-to-power"}, {"limit": "2"}),
        "/search": ("search", None, {"q": "stalin"}),
        "/search/suggest": ("suggest", None, {"q": "stalin ri"}),
        "/sections": ("sections", None, {}),
        "/sections/{sectionId}/essays": ("section_essays", {"sectionId": "gcse--english--poetry"}, {}),
        "/plans": ("plans", None, {}),
        "/openapi.json": ("openapi", None, {}),
    }
    for route in api_routes():
        if route.authorizer or route.path == "/billing/webhook":  # signed events: tests/integration/test_billing.py
            continue
        name, path_parameters, query = examples[route.path]
        handler = getattr(importlib.import_module(route.module), route.function_name)
        event = api_event(name, path_parameters=path_parameters, query=query)
        assert event["resource"] == route.path
        response = handler(event, context)
        assert response["statusCode"] == HTTPStatus.OK, (route.path, body_of(response))


SUBMISSION_ROUTES = [
    ("POST", "/me/submissions/uploads"),
    ("POST", "/me/submissions"),
    ("GET", "/me/submissions"),
    ("GET", "/me/submissions/{submissionId}"),
    ("DELETE", "/me/submissions/{submissionId}"),
    ("GET", "/review/queue"),
    ("GET", "/review/submissions/{submissionId}"),
    ("POST", "/review/submissions/{submissionId}/claim"),
    ("POST", "/review/submissions/{submissionId}/annotations"),
    ("DELETE", "/review/submissions/{submissionId}/annotations/{index}"),
    ("PUT", "/review/submissions/{submissionId}/assessment"),
    ("POST", "/review/submissions/{submissionId}/publish"),
    ("POST", "/review/submissions/{submissionId}/return"),
    ("POST", "/review/submissions/{submissionId}/reject"),
]


def test_each_route_sits_behind_the_authorizer_it_needs() -> None:
    """The subscription check guards the full essay only; the billing routes need a signed-in reader,
    subscriber or not (a subscription check there would lock non-subscribers out of paying); the
    webhook has no authorizer: Stripe's signature is its credential."""
    guarded = {(r.method, r.path): r.authorizer for r in api_routes() if r.authorizer}
    assert guarded == {
        ("GET", "/essays/{essayId}"): "SubscriberAuthorizer",
        ("POST", "/checkout"): "SignedInAuthorizer",
        ("POST", "/billing/portal"): "SignedInAuthorizer",
        ("GET", "/me/subscription"): "SignedInAuthorizer",
        ("POST", "/me/signout"): "SignedInAuthorizer",
        # contributors' own submissions, and the teachers' review (the review function refuses non-teachers)
        **{(method, path): "SignedInAuthorizer" for method, path in SUBMISSION_ROUTES},
    }
    authorizers = load_template()["Resources"]["Api"]["Properties"]["Auth"]["Authorizers"]
    # each through its alias, the version CodeDeploy has shifted traffic to
    assert authorizers["SubscriberAuthorizer"]["FunctionArn"] == {"Ref": "AuthorizerFunction.Alias"}
    assert authorizers["SignedInAuthorizer"]["FunctionArn"] == {"Ref": "IdentityFunction.Alias"}


def test_the_openapi_document_matches_the_code_and_is_served(context: Any) -> None:
    from essays_cli.openapi import DOCUMENT, render

    from functions.openapi import app as openapi_app

    assert DOCUMENT.read_text(encoding="utf-8") == render(), "run `make openapi` and commit the result"
    response = openapi_app.handler(api_event("openapi"), context)
    document = body_of(response)
    assert response["statusCode"] == HTTPStatus.OK
    assert document["openapi"].startswith("3.")
    assert {path for path in document["paths"]} == {route.path for route in api_routes()}
    assert document["paths"]["/essays/{essayId}"]["get"]["security"] == [{"bearerJwt": []}]
    assert document["paths"]["/essays/{essayId}/preview"]["get"]["security"] == []
    operation_ids = [op["operationId"] for item in document["paths"].values() for op in item.values()]
    assert len(set(operation_ids)) == len(operation_ids) == len(api_routes())
    # A new submission links to every operation on one submission, by its real id.
    links = document["paths"]["/me/submissions"]["post"]["responses"]["201"]["links"]
    on_one_submission = {
        op["operationId"]
        for path, item in document["paths"].items()
        if "{submissionId}" in path
        for op in item.values()
    }
    assert set(links) == on_one_submission and len(on_one_submission) == 10
    assert {link["parameters"]["submissionId"] for link in links.values()} == {"$response.body#/submissionId"}
    submission_id = document["components"]["schemas"]["MySubmission"]["properties"]["submissionId"]
    assert submission_id["type"] == "string"
