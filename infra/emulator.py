"""Runs ministack, the local AWS emulator of `make dev`, with what its OpenAPI import lacks.

Runs under .venv-ministack's Python (never the application's environment). `sam deploy` hands
CloudFormation a REST API whose routes, CORS preflights and gateway responses are all in an OpenAPI
body. ministack 1.5.33 imports the methods, Lambda integrations and authorizers of such a body but
drops three things API Gateway's import keeps; without them the local API would answer preflights
without CORS headers and authorizer denials with API Gateway's default bodies instead of ours:

- `x-amazon-apigateway-gateway-responses` (our JSON 401/403/404/429 bodies and their CORS headers);
- the integration's `requestTemplates` and `responses` (what a MOCK integration, CORS preflight, returns);
- the operation's `responses` (the method responses those integration responses map onto).

This module puts them in with ministack's own control-plane functions, at import time, exactly as
the body states them, then starts ministack as its `ministack` command does.

It also finds a method's own throttling settings under the key API Gateway and CloudFormation give
them, the path with its slashes written `~1` (`/~1billing~1webhook/POST`): ministack 1.5.33 looks
them up under the plain path only, so every method fell back to the stage-wide limits.
"""

from __future__ import annotations

import sys
from typing import Any

from ministack.app import main
from ministack.services import apigateway_v1 as apigateway

_import_rest_api = apigateway._import_rest_api
_import_operation = apigateway._import_operation


def import_rest_api(spec: dict[str, Any], base_data: dict[str, Any] | None = None) -> str:
    api_id: str = _import_rest_api(spec, base_data)
    for response_type, response in (spec.get("x-amazon-apigateway-gateway-responses") or {}).items():
        apigateway._put_gateway_response(api_id, response_type, response)
    return api_id


def import_operation(
    api_id: str, resource_id: str, http_method: str, operation: dict[str, Any], *args: Any, **kwargs: Any
) -> None:
    _import_operation(api_id, resource_id, http_method, operation, *args, **kwargs)
    for status, response in (operation.get("responses") or {}).items():
        headers = {f"method.response.header.{name}": False for name in (response or {}).get("headers") or {}}
        apigateway._put_method_response(api_id, resource_id, http_method, str(status), {"responseParameters": headers})
    integration = operation.get("x-amazon-apigateway-integration") or {}
    if not integration:
        return
    method = apigateway._resources[api_id][resource_id]["resourceMethods"][http_method]
    method["methodIntegration"]["requestTemplates"] = dict(integration.get("requestTemplates") or {})
    for pattern, response in (integration.get("responses") or {}).items():
        apigateway._put_integration_response(
            api_id,
            resource_id,
            http_method,
            str(response["statusCode"]),
            {
                "selectionPattern": "" if pattern == "default" else pattern,
                "responseParameters": response.get("responseParameters") or {},
                "responseTemplates": response.get("responseTemplates") or {},
            },
        )


_method_throttle_settings = apigateway._method_throttle_settings


def method_throttle_settings(stage: dict[str, Any], resource_path: str, http_method: str) -> Any:
    settings = stage.get("methodSettings") or {}
    encoded = resource_path.replace("~", "~0").replace("/", "~1")  # RFC 6901, as API Gateway keys them
    for key in (f"{encoded}/{http_method}", f"/{encoded}/{http_method}"):
        entry = settings.get(key)
        if isinstance(entry, dict) and ("throttlingRateLimit" in entry or "throttlingBurstLimit" in entry):
            return entry
    return _method_throttle_settings(stage, resource_path, http_method)


apigateway._import_rest_api = import_rest_api
apigateway._import_operation = import_operation
apigateway._method_throttle_settings = method_throttle_settings

if __name__ == "__main__":
    sys.exit(main())
