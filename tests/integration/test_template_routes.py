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
}


def test_the_template_declares_the_public_routes_of_the_spec() -> None:
    assert {(r.method, r.path) for r in api_routes()} >= SPEC_ROUTES


def test_every_function_has_its_own_folder_and_log_group() -> None:
    resources = load_template()["Resources"]
    functions = {k: v for k, v in resources.items() if v["Type"] == "AWS::Serverless::Function"}
    for logical_id, function in functions.items():
        assert (ROOT / function["Properties"]["CodeUri"] / "app.py").is_file(), logical_id
        assert f"{logical_id}LogGroup" in resources


def test_the_local_gateway_serves_each_template_route_with_its_handler(library: str, context: Any) -> None:
    gateway = LocalGateway(api_routes())
    examples = {
        "/essays/stalin-rise-to-power/preview": HTTPStatus.OK,
        "/essays/stalin-rise-to-power/related?limit=2": HTTPStatus.OK,
        "/search?q=stalin": HTTPStatus.OK,
        "/sections": HTTPStatus.OK,
        "/sections/gcse--english--poetry/essays": HTTPStatus.OK,
        "/plans": HTTPStatus.OK,
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
