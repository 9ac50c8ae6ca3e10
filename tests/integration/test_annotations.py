"""Teachers' annotations end to end: the loader's checks, the full essay's anchored annotations,
the counts on the public routes (never the annotations themselves), and reloads."""

from __future__ import annotations

import csv
import json
from http import HTTPStatus
from pathlib import Path
from typing import Any

import pytest
from essays_cli import seed
from essays_cli.loading.slugs import essay_id_from_title

from functions.essay import app as essay_app
from functions.preview import app as preview_app
from functions.related import app as related_app
from functions.search import app as search_app
from functions.sections import app as sections_app
from shared.library.models import FullEssay
from tests.conftest import api_event, body_of, parse, sample_records

HISTORY = "as-and-a-level--history--modern-european-history-1789-1945"
BODY = "Stalin was General Secretary. He built a following.\n\nTrotsky misjudged him. He lost in 1927."
GOOD = {"paragraph": 2, "quote": "Trotsky misjudged him.", "comment": "Evidence?", "kind": "improvement"}


def essay(**fields: Any) -> dict[str, Any]:
    return {
        "id": "annotated",
        "title": "Annotated essay",
        "level": "GCSE",
        "subject": "History",
        "section": "Russia",
        "body": BODY,
        **fields,
    }


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    status = seed.main(list(args))
    out, err = capsys.readouterr()
    return status, out, err


def annotated_samples() -> dict[str, list[dict[str, Any]]]:
    found = {}
    for record in sample_records():
        notes = record.get("annotations")
        if isinstance(notes, str):  # a CSV cell
            notes = json.loads(notes) if notes.strip() else []
        if notes:
            found[str(record.get("id") or essay_id_from_title(record["title"]))] = notes
    return found


# ---- the loader's checks ------------------------------------------------------------------------

BAD_ANNOTATIONS: list[tuple[Any, str]] = [
    ([{**GOOD, "paragraph": 3}], "annotations[0].paragraph: there is no paragraph 3: this essay has 2"),
    ([{**GOOD, "paragraph": 0}], "annotations[0].paragraph: must be a whole number from 1"),
    ([{**GOOD, "paragraph": "2"}], "annotations[0].paragraph: must be a whole number from 1 (the essay's first"),
    ([{**GOOD, "paragraph": True}], "annotations[0].paragraph: must be a whole number from 1"),
    ([{**GOOD, "quote": "Trotsky misjudged Stalin."}], "annotations[0].quote: 'Trotsky misjudged Stalin.' is not in"),
    ([{**GOOD, "paragraph": 1}], "annotations[0].quote: 'Trotsky misjudged him.' is not in paragraph 1; it is in "),
    (
        [{**GOOD, "quote": "trotsky misjudged him."}],
        "paragraph 2; copy it exactly from the essay (case and punctuation count)",
    ),
    ([{**GOOD, "quote": ""}], "annotations[0].quote: is empty"),
    (
        [{**GOOD, "quote": "x" * 1001}],
        "annotations[0].quote: is too long: at most 1,000 characters, this one has 1,001",
    ),
    ([{**GOOD, "comment": "   "}], "annotations[0].comment: is empty; write 1 to 1,000 characters"),
    ([{**GOOD, "comment": "y" * 1001}], "annotations[0].comment: is too long: at most 1,000 characters"),
    ([{**GOOD, "comment": 5}], "annotations[0].comment: must be text, not int"),
    ([{**GOOD, "kind": "praise"}], "annotations[0].kind: must be strength, improvement or note"),
    ([GOOD, {k: v for k, v in GOOD.items() if k != "quote"}], "annotations[1].quote: this field is missing"),
    ([{**GOOD, "author": "T"}], "annotations[0].author: this is not a field of an annotation"),
    ([GOOD, "a note"], "annotations[1]: must be an object with a paragraph, a quote, a comment"),
    ({"paragraph": 1}, "annotations: must be a list of annotations, like [{"),
    ([GOOD] * 51, "annotations: at most 50 annotations per essay; this one has 51"),
    ("[{oops", "annotations: is not valid JSON"),
]


@pytest.mark.parametrize(("annotations", "message"), BAD_ANNOTATIONS, ids=range(len(BAD_ANNOTATIONS)))
def test_each_kind_of_bad_annotation_is_explained_and_nothing_is_written(
    tmp_path: Path, essays_table: str, ddb: Any, capsys: pytest.CaptureFixture[str], annotations: Any, message: str
) -> None:
    path = tmp_path / "bad.jsonl"
    good = essay(id="fine", title="Fine")
    path.write_text(json.dumps(good) + "\n" + json.dumps(essay(annotations=annotations)) + "\n", encoding="utf-8")

    status, _, err = run(capsys, "load", str(path), "--table", essays_table)

    assert status == 1
    assert f"bad.jsonl:2: {message}" in err or ("bad.jsonl:2: annotations[0].quote:" in err and message in err), err
    assert "bad.jsonl:1" not in err
    assert ddb.scan(TableName=essays_table)["Count"] == 0


def test_a_csv_column_holds_the_annotations_as_json(
    tmp_path: Path, essays_table: str, ddb: Any, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "annotated.csv"
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=[*essay(), "annotations"])
        writer.writeheader()
        writer.writerow(essay(annotations=json.dumps([GOOD])))
        writer.writerow(essay(id="none", title="None", annotations=""))
        writer.writerow(essay(id="bad", title="Bad", annotations=json.dumps([{**GOOD, "paragraph": 9}])))

    status, _, err = run(capsys, "load", str(path), "--table", essays_table, "--skip-invalid")

    assert status == 1
    # each row spans three lines (its body holds a blank line): the spreadsheet's row 4 starts on line 8
    assert "annotated.csv:row 4 (line 8): annotations[0].paragraph: there is no paragraph 9" in err
    stored = ddb.get_item(TableName=essays_table, Key={"pk": {"S": "BODY#annotated"}, "sk": {"S": "BODY"}})["Item"]
    assert [n["M"]["kind"]["S"] for n in stored["annotations"]["L"]] == ["improvement"]


# ---- what the routes show -----------------------------------------------------------------------


def test_the_full_essay_returns_each_annotation_anchored_in_its_paragraph(library: str, context: Any) -> None:
    samples = annotated_samples()
    assert len(samples) >= 10
    for essay_id, notes in samples.items():
        response = essay_app.handler(api_event("essay", path_parameters={"essayId": essay_id}), context)
        full = parse(FullEssay, body_of(response))
        assert [(a.quote, a.comment, a.kind) for a in full.annotations] == [
            (n["quote"], n["comment"], n.get("kind", "note")) for n in notes
        ]
        for note in full.annotations:
            assert full.paragraphs[note.paragraph - 1][note.start : note.end] == note.quote


def test_public_routes_carry_the_count_and_never_the_annotations(library: str, context: Any) -> None:
    samples = annotated_samples()
    comments = [n["comment"] for notes in samples.values() for n in notes]
    stalin = "stalin-rise-to-power"

    preview = preview_app.handler(api_event("preview", path_parameters={"essayId": stalin}), context)
    assert body_of(preview)["annotationCount"] == len(samples[stalin])
    related = related_app.handler(api_event("related", query={"limit": "20"}), context)
    search = search_app.handler(api_event("search", query={"q": "stalin", "limit": "50"}), context)
    section = sections_app.handler(
        api_event("section_essays", path_parameters={"sectionId": HISTORY}, query={"limit": "50"}), context
    )
    listed = [
        *body_of(related)["related"],
        *body_of(search)["results"],
        *body_of(section)["essays"],
    ]
    assert len(listed) > 10
    for entry in listed:
        assert entry["annotationCount"] == len(samples.get(entry["essayId"], [])), entry["essayId"]
    assert any(entry["annotationCount"] > 0 for entry in body_of(related)["related"])

    for response in (preview, related, search, section):
        assert response["statusCode"] == HTTPStatus.OK
        assert '"annotations"' not in response["body"]
        assert not [c for c in comments if c in response["body"]]


def test_reloading_with_changed_annotations_updates_them_everywhere(
    tmp_path: Path, library: str, context: Any, capsys: pytest.CaptureFixture[str]
) -> None:
    original = next(r for r in sample_records() if r.get("id") == "stalin-rise-to-power")
    first_paragraph = original["body"].split("\n\n")[0]
    changed = {
        **original,
        "annotations": [{"paragraph": 1, "quote": first_paragraph.split(".")[0] + ".", "comment": "Strong opening."}],
    }
    path = tmp_path / "changed.jsonl"
    path.write_text(json.dumps(changed, ensure_ascii=False) + "\n", encoding="utf-8")

    status, out, _ = run(capsys, "load", str(path), "--table", library)

    assert status == 0 and "1 updated" in out
    full = body_of(essay_app.handler(api_event("essay"), context))
    assert [(a["paragraph"], a["start"], a["comment"], a["kind"]) for a in full["annotations"]] == [
        (1, 0, "Strong opening.", "note")
    ]
    assert body_of(preview_app.handler(api_event("preview"), context))["annotationCount"] == 1
    section = sections_app.handler(
        api_event("section_essays", path_parameters={"sectionId": HISTORY}, query={"limit": "50"}), context
    )
    assert [e["annotationCount"] for e in body_of(section)["essays"] if e["essayId"] == original["id"]] == [1]
    other = "zola-dreyfus-affair"
    related = body_of(related_app.handler(api_event("related", path_parameters={"essayId": other}), context))
    assert [e["annotationCount"] for e in related["related"] if e["essayId"] == original["id"]] in ([1], [])

    without = {k: v for k, v in original.items() if k != "annotations"}
    path.write_text(json.dumps(without, ensure_ascii=False) + "\n", encoding="utf-8")
    assert run(capsys, "load", str(path), "--table", library)[0] == 0
    assert body_of(essay_app.handler(api_event("essay"), context))["annotations"] == []
    assert body_of(preview_app.handler(api_event("preview"), context))["annotationCount"] == 0
