"""Edited copies: a new essay whose title or opening is almost the same as an essay already in
its section is most likely that essay edited (an essay without an id gets its id from its title,
so "deadly?" -> "deadly ?" makes a second essay). The load says so; it cannot know for sure.

A new essay (without an id in the file) whose title differs from a stored essay's in its section
only in typography (curly or straight quotes, dashes, spacing, case) is that essay: the load
updates it rather than adding a second (`same_title`).

Each section's existing essays are read once (a Query of its entries: id, title, snippet) and
kept for the few most recent sections only, so memory stays bounded by the largest section.
"""

from __future__ import annotations

import difflib
import re
import unicodedata
from collections import OrderedDict
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

from shared.library.marks import MARKS
from shared.library.text import fold, terms
from shared.store import schema
from shared.store.dynamo import projection
from shared.store.rows import ListedRow

SECTIONS_KEPT = 4
SIMILAR = 0.9  # difflib's ratio from which two titles or openings are "almost the same"
MIN_OPENING_CHARS = 40  # shorter openings say too little to compare


@dataclass(frozen=True)
class _Entry:
    essay_id: str
    title_key: str
    opening: str
    typography_key: str


def _title_key(title: str) -> str:
    return " ".join(terms(title)) or fold(title)


_PLAIN = str.maketrans(
    {
        **dict.fromkeys("‘’‚‛`´′ʼ", "'"),
        **dict.fromkeys("“”„‟″«»", '"'),
        **dict.fromkeys("‐‑‒–—―−", "-"),
        "…": "...",
    }
)
_AROUND_PUNCTUATION = re.compile(f"\\s*([^\\w\\s{MARKS}])\\s*")


def typography_key(title: str) -> str:
    """What two spellings of one title share when they differ only in typography: quotes, dashes,
    spacing (runs of spaces, spaces around punctuation) and case."""
    text = " ".join(unicodedata.normalize("NFKC", title).translate(_PLAIN).casefold().split())
    return _AROUND_PUNCTUATION.sub(r"\1", text)


class EditedCopies:
    def __init__(
        self,
        query: Callable[..., Iterator[dict[str, Any]]],
        existing_sections: set[str],
        in_load: Callable[[str], bool],
    ) -> None:
        self.query = query
        self.existing_sections = existing_sections
        self.in_load = in_load
        self.cache: OrderedDict[str, list[_Entry]] = OrderedDict()

    def original_of(self, section_id: str, essay_id: str, title: str, snippet: str) -> str | None:
        """The id of an essay already in the section that this new one looks like an edit of."""
        if section_id not in self.existing_sections:
            return None
        key, opening = _title_key(title), fold(snippet.removesuffix("…"))
        for entry in self._entries(section_id):
            if entry.essay_id == essay_id:
                continue
            if _similar(key, entry.title_key) or (
                len(opening) >= MIN_OPENING_CHARS and _similar(opening, entry.opening)
            ):
                return entry.essay_id
        return None

    def same_title(self, section_id: str, title: str) -> str | None:
        """The id of the one essay already in the section whose title is this one but for its
        typography (none when two are)."""
        if section_id not in self.existing_sections:
            return None
        key = typography_key(title)
        found = [e.essay_id for e in self._entries(section_id) if e.typography_key == key]
        return found[0] if len(found) == 1 else None

    def _entries(self, section_id: str) -> list[_Entry]:
        if section_id in self.cache:
            self.cache.move_to_end(section_id)
            return self.cache[section_id]
        entries = [
            _Entry(
                listed.essay_id,
                _title_key(listed.title),
                fold(listed.snippet.removesuffix("…")),
                typography_key(listed.title),
            )
            for listed in map(
                ListedRow.from_item, self.query(schema.section_pk(section_id), **projection(ListedRow.OPENING))
            )
            if not self.in_load(listed.essay_id)  # essays of this load are not "already there"
        ]
        self.cache[section_id] = entries
        if len(self.cache) > SECTIONS_KEPT:
            self.cache.popitem(last=False)
        return entries


def _similar(a: str, b: str) -> bool:
    if a == b:
        return bool(a)
    matcher = difflib.SequenceMatcher(None, a, b, autojunk=False)
    return matcher.real_quick_ratio() >= SIMILAR and matcher.quick_ratio() >= SIMILAR and matcher.ratio() >= SIMILAR
