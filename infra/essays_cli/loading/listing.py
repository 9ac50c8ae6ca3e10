"""What the library holds, for an operator: its essays with id, title and section, found without
a Scan (the taxonomy item lists the sections, then one Query per section reads its entries)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

from essays_cli.loading.copies import typography_key
from essays_cli.loading.slugs import name_key
from shared.library.text import fold, unique_terms
from shared.store import schema
from shared.store.dynamo import projection
from shared.store.rows import ListedRow, TaxonomyRow


@dataclass(frozen=True)
class Listed:
    essay_id: str
    title: str
    section_id: str
    section: str  # level / subject / section, as shown
    level: str = ""
    subject: str = ""
    section_name: str = ""

    def __str__(self) -> str:
        return f"{self.essay_id}\t{self.title}\t{self.section}"


def sections(query: Callable[..., Iterator[dict[str, Any]]]) -> Iterator[TaxonomyRow]:
    """The library's sections (TAXONOMY items), one Query."""
    return map(TaxonomyRow.from_item, query(schema.TAXONOMY, schema.taxonomy_sk("")))


def _titled(
    query: Callable[..., Iterator[dict[str, Any]]], section_id: str, prefix: str | None = None
) -> Iterator[ListedRow]:
    """A section's entries: those whose sort key starts with `prefix`, else all of them, id and title only."""
    pk = schema.section_pk(section_id)
    return map(ListedRow.from_item, query(pk, prefix) if prefix else query(pk, **projection(ListedRow.TITLED)))


def essays(
    query: Callable[..., Iterator[dict[str, Any]]], section: str | None = None, search: str | None = None
) -> Iterator[Listed]:
    """Essays in title order, section by section; `section` matches a section's id or any part of
    its name (case and spacing aside), `search` keeps titles holding every word searched for."""
    wanted = set(unique_terms(search)) if search else set()
    for row in sorted(sections(query), key=lambda r: (fold(r.level), fold(r.subject), fold(r.name))):
        if section and not _matches(section, row):
            continue
        for member in _titled(query, row.section_id):
            if wanted <= set(unique_terms(member.title)):
                yield Listed(member.essay_id, member.title, row.section_id, _shown(row))


def titled(query: Callable[..., Iterator[dict[str, Any]]], title: str) -> list[Listed]:
    """Essays with exactly this title (spacing aside): one Query per section, each reading only the
    entries that start with the title (section entries sort by folded title). When none has it
    exactly, those whose title differs only in typography (a curly apostrophe for a straight one
    typed in a terminal, a dash, case): each section's titles read whole."""
    exact = " ".join(title.split())
    prefix = schema.member_sk(exact, "").removesuffix("#")
    found = []
    stored = list(sections(query))
    for row in stored:
        for member in _titled(query, row.section_id, prefix):
            if " ".join(member.title.split()) == exact:
                found.append(_listed(member, row))
    if found:
        return found
    key = typography_key(title)
    for row in stored:
        for member in _titled(query, row.section_id):
            if typography_key(member.title) == key:
                found.append(_listed(member, row))
    return found


def _shown(row: TaxonomyRow) -> str:
    return f"{row.level} / {row.subject} / {row.name}"


def _listed(member: ListedRow, row: TaxonomyRow) -> Listed:
    return Listed(member.essay_id, member.title, row.section_id, _shown(row), row.level, row.subject, row.name)


def _matches(wanted: str, row: TaxonomyRow) -> bool:
    key = name_key(wanted)
    return wanted == row.section_id or (bool(key) and key in name_key(f"{row.subject} {row.name}"))
