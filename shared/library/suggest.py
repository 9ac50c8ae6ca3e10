"""Title suggestions as the reader types ("Search for your essay title..."): pure logic, no AWS.

A title is suggested for q when the last, unfinished word of q starts one of the title's words
and every earlier word of q is one of them (stop words are ignored there, as in search). Words
are folded as in search (case, accents, plurals; letters of any script). Best rated first. In a
script written without spaces (Chinese, Japanese...) a run of characters counts as one word, so
what the reader types is matched against the start of a run.

The loader stores one item per prefix of the library's title words, `SUGGEST#<prefix>` (schema.py):
the LISTED best-rated titles with a word under that prefix, best rated first. A keystroke is one
GetItem of that one item (< 4 KB: one read unit at most), whatever the library's size, and the library
holds about one such item per essay (prefixes are shared), where an entry per (prefix, essay) made
~30. The loader rebuilds the lists of the prefixes a load touches from the sections' entries
(infra/essays_cli/loading/suggestions.py). With several words, the list of the prefix is read
first; if it is full, the list of the longest earlier word is read too, and both are checked against
every word of q. That is exact whenever either word has at most CANDIDATES titles; past that (two
very common words) the suggestions are the best rated of those candidates, all of them true matches.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING, Protocol

from shared.errors import InvalidRequest
from shared.library.bounds import check_word_count, plain_query
from shared.library.models import Suggestion, Suggestions
from shared.library.text import STOP_WORDS, fold, singular, words_in

if TYPE_CHECKING:  # the store's rows, named by the Protocol the store implements (no import at run time)
    from shared.store.rows import SuggestRow

MIN_PREFIX = 2  # a single letter matches too much to help anyone: it answers an empty list
CANDIDATES = 12  # per read when q has several words: 12 entries of a 200-character title stay < 4 KB
LISTED = CANDIDATES  # titles a prefix's list holds (>= SUGGEST_LIMIT's maximum, 10)

MAX_WORD = 40  # longer runs are not words (search's MAX_TERM_CHARS): never suggested by


class SuggestStore(Protocol):
    def suggestions(self, prefix: str, limit: int) -> tuple[list[SuggestRow], bool]:
        """At most `limit` titles under the prefix, best rated first, and whether that is all of them."""
        ...


def word_forms(title: str) -> set[str]:
    """The forms a title's words are found by: as written (folded) and singular; stop words included,
    since a half-typed word ("the", "ca") may be one."""
    words = [w for w in words_in(fold(title)) if MIN_PREFIX <= len(w) <= MAX_WORD]
    return set(words) | {singular(w) for w in words}


def prefixes(title: str) -> set[str]:
    """Every prefix (of at least MIN_PREFIX characters) of every form of the title's words."""
    return {form[:n] for form in word_forms(title) for n in range(MIN_PREFIX, len(form) + 1)}


def parse(query: str) -> tuple[list[str], str]:
    """(the earlier words, the prefix) of q, or 400 for what search refuses too."""
    query = plain_query(query, "the start of the essay title you are looking for")
    words = words_in(fold(query))  # split as titles are, by Unicode's rules (search's too)
    if not words:
        raise InvalidRequest("q has no letters or digits to suggest titles for")
    *before, last = words
    earlier = list(dict.fromkeys(singular(w) for w in before if w not in STOP_WORDS and len(w) > 1))
    check_word_count(len(earlier) + 1)
    return earlier, singular(last)


def matches(title: str, earlier: Iterable[str], prefix: str) -> bool:
    forms = word_forms(title)
    return all(word in forms for word in earlier) and any(form.startswith(prefix) for form in forms)


def suggest(store: SuggestStore, query: str, limit: int) -> Suggestions:
    """One GetItem of one small item (two when q has several words and the prefix's list is full)."""
    earlier, prefix = parse(query)
    found: list[SuggestRow] = []
    if len(prefix) >= MIN_PREFIX:
        if not earlier:
            found, _ = store.suggestions(prefix, limit)
        else:
            rows, complete = store.suggestions(prefix, CANDIDATES)
            if not complete:  # the prefix has more titles than its list holds
                rows += store.suggestions(max(earlier, key=len), CANDIDATES)[0]
            best = {r.essay_id: r for r in rows if matches(r.title, earlier, prefix)}
            found = sorted(best.values(), key=lambda r: (-(r.rating or 0), r.essay_id))[:limit]
    return Suggestions(
        query=query.strip(),
        suggestions=[Suggestion(essay_id=r.essay_id, title=r.title, rating=r.rating) for r in found],
    )
