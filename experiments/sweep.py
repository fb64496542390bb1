"""Parameter sweeps: a TOML spec, a sample design, runs on a process pool or Dask, Parquet parts.

The code is in four modules, and every public name is importable from this one:
``experiments.sweep_spec`` (the spec and its design), ``experiments.sweep_exec`` (one run in
a worker, the executors), ``experiments.sweep_store`` (the part files and the folder) and
this one (the sweep itself and its command line).

A sweep spec (examples in ``experiments/sweeps/``)::

    title = "what this sweep asks"          # optional
    scenario = "baseline"                     # name, or a .toml path (relative to the spec's folder)
    months = 72                               # 1..180 (default 72)
    sampler = "lhs"                           # grid | lhs | sobol | morris
    samples = 200                             # see below; not used by grid
    replications = 2                          # runs per sample, each with its own seed (default 1)
    seed = 1                                  # root seed (default 1)
    # common_seeds = true                     # replication r uses one seed for every sample (see below)
    # second_order = false                    # sobol only: also the second-order indices
    # num_levels = 4                          # morris only: levels of the grid (an even number >= 2)

    [parameters]                              # fields of sim.params.Params
    price_elasticity = [0.6, 2.0]             # a range [low, high] inside the field's min..max
    shell_lead_months = [6, 36]               # integer fields are sampled as integers, low..high inclusive
    chip_generation_months = { values = [12, 21, 30] }   # a list of levels (categorical)

What ``samples`` means, and how many runs a spec makes (times ``replications``):

- ``lhs``: points of a Latin hypercube (:class:`scipy.stats.qmc.LatinHypercube`, seeded);
  runs = samples.
- ``sobol``: Saltelli's base sample N (:func:`SALib.sample.sobol.sample`, scrambled and
  seeded), a power of two; runs = N x (D + 2), or N x (2D + 2) with ``second_order``.
- ``morris``: trajectories (:func:`SALib.sample.morris.sample`); runs = N x (D + 1).
- ``grid``: every combination of the listed values (``itertools.product``); each
  parameter is a list of values (``[a, b]`` is two values here, not a range) and
  ``samples``, if given, must equal the number of combinations.

The number of runs is computed from the spec by this arithmetic before any design array
is built, and a design of more than 100,000 runs is refused unless ``--max-runs N``
raises the limit (to at most 10,000,000: the design and its runs table live in memory).
Before the first run the sweep prints its number of runs and an estimated time (two short
runs of the scenario, timed in the parent, scaled to the months, runs and workers).

Samplers work in the unit cube; a unit coordinate ``u`` maps to ``low + u (high - low)``
for a number, to ``low + floor(u (high - low + 1))`` for an integer, and to level
``floor(u k)`` of ``k`` listed values. The unit coordinates are kept (``x_<name>`` in
``design.parquet``) for the Morris analysis.

Seeds: run (sample s, replication r) gets
``SeedSequence(seed, spawn_key=(s, r)).generate_state(1, uint64) >> 1``, a 63-bit integer:
the same spec always gives every run the same seed, whatever machine or executor runs it.
With ``common_seeds = true`` the key is ``(r,)`` alone: every sample of replication r shares
one seed (common random numbers). Use it for Sobol and Morris designs: their indices are
built from differences between nearby samples, and with a fresh seed per sample the
model's own noise enters every difference and inflates every index (on a 512-run Sobol
sweep of the bust flag here, every total index came out between 0.36 and 0.79, with
intervals as wide).

Run ids: ``run_id`` is the first 16 hex digits of sha256 over the design key (a hash of
the scenario's parameters and events, months, sampler, samples, seed, the parameter table
and the design matrix itself; not ``replications``) with the sample index and
replication. Raising ``replications`` and resuming therefore only runs the new replications.

The results folder ``DIR``::

    DIR/spec.toml         the spec, copied at start
    DIR/design.parquet    one row per run: run_id, sample, replication, seed, x_<name>, <name>
    DIR/sweep.json        the design key and what analysis needs (parameters, sampler, ...)
    DIR/.lock             held (fcntl.flock) by the one sweep writing the folder
    DIR/runs/part-<run_id>.parquet   one file per finished run, written to a hidden temporary
                                     name and renamed (os.replace) so a kill never leaves half a file

Each row: ``run_id``, ``sample``, ``replication``, ``seed``, ``scenario``, ``months``, the
swept parameters, the verdict's scalar outcomes (:func:`experiments.runner.run` minus its
``years`` and ``yearly`` series; the ``defaults`` list joined with "; "), ``error`` (None, or
the one-line error of a run that raised), ``wall_s`` and ``code_version``. A run that raises
is stored with its error and the sweep goes on. ``--resume`` skips every run_id already
stored; a run lost in flight (a kill) is simply run again; ``--resume --retry-failed`` also
runs again the stored runs that recorded an error (each new result replaces its part file).
While a sweep writes a folder it holds an exclusive lock on ``DIR/.lock``; a second sweep on
the same folder (``--resume`` or not) is refused with the first one's process id. The
kernel drops the lock when the process ends, however it ends.

Executors: local worker processes (:class:`experiments.sweep_exec.LocalExecutor`:
``forkserver`` start method with the model preloaded, so workers start fast and never
inherit the parent's threads; workers ignore Ctrl-C, the parent handles it), or a
``dask.distributed`` scheduler (``--dask ADDRESS``, or ``--dask local`` for a
:class:`distributed.LocalCluster` of processes). Either way at most a few runs per worker
are in flight, so the parent's memory stays flat however long the sweep. A local worker
that dies is replaced and its runs are queued again (a run whose worker dies three times
is stored as an error row); local workers exit as soon as the parent does, even after a
SIGKILL, and the forkserver and resource tracker follow them.

Test hook (documented, honest): the environment variable
``COMPUTEBUBBLE_SWEEP_FAIL_SAMPLES``, a comma-separated list of sample indices, read by the
parent when the sweep starts, makes every run of those samples raise
``RuntimeError("injected failure ...")`` inside the worker instead of running the model.
It exists so the tests can check that a failing run is recorded and the rest finish.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Iterator

import numpy as np

# The spec and design, the storage and the executors live in their own modules; their names
# are importable from here as before.
from experiments.sweep_exec import (DASK_CONNECT_TIMEOUT_S, DROPPED_OUTCOMES, FAIL_ENV, IN_FLIGHT_PER_WORKER,
                                    DaskExecutor, LocalExecutor, SweepAborted, flatten_outcomes, make_executor,
                                    prepare_worker_process, run_task, run_task_in_worker)
from experiments.scenario import clip, name_max, os_problem
from experiments.sweep_spec import (DEFAULT_MAX_RUNS, HARD_MAX_RUNS, SAMPLERS, ParamSpec, Spec, SweepError,
                                    build_design, check_design, check_design_size, design_info, design_key, load_spec,
                                    run_id, run_seed, runs_table, unit_design)
from experiments.sweep_store import (PART_PREFIX, RUNS_SUBDIR, FolderLock, _atomic_write_bytes,
                                     _atomic_write_parquet, _clean_temporaries, failed_run_ids, folder_entries,
                                     load_design, load_meta, load_results, part_path, runs_dir, stored_run_ids,
                                     write_part)

#: Columns every row has, in front.
ID_COLUMNS = ("run_id", "sample", "replication", "seed", "scenario", "months")


# ===== versions ==============================================================================

def code_version() -> str:
    """Package version plus ``git describe`` of the source tree if available, e.g. "0.1.0 (a1b2c3d-dirty)"."""
    try:
        from importlib.metadata import version

        pkg = version("computebubble")
    except Exception:
        pkg = "unknown"
    root = Path(__file__).resolve().parents[1]
    described = "unknown"
    if (root / ".git").exists():
        try:
            proc = subprocess.run(["git", "-C", str(root), "describe", "--always", "--tags", "--dirty"],
                                  capture_output=True, text=True, timeout=5,
                                  env={**os.environ, "GIT_OPTIONAL_LOCKS": "0"})
            if proc.returncode == 0 and proc.stdout.strip():
                described = proc.stdout.strip()
        except (OSError, subprocess.SubprocessError):
            pass
    return f"{pkg} ({described})"

# ===== the sweep =============================================================================

@dataclass
class Summary:
    """What a sweep did."""

    out: Path
    total: int
    stored_before: int
    ran: int = 0
    errors: int = 0
    lost: int = 0
    retried: int = 0
    seconds: float = 0.0
    interrupted: bool = False

    @property
    def stored(self) -> int:
        return self.stored_before + self.ran


def parse_workers(value: Any) -> int:
    """``--workers``: a positive integer; default the CPU count."""
    if value is None:
        return os.cpu_count() or 1
    try:
        n = int(str(value).strip())
    except ValueError:
        n = 0
    if n < 1:
        raise SweepError(f"--workers {clip(value)!r}: allowed: a positive integer (default: the CPU count, "
                         f"{os.cpu_count()})")
    return n


def parse_max_runs(value: Any) -> int:
    """``--max-runs``: the most runs a sweep may make (default :data:`DEFAULT_MAX_RUNS`)."""
    if value is None:
        return DEFAULT_MAX_RUNS
    try:
        n = int(str(value).strip().replace("_", ""))
    except ValueError:
        n = 0
    if not 1 <= n <= HARD_MAX_RUNS:
        raise SweepError(f"--max-runs {clip(value)!r}: allowed: an integer in [1, {HARD_MAX_RUNS:,}] (default "
                         f"{DEFAULT_MAX_RUNS:,})")
    return n


def fail_samples() -> set[int]:
    """Sample indices named by the test hook ``COMPUTEBUBBLE_SWEEP_FAIL_SAMPLES``."""
    text = os.environ.get(FAIL_ENV, "").strip()
    if not text:
        return set()
    try:
        return {int(s) for s in text.split(",") if s.strip()}
    except ValueError:
        raise SweepError(f"{FAIL_ENV}={clip(text)!r}: allowed: comma-separated sample indices") from None


def default_out(spec_path: str | os.PathLike) -> Path:
    return Path("out") / "sweeps" / Path(spec_path).stem


def prepare(spec_path: str | os.PathLike, out: str | os.PathLike | None, resume: bool,
            max_runs: int = DEFAULT_MAX_RUNS):
    """Check the spec and the folder; return ``(spec, out, runs, meta)``. Writes nothing.

    The number of runs is checked against ``max_runs`` from the spec alone, before any
    design array is built."""
    spec = load_spec(spec_path)
    out = Path(out).expanduser() if out is not None else default_out(spec_path)
    check_out_folder(out)
    check_design_size(spec, max_runs)
    design = build_design(spec)
    check_design(spec, design)
    info = design_info(spec, design)
    key = design_key(info)
    meta = {"design_key": key, "design": info, "title": spec.title, "replications": spec.replications,
            "names": spec.names, "spec_file": str(spec.path)}
    check_folder(out, resume, info, key)
    runs = runs_table(spec, design, key)
    return spec, out, runs, meta


def check_out_folder(out: Path) -> None:
    """``--out``: a folder (or nothing yet) whose name the file system can hold."""
    try:
        exists, is_dir = out.exists(), out.is_dir()
    except OSError as e:
        raise SweepError(f"--out {clip(out)!r}: {os_problem(e, out)}; allowed: a folder path") from None
    if exists and not is_dir:
        raise SweepError(f"--out {clip(out)}: exists and is not a folder; allowed: a folder (new, or a sweep's to "
                         "--resume)")
    too_long = [part for part in out.parts if len(part.encode()) > name_max()]
    if too_long:
        raise SweepError(f"--out {clip(out)!r}: a name of {len(too_long[0])} characters; allowed: names of at most "
                         f"{name_max()} characters")


def check_folder(out: Path, resume: bool, info: dict[str, Any], key: str) -> None:
    """Refuse a folder that holds something else: a busy folder without --resume, another
    design with it, a damaged sweep.json."""
    busy = bool(folder_entries(out))
    if busy and not resume:
        n = len(stored_run_ids(out))
        raise SweepError(f"--out {out}: the folder is not empty ({n} runs stored); add --resume to continue that "
                         "sweep, or choose another --out")
    if busy and resume:
        if (out / "sweep.json").is_file():
            try:
                old = load_meta(out)
            except SweepError as e:
                raise SweepError(f"--resume: {e} ({len(stored_run_ids(out))} runs are stored there and kept)") \
                    from None
            if old.get("design_key") != key:
                diff = [k for k in sorted(set(info) | set(old.get("design", {})))
                        if info.get(k) != old.get("design", {}).get(k)]
                raise SweepError(f"--resume: {out} holds a sweep of another design (differs in: "
                                 f"{', '.join(diff) or 'design'}); resume with the spec in {out / 'spec.toml'} "
                                 "or choose another --out")
        elif stored_run_ids(out):
            raise SweepError(f"--resume: {out} holds runs but no sweep.json; it is not a sweep folder this "
                             "version wrote")


def write_start_files(spec: Spec, out: Path, runs, meta: dict[str, Any]) -> None:
    """spec.toml (copy), design.parquet, sweep.json (last), and the runs/ folder."""
    import pyarrow as pa

    runs_dir(out).mkdir(parents=True, exist_ok=True)
    _clean_temporaries(out)
    _atomic_write_bytes(out / "spec.toml", spec.text.encode("utf-8"))
    _atomic_write_parquet(pa.Table.from_pandas(runs, preserve_index=False), out / "design.parquet")
    _atomic_write_bytes(out / "sweep.json", json.dumps(meta, indent=2, sort_keys=True).encode("utf-8"))


def estimate_seconds(spec: Spec, runs: int, slots: int) -> float:
    """Wall time of ``runs`` runs on ``slots`` workers, from short runs of the spec's scenario
    timed here (1- and 4-month runs, the faster of two each, give the cost of a run and of a
    month; about 0.1 s in all)."""
    from experiments.runner import run

    def timed(months: int) -> float:
        t0 = time.perf_counter()
        run(None, months=months, seed=spec.seed, scenario=spec.scenario)
        return time.perf_counter() - t0

    timed(1)  # warm caches
    one, four = min(timed(1), timed(1)), min(timed(4), timed(4))
    per_month = max((four - one) / 3, 0.0)
    per_run = max(one - per_month, 0.0) + per_month * spec.months
    return runs * per_run / max(slots, 1)


def format_duration(seconds: float) -> str:
    """A rough duration: "under a second", "about 40 s", "about 12 min", "about 3.5 h", "about 9 days"."""
    if seconds < 1:
        return "under a second"
    if seconds < 60:
        return f"about {seconds:.0f} s"
    if seconds < 3600:
        return f"about {seconds / 60:.0f} min"
    if seconds < 86400 * 2:
        return f"about {seconds / 3600:.1f} h"
    return f"about {seconds / 86400:.0f} days"


def run_sweep(spec_path: str | os.PathLike, out: str | os.PathLike | None = None, workers: Any = None,
              dask: str | None = None, resume: bool = False, progress: bool = True, max_runs: Any = None,
              retry_failed: bool = False) -> Summary:
    """Run a sweep spec (see the module doc); returns a :class:`Summary`.

    All checks (spec, design size, folder, workers, Dask address) happen before any run
    starts and raise :class:`SweepError`; then, with ``progress``, one line says how many
    runs there are and about how long they will take. The folder is locked for the
    sweep's life: a second sweep on it is refused while this one lives. Ctrl-C (or
    SIGTERM) stops the sweep: runs already stored stay stored and ``summary.interrupted``
    is set. ``retry_failed`` (with ``resume``) runs again the stored runs that recorded an
    error.
    """
    n_workers = parse_workers(workers)
    limit = parse_max_runs(max_runs)
    if dask is not None and not str(dask).strip():
        raise SweepError("--dask: allowed: a scheduler address (tcp://host:8786) or 'local'")
    if retry_failed and not resume:
        raise SweepError("--retry-failed: allowed only with --resume (it re-runs the failed runs stored in --out)")
    failing = fail_samples()
    spec, out, runs, meta = prepare(spec_path, out, resume, limit)
    lock = FolderLock(out).acquire()
    started = False
    executor = None
    try:
        check_folder(out, resume, meta["design"], meta["design_key"])  # again, now that the folder is ours
        done = stored_run_ids(out) if resume else set()
        retry = failed_run_ids(out) & done if retry_failed else set()
        todo = runs[~runs["run_id"].isin(done - retry)]
        summary = Summary(out=out, total=len(runs), stored_before=len(runs) - len(todo), retried=len(retry))
        if len(todo):
            n_workers = min(n_workers, len(todo)) if not dask else n_workers
            executor = make_executor(n_workers, dask)  # a bad Dask address fails here
        write_start_files(spec, out, runs, meta)
        started = True
        if progress:
            _announce(spec, summary, len(todo), executor)
        if executor is not None:
            _drive(executor, spec, out, todo, failing, summary, progress)
    finally:
        try:
            if executor is not None:
                executor.close()
        finally:
            lock.release(keep=started)
    return summary


def _announce(spec: Spec, summary: Summary, todo: int, executor) -> None:
    """The line printed before a sweep starts: its runs and an estimated time."""
    line = f"sweep {spec.title}: {summary.total:,} runs of {spec.months} months"
    if summary.stored_before:
        line += f", {summary.stored_before:,} stored before"
    if summary.retried:
        line += f" ({summary.retried:,} failed runs to retry)"
    if todo and executor is not None:
        line += f"; {todo:,} to run on {executor.slots} worker{'s' * (executor.slots != 1)}"
        try:
            line += f", {format_duration(estimate_seconds(spec, todo, executor.slots))} (estimated)"
        except Exception as e:  # the estimate is a courtesy; the runs will report their own errors
            line += f" (no time estimate: {type(e).__name__})"
    else:
        line += "; nothing to run"
    print(line, flush=True)


def _tasks(spec: Spec, todo, failing: set[int], version: str) -> Iterator[dict[str, Any]]:
    names = spec.names
    for rec in todo[["run_id", "sample", "replication", "seed", *names]].itertuples(index=False, name=None):
        rid, sample, rep, seed, *values = rec
        params = {n: (int(v) if isinstance(v, (int, np.integer)) else float(v)) for n, v in zip(names, values)}
        yield {"run_id": rid, "sample": int(sample), "replication": int(rep), "seed": int(seed), "params": params,
               "months": spec.months, "scenario": spec.scenario, "code_version": version,
               "fail": int(sample) in failing}


def _drive(executor, spec: Spec, out: Path, todo, failing: set[int], summary: Summary, progress: bool) -> None:
    from tqdm import tqdm

    tqdm.monitor_interval = 0  # no monitor thread
    bar = tqdm(total=summary.total, initial=summary.stored_before, desc="sweep", unit="run", file=sys.stderr,
               disable=not progress, dynamic_ncols=True, mininterval=0.5, smoothing=0.05)
    old_term = None
    if threading_is_main():
        old_term = signal.signal(signal.SIGTERM, _raise_interrupt)
    t0 = time.perf_counter()
    try:
        for task, row in executor.results(_tasks(spec, todo, failing, code_version())):
            if isinstance(row, BaseException):
                summary.lost += 1
                continue
            write_part(out, row)
            summary.ran += 1
            summary.errors += row.get("error") is not None
            bar.update(1)
            if summary.errors:
                bar.set_postfix(errors=summary.errors, refresh=False)
    except KeyboardInterrupt:
        summary.interrupted = True
    finally:
        summary.seconds = time.perf_counter() - t0
        bar.close()
        if old_term is not None:
            signal.signal(signal.SIGTERM, old_term)


def threading_is_main() -> bool:
    import threading

    return threading.current_thread() is threading.main_thread()


def _raise_interrupt(signum, frame):
    raise KeyboardInterrupt


__all__ = ["SAMPLERS", "FAIL_ENV", "SweepError", "SweepAborted", "ParamSpec", "Spec", "load_spec", "build_design",
           "unit_design", "run_id", "run_seed", "run_task", "flatten_outcomes", "write_part", "stored_run_ids",
           "load_results", "load_meta", "load_design", "code_version", "run_sweep", "Summary",
           # also importable from here, as before the split into modules
           "DASK_CONNECT_TIMEOUT_S", "DROPPED_OUTCOMES", "IN_FLIGHT_PER_WORKER", "ID_COLUMNS", "PART_PREFIX",
           "RUNS_SUBDIR", "DaskExecutor", "LocalExecutor", "check_design", "default_out", "design_info",
           "design_key", "fail_samples", "make_executor", "parse_workers", "part_path", "prepare",
           "prepare_worker_process", "run_task_in_worker", "runs_dir", "runs_table", "write_start_files"]
