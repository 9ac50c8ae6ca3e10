"""Reading the content team's files: JSON Lines and CSV, streamed one record at a time,
with every problem explained as FILE:LINE: field: what is wrong, in plain words."""

from __future__ import annotations

import csv
import json
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from essays_cli.loading.record import MAX_BODY_CHARS, EssayRecord

FIELDS = ("id", "title", "level", "subject", "section", "body", "rating", "teacherComment")
REQUIRED = ("title", "level", "subject", "section", "body")
csv.field_size_limit(MAX_BODY_CHARS * 4)  # a long essay is one (big) CSV cell


@dataclass(frozen=True)
class Problem:
    file: str
    line: int
    field: str
    message: str

    def __str__(self) -> str:
        where = f"{self.file}:{self.line}" if self.line else self.file  # line 0: about the whole file
        return f"{where}: {self.field}: {self.message}"


@dataclass
class SourceRecord:
    """One record of a file, validated: either `record` is set or `problems` say why not."""

    file: str
    line: int
    record: EssayRecord | None = None
    problems: list[Problem] = field(default_factory=list)


def read_records(path: Path) -> Iterator[SourceRecord]:
    name = str(path)
    suffix = path.suffix.lower()
    if not path.is_file():
        yield SourceRecord(name, 0, problems=[Problem(name, 0, "file", "this file does not exist")])
    elif suffix == ".jsonl":
        yield from _read_jsonl(path, name)
    elif suffix == ".csv":
        yield from _read_csv(path, name)
    else:
        message = "this kind of file cannot be loaded: use a .jsonl (JSON Lines) or .csv file"
        yield SourceRecord(name, 0, problems=[Problem(name, 0, "file", message)])


def _decoded_lines(path: Path, name: str, problems: dict[int, Problem]) -> Iterator[str]:
    """The file's lines as text; a line that is not UTF-8 is noted (and passed on repaired)."""
    with path.open("rb") as handle:
        for number, raw in enumerate(handle, start=1):
            if number == 1:
                raw = raw.removeprefix(b"\xef\xbb\xbf")  # the BOM spreadsheet programs add
            try:
                yield raw.decode("utf-8")
            except UnicodeDecodeError:
                problems[number] = Problem(
                    name, number, "file", "this line has characters that are not UTF-8 text; save as UTF-8"
                )
                yield raw.decode("utf-8", errors="replace")


def _read_jsonl(path: Path, name: str) -> Iterator[SourceRecord]:
    encoding_problems: dict[int, Problem] = {}
    for number, text in enumerate(_decoded_lines(path, name, encoding_problems), start=1):
        if not text.strip():
            continue
        if number in encoding_problems:
            yield SourceRecord(name, number, problems=[encoding_problems[number]])
            continue
        try:
            data = json.loads(text)
        except json.JSONDecodeError as error:
            message = f"this line is not valid JSON ({error.msg} at character {error.colno})"
            yield SourceRecord(name, number, problems=[Problem(name, number, "line", message)])
            continue
        if not isinstance(data, dict):
            message = 'each line must be one essay written as a JSON object: {"title": ..., "body": ...}'
            yield SourceRecord(name, number, problems=[Problem(name, number, "line", message)])
            continue
        yield validate(data, name, number)


def _read_csv(path: Path, name: str) -> Iterator[SourceRecord]:
    encoding_problems: dict[int, Problem] = {}
    reader = csv.reader(_decoded_lines(path, name, encoding_problems), strict=True)
    try:
        header = next(reader)
    except StopIteration:
        yield SourceRecord(name, 1, problems=[Problem(name, 1, "file", "the file is empty")])
        return
    except csv.Error as error:
        yield SourceRecord(name, 1, problems=[Problem(name, 1, "header", f"cannot read the header: {error}")])
        return
    columns = [c.strip() for c in header]
    header_problems = _header_problems(columns, name)
    if header_problems:
        yield SourceRecord(name, 1, problems=header_problems)
        return

    end_of_previous = reader.line_num
    while True:
        start = end_of_previous + 1
        try:
            row = next(reader)
        except StopIteration:
            return
        except csv.Error as error:
            message = f"this row cannot be read as CSV ({error}); check its quotes"
            yield SourceRecord(name, start, problems=[Problem(name, start, "row", message)])
            return  # after a broken quote the rest of the file cannot be trusted
        end_of_previous = reader.line_num
        if not any(cell.strip() for cell in row):
            continue
        bad_lines = [encoding_problems[n] for n in range(start, reader.line_num + 1) if n in encoding_problems]
        if bad_lines:
            yield SourceRecord(name, start, problems=[Problem(name, start, p.field, p.message) for p in bad_lines])
        elif len(row) != len(columns):
            message = f"this row has {len(row)} cells but the header has {len(columns)} columns"
            yield SourceRecord(name, start, problems=[Problem(name, start, "row", message)])
        else:
            yield validate(dict(zip(columns, row, strict=True)), name, start)


def _header_problems(columns: list[str], name: str) -> list[Problem]:
    problems = [
        Problem(name, 1, column, f"the header row has no '{column}' column")
        for column in REQUIRED
        if column not in columns
    ]
    for column in columns:
        if column not in FIELDS:
            problems.append(Problem(name, 1, column or "(blank)", f"unknown column; the columns are {_field_list()}"))
    duplicates = {c for c in columns if columns.count(c) > 1}
    problems += [Problem(name, 1, c, "this column appears more than once") for c in sorted(duplicates)]
    return problems


def _field_list() -> str:
    return ", ".join(FIELDS)


def validate(data: dict[str, Any], file: str, line: int) -> SourceRecord:
    try:
        return SourceRecord(file, line, record=EssayRecord.model_validate(data))
    except ValidationError as error:
        problems = [
            Problem(file, line, _field_name(detail), _plain_message(detail, data))
            for detail in error.errors(include_url=False)
        ]
        return SourceRecord(file, line, problems=problems)


def _field_name(detail: Any) -> str:
    loc = detail.get("loc") or ("record",)
    return str(loc[0])


def _plain_message(detail: Any, data: dict[str, Any]) -> str:
    """pydantic's error, said the way a content editor would want to read it."""
    kind = detail["type"]
    name = _field_name(detail)
    value = data.get(name)
    context = detail.get("ctx") or {}
    if kind == "missing":
        return f"this field is missing; every essay needs a {name}"
    if kind == "extra_forbidden":
        return f"this is not a field we know; the fields are {_field_list()}"
    if name == "rating":
        return f"must be a whole number from 1 to 5, or left empty (it is {value!r})"
    if kind == "string_too_short":
        return "is empty; please fill it in"
    if kind == "string_too_long":
        length = len(value) if isinstance(value, str) else "?"
        return f"is too long: at most {context.get('max_length')} characters, this one has {length}"
    if kind == "string_pattern_mismatch":
        return (
            f"{value!r} is not a valid id: use 1-100 lower-case letters, digits and hyphens, "
            "e.g. 'causes-of-1848', or leave it out to have one made from the title"
        )
    if kind == "string_type":
        return f"must be text, not {type(value).__name__}"
    if kind == "value_error":
        return str(detail["msg"]).removeprefix("Value error, ")
    return str(detail["msg"])


def iter_valid(records: Iterable[SourceRecord]) -> Iterator[EssayRecord]:
    for source in records:
        if source.record is not None:
            yield source.record
