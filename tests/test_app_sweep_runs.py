"""Sweeps for analysts (issue 10, item 9): a click on a heat-map cell opens a
representative run of that cell in Live.

Units on viz.sweeps (which run a cell picks, and a value a Live slider can hold), then a
browser test on the small sweep the real command writes (tests/conftest.py
``stored_sweep``): a click on a cell shows Live with that run's seed, the sweep's months
and its parameters as moved sliders, and played to the end it has the stored outcome.
"""

from __future__ import annotations

import re

import numpy as np
import pandas as pd
from playwright.sync_api import expect

from tests.test_app import open_sweep
from viz import sweeps as W


#: Runs in the far cell (a, b above 0.5), so that each parameter has more distinct values
#: than the heat map's bins and is cut into equal-width bins (two, for so few runs).
FAR = [(0.6 + 0.05 * k, 0.6 + 0.05 * k, False) for k in range(7)]


def _data(rows: list[tuple[float, float, bool]]) -> dict:
    """A sweep's loaded data (as viz.sweeps.load keeps it) over a in [0, 1] and b in [0, 1]."""
    rows = rows + FAR
    ok = pd.DataFrame([{"run_id": f"r{k}", "seed": 100 + k, "scenario": "baseline", "months": 12, "a": a, "b": b,
                        "bust": bust} for k, (a, b, bust) in enumerate(rows)])
    meta = {"design": {"months": 12, "scenario": "baseline",
                       "parameters": [{"name": "a", "kind": "range", "low": 0.0, "high": 1.0},
                                      {"name": "b", "kind": "range", "low": 0.0, "high": 1.0}]}}
    return {"meta": meta, "ok": ok, "runs": ok, "names": ["a", "b"]}


def test_a_cell_opens_its_most_central_run_with_the_cells_more_common_outcome():
    # two bins per parameter (few runs): the cell (0, 0) is a, b in [0, 0.5], centre (0.25, 0.25)
    data = _data([(0.24, 0.26, False),       # the most central, but the cell mostly busts
                  (0.10, 0.40, True), (0.30, 0.20, True), (0.45, 0.05, True)])
    row = W.cell_run(data, "a", "b", 0, 0)
    assert row["run_id"] == "r2" and row["bust"]
    data = _data([(0.24, 0.26, False), (0.30, 0.20, True)])    # a tie: bust
    assert W.cell_run(data, "a", "b", 0, 0)["run_id"] == "r1"
    assert W.cell_run(data, "a", "b", 0, 1) is None                               # no run there


def test_a_slider_holds_the_value_it_is_given():
    """A sweep's 16-digit value reaches Live as stored (the slider rounded 0.777 to 1 once,
    when its step was finer than the browser can write); whole-number sliders get whole
    numbers, and the slider's step is one the browser writes with its decimals."""
    from sim.params import FIELDS
    from viz import live

    for name, value in (("price_elasticity", 0.7774823412345), ("power_build_multiplier", 1.3253834567)):
        assert W.slider_value(name, value) == value
        meta = FIELDS[name].metadata
        step = live.slider_step(meta["min"], meta["max"], (FIELDS[name].default, value))
        assert step >= live.MIN_SLIDER_STEP
    assert W.slider_value("funding_freeze_month", 3.0) == 3 and isinstance(W.slider_value("funding_freeze_month",
                                                                                           3.0), int)
    assert W.slider_value("shell_lead_months", 12.5) == 12.5      # not a Live slider: as stored


def test_a_click_on_a_cell_opens_its_run_in_live(page, url, stored_sweep):
    from experiments.sweep import load_results

    open_sweep(page, url, stored_sweep.name)
    expect(page.locator(".sweep-cell-caption")).to_contain_text("Click a cell to open one of its runs in Live")
    cells = page.locator(".sweep-cell")
    expect(cells).to_have_count(6)               # 6 runs, each in its own cell of the 6 x 6 map
    cell = cells.nth(2)
    label = cell.get_attribute("aria-label")
    shown = re.fullmatch(r"open a run of price_elasticity (\S+), power_build_multiplier (\S+) in Live", label)
    runs = load_results(stored_sweep)
    row = runs.iloc[int(np.argmin(abs(runs["price_elasticity"] - float(shown.group(1)))))]
    cell.click()
    page.get_by_text("Month: 0 of 12").wait_for()
    expect(page.locator(".v-tab--active")).to_have_text(re.compile("Live", re.I))
    expect(page).to_have_url(re.compile(rf"[?&]seed={row['seed']}(&|$)"))
    expect(page.get_by_label("seed")).to_have_value(str(row["seed"]))
    expect(page.get_by_text("Clear moved sliders")).to_be_visible()
    held = {name: W.slider_value(name, float(row[name])) for name in ("price_elasticity", "power_build_multiplier")}
    for name, value in held.items():
        expect(page).to_have_url(re.compile(rf"{name}:{re.escape(repr(value))}"))
        expect(page.locator(f".param-{name} .param-reset")).to_be_visible()      # a moved slider
    page.wait_for_timeout(1000)                  # and the sliders did not move the values on
    for name, value in held.items():
        expect(page).to_have_url(re.compile(rf"{name}:{re.escape(repr(value))}"))
    page.get_by_role("button", name="▶").click()
    page.get_by_text("Month: 12 of 12").wait_for()
    expect(page.locator(".verdict-banner")).to_have_attribute("data-outcome", row["outcome"])
