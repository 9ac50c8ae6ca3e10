"""essays-openapi: the API's OpenAPI 3 document, generated from the code's own definitions:
the routes template.yaml declares and the pydantic models the functions answer with.

    essays-openapi            write functions/openapi/openapi.json (served at GET /openapi.json)
    essays-openapi --check    exit 1 if the committed document differs from a fresh generation
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

from pydantic import TypeAdapter

from essays_cli.submission_models import (
    ClaimHeld,
    MarkedPassages,
    MySubmission,
    MySubmissions,
    PublishedEssay,
    ReviewedSubmission,
    ReviewQueue,
    UploadForm,
)
from essays_cli.template import api_routes
from shared.access.models import MySubscription, PaymentUrl, Plans, WebhookReceipt
from shared.library.bounds import (
    MAX_CURSOR_CHARS,
    MAX_QUERY_CHARS,
    MAX_QUERY_WORDS,
    RELATED_LIMIT,
    SEARCH_LIMIT,
    SECTION_LIMIT,
    SUGGEST_LIMIT,
    PageSize,
)
from shared.library.contributions import MAX_SUBMISSION_BYTES
from shared.library.ids import ESSAY_ID_PATTERN, SECTION_ID_PATTERN
from shared.library.limits import (
    MAX_BODY_CHARS,
    MAX_COMMENT_CHARS,
    MAX_NAME_CHARS,
    MAX_TEACHER_COMMENT_CHARS,
    MAX_TITLE_CHARS,
)
from shared.library.models import (
    ApiModel,
    EssayPreview,
    FullEssay,
    RelatedEssays,
    SearchResults,
    SectionEssays,
    SectionTree,
    Suggestions,
)
from shared.library.review import QUEUE_LIMIT
from shared.library.submissions import MAX_FEEDBACK_CHARS

ROOT = Path(__file__).resolve().parents[2]
DOCUMENT = ROOT / "functions" / "openapi" / "openapi.json"


# Who may call a route (its OpenAPI security): anyone; a subscriber (the subscription authorizer); any
# signed-in reader (the signed-in authorizer of the billing routes).
PUBLIC, SUBSCRIBER, SIGNED_IN = "public", "subscriber", "signed-in"


@dataclass(frozen=True)
class RouteDoc:
    operation_id: str  # stable: client generators name their methods after it
    summary: str
    response: type | None
    parameters: list[dict[str, Any]] = field(default_factory=list)
    errors: tuple[int, ...] = (400, 429, 500, 503)
    caller: str = PUBLIC
    cached: bool = True
    request_body: dict[str, Any] | None = None
    no_content: bool = False  # 204, no body
    created: bool = False  # 201: something new (a submission, an upload's form, an annotation)
    error_text: dict[int, str] = field(default_factory=dict)  # where a status means something else here


def _signed_in(
    operation_id: str, summary: str, response: type | None, errors: tuple[int, ...] = (401, 429, 500, 503), **more: Any
) -> RouteDoc:
    """A route of the signed-in reader's own: never cached (the answer is the caller's)."""
    return RouteDoc(operation_id, summary, response, errors=errors, caller=SIGNED_IN, cached=False, **more)


def _path(name: str, pattern: str, example: str) -> dict[str, Any]:
    return {
        "name": name,
        "in": "path",
        "required": True,
        "schema": {"type": "string", "pattern": pattern},
        "example": example,
    }


def _query(name: str, schema: dict[str, Any], description: str, required: bool = False) -> dict[str, Any]:
    return {"name": name, "in": "query", "required": required, "schema": schema, "description": description}


ESSAY_ID = _path("essayId", ESSAY_ID_PATTERN, "stalin-rise-to-power")
CURSOR = _query("cursor", {"type": "string", "maxLength": MAX_CURSOR_CHARS}, "the nextCursor of the previous page")


def _limit(size: PageSize, description: str) -> dict[str, Any]:
    schema = {"type": "integer", "minimum": 1, "maximum": size.maximum, "default": size.default}
    return _query("limit", schema, description)


SUBMISSION_ID = _path("submissionId", "^s-[0-9a-f]{16}$", "s-0123456789abcdef")
# API Gateway's own ACCESS_DENIED: the signed-in authorizer's policy (`.../GET/me/submissions/*`) did not
# match the request's path, so the gateway refused it before our function ran. Locally the emulator's `*`
# stops at a line break, so an id holding one gets it (make fuzz sends such ids). The gateway has one
# ACCESS_DENIED body for all routes: the paywall's.
GATEWAY_DENIED = {
    403: "API Gateway refused the path before the function ran (the authorizer's policy did not match it; "
    "locally, an id holding a line break): its one ACCESS_DENIED body, code subscription_required"
}
REVIEW_ERRORS = SUBMISSION_ERRORS = (400, 401, 403, 404, 409, 429, 500, 503)  # 403 on /me/...: the gateway's
REVIEW_TEXT = {403: "Not a teacher (the user pool's teachers group)", 409: "Another teacher's claim, or none held"}


def _teacher(
    operation_id: str, summary: str, response: type, error_text: dict[int, str] | None = None, **more: Any
) -> RouteDoc:
    """A teachers' route (/review/...): never cached; unless said otherwise, about one submission."""
    more.setdefault("parameters", [SUBMISSION_ID])
    more.setdefault("errors", REVIEW_ERRORS)
    return _signed_in(operation_id, summary, response, error_text=REVIEW_TEXT | (error_text or {}), **more)


def _json_body(properties: dict[str, Any], required: list[str], optional: bool = False) -> dict[str, Any]:
    """A JSON object of these properties, no others; `optional`: the body itself may be left out."""
    schema: dict[str, Any] = {"type": "object", "additionalProperties": False, "properties": properties}
    schema |= {"required": required} if required else {}
    return {"required": not optional, "content": {"application/json": {"schema": schema}}}


def _text(limit: int, description: str = "") -> dict[str, Any]:
    schema: dict[str, Any] = {"type": "string", "minLength": 1, "maxLength": limit}
    return schema | ({"description": description} if description else {})


SUBMIT_BODY = _json_body(
    {
        "title": _text(MAX_TITLE_CHARS),
        "level": _text(MAX_NAME_CHARS, "a level's name, from GET /sections"),
        "subject": _text(MAX_NAME_CHARS, "a subject's name, from GET /sections"),
        "section": _text(MAX_NAME_CHARS, "a section's name, from GET /sections"),
        "body": _text(MAX_BODY_CHARS, "the essay as pasted text (paragraphs separated by blank lines)"),
        "uploadId": {"type": "string", "pattern": "^u-[0-9a-f]{24}$", "description": "or an uploaded .docx"},
        "ownWork": {"const": True, "description": "the contributor declares the essay their own work"},
        "credit": {"enum": ["named", "anonymous"], "default": "anonymous"},
        "creditName": _text(MAX_NAME_CHARS, "the name shown when credit is named"),
    },
    ["title", "level", "subject", "section", "ownWork"],
)

ROUTES: dict[tuple[str, str], RouteDoc] = {
    ("GET", "/essays/{essayId}/preview"): RouteDoc(
        "getEssayPreview",
        "The free preview of an essay: header and three unformatted extracts",
        EssayPreview,
        [ESSAY_ID],
        (400, 404, 429, 500, 503),
    ),
    ("GET", "/essays/{essayId}"): RouteDoc(
        "getEssay",
        "The full, formatted essay (subscribers; signed-in readers within their free essays of the month)",
        FullEssay,
        [ESSAY_ID],
        (400, 401, 403, 404, 429, 500, 503),
        caller=SUBSCRIBER,
        cached=False,
    ),
    ("GET", "/essays/{essayId}/related"): RouteDoc(
        "listRelatedEssays",
        "Other essays of the same section, closest first",
        RelatedEssays,
        [ESSAY_ID, _limit(RELATED_LIMIT, "how many")],
        (400, 404, 429, 500, 503),
    ),
    ("GET", "/search"): RouteDoc(
        "searchEssays",
        "Essays whose titles match the words of q, best first",
        SearchResults,
        [
            _query(
                "q",
                {"type": "string", "minLength": 1, "maxLength": MAX_QUERY_CHARS},
                f"words of the title (at most {MAX_QUERY_WORDS})",
                True,
            ),
            _limit(SEARCH_LIMIT, "page size"),
            CURSOR,
        ],
    ),
    ("GET", "/search/suggest"): RouteDoc(
        "suggestTitles",
        "Titles as the reader types: the last word of q may be unfinished; best rated first",
        Suggestions,
        [
            _query(
                "q",
                {"type": "string", "minLength": 1, "maxLength": MAX_QUERY_CHARS},
                "the start of a title: every word but the last is a whole title word, the last starts one "
                "(a 1-character last word answers no suggestions)",
                True,
            ),
            _limit(SUGGEST_LIMIT, "how many suggestions"),
        ],
    ),
    ("GET", "/sections"): RouteDoc(
        "getSectionTree", "The level > subject > section tree with essay counts", SectionTree
    ),
    ("GET", "/sections/{sectionId}/essays"): RouteDoc(
        "listSectionEssays",
        "A section's essays in title order, paginated",
        SectionEssays,
        [
            _path("sectionId", SECTION_ID_PATTERN, "gcse--english--poetry"),
            _limit(SECTION_LIMIT, "page size"),
            CURSOR,
        ],
        (400, 404, 429, 500, 503),
    ),
    ("GET", "/plans"): RouteDoc("listPlans", "The subscription plans", Plans, errors=(429, 500)),
    ("GET", "/openapi.json"): RouteDoc("getOpenApiDocument", "This document", None, errors=(429, 500)),
    ("POST", "/checkout"): _signed_in(
        "createCheckoutSession",
        "A Stripe Checkout URL to subscribe to the plan (signed-in readers); the reader's open session is reused",
        PaymentUrl,
        errors=(400, 401, 409, 429, 500, 503),
        request_body=_json_body(
            {
                "plan": {"type": "string", "description": "A plan's name (GET /plans); the first"},
                "returnTo": {
                    "type": "string",
                    "pattern": "^/(?!/)[^\\\\\\s]{0,299}$",
                    "description": "The site path to return to after paying or giving up",
                    "example": "/essays/the-rise-of-stalin-1a2b3c4d",
                },
            },
            [],
            optional=True,
        ),
        error_text={
            409: "A subscription Stripe still bills exists (active, trialing, past due, unpaid, incomplete): "
            "manage it with POST /billing/portal",
            429: "Too many new checkout sessions for this reader this hour, or the stage's throttling",
        },
    ),
    ("POST", "/me/signout"): _signed_in(
        "signOutEverywhere",
        "Refuse every token issued to the reader until now, on every device (signed-in readers)",
        None,
        no_content=True,
    ),
    ("POST", "/billing/portal"): _signed_in(
        "createBillingPortalSession",
        "A Stripe customer-portal URL to cancel or change card (readers who have checked out)",
        PaymentUrl,
        errors=(401, 404, 429, 500, 503),
        error_text={404: "The reader has no billing account yet: subscribe first (POST /checkout)"},
    ),
    ("GET", "/me/subscription"): _signed_in(
        "getMySubscription",
        "The signed-in reader's own subscription (status none if they never subscribed)",
        MySubscription,
    ),
    ("POST", "/me/submissions/uploads"): _signed_in(
        "createSubmissionUpload",
        "A presigned S3 POST for one .docx (signed-in readers): S3 enforces its type and size",
        UploadForm,
        errors=(400, 401, 429, 500, 503),
        created=True,
        request_body=_json_body(
            {
                "fileName": {"type": "string", "pattern": "\\.[dD][oO][cC][xX]\\s*$"},
                "size": {"type": "integer", "minimum": 1},
            },
            [],
            optional=True,
        ),
    ),
    ("POST", "/me/submissions"): _signed_in(
        "submitEssay",
        "Submit one's own essay for review: pasted text or an uploaded .docx (signed-in readers)",
        MySubmission,
        errors=(400, 401, 413, 429, 500, 503),
        created=True,
        request_body=SUBMIT_BODY,
        error_text={
            400: "A field the loader would refuse too, or a refused .docx (deleted): the message says why",
            413: f"The body is larger than {MAX_SUBMISSION_BYTES // 1024:,} KB: no valid submission is, however "
            "its JSON is escaped",
        },
    ),
    ("GET", "/me/submissions"): _signed_in(
        "listMySubmissions",
        "The caller's own submissions, newest first",
        MySubmissions,
        errors=(400, 401, 429, 500, 503),
        parameters=[CURSOR],
    ),
    ("GET", "/me/submissions/{submissionId}"): _signed_in(
        "getMySubmission",
        "One of the caller's own submissions (another's is a 404)",
        MySubmission,
        errors=(400, 401, 403, 404, 429, 500, 503),
        parameters=[SUBMISSION_ID],
        error_text={404: "No such submission of the caller's"} | GATEWAY_DENIED,
    ),
    ("DELETE", "/me/submissions/{submissionId}"): _signed_in(
        "withdrawMySubmission",
        "Withdraw one's submission before it is published",
        None,
        errors=SUBMISSION_ERRORS,
        parameters=[SUBMISSION_ID],
        no_content=True,
        error_text={404: "No such submission of the caller's", 409: "Already published, rejected or withdrawn"}
        | GATEWAY_DENIED,
    ),
    ("GET", "/review/queue"): _teacher(
        "getReviewQueue",
        "Submissions waiting for review or in review, oldest first (teachers)",
        ReviewQueue,
        parameters=[_limit(QUEUE_LIMIT, "page size"), CURSOR],
        errors=(400, 401, 403, 429, 500, 503),
    ),
    ("GET", "/review/submissions/{submissionId}"): _teacher(
        "getSubmissionForReview",
        "A submission as teachers see it: text, annotations, assessment, claim and history (teachers)",
        ReviewedSubmission,
        errors=(400, 401, 403, 404, 429, 500, 503),
    ),
    ("POST", "/review/submissions/{submissionId}/claim"): _teacher(
        "claimSubmission", "Claim a submission for review, or renew one's claim (teachers)", ClaimHeld
    ),
    ("POST", "/review/submissions/{submissionId}/annotations"): _teacher(
        "annotateSubmission",
        "Mark a passage: paragraph (1-based) and [start, end) in it as served; overlaps are refused (teachers)",
        MarkedPassages,
        created=True,
        request_body=_json_body(
            {
                "paragraph": {"type": "integer", "minimum": 1},
                "start": {"type": "integer", "minimum": 0},
                "end": {"type": "integer", "minimum": 1},
                "kind": {"enum": ["strength", "improvement", "note"], "default": "note"},
                "comment": _text(MAX_COMMENT_CHARS),
            },
            ["paragraph", "start", "end", "comment"],
        ),
    ),
    ("DELETE", "/review/submissions/{submissionId}/annotations/{index}"): _teacher(
        "removeSubmissionAnnotation",
        "Remove an annotation by its place in the list (teachers)",
        MarkedPassages,
        parameters=[SUBMISSION_ID, _path("index", "^[0-9]{1,2}$", "0")],
    ),
    ("PUT", "/review/submissions/{submissionId}/assessment"): _teacher(
        "assessSubmission",
        "The star rating and the teacher's comment (teachers)",
        ReviewedSubmission,
        request_body=_json_body(
            {
                "rating": {"type": "integer", "minimum": 1, "maximum": 5},
                "teacherComment": _text(MAX_TEACHER_COMMENT_CHARS),
            },
            ["rating"],
        ),
    ),
    ("POST", "/review/submissions/{submissionId}/publish"): _teacher(
        "publishSubmission",
        "Publish into the library, derived exactly as a load; the contributor earns free essays (teachers)",
        PublishedEssay,
        {400: "Not rated yet, or the essay as it stands would not load"},
    ),
    ("POST", "/review/submissions/{submissionId}/return"): _teacher(
        "returnSubmission",
        "Return to the contributor with feedback (teachers)",
        ReviewedSubmission,
        request_body=_json_body({"feedback": _text(MAX_FEEDBACK_CHARS)}, ["feedback"]),
    ),
    ("POST", "/review/submissions/{submissionId}/reject"): _teacher(
        "rejectSubmission",
        "Reject with a reason (teachers)",
        ReviewedSubmission,
        request_body=_json_body({"reason": _text(MAX_FEEDBACK_CHARS)}, ["reason"]),
    ),
    ("POST", "/billing/webhook"): RouteDoc(
        "receiveStripeEvent",
        "Stripe's webhook: signed events that keep subscriptions in step with payments (Stripe only)",
        WebhookReceipt,
        [
            {
                "name": "Stripe-Signature",
                "in": "header",
                "required": True,
                "schema": {"type": "string", "maxLength": 1024},
                "description": "t=<unix time>,v1=<HMAC-SHA256 of t.body with the endpoint's signing secret>",
            }
        ],
        (400, 413, 429, 500, 503),
        cached=False,
        request_body={
            "required": True,
            "content": {
                "application/json": {
                    "schema": {
                        "type": "object",
                        "description": "A Stripe event (object: event), at most 256 KB",
                        "required": ["id", "object", "type", "created", "data"],
                        "properties": {
                            "id": {"type": "string"},
                            "object": {"const": "event"},
                            "type": {"type": "string"},
                            "created": {"type": "integer"},
                            "data": {
                                "type": "object",
                                "required": ["object"],
                                "properties": {"object": {"type": "object", "description": "the event's subject"}},
                            },
                        },
                    }
                }
            },
        },
        error_text={
            400: "A missing, wrong or expired Stripe-Signature, or a body that is not a Stripe event",
            503: "DynamoDB is throttling: Stripe retries the delivery",
        },
    ),
}

RETRY_AFTER = {"description": "Seconds to wait before retrying", "schema": {"type": "integer", "minimum": 1}}
# The site's origin first (issue 31): the distribution serves the API under /api, public reads cached
# at the edge; the stage's own URL stays for Stripe's webhook (and every route where no
# OriginVerifySecret guards the stage).
SERVERS = [
    {
        "url": "https://{siteDomain}/api",
        "description": "The site's own origin (the SiteUrl output, then /api): CloudFront caches the public reads",
        "variables": {
            "siteDomain": {
                "default": "essays.example.com",
                "description": "SiteDomainName, or the distribution's domain",
            }
        },
    },
    {
        "url": "https://{apiId}.execute-api.{region}.amazonaws.com/{stage}",
        "description": (
            "The stage's direct URL (the ApiUrl output): the Stripe webhook; the other routes answer 403 here "
            "where OriginVerifySecret guards the stage (prod)"
        ),
        "variables": {
            "apiId": {"default": "abc123defg", "description": "the REST API's id"},
            "region": {"default": "eu-west-2"},
            "stage": {"default": "prod", "description": "the Stage parameter (dev, prod...)"},
        },
    },
    {
        "url": "http://127.0.0.1:{port}/api",
        "description": "The local site of `make dev`, serving and caching the API as CloudFront does (siteApiUrl)",
        "variables": {"port": {"default": "8080", "description": "the local site's port (essays-dev --web-port)"}},
    },
    {
        "url": "http://127.0.0.1:{port}/_aws/execute-api/{apiId}/local",
        "description": "The local stack's stage itself, on the emulator (apiUrl in .dev/stack.json)",
        "variables": {"port": {"default": "3000"}, "apiId": {"default": "abc123defg"}},
    },
]
ERROR_CONTENT = {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}
ERROR_TEXT = {
    400: "Bad input: the message says what to fix",
    401: "No or invalid bearer token",
    403: "No active subscription (and this month's free essays used): the body lists the plans and the meter",
    404: "Unknown essay or section",
    409: "The reader already subscribes: manage the subscription with POST /billing/portal",
    413: "The body is larger than 256 KB",
    429: "Too many requests from this client (the API's throttling): retry after a moment",
    500: "A fault on our side",
    503: "The library is busy (storage throttled or briefly failing): retry after Retry-After seconds",
}


Model = TypeVar("Model", bound=type)


def readable(model: Model) -> Model:
    """`model`, readable by pydantic: the wire models are Records (shared/records.py), which pydantic
    reads as the dataclasses they declare themselves like. Each model loaded so far is marked one in
    place (its fields, defaults and types), bases first; its `__init__` and behaviour stay as they are."""
    pending = list(ApiModel.__subclasses__())
    while pending:
        cls = pending.pop(0)
        if "__dataclass_fields__" not in cls.__dict__:
            dataclasses.dataclass(init=False, repr=False, eq=False)(cls)
        pending += cls.__subclasses__()
    return model


def generate() -> dict[str, Any]:
    routes = api_routes()
    declared = {(r.method, r.path) for r in routes}
    if declared != set(ROUTES):
        raise SystemExit(f"essays-openapi: template routes and documented routes differ: {declared ^ set(ROUTES)}")
    models = sorted({doc.response for doc in ROUTES.values() if doc.response}, key=lambda m: m.__name__)
    refs, definitions = TypeAdapter.json_schemas(
        [(m, "serialization", TypeAdapter(readable(m))) for m in models],
        by_alias=True,
        ref_template="#/components/schemas/{model}",
    )
    schemas = dict(sorted(definitions.get("$defs", {}).items()))
    for schema in schemas.values():  # constraints the dataclasses do not spell out
        rating = schema.get("properties", {}).get("rating", {})
        for branch in rating.get("anyOf", []):
            if branch.get("type") == "integer":
                branch.update(minimum=1, maximum=5)
    schemas["Error"] = {
        "type": "object",
        "required": ["error"],
        "properties": {
            "error": {
                "type": "object",
                "required": ["code", "message"],
                "properties": {
                    "code": {"type": "string"},
                    "message": {"type": "string"},
                    "plans": {"type": "array", "items": {"$ref": "#/components/schemas/Plan"}},
                    "meter": {"$ref": "#/components/schemas/Meter"},
                },
            }
        },
    }
    paths: dict[str, Any] = {}
    for (method, path), doc in sorted(ROUTES.items(), key=lambda kv: kv[0][1]):
        content = {
            "application/json": {
                "schema": refs[(doc.response, "serialization")] if doc.response else {"type": "object"}
            }
        }
        responses: dict[str, Any] = (
            {"204": {"description": "Done"}}
            if doc.no_content
            else {
                "201" if doc.created else "200": {"description": "Created" if doc.created else "OK", "content": content}
            }
        )
        if doc.cached:
            responses["304"] = {"description": "Not modified (If-None-Match matched the ETag)"}
        for status in doc.errors:
            text = doc.error_text.get(status, ERROR_TEXT[status])
            responses[str(status)] = {"description": text, "content": ERROR_CONTENT}
            if status == 503:
                responses[str(status)]["headers"] = {"Retry-After": RETRY_AFTER}
        paths.setdefault(path, {})[method.lower()] = {
            "operationId": doc.operation_id,
            "summary": doc.summary,
            "security": [] if doc.caller == PUBLIC else [{"bearerJwt": []}],
            "parameters": doc.parameters,
            **({"requestBody": doc.request_body} if doc.request_body else {}),
            "responses": responses,
        }
    _link_submissions(paths)
    return {
        "openapi": "3.1.0",  # JSON Schema 2020-12, as pydantic writes it
        "info": {
            "title": "Essay library content API",
            "version": "1.0.0",
            "description": "Previews, related essays, search and sections for everyone; full essays for "
            "subscribers; Stripe checkout, portal and webhook for payments. "
            'Errors are JSON: {"error": {"code", "message"}}.',
            "license": {"name": "Proprietary: all rights reserved", "identifier": "LicenseRef-Proprietary"},
        },
        "servers": SERVERS,
        "paths": paths,
        "components": {
            "schemas": schemas,
            "securitySchemes": {
                "bearerJwt": {
                    "type": "http",
                    "scheme": "bearer",
                    "bearerFormat": "JWT",
                    "description": "An access token of the site's identity provider (the stack's Cognito user pool)",
                }
            },
        },
    }


def _link_submissions(paths: dict[str, Any]) -> None:
    """OpenAPI links from a new submission to every operation on one submission, with its id: what a
    client does next, and what schemathesis's stateful phase follows with real ids (make fuzz)."""
    created = paths["/me/submissions"]["post"]["responses"]["201"]
    created["links"] = {
        operation["operationId"]: {
            "operationId": operation["operationId"],
            "parameters": {"submissionId": "$response.body#/submissionId"},
        }
        for path, operations in paths.items()
        if "{submissionId}" in path
        for operation in operations.values()
    }


def render() -> str:
    return json.dumps(generate(), indent=2, ensure_ascii=False, sort_keys=False) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="essays-openapi", description="Generate or check the OpenAPI document.")
    parser.add_argument("--check", action="store_true", help="fail if the committed document is out of date")
    args = parser.parse_args(argv)
    fresh = render()
    if args.check:
        if not DOCUMENT.exists() or DOCUMENT.read_text(encoding="utf-8") != fresh:
            print(f"essays-openapi: {DOCUMENT.relative_to(ROOT)} is out of date: run `make openapi`", file=sys.stderr)
            return 1
        print(f"{DOCUMENT.relative_to(ROOT)} matches the code")
        return 0
    DOCUMENT.write_text(fresh, encoding="utf-8")
    print(f"wrote {DOCUMENT.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
