"""Annotations are anchored where their quote is: paragraphs[paragraph - 1][start:end] == quote,
always, whatever the whitespace of the essay and of the quote as the content team typed them."""

from __future__ import annotations

from typing import Any

from essays_cli.loading.annotations import anchored
from essays_cli.loading.files import validate
from essays_cli.loading.items import body_values
from hypothesis import given
from hypothesis import strategies as st

from shared.library.anchoring import occurrences
from shared.library.text import paragraphs
from shared.store.rows import BodyRow

WORD = st.text(alphabet="abcdéfghijklmnopqrstuvwxyz.,'\"-", min_size=1, max_size=8)
SPACE = st.sampled_from([" ", "  ", "\n", " \t"])


@st.composite
def typed(draw: st.DrawFn, words: list[str]) -> str:
    """Words joined by whatever whitespace a person or a spreadsheet might leave (no blank line)."""
    return "".join(w + (draw(SPACE) if i < len(words) - 1 else "") for i, w in enumerate(words))


@st.composite
def annotated_essays(draw: st.DrawFn) -> dict[str, Any]:
    """Essays with annotations on passages that do not overlap, each saying which occurrence of its
    quote it means (as an editor must when the quote is in its paragraph more than once)."""
    texts = draw(st.lists(st.lists(WORD, min_size=1, max_size=30), min_size=1, max_size=8))
    body = "\n\n".join(draw(typed(words)) for words in texts)
    notes = []
    taken: list[tuple[int, int, int]] = []
    for _ in range(draw(st.integers(0, 6))):
        number = draw(st.integers(1, len(texts)))
        words = texts[number - 1]
        start = draw(st.integers(0, len(words) - 1))
        end = draw(st.integers(start + 1, len(words)))
        if any(n == number and s < end and start < e for n, s, e in taken):
            continue
        taken.append((number, start, end))
        text, quote = " ".join(words), " ".join(words[start:end])
        offset = len(" ".join(words[:start])) + (1 if start else 0)
        notes.append(
            {
                "paragraph": number,
                "quote": draw(typed(words[start:end])),
                "comment": draw(st.text(min_size=1, max_size=50).filter(str.strip)),
                "kind": draw(st.sampled_from(["strength", "improvement", "note"])),
                "occurrence": occurrences(text, quote).index(offset) + 1,
                "offset": offset,  # where the editor meant: not a field, taken out before loading
            }
        )
    return {"title": "T", "level": "L", "subject": "S", "section": "X", "body": body, "annotations": notes}


@given(data=annotated_essays())
def test_every_annotation_is_anchored_on_its_quote_where_the_editor_meant(data: dict[str, Any]) -> None:
    meant = [note.pop("offset") for note in data["annotations"]]
    source = validate(data, "f.jsonl", 1)
    assert source.record is not None, source.problems
    texts = paragraphs(data["body"])
    for note, typed_note, offset in zip(anchored(source.record), data["annotations"], meant, strict=True):
        assert texts[note.paragraph - 1][note.start : note.end] == note.quote
        assert note.quote == " ".join(typed_note["quote"].split())
        assert note.start == offset

    # and as stored and read back for the full essay
    item = body_values(source.record, "hash", "2026-01-01T00:00:00Z", "2026-01-01T00:00:00Z")
    row = BodyRow.from_item(item)
    assert len(row.annotations) == len(data["annotations"])
    for a in row.annotations:
        assert row.paragraphs[a.paragraph - 1][a.start : a.end] == a.quote


@given(data=annotated_essays(), extra=WORD)
def test_a_quote_not_in_its_paragraph_is_refused(data: dict[str, Any], extra: str) -> None:
    if not data["annotations"]:
        return
    texts = paragraphs(data["body"])
    for note in data["annotations"]:
        del note["offset"]
    note = data["annotations"][0]
    quote = " ".join(note["quote"].split()) + " " + extra + "§"  # § is never in an essay here
    data["annotations"][0] = {**note, "quote": quote}
    source = validate(data, "f.jsonl", 1)
    assert source.record is None
    assert any(p.field == "annotations[0].quote" for p in source.problems)
    assert quote not in texts[note["paragraph"] - 1]
