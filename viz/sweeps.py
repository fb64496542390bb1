"""The Sweeps page: open a folder written by ``computebubble sweep`` and explore it.

The folders on offer are the sweep folders under the sweeps roots the app was started
with (``computebubble app --sweeps DIR``; default ``out/sweeps``), chosen from a list:
the page never opens a typed path (viz/sources.py).

Bust probability over two chosen parameters as a heat map, bust probability against
each parameter as bars, and Sobol indices where the design is a Sobol design. The
binning and the indices come from experiments/sweep_stats.py and the figures from
experiments/sweep_figures.py, the same code behind ``computebubble analyze``, so the
page and the report agree.
"""

from __future__ import annotations

import numpy as np
import solara

from viz import sources
from viz.state import SweepsState, session
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
    with solara.Columns([1, 1]):
        with solara.Column(classes=["sweep-heatmap"]):
            solara.FigureMatplotlib(heat, format="png")
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
