"""The Compare page: two runs with the same seed, side by side.

Anchor: Stella's run comparison, and the side-by-side runs SolaraViz users have asked
for. A is a scenario; B is another scenario, or "Live settings" (the Live page's
scenario with the sliders you moved). Both run to the same horizon on the same seed;
the page overlays their curves and colours each difference by which way it moves the
bubble risk.
"""

from __future__ import annotations

import bqplot as bq
import numpy as np
import reacton.ipyvuetify as rv
import solara

from experiments.compare import compare
from experiments.outcomes import compare_rows
from experiments.scenario import ScenarioError
from sim.params import ParamError
from viz import live, sources
from viz.charts import COLOURS, FIG_LAYOUT, FIG_MARGIN, LEGEND_STYLE
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
        st.result.value = {key: {"label": label, "frame": side.frame, "summary": side.summary}
                           for key, label, side in (("a", la, c.a), ("b", lb, c.b))}
        st.error.value = ""
    except (ScenarioError, ParamError, ValueError) as e:
        st.result.value = None
        st.error.value = str(e)


def _figure(res: dict) -> bq.Figure:
    sx, sy = bq.LinearScale(), bq.LinearScale()
    marks = []
    for key, dash in (("a", "solid"), ("b", "dashed")):
        f = res[key]["frame"]
        x = np.asarray(f["month"], float)
        label = res[key]["label"]
        for col, colour, name in (("ai_capex_usd", COLOURS["capex"], "capex"),
                                  ("ai_revenue_usd", COLOURS["revenue"], "revenue"),
                                  ("required_revenue_usd", COLOURS["required"], "required")):
            marks.append(bq.Lines(x=x, y=np.asarray(f[col], float) * 12e-9, scales={"x": sx, "y": sy},
                                  colors=[colour], line_style=dash, labels=[f"{label}: {name}"],
                                  display_legend=True, stroke_width=2))
    axes = [bq.Axis(scale=sx, label="month"), bq.Axis(scale=sy, orientation="vertical", label="$B per year")]
    return bq.Figure(marks=marks, axes=axes, title="AI capex, revenue and required revenue (A solid, B dashed)",
                     layout={**FIG_LAYOUT, "height": "360px"}, fig_margin=FIG_MARGIN, legend_location="top-left",
                     legend_style=LEGEND_STYLE)


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
    fig = solara.use_memo(lambda: _figure(res) if res else None, [res])
    if res is None:
        solara.Info("Pick two positions and press 'Run both': same seed, same horizon.")
        return
    Chart(fig, classes=["compare-chart"])
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
