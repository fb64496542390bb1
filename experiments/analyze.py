"""Analysis of a stored sweep: what drives the bust probability.

``computebubble analyze DIR [--out DIR/analysis] [--pair A,B]`` reads a sweep folder
(:func:`experiments.sweep.load_results`, ``sweep.json``, ``design.parquet``) and writes:

- ``bust_by_parameter.png`` and ``.csv``: the bust probability in bins of each swept
  parameter (one bar per level for a list of values or a coarse integer range; equal-width
  bins over the spec's range otherwise), with 95% Wilson intervals and run counts;
- ``bust_heatmap_<A>__<B>.png``: the bust probability over two parameters (by default the
  two most influential, see below; ``--pair A,B`` chooses);
- ``influence.csv``: for each parameter a model-free first-order effect, the bias-corrected
  correlation ratio epsilon^2 of ``bust`` on the binned parameter (the share of the variance
  of bust explained by that parameter alone; about S1 for a space-filling design), and the
  Spearman correlation of the parameter with bust (its direction);
- Sobol designs: ``sobol_indices.csv`` / ``.png``, first-order and total indices with 95%
  bootstrap intervals (:func:`SALib.analyze.sobol.analyze`) of the bust probability (bust
  averaged over replications) and of peak capex;
- Morris designs: ``morris.csv`` / ``.png``, mu*, mu and sigma of the elementary effects
  (:func:`SALib.analyze.morris.analyze`) on the same two outputs, in the unit cube, so
  the parameters compare on one scale;
- scenario discovery: ``prim.csv`` and ``prim_tradeoff.png``. PRIM
  (:class:`ema_workbench.analysis.prim.Prim`, Friedman and Fisher's patient peeling, as in
  the EMA Workbench) peels the parameter space toward runs that bust; of the boxes on the
  peeling trajectory we report the one with the highest bust density among those that still
  cover at least ``min_coverage`` (default half) of all busts, with its coverage (share of
  busts inside), density (bust rate inside) and mass (share of runs inside). The same is
  done for runs that do not bust (where the build-out holds);
- ``report.md``: the headline (which parameters drive the bust probability, and which way),
  then the tables and the figures.

Influence ranking, used for the headline and the default heat-map pair: total Sobol
index of the bust probability for a complete Sobol design; mu* for a complete Morris
design; epsilon^2 otherwise. Runs that raised (a non-empty ``error``) are left out and
counted in the report.
"""

from __future__ import annotations

import math
import os
import shutil
import tempfile
import warnings
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from experiments.outcomes import ANALYSED, analysed_label
from experiments.sweep import SweepError, load_design, load_meta, load_results

#: Bins for a numeric range (fewer when runs are few).
MAX_BINS = 8
HEAT_BINS = 6
#: A parameter listed as a driver has at least this share of the largest index.
DRIVER_SHARE = 0.25
#: ... and at least this index (epsilon^2, ST or normalised mu*).
DRIVER_MIN = 0.02
#: What the indices explain: (outcome, label), e.g. ("bust", "bust probability").
OUTPUTS = tuple((name, analysed_label(name)) for name in ANALYSED)


@dataclass
class Binned:
    """A parameter cut into bins: a label and the runs' bin index."""

    name: str
    labels: list[str]
    index: np.ndarray  # bin of each run
    edges: list[tuple[float, float]]


# ===== small statistics =====================================================================

def wilson(k: float, n: float, z: float = 1.96) -> tuple[float, float]:
    """95% Wilson score interval of a proportion k/n."""
    if n <= 0:
        return math.nan, math.nan
    p = k / n
    den = 1 + z * z / n
    mid = (p + z * z / (2 * n)) / den
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / den
    return max(0.0, mid - half), min(1.0, mid + half)


def epsilon_squared(y: np.ndarray, groups: np.ndarray) -> float:
    """Bias-corrected correlation ratio: (SS_between - (k-1) MS_within) / SS_total, at least 0."""
    y = np.asarray(y, dtype=float)
    n = len(y)
    total = float(((y - y.mean()) ** 2).sum())
    if n < 3 or total == 0.0:
        return math.nan if total == 0.0 else 0.0
    labels, inv = np.unique(groups, return_inverse=True)
    k = len(labels)
    means = np.bincount(inv, weights=y) / np.bincount(inv)
    between = float((np.bincount(inv) * (means - y.mean()) ** 2).sum())
    within = total - between
    ms_within = within / max(n - k, 1)
    return max(0.0, (between - (k - 1) * ms_within) / total)


def _fmt(v: float, digits: int = 3) -> str:
    if v is None or (isinstance(v, float) and not math.isfinite(v)):
        return "n/a"
    a = abs(v)
    if a >= 1e9:
        return f"{v / 1e9:,.0f}B" if a >= 1e11 else f"{v / 1e9:,.1f}B"
    if a >= 1000 or (a > 0 and a < 0.01):
        return f"{v:.{digits}g}"
    return f"{v:.{digits}g}"


# ===== binning ==============================================================================

def bin_parameter(name: str, spec: dict[str, Any], values: np.ndarray, max_bins: int) -> Binned:
    """Levels for a list of values or few distinct values; equal-width bins over the range otherwise."""
    values = np.asarray(values, dtype=float)
    distinct = np.unique(values)
    if spec.get("kind") == "values" or len(distinct) <= max_bins:
        levels = sorted(distinct)
        index = np.searchsorted(levels, values)
        return Binned(name, [_fmt(v) for v in levels], index, [(v, v) for v in levels])
    lo, hi = float(spec.get("low", distinct[0])), float(spec.get("high", distinct[-1]))
    nb = max(2, min(max_bins, int(len(values) / 12) or 2))
    if spec.get("integer"):
        nb = min(nb, int(hi - lo) + 1)
    edges = np.linspace(lo, hi, nb + 1)
    index = np.clip(np.searchsorted(edges, values, side="right") - 1, 0, nb - 1)
    labels = [f"{_fmt(edges[i])}-{_fmt(edges[i + 1])}" for i in range(nb)]
    return Binned(name, labels, index, [(edges[i], edges[i + 1]) for i in range(nb)])


def binned_table(binned: Binned, bust: np.ndarray):
    import pandas as pd

    rows = []
    for i, label in enumerate(binned.labels):
        mask = binned.index == i
        n, k = int(mask.sum()), int(bust[mask].sum())
        lo, hi = wilson(k, n)
        rows.append({"parameter": binned.name, "bin": label, "low": binned.edges[i][0], "high": binned.edges[i][1],
                     "runs": n, "busts": k, "bust_prob": k / n if n else math.nan, "ci_low": lo, "ci_high": hi})
    return pd.DataFrame(rows)


# ===== figures ==============================================================================

def _plt():
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    return plt


def plot_bars(tables: list, path: Path, base_rate: float) -> None:
    plt = _plt()
    n = len(tables)
    cols = min(3, n)
    rows = math.ceil(n / cols)
    fig, axes = plt.subplots(rows, cols, figsize=(4.6 * cols, 3.4 * rows), squeeze=False)
    for ax, t in zip(axes.flat, tables):
        x = np.arange(len(t))
        p = t["bust_prob"].to_numpy()
        err = np.clip(np.vstack([p - t["ci_low"].to_numpy(), t["ci_high"].to_numpy() - p]), 0.0, None)
        ax.bar(x, p, color="#c0504d", alpha=0.85, yerr=np.nan_to_num(err), capsize=2, ecolor="#555")
        ax.axhline(base_rate, color="#333", lw=0.8, ls="--")
        for xi, (pi, ni) in enumerate(zip(p, t["runs"])):
            ax.text(xi, 0.02, str(ni), ha="center", va="bottom", fontsize=7, color="white" if pi > 0.1 else "#333")
        ax.set_xticks(x, t["bin"], rotation=40, ha="right", fontsize=7)
        ax.set_ylim(0, 1)
        ax.set_title(t["parameter"].iloc[0], fontsize=9)
        ax.set_ylabel("bust probability", fontsize=8)
    for ax in list(axes.flat)[n:]:
        ax.axis("off")
    fig.suptitle("Bust probability by parameter (bars: 95% Wilson interval; numbers: runs; dashed: all runs)",
                 fontsize=10)
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)


def plot_heatmap(a: Binned, b: Binned, bust: np.ndarray, path: Path) -> None:
    plt = _plt()
    grid = np.full((len(b.labels), len(a.labels)), np.nan)
    counts = np.zeros_like(grid, dtype=int)
    for i in range(len(a.labels)):
        for j in range(len(b.labels)):
            mask = (a.index == i) & (b.index == j)
            counts[j, i] = int(mask.sum())
            if counts[j, i]:
                grid[j, i] = bust[mask].mean()
    fig, ax = plt.subplots(figsize=(1.0 + 0.9 * len(a.labels), 1.0 + 0.7 * len(b.labels)))
    cmap = plt.get_cmap("RdYlGn_r").with_extremes(bad="#dddddd")
    im = ax.imshow(np.ma.masked_invalid(grid), origin="lower", cmap=cmap, vmin=0, vmax=1, aspect="auto")
    if grid.size <= 100:
        for i in range(len(a.labels)):
            for j in range(len(b.labels)):
                if counts[j, i]:
                    dark = grid[j, i] > 0.8 or grid[j, i] < 0.12
                    ax.text(i, j, f"{100 * grid[j, i]:.0f}%\n({counts[j, i]})", ha="center", va="center", fontsize=6,
                            color="white" if dark else "black")
    ax.set_xticks(range(len(a.labels)), a.labels, rotation=40, ha="right", fontsize=7)
    ax.set_yticks(range(len(b.labels)), b.labels, fontsize=7)
    ax.set_xlabel(a.name)
    ax.set_ylabel(b.name)
    fig.colorbar(im, ax=ax, label="bust probability")
    ax.set_title("Bust probability (runs per cell in brackets)", fontsize=9)
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)


def plot_indices(table, path: Path, title: str, cols: tuple[str, str], conf: tuple[str, str] | None) -> None:
    plt = _plt()
    outputs = list(dict.fromkeys(table["output"]))
    fig, axes = plt.subplots(1, len(outputs), figsize=(5.0 * len(outputs), 0.9 + 0.45 * table["parameter"].nunique()),
                             squeeze=False)
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
    fig.savefig(path, dpi=110)
    plt.close(fig)


def plot_morris(table, path: Path) -> None:
    plt = _plt()
    outputs = list(dict.fromkeys(table["output"]))
    fig, axes = plt.subplots(1, len(outputs), figsize=(5.0 * len(outputs), 4.2), squeeze=False)
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
    fig.savefig(path, dpi=110)
    plt.close(fig)


def plot_prim(traj, chosen: int, path: Path, label: str) -> None:
    plt = _plt()
    fig, ax = plt.subplots(figsize=(5.2, 4.0))
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
    fig.savefig(path, dpi=110)
    plt.close(fig)


# ===== sensitivity ==========================================================================

def per_sample(ok, n_samples: int) -> tuple[Any, str | None]:
    """Mean of each output per sample (over replications); a reason if samples are missing."""
    agg = ok.groupby("sample")[[c for c, _ in OUTPUTS]].mean(numeric_only=False)
    agg["bust"] = ok.groupby("sample")["bust"].mean()
    missing = n_samples - agg.index.isin(range(n_samples)).sum()
    if missing > 0:
        return agg, f"{missing} of {n_samples} samples have no successful run (a sweep not finished, or errors)"
    return agg.reindex(range(n_samples)), None


def sobol_table(meta, ok) -> tuple[Any, str | None]:
    import pandas as pd
    from SALib.analyze import sobol

    names = meta["names"]
    d = len(names)
    second = bool(meta["design"].get("second_order"))
    n = meta["design"]["samples"] * ((2 * d + 2) if second else (d + 2))
    agg, why = per_sample(ok, n)
    if why:
        return None, why
    problem = {"num_vars": d, "names": names, "bounds": [[0.0, 1.0]] * d}
    rows = []
    for col, label in OUTPUTS:
        y = agg[col].to_numpy(dtype=float)
        if not np.isfinite(y).all() or np.var(y) == 0:
            continue
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            si = sobol.analyze(problem, y, calc_second_order=second, seed=meta["design"]["seed"],
                               print_to_console=False)
        for j, name in enumerate(names):
            rows.append({"output": label, "parameter": name, "S1": si["S1"][j], "S1_conf": si["S1_conf"][j],
                         "ST": si["ST"][j], "ST_conf": si["ST_conf"][j]})
    if not rows:
        return None, "both outputs are constant across samples"
    return pd.DataFrame(rows), None


def morris_table(meta, ok, design) -> tuple[Any, str | None]:
    import pandas as pd
    from SALib.analyze import morris

    names = meta["names"]
    d = len(names)
    n = meta["design"]["samples"] * (d + 1)
    agg, why = per_sample(ok, n)
    if why:
        return None, why
    first = design.drop_duplicates("sample").set_index("sample").reindex(range(n))
    x = first[[f"x_{nm}" for nm in names]].to_numpy(dtype=float)
    problem = {"num_vars": d, "names": names, "bounds": [[0.0, 1.0]] * d}
    rows = []
    for col, label in OUTPUTS:
        y = agg[col].to_numpy(dtype=float)
        if not np.isfinite(y).all():
            continue
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            si = morris.analyze(problem, x, y, num_levels=meta["design"].get("num_levels", 4),
                                seed=meta["design"]["seed"], print_to_console=False)
        for j, name in enumerate(names):
            rows.append({"output": label, "parameter": name, "mu_star": si["mu_star"][j], "mu": si["mu"][j],
                         "sigma": si["sigma"][j], "mu_star_conf": si["mu_star_conf"][j]})
    return pd.DataFrame(rows), None


# ===== scenario discovery ===================================================================

def prim_box(x, y: np.ndarray, min_coverage: float) -> dict[str, Any] | None:
    """PRIM on ``y`` (bool); the densest box on the trajectory with coverage >= ``min_coverage``."""
    if y.all() or not y.any():
        return None
    import logging

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # ema_workbench warns about optional parallel back-ends
        from ema_workbench.analysis import prim
    logging.getLogger("EMA").setLevel(logging.WARNING)
    # binary mode: cases of interest are y >= threshold (True); a final box whose density stays
    # below the threshold comes back as a "dump box" of the whole space (a one-row trajectory)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # and pandas deprecation warnings from inside ema_workbench
        p = prim.Prim(x, y.astype(int), threshold=0.5, peel_alpha=0.05, paste_alpha=0.05, mass_min=0.05)
        box = p.find_box()
    traj = box.peeling_trajectory.reset_index(drop=True)
    if len(traj) < 2:
        return None
    eligible = traj[traj["coverage"] >= min_coverage]
    best = eligible.sort_values(["density", "coverage"], ascending=[False, False]).index[0]
    lims = box.box_lims[best]
    init = p.box_init
    restricted = []
    for name in x.columns:
        lo, hi = float(lims[name].iloc[0]), float(lims[name].iloc[1])
        lo0, hi0 = float(init[name].iloc[0]), float(init[name].iloc[1])
        if lo > lo0 or hi < hi0:
            restricted.append({"parameter": name, "low": lo, "high": hi, "full_low": lo0, "full_high": hi0})
    r = traj.loc[best]
    return {"index": int(best), "coverage": float(r["coverage"]), "density": float(r["density"]),
            "mass": float(r["mass"]), "n": int(r["n"]), "restricted": restricted, "trajectory": traj,
            "base_rate": float(y.mean())}


# ===== the analysis =========================================================================

def analyze(results: str | os.PathLike, out: str | os.PathLike | None = None, pair: str | None = None,
            min_coverage: float = 0.5) -> dict[str, Any]:
    """Analyse a sweep folder and write figures, tables and report.md into ``out``."""
    import pandas as pd

    from experiments.scenario import clip, os_problem

    results = Path(results)
    try:
        is_dir = results.is_dir()
    except OSError as e:
        raise SweepError(f"{clip(results)!r}: {os_problem(e, results)}; allowed: a folder written by "
                         "'computebubble sweep'") from None
    if not is_dir:
        raise SweepError(f"{clip(results)!r} is not a folder; allowed: a folder written by 'computebubble sweep'")
    meta = load_meta(results)
    frame = load_results(results)
    design = load_design(results)
    names: list[str] = meta["names"]
    specs = {p["name"]: p for p in meta["design"]["parameters"]}
    pair_names = _parse_pair(pair, names)
    if not 0.0 < min_coverage <= 1.0:
        raise SweepError(f"min_coverage {min_coverage}: allowed: a number in (0, 1]")
    out = Path(out).expanduser() if out is not None else results / "analysis"
    stage_in = check_analysis_out(out)

    errors = frame["error"].notna() if "error" in frame else pd.Series(False, index=frame.index)
    ok = frame[~errors].reset_index(drop=True)
    if ok.empty:
        raise SweepError(f"'{results}': every stored run raised; nothing to analyse (see the 'error' column)")
    missing = [c for c in (*names, "bust") if c not in ok.columns]
    if missing:
        raise SweepError(f"'{results}': the stored runs have no column '{missing[0]}'; allowed: runs of the sweep "
                         "its sweep.json describes")
    # everything is written into a temporary folder beside the destination and moved in at the end,
    # so an error part way leaves no half-written analysis
    final = out
    out = Path(tempfile.mkdtemp(prefix=f".{final.name}.", suffix=".tmp", dir=stage_in))
    try:
        result = _write_analysis(results, out, meta, frame, design, ok, errors, names, specs, pair_names,
                                 min_coverage)
        final.mkdir(parents=True, exist_ok=True)
        for p in result["files"]:
            shutil.move(str(p), final / p.name)
    finally:
        shutil.rmtree(out, ignore_errors=True)
    result["out"] = final
    result["files"] = [final / p.name for p in result["files"]]
    return result


def check_analysis_out(out: Path) -> Path:
    """``analyze --out``: a folder (or nothing yet) under a folder this process can write in;
    returns the nearest existing folder (where the analysis is staged)."""
    from experiments.scenario import clip, name_max, os_problem

    shown = clip(out)
    too_long = [part for part in out.parts if len(part.encode()) > name_max() - 20]
    if too_long:
        raise SweepError(f"--out {shown!r}: a name of {len(too_long[0])} characters; allowed: names of at most "
                         f"{name_max() - 20} characters")
    try:
        if out.exists() and not out.is_dir():
            raise SweepError(f"--out {shown!r}: exists and is not a folder; allowed: a folder for the figures and "
                             "report")
        base = out
        while not base.exists():
            base = base.parent
        if not base.is_dir():
            raise SweepError(f"--out {shown!r}: '{clip(base)}' is not a folder; allowed: a path of folders")
        with tempfile.TemporaryFile(dir=base, prefix=".computebubble-probe-"):
            pass
    except OSError as e:
        raise SweepError(f"--out {shown!r}: cannot write there ({os_problem(e)}); allowed: a folder you can "
                         "write") from None
    return base


def _write_analysis(results: Path, out: Path, meta, frame, design, ok, errors, names: list[str],
                    specs: dict[str, Any], pair_names, min_coverage: float) -> dict[str, Any]:
    """The figures, tables and report.md of :func:`analyze`, written into ``out``."""
    import pandas as pd

    ok["bust"] = ok["bust"].astype(bool)
    bust = ok["bust"].to_numpy()
    base = float(bust.mean())
    total_runs = len(design)
    written: list[Path] = []

    # bust probability by parameter, and a model-free influence measure
    bins = {nm: bin_parameter(nm, specs[nm], ok[nm].to_numpy(), MAX_BINS) for nm in names}
    tables = [binned_table(bins[nm], bust) for nm in names]
    pd.concat(tables).to_csv(out / "bust_by_parameter.csv", index=False)
    plot_bars(tables, out / "bust_by_parameter.png", base)
    written += [out / "bust_by_parameter.png", out / "bust_by_parameter.csv"]
    influence = _influence(ok, bins, tables, names)

    # sensitivity indices by design
    sens_note = None
    sobol = morris_t = None
    if meta["design"]["sampler"] == "sobol":
        sobol, sens_note = sobol_table(meta, ok)
        if sobol is not None:
            sobol.to_csv(out / "sobol_indices.csv", index=False)
            plot_indices(sobol, out / "sobol_indices.png", "Sobol indices (bars: 95% bootstrap intervals)",
                         ("S1", "ST"), ("S1_conf", "ST_conf"))
            written += [out / "sobol_indices.csv", out / "sobol_indices.png"]
            st = sobol[sobol["output"] == "bust probability"].set_index("parameter")
            if len(st):
                influence["ST"] = influence["parameter"].map(st["ST"])
                influence["conf"] = influence["parameter"].map(st["ST_conf"])
                influence["S1"] = influence["parameter"].map(st["S1"])
    elif meta["design"]["sampler"] == "morris":
        morris_t, sens_note = morris_table(meta, ok, design)
        if morris_t is not None:
            morris_t.to_csv(out / "morris.csv", index=False)
            plot_morris(morris_t, out / "morris.png")
            written += [out / "morris.csv", out / "morris.png"]
            ms = morris_t[morris_t["output"] == "bust probability"].set_index("parameter")
            if len(ms):
                influence["mu_star"] = influence["parameter"].map(ms["mu_star"])
                influence["conf"] = influence["parameter"].map(ms["mu_star_conf"] / ms["mu_star"].max())
    measure = "ST" if "ST" in influence else "mu_star" if "mu_star" in influence else "epsilon2"
    influence["index"] = influence[measure]
    if measure == "mu_star":  # normalise to the largest, so DRIVER_MIN applies
        top = influence["index"].max()
        influence["index"] = influence["index"] / top if top and top > 0 else influence["index"]
    influence = influence.sort_values("index", ascending=False, na_position="last").reset_index(drop=True)
    influence.to_csv(out / "influence.csv", index=False)
    written.append(out / "influence.csv")

    # heat map over two parameters
    if len(names) >= 2:
        a, b = pair_names or tuple(influence["parameter"].iloc[:2])
        ha = bin_parameter(a, specs[a], ok[a].to_numpy(), HEAT_BINS)
        hb = bin_parameter(b, specs[b], ok[b].to_numpy(), HEAT_BINS)
        heat = out / f"bust_heatmap_{a}__{b}.png"
        plot_heatmap(ha, hb, bust, heat)
        written.append(heat)
    else:
        heat = None

    # scenario discovery
    x = ok[names].astype(float)
    boxes = {}
    for label, y in (("bust", bust), ("no bust", ~bust)):
        box = prim_box(x, y, min_coverage)
        boxes[label] = box
    prim_rows = []
    for label, box in boxes.items():
        if box is None:
            continue
        for r in box["restricted"]:
            prim_rows.append({"target": label, "coverage": box["coverage"], "density": box["density"],
                              "mass": box["mass"], **r})
        if label == "bust":
            plot_prim(box["trajectory"], box["index"], out / "prim_tradeoff.png", label)
            written.append(out / "prim_tradeoff.png")
    pd.DataFrame(prim_rows, columns=["target", "coverage", "density", "mass", "parameter", "low", "high",
                                     "full_low", "full_high"]).to_csv(out / "prim.csv", index=False)
    written.append(out / "prim.csv")

    headline = _headline(influence, measure, base, len(ok))
    report = _report(meta, results, frame, ok, errors, total_runs, base, influence, measure, tables, sobol,
                     morris_t, sens_note, boxes, heat, headline, min_coverage)
    (out / "report.md").write_text(report, encoding="utf-8")
    written.append(out / "report.md")
    return {"out": out, "files": written, "headline": headline, "influence": influence, "base_rate": base,
            "boxes": boxes}


def _parse_pair(pair: str | None, names: list[str]) -> tuple[str, str] | None:
    if pair is None:
        return None
    parts = [p.strip() for p in pair.split(",")]
    if len(parts) != 2 or not all(parts) or parts[0] == parts[1]:
        raise SweepError(f"--pair {pair!r}: allowed: two different swept parameters as A,B ({', '.join(names)})")
    for p in parts:
        if p not in names:
            raise SweepError(f"--pair: '{p}' is not a parameter of this sweep; allowed: {', '.join(names)}")
    return parts[0], parts[1]


def _influence(ok, bins: dict[str, Binned], tables: list, names: list[str]):
    import pandas as pd
    from scipy.stats import spearmanr

    bust = ok["bust"].to_numpy(dtype=float)
    rows = []
    for nm, t in zip(names, tables):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            rho = spearmanr(ok[nm].to_numpy(dtype=float), bust).statistic if np.var(bust) > 0 else math.nan
        nonempty = t[t["runs"] > 0]
        rows.append({"parameter": nm, "epsilon2": epsilon_squared(bust, bins[nm].index), "spearman": float(rho),
                     "bust_prob_lowest_bin": float(nonempty["bust_prob"].iloc[0]),
                     "bust_prob_highest_bin": float(nonempty["bust_prob"].iloc[-1]),
                     "bust_prob_min_bin": float(nonempty["bust_prob"].min()),
                     "bust_prob_max_bin": float(nonempty["bust_prob"].max())})
    return pd.DataFrame(rows)


_MEASURE_TEXT = {"ST": "total Sobol index", "mu_star": "Morris mu*, relative to the largest",
                 "epsilon2": "share of variance explained alone, epsilon^2"}


def _drivers(influence) -> list:
    top = influence["index"].max()
    if not (top and top > 0):
        return []
    d = influence[(influence["index"] >= DRIVER_SHARE * top) & (influence["index"] >= DRIVER_MIN)]
    return list(d.itertuples(index=False))[:3]


def _headline(influence, measure: str, base: float, n: int) -> str:
    lead = f"Bust probability {100 * base:.0f}% over {n} runs."
    if base in (0.0, 1.0):
        return lead + (" No run busts" if base == 0 else " Every run busts") + ": nothing to attribute."
    drivers = _drivers(influence)
    if not drivers:
        return lead + " No swept parameter moves it much (every index below " \
                      f"{DRIVER_MIN}); the variation is mostly the seeds'."
    parts = []
    for r in drivers:
        way = "rises" if r.spearman > 0 else "falls"
        parts.append(f"**{r.parameter}** ({_MEASURE_TEXT[measure].split(',')[0]} {r.index:.2f}; bust probability "
                     f"{way} from {100 * r.bust_prob_lowest_bin:.0f}% in its lowest bin to "
                     f"{100 * r.bust_prob_highest_bin:.0f}% in its highest)")
    rest = [p for p in influence["parameter"] if p not in {r.parameter for r in drivers}]
    tail = f"; {', '.join(rest)} matter less" if rest else ""
    text = f"{lead} It is driven mostly by " + ", then ".join(parts) + tail + "."
    if "conf" in influence:
        wide = [r for r in drivers if math.isfinite(r.conf) and r.conf > r.index / 2]
        if wide:
            by_eps = influence.sort_values("epsilon2", ascending=False)["parameter"].iloc[:3]
            text += (f" Caution: the {_MEASURE_TEXT[measure].split(',')[0]} intervals are wide (half-width "
                     f"{', '.join(f'{r.conf:.2f}' for r in wide)} for "
                     f"{', '.join(r.parameter for r in wide)}), so this ranking needs more samples; the "
                     f"model-free first-order ranking (epsilon^2) is {', '.join(by_eps)}.")
    return text


def _md_table(frame, cols: list[str], fmt: dict[str, Any] | None = None) -> str:
    fmt = fmt or {}
    lines = ["| " + " | ".join(cols) + " |", "|" + "---|" * len(cols)]

    def cell(c: str, v: Any) -> str:
        if isinstance(v, float) and not math.isfinite(v):
            return "n/a"
        return fmt[c](v) if c in fmt else _fmt(v) if isinstance(v, float) else str(v)

    for r in frame[cols].itertuples(index=False):
        cells = [cell(c, v) for c, v in zip(cols, r)]
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines)


def _box_text(box: dict[str, Any] | None, label: str, min_coverage: float) -> str:
    if box is None:
        return (f"- {label}: no box (every run or no run is a case of '{label}', or peeling never reached a "
                f"'{label}' density of 0.5).")
    lims = "; ".join(f"{r['parameter']} in [{_fmt(r['low'])}, {_fmt(r['high'])}] (of [{_fmt(r['full_low'])}, "
                     f"{_fmt(r['full_high'])}])" for r in box["restricted"]) or "the whole space"
    return (f"- **{label}**: {lims}. Coverage {box['coverage']:.2f} (share of all '{label}' runs inside), "
            f"density {box['density']:.2f} ('{label}' rate inside, against {box['base_rate']:.2f} overall), "
            f"mass {box['mass']:.2f} ({box['n']} runs). Chosen as the densest box on the peeling trajectory "
            f"that keeps coverage >= {min_coverage:g}.")


def _report(meta, results, frame, ok, errors, total_runs, base, influence, measure, tables, sobol, morris_t,
            sens_note, boxes, heat, headline, min_coverage) -> str:
    d = meta["design"]
    versions = sorted(frame["code_version"].dropna().unique()) if "code_version" in frame else []
    lo, hi = wilson(base * len(ok), len(ok))
    lines = [f"# Sweep analysis: {meta.get('title', results.name)}", ""]
    lines.append(f"Sweep folder `{results}`: scenario `{d['scenario']}`, {d['months']} months, sampler "
                 f"`{d['sampler']}`, {meta['replications']} replication(s), root seed {d['seed']}"
                 f"{' (common seeds)' if d.get('common_seeds') else ''}. "
                 f"{len(frame)} of {total_runs} runs stored, {int(errors.sum())} raised (left out). "
                 f"Code: {', '.join(versions) or 'unknown'}.")
    if d["sampler"] in ("sobol", "morris") and not d.get("common_seeds"):
        headline_note = (f" Caution: this {d['sampler']} design ran without common_seeds, so every sample had "
                         "its own seed and the model's noise is in every index (see experiments/sweep.py).")
    else:
        headline_note = ""
    lines += ["", "## Headline", "", headline + headline_note, "",
              f"Overall bust probability {100 * base:.1f}% (95% interval {100 * lo:.1f}-{100 * hi:.1f}%). "
              f"Influence measure: {_MEASURE_TEXT[measure]}.", ""]
    lines += ["## Influence of each parameter on the bust probability", ""]
    cols = ["parameter", "index", "epsilon2", "spearman", "bust_prob_lowest_bin", "bust_prob_highest_bin"]
    cols += [c for c in ("S1", "ST", "mu_star") if c in influence]
    pct = lambda v: f"{100 * v:.0f}%"  # noqa: E731
    lines.append(_md_table(influence, cols, {"bust_prob_lowest_bin": pct, "bust_prob_highest_bin": pct,
                                             "index": lambda v: f"{v:.3f}", "epsilon2": lambda v: f"{v:.3f}",
                                             "spearman": lambda v: f"{v:+.2f}"}))
    lines += ["", "epsilon2: share of the variance of bust explained by the binned parameter alone "
              "(bias-corrected correlation ratio; a model-free first-order effect). spearman: rank correlation "
              "with bust (its sign is the direction).", "",
              "![bust probability by parameter](bust_by_parameter.png)", ""]
    if heat is not None:
        lines += [f"![bust probability over two parameters]({heat.name})", ""]
    if d["sampler"] == "sobol":
        lines += ["## Sobol indices", ""]
        if sobol is None:
            lines.append(f"Not computed: {sens_note}.")
        else:
            lines.append(_md_table(sobol, ["output", "parameter", "S1", "S1_conf", "ST", "ST_conf"],
                                   {c: (lambda v: f"{v:.3f}") for c in ("S1", "S1_conf", "ST", "ST_conf")}))
            lines += ["", "Bust probability: bust averaged over each sample's replications. Indices from "
                      "SALib.analyze.sobol; conf is the half-width of the 95% bootstrap interval.", "",
                      "![Sobol indices](sobol_indices.png)"]
        lines.append("")
    if d["sampler"] == "morris":
        lines += ["## Morris elementary effects", ""]
        if morris_t is None:
            lines.append(f"Not computed: {sens_note}.")
        else:
            lines.append(_md_table(morris_t, ["output", "parameter", "mu_star", "mu", "sigma", "mu_star_conf"]))
            lines += ["", "Effects per unit of each parameter's swept range (the design's unit cube).", "",
                      "![Morris](morris.png)"]
        lines.append("")
    lines += ["## Scenario discovery (PRIM)", ""]
    lines += [_box_text(boxes.get("bust"), "bust", min_coverage), _box_text(boxes.get("no bust"), "no bust",
                                                                              min_coverage), ""]
    if boxes.get("bust") is not None:
        lines += ["![PRIM trade-off](prim_tradeoff.png)", ""]
    lines += ["PRIM: ema_workbench.analysis.prim (peel_alpha 0.05, mass_min 0.05) on every successful run.", ""]
    lines += ["## Files", "", "bust_by_parameter.png/.csv, influence.csv, prim.csv"
              + (", " + heat.name if heat is not None else "")
              + (", sobol_indices.csv/.png" if sobol is not None else "")
              + (", morris.csv/.png" if morris_t is not None else ""), ""]
    return "\n".join(lines)


def cli_analyze(args) -> int:
    """``computebubble analyze DIR [--out DIR] [--pair A,B]``."""
    try:
        result = analyze(args.results, out=args.out, pair=args.pair)
    except SweepError:
        raise
    except ValueError as e:  # a bug, not bad input: keep the traceback
        raise RuntimeError(f"analysis failed: {e}") from e
    print(result["headline"].replace("**", ""))
    print(f"wrote {len(result['files'])} files to {result['out']} (report: {result['out'] / 'report.md'})")
    return 0


__all__ = ["analyze", "cli_analyze", "bin_parameter", "epsilon_squared", "wilson", "prim_box"]
