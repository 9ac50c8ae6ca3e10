"""Pass 1 of a load: read every record of the files and check it, before anything is written.

Duplicate ids are found with 8 bytes per essay (a hash of each id, in 256 buckets sorted
separately), then a second streaming pass names where each repeat's first copy is.
"""

from __future__ import annotations

import hashlib
from array import array
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from itertools import pairwise
from pathlib import Path

from essays_cli.loading.files import Problem, SourceRecord, read_records


@dataclass
class Validation:
    valid: int = 0
    rejected_lines: set[tuple[str, int]] = field(default_factory=set)
    problems: int = 0


def all_records(paths: Sequence[Path]) -> Iterator[SourceRecord]:
    for path in paths:
        yield from read_records(path)


class Validator:
    def __init__(self, report: Callable[[Problem], None]) -> None:
        self.report = report

    def validate(self, paths: Sequence[Path]) -> Validation:
        result = Validation()
        # 8 bytes per essay, in 256 buckets by the hash's top byte, so finding repeats sorts small lists
        id_hashes = [array("Q") for _ in range(256)]
        for source in all_records(paths):
            if source.record is None:
                self._reject(result, source.file, source.line, source.problems)
            else:
                result.valid += 1
                digest = _id_hash(source.record.essay_id)
                id_hashes[digest >> 56].append(digest)
        duplicated = _repeated(id_hashes)
        if duplicated:
            self._report_duplicates(paths, duplicated, result)
        return result

    def _reject(self, result: Validation, file: str, line: int, problems: list[Problem]) -> None:
        result.rejected_lines.add((file, line))
        result.problems += len(problems)
        for problem in problems:
            self.report(problem)

    def _report_duplicates(self, paths: Sequence[Path], duplicated: set[int], result: Validation) -> None:
        first_seen: dict[str, tuple[str, int]] = {}
        for source in all_records(paths):
            record = source.record
            if record is None or _id_hash(record.essay_id) not in duplicated:
                continue
            essay_id = record.essay_id
            if essay_id not in first_seen:
                first_seen[essay_id] = (source.file, source.line)
                continue
            file, line = first_seen[essay_id]
            if record.id:
                message = f"the id '{essay_id}' is already used by the essay at {file}:{line}"
            else:
                message = (
                    f"an essay with this title is already at {file}:{line} (an essay without an id "
                    "gets its id from its title): give one of them an id, or remove the repeat"
                )
            result.valid -= 1
            self._reject(result, source.file, source.line, [Problem(source.file, source.line, "id", message)])


def _id_hash(essay_id: str) -> int:
    return int.from_bytes(hashlib.blake2b(essay_id.encode("utf-8"), digest_size=8).digest(), "big")


def _repeated(buckets: list[array[int]]) -> set[int]:
    return {a for bucket in buckets for a, b in pairwise(sorted(bucket)) if a == b}
