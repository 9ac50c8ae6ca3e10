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

from essays_cli.loading.files import Problem, SourceRecord, read_records
from essays_cli.loading.items import size_problem
from essays_cli.loading.sections import SectionLabel


@dataclass
class Validation:
    valid: int = 0
    rejected_lines: set[tuple[str, int]] = field(default_factory=set)
    problems: int = 0
    unreadable_files: list[str] = field(default_factory=list)  # nothing in them could be read
    sections: dict[str, SectionLabel] = field(default_factory=dict)  # as first spelt in the files
    id_hashes: list[array[int]] = field(default_factory=list)  # sorted, for `has_id`

    @property
    def rejected_rows(self) -> int:
        return len(self.rejected_lines) - len(self.unreadable_files)

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

    def validate(self, paths: Sequence[Path]) -> Validation:
        result = Validation()
        # 8 bytes per essay, in 256 buckets by the hash's top byte, so finding repeats sorts small lists
        id_hashes = [array("Q") for _ in range(256)]
        for source in all_records(paths):
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
            result.sections.setdefault(record.section_id, SectionLabel(record.level, record.subject, record.section))
            digest = _id_hash(record.essay_id)
            id_hashes[digest >> 56].append(digest)
        result.id_hashes = [array("Q", sorted(bucket)) for bucket in id_hashes]
        duplicated = {a for bucket in result.id_hashes for a, b in pairwise(bucket) if a == b}
        if duplicated:
            self._report_duplicates(paths, duplicated, result)
        return result

    def _reject(self, result: Validation, source: SourceRecord, problems: list[Problem] | None = None) -> None:
        result.rejected_lines.add((source.file, source.line))
        if source.line == 0:
            result.unreadable_files.append(source.file)
        problems = problems or source.problems
        result.problems += len(problems)
        for problem in problems:
            self.report(problem)

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
            problem = Problem(source.file, source.line, "id", message, source.row, record.title)
            self._reject(result, source, [problem])


def _id_hash(essay_id: str) -> int:
    return int.from_bytes(hashlib.blake2b(essay_id.encode("utf-8"), digest_size=8).digest(), "big")
