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

from experiments.runner import run_model, summarize
from experiments.scenario import ScenarioError
from sim.params import ParamError
from sim.thresholds import NAMES
from viz import live, sources
from viz.charts import COLOURS, FIG_LAYOUT, FIG_MARGIN

LIVE_SETTINGS = "Live settings"
compare_a = solara.reactive("baseline")
compare_b = solara.reactive("physics-wall")
compare_seed = solara.reactive(1)
compare_months = solara.reactive(72)
result = solara.reactive(None)
compare_error = solara.reactive("")

#: Outcome rows: key in experiments.runner.summarize, label, scale, and the direction in
#: which a larger value means more bubble risk (+1), less (-1), or neither (0).
ROWS = (
    ("peak_capex_usd_per_year", "peak AI capex ($B/yr)", 1e-9, 0),
    ("revenue_last_year_usd", "AI revenue, last 12 months ($B)", 1e-9, -1),
    ("max_revenue_gap_usd_per_year", "largest revenue gap ($B/yr)", 1e-9, 1),
    ("max_idle_frac", "largest idle share", 1.0, 1),
    ("max_ghost_gw", "largest ghost compute (GW)", 1.0, 1),
    ("min_lab_runway_months", "shortest lab runway (months)", 1.0, -1),
    ("n_defaults", "defaults", 1.0, 1),
)


def open_compare(a: str, b: str) -> None:
    """Set both sides and run (used by the Debate page's "Run against")."""
    compare_a.value, compare_b.value = a, b
    _run()


def _spec(side: str):
    """(label, scenario, parameter overrides) for a side: a listed scenario, or Live's settings."""
    if side == LIVE_SETTINGS:
        return f"{live.scenario.value} + your sliders", live.current_scenario(), dict(live.overrides.value)
    return side, sources.load_named(side), {}


def _run() -> None:
    try:
        out = {}
        for key, side in (("a", compare_a.value), ("b", compare_b.value)):
            label, sc, params = _spec(side)
            model, frame = run_model(params, compare_months.value, compare_seed.value, sc)
            out[key] = {"label": label, "frame": frame, "summary": summarize(model)}
        result.value = out
        compare_error.value = ""
    except (ScenarioError, ParamError, ValueError) as e:
        result.value = None
        compare_error.value = str(e)


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
                     layout={**FIG_LAYOUT, "height": "360px"}, fig_margin=FIG_MARGIN, legend_location="top-left")


def difference_rows(res: dict) -> list[dict]:
    """Rows of the difference table, each with the colour of its change."""
    rows = []
    sa, sb = res["a"]["summary"], res["b"]["summary"]
    for key, label, scale, risk in ROWS:
        a, b = sa.get(key), sb.get(key)
        if a is None or b is None:
            diff, colour = None, "#555"
        else:
            diff = (b - a) * scale
            worse = (diff > 0) if risk > 0 else (diff < 0) if risk < 0 else None
            colour = "#555" if worse is None or abs(diff) < 1e-9 else ("#c62828" if worse else "#2e7d32")
        rows.append({"label": label, "a": _fmt(a, scale), "b": _fmt(b, scale),
                     "diff": "n/a" if diff is None else f"{diff:+,.2f}", "colour": colour})
    crossed = {k: [n for n in NAMES if s.get(f"crossed_{n}")] for k, s in (("a", sa), ("b", sb))}
    for key, label in (("bust_month", "bust"), ("thresholds_crossed", "thresholds crossed")):
        a, b = (crossed["a"], crossed["b"]) if key == "thresholds_crossed" else (sa.get(key), sb.get(key))
        fa = ", ".join(a) if isinstance(a, list) else (a or "none")
        fb = ", ".join(b) if isinstance(b, list) else (b or "none")
        changed = fa != fb
        if key == "thresholds_crossed":
            more = len(b or []) > len(a or [])
        else:   # a bust, or an earlier one, is worse
            more = b is not None and (a is None or b < a)
        rows.append({"label": label, "a": fa, "b": fb, "diff": "changed" if changed else "same",
                     "colour": ("#c62828" if more else "#2e7d32") if changed else "#555"})
    return rows


def _fmt(v, scale) -> str:
    if v is None:
        return "n/a"
    return f"{v * scale:,.2f}"


@solara.component
def Compare():
    names = sources.scenario_names()
    with solara.Row(style={"align-items": "center", "flex-wrap": "wrap"}):
        solara.Select("A", values=names, value=compare_a)
        solara.Select("B", values=names + [LIVE_SETTINGS], value=compare_b)
        solara.InputInt("seed", value=compare_seed)
        solara.SliderInt("months", value=compare_months, min=12, max=180)
        solara.Button("Run both", color="primary", on_click=_run)
    if compare_error.value:
        solara.Error(compare_error.value)
    res = result.value
    fig = solara.use_memo(lambda: _figure(res) if res else None, [res])
    if res is None:
        solara.Info("Pick two positions and press 'Run both': same seed, same horizon.")
        return
    solara.display(fig)
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
