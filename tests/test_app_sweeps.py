"""The Sweeps page for analysts: the heat map's empty cells and labels, the bars' labels, the
Sobol caution, the folder list from the sweeps root, the PRIM box on the page and on the heat
map, and the example spec that shows all three outcomes.

The figures are checked on their matplotlib artists (font sizes, colours at a cell, the box's
rectangle); the page's functions on tiny sweep folders written here whose outcomes follow a
known rule (bust when elasticity is low and optimism high), as in tests/test_sweep.py.
"""

import tomllib
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from matplotlib.patches import Rectangle
from matplotlib.text import Text

from experiments import sweep as S
from experiments import sweep_figures as F
from experiments.sweep_stats import Binned, bin_parameter, binned_table, prim_table, prim_tightest, sobol_warnings

ROOT = Path(__file__).resolve().parents[1]


def _texts(fig) -> list[Text]:
    return [t for t in fig.findobj(Text) if t.get_text().strip()]


def _pixel(fig, ax, x: float, y: float) -> np.ndarray:
    """RGB (0-255) of the rendered figure at data point (x, y) of ``ax``."""
    fig.canvas.draw()
    buf = np.asarray(fig.canvas.buffer_rgba())
    px, py = ax.transData.transform((x, y))
    return buf[int(round(buf.shape[0] - py)), int(round(px)), :3]


def _hex(rgb) -> str:
    return "#" + "".join(f"{int(v):02x}" for v in rgb)


# ===== (1) heat map: grey empty cells with n, readable labels ====================================

def _two_by_two():
    """Two parameters of two bins each; the cell (a=1, b=1) has no run."""
    a = Binned("a", ["0-1", "1-2"], np.array([0, 0, 1, 0]), [(0.0, 1.0), (1.0, 2.0)])
    b = Binned("b", ["0-5", "5-10"], np.array([0, 1, 0, 1]), [(0.0, 5.0), (5.0, 10.0)])
    return a, b, np.array([True, False, False, True])


def test_an_empty_heat_map_cell_is_grey_and_says_n_0():
    a, b, bust = _two_by_two()
    grid, counts = F.heat_grid(a, b, bust)
    assert counts.tolist() == [[1, 1], [2, 0]] and np.isnan(grid[1, 1]) and grid[0, 0] == 1.0
    fig = F.heatmap(a, b, bust)
    ax = fig.axes[0]
    assert _hex(_pixel(fig, ax, 1.3, 1.3)) == F.EMPTY          # no run: grey, not a colour of the scale
    zero = _pixel(fig, ax, 1.3, 0.3)                            # a cell with 0% bust: green, not grey
    assert _hex(zero) != F.EMPTY and zero[1] > zero[0]
    cells = [t.get_text() for t in ax.texts]
    assert {"no runs\nn=0", "100%\nn=1", "0%\nn=1", "50%\nn=2"} <= set(cells)


def test_heat_map_and_bars_labels_are_at_least_10_pt():
    a, b, bust = _two_by_two()
    for fig in (F.heatmap(a, b, bust), F.bars([binned_table(a, bust), binned_table(b, bust)], 0.75, cols=2)):
        sizes = {t.get_text(): t.get_fontsize() for t in _texts(fig)}
        assert sizes and min(sizes.values()) >= 10, {k: v for k, v in sizes.items() if v < 10}


def test_an_empty_bar_says_n_0():
    b = Binned("b", ["0-5", "5-10"], np.array([0, 0, 0]), [(0.0, 5.0), (5.0, 10.0)])
    fig = F.bars([binned_table(b, np.array([True, False, True]))], 2 / 3)
    assert "n=0" in [t.get_text() for t in fig.axes[0].texts]


# ===== (2) Sobol: a warning where an index cannot be trusted ====================================

def test_sobol_warnings_flag_wide_intervals_and_totals_above_1():
    table = pd.DataFrame([
        {"output": "bust probability", "parameter": "sure", "S1": 0.6, "S1_conf": 0.05, "ST": 0.7, "ST_conf": 0.05},
        {"output": "bust probability", "parameter": "wide", "S1": 0.2, "S1_conf": 0.15, "ST": 0.3, "ST_conf": 0.02},
        {"output": "bust probability", "parameter": "over", "S1": 0.5, "S1_conf": 0.1, "ST": 1.2, "ST_conf": 0.1},
    ])
    w = sobol_warnings(table, 16).set_index("parameter")["warning"]
    assert w["sure"] == ""
    assert "S1 interval ±0.15 wider than S1 0.20" in w["wide"] and "ST" not in w["wide"].split(":")[0]
    assert "ST 1.20 above 1" in w["over"]
    for p in ("wide", "over"):
        assert w[p].endswith("too few samples: 16 per parameter; raise `samples`")


# ===== tiny sweep folders under a sweeps root ====================================================

def _synthetic(root: Path, name: str, sampler: str, samples: int) -> Path:
    """A sweep folder under ``root`` whose outcomes follow a known rule."""
    spec_path = root.parent / f"{name}.toml"
    spec_path.write_text(f'sampler = "{sampler}"\nmonths = 12\nreplications = 1\nseed = 1\nsamples = {samples}\n'
                         '[parameters]\nprice_elasticity = [0.6, 2.0]\nhyperscaler_optimism = [0.8, 2.5]\n'
                         'shell_lead_months = [9, 30]\n')
    spec, out, runs, meta = S.prepare(spec_path, root / name, False)
    S.write_start_files(spec, out, runs, meta)
    for r in runs.to_dict("records"):
        bust = bool(r["price_elasticity"] < 1.1 and r["hyperscaler_optimism"] > 1.6)
        S.write_part(out, {"run_id": r["run_id"], "sample": r["sample"], "replication": r["replication"],
                           "seed": r["seed"], "scenario": "baseline", "months": 12,
                           **{n: r[n] for n in spec.names}, "bust": bust,
                           "outcome": "bust" if bust else "boom",
                           "peak_capex_usd_per_year": 1e11 * r["hyperscaler_optimism"] ** 2,
                           "error": None, "wall_s": 0.0, "code_version": "test"})
    return out


@pytest.fixture(scope="module")
def root(tmp_path_factory):
    base = tmp_path_factory.mktemp("served")
    root = base / "sweeps"
    root.mkdir()
    _synthetic(root, "lhs", "lhs", 80)
    _synthetic(root, "sob", "sobol", 8)
    (base / "outside").mkdir()
    return root


@pytest.fixture
def page(root, monkeypatch):
    """The Sweeps page's module with the app's sweeps root set to ``root``, fresh state."""
    from viz import sources, state
    from viz import sweeps as W

    monkeypatch.setenv(sources.ENV_SWEEPS, f'["{root}"]')
    monkeypatch.setattr(state, "_session", state.solara.reactive(state.Session()))
    return W


# ===== (3) folders from the sweeps root only =====================================================

def test_the_page_lists_the_root_sweeps_and_opens_no_typed_path(page, root):
    from viz import sources

    assert set(sources.sweep_folders()) == {"lhs", "sob"}
    st = page._st()
    for typed in (str(root / "lhs"), str(root.parent / "outside"), "../outside", "/etc"):
        page.load(typed)
        assert st.loaded.value is None and "choose one of the list" in st.error.value
    page.load("lhs")
    assert st.error.value == "" and st.loaded.value["path"] == "lhs"


# ===== (4) the PRIM box: a table, the heat map's pair, a rectangle ===============================

def test_the_bust_box_opens_the_heat_map_on_its_two_tightest_parameters(page):
    page.load("lhs")
    st = page._st()
    data = st.loaded.value
    box = data["box"]
    assert box is not None and box["density"] > 0.8
    tight = prim_tightest(box)
    assert set(tight) == {"price_elasticity", "hyperscaler_optimism"}
    assert [st.pair_x.value, st.pair_y.value] == tight
    limits = prim_table(box)
    assert list(limits["parameter"][:2]) == tight and limits["share_of_range"].is_monotonic_increasing
    head, _ = page.box_lines(box)
    assert f"{box['n']} runs" in head and "of all busts" in head
    # the rectangle: price_elasticity below about 1.1, optimism above about 1.6, in bin coordinates
    fig = page.heatmap_figure(data, tight[0], tight[1])
    rects = [p for p in fig.axes[0].patches if isinstance(p, Rectangle) and p.get_linestyle() == "--"]
    assert len(rects) == 1
    from experiments.sweep_stats import HEAT_BINS

    binned = {n: page._binned(data, n, HEAT_BINS) for n in tight}
    lims = {r["parameter"]: (r["low"], r["high"]) for r in box["restricted"]}
    x0, x1 = F.box_coords(binned[tight[0]], *lims[tight[0]])
    y0, y1 = F.box_coords(binned[tight[1]], *lims[tight[1]])
    r = rects[0]
    assert (r.get_x(), r.get_y(), r.get_width(), r.get_height()) == pytest.approx((x0, y0, x1 - x0, y1 - y0))
    assert any("PRIM bust box" in t.get_text() for t in _texts(fig))


def test_box_coords_on_equal_width_bins_and_on_levels():
    ranged = bin_parameter("p", {"low": 0.0, "high": 6.0}, np.linspace(0, 6, 60), 3)   # bins 0-2, 2-4, 4-6
    assert F.box_coords(ranged, 0.0, 6.0) == pytest.approx((-0.5, 2.5))
    assert F.box_coords(ranged, 1.0, 5.0) == pytest.approx((0.0, 2.0))
    levels = bin_parameter("q", {"kind": "values"}, np.array([1.0, 2.0, 3.0, 1.0]), 8)
    assert F.box_coords(levels, 1.5, 3.0) == pytest.approx((0.5, 2.5))


def test_no_box_when_nothing_busts(page, root):
    page.load("lhs")
    data = dict(page._st().loaded.value)
    data["ok"] = data["ok"].assign(bust=False)
    assert page.bust_box(data) is None and prim_tightest(None) == []


# ===== (2) on the page: the Sobol table's warning column and caution ============================

def test_a_small_sobol_sweep_gets_the_caution(page):
    page.load("sob")
    data = page._st().loaded.value
    table, why = page.sobol(data)
    assert why is None and "warning" in table
    assert (table["warning"] != "").any()                      # 8 base samples: intervals wider than indices
    caution = page.sobol_caution(table, 8)
    assert "too few samples: 8 per parameter; raise `samples`" in caution
    assert page.sobol_caution(table.assign(warning=""), 8) == ""


# ===== (5) the example that shows all three outcomes =============================================

def test_the_three_outcomes_example_is_small_and_six_years(tmp_path):
    path = ROOT / "experiments" / "sweeps" / "three_outcomes.toml"
    raw = tomllib.loads(path.read_text())
    assert {"price_elasticity", "efficiency_gain_per_year", "lab_funding_usd_per_year"} <= set(raw["parameters"])
    spec, _, runs, _ = S.prepare(path, tmp_path / "three", False)   # the sweep's own checks accept it
    assert len(runs) <= 120 and raw["months"] == 72 and set(runs["sample"]) == set(range(raw["samples"]))


def test_the_page_figures_fit_half_a_1400_px_window_so_10_pt_stays_10_pt(page):
    page.load("lhs")
    data = page._st().loaded.value
    for fig in (page.heatmap_figure(data, *data["names"][:2]), page.bars_figure(data)):
        assert fig.get_size_inches()[0] * fig.dpi <= 690
        assert min(t.get_fontsize() for t in _texts(fig)) >= 10
