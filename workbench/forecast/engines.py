"""Execution engines: run one function over many partitions of series, on this machine's cores
(``local``) or on a Dask cluster (``dask``).

An engine knows nothing about forecasting. It calls ``fn(index, partition, shared)`` for each
partition where the work runs and yields ``(index, result)`` as partitions finish, with the exception in place of the result when a
partition's task itself failed (a dead worker, say), so the caller can name what is missing
while the rest finish. Results arrive in completion order; callers that need a fixed order sort
by index.

Engines start lazily on first use and hold their workers until ``close()`` (or the end of a
``with`` block), so one engine can serve several calls (a notebook session, say).
"""

from __future__ import annotations

import os
from abc import ABC, abstractmethod
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ProcessPoolExecutor, as_completed
from typing import Any

from tqdm.std import tqdm

from workbench.errors import ParameterError

ENGINES = ("local", "dask")


def check_engine_options(engine, *, n_workers: int | None = None, address: str | None = None) -> None:
    """The one check of engine options (the request, ``make_engine`` and ``DaskEngine`` call it):
    ``engine`` is a name in ``ENGINES`` or an ``Engine``; a scheduler ``address`` needs the dask
    engine and its cluster's own workers (no ``n_workers``); an ``Engine`` given whole has its
    own workers and address. Raises ``ParameterError`` naming the conflict."""
    if isinstance(engine, Engine):
        if n_workers:
            raise ParameterError(f"n_jobs (--n-jobs) {n_workers} sizes an engine made by name; "
                                 f"{engine!r} has its own workers, so leave n_jobs out")
        if address:
            raise ParameterError(f"dask_address (--dask-address) {address} makes a Dask engine; "
                                 f"{engine!r} is given already, so leave dask_address out")
        return
    if engine not in ENGINES:
        raise ParameterError(f"unknown engine {engine!r}; choose one of {list(ENGINES)}")
    if n_workers is not None and n_workers < 1:
        raise ParameterError(f"n_jobs (--n-jobs) must be at least 1 worker; got {n_workers}")
    if address and engine != "dask":
        raise ParameterError(f"--dask-address {address} needs --engine dask (a Dask scheduler "
                             f"address needs the dask engine, not {engine})")
    if address and n_workers:
        raise ParameterError(f"n_jobs (--n-jobs) {n_workers} sizes a local cluster; the cluster at "
                             f"{address} has its own workers, so leave n_jobs out")


class Engine(ABC):
    """Runs ``fn(index, partition, shared)`` over partitions; see the module docstring."""

    name = "engine"

    @property
    @abstractmethod
    def workers(self) -> int:
        """How many partitions can run at the same time."""

    @abstractmethod
    def map(self, fn: Callable, partitions: Sequence, shared: Any) -> Iterator[tuple[int, Any]]:
        """Yield ``(index, fn(index, partition, shared))`` as each partition finishes (the
        exception instead of the result if the task failed)."""

    def close(self) -> None:
        """Release the workers (idempotent)."""

    def __enter__(self):
        return self

    def __exit__(self, *exc) -> None:
        self.close()


class LocalEngine(Engine):
    """Worker processes on this machine (``n_workers``: default all cores; 1 runs in-process)."""

    name = "local"

    def __init__(self, n_workers: int | None = None):
        check_engine_options("local", n_workers=n_workers)
        self.n_workers = n_workers
        self._pool: ProcessPoolExecutor | None = None

    @property
    def workers(self) -> int:
        return self.n_workers or os.cpu_count() or 1

    def map(self, fn, partitions, shared):
        if self.workers == 1 or len(partitions) == 1:
            for i, part in enumerate(partitions):
                yield i, _call(fn, i, part, shared)
            return
        if self._pool is None:
            self._pool = ProcessPoolExecutor(max_workers=self.workers)
        # the pool pickles a partition only when a worker is about to take it
        futures = {self._pool.submit(fn, i, part, shared): i for i, part in enumerate(partitions)}
        for future in as_completed(futures):
            i = futures.pop(future)
            exc = future.exception()
            yield i, exc if exc is not None else future.result()

    def close(self) -> None:
        if self._pool is not None:
            self._pool.shutdown()
            self._pool = None

    def __repr__(self) -> str:
        return f"LocalEngine(n_workers={self.workers})"


def _call(fn, i, part, shared):
    try:
        return fn(i, part, shared)
    except Exception as exc:  # the same contract as a failed task on a pool
        return exc


class DaskEngine(Engine):
    """A ``dask.distributed`` cluster.

    With ``address`` (``"tcp://HOST:PORT"`` of a running scheduler) it connects to that cluster
    and uses its workers; with ``client`` it uses an existing ``distributed.Client`` (left open
    on ``close``); otherwise it starts a ``LocalCluster`` of ``n_workers`` single-threaded
    worker processes (default: all cores; ``processes=False`` runs them as threads of this
    process). Workers of a remote cluster need the same ``workbench`` installed.

    Partitions go out as workers free up, ``in_flight`` per worker at a time, so a worker holds
    a few partitions' rows, never a share of the whole data set.
    """

    name = "dask"

    def __init__(self, address: str | None = None, *, n_workers: int | None = None,
                 processes: bool = True, client=None, connect_timeout: float = 20.0,
                 in_flight: int = 2):
        if address and client is not None:
            raise ParameterError("DaskEngine: give either address or client, not both")
        check_engine_options("dask", n_workers=n_workers, address=address)
        if in_flight < 1:
            raise ParameterError(f"in_flight must be at least 1 partition per worker; got {in_flight}")
        self.address = address
        self.n_workers = n_workers
        self.processes = processes
        self.connect_timeout = connect_timeout
        self.in_flight = in_flight
        self._client = client
        self._owns_client = client is None
        self._cluster = None

    @property
    def client(self):
        """The ``distributed.Client``, starting the cluster or connecting on first use."""
        if self._client is None:
            from distributed import Client, LocalCluster

            if self.address:
                try:
                    self._client = Client(self.address, timeout=self.connect_timeout)
                except (OSError, TimeoutError) as exc:
                    raise ParameterError(
                        f"cannot connect to a Dask scheduler at {self.address}: {exc}; check the "
                        f"host and port, and that `dask scheduler` runs there") from None
            else:
                self._cluster = LocalCluster(n_workers=self.n_workers or os.cpu_count() or 1,
                                             threads_per_worker=1, processes=self.processes,
                                             dashboard_address=":0")
                self._client = Client(self._cluster)
        return self._client

    @property
    def workers(self) -> int:
        return max(1, sum(self.client.nthreads().values()))

    def map(self, fn, partitions, shared):
        from distributed import as_completed as dask_as_completed

        client = self.client
        shared_future = client.scatter(shared, broadcast=True, hash=False)
        waiting = iter(enumerate(partitions))
        completed = dask_as_completed()
        index = {}

        def submit_next() -> None:
            for i, part in waiting:
                [data] = client.scatter([part], hash=False)  # rows travel once, outside the graph
                future = client.submit(fn, i, data, shared_future, pure=False)
                index[future.key] = i
                completed.add(future)
                return

        for _ in range(self.in_flight * self.workers):
            submit_next()
        for future in completed:
            i = index.pop(future.key)
            try:
                result = future.result()
            except Exception as exc:
                result = exc
            future.release()
            submit_next()
            yield i, result

    def close(self) -> None:
        """Close the client and cluster this engine started; a given client stays open."""
        if not self._owns_client:
            return
        if self._client is not None:
            self._client.close()
        if self._cluster is not None:
            self._cluster.close()
        self._client = self._cluster = None

    def __repr__(self) -> str:
        where = self.address or ("client" if not self._owns_client else "LocalCluster")
        return f"DaskEngine({where}, n_workers={self.n_workers})"


def make_engine(engine: str | Engine | None = "local", *, n_workers: int | None = None,
                address: str | None = None) -> Engine:
    """An engine by name (``local`` or ``dask``), or ``engine`` itself if it is one already."""
    engine = engine or "local"
    check_engine_options(engine, n_workers=n_workers, address=address)
    if isinstance(engine, Engine):
        return engine
    if engine == "local":
        return LocalEngine(n_workers)
    return DaskEngine(address, n_workers=n_workers)


def progress_bar(total: int, *, desc: str, enabled: bool | None) -> tqdm:
    """A text progress bar on stderr (works in a terminal and in a notebook's output);
    ``enabled=None`` shows it only when stderr is a terminal."""
    return tqdm(total=total, desc=desc, unit="series", disable=None if enabled is None else not enabled,
                smoothing=0.1)
