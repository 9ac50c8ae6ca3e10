"""Related essays, title search, sections and plans through their handlers, against moto
with the sample library loaded."""

from __future__ import annotations

import json
from http import HTTPStatus
from pathlib import Path
from typing import Any

import pytest
from essays_cli import seed

from functions.plans import app as plans_app
from functions.related import app as related_app
from functions.search import app as search_app
from functions.sections import app as sections_app
from shared.library.cursor import EXPIRY_STEP_SECONDS
from shared.library.models import RelatedEssays, SearchResults, SectionEssays, SectionTree
from tests.conftest import api_event, body_of, parse, sample_records

HISTORY = "as-and-a-level--history--modern-european-history-1789-1945"
POETRY = "gcse--english--poetry"


def related(essay_id: str, context: Any, limit: str | None = None) -> dict[str, Any]:
    event = api_event("related", path_parameters={"essayId": essay_id}, query={"limit": limit} if limit else {})
    return related_app.handler(event, context)


def search(context: Any, **query: str) -> dict[str, Any]:
    return search_app.handler(api_event("search", query=query), context)


def section_essays(section_id: str, context: Any, **query: str) -> dict[str, Any]:
    event = api_event("section_essays", path_parameters={"sectionId": section_id}, query=query)
    return sections_app.handler(event, context)


def error_code(response: dict[str, Any]) -> str:
    return str(body_of(response)["error"]["code"])


# ---- related ------------------------------------------------------------------------------


def test_an_essay_about_stalin_lists_the_other_stalin_essays_first(library: str, context: Any) -> None:
    response = related("stalin-rise-to-power", context)

    assert response["statusCode"] == HTTPStatus.OK
    body = parse(RelatedEssays, body_of(response))
    titles = [r.title for r in body.related]
    assert len(titles) == 8  # the default
    assert all("Stalin" in t for t in titles[:3]), titles
    assert not any("Stalin" in t for t in titles[3:])
    assert body.section.id == HISTORY and body.section.name == "Modern European History, 1789-1945"


def test_related_essays_are_other_essays_of_the_section_without_duplicates(library: str, context: Any) -> None:
    history_titles = {r["title"] for r in sample_records() if r["section"] == "Modern European History, 1789-1945"}
    body = body_of(related("zola-dreyfus-affair", context, limit="20"))

    ids = [r["essayId"] for r in body["related"]]
    assert len(ids) == len(set(ids)) == len(history_titles) - 1  # all the others, once each
    assert "zola-dreyfus-affair" not in ids
    assert {r["title"] for r in body["related"]} < history_titles
    assert all(r["snippet"] and len(r["snippet"]) <= 90 for r in body["related"])


@pytest.mark.parametrize("limit", ["0", "21", "abc", "-1", "2.5"])
def test_related_limit_out_of_range_is_400(library: str, context: Any, limit: str) -> None:
    response = related("stalin-rise-to-power", context, limit=limit)
    assert response["statusCode"] == HTTPStatus.BAD_REQUEST
    assert "limit must be a whole number from 1 to 20" in body_of(response)["error"]["message"]


def test_related_of_unknown_essay_is_404(library: str, context: Any) -> None:
    assert related("no-such-essay", context)["statusCode"] == HTTPStatus.NOT_FOUND


# ---- search -------------------------------------------------------------------------------


def test_accents_and_case_do_not_matter(library: str, context: Any) -> None:
    body = parse(SearchResults, body_of(search(context, q="EMILE zola")))
    assert body.results[0].title == "Émile Zola and the Dreyfus Affair"
    assert body.results[0].breadcrumb.section.id == HISTORY


def test_plural_and_singular_match_and_more_matched_words_rank_first(library: str, context: Any) -> None:
    body = parse(SearchResults, body_of(search(context, q="revolution cause")))
    titles = [r.title for r in body.results]
    # both match both words; the better rated comes first
    assert titles[:2] == [
        "The causes of the revolutions of 1848",
        "What were the main causes of the French Revolution?",
    ]
    assert [r.matched_words for r in body.results[:2]] == [2, 2]
    assert all(r.matched_words == 1 for r in body.results[2:])


def test_search_pages_have_no_duplicates_or_gaps(library: str, context: Any) -> None:
    everything = [r["essayId"] for r in body_of(search(context, q="stalin power war", limit="50"))["results"]]
    assert len(everything) > 5

    seen: list[str] = []
    cursor = None
    while True:
        query = {"q": "stalin power war", "limit": "2", **({"cursor": cursor} if cursor else {})}
        body = body_of(search(context, **query))
        seen += [r["essayId"] for r in body["results"]]
        cursor = body["nextCursor"]
        if cursor is None:
            break
    assert seen == everything


def test_a_tampered_or_foreign_cursor_is_400(library: str, context: Any) -> None:
    cursor = body_of(search(context, q="stalin", limit="1"))["nextCursor"]
    tampered = cursor[:-3] + ("AAA" if not cursor.endswith("AAA") else "BBB")

    for bad in (tampered, "not-a-cursor", cursor + "x"):
        response = search(context, q="stalin", limit="1", cursor=bad)
        assert response["statusCode"] == HTTPStatus.BAD_REQUEST, bad
        assert "cursor is not valid" in body_of(response)["error"]["message"]
    assert search(context, q="revolution", cursor=cursor)["statusCode"] == HTTPStatus.BAD_REQUEST  # another query's
    section_cursor = body_of(section_essays(HISTORY, context, limit="2"))["nextCursor"]
    assert search(context, q="stalin", cursor=section_cursor)["statusCode"] == HTTPStatus.BAD_REQUEST


def test_an_expired_cursor_is_400(library: str, context: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    cursor = body_of(search(context, q="stalin", limit="1"))["nextCursor"]
    clock = search_app.CURSORS._clock
    # expiries are rounded up to a whole step: past the hour and that step, the cursor is stale
    monkeypatch.setattr(search_app.CURSORS, "_clock", lambda: clock() + 3600 + EXPIRY_STEP_SECONDS + 1)
    assert search(context, q="stalin", limit="1", cursor=cursor)["statusCode"] == HTTPStatus.BAD_REQUEST


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ({"q": ""}, "q is empty"),
        ({}, "q is empty"),
        ({"q": "   "}, "q is empty"),
        ({"q": "x" * 201}, "q is too long"),
        ({"q": "one two three four five six seven eight nine"}, "too many words"),
        ({"q": "the of and"}, "no words to search for"),
        ({"q": "stalin", "limit": "51"}, "limit must be a whole number from 1 to 50"),
    ],
)
def test_bad_search_queries_are_400_not_a_scan(library: str, context: Any, query: dict[str, str], message: str) -> None:
    response = search(context, **query)
    assert response["statusCode"] == HTTPStatus.BAD_REQUEST
    assert message in body_of(response)["error"]["message"]


def test_search_with_no_match_is_an_empty_page(library: str, context: Any) -> None:
    body = body_of(search(context, q="xylophone"))
    assert body["results"] == [] and body["nextCursor"] is None


# ---- sections -----------------------------------------------------------------------------


def test_the_section_tree_has_levels_subjects_sections_and_counts(library: str, context: Any) -> None:
    tree = parse(SectionTree, body_of(sections_app.handler(api_event("sections"), context)))

    assert [level.name for level in tree.levels] == ["AS and A Level", "GCSE"]
    assert tree.essay_count == len(sample_records())
    a_level = tree.levels[0]
    assert [s.name for s in a_level.subjects] == ["Chinese", "Economics", "English", "History", "Russian"]
    history = a_level.subjects[3].sections[0]
    assert (history.id, history.name, history.essay_count) == (HISTORY, "Modern European History, 1789-1945", 10)


def test_section_essays_page_through_in_title_order(library: str, context: Any) -> None:
    seen: list[str] = []
    cursor = None
    for _ in range(10):
        body = parse(
            SectionEssays,
            body_of(section_essays(HISTORY, context, limit="3", **({"cursor": cursor} if cursor else {}))),
        )
        assert body.section.name == "Modern European History, 1789-1945"
        seen += [e.title for e in body.essays]
        cursor = body.next_cursor
        if cursor is None:
            break
    assert len(seen) == len(set(seen)) == 10
    assert seen == sorted(seen, key=lambda t: t.casefold().replace("é", "e"))


def test_section_errors(library: str, context: Any) -> None:
    assert section_essays("gcse--english--no-such", context)["statusCode"] == HTTPStatus.NOT_FOUND
    assert section_essays("Not A Section", context)["statusCode"] == HTTPStatus.BAD_REQUEST
    cursor = body_of(section_essays(HISTORY, context, limit="2"))["nextCursor"]
    foreign = section_essays(POETRY, context, cursor=cursor)
    assert foreign["statusCode"] == HTTPStatus.BAD_REQUEST and error_code(foreign) == "invalid_request"


def test_counts_follow_additions_and_removals(
    library: str, context: Any, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    def poetry_count() -> int:
        tree = body_of(sections_app.handler(api_event("sections"), context))
        gcse = next(level for level in tree["levels"] if level["name"] == "GCSE")
        english = next(s for s in gcse["subjects"] if s["name"] == "English")
        return int(english["sections"][0]["essayCount"])

    assert poetry_count() == 6
    new = tmp_path / "new.jsonl"
    new.write_text(
        json.dumps(
            {
                "id": "remains-and-exposure",
                "title": "Memory in Remains and Exposure",
                "level": "GCSE",
                "subject": "English",
                "section": "Poetry",
                "body": "Both poems are about memory. Both are about war. Both end in doubt.",
            }
        )
        + "\n"
    )
    assert seed.main(["load", str(new), "--table", library]) == 0
    assert poetry_count() == 7
    related_titles = [r["title"] for r in body_of(related("dulce-et-decorum-est", context, limit="20"))["related"]]
    assert "Memory in Remains and Exposure" in related_titles

    assert seed.main(["remove", "remains-and-exposure", "--table", library]) == 0
    assert poetry_count() == 6
    capsys.readouterr()


# ---- plans --------------------------------------------------------------------------------


def test_plans_come_from_configuration(context: Any) -> None:
    response = plans_app.handler(api_event("plans"), context)
    assert response["statusCode"] == HTTPStatus.OK
    assert body_of(response) == {"plans": [{"name": "Monthly", "price": "6.99", "currency": "GBP", "period": "month"}]}
    assert response["headers"]["Cache-Control"].startswith("public")


@pytest.mark.parametrize(
    ("field", "value"), [("price", "6.99\n"), ("currency", "GBP\n")], ids=["price + newline", "currency + newline"]
)
def test_a_plan_value_with_a_trailing_newline_is_refused(field: str, value: str) -> None:
    from shared.access.plans import configured_plans
    from shared.errors import ConfigError

    plan = {"name": "Monthly", "price": "6.99", "currency": "GBP", "period": "month", field: value}
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("PLANS", json.dumps([plan]))
        with pytest.raises(ConfigError, match=field):
            configured_plans()
