"""The loader as content editors use it (issue 18): taxonomy one row cannot break, ids an editor
can live with, spreadsheets as they really are, input that never crashes or loses rows, and
essays in any language. Each test reproduces one reported problem."""

from __future__ import annotations

import json
import tracemalloc
from pathlib import Path
from typing import Any

import pytest
from botocore.exceptions import NoCredentialsError
from essays_cli import seed
from essays_cli.loading.files import read_records
from essays_cli.loading.slugs import essay_id_from_title, section_id

from functions.sections import app as sections_app
from tests.conftest import SAMPLES, api_event, sample_records
from tests.integration.test_seed_cli import all_items, get, run, stored_body, write_jsonl

GCSE_BIO = ("GCSE", "Biology", "Cells and Organisms")
HEADER = "title,level,subject,section,body,rating\n"


def essay(title: str, level: str = "GCSE", subject: str = "Biology", section: str = "Cells and Organisms", **more: Any):
    body = more.pop("body", f"{title} is the subject of this essay. It has two sentences about it.")
    return {"title": title, "level": level, "subject": subject, "section": section, "body": body, **more}


def tree(context: Any) -> dict[str, Any]:
    return json.loads(sections_app.handler(api_event("sections"), context)["body"])  # type: ignore[no-any-return]


def listing(context: Any, section: str) -> dict[str, Any]:
    event = api_event("section_essays", path_parameters={"sectionId": section})
    return json.loads(sections_app.handler(event, context)["body"])  # type: ignore[no-any-return]


# ---- 1, 2: taxonomy ------------------------------------------------------------------------------


def test_a_row_spelt_in_lower_case_keeps_the_librarys_names_and_the_tree_agrees_with_listings(
    tmp_path: Path, library: str, ddb: Any, capsys: pytest.CaptureFixture[str], context: Any
) -> None:
    row = essay("Why do cells divide?", "gcse", "biology ", "cells  and organisms")
    status, out, err = run(capsys, "load", str(write_jsonl(tmp_path / "one.jsonl", [row])), "--table", library)
    assert (status, err.count("new ")) == (0, 0), err
    assert "1 loaded" in out

    levels = {level["name"]: level for level in tree(context)["levels"]}
    assert set(levels) == {"AS and A Level", "GCSE"}  # no level "gcse" beside "GCSE"
    biology = next(s for s in levels["GCSE"]["subjects"] if s["name"] == "Biology")
    assert biology["sections"][0]["essayCount"] == 7
    section = listing(context, section_id(*GCSE_BIO))
    assert (section["section"]["level"], section["section"]["name"]) == ("GCSE", "Cells and Organisms")
    card = get(ddb, library, "ESSAY#" + essay_id_from_title("Why do cells divide?"), "CARD")
    assert (card["level"]["S"], card["subject"]["S"], card["sectionName"]["S"]) == GCSE_BIO


def test_a_typo_in_a_level_is_refused_with_the_closest_name_unless_new_sections_are_allowed(
    tmp_path: Path, library: str, ddb: Any, capsys: pytest.CaptureFixture[str]
) -> None:
    file = str(write_jsonl(tmp_path / "typo.jsonl", [essay("Bismarck and unification", "A level", "History")]))
    before = len(all_items(ddb, library))

    status, out, err = run(capsys, "load", file, "--table", library, "--dry-run")
    assert status == 1 and "Would add a new level 'A level' (did you mean 'AS and A Level'?)" in out
    assert "Nothing would be written" in err and "--new-sections" in err  # as the real run says below

    status, out, err = run(capsys, "load", file, "--table", library)
    assert status == 1
    assert "new level 'A level' (did you mean 'AS and A Level'?)" in out
    assert "Nothing was written" in err and "--new-sections" in err
    assert len(all_items(ddb, library)) == before

    status, out, _ = run(capsys, "load", file, "--table", library, "--new-sections")
    assert status == 0 and "Adds a new level 'A level'" in out and "1 loaded" in out


def test_into_an_empty_library_new_sections_need_no_flag(essays_table: str, capsys: pytest.CaptureFixture[str]) -> None:
    status, out, _ = run(capsys, "load", str(SAMPLES[0]), "--table", essays_table)
    assert status == 0 and "Adds a new level" in out


# ---- 3, 4: ids -----------------------------------------------------------------------------------


def test_an_edited_title_warns_of_an_edited_copy_and_the_summary_lists_new_ids(
    tmp_path: Path, library: str, capsys: pytest.CaptureFixture[str]
) -> None:
    original = next(r for r in sample_records() if r["section"] == "Cells and Organisms" and not r.get("id"))
    edited = {**original, "title": original["title"].rstrip("?") + " (revised)?"}  # a word added: another title
    status, out, err = run(capsys, "load", str(write_jsonl(tmp_path / "e.jsonl", [edited])), "--table", library)

    new_id = essay_id_from_title(edited["title"])
    assert status == 0
    assert f"'{new_id}'" in err and f"looks like an edited copy of '{essay_id_from_title(original['title'])}'" in err
    assert "give it that id to update it" in err
    assert f"  {new_id}\t{edited['title']}" in out


def test_list_and_remove_by_title_and_remove_names_what_it_did_not_find(
    library: str, capsys: pytest.CaptureFixture[str]
) -> None:
    status, out, _ = run(capsys, "list", "--table", library, "--section", "cells and organisms")
    lines = out.strip().splitlines()
    assert status == 0 and len(lines) == 6
    assert all(line.endswith("\tGCSE / Biology / Cells and Organisms") for line in lines)
    _, out, _ = run(capsys, "list", "--table", library, "--search", "Stalin")
    assert out.startswith("stalin-rise-to-power\t")
    _, out, _ = run(capsys, "list", "--table", library, "--search", "Онегин")
    assert out.startswith("onegin-lishniy-chelovek\t")

    title = next(r["title"] for r in sample_records() if r.get("id") == "zola-dreyfus-affair")
    status, out, err = run(capsys, "remove", "--title", title, "no-such-essay", "--table", library)
    assert status == 1 and out.strip() == "1 removed, 1 not found"
    assert "not found: no essay has the id 'no-such-essay'" in err
    status, _, err = run(capsys, "remove", "--title", "No such title", "--table", library)
    assert status == 1 and 'no essay has the title "No such title"' in err


# ---- 5-10: spreadsheets and messages --------------------------------------------------------------


def test_csv_problems_name_the_spreadsheet_row_its_first_line_and_the_title(
    tmp_path: Path, essays_table: str, capsys: pytest.CaptureFixture[str]
) -> None:
    csv_file = tmp_path / "e.csv"
    csv_file.write_text(
        HEADER + 'Good one,GCSE,Biology,Cells,"First paragraph.\nSecond.\nThird.",3\n'
        'Bad rating,GCSE,Biology,Cells,"One.\nTwo.",9\n',
        encoding="utf-8",
    )
    _, _, err = run(capsys, "load", str(csv_file), "--dry-run")
    assert f"{csv_file}:row 3 (line 5): rating: must be a whole number from 1 to 5, or left empty (it is '9')" in err
    assert "(it is '9') (essay \"Bad rating\")" in err


def test_each_line_break_in_a_csv_cell_starts_a_paragraph_and_json_lines_keeps_blank_lines(tmp_path: Path) -> None:
    csv_file = tmp_path / "e.csv"
    csv_file.write_text(HEADER + 'T,GCSE,Biology,Cells,"One.\nTwo.\r\nThree.",\n', encoding="utf-8")
    jsonl = write_jsonl(tmp_path / "e.jsonl", [essay("T", body="One.\nstill one.\n\nTwo.")])
    (csv_record,) = [s.record for s in read_records(csv_file)]
    (jsonl_record,) = [s.record for s in read_records(jsonl)]
    from shared.library.text import paragraphs

    assert csv_record and paragraphs(csv_record.body) == ["One.", "Two.", "Three."]
    assert jsonl_record and paragraphs(jsonl_record.body) == ["One. still one.", "Two."]


def test_a_windows_1252_csv_is_read_and_said_once(
    tmp_path: Path, essays_table: str, ddb: Any, capsys: pytest.CaptureFixture[str]
) -> None:
    csv_file = tmp_path / "excel.csv"
    body = "It’s “quoted”, costs £5 and is café culture."
    rows = "".join(f'Essay {i} – déjà vu,GCSE,Biology,Cells,"{body}",4\r\n' for i in range(3))
    csv_file.write_bytes((HEADER.replace("\n", "\r\n") + rows).encode("cp1252"))
    assert b"\x92" in csv_file.read_bytes()  # real cp1252 bytes: the apostrophe is 0x92

    status, out, err = run(capsys, "load", str(csv_file), "--table", essays_table)
    assert status == 0 and "3 loaded" in out
    assert err.count("read as Windows-1252") == 1
    assert stored_body(ddb, essays_table, essay_id_from_title("Essay 0 – déjà vu")).paragraphs[0] == body


def test_a_file_that_is_neither_utf8_nor_windows_1252_stops_once_naming_the_byte(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    csv_file = tmp_path / "odd.csv"
    csv_file.write_bytes(HEADER.encode() + b"A,GCSE,Biology,Cells,ok,1\nB\x81,GCSE,Biology,Cells,bad \x81 byte,1\n")
    status, _, err = run(capsys, "load", str(csv_file), "--dry-run")
    assert status == 1
    assert err.count("not UTF-8") == 1 and "byte 81 on line 3" in err and "CSV UTF-8" in err


def test_headers_in_any_case_unknown_columns_ignored_once_and_skip_invalid_counts_rows(
    tmp_path: Path, essays_table: str, capsys: pytest.CaptureFixture[str]
) -> None:
    csv_file = tmp_path / "e.csv"
    csv_file.write_text(
        "Title,LEVEL,Subject,Section,Body,Rating,Teacher Comment,Notes\n"
        "One,GCSE,Biology,Cells,Some text here. More text.,3,Good,n1\n"
        "Two,GCSE,Biology,Cells,Some other text. Also more.,8,,n2\n"
        "Three,GCSE,Biology,Cells,,2,,n3\n",
        encoding="utf-8",
    )
    status, out, err = run(capsys, "load", str(csv_file), "--table", essays_table, "--skip-invalid")
    assert status == 1
    assert err.count("ignored column(s) 'Notes'") == 1
    assert "2 bad record(s)" in err and "1 loaded, 0 updated, 0 unchanged, 2 rejected" in out


@pytest.mark.parametrize(
    ("name", "content", "advice"),
    [
        ("essays.xlsx", b"PK\x03\x04", "save it as CSV UTF-8"),
        ("missing.csv", None, "this file does not exist"),
        ("header.csv", b"name,text\nA,B\n", "the header row has no 'title' column"),
    ],
)
def test_when_nothing_could_load_skip_invalid_is_never_suggested(
    tmp_path: Path, name: str, content: bytes | None, advice: str, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / name
    if content is not None:
        path.write_bytes(content)
    status, _, err = run(capsys, "load", str(path), "--table", "t")
    assert status == 1 and advice in err
    assert "--skip-invalid" not in err and "could not be read" in err


def test_comment_lines_in_json_lines_get_a_plain_message(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    jsonl = tmp_path / "e.jsonl"
    jsonl.write_text("# essays for May\n" + json.dumps(essay("T")) + "\n", encoding="utf-8")
    _, _, err = run(capsys, "load", str(jsonl), "--dry-run")
    assert f"{jsonl}:1: line: comments are not allowed in JSON Lines" in err
    assert "Expecting" not in err


def test_missing_credentials_are_said_in_plain_words_with_the_local_values(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    def no_credentials(service: str, args: Any) -> Any:
        raise NoCredentialsError()

    monkeypatch.setattr(seed, "_client", no_credentials)
    status, _, err = run(capsys, "list", "--table", "t")
    assert status == 2
    assert "AWS refused" not in err and "no AWS credentials were found" in err
    assert "AWS_ACCESS_KEY_ID=000000000000" in err and "--endpoint-url http://127.0.0.1:3000" in err


@pytest.mark.parametrize("command", ["load", "list", "remove"])
def test_help_shows_examples_the_local_stack_and_the_required_target(
    command: str, capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(SystemExit):
        seed.main([command, "--help"])
    out = capsys.readouterr().out
    assert "examples:" in out and "--endpoint-url http://127.0.0.1:3000" in out
    assert "(--table NAME | --stack STACK_NAME)" in out and "one of --table or --stack is required" in out
    assert "5000" not in out  # the stale local port


# ---- 11-14: input that never crashes or loses rows ------------------------------------------------


def test_deep_nesting_and_huge_numbers_are_line_problems_and_checking_goes_on(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    jsonl = tmp_path / "e.jsonl"
    lines = ["[" * 5000 + "]" * 5000, '{"title": "T", "rating": ' + "9" * 5000 + "}", json.dumps(essay("Fine"))]
    jsonl.write_text("\n".join(lines) + "\n", encoding="utf-8")
    csv_file = tmp_path / "e.csv"
    csv_file.write_text(HEADER + "T,GCSE,Biology,Cells,Text. More.," + "9" * 5000 + "\n", encoding="utf-8")

    _, out, err = run(capsys, "load", str(jsonl), str(csv_file), "--dry-run")
    assert "Traceback" not in err
    assert f"{jsonl}:1: line: this line is nested too deeply" in err
    assert f"{jsonl}:2: line: this line cannot be read" in err
    assert f"{csv_file}:row 2 (line 2): rating: must be a whole number" in err
    assert max(len(line) for line in err.splitlines()) < 400  # the 5,000 digits are not echoed
    assert "Dry run: 1 valid, 3 rejected" in out


def test_a_huge_cell_is_reported_and_every_later_row_is_still_read(
    tmp_path: Path, essays_table: str, capsys: pytest.CaptureFixture[str]
) -> None:
    csv_file = tmp_path / "e.csv"
    csv_file.write_text(
        HEADER
        + 'Big,GCSE,Biology,Cells,"'
        + "word " * 160_000
        + '",3\n'
        + 'Bigger,GCSE,Biology,Cells,"'
        + ("line of text\n" * 100_000)
        + '",3\n'
        + "After one,GCSE,Biology,Cells,A valid essay. Two sentences.,4\n"
        + "After two,GCSE,Biology,Cells,Another valid essay. Also fine.,5\n",
        encoding="utf-8",
    )
    _, out, err = run(capsys, "load", str(csv_file), "--table", essays_table, "--skip-invalid")
    assert f"{csv_file}:row 2 (line 2): body: is too long: at most 200,000 characters, this one has 800,000" in err
    assert f"{csv_file}:row 3 (line 3): row: this row is 1,300,031 characters long" in err
    assert "2 loaded, 0 updated, 0 unchanged, 2 rejected" in out


def test_sizes_are_checked_in_utf8_bytes_before_anything_is_written(
    tmp_path: Path, essays_table: str, ddb: Any, capsys: pytest.CaptureFixture[str]
) -> None:
    chinese = "。".join(["历史学家研究过去发生的事情"] * 14_200)  # ~199,000 characters, ~590 KB in UTF-8
    assert len(chinese) < 200_000 < len(chinese.encode("utf-8"))
    file = write_jsonl(tmp_path / "e.jsonl", [essay("Small"), essay("长文", body=chinese)])
    status, _, err = run(capsys, "load", str(file), "--table", essays_table)
    assert status == 1 and "body: is too large to store: it takes 5" in err and "KB in UTF-8" in err
    assert all_items(ddb, essays_table) == []  # nothing written, so no dirty section either


def test_long_values_are_echoed_short_and_old_mac_line_endings_are_read(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    jsonl = write_jsonl(tmp_path / "e.jsonl", [essay("T", rating="x" * 300_000)])
    mac = tmp_path / "mac.csv"
    mac.write_bytes(b"title,level,subject,section,body\rA,GCSE,Biology,Cells,Text. More.\rB,GCSE,Biology,Cells,Two.\r")
    _, out, err = run(capsys, "load", str(jsonl), str(mac), "--dry-run")
    assert len(err) < 1000 and "(it is 'xxxxxx" in err and "…" in err
    assert "Dry run: 2 valid, 1 rejected" in out


def test_a_50_mb_line_is_refused_without_being_read_whole(tmp_path: Path) -> None:
    jsonl = tmp_path / "e.jsonl"
    with jsonl.open("w", encoding="utf-8") as handle:
        handle.write('{"title": "' + "x" * 50_000_000 + '"}\n')
        handle.write(json.dumps(essay("After")) + "\n")
    tracemalloc.start()
    sources = list(read_records(jsonl))
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    assert "this line is 50,000,013 characters long" in str(sources[0].problems[0])
    assert sources[1].record is not None
    assert peak < 12_000_000  # a few pieces of 1 MB at most, never the 50 MB line


# ---- 16: every language -------------------------------------------------------------------------


def test_latin_ids_and_section_ids_never_change() -> None:
    golden = json.loads((Path(__file__).parent.parent / "data" / "latin-ids.json").read_text(encoding="utf-8"))
    for record in sample_records():
        if record["title"] in golden["samples"]:
            essay_id, sid = golden["samples"][record["title"]]
            assert (record.get("id") or essay_id_from_title(record["title"])) == essay_id
            assert section_id(record["level"], record["subject"], record["section"]) == sid
    assert len(golden["samples"]) == 41
    for title, essay_id in golden["titles"].items():
        assert essay_id_from_title(title) == essay_id
    for path, sid in golden["sections"].items():
        assert section_id(*path.split("/")) == sid


def test_sections_in_other_scripts_get_their_own_ids_and_titles_can_be_searched(
    library: str, capsys: pytest.CaptureFixture[str], context: Any
) -> None:
    ids = {section_id("GCSE", s, n) for s, n in [("История", "Россия"), ("历史", "中国"), ("تاريخ", "مصر")]}
    assert len(ids) == 3 and all("--level" not in i and "--subject--" not in i for i in ids)
    assert section_id("AS and A Level", "Chinese", "中国历史") == "as-and-a-level--chinese--zhong-guo-li-shi"

    from functions.search import app as search_app

    for query, expected in [("秦国 统一", "qin-unification-causes"), ("лишнего человека", "onegin-lishniy-chelovek")]:
        event = api_event("search", query={"q": query})
        body = json.loads(search_app.handler(event, context)["body"])
        assert body["results"][0]["essayId"] == expected, (query, body)
