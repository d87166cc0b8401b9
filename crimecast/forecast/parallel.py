"""Many series at once: in this process, on local processes, or on a Dask cluster.

``map_series`` applies one function to many series and hands back the results
in order, reporting each one as it finishes. Where the work runs is chosen by
the caller: ``jobs`` local processes (a process pool), or a Dask scheduler
(``scheduler="local:N"`` for a local cluster of N worker processes, or
``scheduler="tcp://HOST:PORT"`` for a cluster that is already running). The
work itself carries its seed, so the results are the same wherever it ran.

A command that maps several batches opens one :func:`scheduler_session` and
every ``map_series`` call inside it uses that cluster, started on first use.
Dask (``dask.distributed``) is an optional extra: ``pip install 'crimecast[dask]'``.
"""

from __future__ import annotations

import contextlib
import contextvars
import logging
import os
import re
import signal
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from typing import Any, TypeVar

from crimecast.errors import ClusterError, UsageError

Item = TypeVar("Item")
Result = TypeVar("Result")
Progress = Callable[[str], None]

CONNECT_SECONDS = 10  # how long to wait for an existing scheduler before giving up
MAX_LOCAL_WORKERS = 64
SCHEDULER_FORMS = "'local:N' (N worker processes on this machine) or 'tcp://HOST:PORT' (a running Dask scheduler)"
_LOCAL = re.compile(r"local:(\d+)")
_REMOTE = re.compile(r"(tcp|tls)://[^\s:/]+:\d{1,5}")


def default_jobs() -> int:
    """Worker processes used when the caller does not say: cores, at most 4."""
    return max(1, min(4, os.cpu_count() or 1))


@dataclass(frozen=True)
class Scheduler:
    """Where Dask work runs: ``workers`` local processes, or the cluster at ``address``."""

    address: str | None = None
    workers: int = 0

    @property
    def text(self) -> str:
        """The form the user wrote: ``local:N`` or ``tcp://HOST:PORT``."""
        return self.address or f"local:{self.workers}"


def parse_scheduler(text: str) -> Scheduler:
    """Read ``local:N`` or ``tcp://HOST:PORT``.

    Raises
    ------
    UsageError
        If ``text`` is neither form, or N is not 1 to 64.
    """
    text = text.strip()
    local = _LOCAL.fullmatch(text)
    if local:
        workers = int(local.group(1))
        if not 1 <= workers <= MAX_LOCAL_WORKERS:
            raise UsageError(f"--scheduler {text}: a local cluster takes 1 to {MAX_LOCAL_WORKERS} workers, e.g. local:2.")
        return Scheduler(workers=workers)
    if _REMOTE.fullmatch(text):
        return Scheduler(address=text)
    raise UsageError(f"--scheduler {text!r} is not a scheduler; give {SCHEDULER_FORMS}.")


_NO_DASK = ("--scheduler needs Dask, which is not installed: pip install 'crimecast[dask]' "
            "(or drop --scheduler and use --jobs).")


def require_dask() -> None:
    """Check, without importing it, that ``dask.distributed`` is installed.

    Raises
    ------
    UsageError
        If it is not, saying how to install it.
    """
    import importlib.util

    if importlib.util.find_spec("distributed") is None:
        raise UsageError(_NO_DASK)


def _distributed():
    """The ``distributed`` module, or one clear line saying how to install it."""
    try:
        import distributed
    except ImportError:
        raise UsageError(_NO_DASK) from None
    return distributed


class _Session:
    """One Dask client for the length of a command, connected on first use."""

    def __init__(self, scheduler: Scheduler):
        self.scheduler = scheduler
        self._stack = contextlib.ExitStack()
        self._client = None

    def client(self):
        if self._client is None:
            self._client = self._connect()
        return self._client

    def _connect(self):
        distributed = _distributed()
        self._stack.enter_context(_quiet_dask_logs())
        if self.scheduler.address is None:
            cluster = distributed.LocalCluster(n_workers=self.scheduler.workers, threads_per_worker=1, processes=True,
                                               dashboard_address=None, silence_logs=logging.CRITICAL)
            self._stack.callback(cluster.close)
            client = distributed.Client(cluster)
        else:
            try:
                client = distributed.Client(self.scheduler.address, timeout=f"{CONNECT_SECONDS}s")
            except (OSError, TimeoutError) as error:
                raise ClusterError(f"could not reach the Dask scheduler at {self.scheduler.address} within "
                                   f"{CONNECT_SECONDS} s ({type(error).__name__}); start one with "
                                   "'dask scheduler' and 'dask worker ADDRESS', or use --scheduler local:N.") from None
            self._stack.callback(client.close)
            try:
                client.wait_for_workers(1, timeout=CONNECT_SECONDS)
            except TimeoutError:
                self._stack.close()
                raise ClusterError(f"the Dask scheduler at {self.scheduler.address} has no workers after "
                                   f"{CONNECT_SECONDS} s; start some with 'dask worker {self.scheduler.address}'.") from None
            return client
        self._stack.callback(client.close)
        return client

    def close(self) -> None:
        self._stack.close()


@contextlib.contextmanager
def _quiet_dask_logs() -> Iterator[None]:
    """Dask's own INFO/WARNING chatter would break the progress bar and JSON on stderr."""
    loggers = [logging.getLogger(name) for name in ("distributed", "tornado")]
    levels = [logger.level for logger in loggers]
    for logger in loggers:
        logger.setLevel(logging.ERROR)
    try:
        yield
    finally:
        for logger, level in zip(loggers, levels):
            logger.setLevel(level)


_ACTIVE: contextvars.ContextVar[_Session | None] = contextvars.ContextVar("crimecast_scheduler", default=None)


@contextlib.contextmanager
def scheduler_session(scheduler: str | Scheduler | None) -> Iterator[Scheduler | None]:
    """Run every ``map_series`` inside the block on ``scheduler`` (``None``: no change).

    The cluster is started (or connected to) only when work first reaches it,
    and a local cluster is shut down when the block ends.

    Raises
    ------
    UsageError
        If ``scheduler`` is malformed, or Dask is not installed (when first used).
    ClusterError
        If an existing scheduler cannot be reached (when first used).
    """
    if scheduler is None:
        yield None
        return
    spec = parse_scheduler(scheduler) if isinstance(scheduler, str) else scheduler
    session = _Session(spec)
    token = _ACTIVE.set(session)
    try:
        yield spec
    finally:
        _ACTIVE.reset(token)
        session.close()


def ignore_interrupt() -> None:
    """Workers leave Ctrl-C to the parent, which stops them all at once."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)


def map_series(work: Callable[[Item], Result], items: Iterable[Item], *, jobs: int = 1,
               progress: Progress | None = None, label: Callable[[Item], str] = str,
               scheduler: str | Scheduler | None = None) -> list[Result]:
    """Apply ``work`` to every item, in order, on up to ``jobs`` processes or on a Dask cluster.

    Parameters
    ----------
    work
        A module-level function (or a ``functools.partial`` of one): it is pickled.
    items
        The inputs; the results come back in the same order.
    jobs
        Local worker processes when no scheduler is in use (1: this process).
    progress
        Called with the item's label as each item finishes; one with a ``start`` method is first told how many
        items there are (``progress.start(n)``), so that it can show a bar.
    label
        The text ``progress`` receives for an item.
    scheduler
        ``"local:N"`` or ``"tcp://HOST:PORT"`` to run on Dask for this call
        only; by default the :func:`scheduler_session` the caller opened, if
        any, else ``jobs``. A single item always runs in this process.

    Notes
    -----
    On Ctrl-C or an error the remaining work is stopped at once (the pool is
    terminated, or the Dask futures cancelled) rather than left to finish.
    """
    items = list(items)
    if hasattr(progress, "start"):
        progress.start(len(items))
    if len(items) <= 1:
        return _in_process(work, items, progress, label)
    if scheduler is not None:
        with scheduler_session(scheduler):
            return _on_dask(_ACTIVE.get().client(), work, items, progress, label)
    session = _ACTIVE.get()
    if session is not None:
        return _on_dask(session.client(), work, items, progress, label)
    if jobs <= 1:
        return _in_process(work, items, progress, label)
    return _on_pool(work, items, jobs, progress, label)


def _in_process(work, items: list, progress: Progress | None, label) -> list:
    results = []
    for item in items:
        results.append(work(item))
        if progress:
            progress(label(item))
    return results


def _on_pool(work, items: list, jobs: int, progress: Progress | None, label) -> list:
    import multiprocessing  # only when there is work for several processes

    pool = multiprocessing.get_context().Pool(min(jobs, len(items)), initializer=ignore_interrupt)
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


def _on_dask(client: Any, work, items: list, progress: Progress | None, label) -> list:
    """Submit every item (``pure=False``: never merged with another call), collect in order."""
    from distributed import CancelledError, as_completed
    from distributed.comm import CommClosedError
    from distributed.scheduler import KilledWorker

    futures = client.map(work, items, pure=False)
    position = {future.key: i for i, future in enumerate(futures)}
    results: list = [None] * len(items)
    try:
        for future in as_completed(futures):
            index = position[future.key]
            results[index] = future.result()  # re-raises the worker's own exception here
            if progress:
                progress(label(items[index]))
        return results
    except (KilledWorker, CommClosedError, CancelledError) as error:
        client.cancel(futures)
        raise ClusterError(f"the Dask cluster lost the work ({type(error).__name__}: {error}); check its workers "
                           "(they need crimecast installed, the same version as here) and run again.") from None
    except ModuleNotFoundError as error:
        client.cancel(futures)
        if (error.name or "").partition(".")[0] != "crimecast":
            raise
        raise ClusterError("the Dask workers cannot import crimecast: install it on every worker machine "
                           "(pip install 'crimecast[dask]', the same version as here).") from None
    except BaseException:
        client.cancel(futures)
        raise
