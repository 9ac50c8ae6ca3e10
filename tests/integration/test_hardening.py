"""Attacks on the public routes and the paywall, through the handlers' real entry points:
abusive input, injected faults, text leaks across routes, and the authorizer's cached policy."""

from __future__ import annotations

import fnmatch
import json
from http import HTTPStatus
from typing import Any

import pytest
from botocore.exceptions import ClientError, EndpointConnectionError
from essays_cli.loading.slugs import essay_id_from_title

from functions.essay import app as essay_app
from functions.preview import app as preview_app
from functions.related import app as related_app
from functions.search import app as search_app
from functions.sections import app as sections_app
from functions.suggest import app as suggest_app
from shared.access.policy import Decision, policy
from shared.library.text import paragraphs
from shared.store.dynamo import dynamodb_client
from tests.conftest import api_event, body_of, sample_records

HISTORY = "as-and-a-level--history--modern-european-history-1789-1945"
INTERNALS = ("Traceback", "Exception", "botocore", "arn:aws", "essays-test", "ESSAY#", "BODY#", 'File "')


def assert_json_error(response: dict[str, Any], status: int) -> dict[str, Any]:
    assert response["statusCode"] == status, response
    body = body_of(response)
    assert set(body) == {"error"} and set(body["error"]) == {"code", "message"}
    assert response["headers"]["Content-Type"].startswith("application/json")
    assert response["headers"]["Access-Control-Allow-Origin"]
    for secret in INTERNALS:
        assert secret not in response["body"], secret
    return dict(body["error"])


def essay_id_of(record: dict[str, Any]) -> str:
    return str(record.get("id") or essay_id_from_title(record["title"]))


# ---- abusive input --------------------------------------------------------------------------

BAD_IDS = [
    "x" * 10_000,
    "../../etc/passwd",
    "..%2F..%2Fetc%2Fpasswd",
    "%2e%2e%2f",
    "stalin-rise-to-power%00",
    "stalin\x00rise",
    "\u202estalin-rise-to-power",  # right-to-left override
    "stalin-rise-to-powe\u0301r",  # combining mark
    "' OR '1'='1",
    "<script>alert(1)</script>",
    "ESSAY#stalin-rise-to-power",
    "BODY#stalin-rise-to-power",
    "stalin-rise-to-power/../../x",
    " ",
    "ＳＴＡＬＩＮ",  # fullwidth letters
    "stalin-rise-to-power\n",  # `$` alone would let a trailing newline through to DynamoDB
    "stalin-rise-to-power\r\n",
]


@pytest.mark.parametrize("bad_id", BAD_IDS, ids=range(len(BAD_IDS)))
@pytest.mark.parametrize("name", ["preview", "related", "essay"])
def test_abusive_essay_ids_are_400_json(essays_table: str, context: Any, name: str, bad_id: str) -> None:
    handler = {"preview": preview_app, "related": related_app, "essay": essay_app}[name].handler
    response = handler(api_event(name, path_parameters={"essayId": bad_id}), context)
    error = assert_json_error(response, HTTPStatus.BAD_REQUEST)
    assert "essayId" in error["message"]


BAD_SEARCHES: list[dict[str, str]] = [
    {"q": "x" * 100_000},
    {"q": "stalin\x00"},
    {"q": "stalin", "limit": "²"},  # a digit to str.isdigit, not to int()
    {"q": "stalin", "limit": "١٠"},  # Arabic-Indic digits
    {"q": "stalin", "limit": "99999999999999999999999"},
    {"q": "stalin", "limit": "1e3"},
    {"q": "stalin", "limit": ""},
    {"q": "stalin", "limit": " 5"},
    {"q": "stalin", "cursor": "x" * 5000},
    {"q": "stalin", "cursor": "é" * 10},
    {"q": "stalin", "cursor": "../../"},
    {"q": "a b c d e f g h i j k l m n o p"},  # all one-letter or stop words
]


@pytest.mark.parametrize("query", BAD_SEARCHES, ids=range(len(BAD_SEARCHES)))
def test_abusive_searches_are_400_json(essays_table: str, context: Any, query: dict[str, str]) -> None:
    assert_json_error(search_app.handler(api_event("search", query=query), context), HTTPStatus.BAD_REQUEST)


BAD_SUGGESTS: list[dict[str, str]] = [
    {},
    {"q": ""},
    {"q": "   "},
    {"q": "x" * 100_000},
    {"q": "x" * 201},
    {"q": "stalin\x00"},
    {"q": "stal\nin"},
    {"q": "!!! ??? ..."},  # no letters or digits
    {"q": "a1 b2 c3 d4 e5 f6 g7 h8 i9"},  # more than 8 words
    {"q": "stalin", "limit": "11"},
    {"q": "stalin", "limit": "0"},
    {"q": "stalin", "limit": "²"},
    {"q": "stalin", "limit": "1e1"},
    {"q": "stalin", "limit": ""},
]


@pytest.mark.parametrize("query", BAD_SUGGESTS, ids=range(len(BAD_SUGGESTS)))
def test_abusive_suggest_queries_are_400_json(essays_table: str, context: Any, query: dict[str, str]) -> None:
    assert_json_error(suggest_app.handler(api_event("suggest", query=query), context), HTTPStatus.BAD_REQUEST)


@pytest.mark.parametrize(
    "q",
    [
        "' OR 1=1; --",
        "SUGGEST#st",
        "TERM#stalin",
        "stalin ' OR begins_with(pk, :x) --",
        "émile\u0301 zo",
        "ＳＴＡＬＩＮ",
        "stalin\u200b ri",
        "\u202estalin",
        "%00",
        "../../etc/passwd",
        "a" * 200,
    ],
)
def test_odd_but_harmless_suggest_queries_answer_200(library: str, context: Any, q: str) -> None:
    response = suggest_app.handler(api_event("suggest", query={"q": q}), context)
    assert response["statusCode"] == HTTPStatus.OK
    for suggestion in body_of(response)["suggestions"]:
        assert set(suggestion) == {"essayId", "title", "rating"}


@pytest.mark.parametrize(
    "q", ["' OR 1=1; --", "stalin ' OR 1=1 --", "émile\u0301 zola", "STALIN!!!", "stalin\u200b power", "\u202estalin"]
)
def test_odd_but_harmless_searches_answer_200(essays_table: str, context: Any, q: str) -> None:
    response = search_app.handler(api_event("search", query={"q": q}), context)
    assert response["statusCode"] == HTTPStatus.OK


@pytest.mark.parametrize(
    "section_id",
    [
        "x" * 5000,
        "../TAXONOMY",
        "gcse--english--poetry\x00",
        "TAXONOMY",
        "gcse--english--poetry%2F",
        "gcse--english--poetry\n",
    ],
)
def test_abusive_section_ids_are_400_json(essays_table: str, context: Any, section_id: str) -> None:
    event = api_event("section_essays", path_parameters={"sectionId": section_id})
    assert_json_error(sections_app.handler(event, context), HTTPStatus.BAD_REQUEST)


def test_repeated_query_parameters_use_one_value(essays_table: str, context: Any) -> None:
    event = api_event("search", query={"q": "stalin"})
    event["multiValueQueryStringParameters"] = {"q": ["stalin", "zola"], "limit": ["2", "50"]}
    response = search_app.handler(event, context)  # API Gateway puts the last value in queryStringParameters
    assert response["statusCode"] == HTTPStatus.OK


def test_events_without_optional_parts_are_handled(library: str, context: Any) -> None:
    event = api_event("sections")
    event["headers"] = None
    event["multiValueHeaders"] = None
    assert sections_app.handler(event, context)["statusCode"] == HTTPStatus.OK
    missing = api_event("preview")
    missing["pathParameters"] = None
    assert_json_error(preview_app.handler(missing, context), HTTPStatus.BAD_REQUEST)


# ---- faults -----------------------------------------------------------------------------------

ROUTES = [
    ("preview", preview_app, {"path_parameters": {"essayId": "stalin-rise-to-power"}}),
    ("related", related_app, {"path_parameters": {"essayId": "stalin-rise-to-power"}}),
    ("search", search_app, {"query": {"q": "stalin power"}}),
    ("suggest", suggest_app, {"query": {"q": "stalin po"}}),
    ("sections", sections_app, {}),
    ("section_essays", sections_app, {"path_parameters": {"sectionId": HISTORY}}),
    ("essay", essay_app, {"path_parameters": {"essayId": "stalin-rise-to-power"}}),
]
FAULTS = [
    (ClientError({"Error": {"Code": "ProvisionedThroughputExceededException", "Message": "x"}}, "op"), 503),
    (ClientError({"Error": {"Code": "ThrottlingException", "Message": "x"}}, "op"), 503),
    (ClientError({"Error": {"Code": "InternalServerError", "Message": "x"}}, "op"), 503),
    (EndpointConnectionError(endpoint_url="https://dynamodb.eu-west-2.amazonaws.com"), 503),
    (ClientError({"Error": {"Code": "AccessDeniedException", "Message": "not allowed on arn:aws:x"}}, "op"), 500),
    (ClientError({"Error": {"Code": "ResourceNotFoundException", "Message": "essays-test"}}, "op"), 500),
]


@pytest.mark.parametrize(("fault", "status"), FAULTS, ids=[f"{type(f).__name__}-{s}" for f, s in FAULTS])
@pytest.mark.parametrize(("name", "module", "parts"), ROUTES, ids=[r[0] for r in ROUTES])
def test_dynamodb_faults_in_every_function_give_json_and_leak_nothing(
    essays_table: str, context: Any, name: str, module: Any, parts: dict[str, Any], fault: Exception, status: int
) -> None:
    def fail(**_: Any) -> None:
        raise fault

    client = dynamodb_client()
    client.meta.events.register_first("before-call.dynamodb", fail)
    try:
        response = module.handler(api_event(name, **parts), context)
    finally:
        client.meta.events.unregister("before-call.dynamodb", fail)
    error = assert_json_error(response, status)
    if status == HTTPStatus.SERVICE_UNAVAILABLE:
        assert response["headers"]["Retry-After"] == "1"
        assert error["code"] == "unavailable"
    else:
        assert error == {
            "code": "internal_error",
            "message": "Something went wrong on our side; please try again later.",
        }


# ---- leaks: what the public routes show, put together --------------------------------------------


def _covered(tokens: list[str], text: str, covered: set[int]) -> None:
    """Mark every place where text's words appear as a run in the essay (over-counting is safe)."""
    words = text.removesuffix("…").split()
    if not words:
        return
    n = len(words)
    for start in range(len(tokens) - n + 1):
        if tokens[start] == words[0] and tokens[start : start + n] == words:
            covered.update(range(start, start + n))


def _all_public_texts(context: Any) -> dict[str, list[str]]:
    """Every text each essay is shown with on the public routes, by essay id."""
    shown: dict[str, list[str]] = {}
    records = sample_records()
    for record in records:
        essay_id = essay_id_of(record)
        preview = body_of(preview_app.handler(api_event("preview", path_parameters={"essayId": essay_id}), context))
        shown.setdefault(essay_id, []).extend(e["text"] for e in preview["extracts"])
        related = related_app.handler(
            api_event("related", path_parameters={"essayId": essay_id}, query={"limit": "20"}), context
        )
        for entry in body_of(related)["related"]:
            shown.setdefault(entry["essayId"], []).append(entry["snippet"])
        search = search_app.handler(api_event("search", query={"q": record["title"][:200], "limit": "50"}), context)
        if search["statusCode"] == HTTPStatus.OK:
            for hit in body_of(search)["results"]:
                shown.setdefault(hit["essayId"], []).append(hit["snippet"])
    tree = body_of(sections_app.handler(api_event("sections"), context))
    for level in tree["levels"]:
        for subject in level["subjects"]:
            for section in subject["sections"]:
                page = sections_app.handler(
                    api_event("section_essays", path_parameters={"sectionId": section["id"]}, query={"limit": "50"}),
                    context,
                )
                for essay in body_of(page)["essays"]:
                    shown.setdefault(essay["essayId"], []).append(essay["snippet"])
    return shown


def test_public_routes_together_show_at_most_30_percent_of_any_essay(library: str, context: Any) -> None:
    shown = _all_public_texts(context)
    for record in sample_records():
        tokens = " ".join(paragraphs(record["body"])).split()
        covered: set[int] = set()
        for text in shown[essay_id_of(record)]:
            _covered(tokens, text, covered)
        assert len(covered) <= 0.30 * len(tokens), (record["title"], len(covered) / len(tokens))


def test_the_full_text_only_comes_from_the_authorized_route(library: str, context: Any) -> None:
    stalin = next(r for r in sample_records() if r.get("id") == "stalin-rise-to-power")
    hidden = paragraphs(stalin["body"])[len(paragraphs(stalin["body"])) // 2]  # a paragraph from the middle
    public = [
        preview_app.handler(api_event("preview"), context),
        related_app.handler(api_event("related", query={"limit": "20"}), context),
        search_app.handler(api_event("search", query={"q": "stalin power lenin death"}), context),
        sections_app.handler(api_event("section_essays", path_parameters={"sectionId": HISTORY}), context),
    ]
    for response in public:
        assert response["statusCode"] == HTTPStatus.OK
        assert hidden not in response["body"]
        assert "paragraphs" not in response["body"] and "teacherComment" not in response["body"]
        assert '"annotations"' not in response["body"] and '"comment"' not in response["body"]
    full = essay_app.handler(api_event("essay"), context)
    assert hidden in body_of(full)["paragraphs"]


# ---- the authorizer's cached policy ------------------------------------------------------------


def _allows(response: dict[str, Any], method_arn: str) -> bool:
    """IAM's matching of execute-api resources: '*' matches any run of characters."""
    statement = response["policyDocument"]["Statement"][0]
    matched = any(fnmatch.fnmatchcase(method_arn, pattern) for pattern in statement["Resource"])
    return matched and statement["Effect"] == "Allow"


def test_a_cached_allow_serves_every_essay_and_nothing_beyond() -> None:
    api = "arn:aws:execute-api:eu-west-2:123456789012:abcdef1234"
    cached = policy(
        Decision(True, "user-1", "active", {"userId": "user-1", "plan": "Monthly"}),
        f"{api}/prod/GET/essays/stalin-rise-to-power",
    )

    for essay in ("stalin-rise-to-power", "zola-dreyfus-affair", "multiplier-effect"):
        assert _allows(cached, f"{api}/prod/GET/essays/{essay}")
    for elsewhere in (
        f"{api}/prod/POST/essays/zola-dreyfus-affair",  # another method
        f"{api}/prod/DELETE/essays/zola-dreyfus-affair",
        f"{api}/dev/GET/essays/zola-dreyfus-affair",  # another stage
        "arn:aws:execute-api:eu-west-2:123456789012:otherapi99/prod/GET/essays/x",  # another API
        f"{api}/prod/GET/sections",  # routes outside /essays
        f"{api}/prod/GET/plans",
    ):
        assert not _allows(cached, elsewhere), elsewhere


def test_a_cached_deny_denies_every_essay() -> None:
    api = "arn:aws:execute-api:eu-west-2:123456789012:abcdef1234"
    cached = policy(Decision(False, "user-2", "canceled"), f"{api}/prod/GET/essays/a")
    assert cached["policyDocument"]["Statement"][0]["Effect"] == "Deny"
    assert "context" not in cached
    assert all(
        fnmatch.fnmatchcase(f"{api}/prod/GET/essays/{e}", cached["policyDocument"]["Statement"][0]["Resource"][0])
        for e in ("a", "b")
    )


def test_a_malformed_method_arn_gets_a_policy_for_that_resource_only() -> None:
    response = policy(Decision(True, "u", "active", {"userId": "u", "plan": "p"}), "not-an-arn")
    assert response["policyDocument"]["Statement"][0]["Resource"] == ["not-an-arn"]
    assert json.dumps(response)  # still a well-formed answer for API Gateway
