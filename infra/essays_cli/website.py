"""The web client in web/: its routing, the local site of `make dev`, and `essays-web publish`,
which `make deploy` runs to put the site in the stack's bucket with its config.json.

The routing here is the site distribution's in template.yaml, in Python: the site's files and its
client-only pages (rewritten to the one shell by SiteRouterFunction, whose code
tests/unit/test_website.py runs with node over the same paths) come from web/; every other path is
a page the pages function renders (functions/pages), which the local site asks for at the local
stack's function URL, signed as CloudFront's origin access control signs it, and gzips as
CloudFront compresses.
"""

from __future__ import annotations

import argparse
import gzip
import json
import mimetypes
import re
import sys
import threading
import time
import tomllib
from collections.abc import Callable
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any, ClassVar
from urllib.error import HTTPError
from urllib.parse import parse_qsl, urlencode, urlsplit
from urllib.request import Request, urlopen

from essays_cli.aws import stack_outputs
from essays_cli.edgecache import API_PREFIX, Answer, EdgeCache, is_public_read, public_key, upstream_query
from shared.http.session import TokenHandler, plain_page, safe_path

ROOT = Path(__file__).resolve().parents[2]
WEB = ROOT / "web"

# The client-only pages, served the one shell (web/index.html, whose assets/router.js picks the page's
# module). Each is also a cache behaviour of the distribution in template.yaml, with SiteRouterFunction
# (tests/unit/test_website.py checks both). (Locally the token handler answers /callback first: see
# shared/http/session.py; on AWS functions/session behind the distribution.)
SHELL_PAGES = ("/plans", "/subscribed", "/account", "/submit", "/submissions", "/review")
PAGE_ROUTES = re.compile("^(" + "|".join(re.escape(p) for p in SHELL_PAGES) + ")$")
SHELL = "/index.html"
# The local edge's invalidation (POST, from 127.0.0.1 only: the site listens on nothing else).
INVALIDATION_PATH = "/__edge/invalidate"
# What the distribution serves from the bucket (web/): its cache behaviours' path patterns.
SITE_FILES = re.compile(r"^/(assets/.*|config\.json|404\.html)$")
# The API's answer headers the local edge passes on (it adds its own security headers and Vary).
PASSED_ON = ("Content-Type", "Cache-Control", "ETag", "Retry-After", "Location", "WWW-Authenticate", "Content-Language")
COMPRESSED = ("text/", "application/xml", "application/json")  # CloudFront compresses these types
CONTENT_TYPES = {
    ".html": "text/html; charset=utf-8",
    ".js": "text/javascript; charset=utf-8",
    ".css": "text/css; charset=utf-8",
    ".json": "application/json",
}


def route(path: str) -> str:
    """The object a viewer's path is served from (the CloudFront Function's rewrite)."""
    return SHELL if PAGE_ROUTES.fullmatch(path) else path


def from_bucket(path: str) -> bool:
    """Whether the distribution serves this path from the site's bucket (else: the pages function)."""
    return PAGE_ROUTES.fullmatch(path) is not None or SITE_FILES.fullmatch(path) is not None


def local_function_url(function_url: str, endpoint: str) -> str:
    """The emulator's path-based address of a function URL (https://<id>.lambda-url.<region>.on.aws/)."""
    url_id = urlsplit(function_url).netloc.split(".", 1)[0]
    return f"{endpoint.rstrip('/')}/_aws/lambda-url/{url_id}"


def signed_page_request(url: str, site_origin: str, headers: dict[str, str], region: str) -> Request:
    """A GET of the pages function's URL, SigV4-signed for lambda as CloudFront's origin access control
    signs it (the credentials are this process's: the emulator's, under `make dev`)."""
    import botocore.session
    from botocore.auth import SigV4Auth
    from botocore.awsrequest import AWSRequest

    request = AWSRequest(method="GET", url=url, headers={**headers, "X-Site-Origin": site_origin})
    credentials = botocore.session.get_session().get_credentials()
    if credentials is None:
        raise RuntimeError("no AWS credentials to sign the pages function's requests with")
    SigV4Auth(credentials, "lambda", region).add_auth(request)
    return Request(url, headers=dict(request.headers.items()), method="GET")


def origin_of(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}"


def content_security_policy(user_pool_url: str) -> str:
    """Only the site itself (its pages, files and the API under /api) and the user pool's sign-in
    endpoints: the distribution's header policy, in Python."""
    pool = origin_of(user_pool_url)
    return (
        "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; font-src 'self'; "
        f"connect-src 'self' {pool}; form-action 'self' {pool}; "
        "base-uri 'none'; object-src 'none'; frame-ancestors 'none'"
    )


def site_config(region: str, pool_id: str, client_id: str, pool_url: str, site_url: str) -> dict[str, Any]:
    """config.json: what the site learns at run time (nothing secret: a public client has no secret).
    The API is not in it: the site calls it on its own origin, under /api (web/assets/core.js)."""
    return {
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
    pages_url: str = ""  # the pages function's URL on the local stack ("" before it is up)
    api_url: str = ""  # the API stage's URL on the local stack, served under /api (essays_cli/edgecache.py)
    edge: ClassVar[EdgeCache] = EdgeCache()
    site_origin: str = ""
    sessions: ClassVar[TokenHandler | None] = None
    # Local only: makes a reader in the emulator's user pool, whose managed login has no sign-up page
    # (on AWS the managed login's own sign-up does it). Answers an error in readers' words, or None.
    account_maker: ClassVar[tuple[Callable[[str, str], str | None], ...]] = ()  # none, or one

    def do_GET(self) -> None:
        self._serve(body=True)

    def do_HEAD(self) -> None:
        self._serve(body=False)

    def do_PUT(self) -> None:
        self._api_or_refuse()

    def do_PATCH(self) -> None:
        self._api_or_refuse()

    def do_DELETE(self) -> None:
        self._api_or_refuse()

    def _api_or_refuse(self) -> None:
        if self._for_api(urlsplit(self.path).path):
            self._api()
        else:
            self._send(HTTPStatus.METHOD_NOT_ALLOWED, b"", ".html", True, "no-store")

    @staticmethod
    def _for_api(path: str) -> bool:
        return path == API_PREFIX or path.startswith(API_PREFIX + "/")

    def do_POST(self) -> None:
        path = urlsplit(self.path).path
        if self._for_api(path):
            self._api()
        elif path == INVALIDATION_PATH and self.client_address[0] == "127.0.0.1":
            self._invalidate()
        elif path == "/auth/signup" and self.account_maker:
            length = int(self.headers.get("Content-Length") or 0)
            form = dict(parse_qsl(self.rfile.read(min(length, 4096)).decode("utf-8", "replace")))
            self._signup(form)
        elif self.sessions and self.sessions.handles(path):
            self._answer(*self.sessions.handle("POST", self.path, {k.lower(): v for k, v in self.headers.items()}))
        else:
            self._send(HTTPStatus.METHOD_NOT_ALLOWED, b"", ".html", True, "no-store")

    def _invalidate(self) -> None:
        """The local stand-in for CloudFront's CreateInvalidation, which the loader calls after a load
        or removal on the local stack (essays_cli/invalidation.py): {"paths": [...]} as CloudFront's."""
        length = int(self.headers.get("Content-Length") or 0)
        try:
            paths = json.loads(self.rfile.read(min(length, 1 << 20)))["paths"]
            forgotten = sum(self.edge.invalidate(str(path)) for path in paths)
        except (ValueError, KeyError, TypeError):
            self._send(HTTPStatus.BAD_REQUEST, b'{"error":"paths"}', ".json", True, "no-store")
            return
        self._send(HTTPStatus.OK, json.dumps({"forgotten": forgotten}).encode(), ".json", True, "no-store")

    def _answer(self, status: int, headers: list[tuple[str, str]], payload: bytes) -> None:
        """A token handler's answer, with the distribution's security headers."""
        self.send_response(status)
        for name, value in headers:
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(payload)))
        self.send_header("Content-Security-Policy", self.csp)
        self.send_header("X-Content-Type-Options", "nosniff")
        self.send_header("X-Frame-Options", "DENY")
        self.send_header("Referrer-Policy", "strict-origin-when-cross-origin")
        self.end_headers()
        self.wfile.write(payload)

    def _signup(self, form: dict[str, str] | None) -> None:
        """The local stand-in for managed login's sign-up: a form, then sign-in as the new reader."""
        asked = (form or {}).get("returnTo") or dict(parse_qsl(urlsplit(self.path).query)).get("returnTo")
        return_to = safe_path(asked)
        problem = None
        if form is not None:
            problem = self.account_maker[0](form.get("email", "").strip(), form.get("password", ""))
            if problem is None:
                location = "/auth/login?" + urlencode({"returnTo": return_to})
                self._answer(303, [("Location", location), ("Cache-Control", "no-store")], b"")
                return
        self._answer(
            HTTPStatus.OK if problem is None else HTTPStatus.BAD_REQUEST,
            [("Content-Type", CONTENT_TYPES[".html"]), ("Cache-Control", "no-store")],
            signup_page(return_to, problem, (form or {}).get("email", "")).encode(),
        )

    def _serve(self, body: bool) -> None:
        path = urlsplit(self.path).path
        if self._for_api(path):
            self._api()
            return
        if path == "/auth/signup" and self.account_maker and body:
            self._signup(None)
            return
        if self.sessions and self.sessions.handles(path) and body:
            self._answer(*self.sessions.handle("GET", self.path, {k.lower(): v for k, v in self.headers.items()}))
            return
        if self.pages_url and not from_bucket(path):
            self._page(body)
            return
        if path == "/config.json":
            self._send(HTTPStatus.OK, json.dumps(self.config).encode(), ".json", body, "no-cache")
            return
        target = (self.web_root / route(path).lstrip("/")).resolve()
        if self.web_root.resolve() not in target.parents or not target.is_file() or "/." in path:
            self._send(HTTPStatus.NOT_FOUND, (self.web_root / "404.html").read_bytes(), ".html", body, "no-cache")
            return
        cache = "no-cache" if target.suffix == ".html" else "public, max-age=300"
        self._send(HTTPStatus.OK, target.read_bytes(), target.suffix, body, cache)

    def _api(self) -> None:
        """/api/* as the distribution's API behaviours serve it: the public reads from the shared
        cache while their s-maxage lasts, everything else passed to the API and never kept."""
        method, parts = self.command, urlsplit(self.path)
        upstream_path = parts.path.removeprefix(API_PREFIX) or "/"
        if "Authorization" not in self.headers and is_public_read(method, parts.path):
            key = public_key(parts.path, parts.query)
            cached = self.edge.get(key)
            if cached is not None:
                answer, age = cached
                self._api_answer(answer, {"Age": str(age), "X-Cache": "Hit from essays-web"})
                return
            query = upstream_query(parts.query)
            answer = self._from_api("GET", upstream_path + (f"?{query}" if query else ""), {}, None)
            self.edge.put(key, answer)
            self._api_answer(answer, {"X-Cache": "Miss from essays-web"})
            return
        length = int(self.headers.get("Content-Length") or 0)
        payload = self.rfile.read(length) if length else None
        forwarded = ("Authorization", "Content-Type", "Accept", "Stripe-Signature", "If-None-Match")
        headers = {name: self.headers[name] for name in forwarded if self.headers.get(name)}
        query = f"?{parts.query}" if parts.query else ""
        answer = self._from_api(method, upstream_path + query, headers, payload)
        self._api_answer(answer, {"X-Cache": "Miss from essays-web"})

    def _from_api(self, method: str, path: str, headers: dict[str, str], payload: bytes | None) -> Answer:
        if not self.api_url:
            return Answer(502, {"Content-Type": "application/json"}, b'{"error":{"code":"no_api","message":"no API"}}')
        request = Request(self.api_url + path, data=payload, headers=headers, method=method)
        try:
            with urlopen(request, timeout=30) as response:
                status, answer_headers, body = response.status, response.headers, response.read()
        except HTTPError as error:
            status, answer_headers, body = error.code, error.headers, error.read()
        kept = {name: answer_headers[name] for name in PASSED_ON if answer_headers.get(name)}
        return Answer(status, kept, body)

    def _api_answer(self, answer: Answer, extra: dict[str, str]) -> None:
        headers = {k: v for k, v in answer.headers.items() if k not in ("Content-Type", "Cache-Control")}
        etag = answer.headers.get("ETag")
        status, body = answer.status, answer.body
        if etag and answer.status == 200 and self.headers.get("If-None-Match") == etag:
            status, body = 304, b""  # as CloudFront answers a matching conditional GET from its copy
        self._send(
            HTTPStatus(status),
            body,
            "",
            self.command != "HEAD" and status != 304,
            answer.headers.get("Cache-Control", "no-store"),
            answer.headers.get("Content-Type", "application/json"),
            {**headers, **extra},
        )

    def _page(self, body: bool) -> None:
        """A server-rendered page, from the pages function as the distribution gets it."""
        asked = {k: v for k, v in (("If-None-Match", self.headers.get("If-None-Match")),) if v}
        request = signed_page_request(self.pages_url + self.path, self.site_origin, asked, self.config["region"])
        try:
            with urlopen(request, timeout=30) as answer:
                status, headers, payload = answer.status, answer.headers, answer.read()
        except HTTPError as error:
            status, headers, payload = error.code, error.headers, error.read()
        extra = {k: headers[k] for k in ("ETag", "Content-Language") if headers.get(k)}
        content_type = headers.get("Content-Type", "text/html; charset=utf-8")
        self._send(HTTPStatus(status), payload, "", body, headers.get("Cache-Control", "no-store"), content_type, extra)

    def _send(
        self,
        status: HTTPStatus,
        payload: bytes,
        suffix: str,
        body: bool,
        cache: str,
        content_type: str = "",
        extra: dict[str, str] | None = None,
    ) -> None:
        content_type = (
            content_type or CONTENT_TYPES.get(suffix) or mimetypes.types_map.get(suffix, "application/octet-stream")
        )
        accepts_gzip = "gzip" in (self.headers.get("Accept-Encoding") or "")
        compressed = accepts_gzip and len(payload) > 1000 and content_type.startswith(COMPRESSED)
        if compressed:
            payload = gzip.compress(payload, 6)
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(payload)))
        self.send_header("Cache-Control", cache)
        if compressed:
            self.send_header("Content-Encoding", "gzip")
        self.send_header("Vary", "Accept-Encoding")
        for name, value in (extra or {}).items():
            self.send_header(name, value)
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


def signup_page(return_to: str, problem: str | None, email: str) -> str:
    from html import escape

    error = f'<p class="error" role="alert">{escape(problem)}</p>' if problem else ""
    return plain_page(
        "Create an account",
        f"""    <form class="message signup" method="post" action="/auth/signup">
      <h1>Create an account</h1>
      <p class="detail">On this local copy of the site, for trying it out
      (the real site uses the sign-in service's own page).</p>
      {error}
      <input type="hidden" name="returnTo" value="{escape(return_to)}">
      <p><label for="email">E-mail address</label><br>
      <input id="email" name="email" type="email" autocomplete="email" required value="{escape(email)}"></p>
      <p><label for="password">Password (12 characters or more, with upper and lower case and a digit)</label><br>
      <input id="password" name="password" type="password" autocomplete="new-password" required minlength="12"></p>
      <p><button type="submit" class="primary">Create the account, then sign in</button></p>
    </form>
""",
    )


class LocalSite:
    """web/ on 127.0.0.1 only, routed as CloudFront routes it, with the same security headers."""

    def __init__(self, port: int = 0) -> None:
        self.server = ThreadingHTTPServer(("127.0.0.1", port), _Handler)
        self.server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.thread: threading.Thread | None = None
        self.edge = EdgeCache()  # the local edge's cache of public API answers

    def configure(
        self,
        config: dict[str, Any],
        pages_url: str = "",
        create_account: Callable[[str, str], str | None] | None = None,
        api_url: str = "",
    ) -> None:
        """Serve web/ with this config.json, the pages from `pages_url` (the local function URL), the
        API at `api_url` under /api (cached as the distribution caches it), and the token handler on
        /auth/* and /callback (with a sign-up form if `create_account`)."""
        pool = config["userPool"]
        if create_account:
            config = {**config, "signUpUrl": "/auth/signup"}
        settings = {
            "config": config,
            "csp": content_security_policy(pool["domain"]),
            "pages_url": pages_url.rstrip("/"),
            "api_url": api_url.rstrip("/"),
            "edge": self.edge,
            "site_origin": self.url,
            "sessions": TokenHandler(self.url, pool["domain"], pool["clientId"], pool.get("scopes", "openid email")),
            "account_maker": (create_account,) if create_account else (),
        }
        handler = type("SiteHandler", (_Handler,), settings)
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


def publish(config_env: str) -> int:
    import boto3

    stack_name, region = _stack_settings(config_env)
    outputs = stack_outputs(boto3.client("cloudformation", region_name=region), stack_name)
    if "SiteBucketName" not in outputs:
        print(f"essays-web: {stack_name} has no site (WebHosting=false); nothing to publish")
        return 0
    config = site_config(
        region,
        outputs["UserPoolId"],
        outputs["UserPoolClientId"],
        outputs["UserPoolDomainUrl"],
        outputs["SiteUrl"],
    )
    s3 = boto3.client("s3", region_name=region)
    files = [p for p in sorted(WEB.rglob("*")) if p.is_file()]
    for path in files:
        key = path.relative_to(WEB).as_posix()
        data = path.read_bytes()
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
