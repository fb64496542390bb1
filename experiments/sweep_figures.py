"""Figures of a stored sweep, drawn from :mod:`experiments.sweep_stats`: bust probability
by parameter (bars), over two parameters (heat map), Sobol and Morris indices, PRIM's
trade-off. Each function returns a :class:`matplotlib.figure.Figure` with an Agg canvas
(no pyplot, no global backend), so ``computebubble analyze`` saves them as PNG and the
app's Sweeps page shows the same figures.
"""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np

from experiments.sweep_stats import Binned

DPI = 110


def _figure(figsize: tuple[float, float], grid: tuple[int, int] | None = None):
    """A Figure on an Agg canvas, and one Axes (``grid`` None) or a 2-d array of them."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    fig = Figure(figsize=figsize)
    FigureCanvasAgg(fig)
    if grid is None:
        return fig, fig.add_subplot()
    return fig, fig.subplots(*grid, squeeze=False)


def save(fig, path: Path) -> Path:
    """Write ``fig`` as a PNG."""
    fig.savefig(path, dpi=DPI)
    return path


#: Font sizes (points) of the figures' labels: readable where the app shows them (at least 10 pt).
LABEL_PT = 10
TITLE_PT = 11
#: Heat-map cells without a run: grey (not a colour of the scale, which would read as a probability).
EMPTY = "#bdbdbd"


def bars(tables: list, base_rate: float, cols: int = 3, panel_width: float = 4.6):
    """Bust probability in each bin of each parameter (:func:`experiments.sweep_stats.binned_table`),
    with 95% Wilson intervals, run counts and the overall rate dashed. A bin without a run has
    no bar and says ``n=0``. ``panel_width``: inches per panel (the app passes what fits its column,
    so the labels are shown at about their size)."""
    n = len(tables)
    cols = min(cols, n)
    rows = math.ceil(n / cols)
    fig, axes = _figure(figsize=(panel_width * cols, 3.6 * rows), grid=(rows, cols))
    for ax, t in zip(axes.flat, tables):
        x = np.arange(len(t))
        p = t["bust_prob"].to_numpy(dtype=float)
        err = np.clip(np.vstack([p - t["ci_low"].to_numpy(dtype=float), t["ci_high"].to_numpy(dtype=float) - p]),
                      0.0, None)
        ax.bar(x, np.nan_to_num(p), color="#c0504d", alpha=0.85, yerr=np.nan_to_num(err), capsize=2, ecolor="#555")
        ax.axhline(base_rate, color="#333", lw=0.8, ls="--")
        for xi, (pi, ni) in enumerate(zip(p, t["runs"])):
            ax.text(xi, 0.02, f"n={ni}" if ni == 0 else str(ni), ha="center", va="bottom", fontsize=LABEL_PT,
                    color="white" if pi > 0.1 else "#333")
        ax.set_xticks(x, t["bin"], rotation=40, ha="right", fontsize=LABEL_PT)
        ax.tick_params(axis="y", labelsize=LABEL_PT)
        ax.set_ylim(0, 1)
        ax.set_title(t["parameter"].iloc[0], fontsize=TITLE_PT)
        ax.set_ylabel("bust probability", fontsize=LABEL_PT)
    for ax in list(axes.flat)[n:]:
        ax.axis("off")
    fig.suptitle("Bust probability by parameter\n(bars: 95% Wilson interval; numbers: runs; dashed: all runs)",
                 fontsize=TITLE_PT)
    fig.tight_layout()
    return fig


def heat_grid(a: Binned, b: Binned, bust: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Bust probability (NaN where no run) and runs per cell, rows ``b``, columns ``a``."""
    grid = np.full((len(b.labels), len(a.labels)), np.nan)
    counts = np.zeros_like(grid, dtype=int)
    for i in range(len(a.labels)):
        for j in range(len(b.labels)):
            mask = (a.index == i) & (b.index == j)
            counts[j, i] = int(mask.sum())
            if counts[j, i]:
                grid[j, i] = bust[mask].mean()
    return grid, counts


def box_coords(binned: Binned, low: float, high: float) -> tuple[float, float]:
    """Where ``[low, high]`` of a parameter lies on a heat-map axis of ``binned`` (cell i spans i-0.5..i+0.5):
    linear inside an equal-width bin; a level counts when it lies in the interval."""
    n = len(binned.labels)
    if all(lo == hi for lo, hi in binned.edges):   # levels
        inside = [i for i, (v, _) in enumerate(binned.edges) if low - 1e-12 <= v <= high + 1e-12]
        return (inside[0] - 0.5, inside[-1] + 0.5) if inside else (-0.5, -0.5)

    def at(v: float) -> float:
        for i, (lo, hi) in enumerate(binned.edges):
            if v <= hi or i == n - 1:
                frac = 0.0 if hi == lo else (v - lo) / (hi - lo)
                return i - 0.5 + min(1.0, max(0.0, frac))
        return n - 0.5

    return at(low), at(high)


def heatmap(a: Binned, b: Binned, bust: np.ndarray, box: dict | None = None, width: float | None = None):
    """Bust probability over two binned parameters (``a`` across, ``b`` up), runs per cell (``n``);
    cells without a run are grey and say ``n=0``. ``box``: a PRIM box
    (:func:`experiments.sweep_stats.prim_box`), drawn as a dashed rectangle over its limits on ``a``
    and ``b`` (the whole axis for a parameter it does not restrict). ``width``: inches (default: by the
    number of bins)."""
    from matplotlib import colormaps
    from matplotlib.patches import Rectangle

    grid, counts = heat_grid(a, b, bust)
    fig, ax = _figure(figsize=(width or 2.0 + 1.05 * len(a.labels), 1.6 + 0.8 * len(b.labels)))
    cmap = colormaps["RdYlGn_r"].with_extremes(bad=EMPTY)
    im = ax.imshow(np.ma.masked_invalid(grid), origin="lower", cmap=cmap, vmin=0, vmax=1, aspect="auto")
    if grid.size <= 100:
        for i in range(len(a.labels)):
            for j in range(len(b.labels)):
                if counts[j, i]:
                    dark = grid[j, i] > 0.8 or grid[j, i] < 0.12
                    ax.text(i, j, f"{100 * grid[j, i]:.0f}%\nn={counts[j, i]}", ha="center", va="center",
                            fontsize=LABEL_PT, color="white" if dark else "black")
                else:
                    ax.text(i, j, "no runs\nn=0", ha="center", va="center", fontsize=LABEL_PT, color="#444")
    if box is not None:
        lims = {r["parameter"]: (r["low"], r["high"]) for r in box.get("restricted", [])}
        x0, x1 = box_coords(a, *lims[a.name]) if a.name in lims else (-0.5, len(a.labels) - 0.5)
        y0, y1 = box_coords(b, *lims[b.name]) if b.name in lims else (-0.5, len(b.labels) - 0.5)
        ax.add_patch(Rectangle((x0, y0), x1 - x0, y1 - y0, fill=False, edgecolor="#1f3b73", lw=2.5, ls="--",
                               label=f"PRIM bust box (density {box['density']:.0%}, coverage {box['coverage']:.0%})"))
        ax.legend(fontsize=LABEL_PT, loc="upper center", bbox_to_anchor=(0.5, -0.28), frameon=False)
    ax.set_xticks(range(len(a.labels)), a.labels, rotation=40, ha="right", fontsize=LABEL_PT)
    ax.set_yticks(range(len(b.labels)), b.labels, fontsize=LABEL_PT)
    ax.set_xlabel(a.name, fontsize=LABEL_PT)
    ax.set_ylabel(b.name, fontsize=LABEL_PT)
    cb = fig.colorbar(im, ax=ax)
    cb.set_label("bust probability", fontsize=LABEL_PT)
    cb.ax.tick_params(labelsize=LABEL_PT)
    ax.set_title("Bust probability (n: runs per cell; grey: no run)", fontsize=TITLE_PT)
    fig.tight_layout()
    return fig


def indices(table, title: str, cols: tuple[str, str], conf: tuple[str, str] | None):
    """Two indices per parameter as bars (e.g. Sobol S1 and ST), one panel per output."""
    outputs = list(dict.fromkeys(table["output"]))
    fig, axes = _figure(figsize=(5.0 * len(outputs), 0.9 + 0.45 * table["parameter"].nunique()),
                        grid=(1, len(outputs)))
    for ax, out in zip(axes.flat, outputs):
        t = table[table["output"] == out]
        y = np.arange(len(t))
        for k, (col, color) in enumerate(zip(cols, ("#4f81bd", "#c0504d"))):
            xerr = t[conf[k]].to_numpy() if conf else None
            ax.barh(y + (k - 0.5) * 0.38, t[col].to_numpy(), height=0.38, color=color, label=col,
                    xerr=None if xerr is None else np.nan_to_num(xerr), capsize=2)
        ax.set_yticks(y, t["parameter"], fontsize=8)
        ax.invert_yaxis()
        ax.set_title(out, fontsize=9)
        ax.legend(fontsize=7)
    fig.suptitle(title, fontsize=10)
    fig.tight_layout()
    return fig


def morris(table):
    """Morris mu* against sigma, one panel per output."""
    outputs = list(dict.fromkeys(table["output"]))
    fig, axes = _figure(figsize=(5.0 * len(outputs), 4.2), grid=(1, len(outputs)))
    for ax, out in zip(axes.flat, outputs):
        t = table[table["output"] == out]
        ax.scatter(t["mu_star"], t["sigma"], color="#c0504d")
        for _, r in t.iterrows():
            ax.annotate(r["parameter"], (r["mu_star"], r["sigma"]), fontsize=7, xytext=(3, 3),
                        textcoords="offset points")
        ax.set_xlabel("mu* (mean |elementary effect|, per unit of range)")
        ax.set_ylabel("sigma (interactions, non-linearity)")
        ax.set_title(out, fontsize=9)
    fig.suptitle("Morris screening", fontsize=10)
    fig.tight_layout()
    return fig


def prim_tradeoff(traj, chosen: int, label: str):
    """PRIM's peeling trajectory, coverage against density, the reported box circled."""
    fig, ax = _figure(figsize=(5.2, 4.0))
    sc = ax.scatter(traj["coverage"], traj["density"], c=traj["res_dim"], cmap="viridis", s=14)
    ax.scatter([traj["coverage"].iloc[chosen]], [traj["density"].iloc[chosen]], s=90, facecolors="none",
               edgecolors="red", linewidths=1.5, label="reported box")
    ax.set_xlabel(f"coverage (share of {label} runs inside the box)")
    ax.set_ylabel(f"density ({label} rate inside the box)")
    ax.set_xlim(0, 1.02)
    ax.set_ylim(0, 1.02)
    fig.colorbar(sc, ax=ax, label="restricted parameters")
    ax.legend(fontsize=7, loc="lower left")
    ax.set_title(f"PRIM peeling trajectory ({label})", fontsize=9)
    fig.tight_layout()
    return fig


# ===== as files (computebubble analyze) ========================================================

def plot_bars(tables: list, path: Path, base_rate: float) -> None:
    save(bars(tables, base_rate), path)


def plot_heatmap(a: Binned, b: Binned, bust: np.ndarray, path: Path, box: dict | None = None) -> None:
    save(heatmap(a, b, bust, box), path)


def plot_indices(table, path: Path, title: str, cols: tuple[str, str], conf: tuple[str, str] | None) -> None:
    save(indices(table, title, cols, conf), path)


def plot_morris(table, path: Path) -> None:
    save(morris(table), path)


def plot_prim(traj, chosen: int, path: Path, label: str) -> None:
    save(prim_tradeoff(traj, chosen, label), path)


__all__ = ["bars", "heatmap", "heat_grid", "box_coords", "LABEL_PT", "EMPTY", "indices", "morris", "prim_tradeoff", "save", "plot_bars", "plot_heatmap",
           "plot_indices", "plot_morris", "plot_prim"]
