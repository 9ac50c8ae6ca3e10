"""The loader's writer and its members index, without DynamoDB: however many threads write, at
most `concurrency` requests are in flight and no batch holds a key twice; a failed batch stops the
write; the members a fresh load keeps come back as a Query of the section returns them."""

from __future__ import annotations

import threading
import time
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest
from essays_cli.loading.members import Members
from essays_cli.loading.writer import Backoff, BatchWriter, WriteFailed, key, put

from shared.store import schema


class SlowTable:
    """A BatchWriteItem that takes a moment and notes how many calls overlap."""

    def __init__(self, refuse: bool = False) -> None:
        self.lock = threading.Lock()
        self.now = self.most = self.calls = 0
        self.keys: list[tuple[str, str]] = []
        self.refuse = refuse

    def batch_write_item(self, RequestItems: dict[str, list[Any]]) -> dict[str, Any]:
        (requests,) = RequestItems.values()
        batch_keys = [(r["PutRequest"]["Item"]["pk"]["S"], r["PutRequest"]["Item"]["sk"]["S"]) for r in requests]
        assert len(set(batch_keys)) == len(batch_keys) <= 25
        with self.lock:
            self.now += 1
            self.calls += 1
            self.most = max(self.most, self.now)
        time.sleep(0.005)
        with self.lock:
            self.now -= 1
            self.keys += batch_keys
        return {"UnprocessedItems": RequestItems if self.refuse else {}}


def puts(prefix: str, count: int) -> list[dict[str, Any]]:
    return [put(key(f"{prefix}#{i % 30}", f"{i}")) for i in range(count)]


def test_two_threads_writing_at_once_share_the_writers_requests_in_flight() -> None:
    table = SlowTable()
    writer = BatchWriter(table, "t", concurrency=4)
    with ThreadPoolExecutor(2) as callers:
        for _ in callers.map(writer.write, [puts("A", 500), puts("B", 500)]):
            pass
    writer.close()
    assert table.most <= 4 and table.most > 1
    assert sorted(table.keys) == sorted(
        (r["PutRequest"]["Item"]["pk"]["S"], r["PutRequest"]["Item"]["sk"]["S"])
        for r in puts("A", 500) + puts("B", 500)
    )


def test_a_batch_refused_for_good_stops_the_write_and_sends_no_more() -> None:
    table = SlowTable(refuse=True)
    writer = BatchWriter(table, "t", concurrency=2, backoff=Backoff(base=0, attempts=3, sleep=lambda s: None))
    with pytest.raises(WriteFailed):
        writer.write(puts("A", 25 * 40))
    writer.close()  # waits for the batches already being sent
    assert table.calls < 40 * 3  # the batches not started when the first failed were never sent


def test_the_members_a_load_keeps_come_back_in_the_order_a_query_returns_them() -> None:
    members = Members()
    titles = ["Zebra crossings", "apples and pears", "Émile Zola", "apples and pears", "Ångström"]
    for n, title in enumerate(titles):
        members.add(
            {
                "essayId": f"e{n}",
                "sectionId": "s1",
                "title": title,
                "snippet": "...",
                "rating": n or None,
                "annotationCount": 0,
                "keywords": ["k"],
            }
        )
        members.add(
            {
                "essayId": f"x{n}",
                "sectionId": "s2",
                "title": title,
                "snippet": "",
                "rating": 1,
                "annotationCount": 2,
                "keywords": [],
            }
        )
    kept = members.of("s1")
    assert [m["essayId"] for m in kept] == sorted(
        (f"e{n}" for n in range(len(titles))), key=lambda i: schema.member_sk(titles[int(i[1:])], i).encode()
    )
    assert kept[0].keys() == {"essayId", "title", "snippet", "rating", "annotationCount", "keywords"}
    assert "s2" in members and "s3" not in members and len(members.of("s2")) == len(titles)
    assert members.kept_bytes() == 8 * 2 * len(titles)
    members.close()
