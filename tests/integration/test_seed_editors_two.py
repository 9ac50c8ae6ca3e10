"""The loader in editors' hands, round two (issue 28): interrupted loads, removals, annotations,
endpoints, dry runs and spreadsheets as editors really make them. Each test reproduces one
reported problem with a small file like an editor's."""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any

import pytest
from essays_cli import seed
from essays_cli.loading.slugs import essay_id_from_title

from tests.conftest import ROOT
from tests.integration.test_seed_cli import all_items, kinds, run, stored_body, write_jsonl

DATA = Path(__file__).resolve().parent.parent / "data" / "editors"


def essay(title: str, section: str = "Cells and Organisms", **more: Any) -> dict[str, Any]:
    body = more.pop("body", f"{title} is the subject of this essay. It has two sentences about it.")
    return {"title": title, "level": "GCSE", "subject": "Biology", "section": section, "body": body, **more}


class Interrupting:
    """A real (moto) client that, one call at a time (moto is not thread-safe), raises
    KeyboardInterrupt (Ctrl-C) at the first write of a kind after `after` of them went through."""

    def __init__(self, client: Any, sort_key: str, after: int) -> None:
        self.client, self.sort_key, self.left, self.lock = client, sort_key, after, threading.RLock()

    def __getattr__(self, name: str) -> Any:
        method = getattr(self.client, name)

        def one_at_a_time(**kwargs: Any) -> Any:
            with self.lock:
                return method(**kwargs)

        return one_at_a_time if callable(method) and not name.startswith("_") and name != "meta" else method

    def batch_write_item(self, RequestItems: dict[str, list[Any]]) -> dict[str, Any]:
        with self.lock:
            (requests,) = RequestItems.values()
            puts = [r["PutRequest"]["Item"] for r in requests if "PutRequest" in r]
            if any(item["sk"]["S"].startswith(self.sort_key) for item in puts):
                self.left -= 1
                if self.left < 0:
                    raise KeyboardInterrupt
            return self.client.batch_write_item(RequestItems=RequestItems)


# ---- 1, 10: interrupted loads, progress, Ctrl-C ------------------------------------------------------


@pytest.mark.parametrize(("cut_at", "phase"), [("SECTION#", "rebuilding sections"), ("CARD", "writing essays")])
def test_a_first_load_cut_off_in_any_phase_is_finished_by_the_same_command(
    cut_at: str,
    phase: str,
    essays_table: str,
    ddb: Any,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
) -> None:
    from essays_cli.bench.bulk import generated_essays

    path = tmp_path / "essays.jsonl"
    generated_essays(path, 250)  # 50 sections: more than one chunk, section rebuilds two at a time
    real_client = seed._client
    monkeypatch.setattr(seed, "_client", lambda service, args: Interrupting(real_client(service, args), cut_at, 6))
    status, out, err = run(capsys, "load", str(path), "--table", essays_table)
    assert status == 2
    lines = err.strip().splitlines()
    assert lines[-1] == f"essays-seed: interrupted while {phase}; nothing is lost: run the same command again to finish"
    assert "Traceback" not in err and sum("interrupted" in line for line in lines) == 1
    assert "Checking the files" in err and "Writing 250 essay(s)" in err
    if phase == "rebuilding sections":
        assert "Rebuilding 50 section(s)" in err
        assert 0 < kinds(ddb, essays_table)["TAXONOMY/SECTION"] < 50  # some sections shown, the others half-built

    monkeypatch.setattr(seed, "_client", real_client)
    status, out, err = run(capsys, "load", str(path), "--table", essays_table)  # the same command: no --new-sections
    assert status == 0, err
    assert "new section" not in out + err and "Nothing was written" not in err
    counts = kinds(ddb, essays_table)
    assert counts["TAXONOMY/SECTION"] == 50 and counts["LOADER/DIRTY"] == 0
    assert counts["ESSAY/CARD"] == counts["ESSAY/RELATED"] == 250
    status, out, err = run(capsys, "list", "--table", essays_table)
    assert len(out.splitlines()) == 250 and "250 essay(s)" in err


def test_ctrl_c_while_checking_says_nothing_was_written(
    tmp_path: Path, essays_table: str, ddb: Any, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    from essays_cli.loading import validation

    def interrupted(paths: Any) -> Any:
        yield from ()
        raise KeyboardInterrupt

    monkeypatch.setattr(validation, "all_records", interrupted)
    file = write_jsonl(tmp_path / "e.jsonl", [essay("One")])
    status, _, err = run(capsys, "load", str(file), "--table", essays_table)
    assert status == 2
    assert err.strip().splitlines()[-1] == "essays-seed: interrupted while checking the files; nothing was written"
    assert all_items(ddb, essays_table) == []


def test_ctrl_c_in_a_terminal_stops_the_worker_processes_without_a_traceback(tmp_path: Path) -> None:
    """Ctrl-C reaches the whole process group (the loader and its worker processes): one line."""
    import boto3
    from essays_cli.bench.bulk import generated_essays
    from moto.server import ThreadedMotoServer

    from tests.conftest import create_table_from_template

    path = tmp_path / "essays.jsonl"
    generated_essays(path, 3000)  # enough that the load is still writing when Ctrl-C comes, on any machine
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    try:
        host, port = server.get_host_and_port()
        endpoint = f"http://{host}:{port}"
        create_table_from_template(boto3.client("dynamodb", endpoint_url=endpoint), "EssaysTable", "essays-ctrl-c")
        command = [sys.executable, "-m", "essays_cli.seed", "load", str(path), "--table", "essays-ctrl-c"]
        command += ["--endpoint-url", endpoint]
        env = {**os.environ, "AWS_ACCESS_KEY_ID": "x", "AWS_SECRET_ACCESS_KEY": "x", "AWS_DEFAULT_REGION": "eu-west-2"}
        # the loader this test imports, wherever it runs (mutmut's copy in mutants/ is not installed)
        env["PYTHONPATH"] = os.pathsep.join([str(ROOT), str(ROOT / "infra")])
        # A terminal delivers Ctrl-C; a test runner started in the background may have SIGINT ignored,
        # which the child would inherit (and Python then installs no KeyboardInterrupt): restore it.
        process = subprocess.Popen(
            command,
            stderr=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
            env=env,
            start_new_session=True,
            preexec_fn=lambda: signal.signal(signal.SIGINT, signal.default_int_handler),
        )
        assert process.stderr is not None
        seen = []
        for line in process.stderr:
            seen.append(line)
            if line.startswith("Writing"):
                break
        time.sleep(0.5)  # the worker processes are deriving
        os.killpg(process.pid, signal.SIGINT)
        _, rest = process.communicate(timeout=120)
        err = "".join(seen) + rest
        assert process.returncode == 2, err
        assert "Traceback" not in err and "KeyboardInterrupt" not in err
        assert err.strip().splitlines()[-1].startswith("essays-seed: interrupted")
    finally:
        server.stop()


# ---- 2: remove --title ----------------------------------------------------------------------------


def test_remove_by_a_title_two_essays_share_lists_them_and_removes_only_the_one_chosen(
    essays_table: str, ddb: Any, capsys: pytest.CaptureFixture[str]
) -> None:
    status, out, err = run(capsys, "load", str(DATA / "same-title.csv"), "--table", essays_table)
    assert status == 0 and "3 loaded" in out, err
    title = "How deadly was the Black Death?"

    status, out, err = run(capsys, "remove", "--title", title, "--table", essays_table)
    assert status == 1 and "removed" not in out
    assert f'2 essays have the title "{title}" (id, section, level):' in err
    assert "  black-death-gcse\tHistory / Medicine Through Time\tGCSE" in err
    assert "\tHistory / Medieval England\tAS and A Level" in err
    assert "Nothing was removed" in err and "--id" in err and "--all" in err
    assert kinds(ddb, essays_table)["ESSAY/CARD"] == 3

    status, out, err = run(capsys, "remove", "--title", title, "--id", "black-death-gcse", "--table", essays_table)
    assert status == 0 and out.strip() == "1 removed, 0 not found"
    _, out, _ = run(capsys, "list", "--table", essays_table, "--search", "black death")
    assert len(out.splitlines()) == 1 and out.endswith("\tAS and A Level / History / Medieval England\n")

    # one essay left with the title: removed without --id
    status, out, _ = run(capsys, "remove", "--title", title, "--table", essays_table)
    assert status == 0 and out.strip() == "1 removed, 0 not found"
    assert kinds(ddb, essays_table)["ESSAY/CARD"] == 1


def test_remove_all_essays_of_a_title_when_asked_with_all(
    essays_table: str, ddb: Any, capsys: pytest.CaptureFixture[str]
) -> None:
    run(capsys, "load", str(DATA / "same-title.csv"), "--table", essays_table)
    status, out, _ = run(
        capsys, "remove", "--title", "How deadly was the Black Death?", "--all", "--table", essays_table
    )
    assert status == 0 and out.strip() == "2 removed, 0 not found"
    assert kinds(ddb, essays_table)["ESSAY/CARD"] == 1
    status, _, err = run(
        capsys, "remove", "--title", "The causes of the Peasants' Revolt", "--id", "nope", "--table", essays_table
    )
    assert status == 2 and "--id nope: not an essay with the title given" in err


# ---- 8: endpoints that cannot be reached, and throttling ----------------------------------------------


def _free_port() -> int:
    import socket

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.mark.parametrize("command", [["load", str(DATA / "same-title.csv")], ["list"], ["remove", "some-id"]])
def test_a_stopped_local_stack_is_said_to_be_unreachable_not_busy(
    command: list[str], capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("essays_cli.loading.writer.time.sleep", lambda seconds: None)
    endpoint = f"http://127.0.0.1:{_free_port()}"  # nothing listens there
    status, _, err = run(capsys, *command, "--table", "essays", "--endpoint-url", endpoint, "--region", "eu-west-2")
    assert status == 2
    assert "busy" not in err and "AWS refused" not in err
    assert f"cannot reach the endpoint {endpoint}" in err
    assert "the local stack is not running" in err and "make dev" in err


def test_something_else_listening_on_the_endpoint_is_told_apart(capsys: pytest.CaptureFixture[str]) -> None:
    import socket

    with socket.socket() as listener:
        listener.bind(("127.0.0.1", 0))
        listener.listen(16)
        port = listener.getsockname()[1]

        def hang_up() -> None:
            while True:
                try:
                    connection, _ = listener.accept()
                except OSError:
                    return
                connection.close()  # not an HTTP server: closes every connection at once

        threading.Thread(target=hang_up, daemon=True).start()
        status, _, err = run(
            capsys, "list", "--table", "essays", "--endpoint-url", f"http://127.0.0.1:{port}", "--region", "eu-west-2"
        )
    assert status == 2 and "busy" not in err
    assert f"cannot reach the endpoint http://127.0.0.1:{port}" in err and "did not answer as DynamoDB" in err


def test_throttling_is_said_to_be_busy(capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    from botocore.exceptions import ClientError

    class Throttled:
        def query(self, **kwargs: Any) -> Any:
            raise ClientError({"Error": {"Code": "ThrottlingException", "Message": "slow down"}}, "Query")

    monkeypatch.setattr(seed, "_client", lambda service, args: Throttled())
    status, _, err = run(capsys, "list", "--table", "essays")
    assert status == 2 and "DynamoDB is too busy right now" in err and "cannot reach" not in err


# ---- 7: the dry run and the real run agree ------------------------------------------------------------


def test_the_dry_run_refuses_a_new_level_as_the_real_run_does_and_names_its_rows(
    library: str, ddb: Any, capsys: pytest.CaptureFixture[str]
) -> None:
    file = str(DATA / "new-level.csv")
    before = len(all_items(ddb, library))
    dry_status, dry_out, dry_err = run(capsys, "load", file, "--table", library, "--dry-run")
    status, out, err = run(capsys, "load", file, "--table", library)
    assert dry_status == status == 1
    assert "Nothing would be written" in dry_err and "Nothing was written" in err
    for said in (dry_out, out):
        assert "new level 'A-level' (did you mean 'AS and A Level'?): A-level / History / The Tudors" in said
        assert f"(2 essays: {file} row 2, row 3)" in said
    assert len(all_items(ddb, library)) == before

    status, out, _ = run(capsys, "load", file, "--table", library, "--dry-run", "--new-sections")
    assert status == 0 and "Dry run: 3 would be loaded" in out


# ---- 3, 9, 12: annotations --------------------------------------------------------------------------


def test_every_annotation_problem_of_a_file_is_reported_in_one_run(
    essays_table: str, ddb: Any, capsys: pytest.CaptureFixture[str]
) -> None:
    file = str(DATA / "annotated.csv")
    status, out, err = run(capsys, "load", file, "--table", essays_table, "--skip-invalid")
    assert status == 1
    row2 = f"{file}:row 2 (line 2)"
    # a quote twice in its paragraph, without saying which: refused, with where each one is
    assert f"{row2}: annotations[0].quote: 'The war' is in paragraph 1 2 times" in err
    assert "(1: …The war changed everything. The…;" in err
    assert "2: …war changed everything. The war ended in 1918,…)" in err and '"occurrence": 1 to 2' in err
    # overlapping quotes: refused, naming both
    assert (
        f"{row2}: annotations[2].quote: 'were high and the guilt clause' overlaps annotations[1] "
        "('Reparations were high') in paragraph 2" in err
    )
    # and, in the same run, the malformed one
    assert f"{row2}: annotations[3].comment: is empty" in err
    # annotation JSON typed with curly quotes
    assert f"{file}:row 3 (line 5): annotations: is not valid JSON: it has curly quotes" in err
    assert 'use straight quotes (")' in err
    assert "1 loaded" in out  # the third essay says which occurrence it means

    stored = stored_body(ddb, essays_table, essay_id_from_title("Counting the cost of the war"))
    first = stored.paragraphs[0]
    starts = [note.start for note in stored.annotations]
    assert starts == [first.index("The war ended"), first.index("war's")]


# ---- 4: every script --------------------------------------------------------------------------------

EVERY_SCRIPT = [json.loads(line) for line in (DATA / "every-script.jsonl").read_text(encoding="utf-8").splitlines()]


def test_titles_in_every_script_are_found_by_any_of_their_words_and_suggested(
    essays_table: str, capsys: pytest.CaptureFixture[str], context: Any
) -> None:
    from functions.search import app as search_app
    from functions.suggest import app as suggest_app
    from tests.conftest import api_event

    status, out, err = run(capsys, "load", str(DATA / "every-script.jsonl"), "--table", essays_table)
    assert status == 0 and f"{len(EVERY_SCRIPT)} loaded" in out, err
    for record in EVERY_SCRIPT:
        essay_id = essay_id_from_title(record["title"])
        for word in re.findall(r"\S+", record["title"]):
            body = json.loads(search_app.handler(api_event("search", query={"q": word}), context)["body"])
            found = [result["essayId"] for result in body.get("results", [])]
            assert essay_id in found, (record["subject"], word, body)
        first = re.findall(r"\S+", record["title"])[0]
        typed = first[: max(2, len(first) - 1)]  # the first word, its last character not typed yet
        body = json.loads(suggest_app.handler(api_event("suggest", query={"q": typed}), context)["body"])
        assert essay_id in [s["essayId"] for s in body["suggestions"]], (record["subject"], typed, body)


@pytest.mark.parametrize(
    ("title", "slug"),
    [
        ("निराला की कविता में विद्रोह", "nirala-ki-kavita-men-vidroh"),
        ("हिंदी साहित्य का इतिहास", "hindi-sahitya-ka-itihas"),
        ("রবীন্দ্রনাথের কবিতা", "rabindranather-kabita"),
        ("தமிழ் இலக்கியம்", "tamizh-ilakkiyam"),
        ("がくせい", "gakusei"),
        ("ｶﾞｸｾｲ", "gakusei"),  # half-width katakana, as some keyboards type it
        ("Café culture", "cafe-culture"),
        ("История", "istoriia"),
    ],
)
def test_slugs_keep_voicing_marks_and_read_indic_scripts_as_spoken(title: str, slug: str) -> None:
    assert essay_id_from_title(title).removesuffix(essay_id_from_title(title)[-9:]) == slug


# ---- 5: hard-wrapped pasted text ------------------------------------------------------------------------


def test_pasted_text_wrapped_at_line_ends_keeps_its_paragraphs_whole(
    essays_table: str, ddb: Any, capsys: pytest.CaptureFixture[str]
) -> None:
    status, _, err = run(capsys, "load", str(DATA / "hard-wrapped.csv"), "--table", essays_table)
    assert status == 0, err

    def stored(title: str) -> list[str]:
        return stored_body(ddb, essays_table, essay_id_from_title(title)).paragraphs

    # blank lines between paragraphs: the single line breaks were wraps, joined
    assert stored("Why were the Corn Laws repealed?") == [
        "The Corn Laws kept the price of bread high after 1815, and the landowners in Parliament had every "
        "reason to keep them.",
        "Peel repealed them in 1846. He split his party to do it, and never led it again.",
    ]
    # no blank line at all: each line break (Alt+Enter) starts a paragraph, as before
    assert stored("Typed in the spreadsheet") == [
        "First paragraph typed in the cell.",
        "Second paragraph after Alt+Enter.",
        "Third one.",
    ]


# ---- 6: a title retyped with other quotes, dashes or spacing ------------------------------------------------


def test_a_title_differing_only_in_typography_updates_the_stored_essay(
    library: str, ddb: Any, capsys: pytest.CaptureFixture[str]
) -> None:
    stored_title = "How successful were Napoleon's domestic reforms in France, 1799-1815?"
    stored_id = essay_id_from_title(stored_title)
    file = str(DATA / "curly-apostrophe.csv")  # a curly apostrophe, an en dash, two spaces, a space before ?
    before = kinds(ddb, library)["ESSAY/CARD"]

    status, out, err = run(capsys, "load", file, "--table", library, "--dry-run")
    assert status == 0 and "Dry run: 0 would be loaded, 1 would be updated" in out
    status, out, err = run(capsys, "load", file, "--table", library)
    assert status == 0 and "0 loaded, 1 updated" in out, out + err
    assert f"is the essay '{stored_id}'" in err and "updated, not added again" in err
    assert "looks like an edited copy" not in err
    assert kinds(ddb, library)["ESSAY/CARD"] == before
    _, out, _ = run(capsys, "list", "--table", library, "--search", "Napoleon domestic reforms")
    assert out.splitlines() == [
        f"{stored_id}\tHow successful were Napoleon’s domestic reforms in France,  1799–1815 ?\t"
        "AS and A Level / History / Modern European History, 1789-1945"
    ]


# ---- 11, 12: spreadsheets as exported ---------------------------------------------------------------------


@pytest.mark.parametrize(("name", "said", "valid"), [("semicolons.csv", "semicolons", 2), ("tabs.csv", "tabs", 1)])
def test_semicolon_and_tab_separated_files_are_read_and_said_once(
    name: str, said: str, valid: int, capsys: pytest.CaptureFixture[str]
) -> None:
    status, out, err = run(capsys, "load", str(DATA / name), "--dry-run")
    assert status == 0 and f"Dry run: {valid} valid, 0 rejected" in out, err
    assert err.count(f"this file has {said} between its cells, not commas") == 1
    assert "no 'title' column" not in err


def test_a_header_typo_is_said_with_the_name_meant_and_its_essays_are_counted(
    capsys: pytest.CaptureFixture[str],
) -> None:
    status, out, err = run(capsys, "load", str(DATA / "header-typo.csv"), "--dry-run")
    assert status == 1
    assert "section: the header row has no 'section' column; the column headed 'Sectoin' is not one we know: " in err
    assert "did you mean 'section'?" in err
    assert "Dry run: 0 valid, 1 rejected" in out  # the file's one essay is not forgotten


def test_an_unquoted_comma_is_explained(capsys: pytest.CaptureFixture[str]) -> None:
    file = DATA / "unquoted-comma.csv"
    status, out, err = run(capsys, "load", str(file), "--dry-run")
    assert status == 1 and "Dry run: 1 valid, 1 rejected" in out
    assert (
        f"{file}:row 2 (line 2): row: this row has 7 cells but the header has 6 columns: a cell holding a comma" in err
    )
    assert "must be in double quotes" in err


def test_an_unclosed_quote_names_the_row_where_it_opened_and_no_text_as_a_title(
    capsys: pytest.CaptureFixture[str],
) -> None:
    file = DATA / "unclosed-quote.csv"
    status, _, err = run(capsys, "load", str(file), "--dry-run")
    assert status == 1
    assert f"{file}:row 3 (line 3): row: a double quote opened in this row (line 3) is never closed" in err
    assert "essay" not in err.split("row 3 (line 3)")[1].splitlines()[0]

    # closed too late, in a later row: the rows between are not loaded as one essay's text
    file = DATA / "stray-quote.csv"
    status, out, err = run(capsys, "load", str(file), "--dry-run")
    assert status == 1 and "Dry run: 1 valid, 1 rejected" in out
    assert f"{file}:row 2 (line 2): row: this row runs from line 2 to line 3" in err
    assert "looks like another essay's row ('Augustus and the Principate,GCSE" in err


def test_did_you_mean_offers_only_the_librarys_names_in_the_same_script(
    library: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    rows = [  # the library has AS and A Level subjects Chinese, Economics, English, History, Russian
        {**essay("हिंदी कविता का इतिहास", "कविता"), "level": "AS and A Level", "subject": "हिंदी"},
        {**essay("日本の近代史", "近代史"), "level": "AS and A Level", "subject": "日本語"},
        {**essay("Comment écrire une dissertation", "Méthode"), "level": "AS and A Level", "subject": "Economcs"},
    ]
    status, out, _ = run(
        capsys, "load", str(write_jsonl(tmp_path / "new.jsonl", rows)), "--table", library, "--dry-run"
    )
    assert status == 1
    new = sorted(line for line in out.splitlines() if line.startswith("Would add"))
    assert len(new) == 3
    assert "new subject 'Economcs' (did you mean 'Economics'?)" in new[0]  # a typo still gets its suggestion
    assert all("did you mean" not in line for line in new[1:]), new  # no "Chinese" for Hindi or Japanese


def test_a_first_load_suggests_none_of_its_own_new_names(
    essays_table: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    rows = [
        {**essay("Supply and demand", "Markets"), "level": "A Level", "subject": "Economics"},
        {**essay("Food webs", "Ecosystems"), "level": "A Level", "subject": "Ecology"},
    ]
    status, out, _ = run(capsys, "load", str(write_jsonl(tmp_path / "new.jsonl", rows)), "--table", essays_table)
    assert status == 0 and "2 loaded" in out
    assert "Adds a new level 'A Level'" in out and "did you mean" not in out


def test_remove_finds_a_title_typed_with_other_quotes(essays_table: str, capsys: pytest.CaptureFixture[str]) -> None:
    run(capsys, "load", str(DATA / "same-title.csv"), "--table", essays_table)
    status, out, _ = run(capsys, "remove", "--title", "The causes of the Peasants’ Revolt", "--table", essays_table)
    assert status == 0 and out.strip() == "1 removed, 0 not found"


def test_writes_throttled_for_good_are_said_to_be_busy(
    essays_table: str, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    from tests.integration.test_seed_cli import FlakyDynamoDB

    real_client = seed._client
    monkeypatch.setattr(seed, "_client", lambda service, args: FlakyDynamoDB(real_client(service, args), throttle=99))
    monkeypatch.setattr("essays_cli.loading.writer.time.sleep", lambda seconds: None)
    status, _, err = run(capsys, "load", str(DATA / "same-title.csv"), "--table", essays_table)
    assert status == 2 and "DynamoDB is too busy right now" in err and "cannot reach" not in err


def test_an_annotation_may_say_where_its_quote_starts_as_the_full_essay_serves_it() -> None:
    from essays_cli.loading.annotations import anchored
    from essays_cli.loading.files import validate

    text = "The war changed everything. The war ended in 1918."
    note = {"paragraph": 1, "quote": "The war", "comment": "Which one?", "start": text.index("The war ended")}
    source = validate({**essay("Start given", body=text), "annotations": [note]}, "e.jsonl", 1)
    assert source.record is not None, source.problems
    assert [(a.start, a.end) for a in anchored(source.record)] == [(28, 35)]

    source = validate({**essay("Start wrong", body=text), "annotations": [{**note, "start": 5}]}, "e.jsonl", 1)
    assert [str(p) for p in source.problems] == [
        "e.jsonl:1: annotations[0].start: 'The war' is not at character 5 of paragraph 1 (it is at 0, 28, counted "
        'from 0) (essay "Start wrong")'
    ]
