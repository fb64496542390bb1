"""The Sweeps page: open a folder written by ``computebubble sweep`` and explore it.

The folders on offer are the sweep folders under the sweeps roots the app was started
with (``computebubble app --sweeps DIR``; default ``out/sweeps``), chosen from a list:
the page never opens a typed path (viz/sources.py).

Bust probability over two chosen parameters as a heat map, bust probability against
each parameter as bars, and Sobol indices where the design is a Sobol design. The
binning and the indices come from experiments/sweep_stats.py and the figures from
experiments/sweep_figures.py, the same code behind ``computebubble analyze``, so the
page and the report agree. A click on a heat-map cell opens a representative run of the
cell in Live (:func:`cell_run`): the analyst goes from a bust share to a run to watch.
"""

from __future__ import annotations

import base64
import io

import numpy as np
import reacton.ipyvuetify as rv
import solara

from viz import layout, sources
from viz.state import SweepsState, go, session
from viz.text import Plain, Prose


#: Width of the page's figures in inches (100 px each): about half a 1400-px window, so a 10-pt
#: label is shown at about 10 pt rather than scaled down.
PAGE_WIDTH_IN = 6.7


def _st() -> SweepsState:
    return session().sweeps


def load(label: str) -> None:
    """Read the sweep folder listed as ``label``; any problem becomes a message on the page."""
    from experiments.sweep import load_meta, load_results

    st = _st()
    label = label or ""
    if not label:
        st.loaded.value, st.error.value = None, "Choose a sweep folder from the list."
        return
    where = sources.sweep_folders().get(label)
    if where is None:
        st.loaded.value = None
        st.error.value = f"unknown sweep folder '{sources.shown(label)}'; choose one of the list"
        return
    try:
        sources.check_sweep_files(label, where)
        meta = load_meta(where)
        runs = load_results(where)
        if not isinstance(meta, dict) or not isinstance(meta.get("design"), dict) or not meta.get("names"):
            raise ValueError("sweep.json has no design or parameter names")
    except Exception as e:   # a malformed folder is a message, never a crashed page
        st.loaded.value = None
        st.error.value = sources.scrub_sweep_message(
            str(e) if isinstance(e, (ValueError, OSError)) else f"{type(e).__name__}: {e}", label, where)
        return
    ok = runs[runs["error"].isna()] if "error" in runs else runs
    if ok.empty:
        st.loaded.value, st.error.value = None, f"'{label}': every stored run failed; see the error column"
        return
    names = [str(n) for n in meta["names"]]
    data = {"path": label, "meta": meta, "runs": runs, "ok": ok, "names": names}
    try:
        data["box"] = bust_box(data)
    except Exception:   # PRIM is an extra: without it the page still shows the rest
        data["box"] = None
    # the heat map opens on the two parameters the bust box restricts most (where it has two)
    tight = [n for n in prim_tightest(data["box"]) if n in names]
    pair = tight if len(tight) == 2 else [names[0], names[1 % len(names)]]
    st.pair_x.value, st.pair_y.value = pair
    st.loaded.value = data
    st.error.value = ""


def _binned(data: dict, name: str, max_bins: int):
    from experiments.sweep_stats import bin_parameter

    spec = next(p for p in data["meta"]["design"]["parameters"] if p["name"] == name)
    return bin_parameter(name, spec, data["ok"][name].to_numpy(dtype=float), max_bins)


def _bust(data: dict) -> np.ndarray:
    return data["ok"]["bust"].to_numpy(dtype=bool)


def bust_box(data: dict, min_coverage: float = 0.5):
    """PRIM's box for bust over the successful runs, as ``computebubble analyze`` finds it (None when
    every run or no run busts, or peeling finds no box)."""
    from experiments.sweep_stats import prim_box

    ok = data["ok"]
    return prim_box(ok[data["names"]].astype(float), _bust(data), min_coverage)


def prim_tightest(box, k: int = 2) -> list[str]:
    from experiments.sweep_stats import prim_tightest as tightest

    return tightest(box, k)


def heatmap_figure(data: dict, x: str, y: str):
    """The report's heat map (experiments/sweep_figures.py) over ``x`` and ``y``, with the PRIM bust box."""
    from experiments import sweep_figures
    from experiments.sweep_stats import HEAT_BINS

    return sweep_figures.heatmap(_binned(data, x, HEAT_BINS), _binned(data, y, HEAT_BINS), _bust(data),
                                 data.get("box"), width=PAGE_WIDTH_IN)


def cell_run(data: dict, x: str, y: str, i: int, j: int) -> dict | None:
    """The representative run of the heat map's cell ``i`` (bin of ``x``, across), ``j`` (bin
    of ``y``, up); None when the cell has no run.

    Of the cell's successful runs with the cell's more common outcome (bust when at least
    half bust, so a red cell opens a bust and a green one a run that did not), the one
    nearest the cell's centre in ``x`` and ``y``, each measured in its bin's width (a
    level's bin has no width: every run in it is at the centre); on a tie the first
    stored. A median over the other parameters would not be a run; this is one the sweep
    made, so Live replays it exactly."""
    from experiments.sweep_stats import HEAT_BINS

    bx, by = _binned(data, x, HEAT_BINS), _binned(data, y, HEAT_BINS)
    inside = (bx.index == i) & (by.index == j)
    if not inside.any():
        return None
    cell = data["ok"][inside]
    bust = cell["bust"].to_numpy(dtype=bool)
    pool = cell[bust == (bust.mean() >= 0.5)]

    def offset(binned, k: int, name: str) -> np.ndarray:
        lo, hi = binned.edges[k]
        values = pool[name].to_numpy(dtype=float)
        return np.zeros(len(values)) if hi == lo else (values - (lo + hi) / 2) / (hi - lo)

    distance = offset(bx, i, x) ** 2 + offset(by, j, y) ** 2
    return pool.iloc[int(np.argmin(distance))].to_dict()


def slider_value(name: str, value: float) -> float:
    """``value`` as Live's slider for ``name`` takes it: a whole number for a
    whole-number slider, any other value exactly as stored (a float slider shows the
    nearest point of its grid but keeps the value it was given: viz.live.ParamSlider), so
    the run opened in Live is the run the sweep made."""
    from sim.params import FIELDS
    from viz import live

    if name in live.CONTENTION_SLIDERS + live.LEVER_SLIDERS and FIELDS[name].type in ("int", int):
        return int(round(value))
    return value


def run_settings(data: dict, row: dict) -> dict:
    """What Live needs to replay a stored run: scenario, seed, the sweep's months and the
    swept parameters' values (whole numbers for integer parameters, and a Live slider's
    value as it takes it: :func:`slider_value`)."""
    design = data["meta"]["design"]
    integer = {p["name"] for p in design["parameters"] if p.get("integer")}
    scenario = row.get("scenario")
    return {"scenario": str(scenario if isinstance(scenario, str) and scenario else design.get("scenario")),
            "seed": int(row["seed"]), "months": int(design["months"]),
            "overrides": {n: int(row[n]) if n in integer else slider_value(n, float(row[n])) for n in data["names"]}}


def open_run(data: dict, row: dict) -> None:
    """Open a stored run in Live: its scenario, seed and the sweep's months, with the swept
    parameters' values as moved sliders; then show the Live tab. A scenario that is not on
    the app's list (the sweep ran a file the app does not serve) is a message here."""
    from viz import live

    run = run_settings(data, row)
    if run["scenario"] not in sources.scenario_names():
        _st().error.value = (f"this sweep ran the scenario '{sources.shown(run['scenario'])}', which is not one of "
                             "the app's scenarios: its runs cannot be opened in Live")
        return
    lv = session().live
    lv.seed.value = run["seed"]
    lv.horizon.value = run["months"]
    live.open_scenario(run["scenario"], overrides=run["overrides"])
    go("Live")


def cell_boxes(fig, columns: int, rows: int) -> dict[tuple[int, int], tuple[float, float, float, float]]:
    """Where each cell of the heat map lies in the saved figure, in percent of its width and
    height: (i, j) -> (left, top, width, height); ``j`` counts up from the bottom row, as
    the heat map draws it (``origin="lower"``)."""
    box = fig.axes[0].get_position()     # the laid-out axes, in fractions of the figure
    w, h = box.width / columns, box.height / rows
    return {(i, j): (100 * (box.x0 + i * w), 100 * (1 - box.y0 - (j + 1) * h), 100 * w, 100 * h)
            for i in range(columns) for j in range(rows)}


#: What a click on a heat-map cell does, said under the heat map.
CELL_CAPTION = ("Click a cell to open one of its runs in Live: of the cell's runs with its more common outcome "
                "(bust on a tie), the one nearest the cell's centre, with its scenario, seed and the sweep's months, "
                "and the swept parameters' values as moved sliders (to a millionth of a slider's step).")


@solara.component
def HeatMap(data: dict, x: str, y: str, fig):
    """The heat map as a picture with a transparent button over each cell that has runs,
    which opens the cell's representative run (:func:`cell_run`) in Live."""
    from experiments.sweep_stats import HEAT_BINS

    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=fig.dpi)      # the whole figure: the axes' fractions hold
    src = "data:image/png;base64," + base64.b64encode(buf.getvalue()).decode()
    bx, by = _binned(data, x, HEAT_BINS), _binned(data, y, HEAT_BINS)
    with rv.Html(tag="div", class_="sweep-heatmap-figure",
                 style_="position:relative;display:inline-block;max-width:100%;line-height:0"):
        rv.Html(tag="img", attributes={"src": src, "alt": f"bust share over {x} and {y}"}, children=[],
                style_="display:block;max-width:100%;height:auto")
        for (i, j), (left, top, width, height) in cell_boxes(fig, len(bx.labels), len(by.labels)).items():
            if not ((bx.index == i) & (by.index == j)).any():
                continue
            label = f"open a run of {x} {bx.labels[i]}, {y} {by.labels[j]} in Live"
            solara.Button("", text=True, classes=["sweep-cell", f"sweep-cell-{i}-{j}"],
                          on_click=lambda i=i, j=j: open_run(data, cell_run(data, x, y, i, j)),
                          attributes={"aria-label": label, "title": label},
                          style={"position": "absolute", "left": f"{left:.3f}%", "top": f"{top:.3f}%",
                                 "width": f"{width:.3f}%", "height": f"{height:.3f}%", "min-width": "0",
                                 "padding": "0", "border-radius": "0"})
    Plain(CELL_CAPTION, tag="p", classes=["sweep-cell-caption"], style="font-size:12px;color:#555;margin:4px 0")


def bars_figure(data: dict):
    """The report's bars (experiments/sweep_figures.py): bust probability by parameter."""
    from experiments import sweep_figures
    from experiments.sweep_stats import MAX_BINS, binned_table

    bust = _bust(data)
    tables = [binned_table(_binned(data, name, MAX_BINS), bust) for name in data["names"]]
    return sweep_figures.bars(tables, float(bust.mean()), cols=2, panel_width=PAGE_WIDTH_IN / 2)


def sobol(data: dict):
    """Sobol indices (SALib) for a Sobol design, with a ``warning`` column where an index cannot be
    trusted (:func:`experiments.sweep_stats.sobol_warnings`); (None, why) otherwise."""
    meta = data["meta"]
    if meta["design"].get("sampler") != "sobol":
        return None, f"the design is '{meta['design'].get('sampler')}', not Sobol: no Sobol indices"
    from experiments.sweep_stats import sobol_table, sobol_warnings

    table, why = sobol_table(meta, data["ok"])
    if table is None:
        return None, why
    return sobol_warnings(table, int(meta["design"]["samples"])), None


def sobol_caution(table, samples: int) -> str:
    """One line above the Sobol table when some index cannot be trusted; "" otherwise."""
    bad = int((table["warning"] != "").sum())
    if not bad:
        return ""
    return (f"{bad} of {len(table)} rows have an index whose 95% interval is wider than the index, or a total "
            f"index above 1 (see the warning column): too few samples: {samples} per parameter; raise `samples`.")


def box_lines(box) -> tuple[str, object]:
    """PRIM's bust box as a sentence and a table (experiments/sweep_stats.py's prim_table)."""
    from experiments.sweep_stats import prim_table

    head = (f"PRIM box for bust: {box['n']} runs ({box['mass']:.0%} of all) inside, bust in {box['density']:.0%} "
            f"of them against {box['base_rate']:.0%} overall; it holds {box['coverage']:.0%} of all busts.")
    return head, prim_table(box)


@solara.component
def Sweeps():
    st = _st()
    Prose("## Sweeps\nOpen a folder written by `computebubble sweep SPEC.toml --out DIR`, from the sweep "
          "folders this app serves (`computebubble app --sweeps DIR`; default `out/sweeps`).")
    choices = solara.use_memo(lambda: list(sources.sweep_folders()), [st.listing.value])
    with solara.Row(style={"align-items": "center"}):
        shown = choices + ([st.folder.value] if st.folder.value and st.folder.value not in choices else [])
        solara.Select("sweep folder", values=shown, value=st.folder)
        solara.Button("Open", color="primary", on_click=lambda: load(st.folder.value), disabled=not st.folder.value)
        solara.Button("Refresh list", text=True, on_click=lambda: st.listing.set(st.listing.value + 1))
    if not choices:
        solara.Info("No sweep folders here yet: write one with computebubble sweep SPEC.toml --out "
                    "out/sweeps/NAME, or start the app with --sweeps DIR.")
    if st.error.value:
        solara.Error(st.error.value)
    data = st.loaded.value
    if data is None:
        return
    meta, runs, ok = data["meta"], data["runs"], data["ok"]
    failed = len(runs) - len(ok)
    with solara.Div(classes=["sweep-summary"], style={"margin": "8px 0"}):
        # the title and the names come from the folder's sweep.json: shown as text, never parsed
        Plain(meta.get("title", data["path"]), tag="b", classes=["sweep-title"])
        Plain(f" — {meta['design'].get('sampler')} design, {len(runs)} runs stored ({failed} failed), "
              f"{meta['design'].get('months')} months, scenario {meta['design'].get('scenario')}. "
              f"Bust in {ok['bust'].mean():.0%} of runs.", tag="span")
    names = data["names"]
    x = st.pair_x.value if st.pair_x.value in names else names[0]
    y = st.pair_y.value if st.pair_y.value in names else names[1 % len(names)]
    with solara.Row():
        solara.Select("heat map x", values=names, value=st.pair_x)
        solara.Select("heat map y", values=names, value=st.pair_y)
    try:
        heat, bars = heatmap_figure(data, x, y), bars_figure(data)
        table, why = sobol(data)
    except Exception as e:   # a malformed folder is a message, never a crashed page
        solara.Error(f"could not analyse '{data['path']}': {type(e).__name__}: {e}")
        return
    with solara.Columns([1, 1], classes=[layout.SWEEP_FIGURES]):
        with solara.Column(classes=["sweep-heatmap"]):
            HeatMap(data, x, y, heat)
        with solara.Column(classes=["sweep-bars"]):
            solara.FigureMatplotlib(bars, format="png")
    box = data.get("box")
    with solara.Div(classes=["sweep-prim"]):
        if box is None:
            solara.Text("PRIM: no bust box (every run or no run busts, or peeling found none).",
                        style={"color": "#666"})
        else:
            head, limits = box_lines(box)
            Plain(head + " Dashed on the heat map; the rows below are its limits, tightest first.", tag="div")
            tight = prim_tightest(box)
            if len(tight) == 2 and (x, y) != tuple(tight):
                solara.Button(f"Heat map over {tight[0]} and {tight[1]}", text=True,
                              on_click=lambda: (st.pair_x.set(tight[0]), st.pair_y.set(tight[1])))
            solara.DataFrame(limits.round(4), items_per_page=20)
    if table is None:
        solara.Text(why, style={"color": "#666"})
    else:
        Prose("**Sobol indices** (first order S1 and total ST, with 95% confidence):")
        caution = sobol_caution(table, int(meta["design"]["samples"]))
        if caution:
            with solara.Div(classes=["sobol-caution"]):
                solara.Warning(caution)
        solara.DataFrame(table.round(3), items_per_page=20)
