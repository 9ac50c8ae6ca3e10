"""What a load tells its operator as it goes: which phase it is in (checking the files, writing
essays, rebuilding sections) and how far along. The loader calls these; the CLI draws them."""

from __future__ import annotations

from typing import Protocol

CHECKING = "checking"
WRITING = "writing"
REBUILDING = "rebuilding"


class Progress(Protocol):
    phase: str  # the phase under way ("" before the first)

    def start(self, phase: str, total: int | None) -> None:
        """A phase begins; `total` is what it will count to (None: not known in advance)."""

    def advance(self, done: int = 1) -> None:
        """`done` more records checked, essays written or sections rebuilt."""


class Silent:
    """No one is watching (tests, the benchmark): only the phase is kept."""

    def __init__(self) -> None:
        self.phase = ""

    def start(self, phase: str, total: int | None) -> None:
        self.phase = phase

    def advance(self, done: int = 1) -> None:
        pass
