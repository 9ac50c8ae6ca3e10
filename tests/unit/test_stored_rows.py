"""The content table's rows as stored: the full essay's paragraphs packed in one binary value, a
section entry's keywords in one string, and items written before either still read the same; and the
loader's check that an essay fits one item."""

from __future__ import annotations

import zlib

import pytest
from essays_cli.loading import items
from essays_cli.loading.files import validate
from essays_cli.loading.items import body_row, item_size, size_problem
from hypothesis import given
from hypothesis import strategies as st

from shared.library.models import Annotation
from shared.store.rows import (
    PARAGRAPHS_ATTRIBUTE,
    AnnotationRow,
    BodyRow,
    CardRow,
    HeaderRow,
    MemberRow,
    SectionRow,
    Stamp,
    StoredItemError,
    SummaryRow,
    pack_json,
)

SECTION = SectionRow("gcse-history-the-cold-war", "The Cold War", "GCSE", "History")
HEADER = HeaderRow("berlin-airlift", "The Berlin Airlift", SECTION, 120, 4)
STAMP = Stamp("0" * 32, "2026-01-01T00:00:00Z", "2026-02-01T00:00:00Z")
PARAGRAPHS = ["The blockade began in June 1948.", "Aircraft flew in coal, flour and milk.", "Stalin lifted it."]
START = PARAGRAPHS[1].index("flour")
NOTE = Annotation(paragraph=2, start=START, end=START + 5, quote="flour", comment="Why it mattered?", kind="note")


def notes(row: BodyRow) -> list[dict[str, object]]:
    return [AnnotationRow.to_item(a) for a in row.annotations]


def body(paragraphs: list[str], comment: str | None = None, annotations: list[Annotation] | None = None) -> BodyRow:
    return BodyRow(HEADER, paragraphs, comment, annotations or [], STAMP.updated_at)


@given(paragraphs=st.lists(st.text(min_size=1), max_size=20))
def test_the_full_essays_paragraphs_read_back_as_written(paragraphs: list[str]) -> None:
    item = body(paragraphs).to_item(STAMP)
    assert isinstance(item[PARAGRAPHS_ATTRIBUTE], bytes) and "paragraphs" not in item
    assert BodyRow.from_item(item).paragraphs == paragraphs


def test_paragraphs_are_one_value_smaller_than_their_text() -> None:
    text = [" ".join(["The airlift kept West Berlin supplied through the winter."] * 20)] * 12
    item = body(text).to_item(STAMP)
    assert len(item[PARAGRAPHS_ATTRIBUTE]) < sum(map(len, text)) / 4


def test_a_body_stored_before_the_paragraphs_were_packed_reads_the_same() -> None:
    note = NOTE
    item = body(PARAGRAPHS, "Clear and well argued.", [note]).to_item(STAMP)
    legacy = {k: v for k, v in item.items() if k != PARAGRAPHS_ATTRIBUTE} | {"paragraphs": PARAGRAPHS}
    read = BodyRow.from_item(legacy)
    assert read.paragraphs == PARAGRAPHS and notes(read) == [AnnotationRow.to_item(note)]
    assert read.teacher_comment == "Clear and well argued."


def test_no_comment_and_no_annotations_are_left_out_and_read_as_none() -> None:
    item = body(PARAGRAPHS).to_item(STAMP)
    assert "teacherComment" not in item and "annotations" not in item
    read = BodyRow.from_item(item)
    assert read.teacher_comment is None and read.annotations == []


def test_an_annotation_is_stored_and_read_back_on_its_paragraph() -> None:
    note = NOTE
    item = body(PARAGRAPHS, "Well argued.", [note]).to_item(STAMP)
    assert item["teacherComment"] == "Well argued." and len(item["annotations"]) == 1
    assert notes(BodyRow.from_item(item)) == [AnnotationRow.to_item(note)]


@pytest.mark.parametrize(
    "blob",
    [
        b"not zlib",
        pack_json({"a": 1}),
        pack_json(["a", 1]),
        zlib.compress(b'["' + b"x" * (1024 * 1024 + 1) + b'"]'),
        pack_json(PARAGRAPHS)[:-4],
        "text",
    ],
    ids=["garbage", "not-a-list", "not-text", "too-large", "truncated", "not-binary"],
)
def test_corrupt_stored_paragraphs_are_a_loud_fault(blob: object) -> None:
    item = body(PARAGRAPHS).to_item(STAMP) | {PARAGRAPHS_ATTRIBUTE: blob}
    with pytest.raises(StoredItemError):
        BodyRow.from_item(item)


def test_the_longest_essay_the_loader_takes_reads_back() -> None:
    paragraphs = ["é" * 2_000] * 97  # ~388 KB of UTF-8: just under the loader's limit
    assert BodyRow.from_item(body(paragraphs).to_item(STAMP)).paragraphs == paragraphs


def member(keywords: tuple[str, ...]) -> MemberRow:
    summary = SummaryRow(HEADER.essay_id, HEADER.title, "The blockade began...", 4, 0)
    return MemberRow(summary, SECTION, 120, keywords, STAMP.updated_at)


@given(keywords=st.lists(st.text(alphabet=st.characters(categories=["L", "N"]), min_size=1), max_size=25))
def test_a_section_entrys_keywords_are_one_string_and_read_back_as_written(keywords: list[str]) -> None:
    item = member(tuple(keywords)).to_item()
    assert isinstance(item["keywords"], str)
    assert MemberRow.keywords_of(item) == keywords


def test_keywords_stored_as_a_list_before_read_the_same() -> None:
    assert MemberRow.keywords_of({"keywords": ["berlin", "airlift", "柏林"]}) == ["berlin", "airlift", "柏林"]
    assert MemberRow.keywords_of({}) == []


def test_the_card_stores_no_keywords() -> None:
    card = CardRow(HEADER, ("Intro...", "Middle...", "End..."), "The blockade began...", 0)
    assert "keywords" not in card.to_item(STAMP)


@given(
    body=st.text(alphabet=st.sampled_from(["a", "é", "中", "😀", " ", "\n"]), min_size=1, max_size=400),
    title=st.text(alphabet=st.sampled_from(["T", "ü", "中", " "]), min_size=1, max_size=60).filter(str.strip),
    comment=st.none() | st.text(alphabet=st.sampled_from(["c", "ß", "中"]), max_size=50),
)
def test_the_loaders_quick_size_check_never_passes_an_essay_its_exact_check_would_refuse(
    body: str, title: str, comment: str | None
) -> None:
    source = validate(
        {
            "title": title,
            "level": "GCSE",
            "subject": "History",
            "section": "The Cold War",
            "body": body,
            "teacherComment": comment,
        },
        "f.jsonl",
        1,
    )
    if source.record is None:
        return
    record = source.record
    row = body_row(record, "2026-01-01T00:00:00Z")
    exact = item_size(row.header.to_item()) + item_size(row.paragraphs) + item_size(record.teacher_comment or "")
    assert items._size_bound(record) >= exact


def test_an_essay_too_big_to_store_is_still_refused() -> None:
    body = "\n\n".join(["中" * 1_000] * 140)  # 140,000 characters of 3 bytes: ~420 KB
    source = validate({"title": "T", "level": "L", "subject": "S", "section": "X", "body": body}, "f.jsonl", 1)
    assert source.record is not None
    assert "too large to store" in (size_problem(source.record) or "")
    fits = validate({"title": "T", "level": "L", "subject": "S", "section": "X", "body": body[: 150_000 // 2]}, "f", 1)
    assert fits.record is not None and size_problem(fits.record) is None
