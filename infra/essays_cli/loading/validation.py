"""Pass 1 of a load: read every record of the files and check it, before anything is written.

Besides each record's fields, the sizes of the items it will be stored as are checked (in UTF-8
bytes, against DynamoDB's 400 KB per item), so a load never stops half way on one essay.
Duplicate ids are found with 8 bytes per essay (a hash of each id, in 256 buckets sorted
separately), then a second streaming pass names where each repeat's first copy is. The
sections of the load are collected (a few per file at most) for the taxonomy checks.
"""

from __future__ import annotations

import hashlib
from array import array
from bisect import bisect_left
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from itertools import pairwise
from pathlib import Path
from typing import Any

from essays_cli.loading.files import Problem, SourceRecord, read_records
from essays_cli.loading.items import size_problem
from essays_cli.loading.sections import SectionLabel

ROWS_NAMED = 5  # rows a message about a section names, at most
PROGRESS_STEP = 100  # records checked between two progress reports


@dataclass
class Validation:
    valid: int = 0
    rejected_lines: set[tuple[str, int]] = field(default_factory=set)
    problems: int = 0
    unreadable_files: list[str] = field(default_factory=list)  # nothing in them could be read
    sections: dict[str, SectionLabel] = field(default_factory=dict)  # as first spelt in the files
    # where each section's essays are: their count, and the first few rows (messages name them)
    section_essays: dict[str, int] = field(default_factory=dict)
    section_rows: dict[str, list[tuple[str, int, int]]] = field(default_factory=dict)  # (file, line, row)
    id_hashes: list[array[int]] = field(default_factory=list)  # sorted, for `has_id`

    unread: int = 0  # essays in files that could not be read at all (a CSV's header row is wrong)

    @property
    def rejected_rows(self) -> int:
        return len(self.rejected_lines) - len(self.unreadable_files) + self.unread

    def rows_of(self, section_id: str) -> str:
        """Where the load's essays of a section are, for a message: "2 essays: e.csv rows 2, 5"."""
        count = self.section_essays.get(section_id, 0)
        by_file: dict[str, list[str]] = {}
        for file, line, row in self.section_rows.get(section_id, []):
            by_file.setdefault(file, []).append(f"row {row}" if row else f"line {line}")
        places = "; ".join(f"{file} {', '.join(where)}" for file, where in by_file.items())
        more = count - len(self.section_rows.get(section_id, []))
        return f"{count} essay{'s' if count != 1 else ''}: {places}" + (f" and {more} more" if more > 0 else "")

    def has_id(self, essay_id: str) -> bool:
        """Whether the load holds this id (8 bytes per essay; a false yes once in 10^19)."""
        digest = _id_hash(essay_id)
        bucket = self.id_hashes[digest >> 56] if self.id_hashes else array("Q")
        i = bisect_left(bucket, digest)
        return i < len(bucket) and bucket[i] == digest


def all_records(paths: Sequence[Path]) -> Iterator[SourceRecord]:
    for path in paths:
        yield from read_records(path)


class Validator:
    def __init__(self, report: Callable[[Problem], None], warn: Callable[[Problem], None]) -> None:
        self.report = report
        self.warn = warn

    def validate(self, paths: Sequence[Path], checked: Callable[[int], Any] = lambda n: None) -> Validation:
        """Check every record; `checked(n)` hears of them every PROGRESS_STEP records."""
        result = Validation()
        # 8 bytes per essay, in 256 buckets by the hash's top byte, so finding repeats sorts small lists
        id_hashes = [array("Q") for _ in range(256)]
        seen = 0
        for source in all_records(paths):
            seen += 1
            if seen % PROGRESS_STEP == 0:
                checked(PROGRESS_STEP)
            for warning in source.warnings:
                self.warn(warning)
            record = source.record
            if record is None:
                if source.problems:
                    self._reject(result, source)
                continue
            too_big = size_problem(record)
            if too_big:
                self._reject(
                    result, source, [Problem(source.file, source.line, "body", too_big, source.row, record.title)]
                )
                continue
            result.valid += 1
            section = record.section_id
            result.sections.setdefault(section, SectionLabel(record.level, record.subject, record.section))
            result.section_essays[section] = result.section_essays.get(section, 0) + 1
            rows = result.section_rows.setdefault(section, [])
            if len(rows) < ROWS_NAMED:
                rows.append((source.file, source.line, source.row))
            digest = _id_hash(record.essay_id)
            id_hashes[digest >> 56].append(digest)
        checked(seen % PROGRESS_STEP)
        result.id_hashes = [array("Q", sorted(bucket)) for bucket in id_hashes]
        duplicated = {a for bucket in result.id_hashes for a, b in pairwise(bucket) if a == b}
        if duplicated:
            self._report_duplicates(paths, duplicated, result)
        return result

    def _reject(self, result: Validation, source: SourceRecord, problems: list[Problem] | None = None) -> None:
        result.rejected_lines.add((source.file, source.line))
        if source.line == 0:
            result.unreadable_files.append(source.file)
            result.unread += source.unread
        problems = problems or source.problems
        result.problems += len(problems)
        for problem in problems:
            self.report(problem)

    @staticmethod
    def _forget(result: Validation, source: SourceRecord, section: str) -> None:
        """A record found bad after it was counted in its section: no longer counted there."""
        result.section_essays[section] -= 1
        place = (source.file, source.line, source.row)
        if place in result.section_rows[section]:
            result.section_rows[section].remove(place)
        if not result.section_essays[section]:
            del result.section_essays[section], result.section_rows[section], result.sections[section]

    def _report_duplicates(self, paths: Sequence[Path], duplicated: set[int], result: Validation) -> None:
        first_seen: dict[str, SourceRecord] = {}
        for source in all_records(paths):
            record = source.record
            if record is None or _id_hash(record.essay_id) not in duplicated:
                continue
            if (source.file, source.line) in result.rejected_lines:
                continue
            essay_id = record.essay_id
            if essay_id not in first_seen:
                first_seen[essay_id] = source
                continue
            first = first_seen[essay_id]
            where = f"{first.file}:row {first.row}" if first.row else f"{first.file}:{first.line}"
            if record.id:
                message = f"the id '{essay_id}' is already used by the essay at {where}"
            else:
                message = (
                    f"an essay with this title is already at {where} (an essay without an id "
                    "gets its id from its title): give one of them an id, or remove the repeat"
                )
            result.valid -= 1
            self._forget(result, source, record.section_id)
            problem = Problem(source.file, source.line, "id", message, source.row, record.title)
            self._reject(result, source, [problem])


def _id_hash(essay_id: str) -> int:
    return int.from_bytes(hashlib.blake2b(essay_id.encode("utf-8"), digest_size=8).digest(), "big")
