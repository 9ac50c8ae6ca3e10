"""Related essays: rank the essays of a section by topical closeness (pure logic, no AWS).

Each essay is described by its keywords: its title terms, then its body's most frequent
terms. Closeness is the cosine of TF-IDF weights over those keywords (title terms count
double), computed within the section; ties go to the better rated essay.
"""

from __future__ import annotations

import heapq
import math
from collections import Counter, defaultdict
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from itertools import islice

from shared.library.text import terms, unique_terms

KEYWORDS_FROM_BODY = 12
TITLE_WEIGHT = 2.0
RELATED_KEPT = 20  # the most a client may ask for


def essay_keywords(title: str, body: str) -> list[str]:
    title_terms = unique_terms(title)
    left_out = set(title_terms)
    body_terms = Counter(t for t in terms(body) if t not in left_out and not t.isdigit())
    frequent = [t for t, n in body_terms.most_common(KEYWORDS_FROM_BODY) if n >= 2]
    return title_terms + frequent


@dataclass(frozen=True)
class SectionEssay:
    essay_id: str
    title: str
    rating: int | None
    keywords: Sequence[str]


def rank_related(essays: Sequence[SectionEssay], limit: int = RELATED_KEPT) -> Iterator[tuple[str, list[str]]]:
    """For every essay of one section, its id and the ids of up to `limit` others, closest first;
    yielded one essay at a time, so a big section's lists are never all held at once."""
    count = len(essays)
    document_frequency = Counter(t for e in essays for t in set(e.keywords))
    title_terms = [set(unique_terms(e.title)) for e in essays]
    weights: list[dict[str, float]] = []
    for essay, in_title in zip(essays, title_terms, strict=True):
        w = {t: math.log((1 + count) / (1 + document_frequency[t])) + 1.0 for t in dict.fromkeys(essay.keywords)}
        for t in w.keys() & in_title:
            w[t] *= TITLE_WEIGHT
        weights.append(w)
    norms = [math.sqrt(sum(v * v for v in w.values())) or 1.0 for w in weights]

    # Inverted index, so each essay is only compared with those sharing a keyword.
    # In a big section, a keyword most essays share says little and would cost n^2: skip it.
    common = max(50, count // 2)
    holders: dict[str, list[int]] = defaultdict(list)
    for i, w in enumerate(weights):
        for t in w:
            if document_frequency[t] <= common:
                holders[t].append(i)

    by_rating = sorted(range(count), key=lambda j: _tie_break(essays[j]))
    for i, essay in enumerate(essays):
        scores: dict[int, float] = defaultdict(float)
        for t, weight in weights[i].items():
            for j in holders.get(t, ()):
                if j != i:
                    scores[j] += weight * weights[j][t]
        best = heapq.nsmallest(
            limit,
            scores,
            key=lambda j: (-round(scores[j] / (norms[i] * norms[j]), 9), *_tie_break(essays[j])),
        )
        if len(best) < limit:  # pad with the section's best rated essays sharing nothing
            chosen = set(best)
            others = (j for j in by_rating if j != i and j not in chosen)
            best += islice(others, limit - len(best))
        yield essay.essay_id, [essays[j].essay_id for j in best]


def _tie_break(essay: SectionEssay) -> tuple[int, str, str]:
    return (-(essay.rating or 0), essay.title.casefold(), essay.essay_id)
