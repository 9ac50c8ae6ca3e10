"""Preview extraction: what a non-subscriber may read of an essay.

Three sentence-aligned extracts (start, middle, end of the essay) whose words together never
exceed `share` of the essay's words. Each gets about a third of that budget: the introduction
a third, the conclusion half of what the introduction left, the middle all the rest, so words a
sentence boundary leaves unused carry over instead of being lost, and the middle (whose start
is free) picks the sentence start near the middle that fills its budget best. With sentences of
at most 30 words, essays of 600 to 3,000 words show 24% to 30% (tests/unit/test_preview_rules.py).
`max_words_per_extract` (1,000) bounds the card of a very long essay. A short essay gets short
(possibly empty) extracts, never its text. Pure domain logic: computed once by the loader,
stored (compressed, shared/store/rows.py), and served as is.
"""

from __future__ import annotations

from dataclasses import dataclass

from shared.library.preview import PARTS
from shared.library.text import join_units, paragraphs, sentence_spans, shorten, units

SNIPPET_MAX_CHARS = 90


@dataclass(frozen=True)
class PreviewPolicy:
    share: float = 0.30
    max_words_per_extract: int = 1_000  # 30% of a 10,000-word essay; longer ones show less

    def __post_init__(self) -> None:
        if not 0 < self.share <= 0.5:
            raise ValueError("preview share must be above 0 and at most 0.5")
        if self.max_words_per_extract < 1:
            raise ValueError("max_words_per_extract must be at least 1")

    def words_in_all(self, essay_words: int) -> int:
        """The most words the three extracts may show together."""
        return min(int(self.share * essay_words), self.max_words_per_extract * len(PARTS))


@dataclass(frozen=True)
class Preview:
    extracts: tuple[str, str, str]  # Introduction, Middle, Conclusion, without the "...read more"
    snippet: str  # a prefix of the introduction, for related lists and search results
    spans: tuple[tuple[int, int], ...] = ()  # where each extract lies, as [start, end) word indexes


def _forward(spans: list[tuple[int, int]], first: int, budget: int, limit: int) -> tuple[int, int]:
    """Whole sentences from spans[first] on, within `budget` words and ending before `limit`.

    If even the first sentence does not fit, its opening words are taken: the extract still
    starts at a sentence boundary and the "...read more" marks the cut.
    """
    start = spans[first][0]
    end = start
    for _, e in spans[first:]:
        if e > limit or e - start > budget:
            break
        end = e
    if end == start:
        end = min(start + budget, limit)
    return start, end


def _backward(spans: list[tuple[int, int]], budget: int, floor: int) -> tuple[int, int]:
    """Whole sentences ending the essay, within `budget` words and starting at or after `floor`."""
    end = spans[-1][1]
    start = end
    for s, _ in reversed(spans):
        if s < floor or end - s > budget:
            break
        start = s
    if start == end:  # the last sentence alone is too long: take its opening words
        last_start = spans[-1][0]
        if last_start < floor:
            return end, end
        return last_start, last_start + budget
    return start, end


def _middle(spans: list[tuple[int, int]], budget: int, floor: int, ceiling: int) -> tuple[int, int]:
    """Whole sentences between floor and ceiling, starting at a sentence start in the middle half of
    that gap: the start that fills the budget best, the nearest to the centre among equals."""
    starts = [i for i, (s, _) in enumerate(spans) if floor <= s < ceiling]
    if not starts:  # (never an empty budget: the middle gets at least half of what the introduction left)
        return ceiling, ceiling
    gap = ceiling - floor
    target = (floor + ceiling - budget) // 2
    central = [i for i in starts if floor + gap // 4 <= spans[i][0] <= ceiling - gap // 4]
    candidates = central or [min(starts, key=lambda i: abs(spans[i][0] - target))]
    best = max(
        candidates,
        key=lambda i: (_length(_forward(spans, i, budget, ceiling)), -abs(spans[i][0] - target)),
    )
    return _forward(spans, best, budget, ceiling)


def _length(span: tuple[int, int]) -> int:
    return span[1] - span[0]


def build_preview(body: str, policy: PreviewPolicy) -> Preview:
    tokens = units(" ".join(paragraphs(body)))  # words, and each character of unspaced scripts
    total = policy.words_in_all(len(tokens))
    if total < len(PARTS):
        return Preview(("", "", ""), "", ((0, 0), (0, 0), (0, 0)))
    sentences = sentence_spans(tokens)
    cap = policy.max_words_per_extract

    # A third each; what a sentence boundary leaves unused passes on to the next extract.
    intro = _forward(sentences, 0, min(total // 3, cap), len(tokens))
    conclusion = _backward(sentences, min((total - _length(intro)) // 2, cap), floor=intro[1])
    budget = min(total - _length(intro) - _length(conclusion), cap)
    middle = _middle(sentences, budget, intro[1], conclusion[0])  # (an empty conclusion sits at the end)

    spans = (intro, middle, conclusion)
    texts = [join_units(tokens[a:b]) for a, b in spans]
    return Preview((texts[0], texts[1], texts[2]), shorten(texts[0], SNIPPET_MAX_CHARS), spans)
