"""The library's levels, subjects and sections as a load sees them: names match whatever their
case or spacing, the display names are the library's, and names new to the library are said.

A section's id is the slug of its level, subject and name, so two spellings that share a slug
are the same section; its names are then the library's (or, for a section new to it, the first
spelling in the files), never the last row's. The tree (`TAXONOMY` items) and the listings
(section entries, cards) are written from the same names, so they always agree.
"""

from __future__ import annotations

import difflib
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass

from essays_cli.loading.record import EssayRecord
from essays_cli.loading.sections import SectionLabel
from essays_cli.loading.slugs import name_key
from shared.store.rows import TaxonomyRow


@dataclass(frozen=True)
class NewName:
    """A section a load would create, told by the highest thing new in it: its level, its
    subject in a known level, or only the section itself."""

    kind: str  # "level", "subject" or "section"
    name: str
    closest: str | None
    path: str  # level / subject / section
    section_id: str = ""

    def __str__(self) -> str:
        hint = f" (did you mean '{self.closest}'?)" if self.closest else ""
        return f"new {self.kind} '{self.name}'{hint}: {self.path}"


class Taxonomy:
    def __init__(self, stored: Iterable[TaxonomyRow] = (), pending: dict[str, SectionLabel] | None = None) -> None:
        """`stored`: the library's sections (TAXONOMY items); `pending`: sections an unfinished load
        marked dirty, which are the library's too (the rerun that finishes them adds nothing)."""
        self.levels: dict[str, str] = {}
        self.subjects: dict[tuple[str, str], str] = {}
        self.sections: dict[str, SectionLabel] = {}
        for row in stored:
            self._add(row.section_id, SectionLabel(row.level, row.subject, row.name))
        self.published = len(self.sections)  # sections readers can see
        for section_id, label in sorted((pending or {}).items()):
            self._add(section_id, label)
        self.stored_sections = set(self.sections)
        # what "did you mean" may offer: names the library has, not those of this load
        self.stored_levels = dict(self.levels)
        self.stored_subjects = dict(self.subjects)

    def _add(self, section_id: str, label: SectionLabel) -> SectionLabel:
        level = self.levels.setdefault(name_key(label.level), label.level)
        subject = self.subjects.setdefault((name_key(level), name_key(label.subject)), label.subject)
        return self.sections.setdefault(section_id, SectionLabel(level, subject, label.name))

    def new_names(self, sections: dict[str, SectionLabel]) -> list[NewName]:
        """The sections of a load that the library does not have yet, each said with the closest
        existing name; then adopts them, so the whole load spells them one way."""
        found: list[NewName] = []
        for section_id, label in sorted(sections.items()):
            if section_id in self.sections:
                continue
            level_key, subject_key = name_key(label.level), name_key(label.subject)
            if level_key not in self.levels:
                new = NewName("level", label.level, _closest(label.level, self.stored_levels.values()), "")
            elif (level_key, subject_key) not in self.subjects:
                subjects = [name for (key, _), name in self.stored_subjects.items() if key == level_key]
                new = NewName("subject", label.subject, _closest(label.subject, subjects), "")
            else:
                parent = section_id.rsplit("--", 1)[0] + "--"
                siblings = [
                    s.name for i, s in self.sections.items() if i.startswith(parent) and i in self.stored_sections
                ]
                new = NewName("section", label.name, _closest(label.name, siblings), "")
            label = self._add(section_id, label)
            path = f"{label.level} / {label.subject} / {label.name}"
            found.append(NewName(new.kind, new.name, new.closest, path, section_id))
        return found

    def canonical(self, record: EssayRecord) -> EssayRecord:
        """The record with the library's spelling of its level, subject and section."""
        label = self.sections.get(record.section_id) or self._add(
            record.section_id, SectionLabel(record.level, record.subject, record.section)
        )
        if (label.level, label.subject, label.name) == (record.level, record.subject, record.section):
            return record
        return record.model_copy(update={"level": label.level, "subject": label.subject, "section": label.name})

    def label(self, section_id: str, fallback: SectionLabel) -> SectionLabel:
        return self.sections.get(section_id, fallback)


def _scripts(name: str) -> set[str]:
    """The scripts a name is written in ("LATIN", "DEVANAGARI", "CJK"...), from its letters."""
    return {unicodedata.name(ch, "?").split(" ")[0] for ch in name if ch.isalpha()}


def _closest(name: str, names: Iterable[str]) -> str | None:
    """The existing name most like this one, in the same script (a Hindi section is no typo of
    "Chinese", whatever their transliterations share)."""
    scripts = _scripts(name)
    by_key = {name_key(n).replace("-", " "): n for n in names if _scripts(n) == scripts}
    match = difflib.get_close_matches(
        name_key(name).replace("-", " "), list(by_key), n=1, cutoff=0.6
    )  # below: "Russian" for "Franch"
    if match:
        return by_key[match[0]]
    # "A level" for "AS and A Level": one name's words inside the other's
    words = set(name_key(name).split("-"))
    overlapping = [n for k, n in by_key.items() if words & set(k.split())]
    return overlapping[0] if len(overlapping) == 1 else None
