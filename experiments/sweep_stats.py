"""Statistics of a stored sweep: binning, the bust probability with its intervals, a
model-free influence measure, Sobol and Morris indices (SALib) and PRIM boxes
(ema_workbench). No files, no figures: :mod:`experiments.analyze` writes the report,
:mod:`experiments.sweep_figures` draws, and the app's Sweeps page uses both.
"""

from __future__ import annotations

import math
import warnings
from dataclasses import dataclass
from typing import Any

import numpy as np

from experiments.outcomes import ANALYSED, analysed_label

#: Bins for a numeric range (fewer when runs are few): bars, and each side of the heat map.
MAX_BINS = 8
HEAT_BINS = 6
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


def fmt_number(v: float, digits: int = 3) -> str:
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
        return Binned(name, [fmt_number(v) for v in levels], index, [(v, v) for v in levels])
    lo, hi = float(spec.get("low", distinct[0])), float(spec.get("high", distinct[-1]))
    nb = max(2, min(max_bins, int(len(values) / 12) or 2))
    if spec.get("integer"):
        nb = min(nb, int(hi - lo) + 1)
    edges = np.linspace(lo, hi, nb + 1)
    index = np.clip(np.searchsorted(edges, values, side="right") - 1, 0, nb - 1)
    labels = [f"{fmt_number(edges[i])}-{fmt_number(edges[i + 1])}" for i in range(nb)]
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


# ===== sensitivity ==========================================================================

def per_sample(ok, n_samples: int) -> tuple[Any, str | None]:
    """Mean of each output per sample (over replications); a reason if samples are missing."""
    cols = [c for c, _ in OUTPUTS if c in ok.columns]   # a sweep stored before an outcome existed lacks it
    agg = ok[cols].astype(float).groupby(ok["sample"]).mean()
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
        if col not in agg:
            continue
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
        return None, "every output is constant across samples"
    return pd.DataFrame(rows), None


def sobol_warnings(table, samples: int):
    """``table`` (:func:`sobol_table`) with a ``warning`` column: non-empty where an index cannot be
    trusted, its 95% interval (2 x conf) wider than the index itself or a total index above 1; both
    come from too few base samples (the design's ``samples``, each parameter's number of pairs)."""
    t = table.copy()
    advice = f"too few samples: {samples} per parameter; raise `samples`"
    notes = []
    for r in t.itertuples(index=False):
        why = []
        if np.isfinite(r.ST) and r.ST > 1:
            why.append(f"ST {r.ST:.2f} above 1")
        for col, conf in (("S1", r.S1_conf), ("ST", r.ST_conf)):
            v = getattr(r, col)
            if np.isfinite(v) and np.isfinite(conf) and 2 * conf > abs(v):
                why.append(f"{col} interval ±{conf:.2f} wider than {col} {v:.2f}")
        notes.append(f"{'; '.join(why)}: {advice}" if why else "")
    t["warning"] = notes
    return t


def prim_tightest(box: dict[str, Any] | None, k: int = 2) -> list[str]:
    """The ``k`` parameters a PRIM box restricts most (smallest share of their full range kept)."""
    if not box:
        return []

    def kept(r: dict[str, Any]) -> float:
        span = r["full_high"] - r["full_low"]
        return (r["high"] - r["low"]) / span if span > 0 else 1.0

    return [r["parameter"] for r in sorted(box["restricted"], key=kept)[:k]]


def prim_table(box: dict[str, Any]):
    """A PRIM box as rows: each restricted parameter, its limits, its full range and the share kept."""
    import pandas as pd

    rows = []
    for r in box["restricted"]:
        span = r["full_high"] - r["full_low"]
        rows.append({"parameter": r["parameter"], "low": r["low"], "high": r["high"], "full_low": r["full_low"],
                     "full_high": r["full_high"], "share_of_range": (r["high"] - r["low"]) / span if span else 1.0})
    return pd.DataFrame(rows, columns=["parameter", "low", "high", "full_low", "full_high", "share_of_range"]) \
        .sort_values("share_of_range").reset_index(drop=True)


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
        if col not in agg:
            continue
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


def influence_table(ok, bins: dict[str, Binned], tables: list, names: list[str]):
    """Per parameter: epsilon^2 of bust on its bins, the Spearman correlation, and the bust
    probability in its lowest, highest, least and most busting bins."""
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


__all__ = ["MAX_BINS", "HEAT_BINS", "OUTPUTS", "Binned", "wilson", "epsilon_squared", "fmt_number", "bin_parameter",
           "binned_table", "per_sample", "sobol_table", "sobol_warnings", "morris_table", "prim_box", "prim_tightest",
           "prim_table", "influence_table"]
