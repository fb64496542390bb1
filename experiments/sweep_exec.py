"""Sweep executors: one run in a worker, a local process pool, Dask.

Part of :mod:`experiments.sweep` (whose module doc describes the executors and the test
hook); every name here is also importable from there.
"""

from __future__ import annotations

import multiprocessing
import os
import signal
import threading
import time
import traceback
from collections import deque
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterator

from experiments.sweep_spec import SweepError

#: Environment variable of the failure-injection test hook (see the module doc).
FAIL_ENV = "COMPUTEBUBBLE_SWEEP_FAIL_SAMPLES"
#: Seconds to wait for a Dask scheduler before giving up.
DASK_CONNECT_TIMEOUT_S = 5
#: Runs in flight per worker (bounded so memory stays flat).
IN_FLIGHT_PER_WORKER = 2
#: Outcomes of ``run()`` left out of the rows: the chain of events and the per-year series
#: (``computebubble run`` shows them; ``first_fall`` and ``bust_cause`` stay, as text).
DROPPED_OUTCOMES = ("chain", "years", "yearly")


class SweepAborted(RuntimeError):
    """The sweep could not go on (workers keep dying); finished runs are stored."""


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


def worker_main(conn, lifeline) -> None:
    """A local worker: take tasks from ``conn`` one at a time and send back each row, until
    told to stop (None) or the parent goes away.

    ``lifeline`` is the read end of a pipe whose only write end the parent holds: when the
    parent ends in any way (a SIGKILL included) the kernel closes it, the read sees EOF
    and the worker exits at once, mid-run or idle. So no worker outlives its sweep, and
    with the workers gone the forkserver and the resource tracker (which stay only while
    a process that uses them lives) end too. Ctrl-C is left to the parent, which stops the
    sweep cleanly.
    """
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    threading.Thread(target=_exit_with_parent, args=(lifeline,), name="parent-lifeline", daemon=True).start()
    prepare_worker_process()
    while True:
        try:
            task = conn.recv()
        except (EOFError, OSError):
            return
        except Exception as e:  # a task that cannot be unpickled here: the parent makes its error row
            task, row = False, {_TASK_ERROR: _one_line_error(e)}
        if task is None:
            return
        if task is not False:
            row = run_task(task)
        try:
            try:
                conn.send(row)
            except (OSError, EOFError):
                raise
            except Exception as e:  # a row that cannot be pickled: the parent makes its error row
                conn.send({_TASK_ERROR: _one_line_error(e)})
        except (OSError, EOFError):  # the parent is gone
            return


#: Key of the message a worker sends instead of a row it could not receive or send.
_TASK_ERROR = "__task_error__"


def _exit_with_parent(lifeline) -> None:
    try:
        lifeline.recv_bytes()
    except (EOFError, OSError):
        pass
    os._exit(0)


# ===== executors =============================================================================

#: A run whose worker process dies this many times is stored as an error row (and not retried
#: again until --resume --retry-failed); the first deaths re-queue it.
MAX_WORKER_DEATHS = 3


@dataclass
class _Worker:
    proc: Any
    conn: Any
    tasks: deque = field(default_factory=deque)  # sent and not yet answered, in order


class LocalExecutor:
    """Worker processes on this machine (forkserver with the model preloaded, else spawn).

    Each worker holds at most :data:`IN_FLIGHT_PER_WORKER` tasks and answers them in order,
    so the parent knows which run each worker is on. A worker that dies (killed, out of
    memory, a crash in native code) is replaced and its runs are queued again: the one it
    was running counts a death, and after :data:`MAX_WORKER_DEATHS` that run is stored as
    an error row instead, so one poisonous run cannot stall the sweep. Workers end with the
    parent (see :func:`worker_main`).
    """

    def __init__(self, workers: int):
        self.workers = workers
        methods = multiprocessing.get_all_start_methods()
        self.ctx = multiprocessing.get_context("forkserver" if "forkserver" in methods else "spawn")
        if self.ctx.get_start_method() == "forkserver":
            self.ctx.set_forkserver_preload(["experiments.runner", "experiments.sweep_exec", "sim.model"])
        self._lifeline_r, self._lifeline_w = self.ctx.Pipe(duplex=False)
        self.deaths: dict[str, int] = {}
        self.deaths_in_a_row = 0
        self.procs: list[_Worker] = []
        for _ in range(workers):
            self._start()

    @property
    def slots(self) -> int:
        return self.workers

    @property
    def window(self) -> int:
        return IN_FLIGHT_PER_WORKER * self.workers

    def _start(self) -> _Worker:
        here, there = self.ctx.Pipe()
        proc = self.ctx.Process(target=worker_main, args=(there, self._lifeline_r), daemon=True,
                                name="computebubble-sweep-worker")
        proc.start()
        there.close()
        w = _Worker(proc, here)
        self.procs.append(w)
        return w

    def results(self, tasks: Iterator[dict]) -> Iterator[tuple[dict, Any]]:
        """Yield ``(task, row)`` as runs finish (see the class doc for dead workers)."""
        from multiprocessing.connection import wait

        backlog: deque = deque()  # tasks queued again go first

        def fill(w: _Worker) -> bool:
            """Top up a worker's tasks; False if it is gone."""
            while len(w.tasks) < IN_FLIGHT_PER_WORKER:
                task = backlog.popleft() if backlog else next(tasks, None)
                if task is None:
                    return True
                try:
                    w.conn.send(task)
                except OSError:
                    backlog.appendleft(task)
                    return False
                w.tasks.append(task)
            return True

        while True:
            finished: list[tuple[dict, Any]] = []
            for w in list(self.procs):
                if not fill(w):
                    finished += self._replace(w, backlog)
            yield from finished
            busy = [w for w in self.procs if w.tasks]
            if not busy:
                if backlog:
                    continue
                return
            ready = set(wait([w.conn for w in busy] + [w.proc.sentinel for w in busy]))
            finished = []
            for w in busy:
                if w.conn not in ready and w.proc.sentinel not in ready:
                    continue
                dead = False
                while w.tasks:
                    try:
                        if not w.conn.poll():
                            break
                        row = w.conn.recv()
                    except (EOFError, OSError):
                        dead = True
                        break
                    task = w.tasks.popleft()
                    if isinstance(row, dict) and _TASK_ERROR in row:
                        row = error_row(task, row[_TASK_ERROR])
                    finished.append((task, row))
                    self.deaths_in_a_row = 0
                if dead or not w.proc.is_alive():
                    finished += self._replace(w, backlog)
            yield from finished

    def _replace(self, w: _Worker, backlog: deque) -> list[tuple[dict, Any]]:
        """A worker died: queue its tasks again (the one it ran counts a death) and start another."""
        w.proc.join(timeout=1)
        code = w.proc.exitcode
        how = f"killed by signal {-code}" if code is not None and code < 0 else f"exit status {code}"
        w.conn.close()
        self.procs.remove(w)
        self.deaths_in_a_row += 1
        if self.deaths_in_a_row > MAX_WORKER_DEATHS * max(self.workers, 2):
            backlog.extendleft(reversed(w.tasks))
            raise SweepAborted(f"worker processes keep dying ({self.deaths_in_a_row} in a row without finishing a "
                               f"run; the last: {how})")
        out = []
        running, rest = (w.tasks[0], list(w.tasks)[1:]) if w.tasks else (None, [])
        backlog.extendleft(reversed(rest))
        if running is not None:
            n = self.deaths[running["run_id"]] = self.deaths.get(running["run_id"], 0) + 1
            if n >= MAX_WORKER_DEATHS:
                out.append((running, error_row(running, f"WorkerDied: the worker process running this run died {n} "
                                                        f"times (the last: {how}); retry with --resume --retry-failed")))
            else:
                backlog.appendleft(running)
        self._start()
        return out

    def close(self) -> None:
        """Stop the workers: idle ones finish, busy ones are ended (their runs stay to do)."""
        for w in self.procs:
            if w.tasks:
                w.proc.terminate()
            else:
                try:
                    w.conn.send(None)
                except OSError:
                    pass
        for w in self.procs:
            w.proc.join(timeout=5)
            if w.proc.is_alive():
                w.proc.kill()
                w.proc.join(timeout=5)
            w.conn.close()
        self.procs = []
        self._lifeline_w.close()
        self._lifeline_r.close()


def error_row(task: dict[str, Any], error: str) -> dict[str, Any]:
    """The row stored for a run that produced no row of its own (its worker died, or the
    task or its row could not cross the pipe)."""
    return {"run_id": task["run_id"], "sample": task["sample"], "replication": task["replication"],
            "seed": task["seed"], "scenario": task["scenario"].name, "months": task["months"], **task["params"],
            "error": error, "wall_s": None, "code_version": task["code_version"]}


class DaskExecutor:
    """A dask.distributed scheduler at an address, or a LocalCluster of processes for "local"."""

    def __init__(self, address: str, workers: int):
        if address != "local":
            _probe_scheduler(address)  # before importing distributed (a second or so)
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
    def slots(self) -> int:
        return self.threads

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


def _probe_scheduler(address: str) -> None:
    """Fail at once, not after the connect timeout, when nothing listens at a tcp address
    (the connection is refused); other schemes and other outcomes are left to Dask."""
    import socket
    from urllib.parse import urlsplit

    url = urlsplit(address if "://" in address else f"tcp://{address}")
    try:
        host, port = url.hostname, url.port
    except ValueError:  # a port that is not a number: Dask says so
        return
    if url.scheme != "tcp" or not host or port is None:
        return
    try:
        socket.create_connection((host, port), timeout=DASK_CONNECT_TIMEOUT_S).close()
    except ConnectionRefusedError:
        raise SweepError(f"--dask {address}: cannot reach a Dask scheduler (connection refused: nothing listens on "
                         f"{host} port {port}); start one ('dask scheduler') or use --dask local") from None
    except OSError:
        return


def make_executor(workers: int, dask: str | None):
    return DaskExecutor(dask, workers) if dask else LocalExecutor(workers)
