"""The spread, not one path: the two curves' 10th to 90th percentile over many seeds.

A Live run, or one side of Compare, is one seed's path; the band shows where the paths
of other seeds run. For a scenario, its parameter overrides and a horizon, the model is
run on each of :data:`SEEDS` through the shared run path
(:func:`experiments.runner.stepped_model`: the model the Live page steps, built by
:func:`experiments.runner.build_model`), each month's two curves are read with
:func:`viz.charts.two_curves_values` (the chart's own quantities, $B per year,
annualised), and the percentiles are taken across the seeds month by month.

Mesa's SolaraViz has no ensemble view (its users have asked for one). Twenty runs take
5-10 s, so they run on one background worker thread (:func:`request` returns a
:class:`concurrent.futures.Future`) and the page keeps stepping meanwhile; one worker,
so a band never takes more than the one core Python's lock gives a thread. Bands are
cached in this process by what determines them: the scenario's content, the overrides
and the horizon (not the seed: the band is over seeds), so going back to a scenario
draws its band at once. The runs' randomness is the model's own seeded generator; this
module only chooses the seeds.
"""

from __future__ import annotations

import json
import threading
import time
from collections import OrderedDict
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass

import numpy as np

from experiments.runner import stepped_model
from viz.charts import SPREAD_SERIES, TWO_CURVES, two_curves_values

#: Runs in a band. The issue asks for at least 20; with 20, numpy's linear percentile puts
#: the 10th and 90th between the 2nd/3rd and 18th/19th runs, so each edge has two runs
#: beyond it (one stray seed does not set it); 20 runs of 72 months take about 5 s.
N_SEEDS = 20
#: The seeds, 1 to 20: fixed, so a band is the same on every machine and every visit. The
#: app's default seed is 1, so the default Live run is one of the twenty; a Live run on
#: another seed (say 37) is not, and the caption says which.
SEEDS = tuple(range(1, N_SEEDS + 1))
#: The band's low edge, middle and high edge (percent of the seeds' runs below them).
PERCENTILES = (10, 50, 90)
#: Bands kept in memory (least recently used dropped first). A 180-month band with its
#: runs' paths is about 60 kB; 32 hold the eleven shipped scenarios at two or three
#: horizons each while bounding what a server shared by many sessions keeps.
CACHE_SIZE = 32
#: The band's legend entry (after the series' name) and the caption while computing.
LEGEND = f"{PERCENTILES[0]}th-{PERCENTILES[-1]}th percentile, {N_SEEDS} seeds"
COMPUTING = f"spread over {N_SEEDS} seeds: computing…"


@dataclass(frozen=True, eq=False)
class Band:
    """The spread of :data:`SPREAD_SERIES` over :data:`SEEDS`, in $B per year.

    ``paths``: (seed, series, month) each run's values; ``low``, ``median``, ``high``:
    (series, month) the :data:`PERCENTILES` across the seeds; ``seconds``: how long the
    runs took."""

    series: tuple[str, ...]
    seeds: tuple[int, ...]
    months: int
    paths: np.ndarray
    low: np.ndarray
    median: np.ndarray
    high: np.ndarray
    seconds: float

    @property
    def x(self) -> np.ndarray:
        """The months 0..months-1, the charts' x."""
        return np.arange(self.months, dtype=float)

    def labels(self, prefix: str = "") -> list[str]:
        """Legend entries, one per series: "AI capex: 10th-90th percentile, 20 seeds"."""
        return [f"{prefix}{name}: {LEGEND}" for name in self.series]


def key(scenario, overrides: dict | None, months: int) -> tuple[str, str, int]:
    """What a band depends on: the scenario's content (its parameters and events, so two
    names for one content share a band and an edited upload does not reuse the old one),
    the overrides and the horizon."""
    content = json.dumps(scenario.model_kwargs(), sort_keys=True, default=repr)
    return content, json.dumps(dict(overrides or {}), sort_keys=True, default=repr), int(months)


def compute(scenario, overrides: dict | None, months: int) -> Band:
    """Run the model on every seed of :data:`SEEDS` and take the percentiles (blocking;
    the app calls :func:`request`)."""
    started = time.perf_counter()
    rows = [list(TWO_CURVES).index(name) for name in SPREAD_SERIES]
    paths = np.empty((len(SEEDS), len(rows), months))
    for i, seed in enumerate(SEEDS):
        model = stepped_model(dict(overrides or {}), months, seed, scenario)
        paths[i] = np.array([two_curves_values(f) for f in model.figures]).T[rows]
        time.sleep(0)    # hand the interpreter's lock to the page's threads between runs
    low, median, high = np.percentile(paths, PERCENTILES, axis=0)
    return Band(SPREAD_SERIES, SEEDS, months, paths, low, median, high, time.perf_counter() - started)


# ----- the worker and the cache ------------------------------------------------------------
_lock = threading.Lock()
_cache: OrderedDict[tuple, Band] = OrderedDict()
#: Bands queued or being computed: key -> [future, how many requesters still want it].
_pending: dict[tuple, list] = {}
_executor: ThreadPoolExecutor | None = None


def _worker() -> ThreadPoolExecutor:
    global _executor
    if _executor is None:
        _executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="band")
    return _executor


def _job(k: tuple, scenario, overrides: dict | None, months: int) -> Band:
    try:
        b = compute(scenario, overrides, months)
    except BaseException:
        with _lock:
            _pending.pop(k, None)
        raise
    with _lock:
        _cache[k] = b
        while len(_cache) > CACHE_SIZE:
            _cache.popitem(last=False)
        _pending.pop(k, None)
    return b


def cached(scenario, overrides: dict | None, months: int) -> Band | None:
    """The band if it has been computed (and is still cached), else None."""
    k = key(scenario, overrides, months)
    with _lock:
        b = _cache.get(k)
        if b is not None:
            _cache.move_to_end(k)
        return b


def request(scenario, overrides: dict | None, months: int) -> Future:
    """A future of the band: done at once if cached; the same future for every request of
    a band already queued; otherwise queued on the worker. Pair each request with a
    :func:`release` when its answer is no longer wanted."""
    k = key(scenario, overrides, months)
    with _lock:
        b = _cache.get(k)
        if b is not None:
            _cache.move_to_end(k)
            done: Future = Future()
            done.set_result(b)
            return done
        if k in _pending:
            _pending[k][1] += 1
            return _pending[k][0]
        fut = _worker().submit(_job, k, scenario, dict(overrides or {}), months)
        _pending[k] = [fut, 1]
        return fut


def release(fut: Future) -> None:
    """A requester no longer wants ``fut`` (its run was rebuilt, its page closed): a band
    nobody wants is dropped if it has not started, so switching scenarios quickly does
    not queue a band for each one passed. One already running finishes into the cache."""
    with _lock:
        for k, entry in list(_pending.items()):
            if entry[0] is fut:
                entry[1] -= 1
                if entry[1] <= 0 and fut.cancel():
                    del _pending[k]
                return


def get(scenario, overrides: dict | None, months: int) -> Band:
    """The band, waiting for it (through the worker and the cache)."""
    return request(scenario, overrides, months).result()


def seeds_text() -> str:
    return f"seeds {SEEDS[0]}-{SEEDS[-1]}"


def live_caption(b: Band, scenario_name: str, overrides: dict | None, seed: int | None) -> str:
    """What the Live page's band is, in words: its edges, its runs, which sliders it has,
    whether the live run is one of its runs, and how long it took."""
    moved = ", ".join(f"{k} = {v:g}" if isinstance(v, (int, float)) else f"{k} = {v}"
                      for k, v in sorted((overrides or {}).items()))
    sliders = (f"with the sliders moved as they were at Reset ({moved})" if moved
               else "with no slider moved at Reset")
    one = (f"the live run, seed {seed}, is one of them" if seed in b.seeds
           else f"the live run's seed {seed} is not one of them")
    return (f"Shaded: the {PERCENTILES[0]}th to {PERCENTILES[-1]}th percentile of AI capex (red) and AI revenue "
            f"(blue), month by month, over {len(b.seeds)} runs of {scenario_name} on {seeds_text()} ({one}), "
            f"{sliders}. Sliders moved since do not change it: press Reset to recompute. "
            f"{len(b.seeds)} runs of {b.months} months took {b.seconds:.1f} s.")


def compare_caption(bands: dict, labels: dict, seed: int) -> str:
    """What Compare's bands are: A shaded, B outlined dashed; the lines are one seed's."""
    one = "one of them" if seed in SEEDS else "not one of them"
    return (f"Shaded: A's ({labels['a']}) {PERCENTILES[0]}th to {PERCENTILES[-1]}th percentile of AI capex (red) and "
            f"AI revenue (blue) over {N_SEEDS} runs on {seeds_text()}; dashed outline: B's ({labels['b']}). The lines "
            f"are seed {seed}, {one}. Took {bands['a'].seconds + bands['b'].seconds:.1f} s of runs.")


__all__ = ["N_SEEDS", "SEEDS", "PERCENTILES", "CACHE_SIZE", "LEGEND", "COMPUTING", "Band", "key", "compute",
           "cached", "request", "release", "get", "live_caption", "compare_caption"]
