"""template.yaml is the one source of the routes: the local server serves exactly its routes,
each handled by the function folder the template names."""

from __future__ import annotations

from http import HTTPStatus
from typing import Any

from essays_cli.devserver import LocalGateway, _event
from essays_cli.template import api_routes, load_template

from tests.conftest import ROOT, body_of

SPEC_ROUTES = {
    ("GET", "/essays/{essayId}"),
    ("GET", "/essays/{essayId}/preview"),
    ("GET", "/essays/{essayId}/related"),
    ("GET", "/search"),
    ("GET", "/sections"),
    ("GET", "/sections/{sectionId}/essays"),
    ("GET", "/plans"),
    ("GET", "/openapi.json"),
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


def test_the_local_gateway_serves_each_template_route_with_its_handler(library: str, context: Any) -> None:
    gateway = LocalGateway(api_routes())
    examples = {
        "/essays/stalin-rise-to-power/preview": HTTPStatus.OK,
        "/essays/stalin-rise-to-power/related?limit=2": HTTPStatus.OK,
        "/search?q=stalin": HTTPStatus.OK,
        "/sections": HTTPStatus.OK,
        "/sections/gcse--english--poetry/essays": HTTPStatus.OK,
        "/plans": HTTPStatus.OK,
        "/openapi.json": HTTPStatus.OK,
    }
    for url, status in examples.items():
        found = gateway.find("GET", url.split("?")[0])
        assert found is not None, url
        route, params = found
        response = gateway.handler_of(route)(_event(route, params, "GET", url, {"Accept": "application/json"}), context)
        assert response["statusCode"] == status, (url, body_of(response))
    assert gateway.find("GET", "/essays") is None
    assert gateway.find("POST", "/plans") is None


def test_only_the_full_essay_route_sits_behind_the_authorizer() -> None:
    protected = {r.path for r in api_routes() if r.authorizer}
    assert protected == {"/essays/{essayId}"}


def test_the_local_gateway_refuses_the_full_essay_without_a_token(library: str) -> None:
    gateway = LocalGateway(api_routes())
    route, params = gateway.find("GET", "/essays/stalin-rise-to-power") or (None, {})
    assert route is not None and route.authorizer
    response = gateway.invoke(route, _event(route, params, "GET", "/essays/stalin-rise-to-power", {}))
    assert response["statusCode"] == HTTPStatus.UNAUTHORIZED
    assert body_of(response)["error"]["code"] == "unauthorized"
    assert response["headers"]["Access-Control-Allow-Origin"]


def test_the_openapi_document_matches_the_code_and_is_served(context: Any) -> None:
    from essays_cli.openapi import DOCUMENT, render

    from functions.openapi import app as openapi_app

    assert DOCUMENT.read_text(encoding="utf-8") == render(), "run `make openapi` and commit the result"
    response = openapi_app.handler(api_event_for("/openapi.json"), context)
    document = body_of(response)
    assert response["statusCode"] == HTTPStatus.OK
    assert document["openapi"].startswith("3.")
    assert {path for path in document["paths"]} == {route.path for route in api_routes()}
    assert document["paths"]["/essays/{essayId}"]["get"]["security"] == [{"bearer": []}]


def api_event_for(path: str) -> dict[str, Any]:
    route = next(r for r in api_routes() if r.path == path)
    return _event(route, {}, "GET", path, {"Accept": "application/json"})
