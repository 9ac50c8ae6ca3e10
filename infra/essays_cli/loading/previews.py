"""Preview extraction: what a non-subscriber may read of an essay.

Three sentence-aligned extracts (start, middle, end of the essay) whose words together never
exceed `share` of the essay's words, and never more than `max_words_per_extract` each, so a
preview item stays small. A short essay gets short (possibly empty) extracts, never its text.
Pure domain logic: computed once by the loader, stored, and served as is.
"""

from __future__ import annotations

from dataclasses import dataclass

from shared.library.preview import PARTS
from shared.library.text import join_units, paragraphs, sentence_spans, shorten, units

SNIPPET_MAX_CHARS = 90


@dataclass(frozen=True)
class PreviewPolicy:
    share: float = 0.30
    max_words_per_extract: int = 100

    def __post_init__(self) -> None:
        if not 0 < self.share <= 0.5:
            raise ValueError("preview share must be above 0 and at most 0.5")
        if self.max_words_per_extract < 1:
            raise ValueError("max_words_per_extract must be at least 1")

    def words_per_extract(self, essay_words: int) -> int:
        return min(int(self.share * essay_words) // len(PARTS), self.max_words_per_extract)


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


def build_preview(body: str, policy: PreviewPolicy) -> Preview:
    tokens = units(" ".join(paragraphs(body)))  # words, and each character of unspaced scripts
    budget = policy.words_per_extract(len(tokens))
    if budget == 0:
        return Preview(("", "", ""), "", ((0, 0), (0, 0), (0, 0)))
    sentences = sentence_spans(tokens)

    intro = _forward(sentences, 0, budget, len(tokens))
    conclusion = _backward(sentences, budget, floor=intro[1])
    gap_end = conclusion[0] if conclusion[0] < conclusion[1] else len(tokens)

    # The middle extract starts at the sentence start nearest the middle of what lies between.
    target = (intro[1] + gap_end - budget) // 2
    starts = [i for i, (s, _) in enumerate(sentences) if intro[1] <= s < gap_end]
    middle = (gap_end, gap_end)
    if starts:
        nearest = min(starts, key=lambda i: abs(sentences[i][0] - target))
        middle = _forward(sentences, nearest, budget, gap_end)

    spans = (intro, middle, conclusion)
    texts = [join_units(tokens[a:b]) for a, b in spans]
    return Preview((texts[0], texts[1], texts[2]), shorten(texts[0], SNIPPET_MAX_CHARS), spans)
