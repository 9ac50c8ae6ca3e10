"""SPEC.md "Preview rules" as properties over random essays, very short ones included."""

from __future__ import annotations

import itertools
import zlib

import pytest
from essays_cli.loading.previews import PreviewPolicy, build_preview
from hypothesis import example, given, settings
from hypothesis import strategies as st

from shared.library.text import join_units, paragraphs, sentence_spans, shorten, units
from shared.store.rows import EXTRACTS_ATTRIBUTE, CardRow, StoredItemError, pack_extracts

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
    shown = sum(len(e.split()) for e in (intro, middle, conclusion))
    assert 0.24 * 1600 <= shown <= 0.30 * 1600
    assert all(len(e.split()) <= 0.30 * 1600 / 2 for e in (intro, middle, conclusion)), "a third each, roughly"


def test_a_short_essay_gets_shorter_extracts_never_its_text() -> None:
    body = "Stalin rose to power. He outwitted Trotsky. He controlled the party. He purged rivals."
    intro, middle, conclusion = build_preview(body, PreviewPolicy()).extracts
    shown = " ".join(e for e in (intro, middle, conclusion) if e).split()
    assert 0 < len(shown) <= 0.3 * len(body.split())


# Essays as teachers write them: sentences of 3 to 30 words ending in a full stop, a question or
# exclamation mark; 600 to 3,000 words in paragraphs of a few sentences.
# What shapes a preview is the sentences' lengths: drawn as lengths (fast to generate and to
# shrink), then written out with words of an essay's vocabulary.
VOCABULARY = [
    "the",
    "treaty",
    "of",
    "versailles",
    "left",
    "germany",
    "resentful",
    "while",
    "inflation",
    "and",
    "unemployment",
    "eroded",
    "trust",
]
ENDINGS = (".", ".", ".", "?", "!", '."')


def _sentence(length: int, seed: int) -> str:
    words = [VOCABULARY[(seed + 7 * i) % len(VOCABULARY)] for i in range(length)]
    return " ".join([words[0].capitalize(), *words[1:-1], "government"]) + ENDINGS[seed % len(ENDINGS)]


REAL_SENTENCE = st.builds(_sentence, st.integers(3, 30), st.integers(0, 1000))


@st.composite
def real_essays(draw: st.DrawFn) -> str:
    """600 to 3,000 words in paragraphs of 2 to 8 sentences of 3 to 30 words."""
    target = draw(st.integers(600, 3000))
    lengths = draw(st.lists(st.integers(3, 30), min_size=target // 3 + 1, max_size=target // 3 + 1))
    sizes = draw(st.lists(st.integers(2, 8), min_size=len(lengths), max_size=len(lengths)))
    sentences: list[str] = []
    count = 0
    for i, length in enumerate(lengths):
        if count >= target:
            break
        sentences.append(_sentence(length, i))
        count += length
    paragraphs_: list[str] = []
    while sentences:
        size = sizes[len(paragraphs_)]
        paragraphs_.append(" ".join(sentences[:size]))
        sentences = sentences[size:]
    return "\n\n".join(paragraphs_)


def _ends_at_sentence_ends(tokens: list[str], spans: tuple[tuple[int, int], ...]) -> bool:
    ends = {e for _, e in sentence_spans(tokens)}
    return all(end in ends for start, end in spans if end > start)


@given(body=real_essays())
def test_essays_of_600_to_3000_words_show_24_to_30_percent_in_whole_sentences(body: str) -> None:
    tokens = " ".join(paragraphs(body)).split()
    if not 600 <= len(tokens) <= 3000:
        return  # the last paragraph may carry an essay past 3,000 words: outside the promise
    preview = build_preview(body, PreviewPolicy())
    shown = [end - start for start, end in preview.spans]

    assert 0.24 * len(tokens) <= sum(shown) <= 0.30 * len(tokens), shown
    assert all(n > 0 for n in shown)
    assert _ends_at_sentence_ends(tokens, preview.spans), "each extract is whole sentences"
    third = 0.30 * len(tokens) / 3
    assert all(n <= 2 * third for n in shown), f"no extract takes the others' share: {shown}"


@given(body=ESSAY, policy=POLICY)
def test_extracts_end_at_sentence_ends_unless_one_sentence_outgrows_the_budget(
    body: str, policy: PreviewPolicy
) -> None:
    tokens = " ".join(paragraphs(body)).split()
    spans = sentence_spans(tokens)
    ends = {e for _, e in spans}
    starts = {s: e for s, e in spans}
    for start, end in build_preview(body, policy).spans:
        if end > start and end not in ends:
            # cut inside a sentence: only when that single sentence is longer than what was shown
            assert start in starts and end < starts[start]


@given(
    body=st.lists(REAL_SENTENCE, min_size=1, max_size=12).map(" ".join),
    share=st.floats(0.05, 0.5),
)
def test_short_essays_show_at_most_their_share_never_their_text(body: str, share: float) -> None:
    tokens = body.split()
    preview = build_preview(body, PreviewPolicy(share=share))
    shown = sum(end - start for start, end in preview.spans)
    assert shown <= share * len(tokens) < len(tokens)
    if int(share * len(tokens)) < 3:
        assert preview.extracts == ("", "", "") and preview.snippet == ""


@pytest.mark.parametrize("share", [0.0, -0.1, 0.51])
def test_share_outside_bounds_is_refused(share: float) -> None:
    # What `essays-seed load --preview-share` prints
    with pytest.raises(ValueError, match=r"^preview share must be above 0 and at most 0\.5$"):
        PreviewPolicy(share=share)


def test_an_extract_of_no_words_is_refused() -> None:
    with pytest.raises(ValueError, match=r"^max_words_per_extract must be at least 1$"):
        PreviewPolicy(max_words_per_extract=0)


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


@given(extracts=st.tuples(st.text(), st.text(), st.text()))
def test_stored_extracts_read_back_as_written(extracts: tuple[str, str, str]) -> None:
    item = {"pk": "ESSAY#x", EXTRACTS_ATTRIBUTE: pack_extracts(extracts)}
    assert CardRow.from_item({**item, **HEADER}).extracts == extracts


@pytest.mark.parametrize(
    "blob",
    [b"not zlib", zlib.compress(b'{"a": 1}'), zlib.compress(b"x" * 300_000), pack_extracts(["a"])[:-4], "text"],
    ids=["garbage", "not-a-list", "too-large", "truncated", "not-binary"],
)
def test_a_corrupt_stored_preview_is_a_loud_fault(blob: object) -> None:
    with pytest.raises(StoredItemError):
        CardRow.from_item({"pk": "ESSAY#x", EXTRACTS_ATTRIBUTE: blob, **HEADER})


HEADER = {
    "essayId": "x",
    "title": "X",
    "sectionId": "s",
    "sectionName": "S",
    "level": "L",
    "subject": "S",
    "wordCount": 10,
    "snippet": "",
}


# The exact rules, pinned. An essay is drawn as its sentences' lengths, short ones, so that budgets
# land exactly on sentence ends and middle-half bounds; its word k is "wk", so an extract names the
# words it shows. `_rules` restates the module's rules by brute force over the sentence boundaries.


def _essay_of(lengths: list[int]) -> str:
    """Sentences of these lengths, three to a paragraph."""
    words: list[str] = []
    body = ""
    for number, length in enumerate(lengths):
        sentence = [f"w{len(words) + i}" for i in range(length)]
        sentence[0] = sentence[0].capitalize()
        sentence[-1] += "."
        words += sentence
        body += ("\n\n" if number % 3 == 0 else " ") * (number > 0) + " ".join(sentence)
    return body


def _shown(body: str, spans: list[tuple[int, int]]) -> tuple[str, ...]:
    tokens = body.split()
    return tuple(" ".join(tokens[a:b]) for a, b in spans)


def _rules(lengths: list[int], policy: PreviewPolicy) -> list[tuple[int, int]]:
    """Where the Introduction, Middle and Conclusion lie, as [start, end) word indexes."""
    starts = list(itertools.accumulate(lengths, initial=0))[:-1]
    ends = [start + length for start, length in zip(starts, lengths, strict=True)]
    n, cap = sum(lengths), policy.max_words_per_extract
    total = min(int(policy.share * n), 3 * cap)  # the share of the words, at most `cap` in each extract
    if total < 3:
        return [(0, 0)] * 3

    def run_from(start: int, budget: int, limit: int) -> tuple[int, int]:
        """Whole sentences from `start`, ending by `limit`, at most `budget` words; if not even one
        fits, the first sentence's opening words."""
        fitting = [end for end in ends if start < end <= limit and end - start <= budget]
        return (start, max(fitting)) if fitting else (start, min(start + budget, limit))

    intro = run_from(0, min(total // 3, cap), n)
    budget = min((total - (intro[1] - intro[0])) // 2, cap)
    closing = [s for s in starts if s >= intro[1] and n - s <= budget]
    if closing:  # whole sentences ending the essay
        conclusion = (min(closing), n)
    elif starts[-1] >= intro[1]:  # the last sentence alone outgrows the budget: its opening words
        conclusion = (starts[-1], starts[-1] + budget)
    else:
        conclusion = (n, n)
    floor, ceiling = intro[1], conclusion[0] if conclusion[1] > conclusion[0] else n
    budget = min(total - (intro[1] - intro[0]) - (conclusion[1] - conclusion[0]), cap)
    between = [s for s in starts if floor <= s < ceiling]
    if not between:
        return [intro, (ceiling, ceiling), conclusion]
    quarter = (ceiling - floor) // 4
    centred_at = (floor + ceiling - budget) // 2  # where a middle of `budget` words would be centred
    middle_half = [s for s in between if floor + quarter <= s <= ceiling - quarter]
    choices = middle_half or [min(between, key=lambda s: abs(s - centred_at))]
    runs = [run_from(s, budget, ceiling) for s in choices]  # the longest; the most central of those
    middle = max(runs, key=lambda run: (run[1] - run[0], -abs(run[0] - centred_at)))
    return [intro, middle, conclusion]


DENSE_ESSAY = st.lists(st.integers(1, 9), min_size=1, max_size=40)


@settings(max_examples=500)  # pure and fast: these boundaries are worth many draws, in every profile
@given(lengths=DENSE_ESSAY, share=st.floats(0.05, 0.5), cap=st.integers(1, 40))
@example(lengths=[1, 1, 7, 2], share=0.4, cap=2)  # no start in the middle half: the one nearest its centre
@example(lengths=[26, 71, 2, 12, 7, 7], share=0.3, cap=1_000)  # a start just past the middle half is not in it
def test_the_extracts_follow_the_rules_word_for_word(lengths: list[int], share: float, cap: int) -> None:
    body = _essay_of(lengths)
    policy = PreviewPolicy(share=share, max_words_per_extract=cap)
    preview, spans = build_preview(body, policy), _rules(lengths, policy)
    assert preview.extracts == _shown(body, spans)
    assert preview.spans == tuple(spans)
    assert preview.snippet == shorten(preview.extracts[0], 90)  # for related lists and search results


def _preview_of(lengths: list[int], share: float) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """What the preview shows of an essay of these sentence lengths, and the essay's words."""
    body = _essay_of(lengths)
    return build_preview(body, PreviewPolicy(share=share)).extracts, tuple(body.split())


def test_sentences_that_exactly_fill_an_extract_are_all_shown() -> None:
    # 100 words, 30 to show: 10 each. The first two and the last two sentences fill 10 exactly; the
    # middle is the opening of the 20-word sentence nearest the centre.
    extracts, words = _preview_of([4, 6, 20, 20, 20, 20, 6, 4], share=0.3)
    assert extracts == (" ".join(words[:10]), " ".join(words[50:60]), " ".join(words[90:]))


def test_the_middle_can_run_up_to_the_conclusion() -> None:
    # 60 words, 30 to show. No sentence starts in the middle half of the gap (words 20-40): the
    # middle takes the start nearest it (word 42) and its two sentences, up to the conclusion.
    extracts, words = _preview_of([42, 4, 4, 10], share=0.5)
    assert extracts == (" ".join(words[:10]), " ".join(words[42:50]), " ".join(words[50:]))


def test_a_long_last_sentence_right_after_the_introduction_still_gives_a_conclusion() -> None:
    extracts, words = _preview_of([3, 37], share=0.3)  # 12 words to show
    assert extracts == (" ".join(words[:3]), "", " ".join(words[3:7]))
