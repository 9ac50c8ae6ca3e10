"""Previews and keywords: most of a load's own CPU, derived in a pool of processes for big loads
(with the extracts and paragraphs compressed as the card and the body store them); the same pool
ranks the sections' related essays and packs their lists when the load rebuilds them.

A load's main thread otherwise spends most of its time here, holding the GIL against the threads
that write; in processes of their own, the derivations use every core and leave the GIL to the
writers. Small loads (one chunk or less) derive in process: starting the pool would cost more.
The results are the same either way (pure functions of the record's text and the policy).
"""

from __future__ import annotations

import multiprocessing
import os
import signal
import threading
from collections.abc import Iterator, Mapping, Sequence
from concurrent.futures import ProcessPoolExecutor
from typing import Any

from essays_cli.loading.items import Derivation, related_items
from essays_cli.loading.previews import PreviewPolicy, build_preview
from essays_cli.loading.ranking import SectionEssay, essay_keywords
from shared.library.text import paragraphs, word_count
from shared.store.rows import SectionRow, SummaryRow, pack_extracts, pack_json


def derive(title: str, body: str, policy: PreviewPolicy) -> Derivation:
    """One essay's preview, keywords, paragraphs and word count, with the extracts and paragraphs packed
    as stored: a pure function of its text and the policy."""
    preview = build_preview(body, policy)
    parts = paragraphs(body)
    packed = pack_json(parts)
    return Derivation(
        preview, essay_keywords(title, body), pack_extracts(preview.extracts), parts, packed, word_count(body)
    )


def _ignore_interrupts() -> None:
    # Ctrl-C reaches every process of the terminal's group: the main process stops the load and
    # says so in one line; a worker stops only when the pool is shut down (no traceback each).
    signal.signal(signal.SIGINT, signal.SIG_IGN)


def _nothing() -> None:
    pass


def _derive(job: tuple[str, str, PreviewPolicy]) -> Derivation:
    return derive(*job)


class Deriver:
    def __init__(self, policy: PreviewPolicy, workers: int | None = None) -> None:
        self.policy = policy
        self.workers = (os.cpu_count() or 1) if workers is None else workers
        self._pool: ProcessPoolExecutor | None = None

    def use_pool(self) -> None:
        """From now on derive in worker processes (a big load), if more than one core is to be had."""
        if self._pool is None and self.workers > 1:
            # spawn, not fork: the loader runs writer threads, which a forked child must not inherit
            self._pool = ProcessPoolExecutor(
                self.workers, mp_context=multiprocessing.get_context("spawn"), initializer=_ignore_interrupts
            )
            self._start_workers(self._pool)

    def _start_workers(self, pool: ProcessPoolExecutor) -> None:
        """Start every worker now, with Ctrl-C ignored in the processes they start as: a worker
        interrupted while it starts up would print a traceback, before its initializer could
        ignore Ctrl-C itself. (Only the main thread may change a signal's handler.)"""
        if threading.current_thread() is not threading.main_thread():
            return
        previous = signal.signal(signal.SIGINT, signal.SIG_IGN)
        try:
            for _ in range(self.workers):
                pool.submit(_nothing)  # each submit starts a worker while none is idle yet
        finally:
            signal.signal(signal.SIGINT, previous)

    def __call__(self, essays: Sequence[tuple[str, str]]) -> list[Derivation]:
        """The preview and keywords of each (title, body), in order."""
        return list(self.start(essays))

    def start(self, essays: Sequence[tuple[str, str]]) -> Iterator[Derivation]:
        """The same, begun now in the worker processes (when there are some) and waited for as the
        result is read: a load derives its next chunk while it builds the items of this one."""
        if self._pool is None or len(essays) < 2:
            return iter([derive(title, body, self.policy) for title, body in essays])
        jobs = [(title, body, self.policy) for title, body in essays]
        return self._pool.map(_derive, jobs, chunksize=max(1, len(jobs) // (4 * self.workers)))

    def related(
        self, section: SectionRow, essays: Sequence[SectionEssay], listed: Mapping[str, SummaryRow]
    ) -> list[dict[str, Any]]:
        """related_items, in a worker process when there is a pool (ranking, and each list's entries
        sized and packed: most of a section rebuild's CPU; the items come back packed, ~1 KB each)."""
        if self._pool is None:
            return related_items(section, essays, listed)
        return self._pool.submit(related_items, section, essays, listed).result()

    def close(self, cancel: bool = False) -> None:
        """Let the workers go; `cancel`: a load cut off, so the work still queued is dropped."""
        if self._pool is not None:
            self._pool.shutdown(cancel_futures=cancel)
            self._pool = None
