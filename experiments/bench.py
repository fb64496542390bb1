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


def build_parser() -> argparse.ArgumentParser:
    ap = argparse.ArgumentParser(prog="python -m experiments.bench", description=__doc__.split("\n\n")[0])
    ap.add_argument("--months", type=int, default=72, help=f"months to step our model (1..{MAX_MONTHS})")
    ap.add_argument("--repeats", type=int, default=3, help="repeats per configuration; the median is reported")
    ap.add_argument("--sizes", default=DEFAULT_SIZES, help="comma-separated n_user_cohorts ('default' = Params)")
    ap.add_argument("--boltzmann-agents", type=int, default=100_000, help="agents in Mesa's Boltzmann model")
    ap.add_argument("--boltzmann-steps", type=int, default=10, help="steps of Mesa's Boltzmann model")
    return ap


def main(argv: list[str] | None = None) -> int:
    ap = build_parser()
    args = ap.parse_args(argv)
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
