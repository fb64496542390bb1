"""The spread over seeds (viz/band.py): its order, its runs being the Live page's, its
determinism, its cache, and a Live run that draws it once and never a stale one."""

from __future__ import annotations

import threading

import numpy as np
import pytest

from viz import band, sources
from viz.charts import SPREAD_SERIES, LiveCharts

#: A short horizon for the tests that do not look at the run's shape (12 months x 20 seeds ~ 1 s).
SHORT = 12
#: "Most months": the share of months the default Live run must lie inside its band.
MOST = 0.5


@pytest.fixture(scope="module")
def baseline():
    return sources.load_named("baseline")


@pytest.fixture(scope="module")
def band72(baseline):
    return band.get(baseline, {}, 72)


def live_path(sc, seed: int, months: int) -> np.ndarray:
    """What the Live page's two curves chart holds for this run: (series, month)."""
    from experiments.runner import build_model

    model = build_model(None, months, seed, sc)
    charts = LiveCharts(months, [lab.name for lab in model.labs])
    for _ in range(months):
        model.step()
        charts.add(model)
    names = charts.two_curves.names
    return charts.two_curves.data[[names.index(s) for s in SPREAD_SERIES]]


def test_the_band_is_ordered_every_month(band72):
    assert band72.low.shape == band72.high.shape == (len(SPREAD_SERIES), 72)
    assert band72.paths.shape == (band.N_SEEDS, len(SPREAD_SERIES), 72)
    assert np.isfinite(band72.paths).all()
    assert (band72.low <= band72.median).all() and (band72.median <= band72.high).all()
    # a spread, not one path: the seeds do differ
    assert (band72.high[:, -1] > band72.low[:, -1]).all()


def test_the_band_runs_are_the_live_charts_values_and_hold_the_default_live_run(baseline, band72):
    """The band reads the Live chart's own quantities ($B/yr): its seed-1 run is what the
    Live page draws for seed 1, month for month. And that run (the app's default) lies
    inside the 10th-90th band in most months: a consequence of the runs, not of the
    percentile's definition (one run of twenty may lie outside it all the way)."""
    drawn = live_path(baseline, 1, 72)
    assert band72.paths[band.SEEDS.index(1)] == pytest.approx(drawn, rel=1e-12)
    inside = (drawn >= band72.low - 1e-9) & (drawn <= band72.high + 1e-9)
    assert (inside.mean(axis=1) > MOST).all(), inside.mean(axis=1)


def test_the_band_is_deterministic(baseline):
    a, b = band.compute(baseline, {}, SHORT), band.compute(baseline, {}, SHORT)
    assert a is not b
    for name in ("paths", "low", "median", "high"):
        assert np.array_equal(getattr(a, name), getattr(b, name)), name
    assert a.seeds == b.seeds == tuple(range(1, 21))


def test_the_cache_gives_one_band_per_scenario_overrides_and_horizon(baseline):
    first = band.get(baseline, {}, SHORT)
    assert band.get(baseline, {}, SHORT) is first
    assert band.get(sources.load_named("baseline"), {}, SHORT) is first    # same content, freshly loaded
    assert band.cached(baseline, {}, SHORT) is first
    moved = band.get(baseline, {"price_elasticity": 2.0}, SHORT)
    assert moved is not first
    assert not np.array_equal(moved.paths, first.paths)
    assert band.get(baseline, {}, SHORT + 1) is not first
    assert band.cached(baseline, {"price_elasticity": 1.9}, SHORT) is None


def test_the_cache_is_bounded(baseline, monkeypatch):
    from collections import OrderedDict

    monkeypatch.setattr(band, "_cache", OrderedDict())    # a cache of its own, dropped after
    monkeypatch.setattr(band, "CACHE_SIZE", 2)
    monkeypatch.setattr(band, "SEEDS", (1, 2))    # two runs a band: this test is about the cache
    bands = [band.get(baseline, {}, m) for m in (3, 4, 5)]
    assert band.cached(baseline, {}, 3) is None                  # the least recently used went
    assert band.cached(baseline, {}, 5) is bands[2]
    assert len(band._cache) <= 2


def settled(fut) -> None:
    """Wait until ``fut``'s done-callbacks registered so far have run (a future's result
    is given out before its callbacks run; they run in order, so one added now runs last)."""
    ran = threading.Event()
    fut.add_done_callback(lambda _: ran.set())
    assert ran.wait(timeout=120)


def test_a_live_run_draws_its_band_once_and_a_rebuilt_run_gets_no_stale_band(baseline):
    from viz.live import LiveRun

    run = LiveRun(baseline, 1, SHORT + 2, {})
    assert 'data-state="computing"' in run.band_caption.value
    assert not any(m.visible for m in run.charts.spread.marks)
    run.start_band()
    fut = run.band_future
    run.start_band()                          # asked twice: one request
    assert run.band_future is fut
    settled(fut)
    assert run.band is fut.result()
    assert all(m.visible for m in run.charts.spread.marks)
    assert run.charts.spread.marks[0].labels == [f"AI capex: {band.LEGEND}"]
    assert 'data-state="ready"' in run.band_caption.value
    assert "the live run, seed 1, is one of them" in run.band_caption.value
    assert "with no slider moved at Reset" in run.band_caption.value

    # a run rebuilt before its band comes: the old one never draws it
    old = LiveRun(baseline, 37, SHORT + 3, {"price_elasticity": 1.5})
    old.start_band()
    fut = old.band_future
    old.stop_band()
    settled(fut)                              # computed anyway (it had started), or dropped
    assert old.band is None
    assert not any(m.visible for m in old.charts.spread.marks)
    assert 'data-state="computing"' in old.band_caption.value
