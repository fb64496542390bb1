"""Sweep executors: one run in a worker, a local process pool, Dask.

Part of :mod:`experiments.sweep` (whose module doc describes the executors and the test
hook); every name here is also importable from there.
"""

from __future__ import annotations

import concurrent.futures as cf
import multiprocessing
import signal
import time
import traceback
from pathlib import Path
from typing import Any, Iterator

from experiments.sweep_spec import SweepError

#: Environment variable of the failure-injection test hook (see the module doc).
FAIL_ENV = "COMPUTEBUBBLE_SWEEP_FAIL_SAMPLES"
#: Seconds to wait for a Dask scheduler before giving up.
DASK_CONNECT_TIMEOUT_S = 5
#: Runs in flight per worker (bounded so memory stays flat).
IN_FLIGHT_PER_WORKER = 2
#: Outcomes of ``run()`` left out of the rows: per-year series (``computebubble run`` shows them).
DROPPED_OUTCOMES = ("years", "yearly")


class SweepAborted(RuntimeError):
    """The sweep could not go on (the worker pool broke); finished runs are stored."""


# ===== one run (in a worker) =================================================================

def flatten_outcomes(out: dict[str, Any]) -> dict[str, Any]:
    """``run()``'s outcomes as scalar columns: series dropped, lists joined, dicts flattened."""
    row: dict[str, Any] = {}
    for k, v in out.items():
        if k in DROPPED_OUTCOMES:
            continue
        if isinstance(v, (list, tuple)):
            row[k] = "; ".join(str(x) for x in v)
        elif isinstance(v, dict):
            for kk, vv in v.items():
                if not isinstance(vv, (list, tuple, dict)):
                    row[f"{k}.{kk}"] = vv
        else:
            row[k] = v
    return row


def _one_line_error(e: BaseException) -> str:
    tb = traceback.extract_tb(e.__traceback__)
    where = f" (at {Path(tb[-1].filename).name}:{tb[-1].lineno} in {tb[-1].name})" if tb else ""
    return " ".join(f"{type(e).__name__}: {e}".split()) + where


def run_task(task: dict[str, Any]) -> dict[str, Any]:
    """Run one sample and replication; return its row (never raises for a model error)."""
    from experiments.runner import run

    t0 = time.perf_counter()
    row = {"run_id": task["run_id"], "sample": task["sample"], "replication": task["replication"],
           "seed": task["seed"], "scenario": task["scenario"].name, "months": task["months"], **task["params"]}
    try:
        if task.get("fail"):
            raise RuntimeError(f"injected failure for sample {task['sample']} (test hook {FAIL_ENV})")
        out = run(task["params"], months=task["months"], seed=task["seed"], scenario=task["scenario"])
        outcomes = flatten_outcomes(out)
        for k in ("scenario", "months", "seed"):
            outcomes.pop(k, None)
        row.update({k: v for k, v in outcomes.items() if k not in row})
        row["error"] = None
    except Exception as e:  # recorded in the row; the sweep goes on
        row["error"] = _one_line_error(e)
    row["wall_s"] = time.perf_counter() - t0
    row["code_version"] = task["code_version"]
    return row


_WORKER_READY = False


def prepare_worker_process() -> None:
    """Once per worker process: one BLAS thread (threadpoolctl), and the imports frozen out of the GC.

    The workers are the parallelism. OpenBLAS otherwise starts a thread per core in every
    worker, and on this model's small matrix products that costs more than it gains: on two
    cores, 20 six-month runs took 1.1 s with OpenBLAS's default threads and 0.6 s with one,
    and two such processes side by side 1.9 s each against 0.6-0.7 s.

    ``gc.freeze()`` moves everything alive now (the imported modules: mesa, pandas, scipy,
    networkx, ...) out of the collector's reach, so the full collections that each run's
    garbage triggers no longer walk them: 8-13% faster on 96 two-year runs, measured here.
    """
    global _WORKER_READY
    if _WORKER_READY:
        return
    _WORKER_READY = True
    import gc

    import experiments.runner  # noqa: F401  (imported before the freeze)

    try:
        from threadpoolctl import threadpool_limits

        threadpool_limits(limits=1)
    except ImportError:
        pass
    gc.collect()
    gc.freeze()


def run_task_in_worker(task: dict[str, Any]) -> dict[str, Any]:
    """:func:`run_task` in a worker with no initializer (Dask): prepare the process first."""
    prepare_worker_process()
    return run_task(task)


def _worker_init() -> None:
    """Pool workers leave Ctrl-C to the parent, which stops the sweep cleanly."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    prepare_worker_process()

# ===== executors =============================================================================

class LocalExecutor:
    """A process pool on this machine (forkserver with the model preloaded, else spawn)."""

    def __init__(self, workers: int):
        self.workers = workers
        methods = multiprocessing.get_all_start_methods()
        ctx = multiprocessing.get_context("forkserver" if "forkserver" in methods else "spawn")
        if ctx.get_start_method() == "forkserver":
            ctx.set_forkserver_preload(["experiments.runner", "experiments.sweep_exec", "sim.model"])
        self.pool = cf.ProcessPoolExecutor(max_workers=workers, mp_context=ctx, initializer=_worker_init)

    @property
    def window(self) -> int:
        return IN_FLIGHT_PER_WORKER * self.workers + 1

    def results(self, tasks: Iterator[dict]) -> Iterator[tuple[dict, Any]]:
        """Yield ``(task, row)`` as runs finish; ``row`` is an exception if the run was lost."""
        pending: dict[cf.Future, dict] = {}

        def fill() -> None:
            while len(pending) < self.window:
                task = next(tasks, None)
                if task is None:
                    return
                pending[self.pool.submit(run_task, task)] = task

        fill()
        while pending:
            done, _ = cf.wait(list(pending), return_when=cf.FIRST_COMPLETED)
            for fut in done:
                task = pending.pop(fut)
                try:
                    yield task, fut.result()
                except cf.process.BrokenProcessPool as e:
                    raise SweepAborted(f"the worker pool broke ({e or 'a worker died'})") from None
            fill()

    def close(self) -> None:
        self.pool.shutdown(wait=True, cancel_futures=True)


class DaskExecutor:
    """A dask.distributed scheduler at an address, or a LocalCluster of processes for "local"."""

    def __init__(self, address: str, workers: int):
        try:
            import distributed
        except ImportError as e:
            raise SweepError(f"--dask needs dask.distributed: {e}") from None
        self.distributed = distributed
        self.cluster = None
        if address == "local":
            import logging

            self.cluster = distributed.LocalCluster(n_workers=workers, threads_per_worker=1, processes=True,
                                                    dashboard_address=None, silence_logs=logging.ERROR)
            self.client = distributed.Client(self.cluster)
        else:
            try:
                self.client = distributed.Client(address, timeout=f"{DASK_CONNECT_TIMEOUT_S}s")
            except Exception as e:  # OSError, TimeoutError, ValueError for a malformed address
                msg = " ".join(str(e).split()) or type(e).__name__
                raise SweepError(f"--dask {address}: cannot reach a Dask scheduler ({msg}; waited at most "
                                 f"{DASK_CONNECT_TIMEOUT_S} s); start one ('dask scheduler') or use --dask local") from None
        self.threads = max(1, sum(self.client.nthreads().values()))

    @property
    def window(self) -> int:
        return IN_FLIGHT_PER_WORKER * self.threads + 1

    def results(self, tasks: Iterator[dict]) -> Iterator[tuple[dict, Any]]:
        ac = self.distributed.as_completed()
        pending: dict[str, dict] = {}

        def fill() -> None:
            while len(pending) < self.window:
                task = next(tasks, None)
                if task is None:
                    return
                fut = self.client.submit(run_task_in_worker, task, pure=False)
                pending[fut.key] = task
                ac.add(fut)

        fill()
        for fut in ac:
            task = pending.pop(fut.key)
            try:
                row = fut.result()
            except Exception as e:  # a worker died (KilledWorker) or the scheduler went away
                row = e
            fut.release()
            yield task, row
            fill()

    def close(self) -> None:
        try:
            self.client.close()
        finally:
            if self.cluster is not None:
                self.cluster.close()


def make_executor(workers: int, dask: str | None):
    return DaskExecutor(dask, workers) if dask else LocalExecutor(workers)
