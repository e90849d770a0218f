"""Group commit: the writes queued by a process's request threads are committed together.

A durable write costs far more in its commit (an fsync on SQLite, a dozen round trips on
PostgreSQL) than in deciding what to write. When several request threads of one web process
want to write to the same place (e.g. register cases in one dnr series-year), one of them,
the *leader*, takes every write queued so far and commits them as one batch; the others,
the *followers*, wait for their own outcome. While a batch commits, new writes queue up and
the next leader takes them all. So the commit cost is shared by the batch, and nobody waits
for a timer: a lone write is committed at once, as a batch of one.

There is no background thread (gunicorn forks its workers, and threads do not survive a
fork): the leader is simply the first waiting request thread that finds no commit under way
for its key. Each write gets its own outcome, a result or an exception, and is answered
only after the commit that holds it has returned.
"""

from __future__ import annotations

import logging
import os
import threading
import weakref
from collections.abc import Callable, Sequence
from typing import Any, Generic, TypeVar

K = TypeVar("K")  # what writes are grouped by (e.g. a dnr series and year)
I = TypeVar("I")  # noqa: E741 - one queued write
R = TypeVar("R")  # the outcome of one write
log = logging.getLogger(__name__)

MAX_BATCH = 200  # writes per commit at most (a bound on one transaction's size)
# told the size of every batch committed (the metrics' histogram, web/metrics.py)
BATCH_OBSERVERS: list[Callable[[int], None]] = []


class _Pending(Generic[I]):
    __slots__ = ("done", "error", "item", "result")

    def __init__(self, item: I) -> None:
        self.item = item
        self.done = False
        self.result: Any = None
        self.error: BaseException | None = None


class GroupCommit(Generic[K, I, R]):
    """Commit queued writes per key in batches, one batch at a time per key and process.

    ``commit(key, take)`` writes a batch and returns one outcome per item, in order: the
    item's result, or the exception that item alone fails with. It calls ``take()`` to get
    the batch (the same list however often it is called) at the moment it is ready for it,
    e.g. once it holds a lock shared with other processes, so the writes that queue up
    while it waits for that lock go into the same batch. An exception raised by ``commit``
    itself fails every item of the batch.
    """

    def __init__(
        self,
        commit: Callable[[K, Callable[[], list[I]]], Sequence[R | BaseException]],
        max_batch: int = MAX_BATCH,
    ) -> None:
        self._commit = commit
        self.max_batch = max_batch
        self._reset()
        reference = weakref.ref(self)
        os.register_at_fork(
            after_in_child=lambda: (this := reference()) is not None and this._reset()
        )

    def _reset(self) -> None:
        """Fresh state (also in a forked child, which inherits no running commit)."""
        self._condition = threading.Condition(threading.Lock())
        self._queues: dict[K, list[_Pending[I]]] = {}
        self._leading: set[K] = set()
        self.batches = 0  # commits made, for tests and benchmarks
        self.written = 0  # writes they held

    def submit(self, key: K, item: I) -> R:
        """Queue ``item`` under ``key``; return its result once its batch has committed (or
        raise its exception)."""
        pending = _Pending(item)
        with self._condition:
            self._queues.setdefault(key, []).append(pending)
            while not pending.done:
                if key in self._leading:
                    self._condition.wait()  # a leader is committing: our turn comes after
                else:
                    self._lead(key)
        if pending.error is not None:
            raise pending.error
        return pending.result

    def _lead(self, key: K) -> None:
        """Commit the next batch of ``key`` (called and returning with the condition held)."""
        self._leading.add(key)
        taken: list[_Pending[I]] | None = None
        outcomes: list[Any] = []

        def take() -> list[I]:
            nonlocal taken
            if taken is None:
                taken = self._take(key)
            return [p.item for p in taken]

        self._condition.release()
        try:
            try:
                outcomes = list(self._commit(key, take))
                if taken is None or len(outcomes) != len(taken):
                    raise RuntimeError(f"{len(outcomes)} outcomes for {len(take())} writes")
            except BaseException as failure:  # the whole batch fails with it
                take()
                outcomes = [failure] * len(taken or ())
        finally:
            self._condition.acquire()
            batch = taken or []
            for pending, outcome in zip(batch, outcomes, strict=False):
                if isinstance(outcome, BaseException):
                    pending.error = outcome
                else:
                    pending.result = outcome
                pending.done = True
            if batch:
                self.batches += 1
                self.written += len(batch)
                for observe in BATCH_OBSERVERS:
                    observe(len(batch))
            self._leading.discard(key)
            self._condition.notify_all()

    def _take(self, key: K) -> list[_Pending[I]]:
        """Dequeue the next batch of ``key``, oldest first."""
        with self._condition:
            queue = self._queues.get(key, [])
            batch = queue[: self.max_batch]
            del queue[: self.max_batch]
            if not queue:
                self._queues.pop(key, None)
            return batch
