"""One load as a value: what a load (or a removal) knows while it runs, made by the loader and
handed to each pass, so no pass keeps a load's state on itself between runs."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from essays_cli.loading.copies import EditedCopies
from essays_cli.loading.deriving import Deriver
from essays_cli.loading.members import Members
from essays_cli.loading.record import EssayRecord
from essays_cli.loading.sections import SectionLabel
from essays_cli.loading.suggestions import SuggestLists
from essays_cli.loading.taxonomy import Taxonomy


@dataclass
class Summary:
    loaded: int = 0
    updated: int = 0
    unchanged: int = 0
    rejected: int = 0
    removed: int = 0
    not_found: int = 0
    sections_rebuilt: int = 0
    problems: int = 0
    missing_ids: list[str] = field(default_factory=list)
    # what the edge must forget (essays_cli/invalidation.py): the essays written or removed, their sections
    changed_ids: list[str] = field(default_factory=list)
    changed_sections: set[str] = field(default_factory=set)


def _told_nothing(record: EssayRecord, essay_id: str | None) -> None:
    pass


@dataclass
class LoadRun:
    """One load's (or removal's) state. The passes read and add to it (the summary's counts, the dirty
    sections, the members kept aside, the suggest lists touched); the loader closes what it holds (the
    worker processes, the members' file) when the load ends, however it ends."""

    taxonomy: Taxonomy  # the library's names, which the load's records are given
    derive: Deriver  # previews and keywords (and section rankings), in worker processes for a big load
    summary: Summary = field(default_factory=Summary)
    # sections marked dirty so far, by this load or an unfinished one: rebuilt at the end
    dirty: dict[str, SectionLabel] = field(default_factory=dict)
    dry_run: bool = False
    # True when the load began on a table with no section and no dirty mark: then it holds no
    # card (cards are written after their section's mark, which stays until the section's
    # taxonomy row is written), and a load never writes one id twice, so there is nothing to read.
    table_was_empty: bool = False
    copies: EditedCopies | None = None  # the sections' existing essays, to find edited copies
    members: Members | None = None  # kept aside by a load onto a table with no section
    # hears of each new essay, with the id of a stored essay it looks like an edited copy of
    on_new: Callable[[EssayRecord, str | None], None] = _told_nothing
    # hears of a new title that is a stored essay's but for its typography (that essay's id)
    on_same: Callable[[EssayRecord, str], None] = _told_nothing
    claimed: set[str] = field(default_factory=set)  # stored essays given to such a title in this load
    suggest: SuggestLists | None = None  # the suggest lists the load's titles touch (none in a dry run)
    replaced_titles: list[str] = field(default_factory=list)  # a chunk's replaced titles: named in the suggest mark
