"""Contributors submit, teachers review and publish (issue 34), through the functions' real entry
points: API Gateway events as the signed-in authorizer passes them (its userId and groups), moto's
DynamoDB and S3, the sample library loaded by the seed CLI. Publishing is checked through the public
routes (preview, search, sections, related) and the paywalled essay, as a reader would meet it."""

from __future__ import annotations

import copy
import importlib
import json
from datetime import UTC, datetime, timedelta
from http import HTTPStatus
from typing import Any

import boto3
import pytest
from essays_cli.loading.previews import PreviewPolicy, build_preview
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

from shared.library.documents import DOCX_TYPE
from shared.library.limits import MAX_BODY_CHARS
from shared.library.models import EssayPreview, FullEssay
from shared.library.preview import READ_MORE
from shared.library.text import paragraphs as split_paragraphs
from shared.store.uploads import upload_key
from tests.conftest import LambdaContext, api_event, body_of, create_table_from_template, earned_essay_event, parse
from tests.documents import docx, empty_docx, essay_docx, macro_docm, zip_bomb
from tests.integration.test_pages_handler import page_event
from tests.integration.test_seed_invalidation import distribution, invalidated

STUDENT, OTHER = "a1b2c3d4-0000-4000-8000-000000000001", "a1b2c3d4-0000-4000-8000-000000000002"
TEACHER, TEACHER_TWO = "7eac4e50-0000-4000-8000-000000000003", "7eac4e50-0000-4000-8000-000000000004"
BUCKET = "uploads-test"
CONTEXT = LambdaContext()
NOW = datetime(2026, 12, 3, 10, 0, tzinfo=UTC)
SECTION = {"level": "AS and A Level", "subject": "History", "section": "Modern European History, 1789-1945"}
SENTENCE = "The {} reforms of the Tsar changed how peasants lived, worked and thought about their land."
BODY = "\n\n".join(
    " ".join(SENTENCE.format(f"{word} {n}") for n in range(8))
    for word in ("agrarian", "military", "judicial", "educational", "fiscal")
)
TITLE = "How far did Alexander II's reforms change Russia"


class Clock:
    def __init__(self) -> None:
        self.now = NOW

    def __call__(self) -> datetime:
        return self.now


@pytest.fixture
def apps(library: str, ddb: Any, monkeypatch: pytest.MonkeyPatch) -> Any:
    create_table_from_template(ddb, "SubmissionsTable", "submissions-test")
    create_table_from_template(ddb, "SubscriptionsTable", "subscriptions-test")
    create_table_from_template(ddb, "MeterTable", "meter-test")
    boto3.client("s3").create_bucket(Bucket=BUCKET, CreateBucketConfiguration={"LocationConstraint": "eu-west-2"})
    monkeypatch.setenv("SUBMISSIONS_TABLE", "submissions-test")
    monkeypatch.setenv("UPLOADS_BUCKET", BUCKET)
    monkeypatch.setenv("FREE_ESSAYS_PER_PUBLICATION", "3")
    from shared.store import uploads

    uploads.s3_client.cache_clear()
    clock = Clock()
    modules = {}
    for name in ("submissions", "review", "preview", "search", "sections", "related", "essay", "me", "pages"):
        module = importlib.reload(importlib.import_module(f"functions.{name}.app"))
        if hasattr(module, "CLOCK"):
            monkeypatch.setattr(module, "CLOCK", clock)
        modules[name] = module
    return type("Apps", (), {**modules, "clock": clock})


def request(
    resource: str,
    method: str = "GET",
    *,
    user: str = STUDENT,
    groups: str | None = None,
    path: dict[str, str] | None = None,
    body: Any = None,
    query: dict[str, str] | None = None,
) -> dict[str, Any]:
    """An API Gateway event as the signed-in authorizer passes it on."""
    event = copy.deepcopy(api_event("me"))
    event["resource"] = event["requestContext"]["resourcePath"] = resource
    event["httpMethod"] = event["requestContext"]["httpMethod"] = method
    event["pathParameters"] = path
    url = resource
    for key, value in (path or {}).items():
        url = url.replace("{" + key + "}", value)
    event["path"] = url
    event["queryStringParameters"] = query
    event["body"] = None if body is None else json.dumps(body)
    authorizer = {"principalId": user, "userId": user}
    if groups is not None:
        authorizer["groups"] = groups
    event["requestContext"]["authorizer"] = authorizer
    return event


def call(apps: Any, function: str, event: dict[str, Any]) -> tuple[int, Any]:
    response = getattr(apps, function).handler(event, CONTEXT)
    return response["statusCode"], body_of(response) if response["body"] else None


def submit(apps: Any, user: str = STUDENT, **fields: Any) -> tuple[int, Any]:
    body = {"title": TITLE, **SECTION, "body": BODY, "ownWork": True, "credit": "named", "creditName": "Ana P."}
    body.update(fields)
    body = {k: v for k, v in body.items() if v is not None}
    return call(apps, "submissions", request("/me/submissions", "POST", user=user, body=body))


def review(apps: Any, action: str, submission_id: str, method: str = "POST", teacher: str = TEACHER, **kw: Any) -> Any:
    resource = "/review/submissions/{submissionId}" + (f"/{action}" if action else "")
    path = {"submissionId": submission_id, **kw.pop("path", {})}
    return call(apps, "review", request(resource, method, user=teacher, groups="teachers", path=path, **kw))


def mine(apps: Any, submission_id: str, user: str = STUDENT) -> tuple[int, Any]:
    event = request("/me/submissions/{submissionId}", user=user, path={"submissionId": submission_id})
    return call(apps, "submissions", event)


def public(apps: Any, function: str, name: str, **kw: Any) -> tuple[int, Any]:
    return call(apps, function, api_event(name, **kw))


def section_counts(apps: Any) -> dict[str, int]:
    tree = public(apps, "sections", "sections")[1]
    return {s["id"]: s["essayCount"] for lv in tree["levels"] for sj in lv["subjects"] for s in sj["sections"]}


# ---- the whole path ---------------------------------------------------------------------------------


def test_a_submission_reviewed_and_published_reads_as_a_loaded_essay(apps: Any) -> None:
    counted_before = section_counts(apps)["as-and-a-level--history--modern-european-history-1789-1945"]
    status, created = submit(apps)
    assert status == HTTPStatus.CREATED, created
    submission = parse(MySubmission, created)
    assert (submission.state, submission.word_count, submission.section_id) == (
        "submitted",
        len(BODY.split()),
        "as-and-a-level--history--modern-european-history-1789-1945",
    )
    sid = submission.submission_id
    status, listed = call(apps, "submissions", request("/me/submissions"))
    assert status == 200 and [s.submission_id for s in parse(MySubmissions, listed).items] == [sid]

    status, queued = call(apps, "review", request("/review/queue", user=TEACHER, groups="teachers"))
    assert status == 200 and [q.state for q in parse(ReviewQueue, queued).items] == ["submitted"]

    status, claim = review(apps, "claim", sid)
    assert status == 200 and parse(ClaimHeld, claim).claim.teacher_id == TEACHER
    assert review(apps, "claim", sid, teacher=TEACHER_TWO)[0] == HTTPStatus.CONFLICT

    paragraphs = split_paragraphs(BODY)
    quote = "military 3 reforms"
    start = paragraphs[1].index(quote)
    note = {"paragraph": 2, "start": start, "end": start + len(quote), "kind": "strength", "comment": "Precise."}
    status, marked = review(apps, "annotations", sid, body=note)
    assert status == HTTPStatus.CREATED and parse(MarkedPassages, marked).annotations[0].quote == quote
    overlap = {**note, "start": start + 3, "end": start + 20, "kind": "note"}
    status, refused = review(apps, "annotations", sid, body=overlap)
    assert status == 400 and "overlaps annotations[0]" in refused["error"]["message"]
    second = {"paragraph": 4, "start": 0, "end": 3, "kind": "improvement", "comment": "Open with a claim."}
    assert review(apps, "annotations", sid, body=second)[0] == HTTPStatus.CREATED

    assert review(apps, "publish", sid)[1]["error"]["message"].startswith("rate the essay")
    status, assessed = review(apps, "assessment", sid, "PUT", body={"rating": 4, "teacherComment": "Well argued."})
    assert status == 200 and parse(ReviewedSubmission, assessed).rating == 4

    status, published = review(apps, "publish", sid)
    assert status == 200, published
    essay_id = parse(PublishedEssay, published).essay_id
    assert essay_id.startswith("how-far-did-alexander-ii-s-reforms-change-russia-")

    # the contributor sees it published, with the free essays earned and credited to their account
    status, theirs = mine(apps, sid)
    assert (theirs["state"], theirs["essayId"], theirs["freeEssaysEarned"]) == ("published", essay_id, 3)
    account = boto3.client("dynamodb").get_item(TableName="subscriptions-test", Key={"userId": {"S": STUDENT}})
    assert account["Item"]["earnedEssays"] == {"N": "3"}

    # every action is on the record, for the other teachers
    status, seen = review(apps, "", sid, "GET", teacher=TEACHER_TWO)
    actions = [h.action for h in parse(ReviewedSubmission, seen).history]
    assert actions == ["submitted", "claimed", "annotated", "annotated", "assessed", "published"]

    # the library: preview at the loader's share, search, the section's count, related lists, the paywall
    status, preview = public(apps, "preview", "preview", path_parameters={"essayId": essay_id})
    assert status == 200
    served = [e.text.removesuffix(READ_MORE).rstrip() for e in parse(EssayPreview, preview).extracts]
    assert served == list(build_preview(BODY, PreviewPolicy(share=0.30)).extracts)  # as a load derives it
    assert 0 < sum(len(text.split()) for text in served) <= 0.30 * len(BODY.split())
    status, found = public(apps, "search", "search", query={"q": "Alexander reforms"})
    assert essay_id in [r["essayId"] for r in found["results"]]
    assert section_counts(apps)[submission.section_id] == counted_before + 1
    status, related = public(
        apps, "related", "related", path_parameters={"essayId": "stalin-rise-to-power"}, query={"limit": "20"}
    )
    assert essay_id in [r["essayId"] for r in related["related"]]
    full = api_event("essay", path_parameters={"essayId": essay_id})
    response = apps.essay.handler(full, CONTEXT)
    assert response["statusCode"] == 200
    essay = parse(FullEssay, body_of(response))
    assert essay.paragraphs == paragraphs and [a.quote for a in essay.annotations] == [quote, "The"]


# ---- the state machine ------------------------------------------------------------------------------


def test_a_claim_expires_and_another_teacher_takes_over(apps: Any) -> None:
    sid = submit(apps)[1]["submissionId"]
    assert review(apps, "claim", sid)[0] == 200
    apps.clock.now = NOW + timedelta(minutes=31)  # ClaimMinutes defaults to 30
    status, queued = call(apps, "review", request("/review/queue", user=TEACHER_TWO, groups="teachers"))
    assert queued["items"][0]["state"] == "submitted" and queued["items"][0]["claimedBy"] is None
    assert review(apps, "claim", sid, teacher=TEACHER_TWO)[0] == 200
    status, refused = review(apps, "assessment", sid, "PUT", body={"rating": 3})
    assert status == HTTPStatus.CONFLICT and "claim" in refused["error"]["message"]


def test_returned_then_withdrawn_and_rejected(apps: Any) -> None:
    first = submit(apps)[1]["submissionId"]
    second = submit(apps, title="A second essay about the reforms")[1]["submissionId"]
    review(apps, "claim", first)
    assert review(apps, "return", first, body={"feedback": "Add sources."})[0] == 200
    assert mine(apps, first)[1] | {} == mine(apps, first)[1] and mine(apps, first)[1]["feedback"] == "Add sources."
    withdraw = request("/me/submissions/{submissionId}", "DELETE", path={"submissionId": first})
    assert call(apps, "submissions", withdraw) == (HTTPStatus.NO_CONTENT, None)
    assert mine(apps, first)[1]["state"] == "withdrawn"
    assert call(apps, "submissions", withdraw)[0] == HTTPStatus.CONFLICT
    review(apps, "claim", second)
    assert review(apps, "reject", second, body={"reason": "Not your own work."})[0] == 200
    assert (mine(apps, second)[1]["state"], mine(apps, second)[1]["reason"]) == ("rejected", "Not your own work.")
    _status, queued = call(apps, "review", request("/review/queue", user=TEACHER, groups="teachers"))
    assert queued["items"] == []


def test_the_queue_is_oldest_first_and_paged(apps: Any) -> None:
    ids = []
    for n in range(23):
        apps.clock.now = NOW + timedelta(minutes=n)
        ids.append(submit(apps, title=f"Essay number {n} on the reforms")[1]["submissionId"])
    first = call(apps, "review", request("/review/queue", user=TEACHER, groups="teachers"))[1]
    second = call(
        apps, "review", request("/review/queue", user=TEACHER, groups="teachers", query={"cursor": first["cursor"]})
    )[1]
    assert [i["submissionId"] for i in first["items"] + second["items"]] == ids and second["cursor"] is None
    mine_first = call(apps, "submissions", request("/me/submissions"))[1]
    assert mine_first["items"][0]["submissionId"] == ids[-1]  # the contributor's own: newest first


# ---- security ---------------------------------------------------------------------------------------


def test_another_contributors_submission_is_not_found(apps: Any) -> None:
    sid = submit(apps)[1]["submissionId"]
    assert mine(apps, sid, user=OTHER)[0] == HTTPStatus.NOT_FOUND
    withdraw = request("/me/submissions/{submissionId}", "DELETE", user=OTHER, path={"submissionId": sid})
    assert call(apps, "submissions", withdraw)[0] == HTTPStatus.NOT_FOUND
    assert call(apps, "submissions", request("/me/submissions", user=OTHER))[1]["items"] == []


@pytest.mark.parametrize("groups", [None, "", "readers", "teachers-assistants"])
def test_only_teachers_review(apps: Any, groups: str | None) -> None:
    sid = submit(apps)[1]["submissionId"]
    for event in (
        request("/review/queue", groups=groups),
        request("/review/submissions/{submissionId}", groups=groups, path={"submissionId": sid}),
        request("/review/submissions/{submissionId}/publish", "POST", groups=groups, path={"submissionId": sid}),
    ):
        status, body = call(apps, "review", event)
        assert (status, body["error"]["code"]) == (HTTPStatus.FORBIDDEN, "forbidden")


def test_no_public_route_shows_an_unpublished_submission(apps: Any) -> None:
    sid = submit(apps)[1]["submissionId"]
    review(apps, "claim", sid)
    review(apps, "assessment", sid, "PUT", body={"rating": 5})
    _status, found = public(apps, "search", "search", query={"q": "Alexander reforms"})
    assert TITLE not in [r["title"] for r in found["results"]]
    from functions.review.publishing import essay_id_of

    would_be = essay_id_of(apps.review.STORE.get(sid))
    assert public(apps, "preview", "preview", path_parameters={"essayId": would_be})[0] == HTTPStatus.NOT_FOUND


# ---- validation: the loader's limits and words --------------------------------------------------------


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"title": "x" * 201}, "title: is too long: at most 200 characters, this one has 201"),
        ({"title": "  "}, "title: is empty; please fill it in"),
        ({"section": "Ancient History"}, "section: there is no such section"),
        ({"ownWork": None}, "ownWork: declare"),
        ({"body": "   "}, "body: the essay text is empty"),
        ({"body": "x" * 200_001}, "body: is too long: at most 200,000 characters, this one has 200,001"),
        ({"uploadId": "u-" + "0" * 24}, "send the essay as body (pasted text) or uploadId"),
        ({"credit": "famous"}, "credit: must be named or anonymous"),
    ],
)
def test_refused_as_the_loader_refuses(apps: Any, fields: dict[str, Any], message: str) -> None:
    status, body = submit(apps, **fields)
    assert status == 400 and body["error"]["message"].startswith(message), body


def test_an_essay_sent_with_json_escapes_is_never_a_413(apps: Any) -> None:
    # Python's json.dumps escapes every non-ASCII character: 6 bytes each, 12 outside the BMP. A valid essay
    # so sent is over 4 bytes a character; one character too long is the loader's 400, never a 413.
    words = "\n\n".join(" ".join(["реформа"] * 200) for _ in range(100))  # 160,099 characters
    status, created = submit(apps, body=words)
    assert len(json.dumps(words)) > MAX_BODY_CHARS * 4 and status == HTTPStatus.CREATED, created
    assert created["wordCount"] == 20_000
    status, refused = submit(apps, body="\U0001f600" * (MAX_BODY_CHARS + 1))
    assert status == HTTPStatus.BAD_REQUEST, refused
    assert refused["error"]["message"].startswith("body: is too long: at most 200,000 characters")
    status, too_large = submit(apps, body="x" * 10, title="\U0001f600" * 210_000)  # no valid submission is
    assert status == HTTPStatus.REQUEST_ENTITY_TOO_LARGE and too_large["error"]["code"] == "payload_too_large"


def test_the_loader_says_the_same_of_a_title_too_long(tmp_path: Any) -> None:
    from essays_cli.loading.files import read_records

    path = tmp_path / "one.jsonl"
    path.write_text(json.dumps({"title": "x" * 201, **SECTION, "body": BODY}) + "\n")
    (problem,) = next(iter(read_records(path))).problems
    assert problem.message == "is too long: at most 200 characters, this one has 201"


# ---- uploads ------------------------------------------------------------------------------------------


def upload(apps: Any, data: bytes, user: str = STUDENT) -> str:
    status, form = call(apps, "submissions", request("/me/submissions/uploads", "POST", user=user, body={"size": 9}))
    assert status == HTTPStatus.CREATED
    parsed = parse(UploadForm, form)
    assert parsed.fields["Content-Type"] == DOCX_TYPE and parsed.fields["key"] == upload_key(user, parsed.upload_id)
    policy = json.loads(__import__("base64").b64decode(parsed.fields["policy"]))
    assert ["content-length-range", 1, 5 * 1024 * 1024] in policy["conditions"]
    boto3.client("s3").put_object(Bucket=BUCKET, Key=parsed.fields["key"], Body=data, ContentType=DOCX_TYPE)
    return parsed.upload_id


@pytest.mark.parametrize(
    ("said", "field"),
    [
        ({"size": -1}, "size"),
        ({"size": 0}, "size"),
        ({"size": 50 * 1024 * 1024}, "size"),
        ({"size": "9"}, "size"),
        ({"fileName": ".DOCX", "size": None}, "size"),  # found by make fuzz
        ({"fileName": None, "size": 9}, "fileName"),
        ({"fileName": ""}, "fileName"),
        ({"fileName": "essay.pdf", "size": 9}, "fileName"),
    ],
)
def test_an_upload_said_to_be_no_docx_or_of_a_wrong_size_gets_no_form(
    apps: Any, said: dict[str, Any], field: str
) -> None:
    status, body = call(apps, "submissions", request("/me/submissions/uploads", "POST", user=STUDENT, body=said))
    assert status == HTTPStatus.BAD_REQUEST
    assert body["error"]["message"].startswith(f"{field}: ")
    ok, _ = call(
        apps,
        "submissions",
        request("/me/submissions/uploads", "POST", user=STUDENT, body={"fileName": "My Essay.DOCX", "size": 9}),
    )
    assert ok == HTTPStatus.CREATED


def uploads_left() -> list[str]:
    return [o["Key"] for o in boto3.client("s3").list_objects_v2(Bucket=BUCKET).get("Contents", [])]


def test_a_docx_becomes_paragraphs_with_its_emphasis_and_is_deleted(apps: Any) -> None:
    texts = split_paragraphs(BODY)
    upload_id = upload(apps, essay_docx(texts))
    status, created = submit(apps, body=None, uploadId=upload_id)
    assert status == HTTPStatus.CREATED, created
    assert uploads_left() == []
    stored, emphasis = apps.submissions.STORE.text(created["submissionId"])
    assert stored == texts and created["wordCount"] == len(BODY.split())
    assert [(e["style"], texts[0][e["start"] : e["end"]]) for e in emphasis] == [("strong", "agrarian"), ("em", "0")]


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"%PDF-1.7 not a word document", "the file is not a Word document (.docx)"),
        (zip_bomb(), "the document is packed suspiciously tightly"),
        (macro_docm(["Ten words of an essay with macros in the file."]), "the document contains macros"),
        (empty_docx(), "the document has no text: 0 words"),
        (docx([[("", "word ")]]) + b"\0" * (5 * 1024 * 1024), "the file is larger than 5 MB"),
    ],
    ids=["not-docx", "zip-bomb", "macro", "no-words", "too-large"],
)
def test_bad_uploads_are_refused_and_deleted(apps: Any, data: bytes, message: str) -> None:
    upload_id = upload(apps, data)
    status, body = submit(apps, body=None, uploadId=upload_id)
    assert status == 400 and body["error"]["message"].startswith(message), body
    assert uploads_left() == []
    assert call(apps, "submissions", request("/me/submissions"))[1]["items"] == []


def test_another_readers_upload_cannot_be_used(apps: Any) -> None:
    upload_id = upload(apps, essay_docx(split_paragraphs(BODY)))
    status, body = submit(apps, user=OTHER, body=None, uploadId=upload_id)
    assert status == 400 and "upload the file again" in body["error"]["message"]
    assert uploads_left() == [upload_key(STUDENT, upload_id)]  # the owner's upload is untouched


# ---- the contributor's earned essays ---------------------------------------------------------------


def test_earned_essays_open_full_essays_when_the_months_are_spent(apps: Any) -> None:
    """The authorizer passes `earned` (test_subscriber_access.py); the meter is off here (0 a month)."""
    assert apps.essay.FREE_ESSAYS_PER_MONTH == 0

    def read(essay_id: str) -> tuple[int, Any]:
        response = apps.essay.handler(earned_essay_event(essay_id, STUDENT, 2), CONTEXT)
        return response["statusCode"], body_of(response)

    assert read("stalin-rise-to-power")[0] == 200
    status, second = read("multiplier-effect")
    assert (status, second["access"]["used"], second["access"]["limit"]) == (200, 2, 2)
    status, refused = read("weimar-republic-collapse")
    assert status == HTTPStatus.FORBIDDEN and refused["error"]["code"] == "subscription_required"
    assert read("stalin-rise-to-power")[0] == 200  # a re-read costs nothing


def publish_one(apps: Any, **fields: Any) -> str:
    """A submission taken through review and published: its essay's id."""
    sid = submit(apps, **fields)[1]["submissionId"]
    assert review(apps, "claim", sid)[0] == 200
    assert review(apps, "assessment", sid, "PUT", body={"rating": 4, "teacherComment": "Well argued."})[0] == 200
    status, published = review(apps, "publish", sid)
    assert status == 200, published
    return str(published["essayId"])


def shown(apps: Any, essay_id: str) -> tuple[dict[str, Any], dict[str, Any], str]:
    """The preview's JSON, the full essay's JSON (as a subscriber reads it) and the essay page's HTML."""
    preview = public(apps, "preview", "preview", path_parameters={"essayId": essay_id})[1]
    parse(EssayPreview, preview)
    response = apps.essay.handler(api_event("essay", path_parameters={"essayId": essay_id}), CONTEXT)
    full = body_of(response)
    parse(FullEssay, full)
    page = apps.pages.handler(page_event(f"/essays/{essay_id}"), CONTEXT)
    assert (response["statusCode"], page["statusCode"]) == (200, 200)
    return preview, full, page["body"]


# ---- the contributor's credit on the published essay ------------------------------------------------


def test_a_named_contributor_is_credited_on_the_preview_the_essay_and_its_page(apps: Any) -> None:
    preview, full, html = shown(apps, publish_one(apps, credit="named", creditName="Ana <P.>"))
    assert preview["contributor"] == full["contributor"] == {"name": "Ana <P.>"}
    assert "Contributed by Ana &lt;P.&gt;" in html
    # a library essay has no contributor at all
    library_preview, library_full, library_html = shown(apps, "stalin-rise-to-power")
    assert "contributor" not in library_preview and "contributor" not in library_full
    assert "Contributed by" not in library_html


def test_an_anonymous_contributor_is_named_nowhere(apps: Any) -> None:
    essay_id = publish_one(apps, credit="anonymous", creditName="Ana P.")
    preview, full, html = shown(apps, essay_id)
    assert "contributor" not in preview and "contributor" not in full
    for text in (json.dumps(preview), json.dumps(full), html):
        assert "Ana P." not in text and STUDENT not in text and "Contributed by" not in text


# ---- the contributor's earned essays on their account -----------------------------------------------


def my_subscription(apps: Any, user: str = STUDENT) -> dict[str, Any]:
    response = apps.me.handler(request("/me/subscription", user=user), CONTEXT)
    assert response["statusCode"] == 200
    return body_of(response)  # type: ignore[no-any-return]


def test_the_account_shows_the_free_essays_earned_and_not_yet_opened(apps: Any) -> None:
    assert my_subscription(apps)["earnedEssays"] == 0
    publish_one(apps)
    assert my_subscription(apps)["earnedEssays"] == 3
    assert my_subscription(apps, OTHER)["earnedEssays"] == 0  # another reader earned nothing
    event = api_event("essay", path_parameters={"essayId": "stalin-rise-to-power"})
    event["requestContext"]["authorizer"] = {
        "principalId": STUDENT,
        "userId": STUDENT,
        "plan": "",
        "access": "metered",
        "earned": "3",
    }
    for _ in range(2):  # a re-read costs nothing
        assert apps.essay.handler(event, CONTEXT)["statusCode"] == 200
    assert my_subscription(apps)["earnedEssays"] == 2


# ---- the edge forgets what a publication changed ------------------------------------------------------


def site_distribution() -> str:
    """The site's distribution as moto keeps it, and the SSM parameter the template gives its id."""
    distribution_id = distribution()
    boto3.client("ssm").put_parameter(Name="/essays-test/site-distribution-id", Value=distribution_id, Type="String")
    return distribution_id


def test_a_publication_invalidates_its_essay_section_and_the_lists_at_the_edge(
    apps: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    distribution_id = site_distribution()
    monkeypatch.setenv("EDGE_DISTRIBUTION_PARAMETER", "/essays-test/site-distribution-id")
    apps.review = importlib.reload(apps.review)

    essay_id = publish_one(apps)

    (paths,) = invalidated(distribution_id)
    section_id = public(apps, "preview", "preview", path_parameters={"essayId": essay_id})[1]["breadcrumb"]["section"][
        "id"
    ]
    assert {f"/api/essays/{essay_id}", f"/api/essays/{essay_id}/preview", f"/essays/{essay_id}"} <= set(paths)
    assert {f"/api/sections/{section_id}/essays*", f"/sections/{section_id}*"} <= set(paths)
    assert {"/api/sections", "/api/search*", "/", "/sitemap.xml"} <= set(paths)


def test_a_publication_stands_when_the_edge_cannot_be_told(
    apps: Any, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    monkeypatch.setenv("EDGE_DISTRIBUTION_PARAMETER", "/essays-test/no-such-parameter")
    apps.review = importlib.reload(apps.review)

    essay_id = publish_one(apps)

    assert public(apps, "preview", "preview", path_parameters={"essayId": essay_id})[0] == 200
    assert "the edge was not told of the publication" in caplog.text


# ---- every language: a text is measured in the bytes it is stored in ------------------------------------

CHINESE = "这是一个关于历史的句子，它讲述了很多事情和很多人的故事。"


def chinese_essay(characters: int) -> str:
    paragraph = CHINESE * 40
    return "\n\n".join([paragraph] * (characters // len(paragraph) + 1))[:characters]


def test_a_long_chinese_essay_is_kept_whole_up_to_what_one_item_holds(apps: Any) -> None:
    body = chinese_essay(115_000)  # ~345 KB in UTF-8, under 200,000 characters
    status, made = submit(apps, body=body)
    assert status == 201, made
    status, kept = mine(apps, made["submissionId"])
    assert status == 200 and kept["wordCount"] == made["wordCount"] > 0
    # and the teacher reads it whole
    assert review(apps, "claim", made["submissionId"])[0] == 200
    status, reviewed = review(apps, "", made["submissionId"], "GET")
    assert status == 200 and "".join(reviewed["paragraphs"]) == body.replace("\n\n", "")


def test_a_chinese_essay_too_big_to_store_is_a_400_that_says_so_and_nothing_is_kept(apps: Any) -> None:
    body = chinese_essay(150_000)  # 150,000 characters are allowed, but take ~450 KB in UTF-8
    status, refused = submit(apps, body=body)
    assert status == 400, refused
    message = refused["error"]["message"]
    assert message.startswith("body: is too large to store: it takes 4") and "KB in UTF-8" in message
    assert call(apps, "submissions", request("/me/submissions"))[1]["items"] == []
