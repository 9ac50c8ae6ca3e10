"""SPEC.md "Preview rules" as properties over random essays, very short ones included."""

from __future__ import annotations

import pytest
from essays_cli.loading.previews import PreviewPolicy, build_preview
from hypothesis import given
from hypothesis import strategies as st

from shared.library.text import join_units, paragraphs, sentence_spans, units

WORD = st.text(alphabet="abcdefghijklmnopqrstuvwxyzÉéëç0123456789'-", min_size=1, max_size=12)
SENTENCE = st.builds(
    lambda first, rest, end: " ".join([first.capitalize(), *rest]) + end,
    WORD,
    st.lists(WORD, max_size=40),
    st.sampled_from([".", "!", "?", '."', ""]),
)
PARAGRAPH = st.lists(SENTENCE, min_size=1, max_size=8).map(" ".join)
ESSAY = st.lists(PARAGRAPH, min_size=1, max_size=12).map("\n\n".join)
POLICY = st.builds(PreviewPolicy, share=st.floats(0.05, 0.5), max_words_per_extract=st.integers(1, 150))


def _ranges(tokens: list[str], body: str, policy: PreviewPolicy) -> list[range]:
    """Where the non-empty extracts lie, checking each is exactly that run of the essay's words."""
    preview = build_preview(body, policy)
    ranges = []
    for text, (start, end) in zip(preview.extracts, preview.spans, strict=True):
        assert text == join_units(tokens[start:end])
        if text:
            ranges.append(range(start, end))
    return ranges


# Essays in scripts written without spaces (Chinese, Japanese), and mixed with spaced words:
# the share is counted in characters there, so no preview shows more of them than the share.
CJK_CHARS = st.sampled_from(
    "的一是不了人我在有他这中大来上国个到说们为子和你地出道也时年得就那要下以生会自着去之过家学对"
    "可她里后小么心多天而能好都然没日于起还发成事只作当想看文无开手十用主行方又如前所本见经头面"
    "历史秦统汉丝绸路のをはがカタナ"
)
CJK_SENTENCE = st.builds(
    lambda chars, end: "".join(chars) + end,
    st.lists(CJK_CHARS, min_size=1, max_size=40),
    st.sampled_from(["。", "！", "？", "。」", ""]),
)
MIXED_SENTENCE = st.one_of(CJK_SENTENCE, SENTENCE)
CJK_ESSAY = st.lists(
    st.lists(st.one_of(CJK_SENTENCE, CJK_SENTENCE, MIXED_SENTENCE), min_size=1, max_size=8).map("".join),
    min_size=1,
    max_size=12,
).map("\n\n".join)


@given(body=st.one_of(ESSAY, CJK_ESSAY), policy=POLICY)
def test_extracts_never_exceed_the_share_and_never_overlap(body: str, policy: PreviewPolicy) -> None:
    tokens = units(" ".join(paragraphs(body)))
    shown = _ranges(tokens, body, policy)

    assert sum(len(r) for r in shown) <= policy.share * len(tokens)
    assert all(len(r) <= policy.max_words_per_extract for r in shown)
    covered = [i for r in shown for i in r]
    assert len(covered) == len(set(covered)), "extracts overlap"
    assert len(covered) < len(tokens), "the preview must never be the whole essay"


@given(body=st.one_of(ESSAY, CJK_ESSAY), policy=POLICY)
def test_extracts_start_at_sentence_starts_in_essay_order(body: str, policy: PreviewPolicy) -> None:
    tokens = units(" ".join(paragraphs(body)))
    starts = {s for s, _ in sentence_spans(tokens)}

    ranges = _ranges(tokens, body, policy)
    assert all(r.start in starts for r in ranges)
    assert [r.start for r in ranges] == sorted(r.start for r in ranges)
    preview = build_preview(body, policy)
    assert preview.extracts[0].startswith(preview.snippet.removesuffix("…"))


def test_a_long_essay_gets_whole_sentences_from_start_middle_and_end() -> None:
    sentences = [f"Sentence number {i} says something about the topic." for i in range(200)]
    body = "\n\n".join(" ".join(sentences[i : i + 5]) for i in range(0, 200, 5))
    intro, middle, conclusion = build_preview(body, PreviewPolicy()).extracts

    assert intro.startswith("Sentence number 0 says") and intro.endswith(".")
    assert "number 10" in middle and intro.count(".") > 1
    assert conclusion.endswith("Sentence number 199 says something about the topic.")
    assert all(len(e.split()) <= 100 for e in (intro, middle, conclusion))


def test_a_short_essay_gets_shorter_extracts_never_its_text() -> None:
    body = "Stalin rose to power. He outwitted Trotsky. He controlled the party. He purged rivals."
    intro, middle, conclusion = build_preview(body, PreviewPolicy()).extracts
    shown = " ".join(e for e in (intro, middle, conclusion) if e).split()
    assert 0 < len(shown) <= 0.3 * len(body.split())


@pytest.mark.parametrize("share", [0.0, -0.1, 0.51])
def test_share_outside_bounds_is_refused(share: float) -> None:
    with pytest.raises(ValueError, match="share"):
        PreviewPolicy(share=share)


def test_abbreviations_and_initials_do_not_end_sentences() -> None:
    tokens = [
        "Dr.",
        "Schacht",
        "met",
        "J.",
        "M.",
        "Keynes,",
        "e.g.",
        "in",
        "1929.",
        "Then",
        "c.",
        "1930",
        "came",
        "the",
        "crash.",
    ]
    assert [" ".join(tokens[s:e]) for s, e in sentence_spans(tokens)] == [
        "Dr. Schacht met J. M. Keynes, e.g. in 1929.",
        "Then c. 1930 came the crash.",
    ]


PURE_CJK_ESSAY = st.lists(st.lists(CJK_SENTENCE, min_size=1, max_size=8).map("".join), min_size=1, max_size=12).map(
    "\n\n".join
)


@given(body=PURE_CJK_ESSAY, policy=POLICY)
def test_an_unspaced_essay_shows_at_most_the_share_of_its_characters(body: str, policy: PreviewPolicy) -> None:
    shown = "".join(build_preview(body, policy).extracts)
    visible = [ch for ch in "".join(paragraphs(body)) if not ch.isspace()]
    assert len(shown) <= policy.share * len(visible)


def test_a_chinese_sample_essay_shows_at_most_30_percent_of_its_characters() -> None:
    import json
    from pathlib import Path

    path = Path(__file__).resolve().parents[2] / "samples" / "essays" / "world-languages.jsonl"
    chinese = [r for r in map(json.loads, path.read_text(encoding="utf-8").splitlines()) if r["subject"] == "Chinese"]
    assert chinese
    for record in chinese:
        preview = build_preview(record["body"], PreviewPolicy())
        shown = sum(len(e) for e in preview.extracts)
        total = len("".join(record["body"].split()))
        assert 0 < shown <= 0.3 * total  # it was 57% when words were counted by spaces
        assert all(e.endswith(("。", "？", "！")) for e in preview.extracts if e)
