"""The site's token handler on AWS (shared/http/session.py): sign-in, the page's access token and
sign-out, on the site's own domain, so the refresh token lives in an HttpOnly cookie of the site and
never in the page's storage.

Reached through the function's URL, which only the site's CloudFront distribution may call (IAM
auth, signed by origin access control), from its /auth/* and /callback behaviours: nothing cached,
cookies and query strings forwarded. The viewer's site origin (the redirect URI's, the cookies')
comes in the X-Site-Origin header the distribution sets. Function URL events (payload 2.0).
Tokens are never logged.
"""

from __future__ import annotations

import os
import re
from typing import Any

from shared.http.session import TokenHandler

POOL_URL = os.environ.get("USER_POOL_DOMAIN_URL", "")
CLIENT_ID = os.environ.get("USER_POOL_CLIENT_ID", "")
# A scheme and a host name (and port): the site's origin, never a path to be redirected to.
SITE_ORIGIN = re.compile(r"^https://[a-z0-9](?:[a-z0-9.-]{0,251}[a-z0-9])?(?::\d{1,5})?$")


def handler(event: dict[str, Any], context: object) -> dict[str, Any]:
    headers = {str(k).lower(): str(v) for k, v in (event.get("headers") or {}).items()}
    if event.get("cookies"):  # payload 2.0 passes the Cookie header as a list
        headers["cookie"] = "; ".join(str(c) for c in event["cookies"])
    site = headers.get("x-site-origin", "").lower()
    if not SITE_ORIGIN.fullmatch(site) or not POOL_URL or not CLIENT_ID:
        return {"statusCode": 404, "headers": {"Content-Type": "text/plain"}, "body": "not found"}
    method = str(((event.get("requestContext") or {}).get("http") or {}).get("method") or "GET").upper()
    query = str(event.get("rawQueryString") or "")
    target = str(event.get("rawPath") or "/") + (f"?{query}" if query else "")
    status, answer, body = TokenHandler(site, POOL_URL, CLIENT_ID).handle(method, target, headers)
    return {
        "statusCode": status,
        "headers": {name: value for name, value in answer if name != "Set-Cookie"},
        "cookies": [value for name, value in answer if name == "Set-Cookie"],
        "body": body.decode("utf-8"),
        "isBase64Encoded": False,
    }
