"""Many series at once on local processes, with progress reported to the caller."""

from __future__ import annotations

import os
import signal
from collections.abc import Callable, Iterable
from typing import TypeVar

Item = TypeVar("Item")
Result = TypeVar("Result")
Progress = Callable[[str], None]


def default_jobs() -> int:
    """Worker processes used when the caller does not say: cores, at most 4."""
    return max(1, min(4, os.cpu_count() or 1))


def _ignore_interrupt() -> None:
    """Workers leave Ctrl-C to the parent, which stops them all at once."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)


def map_series(work: Callable[[Item], Result], items: Iterable[Item], *, jobs: int = 1,
               progress: Progress | None = None, label: Callable[[Item], str] = str) -> list[Result]:
    """Apply ``work`` to every item, in order, on up to ``jobs`` processes.

    ``work`` must be a module-level function (it is pickled). ``progress`` is
    called with the item's label as each item finishes. On Ctrl-C or an error
    the worker processes are terminated at once rather than left to finish.
    """
    items = list(items)
    if jobs <= 1 or len(items) <= 1:
        results = []
        for item in items:
            results.append(work(item))
            if progress:
                progress(label(item))
        return results
    import multiprocessing  # only when there is work for several processes

    pool = multiprocessing.get_context().Pool(min(jobs, len(items)), initializer=_ignore_interrupt)
    try:
        results = []
        for item, result in zip(items, pool.imap(work, items)):
            results.append(result)
            if progress:
                progress(label(item))
        pool.close()
        pool.join()
        return results
    except BaseException:
        pool.terminate()
        pool.join()
        raise
