"""One executor for batches of independent solves: in-process, local processes, or a Dask cluster."""

from __future__ import annotations

import concurrent.futures as cf
import importlib
import multiprocessing
import os
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from types import TracebackType
from typing import TYPE_CHECKING, Any, Literal, Self

import pandas as pd

from skills.errors import InputError

if TYPE_CHECKING:
    from optimisation.plan import PlanResult
    from optimisation.scenarios import Scenario
    from skills.dataset import Dataset

#: How an executor runs its tasks.
Mode = Literal["serial", "processes", "dask"]
MODES: tuple[Mode, ...] = ("serial", "processes", "dask")


@dataclass(frozen=True)
class SolveTask:
    """One independent solve, picklable: a region's tables and a scenario's settings.

    ``tables`` are the frames of :meth:`skills.dataset.Dataset.tables` (entity
    tables indexed by their id), ``settings`` the scenario's
    ``model_dump()``; the worker rebuilds both and calls
    :func:`optimisation.plan.run_scenario`. ``label`` names the task in
    messages (e.g. ``"DK04/tight_budget"``).
    """

    tables: Mapping[str, pd.DataFrame]
    settings: Mapping[str, Any]
    with_explanations: bool = False
    label: str = ""


def make_task(
    dataset: Dataset, scenario: Scenario, *, with_explanations: bool = False, label: str = ""
) -> SolveTask:
    """The task that solves ``scenario`` over ``dataset``.

    Examples
    --------
    >>> from optimisation.scenarios import Scenario
    >>> from skills.dataset import Dataset
    >>> task = make_task(Dataset.empty(), Scenario(years=[2027]), label="empty")
    >>> task.settings["years"], task.label
    ([2027], 'empty')
    """
    return SolveTask(
        tables=dataset.tables(),
        settings=scenario.model_dump(),
        with_explanations=with_explanations,
        label=label or scenario.name,
    )


def solve_tables(
    tables: Mapping[str, pd.DataFrame], settings: Mapping[str, Any], with_explanations: bool
) -> PlanResult:
    """Rebuild the dataset and scenario and solve (runs on a worker; module level, so picklable)."""
    from optimisation.plan import run_scenario
    from optimisation.scenarios import Scenario
    from skills.dataset import Dataset

    dataset = Dataset(**dict(tables))
    scenario = Scenario.model_validate(dict(settings))
    return run_scenario(dataset, scenario, with_explanations=with_explanations)


def run_task(task: SolveTask) -> PlanResult:
    """Solve one task in this process: what every mode runs on its worker."""
    return solve_tables(task.tables, task.settings, task.with_explanations)


def _warm_up(threads: int | None = None) -> None:
    """Import the solver stack once per worker process, before its first task, and set its threads.

    ``threads`` is the worker's share of the cores (:func:`solver_threads`),
    the solver threads of each solve whose scenario sets none.
    """
    import optimisation.plan  # noqa: F401
    from optimisation.solve import set_default_threads

    set_default_threads(threads)


def _worker_context() -> Any:
    """Where local workers come from: a fork server that imported the solver stack once.

    Each worker forks from it warm (no import of its own: 0.75 s of CPU per
    worker with ``spawn``); the server itself starts clean, without this
    process's threads (HiGHS's scheduler, a web server's), and stays up for
    the next executor. ``spawn`` where the system has no fork server.
    """
    if "forkserver" not in multiprocessing.get_all_start_methods():
        return multiprocessing.get_context("spawn")
    context = multiprocessing.get_context("forkserver")
    context.set_forkserver_preload(["optimisation.plan", "skills.executor"])
    return context


def solver_threads(workers: int, cores: int | None = None) -> int:
    """Solver threads per task when ``workers`` tasks share ``cores`` (default: this process's).

    At least one: two solves on two cores get one thread each rather than
    two each, whose extra threads would wait on the other solve's core.

    Examples
    --------
    >>> solver_threads(2, 2), solver_threads(1, 4), solver_threads(3, 2)
    (1, 4, 1)
    """
    return max(1, (cores if cores is not None else default_workers()) // max(1, workers))


def _distributed() -> Any:
    """The ``distributed`` package (the optional extra ``dask``), imported when first needed."""
    try:
        return importlib.import_module("distributed")
    except ImportError as error:
        msg = 'the dask executor needs dask[distributed]: pip install "vetplan[dask]"'
        raise InputError(msg) from error


def default_workers() -> int:
    """Cores this process may use (``os.sched_getaffinity`` where the system has it)."""
    if hasattr(os, "sched_getaffinity"):
        return max(1, len(os.sched_getaffinity(0)))
    return max(1, os.cpu_count() or 1)


@dataclass(eq=False)
class Pending:
    """A submitted task; :meth:`SolveExecutor.wait_any` returns the first of several that is done."""

    task: SolveTask
    future: Any = None  # concurrent.futures.Future or distributed.Future; None in serial mode
    _outcome: PlanResult | None = field(default=None, repr=False)
    _error: BaseException | None = field(default=None, repr=False)
    _ran: bool = field(default=False, repr=False)

    @property
    def done(self) -> bool:
        if self.future is None:
            return self._ran
        return bool(self.future.done())

    def result(self) -> PlanResult:
        """The task's plan result; re-raises the task's exception."""
        if self.future is not None:
            outcome: PlanResult = self.future.result()
            return outcome
        if not self._ran:
            self._run()
        if self._error is not None:
            raise self._error
        assert self._outcome is not None
        return self._outcome

    def _run(self) -> None:
        self._ran = True
        try:
            self._outcome = run_task(self.task)
        except Exception as error:  # kept and re-raised by result(), as a future does
            self._error = error


class SolveExecutor:
    """Runs independent solves in this process, in local processes, or on a Dask cluster.

    Parameters
    ----------
    mode
        ``"serial"`` (in this process, one task at a time: tests, a single
        task), ``"processes"`` (a
        :class:`concurrent.futures.ProcessPoolExecutor` whose workers fork
        from a clean fork server, :func:`_worker_context`) or ``"dask"`` (a
        :class:`distributed.Client`). ``None``: ``"dask"`` when the setting
        ``dask_scheduler`` (``VETPLAN_DASK_SCHEDULER``) names a scheduler,
        else ``"processes"``, or ``"serial"`` with one worker.
    workers
        Local processes (default: the cores this process may use). Ignored
        for Dask, whose slots are the cluster's worker threads.
    scheduler
        Address of a Dask scheduler (default: the setting).
    client
        An existing :class:`distributed.Client` (e.g. on a ``LocalCluster``);
        it is not closed by :meth:`close`.

    Results come back to the caller, which stores them: tasks never touch the
    database. Use as a context manager, or call :meth:`close`.

    Examples
    --------
    >>> with SolveExecutor("serial") as executor:
    ...     executor.workers
    1
    """

    def __init__(
        self,
        mode: Mode | None = None,
        *,
        workers: int | None = None,
        scheduler: str | None = None,
        client: Any = None,
    ) -> None:
        if mode is not None and mode not in MODES:
            msg = f"unknown executor mode {mode!r}; expected one of {', '.join(MODES)}"
            raise InputError(msg)
        if workers is not None and workers < 1:
            msg = f"an executor needs at least 1 worker, not {workers}"
            raise InputError(msg)
        if client is not None:
            mode = "dask"
        if mode is None or (mode == "dask" and client is None and scheduler is None):
            from skills.settings import load_settings

            scheduler = scheduler or load_settings().dask_scheduler
        if mode is None:
            local = workers or default_workers()
            mode = "dask" if scheduler else ("serial" if local == 1 else "processes")
        if mode == "dask" and client is None and not scheduler:
            msg = "the dask executor needs a scheduler address (VETPLAN_DASK_SCHEDULER) or a client"
            raise InputError(msg)
        self.mode: Mode = mode
        self._local_workers = 1 if mode == "serial" else (workers or default_workers())
        self._scheduler = scheduler or ""
        self._client: Any = client
        self._owns_client = client is None
        self._pool: cf.ProcessPoolExecutor | None = None
        self._shared: dict[int, tuple[object, Any]] = {}

    @property
    def workers(self) -> int:
        """Tasks that run at the same time: local processes, or the Dask cluster's threads."""
        if self.mode == "dask":
            threads = self._dask_client().nthreads()
            return max(1, int(sum(threads.values())))
        return self._local_workers

    def describe(self) -> str:
        """One line naming the mode and its workers (``processes x2``)."""
        where = f" at {self._scheduler}" if self.mode == "dask" and self._scheduler else ""
        return f"{self.mode} x{self.workers}{where}"

    def submit(self, task: SolveTask) -> Pending:
        """Start ``task`` (serial mode: run it when it is waited for)."""
        if self.mode == "serial":
            return Pending(task)
        if self.mode == "processes":
            return Pending(task, self._process_pool().submit(run_task, task))
        client = self._dask_client()
        tables = self._scattered(client, task.tables)
        future = client.submit(
            solve_tables,
            tables,
            dict(task.settings),
            task.with_explanations,
            pure=False,
            key=f"vetplan-solve-{task.label or 'task'}-{id(task):x}",
        )
        return Pending(task, future)

    def wait_any(self, pending: Sequence[Pending]) -> Pending:
        """Block until one of ``pending`` is done and return it (serial mode: run the first)."""
        if not pending:
            msg = "nothing to wait for: no task was submitted"
            raise InputError(msg)
        for item in pending:
            if item.done:
                return item
        if self.mode == "serial":
            first = pending[0]
            first._run()
            return first
        if self.mode == "processes":
            cf.wait([item.future for item in pending], return_when=cf.FIRST_COMPLETED)
        else:
            _distributed().wait([item.future for item in pending], return_when="FIRST_COMPLETED")
        return next(item for item in pending if item.done)

    def solve_all(self, tasks: Sequence[SolveTask]) -> list[PlanResult]:
        """Solve every task; results in the order of ``tasks`` (one task runs in this process).

        Raises the first task's exception, in the order of ``tasks``.
        """
        if len(tasks) == 1 and self.mode == "processes":
            return [run_task(tasks[0])]
        handles = [self.submit(task) for task in tasks]
        return [handle.result() for handle in handles]

    def close(self) -> None:
        """Shut down the process pool (running tasks finish) and a client this executor opened."""
        if self._pool is not None:
            self._pool.shutdown(wait=True, cancel_futures=True)
            self._pool = None
        self._shared.clear()
        if self._client is not None and self._owns_client:
            self._client.close()
            self._client = None

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        trace: TracebackType | None,
    ) -> None:
        self.close()

    def _process_pool(self) -> cf.ProcessPoolExecutor:
        if self._pool is None:
            self._pool = cf.ProcessPoolExecutor(
                max_workers=self._local_workers,
                mp_context=_worker_context(),
                initializer=_warm_up,
                initargs=(solver_threads(self._local_workers),),
            )
        return self._pool

    def _dask_client(self) -> Any:
        if self._client is None:
            self._client = _distributed().Client(self._scheduler)
        return self._client

    def _scattered(self, client: Any, tables: Mapping[str, pd.DataFrame]) -> Any:
        """The region's tables on the cluster, sent once per executor (every task of a region shares them)."""
        key = id(tables)
        if key not in self._shared:
            # a one-element list: scatter sends the mapping as one object, not one per table
            (future,) = client.scatter([dict(tables)], broadcast=True, hash=False)
            self._shared[key] = (tables, future)
        return self._shared[key][1]
