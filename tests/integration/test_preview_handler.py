"""GET /essays/{essayId}/preview through the function's real entry point, against moto."""

from __future__ import annotations

from http import HTTPStatus
from typing import Any

import pytest
from botocore.exceptions import ClientError
from essays_cli.loading.slugs import essay_id_from_title

from functions.preview import app
from shared.library.models import EssayPreview
from shared.library.preview import READ_MORE
from shared.library.text import join_units, paragraphs, units
from tests.conftest import api_event, body_of, parse, sample_records


def preview(essay_id: str, context: Any, **kwargs: Any) -> dict[str, Any]:
    return app.handler(api_event("preview", path_parameters={"essayId": essay_id}, **kwargs), context)


def test_every_sample_preview_shows_at_most_30_percent_in_three_extracts(library: str, context: Any) -> None:
    for record in sample_records():
        essay_id = record.get("id") or essay_id_from_title(record["title"])
        # When the preview of each sample essay is requested
        response = preview(essay_id, context)

        # Then it is served, with three labelled extracts, each marked readMore (the client words the
        # link: the text is the essay's alone)
        assert response["statusCode"] == HTTPStatus.OK, record["title"]
        body = parse(EssayPreview, body_of(response))
        assert [e.part for e in body.extracts] == ["Introduction", "Middle", "Conclusion"]
        assert all(e.read_more and e.text and not e.text.endswith(READ_MORE) for e in body.extracts)
        assert body.formatted is False
        # and together the extracts keep at most 30% of the essay's words (characters, in Chinese)
        shown = sum(len(units(e.text)) for e in body.extracts)
        essay_words = len(units(record["body"]))
        assert 0 < shown <= 0.30 * essay_words
        assert body.word_count == essay_words
        # and each extract is a verbatim, unformatted piece of the essay (paragraph breaks dropped: an
        # extract may run across them, and in Chinese no space marks where one was)
        flat = join_units(units(" ".join(paragraphs(record["body"]))))
        assert all(e.text.strip() in flat for e in body.extracts)


def test_preview_header_has_title_breadcrumb_rating_and_word_count(library: str, context: Any) -> None:
    response = preview("stalin-rise-to-power", context)

    body = body_of(response)
    assert body["title"] == "How did Stalin rise to power after Lenin's death?"
    assert body["breadcrumb"] == {
        "level": "AS and A Level",
        "subject": "History",
        "section": {
            "id": "as-and-a-level--history--modern-european-history-1789-1945",
            "name": "Modern European History, 1789-1945",
        },
    }
    assert body["rating"] == 5
    assert body["wordCount"] > 1500
    assert "body" not in body and "paragraphs" not in body and "teacherComment" not in body


def test_essay_without_rating_has_null_rating(library: str, context: Any) -> None:
    unrated = next(r for r in sample_records() if not r.get("rating"))
    response = preview(unrated.get("id") or essay_id_from_title(unrated["title"]), context)
    assert body_of(response)["rating"] is None


def test_public_cache_headers_cors_and_etag_revalidation(library: str, context: Any) -> None:
    first = preview("zola-dreyfus-affair", context)
    headers = first["headers"]
    assert headers["Cache-Control"].startswith("public, max-age=")
    assert "s-maxage=" in headers["Cache-Control"]
    assert headers["Access-Control-Allow-Origin"] == "https://essays.example.com"
    etag = headers["ETag"]

    # A client revalidating with the ETag (header name in any case) gets 304 and no body
    again = preview("zola-dreyfus-affair", context, headers={"if-none-match": etag})
    assert again["statusCode"] == HTTPStatus.NOT_MODIFIED
    assert again["body"] == ""
    assert again["headers"]["ETag"] == etag

    stale = preview("zola-dreyfus-affair", context, headers={"If-None-Match": '"something-else"'})
    assert stale["statusCode"] == HTTPStatus.OK


def test_unknown_essay_is_404_json(library: str, context: Any) -> None:
    response = preview("no-such-essay", context)
    assert response["statusCode"] == HTTPStatus.NOT_FOUND
    assert body_of(response)["error"]["code"] == "not_found"
    assert "no-such-essay" in body_of(response)["error"]["message"]
    assert response["headers"]["Access-Control-Allow-Origin"] == "https://essays.example.com"


@pytest.mark.parametrize("bad_id", ["Stalin", "a b", "x" * 101, "-leading-hyphen", "semi;colon", "ESSAY#x"])
def test_malformed_essay_id_is_400_json(essays_table: str, context: Any, bad_id: str) -> None:
    response = preview(bad_id, context)
    assert response["statusCode"] == HTTPStatus.BAD_REQUEST
    assert body_of(response)["error"]["code"] == "invalid_request"
    assert "essayId" in body_of(response)["error"]["message"]


def test_malformed_stored_item_is_a_500_that_leaks_nothing(essays_table: str, ddb: Any, context: Any) -> None:
    ddb.put_item(
        TableName=essays_table,
        Item={
            "pk": {"S": "ESSAY#broken"},
            "sk": {"S": "CARD"},
            "essayId": {"S": "broken"},
            "title": {"S": "Broken"},
        },
    )
    response = preview("broken", context)
    assert response["statusCode"] == HTTPStatus.INTERNAL_SERVER_ERROR
    assert body_of(response) == {
        "error": {"code": "internal_error", "message": "Something went wrong on our side; please try again later."}
    }


def test_dynamodb_throttling_is_503_with_retry_after(
    library: str, context: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    def throttled(**_: Any) -> None:
        raise ClientError(
            {"Error": {"Code": "ProvisionedThroughputExceededException", "Message": "slow down"}}, "GetItem"
        )

    monkeypatch.setattr(app.STORE.client, "get_item", throttled)
    response = preview("zola-dreyfus-affair", context)
    assert response["statusCode"] == HTTPStatus.SERVICE_UNAVAILABLE
    assert response["headers"]["Retry-After"] == "1"
    assert body_of(response)["error"]["code"] == "unavailable"
