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


def sections(query: Callable[..., Iterator[dict[str, Any]]]) -> Iterator[dict[str, Any]]:
    """The library's sections (TAXONOMY items), one Query."""
    return query(schema.TAXONOMY, "SECTION#")


def essays(
    query: Callable[..., Iterator[dict[str, Any]]], section: str | None = None, search: str | None = None
) -> Iterator[Listed]:
    """Essays in title order, section by section; `section` matches a section's id or any part of
    its name (case and spacing aside), `search` keeps titles holding every word searched for."""
    wanted = set(unique_terms(search)) if search else set()
    for item in sorted(sections(query), key=lambda i: (fold(i["level"]), fold(i["subject"]), fold(i["name"]))):
        if section and not _matches(section, item):
            continue
        shown = f"{item['level']} / {item['subject']} / {item['name']}"
        for member in query(
            schema.section_pk(item["sectionId"]),
            ProjectionExpression="#i, #t",
            ExpressionAttributeNames={"#i": "essayId", "#t": "title"},
        ):
            if wanted <= set(unique_terms(member["title"])):
                yield Listed(member["essayId"], member["title"], item["sectionId"], shown)


def titled(query: Callable[..., Iterator[dict[str, Any]]], title: str) -> list[Listed]:
    """Essays with exactly this title (spacing aside): one Query per section, each reading only the
    entries that start with the title (section entries sort by folded title). When none has it
    exactly, those whose title differs only in typography (a curly apostrophe for a straight one
    typed in a terminal, a dash, case): each section's titles read whole."""
    exact = " ".join(title.split())
    prefix = schema.member_sk(exact, "").removesuffix("#")
    found = []
    stored = list(sections(query))
    for item in stored:
        for member in query(schema.section_pk(item["sectionId"]), prefix):
            if " ".join(member["title"].split()) == exact:
                found.append(_listed(member, item))
    if found:
        return found
    key = typography_key(title)
    for item in stored:
        for member in query(
            schema.section_pk(item["sectionId"]),
            ProjectionExpression="#i, #t",
            ExpressionAttributeNames={"#i": "essayId", "#t": "title"},
        ):
            if typography_key(member["title"]) == key:
                found.append(_listed(member, item))
    return found


def _listed(member: dict[str, Any], item: dict[str, Any]) -> Listed:
    shown = f"{item['level']} / {item['subject']} / {item['name']}"
    return Listed(
        member["essayId"], member["title"], item["sectionId"], shown, item["level"], item["subject"], item["name"]
    )


def _matches(wanted: str, item: dict[str, Any]) -> bool:
    key = name_key(wanted)
    return wanted == item["sectionId"] or (bool(key) and key in name_key(f"{item['subject']} {item['name']}"))
