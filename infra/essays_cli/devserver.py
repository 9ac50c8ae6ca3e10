"""essays-dev: the whole API on localhost, no AWS account and no Docker.

An embedded DynamoDB (moto's server) on 127.0.0.1, the table created from template.yaml,
the sample essays loaded with the real loader, and an HTTP front that serves exactly the
routes template.yaml declares by calling the real handlers with API Gateway proxy events.
"""

from __future__ import annotations

import argparse
import importlib
import json
import logging
import os
import re
import secrets
import signal
import sys
import threading
import time
import uuid
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, unquote, urlsplit

from essays_cli.template import Route, api_routes, gateway_responses, table_definition

ROOT = Path(__file__).resolve().parents[2]
TABLE = "essays-local"
SUBSCRIPTIONS_TABLE = "subscriptions-local"
CLIENT_ID = "local-web-client"
SUBSCRIBER, LAPSED = "local-subscriber", "local-lapsed-reader"
ISSUER_PATH = "/local-issuer"
AUTHORIZER_HANDLER = "functions/authorizer/app.handler"


def _environment(dynamodb_url: str, issuer: str) -> None:
    os.environ.update(
        TOKEN_ISSUER=issuer,
        TOKEN_AUDIENCE=CLIENT_ID,
        TOKEN_USE="access",
        JWKS_URL=f"{issuer}/.well-known/jwks.json",
        SUBSCRIPTIONS_TABLE=SUBSCRIPTIONS_TABLE,
        AWS_ACCESS_KEY_ID="local",
        AWS_SECRET_ACCESS_KEY="local",
        AWS_DEFAULT_REGION="eu-west-2",
        AWS_ENDPOINT_URL_DYNAMODB=dynamodb_url,
        ESSAYS_TABLE=TABLE,
        CURSOR_SECRET=secrets.token_urlsafe(32),
        CORS_ALLOW_ORIGIN="*",
        POWERTOOLS_SERVICE_NAME="essay-library-local",
        POWERTOOLS_METRICS_NAMESPACE="EssayLibraryLocal",
        POWERTOOLS_TRACE_DISABLED="true",
        POWERTOOLS_METRICS_DISABLED="true",
        LOG_LEVEL="WARNING",
    )


def _matcher(route: Route) -> re.Pattern[str]:
    pattern = re.sub(r"\{(\w+)\}", r"(?P<\1>[^/]+)", route.path)
    return re.compile(f"^{pattern}$")


class LocalIssuer:
    """Stands in for Cognito: an RSA key, its JWKS, and access tokens for the local users."""

    def __init__(self, url: str) -> None:
        from cryptography.hazmat.primitives.asymmetric import rsa

        self.url = url
        self._key = rsa.generate_private_key(public_exponent=65537, key_size=2048)

    def jwks(self) -> dict[str, Any]:
        import jwt

        jwk = json.loads(jwt.algorithms.RSAAlgorithm.to_jwk(self._key.public_key()))
        return {"keys": [{**jwk, "kid": "local-1", "use": "sig", "alg": "RS256"}]}

    def token(self, user: str, hours: int = 12) -> str:
        import jwt

        now = int(time.time())
        claims = {
            "sub": user,
            "iss": self.url,
            "client_id": CLIENT_ID,
            "token_use": "access",
            "iat": now,
            "exp": now + hours * 3600,
            "username": user,
        }
        return jwt.encode(claims, self._key, algorithm="RS256", headers={"kid": "local-1"})


class JwksServer:
    """A JWKS endpoint on 127.0.0.1 (for the benchmark and the authorizer's tests): serves
    `document`, which may be replaced at any time, and counts the requests."""

    def __init__(self, document: dict[str, Any] | None = None) -> None:
        self.document: dict[str, Any] = document or {"keys": []}
        self.requests = 0
        owner = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                owner.requests += 1
                data = json.dumps(owner.document).encode()
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.end_headers()
                self.wfile.write(data)

            def log_message(self, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.base = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.url = f"{self.base}/.well-known/jwks.json"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def stop(self) -> None:
        self.server.shutdown()


class LocalGateway:
    """Routes as template.yaml declares them, the authorizer in front of the routes that name it,
    and API Gateway's own error responses as the template defines them."""

    def __init__(self, routes: list[Route], issuer: LocalIssuer | None = None) -> None:
        self.issuer = issuer
        self.errors = gateway_responses()
        self.routes = [(route, _matcher(route)) for route in routes]
        self.handlers: dict[str, Callable[[dict[str, Any], Any], dict[str, Any]]] = {}
        self.lock = threading.Lock()

    def handler_of(self, route: Route) -> Callable[[dict[str, Any], Any], dict[str, Any]]:
        with self.lock:
            return self._load(route)

    def _load(self, route: Route) -> Callable[[dict[str, Any], Any], dict[str, Any]]:
        if route.function not in self.handlers:
            module = importlib.import_module(route.module)
            self.handlers[route.function] = getattr(module, route.function_name)
        return self.handlers[route.function]

    def find(self, method: str, path: str) -> tuple[Route, dict[str, str]] | None:
        for route, pattern in self.routes:
            match = pattern.match(path)
            if match and route.method == method:
                # API Gateway hands functions their path parameters percent-decoded
                return route, {name: unquote(value) for name, value in match.groupdict().items()}
        return None

    def paths(self) -> set[str]:
        return {route.path for route, _ in self.routes}

    def _gateway_error(self, kind: str, status: int) -> dict[str, Any]:
        configured_status, body = self.errors.get(kind, (status, ""))
        headers = {"Content-Type": "application/json", "Access-Control-Allow-Origin": "*", "Cache-Control": "no-store"}
        return {"statusCode": configured_status or status, "headers": headers, "body": body}

    def invoke(self, route: Route, event: dict[str, Any]) -> dict[str, Any]:
        """What API Gateway does with a request: authorize if the route says so, then call the function."""
        if route.authorizer:
            authorization = next((v for k, v in event["headers"].items() if k.lower() == "authorization"), None)
            if not authorization:
                return self._gateway_error("UNAUTHORIZED", 401)
            authorizer = self.handler_of(Route("GET", "", "AuthorizerFunction", AUTHORIZER_HANDLER, None))
            method_arn = f"arn:aws:execute-api:eu-west-2:000000000000:local/local/GET{event['path']}"
            try:
                decision = authorizer(
                    {"type": "TOKEN", "authorizationToken": authorization, "methodArn": method_arn}, _Context()
                )
            except Exception as error:
                if str(error) == "Unauthorized":
                    return self._gateway_error("UNAUTHORIZED", 401)
                return self._gateway_error("DEFAULT_5XX", 500)
            if decision["policyDocument"]["Statement"][0]["Effect"] != "Allow":
                return self._gateway_error("ACCESS_DENIED", 403)
            event["requestContext"]["authorizer"] = {
                "principalId": decision["principalId"],
                **decision.get("context", {}),
            }
        return self.handler_of(route)(event, _Context())


def _event(route: Route, params: dict[str, str], method: str, url: str, headers: dict[str, str]) -> dict[str, Any]:
    parts = urlsplit(url)
    query = dict(parse_qsl(parts.query, keep_blank_values=True))
    return {
        "resource": route.path,
        "path": parts.path,
        "httpMethod": method,
        "headers": headers,
        "multiValueHeaders": {k: [v] for k, v in headers.items()},
        "queryStringParameters": query or None,
        "multiValueQueryStringParameters": {k: [v] for k, v in query.items()} or None,
        "pathParameters": params or None,
        "stageVariables": None,
        "requestContext": {
            "resourcePath": route.path,
            "httpMethod": method,
            "path": "/local" + parts.path,
            "stage": "local",
            "requestId": str(uuid.uuid4()),
            "requestTimeEpoch": int(time.time() * 1000),
            "identity": {"sourceIp": "127.0.0.1"},
        },
        "body": None,
        "isBase64Encoded": False,
    }


class _Context:
    function_name = "local"
    memory_limit_in_mb = 512
    invoked_function_arn = "arn:aws:lambda:eu-west-2:000000000000:function:local"
    aws_request_id = "local"

    @staticmethod
    def get_remaining_time_in_millis() -> int:
        return 6000


def _http_handler(gateway: LocalGateway) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def _send(self, status: int, headers: dict[str, str], body: str) -> None:
            data = body.encode("utf-8")
            self.send_response(status)
            for key, value in headers.items():
                self.send_header(key, value)
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def _no_route(self) -> None:
            status, body = gateway.errors["MISSING_AUTHENTICATION_TOKEN"]
            body = body.replace("$context.httpMethod", self.command).replace("$context.path", urlsplit(self.path).path)
            headers = {
                "Content-Type": "application/json",
                "Access-Control-Allow-Origin": "*",
                "Cache-Control": "no-store",
            }
            self._send(status or 404, headers, "" if self.command == "HEAD" else body)

        def __getattr__(self, name: str) -> Any:
            # Any method the API does not declare (POST, TRACE, QUERY...) gets API Gateway's answer.
            if name.startswith("do_"):
                return self._no_route
            raise AttributeError(name)

        def do_GET(self) -> None:
            path = urlsplit(self.path).path
            if gateway.issuer and path == f"{ISSUER_PATH}/.well-known/jwks.json":
                self._send(200, {"Content-Type": "application/json"}, json.dumps(gateway.issuer.jwks()))
                return
            found = gateway.find("GET", path)
            if found is None:
                self._no_route()
                return
            route, params = found
            event = _event(route, params, "GET", self.path, dict(self.headers.items()))
            response = gateway.invoke(route, event)
            self._send(response["statusCode"], response.get("headers") or {}, response.get("body") or "")

        def do_OPTIONS(self) -> None:
            self._send(
                204,
                {
                    "Access-Control-Allow-Origin": "*",
                    "Access-Control-Allow-Methods": "GET,OPTIONS",
                    "Access-Control-Allow-Headers": "Authorization,Content-Type,If-None-Match",
                    "Access-Control-Max-Age": "600",
                },
                "",
            )

        def log_message(self, format: str, *args: Any) -> None:
            sys.stderr.write(f"{self.command} {self.path} -> {args[1] if len(args) > 1 else ''}\n")

    return Handler


def _create_readers(dynamodb: Any) -> None:
    from datetime import UTC, datetime

    from shared.store.subscriptions import SubscriptionStore
    from shared.subscriptions import Status, Subscription

    now = datetime.now(UTC).replace(microsecond=0)
    store = SubscriptionStore(SUBSCRIPTIONS_TABLE, dynamodb)
    store.put(Subscription.for_days(SUBSCRIBER, "Monthly", Status.ACTIVE, 30, now))
    store.put(Subscription.for_days(LAPSED, "Monthly", Status.CANCELED, -3, now))


def _stop(signum: int, frame: Any) -> None:
    raise KeyboardInterrupt  # `make dev-down` (SIGTERM) stops as cleanly as Ctrl-C


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="essays-dev", description="Run the essay API locally.")
    parser.add_argument("--port", type=int, default=3000)
    parser.add_argument("--dynamodb-port", type=int, default=0, help="0 picks a free port")
    parser.add_argument("--state-file", type=Path, help="write apiUrl, region and the readers' tokens here (JSON)")
    args = parser.parse_args(argv)

    import boto3
    from moto.server import ThreadedMotoServer

    logging.getLogger("werkzeug").setLevel(logging.ERROR)  # the emulator's request log
    sys.path.insert(0, str(ROOT))  # the functions/ folders, as `sam build` packages them

    from essays_cli import seed

    try:
        server = ThreadingHTTPServer(("127.0.0.1", args.port), BaseHTTPRequestHandler)
    except OSError as error:
        print(f"essays-dev: cannot listen on 127.0.0.1:{args.port} ({error.strerror}); try --port", file=sys.stderr)
        return 2
    base = f"http://127.0.0.1:{server.server_address[1]}"
    issuer = LocalIssuer(base + ISSUER_PATH)

    emulator = ThreadedMotoServer(ip_address="127.0.0.1", port=args.dynamodb_port, verbose=False)
    emulator.start()
    host, port = emulator.get_host_and_port()
    dynamodb_url = f"http://{host}:{port}"
    _environment(dynamodb_url, issuer.url)
    dynamodb = boto3.client("dynamodb")
    dynamodb.create_table(TableName=TABLE, **table_definition("EssaysTable"))
    dynamodb.create_table(TableName=SUBSCRIPTIONS_TABLE, **table_definition("SubscriptionsTable"))
    samples = sorted(str(p) for p in (ROOT / "samples" / "essays").glob("*.*"))
    if seed.main(["load", *samples, "--table", TABLE]) != 0:
        emulator.stop()
        return 1
    _create_readers(dynamodb)

    gateway = LocalGateway(api_routes(), issuer)
    server.RequestHandlerClass = _http_handler(gateway)
    subscriber, lapsed = issuer.token(SUBSCRIBER), issuer.token(LAPSED)
    print(f"\nThe essay API is up at {base} (DynamoDB emulator at {dynamodb_url}). Try:\n")
    for example in (
        "/essays/stalin-rise-to-power/preview",
        "/essays/stalin-rise-to-power/related?limit=3",
        "/search?q=revolution%20causes",
        "/sections",
        "/plans",
    ):
        print(f"  curl -s '{base}{example}'")
    print("\nFull essays need a subscriber's token (valid 12 hours):\n")
    print(f"  SUBSCRIBER_TOKEN={subscriber}")
    print(f"  LAPSED_TOKEN={lapsed}\n")
    print(f"  curl -s -H \"Authorization: Bearer $SUBSCRIBER_TOKEN\" '{base}/essays/stalin-rise-to-power'   # 200")
    print(f"  curl -s -H \"Authorization: Bearer $LAPSED_TOKEN\" '{base}/essays/stalin-rise-to-power'       # 403")
    print(f"  curl -s '{base}/essays/stalin-rise-to-power'                                            # 401")
    print("\nRoutes (from template.yaml): " + ", ".join(sorted(gateway.paths())))
    print("Ctrl-C stops everything.\n", flush=True)
    if args.state_file:
        state = {
            "apiUrl": base,
            "region": os.environ["AWS_DEFAULT_REGION"],
            "dynamodbUrl": dynamodb_url,
            "subscriberToken": subscriber,
            "lapsedToken": lapsed,
            "pid": os.getpid(),
        }
        args.state_file.parent.mkdir(parents=True, exist_ok=True)
        args.state_file.write_text(json.dumps(state, indent=2) + "\n", encoding="utf-8")
    signal.signal(signal.SIGTERM, _stop)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        print("\nStopping.")
    finally:
        server.server_close()
        emulator.stop()
        if args.state_file:
            args.state_file.unlink(missing_ok=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
