"""The local site routes paths exactly as the template's distribution does: its cache behaviours (the
bucket's files and client-only pages; every other path a server-rendered page) and its CloudFront
Function (run with node: client-only pages to the one shell, index.html)."""

from __future__ import annotations

import fnmatch
import json
import shutil
import subprocess

import pytest
from essays_cli.template import load_template
from essays_cli.website import (
    SHELL_PAGES,
    WEB,
    content_security_policy,
    from_bucket,
    local_function_url,
    route,
)

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
    "/plans",
    "/subscribed",
    "/account",
    "/account/x",
    "/submit",
    "/submissions",
    "/review",
    "/review/x",
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
    assert [path for path in PATHS if route(path) == "/index.html"] == [*SHELL_PAGES, "/index.html"]


def test_each_client_only_page_is_a_bucket_behaviour_rewritten_to_the_shell() -> None:
    distribution = load_template()["Resources"]["SiteDistribution"]["Properties"]["DistributionConfig"]
    behaviours = {b["PathPattern"]: b for b in distribution["CacheBehaviors"]}
    for path in SHELL_PAGES:
        assert path in PATHS, "add it to PATHS: the CloudFront Function's test runs over them"
        assert behaviours[path]["TargetOriginId"] == "site"
        (association,) = behaviours[path]["FunctionAssociations"]
        assert association["FunctionARN"] == {"GetAtt": "SiteRouterFunction.FunctionARN"}
    # "/" is a page of the pages function: no default root object may turn it into the shell
    assert "DefaultRootObject" not in distribution


def test_the_local_site_sends_to_the_pages_function_what_the_distribution_does() -> None:
    distribution = load_template()["Resources"]["SiteDistribution"]["Properties"]["DistributionConfig"]
    assert distribution["DefaultCacheBehavior"]["TargetOriginId"] == "pages"
    to_bucket = [b["PathPattern"] for b in distribution["CacheBehaviors"] if b["TargetOriginId"] == "site"]

    def distribution_from_bucket(path: str) -> bool:
        return any(fnmatch.fnmatchcase(path, pattern) for pattern in to_bucket)

    paths = [*PATHS, "/robots.txt", "/sitemap.xml", "/sitemaps/sections.xml", "/assets/x/y.js"]
    assert [from_bucket(p) for p in paths] == [distribution_from_bucket(p) for p in paths]
    pages = [p for p in paths if not from_bucket(p)]
    assert {"/", "/essays/stalin-rise-to-power", "/sections/gcse--english--poetry", "/search"} <= set(pages)
    assert {"/robots.txt", "/sitemap.xml", "/no/such/page", "/index.html"} <= set(pages)


def test_the_pages_function_is_reachable_only_through_the_distribution() -> None:
    resources = load_template()["Resources"]
    assert resources["PagesFunction"]["Properties"]["FunctionUrlConfig"] == {"AuthType": "AWS_IAM"}
    permission = resources["PagesInvokePermission"]["Properties"]
    assert permission["Principal"] == "cloudfront.amazonaws.com"
    assert permission["Action"] == "lambda:InvokeFunctionUrl"
    assert "${SiteDistribution}" in permission["SourceArn"]["Sub"]
    through_url = resources["PagesInvokeThroughUrlPermission"]["Properties"]
    assert through_url["Action"] == "lambda:InvokeFunction" and through_url["InvokedViaFunctionUrl"] is True
    assert through_url["SourceArn"] == permission["SourceArn"] and through_url["Principal"] == permission["Principal"]
    origins = resources["SiteDistribution"]["Properties"]["DistributionConfig"]["Origins"]
    (pages,) = [o for o in origins if o["Id"] == "pages"]
    assert pages["OriginAccessControlId"] == {"GetAtt": "PagesOriginAccessControl.Id"}
    assert (
        resources["PagesOriginAccessControl"]["Properties"]["OriginAccessControlConfig"]["SigningBehavior"] == "always"
    )
    # the viewer's Host (the site's origin) reaches the function in X-Site-Origin, never as the Host
    forwarded = resources["PagesOriginRequestPolicy"]["Properties"]["OriginRequestPolicyConfig"]["HeadersConfig"]
    assert forwarded == {"HeaderBehavior": "whitelist", "Headers": ["x-site-origin"]}


def test_the_local_function_url_is_the_emulators_path_based_one() -> None:
    url = "https://n3qkl5vzxa2c7ffwsrnmm6ktaq0ziuby.lambda-url.eu-west-2.on.aws/"
    expected = "http://127.0.0.1:3000/_aws/lambda-url/n3qkl5vzxa2c7ffwsrnmm6ktaq0ziuby"
    assert local_function_url(url, "http://127.0.0.1:3000") == expected


def test_the_site_calls_the_api_on_its_own_origin_and_its_csp_names_no_other_api() -> None:
    """The web client calls /api on the site's origin (the distribution's /api/* behaviours), so the
    CSP's connect-src is the site and the user pool only: locally and in the distribution's headers."""
    core = (WEB / "assets" / "core.js").read_text(encoding="utf-8")
    assert 'export const API = "/api";' in core and "fetch(API + path" in core and "apiUrl" not in core
    csp = content_security_policy("https://x.auth.eu-west-2.amazoncognito.com")
    assert "connect-src 'self' https://x.auth.eu-west-2.amazoncognito.com;" in csp
    headers = load_template()["Resources"]["SiteHeadersPolicy"]["Properties"]["ResponseHeadersPolicyConfig"]
    policy = json.dumps(headers["SecurityHeadersConfig"]["ContentSecurityPolicy"])
    assert "connect-src 'self' https://${Domain}.auth" in policy and "execute-api" not in policy
    # and S3, where a contributor's .docx goes with the presigned POST of POST /me/submissions/uploads
    # (botocore names the bucket on S3's global or regional host)
    assert "https://*.s3.amazonaws.com https://*.s3.${AWS::Region}.amazonaws.com;" in policy


def test_every_client_only_page_of_the_router_is_served_the_shell() -> None:
    """A page router.js builds in the browser (not one the pages function renders) must be in
    SHELL_PAGES, so the local site and the distribution serve it the shell instead of a 404."""
    import re

    router = (WEB / "assets" / "router.js").read_text(encoding="utf-8")
    single_segment = set(re.findall(r"\[/\^\\/([a-z][a-z0-9-]*)\$/", router))
    rendered_by_the_server = {"search"}
    assert single_segment - rendered_by_the_server, "the router's pages were not found: update this test"
    assert {f"/{p}" for p in single_segment - rendered_by_the_server} <= set(SHELL_PAGES)


def test_the_api_lets_the_sites_pages_call_every_method_its_routes_take() -> None:
    """A browser preflights PUT and DELETE (the review page, withdrawing a submission): a method the
    API's CORS does not list is refused in the browser, whatever the function would answer."""
    resources = load_template()["Resources"]
    allowed = resources["Api"]["Properties"]["Cors"]["AllowMethods"].strip("'").split(",")
    methods = {
        event["Properties"]["Method"].upper()
        for resource in resources.values()
        if resource["Type"] == "AWS::Serverless::Function"
        for event in resource["Properties"].get("Events", {}).values()
        if event["Type"] == "Api"
    }
    assert {"GET", "POST"} <= methods
    assert methods <= set(allowed), sorted(methods - set(allowed))
