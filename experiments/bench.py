"""Throughput benchmark: ComputeBubbleModel against Mesa's own Boltzmann wealth model.

What is measured, in one process:

1. :class:`sim.model.ComputeBubbleModel` (``seed=1``) at several user-cohort counts
   (the ``Params`` default, 10,000 and 100,000), stepped ``--months`` times. Building
   the model (which draws each segment's networkx small-world graph) and stepping it
   are timed separately; each is the median of ``--repeats`` fresh builds.
2. The Boltzmann wealth example that ships inside the mesa package
   (``mesa.examples.basic.boltzmann_wealth_model``) at ``--boltzmann-agents`` agents
   on a square grid of about one agent per cell, stepped ``--boltzmann-steps`` times.

Why: the Boltzmann example is the customary yardstick for agent-based frameworks in
Python (mesa-frames reports a 10-13x speed-up over Mesa on it), so a ratio against it
says how far our vectorised cohorts (one mesa agent per segment holding numpy arrays)
are from a plain one-object-per-agent Mesa model, on the same machine and interpreter.

Throughput is agent-steps per second. For our model an "agent" is a user cohort plus
every other mesa agent (labs, hyperscalers, vendors, utilities); the ``UserCohorts``
containers themselves are not counted. For Boltzmann it is each ``MoneyAgent``. The
per-step cost per 1,000 cohorts at each size shows whether stepping scales linearly.

The last line printed is ``ratio vs mesa boltzmann: N.N``: our agent-steps/s at
100,000 cohorts (or the largest size run) over Boltzmann's. Only the models' own
seeds are used; timing uses ``time.perf_counter``.

Run: ``python -m experiments.bench [--months 72 --repeats 3 ...]``.

Sweeps (a separate benchmark, run only with ``--sweeps``; ``computebubble bench --sweeps``):
runs per second of ``experiments.sweep`` on a grid spec with 1 and 2 workers and their
ratio (goal >= 1.8 on two cores; the forkserver is warmed first so neither pays its start);
``mesa.batch_run`` on the same grid and run length in the same process with 1 and 2
processes (goal: the sweep is not slower, though it also writes every run to Parquet), once as
batch_run comes and once with one BLAS thread per process as the sweep's workers have;
and the sweep parent's memory at 100 and 1,000 runs, each in a fresh process (tracemalloc
peak while sweeping, and the process's peak RSS; goal: flat). Wall times include the
pool's start; "steady" is the rate between the first and the last stored run.
"""

from __future__ import annotations

import argparse
import gc
import math
import resource
import statistics
import sys
import time
from dataclasses import dataclass
from typing import Callable

import mesa

from agents.user import UserCohorts
from sim.clock import MAX_MONTHS
from sim.model import ComputeBubbleModel
from sim.params import Params, ParamError, coerce

SEED = 1
DEFAULT_SIZES = "default,10000,100000"


@dataclass(frozen=True)
class Timing:
    """Median build and run seconds of one configuration, and its agent count."""

    label: str
    agents: int
    steps: int
    build_s: float
    run_s: float
    repeats: int

    @property
    def agent_steps_per_s(self) -> float:
        return self.agents * self.steps / self.run_s if self.run_s > 0 else math.inf

    @property
    def ms_per_step(self) -> float:
        return 1000.0 * self.run_s / self.steps

    def line(self) -> str:
        return (f"{self.label}: {self.steps} steps, build {self.build_s:.2f} s, run {self.run_s:.2f} s "
                f"(median of {self.repeats}), {self.agent_steps_per_s:,.0f} agent-steps/s, "
                f"{self.ms_per_step:.1f} ms/step")


# ===== timing ========================================================================
def time_model(build: Callable[[], mesa.Model], steps: int, repeats: int,
               count: Callable[[mesa.Model], int], label: str) -> Timing:
    """Build a fresh model and step it ``steps`` times, ``repeats`` times; medians."""
    builds, runs, agents = [], [], 0
    for _ in range(repeats):
        gc.collect()
        t0 = time.perf_counter()
        model = build()
        t1 = time.perf_counter()
        for _ in range(steps):
            model.step()
        t2 = time.perf_counter()
        builds.append(t1 - t0)
        runs.append(t2 - t1)
        agents = count(model)
        del model
    return Timing(label, agents, steps, statistics.median(builds), statistics.median(runs), repeats)


# ===== computebubble ===================================================================
def parse_sizes(text: str) -> list[int]:
    """``"default,10000"`` -> ``[1000, 10000]``: cohort counts, ``default`` read from ``Params``."""
    out: list[int] = []
    for item in (s.strip() for s in text.split(",")):
        if not item:
            continue
        size = Params().n_user_cohorts if item == "default" else coerce("n_user_cohorts", item)
        if size not in out:
            out.append(size)
    if not out:
        raise argparse.ArgumentTypeError("--sizes needs at least one size")
    return out


def counted_agents(model: ComputeBubbleModel) -> int:
    """User cohorts plus every mesa agent other than the ``UserCohorts`` containers."""
    return len(model.agents) - len(model.agents_by_type[UserCohorts]) + model.p.n_user_cohorts


def bench_ours(size: int, months: int, repeats: int) -> Timing:
    """Our model at ``size`` cohorts; the ``Params`` default is built with no override."""
    kwargs = {} if size == Params().n_user_cohorts else {"n_user_cohorts": size}
    return time_model(lambda: ComputeBubbleModel(seed=SEED, **kwargs), months, repeats, counted_agents,
                      f"computebubble n_user_cohorts={size}")


# ===== mesa boltzmann ===================================================================
def side_of(n: int) -> int:
    """Side of a square grid holding ``n`` agents at about one per cell (100,000 -> 317)."""
    return max(1, math.ceil(math.sqrt(n)))


def bench_boltzmann(n: int, steps: int, repeats: int) -> Timing:
    """Mesa's Boltzmann wealth example at about one agent per grid cell."""
    from mesa.examples.basic.boltzmann_wealth_model.model import BoltzmannWealth

    side = side_of(n)
    return time_model(lambda: BoltzmannWealth(n=n, width=side, height=side, seed=SEED), steps, repeats,
                      lambda m: len(m.agents), f"mesa boltzmann n={n}")


# ===== report ===========================================================================
def per_1k_line(ours: dict[int, Timing]) -> str:
    parts = [f"{n} -> {t.ms_per_step / (n / 1000):.3f} ms" for n, t in ours.items()]
    return "per-step cost per 1k cohorts: " + ", ".join(parts)


def peak_rss_mb() -> float:
    """Peak resident set size of this process (ru_maxrss is KiB on Linux, bytes on macOS)."""
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return rss / 2**20 if sys.platform == "darwin" else rss / 2**10


def reference(ours: dict[int, Timing]) -> Timing:
    """The 100,000-cohort run, or the largest size run."""
    return ours.get(100_000) or ours[max(ours)]


# ===== sweeps (--sweeps) ===================================================================
#: The benchmark grid: 4 x 4 x 3 = 48 points.
SWEEP_GRID = {"price_elasticity": [0.8, 1.2, 1.6, 2.0], "hyperscaler_optimism": [1.0, 1.5, 2.0, 2.5],
              "power_build_multiplier": [0.5, 1.0, 2.0]}


def _write_spec(path, sampler: str, months: int, params: dict, samples: int | None = None,
                replications: int = 1) -> None:
    lines = ['title = "bench"', f'sampler = "{sampler}"', f"months = {months}", f"replications = {replications}",
             "seed = 1"]
    if samples is not None:
        lines.append(f"samples = {samples}")
    lines.append("[parameters]")
    lines += [f"{k} = {v!r}" for k, v in params.items()]
    path.write_text("\n".join(lines) + "\n")


def _steady_rate(out) -> float:
    """Runs per second between the first and the last stored part file."""
    from experiments.sweep import runs_dir

    times = sorted(p.stat().st_mtime for p in runs_dir(out).glob("part-*.parquet"))
    return (len(times) - 1) / (times[-1] - times[0]) if len(times) > 1 and times[-1] > times[0] else math.nan


def time_sweep(spec, out, workers: int) -> tuple[int, float, float]:
    """(runs, wall seconds including the pool's start, steady runs/s) of one sweep."""
    from experiments.sweep import run_sweep

    t0 = time.perf_counter()
    summary = run_sweep(spec, out=out, workers=workers, progress=False)
    return summary.ran, time.perf_counter() - t0, _steady_rate(out)


#: Environment variables that cap BLAS threads in processes started after they are set.
BLAS_ENV = ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS")


def time_batch_run(months: int, replications: int, processes: int, one_blas_thread: bool) -> tuple[int, float]:
    """(runs, seconds) of mesa.batch_run on SWEEP_GRID; it steps while model.steps <= max_steps,
    so max_steps = months - 1 gives the same months. ``one_blas_thread`` gives it what the sweep's
    workers get (one BLAS thread per process): threadpoolctl here, the environment for its
    spawned pool."""
    import contextlib
    import os

    from threadpoolctl import threadpool_limits

    saved = {k: os.environ.get(k) for k in BLAS_ENV}
    limit = threadpool_limits(limits=1) if one_blas_thread else contextlib.nullcontext()
    try:
        if one_blas_thread:
            os.environ.update({k: "1" for k in BLAS_ENV})
        with limit:
            t0 = time.perf_counter()
            rows = mesa.batch_run(ComputeBubbleModel, parameters=SWEEP_GRID, iterations=replications,
                                  max_steps=months - 1, number_processes=processes, data_collection_period=-1,
                                  display_progress=False)
            secs = time.perf_counter() - t0
    finally:
        for k, v in saved.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v
    return len({r["RunId"] for r in rows}), secs


def memory_probe(spec: str, out: str, workers: int) -> None:
    """In a fresh process: run a sweep and print the parent's memory as JSON (tracemalloc, max RSS)."""
    import json
    import tracemalloc

    from experiments.sweep import run_sweep

    import pyarrow.parquet  # noqa: F401  (imports outside the traced window)
    import scipy.stats.qmc  # noqa: F401
    import tqdm  # noqa: F401

    import experiments.runner  # noqa: F401
    rss0 = _proc_status_mib("VmRSS")
    _reset_peak_rss()
    tracemalloc.start()
    summary = run_sweep(spec, out=out, workers=workers, progress=False)
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    hwm = _proc_status_mib("VmHWM")
    print(json.dumps({"runs": summary.ran, "seconds": summary.seconds, "tracemalloc_peak_mib": peak / 2**20,
                      "max_rss_mib": hwm if hwm is not None else peak_rss_mb(), "rss_before_mib": rss0}))


def _proc_status_mib(key: str) -> float | None:
    """A memory line of /proc/self/status in MiB (Linux), else None."""
    try:
        with open("/proc/self/status") as f:
            for line in f:
                if line.startswith(key + ":"):
                    return int(line.split()[1]) / 1024
    except OSError:
        pass
    return None


def _reset_peak_rss() -> None:
    """Reset the process's peak RSS (VmHWM) on Linux, so it measures the sweep alone. getrusage's
    ru_maxrss cannot be reset, and survives fork and exec from a larger parent."""
    try:
        with open("/proc/self/clear_refs", "w") as f:
            f.write("5")
    except OSError:
        pass


def sweep_bench(months: int, runs: int, memory_runs: list[int], repeats: int = 2) -> int:
    import json
    import os
    import subprocess
    import tempfile
    from pathlib import Path

    from experiments.sweep import run_sweep

    points = math.prod(len(v) for v in SWEEP_GRID.values())
    reps = max(1, round(runs / points))
    print(f"mesa {mesa.__version__}, python {sys.version.split()[0]}, {os.cpu_count()} CPUs", flush=True)
    print(f"grid of {points} points x {reps} replications = {points * reps} runs of {months} months", flush=True)
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        spec = tmp / "grid.toml"
        _write_spec(spec, "grid", months, SWEEP_GRID, replications=reps)
        warm = tmp / "warm.toml"
        _write_spec(warm, "lhs", 3, {"price_elasticity": [0.8, 2.0]}, samples=2)
        run_sweep(warm, out=tmp / "warm", workers=2, progress=False)  # start the forkserver once
        # best of `repeats`, interleaved so a burst of other load hits every configuration alike
        rate: dict[int, float] = {}
        steady: dict[int, float] = {}
        batch: dict[tuple[int, bool], float] = {}
        for r in range(repeats):
            for w in (1, 2):
                n, secs, st = time_sweep(spec, tmp / f"w{w}-{r}", w)
                rate[w] = max(rate.get(w, 0.0), n / secs)
                steady[w] = max(steady.get(w, 0.0), st)
                for one in (False, True):
                    n, secs = time_batch_run(months, reps, w, one)
                    batch[w, one] = max(batch.get((w, one), 0.0), n / secs)
        best = f"best of {repeats}"
        for w in (1, 2):
            print(f"sweep --workers {w}: {rate[w]:.2f} runs/s, wall including the pool's start "
                  f"(steady {steady[w]:.2f} runs/s; {best})", flush=True)
        print(f"ratio 2 workers / 1 worker: {rate[2] / rate[1]:.2f} (goal >= 1.8)", flush=True)
        for w in (1, 2):
            for one in (False, True):
                blas = "one BLAS thread per process" if one else "default BLAS threads"
                print(f"mesa.batch_run number_processes={w} ({blas}): {batch[w, one]:.2f} runs/s ({best}); "
                      f"sweep / batch_run: {rate[w] / batch[w, one]:.2f} (goal >= 1)", flush=True)
        mem = {}
        for n in memory_runs:
            mspec = tmp / f"mem{n}.toml"
            _write_spec(mspec, "lhs", months, {"price_elasticity": [0.6, 2.0], "hyperscaler_optimism": [0.8, 2.5]},
                        samples=n)
            code = ("from experiments.bench import memory_probe; "
                    f"memory_probe({str(mspec)!r}, {str(tmp / f'mem{n}')!r}, 2)")
            proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
            mem[n] = json.loads(proc.stdout.strip().splitlines()[-1])
            m = mem[n]
            before = "n/a" if m["rss_before_mib"] is None else f"{m['rss_before_mib']:.0f} MiB"
            print(f"sweep parent at {m['runs']} runs ({m['seconds']:.0f} s): tracemalloc peak "
                  f"{m['tracemalloc_peak_mib']:.1f} MiB, peak RSS during the sweep {m['max_rss_mib']:.0f} MiB "
                  f"(RSS before: {before})", flush=True)
        if len(mem) >= 2:
            lo, hi = mem[min(mem)], mem[max(mem)]
            print(f"memory {max(mem)} vs {min(mem)} runs: tracemalloc peak x"
                  f"{hi['tracemalloc_peak_mib'] / lo['tracemalloc_peak_mib']:.2f}, max RSS x"
                  f"{hi['max_rss_mib'] / lo['max_rss_mib']:.2f} (goal: flat)")
    return 0


def build_parser() -> argparse.ArgumentParser:
    ap = argparse.ArgumentParser(prog="python -m experiments.bench", description=__doc__.split("\n\n")[0])
    ap.add_argument("--months", type=int, default=72, help=f"months to step our model (1..{MAX_MONTHS})")
    ap.add_argument("--repeats", type=int, default=3, help="repeats per configuration; the median is reported")
    ap.add_argument("--sizes", default=DEFAULT_SIZES, help="comma-separated n_user_cohorts ('default' = Params)")
    ap.add_argument("--boltzmann-agents", type=int, default=100_000, help="agents in Mesa's Boltzmann model")
    ap.add_argument("--boltzmann-steps", type=int, default=10, help="steps of Mesa's Boltzmann model")
    ap.add_argument("--sweeps", action="store_true",
                    help="instead: benchmark parameter sweeps (workers, mesa.batch_run, parent memory)")
    ap.add_argument("--sweep-months", type=int, default=24, help="with --sweeps: months of each run")
    ap.add_argument("--sweep-runs", type=int, default=192, help="with --sweeps: runs of the timed grid")
    ap.add_argument("--sweep-repeats", type=int, default=2,
                    help="with --sweeps: timing repeats, interleaved; the best is reported")
    ap.add_argument("--sweep-memory-runs", default="100,1000",
                    help="with --sweeps: comma-separated run counts for the memory probes")
    return ap


def main(argv: list[str] | None = None) -> int:
    ap = build_parser()
    args = ap.parse_args(argv)
    if args.sweeps:
        if not 1 <= args.sweep_months <= MAX_MONTHS or args.sweep_runs < 1 or args.sweep_repeats < 1:
            ap.error(f"--sweep-months must be in 1..{MAX_MONTHS}, --sweep-runs and --sweep-repeats at least 1")
        try:
            memory_runs = [int(x) for x in args.sweep_memory_runs.split(",") if x.strip()]
        except ValueError:
            ap.error("--sweep-memory-runs: comma-separated integers")
        return sweep_bench(args.sweep_months, args.sweep_runs, memory_runs, args.sweep_repeats)
    if not 1 <= args.months <= MAX_MONTHS:
        ap.error(f"--months must be in 1..{MAX_MONTHS}")
    if args.repeats < 1 or args.boltzmann_agents < 1 or args.boltzmann_steps < 1:
        ap.error("--repeats, --boltzmann-agents and --boltzmann-steps must be at least 1")
    try:
        sizes = parse_sizes(args.sizes)
    except (ParamError, argparse.ArgumentTypeError) as e:
        ap.error(f"--sizes: {e}")
    print(f"mesa {mesa.__version__}, python {sys.version.split()[0]}", flush=True)
    ours: dict[int, Timing] = {}
    for size in sizes:
        ours[size] = bench_ours(size, args.months, args.repeats)
        print(ours[size].line(), flush=True)
    boltz = bench_boltzmann(args.boltzmann_agents, args.boltzmann_steps, args.repeats)
    print(f"{boltz.line()}, {side_of(args.boltzmann_agents)}x{side_of(args.boltzmann_agents)} grid")
    print(per_1k_line(ours))
    print(f"peak RSS: {peak_rss_mb():,.0f} MiB")
    print(f"ratio vs mesa boltzmann: {reference(ours).agent_steps_per_s / boltz.agent_steps_per_s:.1f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
