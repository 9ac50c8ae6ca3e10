"""The local site routes paths exactly as the template's CloudFront Function does (run with node):
every page route to the one shell, index.html; and the essay page stays within its weight budget."""

from __future__ import annotations

import json
import shutil
import subprocess

import pytest
from essays_cli.template import load_template
from essays_cli.website import WEB, content_security_policy, route, with_csp_meta

PATHS = [
    "/",
    "/essays/stalin-rise-to-power",
    "/essays/stalin-rise-to-power/",
    "/essays/a/b",
    "/essays/",
    "/sections/gcse--english--poetry",
    "/sections/",
    "/search",
    "/search/",
    "/callback",
    "/callback/",
    "/index.html",
    "/essay.html",
    "/assets/site.css",
    "/config.json",
    "/404.html",
    "/no/such/page",
    "/essays.html",
]


@pytest.mark.skipif(not shutil.which("node"), reason="node runs the CloudFront Function's code")
def test_the_local_site_routes_as_the_cloudfront_function() -> None:
    code = load_template()["Resources"]["SiteRouterFunction"]["Properties"]["FunctionCode"]
    script = (
        code
        + "\nconst paths = JSON.parse(process.argv[1]);\n"
        + ("console.log(JSON.stringify(paths.map((uri) => handler({request: {uri}}).uri)));")
    )
    result = subprocess.run(["node", "-e", script, json.dumps(PATHS)], capture_output=True, text=True, check=True)
    assert json.loads(result.stdout) == [route(path) for path in PATHS]
    pages = ["/", "/essays/stalin-rise-to-power", "/sections/gcse--english--poetry", "/search", "/callback"]
    assert [path for path in PATHS if route(path) == "/index.html"] == [*pages, "/index.html"]


def test_the_essay_page_weighs_at_most_60_kb() -> None:
    files = ["index.html", "assets/site.css", "assets/core.js", "assets/auth.js", "assets/router.js", "assets/essay.js"]
    assert sum((WEB / name).stat().st_size for name in files) <= 60 * 1024


def test_published_pages_pin_the_exact_api_in_their_csp() -> None:
    csp = content_security_policy(
        "https://abc.execute-api.eu-west-2.amazonaws.com/dev", "https://x.auth.eu-west-2.amazoncognito.com", True
    )
    page = with_csp_meta((WEB / "index.html").read_text(), csp)
    assert (
        "connect-src 'self' https://abc.execute-api.eu-west-2.amazonaws.com https://x.auth.eu-west-2.amazoncognito.com;"
        in page
    )
    assert "frame-ancestors" not in csp  # only a header can carry it
