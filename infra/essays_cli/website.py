"""The web client in web/: its routing, the local static server of `make dev`, and `essays-web
publish`, which `make deploy` runs to put the site in the stack's bucket with its config.json.

The routing rule here is the CloudFront Function's in template.yaml (SiteRouterFunction), in
Python: tests/unit/test_website.py runs that function's code with node over the same paths.
"""

from __future__ import annotations

import argparse
import json
import mimetypes
import re
import sys
import threading
import time
import tomllib
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any, ClassVar
from urllib.parse import urlsplit

ROOT = Path(__file__).resolve().parents[2]
WEB = ROOT / "web"

# The page routes, all served the one shell (web/index.html, whose assets/router.js picks the page's
# module); anything else is a file of web/ or a 404.
PAGE_ROUTES = re.compile(r"^/(essays/[^/]+|sections/[^/]+|search|callback)?$")
SHELL = "/index.html"
CONTENT_TYPES = {
    ".html": "text/html; charset=utf-8",
    ".js": "text/javascript; charset=utf-8",
    ".css": "text/css; charset=utf-8",
    ".json": "application/json",
}


def route(path: str) -> str:
    """The object a viewer's path is served from (the CloudFront Function's rewrite)."""
    return SHELL if PAGE_ROUTES.fullmatch(path) else path


def origin_of(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}"


def content_security_policy(api_url: str, user_pool_url: str, in_meta: bool = False) -> str:
    """Only the site itself, the API and the user pool's sign-in endpoints (frame-ancestors only
    works in a header, not in a <meta> policy)."""
    others = " ".join(dict.fromkeys((origin_of(api_url), origin_of(user_pool_url))))
    return (
        "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; font-src 'self'; "
        f"connect-src 'self' {others}; form-action 'self' {origin_of(user_pool_url)}; "
        "base-uri 'none'; object-src 'none'" + ("" if in_meta else "; frame-ancestors 'none'")
    )


def site_config(
    api_url: str, region: str, pool_id: str, client_id: str, pool_url: str, site_url: str
) -> dict[str, Any]:
    """config.json: what the site learns at run time (nothing secret: a public client has no secret)."""
    return {
        "apiUrl": api_url.rstrip("/"),
        "region": region,
        "siteUrl": site_url.rstrip("/"),
        "userPool": {
            "id": pool_id,
            "clientId": client_id,
            "domain": pool_url.rstrip("/"),
            "scopes": "openid email",
            "logout": True,
        },
    }


# ---- the local static server of `make dev` ---------------------------------------------------


class _Handler(BaseHTTPRequestHandler):
    server_version = "essays-web"
    web_root: Path = WEB
    config: ClassVar[dict[str, Any]] = {}
    csp: str = ""

    def do_GET(self) -> None:
        self._serve(body=True)

    def do_HEAD(self) -> None:
        self._serve(body=False)

    def _serve(self, body: bool) -> None:
        path = urlsplit(self.path).path
        if path == "/config.json":
            self._send(HTTPStatus.OK, json.dumps(self.config).encode(), ".json", body, "no-cache")
            return
        target = (self.web_root / route(path).lstrip("/")).resolve()
        if self.web_root.resolve() not in target.parents or not target.is_file() or "/." in path:
            self._send(HTTPStatus.NOT_FOUND, (self.web_root / "404.html").read_bytes(), ".html", body, "no-cache")
            return
        cache = "no-cache" if target.suffix == ".html" else "public, max-age=300"
        self._send(HTTPStatus.OK, target.read_bytes(), target.suffix, body, cache)

    def _send(self, status: HTTPStatus, payload: bytes, suffix: str, body: bool, cache: str) -> None:
        self.send_response(status)
        self.send_header(
            "Content-Type", CONTENT_TYPES.get(suffix) or mimetypes.types_map.get(suffix, "application/octet-stream")
        )
        self.send_header("Content-Length", str(len(payload)))
        self.send_header("Cache-Control", cache)
        # The response headers policy of the CloudFront distribution (HSTS is meaningless over http).
        self.send_header("Content-Security-Policy", self.csp)
        self.send_header("X-Content-Type-Options", "nosniff")
        self.send_header("X-Frame-Options", "DENY")
        self.send_header("Referrer-Policy", "strict-origin-when-cross-origin")
        self.end_headers()
        if body:
            self.wfile.write(payload)

    def log_message(self, format: str, *args: Any) -> None:
        pass  # quiet: the emulator's log is the one that matters


class LocalSite:
    """web/ on 127.0.0.1 only, routed as CloudFront routes it, with the same security headers."""

    def __init__(self, port: int = 0) -> None:
        self.server = ThreadingHTTPServer(("127.0.0.1", port), _Handler)
        self.server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.thread: threading.Thread | None = None

    def configure(self, config: dict[str, Any]) -> None:
        handler = type(
            "SiteHandler",
            (_Handler,),
            {"config": config, "csp": content_security_policy(config["apiUrl"], config["userPool"]["domain"])},
        )
        self.server.RequestHandlerClass = handler
        if self.thread is None:
            self.thread = threading.Thread(target=self.server.serve_forever, name="essays-web", daemon=True)
            self.thread.start()

    def close(self) -> None:
        self.server.shutdown() if self.thread else None
        self.server.server_close()


# ---- essays-web publish: the site into the deployed stack's bucket ---------------------------


def _stack_settings(config_env: str) -> tuple[str, str]:
    settings = tomllib.loads((ROOT / "samconfig.toml").read_text())[config_env]["global"]["parameters"]
    return str(settings["stack_name"]), str(settings["region"])


def with_csp_meta(html: str, csp_in_meta: str) -> str:
    """The exact API origin, which the distribution's header policy cannot name (the API's CORS
    origin is the distribution: naming the API there would be a circular dependency). Browsers
    enforce both policies, so connect-src ends up the site, this API and the user pool."""
    meta = f'<meta http-equiv="Content-Security-Policy" content="{csp_in_meta}">'
    return html.replace('<meta charset="utf-8">', '<meta charset="utf-8">\n  ' + meta, 1)


def publish(config_env: str) -> int:
    import boto3

    stack_name, region = _stack_settings(config_env)
    stack = boto3.client("cloudformation", region_name=region).describe_stacks(StackName=stack_name)["Stacks"][0]
    outputs = {o["OutputKey"]: o["OutputValue"] for o in stack.get("Outputs", [])}
    if "SiteBucketName" not in outputs:
        print(f"essays-web: {stack_name} has no site (WebHosting=false); nothing to publish")
        return 0
    config = site_config(
        outputs["ApiUrl"],
        region,
        outputs["UserPoolId"],
        outputs["UserPoolClientId"],
        outputs["UserPoolDomainUrl"],
        outputs["SiteUrl"],
    )
    csp = content_security_policy(config["apiUrl"], config["userPool"]["domain"], in_meta=True)
    s3 = boto3.client("s3", region_name=region)
    files = [p for p in sorted(WEB.rglob("*")) if p.is_file()]
    for path in files:
        key = path.relative_to(WEB).as_posix()
        data = path.read_bytes()
        if path.suffix == ".html":
            data = with_csp_meta(data.decode(), csp).encode()
        cache = "no-cache" if path.suffix == ".html" else "public, max-age=300"
        content_type = CONTENT_TYPES.get(path.suffix, "application/octet-stream")
        s3.put_object(
            Bucket=outputs["SiteBucketName"], Key=key, Body=data, ContentType=content_type, CacheControl=cache
        )
    s3.put_object(
        Bucket=outputs["SiteBucketName"],
        Key="config.json",
        Body=json.dumps(config).encode(),
        ContentType="application/json",
        CacheControl="no-cache",
    )
    boto3.client("cloudfront").create_invalidation(
        DistributionId=outputs["SiteDistributionId"],
        InvalidationBatch={"Paths": {"Quantity": 1, "Items": ["/*"]}, "CallerReference": str(time.time())},
    )
    print(f"essays-web: {len(files)} files and config.json published; the site is {outputs['SiteUrl']}")
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="essays-web", description="The web client: publish it to the deployed stack.")
    commands = parser.add_subparsers(dest="command", required=True)
    publish_command = commands.add_parser("publish", help="upload web/ and config.json to the stack's site bucket")
    publish_command.add_argument("--config-env", default="default", help="samconfig.toml environment (default, prod)")
    args = parser.parse_args(argv)
    return publish(args.config_env)


if __name__ == "__main__":
    sys.exit(main())
