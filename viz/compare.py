"""The Compare page: two runs with the same seed, side by side.

Anchor: Stella's run comparison, and the side-by-side runs SolaraViz users have asked
for. A is a scenario; B is another scenario, or "Live settings" (the Live page's
scenario with the sliders you moved). Both run to the same horizon on the same seed;
the page overlays their curves and colours each difference by which way it moves the
bubble risk. Behind each side's curves, once computed on the band's worker (the table
and curves do not wait for it), is its spread over 20 seeds (viz/band.py): A's shaded,
B's a dashed outline.
"""

from __future__ import annotations

import threading
from concurrent.futures import wait

import bqplot as bq
import numpy as np
import reacton.ipyvuetify as rv
import solara

from experiments.compare import compare
from experiments.outcomes import compare_rows
from experiments.scenario import ScenarioError
from sim.params import ParamError
from viz import band, live, sources
from viz.charts import (FIG_LAYOUT, FIG_MARGIN, LEGEND_STYLE, SPREAD_SERIES, TWO_CURVES, SpreadMarks, date_axis,
                         two_curves_values)
from viz.export import Chart
from viz.state import CompareState, session

LIVE_SETTINGS = "Live settings"


def _st() -> CompareState:
    return session().compare


#: Colours of a difference: toward a bubble, away from it, neither.
WORSE, BETTER, NEITHER = "#c62828", "#2e7d32", "#555"


def open_compare(a: str, b: str) -> None:
    """Set both sides and run (used by the Debate page's "Run against")."""
    st = _st()
    st.a.value, st.b.value = a, b
    _run()


def _spec(side: str):
    """(label, scenario, parameter overrides) for a side: a listed scenario, or Live's settings."""
    if side == LIVE_SETTINGS:
        mine = session().live
        return f"{mine.scenario.value} + your sliders", live.current_scenario(), dict(mine.overrides.value)
    return side, sources.load_named(side), {}


def _run() -> None:
    st = _st()
    try:
        (la, sa, pa), (lb, sb, pb) = _spec(st.a.value), _spec(st.b.value)
        c = compare(sa, sb, st.seed.value, st.months.value, params=(pa, pb))
        # each side's scenario and overrides too: its band (viz/band.py) is for them
        st.result.value = {key: {"label": label, "frame": side.frame, "summary": side.summary, "scenario": sc,
                                 "overrides": ov, "seed": c.seed, "months": c.months}
                           for key, label, side, sc, ov in (("a", la, c.a, sa, pa), ("b", lb, c.b, sb, pb))}
        st.error.value = ""
    except (ScenarioError, ParamError, ValueError) as e:
        st.result.value = None
        st.error.value = str(e)


#: Each series' short name in the legend ("baseline: capex").
SHORT = {"AI capex": "capex", "AI revenue": "revenue", "required revenue": "required"}


def _figure(res: dict, bands: dict | None = None) -> bq.Figure:
    """Both runs' curves (A solid, B dashed) and, once ``bands`` ({"a": Band, "b": Band},
    viz/band.py) are ready, each side's spread over seeds behind them: A's shaded, B's a
    dashed outline."""
    months = np.asarray(res["a"]["frame"]["month"], float)
    # the marks' month scale spans exactly the run, as the date axis below does
    sx, sy = bq.LinearScale(min=float(months[0]), max=float(max(months[-1], months[0] + 1))), bq.LinearScale()
    marks, behind = [], []
    for key, dash in (("a", "solid"), ("b", "dashed")):
        f = res[key]["frame"]
        x = np.asarray(f["month"], float)
        label = res[key]["label"]
        for (name, (_, colour)), y in zip(TWO_CURVES.items(), two_curves_values(f)):
            marks.append(bq.Lines(x=x, y=np.asarray(y, float), scales={"x": sx, "y": sy},
                                  colors=[colour], line_style=dash, labels=[f"{label}: {SHORT[name]}"],
                                  display_legend=True, stroke_width=2))
        if bands:
            b = bands[key]
            spread = SpreadMarks(sx, sy, {n: TWO_CURVES[n][1] for n in SPREAD_SERIES}, outline=key == "b")
            spread.draw(b.x, b.low, b.high, b.labels(f"{label} "))
            behind += spread.marks
    marks = behind + marks    # the bands behind every line
    first = str(res["a"]["frame"]["date"].iloc[0])      # "YYYY-MM": both sides start together
    axes = [date_axis(len(res["a"]["frame"]), (int(first[:4]), int(first[5:7]))),
            bq.Axis(scale=sy, orientation="vertical", label="$B per year")]
    return bq.Figure(marks=marks, axes=axes, title="AI capex, revenue and required revenue (A solid, B dashed)",
                     layout={**FIG_LAYOUT, "height": "360px"}, fig_margin=FIG_MARGIN, legend_location="top-left",
                     legend_style=LEGEND_STYLE)


def wait_bands(res: dict, cancel: threading.Event) -> dict | None:
    """Both sides' bands (viz/band.py), waited for on a page thread so the page stays
    live; None if the comparison changed meanwhile (then no longer asked for)."""
    futures = {k: band.request(res[k]["scenario"], res[k]["overrides"], res[k]["months"]) for k in ("a", "b")}
    try:
        while not cancel.is_set():
            done, _ = wait(futures.values(), timeout=CANCEL_POLL_S)
            if len(done) == len(futures):
                return {k: f.result() for k, f in futures.items()}
        return None
    finally:
        if cancel.is_set():
            for f in futures.values():
                band.release(f)


#: How often a wait for the bands looks whether the comparison changed (s).
CANCEL_POLL_S = 0.25


def difference_rows(res: dict) -> list[dict]:
    """Rows of the difference table (:func:`experiments.outcomes.compare_rows`, the table
    ``computebubble compare`` prints), each with the colour of its change."""
    colours = {True: WORSE, False: BETTER, None: NEITHER}
    return [{"name": r.name, "label": r.label, "a": r.a, "b": r.b, "diff": r.diff, "colour": colours[r.worse]}
            for r in compare_rows(res["a"]["summary"], res["b"]["summary"])]


@solara.component
def Compare():
    st = _st()
    names = sources.scenario_names()
    with solara.Row(style={"align-items": "center", "flex-wrap": "wrap"}):
        solara.Select("A", values=names, value=st.a)
        solara.Select("B", values=names + [LIVE_SETTINGS], value=st.b)
        solara.InputInt("seed", value=st.seed)
        solara.SliderInt("months", value=st.months, min=12, max=180)
        solara.Button("Run both", color="primary", on_click=_run)
    if st.error.value:
        solara.Error(st.error.value)
    res = st.result.value
    bands = solara.use_thread(lambda cancel: wait_bands(res, cancel) if res else None, dependencies=[res],
                             intrusive_cancel=False)
    ready = bands.value if bands.state == solara.ResultState.FINISHED else None
    # drawn twice: at once without the bands, and once more when both have come
    fig = solara.use_memo(lambda: _figure(res, ready) if res else None, [res, ready])
    if res is None:
        solara.Info("Pick two positions and press 'Run both': same seed, same horizon.")
        return
    Chart(fig, classes=["compare-chart"])
    if bands.state == solara.ResultState.ERROR:
        state, text = "failed", f"spread over {band.N_SEEDS} seeds: not available ({bands.error})"
    elif ready:
        state, text = "ready", band.compare_caption(ready, {k: res[k]["label"] for k in ready}, res["a"]["seed"])
    else:
        state, text = "computing", band.COMPUTING
    solara.Text(text, classes=["compare-band-caption", f"band-{state}"],
                style={"font-size": "12px", "color": "#555", "display": "block", "margin": "2px 8px 10px 8px"})
    rows = difference_rows(res)
    cell = "padding:6px;border:1px solid #999;text-align:left"

    def tr(cells, tag="td", colour=None):
        return rv.Html(tag="tr", children=[
            rv.Html(tag=tag, children=[str(c)], style_=cell + (f";color:{colour};font-weight:600"
                                                               if colour and i == 3 else ""))
            for i, c in enumerate(cells)])

    # every cell is a text node: a scenario's name or label is never parsed as HTML
    header = tr(["outcome", f"A: {res['a']['label']}", f"B: {res['b']['label']}", "B - A"], tag="th")
    body = [tr([r["label"], r["a"], r["b"], r["diff"]], colour=r["colour"]) for r in rows]
    with solara.Div(classes=["compare-table"]):
        rv.Html(tag="table", style_="border-collapse:collapse;font-size:14px;margin-top:12px",
                children=[rv.Html(tag="tbody", children=[header, *body])])
        solara.Text("Red: B moves toward a bubble (more gap, idle, ghost compute, defaults, less revenue or "
                    "runway); green: away from it.", style={"font-size": "12px", "color": "#666", "display": "block",
                                                             "margin": "12px 0"})
