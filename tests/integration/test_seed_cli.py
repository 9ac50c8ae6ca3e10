"""The essays-seed CLI end to end against moto: good files, every kind of bad record,
reruns, updates, removals, throttling and interrupted loads."""

from __future__ import annotations

import json
import shutil
import threading
from collections import Counter
from pathlib import Path
from typing import Any

import boto3
import pytest
from botocore.exceptions import ClientError
from essays_cli import seed
from essays_cli.loading.loader import Loader
from essays_cli.loading.slugs import essay_id_from_title
from essays_cli.loading.writer import Backoff

from shared.store import schema
from shared.store.dynamo import from_item
from shared.store.rows import BodyRow, RelatedRow
from tests.conftest import SAMPLES, sample_records

BAD = Path(__file__).resolve().parent.parent / "data" / "bad"
HISTORY = "as-and-a-level--history--modern-european-history-1789-1945"


def all_items(ddb: Any, table: str) -> list[dict[str, Any]]:
    """Every item of the table (a Scan is fine in a test, never in a request path)."""
    items, kwargs = [], {"TableName": table}
    while True:
        page = ddb.scan(**kwargs)
        items += page["Items"]
        if "LastEvaluatedKey" not in page:
            return items
        kwargs["ExclusiveStartKey"] = page["LastEvaluatedKey"]


def kinds(ddb: Any, table: str) -> Counter[str]:
    return Counter(
        item["pk"]["S"].split("#")[0] + "/" + item["sk"]["S"].split("#")[0] for item in all_items(ddb, table)
    )


def get(ddb: Any, table: str, pk: str, sk: str) -> Any:
    return ddb.get_item(TableName=table, Key={"pk": {"S": pk}, "sk": {"S": sk}}, ConsistentRead=True).get("Item")


def stored_body(ddb: Any, table: str, essay_id: str) -> BodyRow:
    """An essay's full text as the essay function reads it (its paragraphs are stored packed)."""
    return BodyRow.from_item(from_item(get(ddb, table, schema.body_pk(essay_id), schema.BODY)))


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    status = seed.main(list(args))
    out, err = capsys.readouterr()
    return status, out, err


def write_jsonl(path: Path, records: list[dict[str, Any]]) -> Path:
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records), encoding="utf-8")
    return path


def test_loading_the_samples_twice_changes_nothing_the_second_time(
    essays_table: str, ddb: Any, capsys: pytest.CaptureFixture[str]
) -> None:
    files = [str(p) for p in SAMPLES]
    status, out, _ = run(capsys, "load", *files, "--table", essays_table)
    assert status == 0
    assert "45 loaded, 0 updated, 0 unchanged, 0 rejected" in out
    first = sorted(json.dumps(i, sort_keys=True, default=bytes.hex) for i in all_items(ddb, essays_table))

    status, out, _ = run(capsys, "load", *files, "--table", essays_table)
    assert status == 0
    assert "0 loaded, 0 updated, 45 unchanged, 0 rejected" in out
    assert sorted(json.dumps(i, sort_keys=True, default=bytes.hex) for i in all_items(ddb, essays_table)) == first

    counts = kinds(ddb, essays_table)
    assert counts["ESSAY/CARD"] == counts["BODY/BODY"] == counts["ESSAY/RELATED"] == 45
    assert counts["TAXONOMY/SECTION"] == 8
    assert counts["LOADER/DIRTY"] == 0


def test_each_kind_of_bad_record_is_explained_and_nothing_is_written(
    essays_table: str, ddb: Any, capsys: pytest.CaptureFixture[str]
) -> None:
    files = [str(BAD / name) for name in ("malformed.jsonl", "duplicates.jsonl", "bad-header.csv", "rows.csv")]
    status, _, err = run(capsys, "load", *files, str(SAMPLES[0]), "--table", essays_table)

    assert status == 1
    expected = [
        "malformed.jsonl:2: line: this line is not valid JSON",
        "malformed.jsonl:3: line: each line must be one essay written as a JSON object",
        "malformed.jsonl:4: title: this field is missing",
        "malformed.jsonl:5: rating: must be a whole number from 1 to 5, or left empty (it is 7)",
        "malformed.jsonl:6: body: the essay text is empty",
        "malformed.jsonl:7: rating: must be a whole number from 1 to 5, or left empty (it is 'four')",
        "malformed.jsonl:8: author: this is not a field we know",
        "malformed.jsonl:9: id: 'Bad Id!' is not a valid id",
        "malformed.jsonl:10: title: is empty",
        "malformed.jsonl:10: level: is empty",
        "duplicates.jsonl:2: id: the id 'same-id' is already used by the essay at",
        "duplicates.jsonl:4: id: an essay with this title is already at",
        "bad-header.csv:row 1 (line 1): body: the header row has no 'body' column",
        "bad-header.csv: header: ignored column(s) 'author'",
        "rows.csv:row 3 (line 5): row: this row has 8 cells but the header has 7 columns: a cell holding a comma",
        'must be in double quotes, or it is cut in two there; the spreadsheet\'s "CSV UTF-8" export does this for '
        'you (essay "Too many cells")',
        "rows.csv:row 4 (line 6): rating: must be a whole number from 1 to 5, or left empty (it is '0') (essay \"Zero",
        "1 file(s) could not be read at all",
        "Nothing was written",
    ]
    for line in expected:
        assert line in err
    assert all_items(ddb, essays_table) == []


def test_skip_invalid_loads_the_good_records_and_still_fails(
    essays_table: str, ddb: Any, capsys: pytest.CaptureFixture[str]
) -> None:
    status, out, err = run(
        capsys,
        "load",
        str(BAD / "malformed.jsonl"),
        str(BAD / "rows.csv"),
        str(BAD / "duplicates.jsonl"),
        "--table",
        essays_table,
        "--skip-invalid",
    )
    assert status == 1
    # good: malformed.jsonl:1, rows.csv:2, and the first of each duplicate pair
    assert "4 loaded, 0 updated, 0 unchanged, 13 rejected" in out
    assert "rows.csv:row 4 (line 6): rating" in err
    assert kinds(ddb, essays_table)["ESSAY/CARD"] == 4
    assert get(ddb, essays_table, "ESSAY#same-id", "CARD")["title"]["S"] == "First with the id"


def test_files_that_cannot_be_read(tmp_path: Path, essays_table: str, capsys: pytest.CaptureFixture[str]) -> None:
    not_utf8 = tmp_path / "latin1.jsonl"
    not_utf8.write_bytes('{"title": "Caf\xe9", "level": "GCSE"}\n'.encode("latin-1"))
    other = tmp_path / "essays.txt"
    other.write_text("hello")
    status, _, err = run(
        capsys, "load", str(not_utf8), str(other), str(tmp_path / "absent.csv"), "--table", essays_table
    )
    assert status == 1
    assert "latin1.jsonl: encoding: read as Windows-1252" in err
    assert "latin1.jsonl:1: subject: this field is missing" in err
    assert "essays.txt: file: this kind of file cannot be loaded: use a .jsonl (JSON Lines) or .csv file" in err
    assert "absent.csv: file: this file does not exist" in err
    assert "--skip-invalid" not in err  # nothing could load: it would not help


def test_dry_run_reports_and_writes_nothing(essays_table: str, ddb: Any, capsys: pytest.CaptureFixture[str]) -> None:
    status, out, _ = run(capsys, "load", *map(str, SAMPLES), "--table", essays_table, "--dry-run")
    assert status == 0
    assert "Dry run: 45 would be loaded" in out
    assert all_items(ddb, essays_table) == []

    status, out, _ = run(capsys, "load", *map(str, SAMPLES), "--dry-run")  # no table: the files only
    assert (status, out.strip()) == (0, "Dry run: 45 valid, 0 rejected (files checked only)")


def test_an_edited_essay_is_updated_in_place_with_its_derived_items(
    tmp_path: Path, library: str, ddb: Any, capsys: pytest.CaptureFixture[str]
) -> None:
    original = next(r for r in sample_records() if r.get("id") == "zola-dreyfus-affair")
    card_before = get(ddb, library, "ESSAY#zola-dreyfus-affair", "CARD")
    assert get(ddb, library, "TERM#dreyfus", "4#zola-dreyfus-affair") is not None
    edited = {
        **original,
        "title": "Zola, J'accuse and the Dreyfus Affair",
        "rating": 3,
        "body": original["body"].replace("Zola", "Émile Zola", 1),
    }

    status, out, _ = run(capsys, "load", str(write_jsonl(tmp_path / "edit.jsonl", [edited])), "--table", library)

    assert status == 0 and "0 loaded, 1 updated, 0 unchanged" in out
    card = get(ddb, library, "ESSAY#zola-dreyfus-affair", "CARD")
    assert card["title"]["S"] == "Zola, J'accuse and the Dreyfus Affair"
    assert card["createdAt"] == card_before["createdAt"]
    # search postings follow the new title and rating; the stale ones are gone
    assert get(ddb, library, "TERM#dreyfus", "4#zola-dreyfus-affair") is None
    assert get(ddb, library, "TERM#dreyfus", "6#zola-dreyfus-affair") is not None
    assert get(ddb, library, "TERM#accuse", "6#zola-dreyfus-affair") is not None
    assert get(ddb, library, "TERM#emile", "6#zola-dreyfus-affair") is None
    # the section lists it once, under its new title
    members = [
        i
        for i in all_items(ddb, library)
        if i["pk"]["S"] == f"SECTION#{HISTORY}" and i["essayId"]["S"] == "zola-dreyfus-affair"
    ]
    assert [m["title"]["S"] for m in members] == ["Zola, J'accuse and the Dreyfus Affair"]


def test_moving_an_essay_to_another_section_updates_both_counts(
    tmp_path: Path, library: str, ddb: Any, capsys: pytest.CaptureFixture[str]
) -> None:
    original = next(r for r in sample_records() if r.get("id") == "zola-dreyfus-affair")
    moved = {**original, "level": "GCSE", "subject": "History", "section": "Modern Europe"}

    file = str(write_jsonl(tmp_path / "m.jsonl", [moved]))
    assert run(capsys, "load", file, "--table", library, "--new-sections")[0] == 0

    assert get(ddb, library, "TAXONOMY", f"SECTION#{HISTORY}")["essayCount"]["N"] == "9"
    new_section = get(ddb, library, "TAXONOMY", "SECTION#gcse--history--modern-europe")
    assert new_section["essayCount"]["N"] == "1"
    assert new_section["name"]["S"] == "Modern Europe"
    related_of_stalin = get(ddb, library, "ESSAY#stalin-rise-to-power", "RELATED")
    assert "zola-dreyfus-affair" not in [e.essay_id for e in RelatedRow.from_item(from_item(related_of_stalin)).related]


def test_remove_deletes_the_essay_and_its_derived_items(
    library: str, ddb: Any, capsys: pytest.CaptureFixture[str]
) -> None:
    before = kinds(ddb, library)
    status, out, _ = run(capsys, "remove", "stalin-rise-to-power", "no-such-essay", "--table", library)

    assert status == 1  # one id was not found
    assert out.strip() == "1 removed, 1 not found"
    leftovers = [i for i in all_items(ddb, library) if "stalin-rise-to-power" in json.dumps(i, default=bytes.hex)]
    assert leftovers == []
    after = kinds(ddb, library)
    assert after["ESSAY/CARD"] == before["ESSAY/CARD"] - 1
    assert get(ddb, library, "TAXONOMY", f"SECTION#{HISTORY}")["essayCount"]["N"] == "9"


def test_removing_the_last_essay_of_a_section_removes_the_section(
    tmp_path: Path, essays_table: str, ddb: Any, capsys: pytest.CaptureFixture[str]
) -> None:
    record = {
        "id": "lonely",
        "title": "Alone",
        "level": "GCSE",
        "subject": "Art",
        "section": "Sketching",
        "body": "One essay alone in its section. It has two sentences.",
    }
    run(capsys, "load", str(write_jsonl(tmp_path / "one.jsonl", [record])), "--table", essays_table)
    assert get(ddb, essays_table, "TAXONOMY", "SECTION#gcse--art--sketching") is not None

    assert run(capsys, "remove", "lonely", "--table", essays_table)[0] == 0
    assert all_items(ddb, essays_table) == []


class FlakyDynamoDB:
    """A real (moto) client whose BatchWriteItem throttles, leaves items unprocessed, or is cut off."""

    def __init__(self, client: Any, *, throttle: int = 0, unprocessed: int = 0, crash_after: int = 0) -> None:
        self.client, self.calls = client, 0
        self.throttle, self.unprocessed, self.crash_after = throttle, unprocessed, crash_after

    def __getattr__(self, name: str) -> Any:
        return getattr(self.client, name)

    def batch_write_item(self, RequestItems: dict[str, list[Any]]) -> dict[str, Any]:
        self.calls += 1
        if self.calls == self.crash_after:
            raise KeyboardInterrupt  # the operator's Ctrl-C, or the machine going away
        if self.calls <= self.throttle:
            error: Any = {"Error": {"Code": "ProvisionedThroughputExceededException", "Message": "slow down"}}
            raise ClientError(error, "BatchWriteItem")
        if self.calls <= self.throttle + self.unprocessed:
            ((table, requests),) = RequestItems.items()
            kept = len(requests) // 2
            if kept:  # an empty batch is no request at all
                self.client.batch_write_item(RequestItems={table: requests[:kept]})
            return {"UnprocessedItems": {table: requests[kept:]}}
        return self.client.batch_write_item(RequestItems=RequestItems)


def test_throttled_and_unprocessed_writes_are_retried_until_nothing_is_lost(essays_table: str, ddb: Any) -> None:
    client = FlakyDynamoDB(ddb, throttle=3, unprocessed=3)
    sleeps: list[float] = []
    loader = Loader(client, essays_table, concurrency=1, backoff=Backoff(sleep=sleeps.append))

    summary = loader.load(SAMPLES, loader.validate(SAMPLES))

    assert summary.loaded == 45
    assert len(sleeps) == 6  # each refusal waited before retrying...
    assert sleeps[0] <= 0.05 and all(0 <= s <= 5.0 for s in sleeps)  # ...with capped exponential backoff
    counts = kinds(ddb, essays_table)
    assert counts["ESSAY/CARD"] == counts["BODY/BODY"] == counts["ESSAY/RELATED"] == 45
    assert counts["LOADER/DIRTY"] == 0


def test_writes_refused_for_good_stop_the_load_with_advice(
    essays_table: str, ddb: Any, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    real_client = seed._client
    monkeypatch.setattr(seed, "_client", lambda service, args: FlakyDynamoDB(real_client(service, args), throttle=99))
    monkeypatch.setattr("essays_cli.loading.writer.time.sleep", lambda seconds: None)

    status, _, err = run(capsys, "load", *map(str, SAMPLES), "--table", essays_table)
    assert status == 2
    assert "run the same command again" in err
    assert kinds(ddb, essays_table)["ESSAY/CARD"] == 0


def test_an_interrupted_load_is_finished_by_the_next_run(
    essays_table: str, ddb: Any, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    real_client = seed._client

    monkeypatch.setattr(seed, "_client", lambda service, args: FlakyDynamoDB(real_client(service, args), crash_after=8))
    status, _, err = run(capsys, "load", *map(str, SAMPLES), "--table", essays_table, "--concurrency", "1")
    assert status == 2 and "interrupted" in err
    assert kinds(ddb, essays_table)["LOADER/DIRTY"] > 0  # the sections still to rebuild are remembered

    monkeypatch.setattr(seed, "_client", real_client)
    status, out, _ = run(capsys, "load", *map(str, SAMPLES), "--table", essays_table)
    assert status == 0 and "unchanged" in out
    counts = kinds(ddb, essays_table)
    assert counts["ESSAY/CARD"] == counts["ESSAY/RELATED"] == 45
    assert counts["LOADER/DIRTY"] == 0
    assert counts["TAXONOMY/SECTION"] == 8


def test_load_into_a_moto_server_endpoint_and_by_stack_name(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from moto.server import ThreadedMotoServer

    from tests.conftest import create_table_from_template

    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    try:
        host, port = server.get_host_and_port()
        endpoint = f"http://{host}:{port}"
        client = boto3.client("dynamodb", endpoint_url=endpoint)
        create_table_from_template(client, "EssaysTable", "essays-server")
        cloudformation = boto3.client("cloudformation", endpoint_url=endpoint)
        cloudformation.create_stack(
            StackName="essays-local",
            TemplateBody=json.dumps(
                {
                    "Resources": {"Topic": {"Type": "AWS::SNS::Topic"}},
                    "Outputs": {"EssaysTableName": {"Value": "essays-server"}},
                }
            ),
        )

        status, out, _ = run(capsys, "load", *map(str, SAMPLES), "--stack", "essays-local", "--endpoint-url", endpoint)
        assert status == 0 and "45 loaded" in out
        status, out, _ = run(capsys, "load", *map(str, SAMPLES), "--table", "essays-server", "--endpoint-url", endpoint)
        assert status == 0 and "45 unchanged" in out
        card = client.get_item(
            TableName="essays-server",
            Key={"pk": {"S": "ESSAY#" + essay_id_from_title("Comparing plant and animal cells")}, "sk": {"S": "CARD"}},
        )
        assert card["Item"]["subject"]["S"] == "Biology"
    finally:
        server.stop()
    shutil.rmtree(tmp_path, ignore_errors=True)


class CutOff:
    """A real (moto) client whose BatchWriteItem calls stop for good a few calls after the first batch
    of cards is written, whichever thread makes them: the machine going away in the middle of a load
    at full concurrency, once some essays are complete (however many items an essay is stored as).
    moto is not thread-safe (a Query iterates the table another thread writes), so calls pass one at
    a time."""

    def __init__(self, client: Any, cut: bool = True, calls_after_cards: int = 10) -> None:
        self.client, self.cut, self.left, self.lock = client, cut, calls_after_cards, threading.RLock()
        self.cards_written = False

    def __getattr__(self, name: str) -> Any:
        method = getattr(self.client, name)

        def one_at_a_time(**kwargs: Any) -> Any:
            with self.lock:
                return method(**kwargs)

        return one_at_a_time if callable(method) and not name.startswith("_") and name != "meta" else method

    def batch_write_item(self, RequestItems: dict[str, list[Any]]) -> dict[str, Any]:
        with self.lock:
            if self.cut and self.cards_written:
                self.left -= 1
                if self.left < 0:
                    raise KeyboardInterrupt
            response = self.client.batch_write_item(RequestItems=RequestItems)
            (requests,) = RequestItems.values()
            puts = (r["PutRequest"]["Item"] for r in requests if "PutRequest" in r)
            self.cards_written |= any(item["sk"]["S"] == "CARD" for item in puts)
            return response


def test_a_big_load_cut_off_at_full_concurrency_is_finished_by_the_next_run(
    essays_table: str, ddb: Any, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """More than one chunk: previews and keywords derived in worker processes, 8 writes in flight,
    section rebuilds two at a time, and no fingerprint read on the first run (the table is empty)."""
    from essays_cli.bench.bulk import generated_essays

    path = tmp_path / "essays.jsonl"
    generated_essays(path, 250)  # 50 sections of 5
    real_client = seed._client
    monkeypatch.setattr(seed, "_client", lambda service, args: CutOff(real_client(service, args)))
    status, _, err = run(capsys, "load", str(path), "--table", essays_table, "--concurrency", "8")
    assert status == 2 and "interrupted" in err
    counts = kinds(ddb, essays_table)
    assert 0 < counts["ESSAY/CARD"] < 250 and counts["LOADER/DIRTY"] > 0

    monkeypatch.setattr(seed, "_client", lambda service, args: CutOff(real_client(service, args), cut=False))
    status, out, _ = run(capsys, "load", str(path), "--table", essays_table, "--concurrency", "8")
    assert status == 0, out
    counts = kinds(ddb, essays_table)
    assert counts["ESSAY/CARD"] == counts["ESSAY/RELATED"] == counts["BODY/BODY"] == 250
    assert sum(n for kind, n in counts.items() if kind.startswith("SECTION/")) == 250  # each essay listed once
    assert counts["LOADER/DIRTY"] == 0 and counts["TAXONOMY/SECTION"] == 50
    related = get(ddb, essays_table, "ESSAY#gen-7", "RELATED")
    assert len(RelatedRow.from_item(from_item(related)).related) == 4  # the other essays of its section

    status, out, _ = run(capsys, "load", str(path), "--table", essays_table, "--concurrency", "8")
    assert status == 0 and "250 unchanged" in out


class Watched:
    """A real (moto) client that passes calls one at a time (moto is not thread-safe) and notes the
    partition of every Query."""

    def __init__(self, client: Any) -> None:
        self.client, self.lock, self.queried = client, threading.RLock(), Counter[str]()

    def __getattr__(self, name: str) -> Any:
        method = getattr(self.client, name)

        def one_at_a_time(**kwargs: Any) -> Any:
            with self.lock:
                if name == "query":
                    self.queried[kwargs["ExpressionAttributeValues"][":pk"]["S"].split("#")[0]] += 1
                return method(**kwargs)

        return one_at_a_time if callable(method) and not name.startswith("_") and name != "meta" else method


def test_a_load_onto_an_empty_table_reads_no_member_back_and_ranks_as_a_rebuild_from_the_table(
    essays_table: str, ddb: Any, tmp_path: Path
) -> None:
    """A load that begins on a table holding no section keeps its sections' members aside and
    Queries none back; its related lists and essay counts are those the Query path (a rebuild from
    the stored member items, as a load onto a library that holds sections makes) produces."""
    from essays_cli.bench.bulk import generated_essays
    from essays_cli.loading.sections import SectionLabel

    generated = tmp_path / "essays.jsonl"
    generated_essays(generated, 250)  # more than one chunk: worker processes, two chunks written at a time
    paths = [generated, *SAMPLES]  # and the samples: real text, annotations, ratings left out
    client = Watched(ddb)
    loader = Loader(client, essays_table, backoff=Backoff(base=0.001, cap=0.01))
    summary = loader.load(paths, loader.validate(paths))
    assert summary.loaded == 250 + len(sample_records()) and summary.sections_rebuilt > 50
    assert client.queried["SECTION"] == 0  # the samples' edited-copy check reads sections only when they exist

    def derived() -> tuple[dict[str, Any], dict[str, Any]]:
        items = all_items(ddb, essays_table)
        related = {i["pk"]["S"]: i for i in items if i["sk"]["S"] == "RELATED"}
        counts = {i["sk"]["S"]: i["essayCount"] for i in items if i["pk"]["S"] == "TAXONOMY"}
        return related, counts

    fresh_related, fresh_counts = derived()
    assert len(fresh_related) == summary.loaded and len(fresh_counts) == summary.sections_rebuilt
    sections = {
        i["sectionId"]["S"]: SectionLabel(i["level"]["S"], i["subject"]["S"], i["name"]["S"])
        for i in all_items(ddb, essays_table)
        if i["pk"]["S"] == "TAXONOMY"
    }
    for item in fresh_related.values():  # so that the rebuild below must write every list again
        ddb.delete_item(TableName=essays_table, Key={"pk": item["pk"], "sk": item["sk"]})
    Loader(ddb, essays_table).rebuild_sections(sections)
    queried_related, queried_counts = derived()
    assert queried_related == fresh_related
    assert queried_counts == fresh_counts
