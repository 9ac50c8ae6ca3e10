"""Domain logic of the discovery routes: related essays, title search, the section tree and a
section's essays. Stores are passed in; every route costs a fixed number of reads."""

from __future__ import annotations

from collections import Counter, defaultdict
from typing import TYPE_CHECKING, Any, Protocol

from shared.errors import InvalidRequest, NotFound
from shared.library.bounds import MAX_QUERY_WORDS, check_word_count, plain_query
from shared.library.cursor import INVALID_CURSOR, CursorCodec
from shared.library.essays import breadcrumb
from shared.library.ids import is_essay_id
from shared.library.models import (
    EssaySummary,
    LevelNode,
    RelatedEssays,
    SearchHit,
    SearchResults,
    SectionEssays,
    SectionInfo,
    SectionNode,
    SectionTree,
    SubjectNode,
)

if TYPE_CHECKING:  # the store's rows, named by the Protocol the store implements (no import at run time)
    from shared.store.rows import CardRow, RelatedRow, SectionPage, SectionRow, SummaryRow, TaxonomyRow

POSTINGS_PER_WORD = 1000  # the best rated 1,000 titles per word: one Query page of ~50 KB
MAX_SEARCH_OFFSET = MAX_QUERY_WORDS * POSTINGS_PER_WORD  # no search ranks more titles than this
MAX_MEMBER_KEY_CHARS = 201  # a section entry's sort key: folded title (<= 100) + "#" + essay id (<= 100)


class DiscoveryStore(Protocol):
    def get_related(self, essay_id: str) -> RelatedRow | None: ...
    def postings(self, term: str, limit: int) -> list[tuple[str, int]]: ...
    def get_cards(self, essay_ids: list[str]) -> dict[str, CardRow]: ...
    def section_page(self, section_id: str, limit: int, start_after: str | None) -> SectionPage: ...
    def sections(self) -> list[TaxonomyRow]: ...


def _section(row: SectionRow) -> SectionInfo:
    return SectionInfo(row.section_id, row.name, row.level, row.subject)


def _summary(row: SummaryRow) -> EssaySummary:
    return EssaySummary(row.essay_id, row.title, row.snippet, row.rating, row.annotation_count)


def related_essays(store: DiscoveryStore, essay_id: str, limit: int) -> RelatedEssays:
    row = store.get_related(essay_id)
    if row is None:
        raise NotFound(f"No essay has the id '{essay_id}'.")
    return RelatedEssays(
        essay_id=essay_id, section=_section(row.section), related=[_summary(r) for r in row.related[:limit]]
    )


def search_words(query: str) -> list[str]:
    from shared.library.text import query_terms  # only search pays for the text module, as for plain_query's

    words = query_terms(plain_query(query, "some words of the essay title you are looking for"))
    if not words:
        raise InvalidRequest("q has no words to search for (very common words such as 'the' are ignored)")
    check_word_count(len(words))
    return words


def search(store: DiscoveryStore, cursors: CursorCodec, query: str, limit: int, cursor: str | None) -> SearchResults:
    """Titles matching the most words first, then the best rated; one Query per word and one
    BatchGetItem for the page shown."""
    words = search_words(query)
    scope = "search:" + " ".join(sorted(words))
    offset: int = cursors.decode(cursor, scope, _is_search_offset) if cursor else 0

    matches: Counter[str] = Counter()
    ratings: dict[str, int] = {}
    for word in words:
        for essay_id, rating in store.postings(word, POSTINGS_PER_WORD):
            matches[essay_id] += 1
            ratings[essay_id] = rating
    ranked = sorted(matches, key=lambda e: (-matches[e], -ratings[e], e))
    page = ranked[offset : offset + limit]
    cards = store.get_cards(page) if page else {}
    # e not in cards: a posting whose essay is being removed this very moment
    hits = [_hit(cards[e], matches[e]) for e in page if e in cards]
    more = offset + limit < len(ranked)
    return SearchResults(
        query=query.strip(),
        words=words,
        results=hits,
        next_cursor=cursors.encode(scope, offset + limit) if more else None,
    )


def _is_search_offset(position: Any) -> bool:
    return type(position) is int and 1 <= position <= MAX_SEARCH_OFFSET  # bool is an int: refused


def _is_member_key(position: Any) -> bool:
    """A section entry's sort key, `<folded title>#<essay id>` (shared/store/schema.py)."""
    return (
        isinstance(position, str)
        and len(position) <= MAX_MEMBER_KEY_CHARS
        and "#" in position
        and is_essay_id(position.rsplit("#", 1)[1])
    )


def _hit(card: CardRow, matched_words: int) -> SearchHit:
    header = card.header
    return SearchHit(
        header.essay_id,
        header.title,
        card.snippet,
        header.rating,
        card.annotation_count,
        breadcrumb(header),
        matched_words,
    )


def section_tree(store: DiscoveryStore) -> SectionTree:
    tree: dict[str, dict[str, list[SectionNode]]] = defaultdict(lambda: defaultdict(list))
    for row in store.sections():
        tree[row.level][row.subject].append(SectionNode(id=row.section_id, name=row.name, essay_count=row.essay_count))
    levels = []
    for level in sorted(tree):
        subjects = [
            SubjectNode(
                name=subject,
                essay_count=sum(s.essay_count for s in nodes),
                sections=sorted(nodes, key=lambda s: s.name),
            )
            for subject, nodes in sorted(tree[level].items())
        ]
        levels.append(LevelNode(name=level, essay_count=sum(s.essay_count for s in subjects), subjects=subjects))
    return SectionTree(levels=levels, essay_count=sum(level.essay_count for level in levels))


def section_essays(
    store: DiscoveryStore, cursors: CursorCodec, section_id: str, limit: int, cursor: str | None
) -> SectionEssays:
    scope = f"section:{section_id}"
    start_after: str | None = cursors.decode(cursor, scope, _is_member_key) if cursor else None
    page = store.section_page(section_id, limit, start_after)
    if page.section is None and start_after is not None:  # the essays after it were removed since: not a 404
        raise InvalidRequest(INVALID_CURSOR)
    if page.section is None:
        raise NotFound(f"No section has the id '{section_id}'.")
    return SectionEssays(
        section=_section(page.section),
        essays=[_summary(r) for r in page.essays],
        next_cursor=cursors.encode(scope, page.next_key) if page.next_key else None,
    )
