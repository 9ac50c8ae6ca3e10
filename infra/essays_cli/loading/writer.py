"""Batched DynamoDB writes that never lose a record: BatchWriteItem in batches of 25,
UnprocessedItems and throttling retried with exponential backoff and full jitter."""

from __future__ import annotations

import random
import threading
import time
from collections.abc import Callable, Iterable, Sequence
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from botocore.exceptions import ClientError

from shared.store.dynamo import RETRYABLE

BATCH_SIZE = 25  # BatchWriteItem's limit


class WriteFailed(RuntimeError):
    """Writes still refused after every retry; the load stops, and a rerun resumes it."""


class Backoff:
    def __init__(
        self, base: float = 0.05, cap: float = 5.0, attempts: int = 10, sleep: Callable[[float], None] = time.sleep
    ) -> None:
        self.base, self.cap, self.attempts, self.sleep = base, cap, attempts, sleep

    def wait(self, attempt: int) -> None:
        self.sleep(random.uniform(0, min(self.cap, self.base * 2**attempt)))


def key(pk: str, sk: str) -> dict[str, Any]:
    return {"pk": {"S": pk}, "sk": {"S": sk}}


def _key_of(request: dict[str, Any]) -> tuple[str, str]:
    values = request.get("PutRequest", {}).get("Item") or request["DeleteRequest"]["Key"]
    return values["pk"]["S"], values["sk"]["S"]


def put(item: dict[str, Any]) -> dict[str, Any]:
    return {"PutRequest": {"Item": item}}


def delete(item_key: dict[str, Any]) -> dict[str, Any]:
    return {"DeleteRequest": {"Key": item_key}}


class BatchWriter:
    def __init__(self, client: Any, table: str, concurrency: int = 4, backoff: Backoff | None = None) -> None:
        self.client = client
        self.table = table
        self.backoff = backoff or Backoff()
        self.concurrency = concurrency
        self.requests_sent = 0
        self.items_sent = 0  # write requests (puts and deletes) sent, retries included
        self._pool: ThreadPoolExecutor | None = None
        self._lock = threading.Lock()

    def write(self, requests: Sequence[dict[str, Any]]) -> None:
        """Write every request; returns once all are stored, raises WriteFailed otherwise.

        Batches go to one pool of `concurrency` threads shared by every caller, so however many
        threads write at once (a load writes two chunks at a time), at most `concurrency` requests
        are in flight, and one caller's tail of batches leaves room for the other's."""
        batches = list(_batches(requests))
        if self.concurrency <= 1 or len(batches) <= 1:
            for batch in batches:
                self._write_batch(batch)
            return
        pool = self._threads()
        futures = [pool.submit(self._write_batch, batch) for batch in batches]
        try:
            for future in futures:
                future.result()  # the first failure stops this write here
        finally:
            for future in futures:
                future.cancel()  # those not started yet: a failed write sends no more

    def _threads(self) -> ThreadPoolExecutor:
        with self._lock:
            if self._pool is None:
                self._pool = ThreadPoolExecutor(max_workers=self.concurrency, thread_name_prefix="writer")
            return self._pool

    def close(self) -> None:
        """Let the threads go (waiting for any batch still being sent); the writer can still be used."""
        with self._lock:
            pool, self._pool = self._pool, None
        if pool is not None:
            pool.shutdown()

    def _write_batch(self, batch: list[dict[str, Any]]) -> None:
        pending = batch
        for attempt in range(self.backoff.attempts):
            try:
                self.requests_sent += 1
                self.items_sent += len(pending)
                response = self.client.batch_write_item(RequestItems={self.table: pending})
            except ClientError as error:
                if error.response.get("Error", {}).get("Code") not in RETRYABLE:
                    raise
            else:
                pending = response.get("UnprocessedItems", {}).get(self.table, [])
                if not pending:
                    return
            self.backoff.wait(attempt)
        raise WriteFailed(
            f"DynamoDB is too busy right now: it kept refusing {len(pending)} writes after {self.backoff.attempts} "
            "attempts; "
            "nothing was lost: run the same command again to finish the load"
        )


def _batches(requests: Iterable[dict[str, Any]]) -> Iterable[list[dict[str, Any]]]:
    """Batches of 25 with no key twice in a batch (DynamoDB rejects such a batch)."""
    batch: list[dict[str, Any]] = []
    keys: set[tuple[str, str]] = set()
    for request in requests:
        request_key = _key_of(request)
        if request_key in keys or len(batch) == BATCH_SIZE:
            yield batch
            batch, keys = [], set()
        batch.append(request)
        keys.add(request_key)
    if batch:
        yield batch
