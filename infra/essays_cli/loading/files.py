"""Reading the content team's files: JSON Lines and CSV, streamed one record at a time,
with every problem explained in plain words: `FILE:LINE: field: what is wrong` for JSON Lines,
`FILE:row N (line L): field: what is wrong` for CSV (N is the spreadsheet's row number).

Nothing is ever dropped silently: every line or row is either read or reported, a line or row
over MAX_RECORD_CHARS is refused without being held in memory whole, and the rows after it are
still read. Files are UTF-8; a file that is not, but is valid Windows-1252 (Excel's plain "CSV"
on Windows), is read as such and the run says so once.
"""

from __future__ import annotations

import codecs
import csv
import difflib
import json
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

from pydantic import ValidationError

from essays_cli.loading.annotations import (
    anchoring_problems,
    annotation_problem,
    is_annotation_error,
    problems_beside,
)
from essays_cli.loading.record import EssayRecord
from shared.library.limits import EMPTY, too_long

FIELDS = ("id", "title", "level", "subject", "section", "body", "rating", "teacherComment", "annotations")
REQUIRED = ("title", "level", "subject", "section", "body")
MAX_RECORD_CHARS = 1_000_000  # one line or row; an essay's body may hold at most 200,000 characters
ECHO_CHARS = 80  # how much of a bad value a message repeats
_READ_BLOCK = 1 << 20
_FIELD_KEYS = {re.sub(r"[\s_-]", "", f.casefold()): f for f in FIELDS}
_BLANK_LINE = re.compile(r"(?:\r\n|\r|\n)[^\S\r\n]*(?:\r\n|\r|\n)")
csv.field_size_limit(2 * MAX_RECORD_CHARS)  # our own limit below comes first; see _RowFeeder


@dataclass(frozen=True)
class Problem:
    file: str
    line: int  # 0: about the whole file
    field: str
    message: str
    row: int = 0  # CSV only: the spreadsheet's row number (the header is row 1)
    title: str = ""

    def __str__(self) -> str:
        where = self.file
        if self.row:
            where += f":row {self.row} (line {self.line})"
        elif self.line:
            where += f":{self.line}"
        essay = f' (essay "{cut(self.title, 60)}")' if self.title else ""
        return f"{where}: {self.field}: {self.message}{essay}"


@dataclass
class SourceRecord:
    """One record of a file, validated: `record` is set, or `problems` say why not. A source with
    neither only carries `warnings` (things said once about a file, such as its encoding)."""

    file: str
    line: int
    record: EssayRecord | None = None
    problems: list[Problem] = field(default_factory=list)
    warnings: list[Problem] = field(default_factory=list)
    row: int = 0
    unread: int = 0  # essays of a file that could not be read (a wrong header row)


def cut(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def echo(value: Any, limit: int = ECHO_CHARS) -> str:
    """A value as a message may repeat it: its repr, cut to about `limit` characters."""
    return cut(repr(value), limit)


def read_records(path: Path) -> Iterator[SourceRecord]:
    name = str(path)
    suffix = path.suffix.lower()
    if not path.is_file():
        yield _file_problem(name, "this file does not exist; check its name and folder")
    elif suffix in (".xlsx", ".xls", ".ods", ".numbers"):
        yield _file_problem(name, "a spreadsheet cannot be loaded as it is: save it as CSV UTF-8 (File > Save As)")
    elif suffix not in (".jsonl", ".csv"):
        yield _file_problem(name, "this kind of file cannot be loaded: use a .jsonl (JSON Lines) or .csv file")
    else:
        encoding = _encoding(path)
        if isinstance(encoding, Problem):
            yield SourceRecord(name, 0, problems=[encoding])
            return
        if encoding == "cp1252":
            note = "read as Windows-1252 (Excel's plain CSV); to be sure of every character, save it as CSV UTF-8"
            yield SourceRecord(name, 0, warnings=[Problem(name, 0, "encoding", note)])
        # utf-8-sig drops the BOM spreadsheet programs add; \n, \r\n and old Mac \r all end lines
        with path.open(encoding="utf-8-sig" if encoding == "utf-8" else encoding, newline=None) as handle:
            reader = _read_jsonl if suffix == ".jsonl" else _read_csv
            yield from reader(_Lines(handle), name)


def _file_problem(name: str, message: str) -> SourceRecord:
    return SourceRecord(name, 0, problems=[Problem(name, 0, "file", message)])


def _encoding(path: Path) -> str | Problem:
    """utf-8, or cp1252 when the file is not UTF-8 but is Windows-1252 text; else the first bad
    byte, as a problem naming its line. Streams the file: memory stays flat."""
    decoders = {"utf-8": codecs.getincrementaldecoder("utf-8")(), "cp1252": codecs.getincrementaldecoder("cp1252")()}
    for encoding, decoder in decoders.items():
        line = 1
        with path.open("rb") as handle:
            try:
                while block := handle.read(_READ_BLOCK):
                    decoder.decode(block)
                    line += block.count(b"\n")
                decoder.decode(b"", final=True)
                return encoding
            except UnicodeDecodeError as error:
                bad_line = line + error.object[: error.start].count(b"\n")
                bad = error.object[error.start : error.start + 1]
    message = (
        f"this file is not UTF-8 text (the byte {bad.hex().upper()} on line {bad_line} is not a character): "
        "save it as CSV UTF-8, or for JSON Lines as UTF-8"
    )
    return Problem(str(path), 0, "encoding", message)


class _Lines:
    """A text file's lines, numbered, each at most MAX_RECORD_CHARS: a longer line is skipped in
    pieces (never held whole) and given as None, with its length."""

    def __init__(self, handle: IO[str]) -> None:
        self.handle = handle
        self.number = 0
        self.skipped_chars = 0

    def __iter__(self) -> Iterator[str | None]:
        while line := self.handle.readline(MAX_RECORD_CHARS + 1):
            self.number += 1
            if len(line) <= MAX_RECORD_CHARS or line.endswith("\n"):
                yield line
                continue
            self.skipped_chars = len(line)
            while line and not line.endswith("\n"):
                line = self.handle.readline(_READ_BLOCK)
                self.skipped_chars += len(line)
            self.skipped_chars -= line.endswith("\n")
            yield None


def _too_long(chars: int) -> str:
    return (
        f"is {chars:,} characters long; an essay may have at most {MAX_RECORD_CHARS:,} (this part was "
        "skipped, the rest of the file is still read)"
    )


def _read_jsonl(lines: _Lines, name: str) -> Iterator[SourceRecord]:
    for text in lines:
        number = lines.number
        if text is None:
            yield _bad(name, number, "line", "this line " + _too_long(lines.skipped_chars))
            continue
        if not text.strip():
            continue
        if text.lstrip().startswith(("#", "//")):
            yield _bad(name, number, "line", "comments are not allowed in JSON Lines: delete this line")
            continue
        try:
            data = json.loads(text)
        except json.JSONDecodeError as error:
            yield _bad(name, number, "line", f"this line is not valid JSON ({error.msg} at character {error.colno})")
            continue
        except RecursionError:
            yield _bad(name, number, "line", "this line is nested too deeply to be an essay")
            continue
        except ValueError as error:  # e.g. a number of more than 4,300 digits
            yield _bad(name, number, "line", f"this line cannot be read: {echo(str(error), 120)}")
            continue
        if not isinstance(data, dict):
            message = 'each line must be one essay written as a JSON object: {"title": ..., "body": ...}'
            yield _bad(name, number, "line", message)
            continue
        yield validate(data, name, number)


def _bad(name: str, line: int, field_name: str, message: str, row: int = 0, title: str = "") -> SourceRecord:
    return SourceRecord(name, line, problems=[Problem(name, line, field_name, message, row, title)], row=row)


class _RowFeeder:
    """Feeds the csv reader line by line, counting each row's characters. Past MAX_RECORD_CHARS,
    the rest of the row is fed with its text squashed (quotes, commas and line breaks kept), so the
    reader still finds where the row ends and every later row is read as it should be."""

    def __init__(self, lines: _Lines) -> None:
        self.lines = iter(lines)
        self.source = lines
        self.row_chars = 0
        self.oversized = False
        self.delimiter = ","
        self.peeked: list[str | None] = []

    def peek(self) -> str | None:
        """The first line, read ahead (to find the file's separator) and given again to the reader."""
        line = next(self.lines, _END)
        if line is _END:
            return None
        self.peeked.append(line)  # (None: a line too long to read, reported as the header's problem)
        return line

    def start_row(self) -> None:
        self.row_chars, self.oversized = 0, False

    def __iter__(self) -> Iterator[str]:
        return self

    def __next__(self) -> str:
        line = self.peeked.pop() if self.peeked else next(self.lines)
        if line is None:
            self.row_chars += self.source.skipped_chars
            self.oversized = True
            return "x\n"  # the skipped line's quotes are unknown: its row is reported either way
        self.row_chars += len(line)
        if self.row_chars > MAX_RECORD_CHARS:
            self.oversized = True
        if not self.oversized:
            return line
        return re.sub(f'[^"{re.escape(self.delimiter)}\\r\\n]+', "x", line)


def _read_csv(lines: _Lines, name: str) -> Iterator[SourceRecord]:
    feeder = _RowFeeder(lines)
    delimiter = _delimiter(feeder.peek())
    if delimiter != ",":
        said = SEPARATORS[delimiter]
        why = (
            ' (Excel saves "CSV" that way where the comma is the decimal sign)'
            if delimiter == ";"
            else " (text copied from a spreadsheet, or saved as tab-separated text)"
        )
        note = (
            f"this file has {said} between its cells, not commas{why}: it is read with {said}. "
            'To be sure, save it as "CSV UTF-8 (comma delimited)"'
        )
        yield SourceRecord(name, 0, warnings=[Problem(name, 0, "file", note)])
    feeder.delimiter = delimiter
    reader = csv.reader(feeder, strict=True, delimiter=delimiter)
    try:
        header = next(reader)
    except StopIteration:
        yield _file_problem(name, "the file is empty: it needs a header row (title, level, subject, ...) and essays")
        return
    except csv.Error as error:
        yield _file_problem(name, f"the header row cannot be read ({error}): check its quotes")
        return
    columns, header_problems, ignored = _columns(header, name)
    if ignored:
        note = f"ignored column(s) {', '.join(ignored)}: the columns loaded are {_field_list()}"
        yield SourceRecord(name, 0, warnings=[Problem(name, 0, "header", note)])
    if header_problems:
        yield SourceRecord(name, 0, problems=header_problems, unread=_count_rows(reader))
        return

    row_number = 1
    places: set[tuple[str, str]] = set()  # the (level, subject) of the file's rows: what a row looks like
    while True:
        start = lines.number + 1
        feeder.start_row()
        try:
            row = next(reader)
        except StopIteration:
            return
        except csv.Error as error:
            row_number += 1
            yield _bad(name, start, "row", _quote_trouble(str(error), start, lines.number, delimiter), row_number)
            continue
        row_number += 1
        if feeder.oversized:
            yield _bad(name, start, "row", "this row " + _too_long(feeder.row_chars), row_number)
            continue
        if not any(cell.strip() for cell in row):
            continue
        cells = {column: cell for column, cell in zip(columns, row, strict=False) if column}
        title = cells.get("title", "").strip()
        if len(row) != len(columns):
            end = lines.number
            # a row over several lines whose cells do not fit was joined by a stray quote: its "title" may be
            # any text, so none is named
            yield _bad(
                name,
                start,
                "row",
                _cell_count(row, columns, start, end, delimiter),
                row_number,
                title if end == start else "",
            )
            continue
        places.add(_place(cells.get("level", ""), cells.get("subject", "")))
        swallowed = _swallowed_row(row, columns, delimiter, places) if lines.number > start else None
        if swallowed:
            message = (
                f"this row runs from line {start} to line {lines.number}, and a cell holds what looks like another "
                f"essay's row ({cut(swallowed, 60)!r}): a double quote opened in this row is closed only in a later "
                "one, which joins the rows between; check this row's quotes"
            )
            yield _bad(name, start, "row", message, row_number, title)
            continue
        if "body" in cells:
            cells["body"] = cell_paragraphs(cells["body"])
        yield validate(cells, name, start, row_number, title)


_END = "\x00end"  # no line: the file is empty
SEPARATORS = {",": "commas", ";": "semicolons", "\t": "tabs"}


def _delimiter(header: str | None) -> str:
    """The separator of a CSV file, from its header row: the one that splits it into the most
    column names we know (commas when none does better)."""
    if not header:
        return ","

    def known(delimiter: str) -> int:
        cells = next(csv.reader([header], delimiter=delimiter), [])
        return sum(_field_key(cell) in _FIELD_KEYS for cell in cells)

    return max(SEPARATORS, key=lambda d: (known(d), d == ","))


def _place(level: str, subject: str) -> tuple[str, str]:
    return " ".join(level.casefold().split()), " ".join(subject.casefold().split())


def _swallowed_row(
    row: list[str], columns: list[str | None], delimiter: str, places: set[tuple[str, str]]
) -> str | None:
    """A line inside a cell that reads as another row of the file (enough cells, and the level and
    subject of one of its rows where they should be): the mark of a quote closed a row too late."""
    level, subject = columns.index("level"), columns.index("subject")
    for cell in row:
        for line in cell.splitlines()[1:]:
            parts = next(csv.reader([line], delimiter=delimiter), [])
            if len(parts) > max(level, subject) and _place(parts[level], parts[subject]) in places:
                return line
    return None


def _count_rows(reader: Iterator[list[str]]) -> int:
    """How many essays a file holds that could not be read (its header is wrong): counted, so the
    summary says them."""
    count = 0
    while True:
        try:
            row = next(reader)
        except StopIteration:
            return count
        except csv.Error:
            count += 1
            continue
        count += any(cell.strip() for cell in row)


def _quote_trouble(error: str, start: int, end: int, delimiter: str) -> str:
    said = SEPARATORS[delimiter]
    if "unexpected end of data" in error:
        return (
            f"a double quote opened in this row (line {start}) is never closed, so every line from there to the end "
            f'of the file (line {end}) was read as one cell: close it, or write a quote inside a cell as two ("")'
        )
    if "expected after" in error:
        return (
            f"a double quote inside a cell (this row starts on line {start}; the trouble shows on line {end}) "
            'must be written as two (""), and only a cell that starts with a quote may hold '
            f'{said} or line breaks; the spreadsheet\'s "CSV UTF-8" export does this for you'
        )
    return f"this row cannot be read as CSV ({error}); check its quotes"


def _cell_count(row: list[str], columns: list[str | None], start: int, end: int, delimiter: str) -> str:
    said = SEPARATORS[delimiter]
    counted = f"this row has {len(row)} cells but the header has {len(columns)} columns"
    if end > start and any("\n" in cell for cell in row):
        return (
            f"{counted}: it runs from line {start} to line {end}, so a double quote opened on line {start} was "
            "probably closed only in a later row: check the quotes of this row"
        )
    if len(row) > len(columns):
        return (
            f'{counted}: a cell holding a {said[:-1]} (a title like "Rome, Carthage and Greece") must be in double '
            'quotes, or it is cut in two there; the spreadsheet\'s "CSV UTF-8" export does this for you'
        )
    return f"{counted}: some cells are missing, or a line break inside a cell without double quotes cut the row"


def cell_paragraphs(body: str) -> str:
    """A spreadsheet cell's text with its paragraphs separated by blank lines, as bodies are stored.
    A cell with blank lines between its paragraphs was pasted from elsewhere: its single line breaks
    are where a line was wrapped, and are joined. A cell without any blank line was typed in the
    spreadsheet: each line break (Alt+Enter) starts a paragraph."""
    if _BLANK_LINE.search(body):
        return body  # paragraphs() joins each paragraph's lines with spaces
    return "\n\n".join(line for line in body.splitlines() if line.strip())


def _field_key(cell: str) -> str:
    return re.sub(r"[\s_-]", "", cell.strip().strip("\ufeff").casefold())


def _columns(header: list[str], name: str) -> tuple[list[str | None], list[Problem], list[str]]:
    """Each column's field (None: ignored), matched without regard to case, spaces or underscores;
    an unknown name close to a field's ("Sectoin") is said with it."""
    columns: list[str | None] = [_FIELD_KEYS.get(_field_key(cell)) for cell in header]
    ignored: list[str] = []
    meant: dict[str, str] = {}  # field: the header cell that is probably a typo of it
    for cell, known in zip(header, columns, strict=True):
        if known or not cell.strip():
            continue
        close = difflib.get_close_matches(
            _field_key(cell), [k for k, f in _FIELD_KEYS.items() if f not in columns], n=1, cutoff=0.7
        )
        if close:
            meant.setdefault(_FIELD_KEYS[close[0]], cell.strip())
        hint = f" (did you mean '{_FIELD_KEYS[close[0]]}'?)" if close else ""
        ignored.append(repr(cut(cell.strip(), 40)) + hint)
    problems = [
        Problem(name, 1, column, _no_column(column, meant.get(column)), 1)
        for column in REQUIRED
        if column not in columns
    ]
    repeated = sorted({c for c in columns if c and columns.count(c) > 1})
    problems += [Problem(name, 1, c, "this column appears more than once in the header row", 1) for c in repeated]
    return columns, problems, ignored


def _no_column(column: str, typo: str | None) -> str:
    if typo:
        return (
            f"the header row has no '{column}' column; the column headed {typo!r} is not one we know: "
            f"did you mean '{column}'?"
        )
    return f"the header row has no '{column}' column; the first row must name the columns"


def _field_list() -> str:
    return ", ".join(FIELDS)


def validate(data: dict[str, Any], file: str, line: int, row: int = 0, title: str = "") -> SourceRecord:
    try:
        record = EssayRecord.model_validate(data)
    except ValidationError as error:
        title = title or (data["title"].strip() if isinstance(data.get("title"), str) else "")
        details = error.errors(include_url=False)
        problems = [
            Problem(file, line, *annotation_problem(detail, data), row, title)
            if is_annotation_error(detail)
            else Problem(file, line, _field_name(detail), _plain_message(detail, data), row, title)
            for detail in details
        ]
        problems += [Problem(file, line, f, message, row, title) for f, message in problems_beside(data, details)]
        return SourceRecord(file, line, problems=sorted(problems, key=_field_order), row=row)
    misplaced = anchoring_problems(record)  # annotations whose paragraph or quote the essay lacks
    if misplaced:
        problems = [Problem(file, line, f, message, row, title or record.title) for f, message in misplaced]
        return SourceRecord(file, line, problems=problems, row=row)
    return SourceRecord(file, line, record=record, row=row)


def _field_order(problem: Problem) -> tuple[int, int, str]:
    """Problems of a record in the order of its fields, annotations by their number."""
    found = re.match(r"annotations\[(\d+)\]", problem.field)
    return (1, int(found.group(1)), problem.field) if found else (0, 0, "")


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
        return f"must be a whole number from 1 to 5, or left empty (it is {echo(value)})"
    if kind == "string_too_short":
        return EMPTY
    if kind == "string_too_long":
        return too_long(int(context.get("max_length", 0)), len(value) if isinstance(value, str) else None)
    if kind == "string_pattern_mismatch":
        return (
            f"{echo(value)} is not a valid id: use 1-100 lower-case letters, digits and hyphens, "
            "e.g. 'causes-of-1848', or leave it out to have one made from the title"
        )
    if kind == "string_type":
        return f"must be text, not {type(value).__name__}"
    if kind == "value_error":
        return str(detail["msg"]).removeprefix("Value error, ")
    return echo(str(detail["msg"]), 160)
