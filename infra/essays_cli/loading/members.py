"""The members of the sections a load writes, kept aside so its section rebuilds need not read
them back: used when the load began on a table holding no section and no dirty mark, where every
member of every section it touches comes from this load.

Each member's slim record (what ranking and a related entry need: id, title, snippet, rating,
annotation count, keywords) is appended to a temporary file as its essay is planned; memory keeps
only where it starts, 8 bytes per essay, in one array per section. A rebuild reads one section's
records back from the file, as the Query path reads them from the table, in the same order (the
members' sort keys), so both rank the same essays the same way. The file goes with the load; a
load cut off leaves dirty marks, and the next run rebuilds those sections from the table.
"""

from __future__ import annotations

import json
import tempfile
import threading
from array import array
from collections.abc import Iterator
from typing import Any

from shared.store.rows import MemberRow


class Members:
    def __init__(self) -> None:
        self._file = tempfile.TemporaryFile()  # noqa: SIM115 (kept open for the load, closed by close())
        self._offsets: dict[str, array[int]] = {}
        self._end = 0
        self._lock = threading.Lock()  # sections are rebuilt a few at a time, from one file

    def add(self, member: dict[str, Any]) -> None:
        """Keep what ranking needs of a member entry (its values, as written)."""
        slim = {k: member.get(k) for k in MemberRow.RANKED}
        line = json.dumps(slim, ensure_ascii=False, separators=(",", ":")).encode()
        self._offsets.setdefault(MemberRow.section_id_of(member), array("Q")).append(self._end)
        self._file.write(line + b"\n")
        self._end += len(line) + 1

    def __contains__(self, section_id: object) -> bool:
        return section_id in self._offsets

    def of(self, section_id: str) -> list[dict[str, Any]]:
        """A section's members, in the order a Query of the section returns them."""
        with self._lock:
            self._file.flush()
            lines = []
            for offset in self._offsets.get(section_id, ()):
                self._file.seek(offset)
                lines.append(self._file.readline())
            self._file.seek(self._end)
        records = [json.loads(line) for line in lines]
        records.sort(key=lambda r: MemberRow.sort_key_of(r).encode())
        return records

    def every(self) -> Iterator[dict[str, Any]]:
        """Every member kept, in the order they were added (the suggest lists' rebuild reads them all)."""
        position, rest = 0, b""
        while position < self._end:
            with self._lock:  # a block at a time: memory holds 1 MB of the file, not the file
                self._file.flush()
                self._file.seek(position)
                block = self._file.read(min(1 << 20, self._end - position))
                self._file.seek(self._end)
            position += len(block)
            *lines, rest = (rest + block).split(b"\n")
            for line in lines:
                yield json.loads(line)

    def kept_bytes(self) -> int:
        """What the index holds in memory (the offsets), not counting the file on disk."""
        return sum(a.itemsize * len(a) for a in self._offsets.values())

    def close(self) -> None:
        self._file.close()
