"""Analysis of a stored sweep: what drives the bust probability.

``computebubble analyze DIR [--out DIR/analysis] [--pair A,B]`` reads a sweep folder
(:func:`experiments.sweep.load_results`, ``sweep.json``, ``design.parquet``) and writes:

- ``bust_by_parameter.png`` and ``.csv``: the bust probability in bins of each swept
  parameter (one bar per level for a list of values or a coarse integer range; equal-width
  bins over the spec's range otherwise), with 95% Wilson intervals and run counts;
- ``bust_heatmap_<A>__<B>.png``: the bust probability over two parameters (by default the
  two most influential, see below; ``--pair A,B`` chooses), with the PRIM bust box dashed;
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

The statistics are in :mod:`experiments.sweep_stats`, the figures in
:mod:`experiments.sweep_figures` (the app's Sweeps page draws the same ones); this module
ties them into the files above and returns an :class:`Analysis`.

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
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from experiments.sweep import SweepError, load_design, load_meta, load_results
from experiments.sweep_figures import plot_bars, plot_heatmap, plot_indices, plot_morris, plot_prim
from experiments.sweep_stats import (HEAT_BINS, MAX_BINS, OUTPUTS, Binned, bin_parameter,  # noqa: F401 (re-exported)
                                     binned_table, epsilon_squared, fmt_number, influence_table, morris_table,
                                     per_sample, prim_box, sobol_table, sobol_warnings,
                                     wilson)
from sim.thresholds import OUTCOMES as VERDICTS

#: A parameter listed as a driver has at least this share of the largest index.
DRIVER_SHARE = 0.25
#: ... and at least this index (epsilon^2, ST or normalised mu*).
DRIVER_MIN = 0.02


@dataclass
class Analysis:
    """What :func:`analyze` found and wrote: the runs it used, the bust probability and its
    drivers, the sensitivity tables of the design, the PRIM boxes and the files."""

    results: Path                 # the sweep folder
    out: Path                     # where the files are
    meta: dict[str, Any]          # sweep.json
    frame: Any                    # every stored run
    ok: Any                       # the runs that did not raise
    errors: Any                   # bool per stored run: it raised
    total_runs: int               # runs in the design
    base_rate: float              # bust probability over ``ok``
    tables: list                  # bust probability by bin, one table per parameter
    influence: Any                # per parameter: index, epsilon2, spearman, ... (sorted, most influential first)
    measure: str                  # the influence index: "ST", "mu_star" or "epsilon2"
    sobol: Any = None             # Sobol indices (Sobol designs)
    morris: Any = None            # Morris effects (Morris designs)
    sens_note: str | None = None  # why the design's indices are missing
    boxes: dict[str, Any] = field(default_factory=dict)   # PRIM box for "bust" and "no bust" (or None)
    heat: Path | None = None      # the heat map's file
    min_coverage: float = 0.5
    headline: str = ""
    files: list[Path] = field(default_factory=list)


# ===== the analysis =========================================================================

def analyze(results: str | os.PathLike, out: str | os.PathLike | None = None, pair: str | None = None,
            min_coverage: float = 0.5) -> Analysis:
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
        for p in result.files:
            shutil.move(str(p), final / p.name)
    finally:
        shutil.rmtree(out, ignore_errors=True)
    heat = None if result.heat is None else final / result.heat.name
    return replace(result, out=final, files=[final / p.name for p in result.files], heat=heat)


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
                    specs: dict[str, Any], pair_names, min_coverage: float) -> Analysis:
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
    influence = influence_table(ok, bins, tables, names)

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

    # scenario discovery
    x = ok[names].astype(float)
    boxes = {}
    for label, y in (("bust", bust), ("no bust", ~bust)):
        box = prim_box(x, y, min_coverage)
        boxes[label] = box
    # heat map over two parameters
    if len(names) >= 2:
        a, b = pair_names or tuple(influence["parameter"].iloc[:2])
        ha = bin_parameter(a, specs[a], ok[a].to_numpy(), HEAT_BINS)
        hb = bin_parameter(b, specs[b], ok[b].to_numpy(), HEAT_BINS)
        heat = out / f"bust_heatmap_{a}__{b}.png"
        plot_heatmap(ha, hb, bust, heat, boxes.get("bust"))
        written.append(heat)
    else:
        heat = None

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

    a = Analysis(results=results, out=out, meta=meta, frame=frame, ok=ok, errors=errors, total_runs=total_runs,
                 base_rate=base, tables=tables, influence=influence, measure=measure, sobol=sobol, morris=morris_t,
                 sens_note=sens_note, boxes=boxes, heat=heat, min_coverage=min_coverage,
                 headline=_headline(influence, measure, base, len(ok)))
    (out / "report.md").write_text(_report(a), encoding="utf-8")
    written.append(out / "report.md")
    a.files = written
    return a


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
        return fmt[c](v) if c in fmt else fmt_number(v) if isinstance(v, float) else str(v)

    for r in frame[cols].itertuples(index=False):
        cells = [cell(c, v) for c, v in zip(cols, r)]
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines)


def _box_text(box: dict[str, Any] | None, label: str, min_coverage: float) -> str:
    if box is None:
        return (f"- {label}: no box (every run or no run is a case of '{label}', or peeling never reached a "
                f"'{label}' density of 0.5).")
    lims = "; ".join(f"{r['parameter']} in [{fmt_number(r['low'])}, {fmt_number(r['high'])}] (of [{fmt_number(r['full_low'])}, "
                     f"{fmt_number(r['full_high'])}])" for r in box["restricted"]) or "the whole space"
    return (f"- **{label}**: {lims}. Coverage {box['coverage']:.2f} (share of all '{label}' runs inside), "
            f"density {box['density']:.2f} ('{label}' rate inside, against {box['base_rate']:.2f} overall), "
            f"mass {box['mass']:.2f} ({box['n']} runs). Chosen as the densest box on the peeling trajectory "
            f"that keeps coverage >= {min_coverage:g}.")


def _report(a: Analysis) -> str:
    """report.md of an analysis."""
    meta, results, frame, ok, errors = a.meta, a.results, a.frame, a.ok, a.errors
    base, influence, measure, boxes, heat, min_coverage = a.base_rate, a.influence, a.measure, a.boxes, a.heat, \
        a.min_coverage
    sobol, morris_t, sens_note, total_runs, headline = a.sobol, a.morris, a.sens_note, a.total_runs, a.headline
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
    if "outcome" in ok.columns:
        shares = ok["outcome"].value_counts(normalize=True)
        lines += ["Outcomes: " + ", ".join(f"{name} {100 * shares.get(name, 0.0):.0f}%" for name in VERDICTS)
                  + " of runs (bust: the AI valuation 40% below its peak with damage; digestion: annual capex 30% "
                  "below its peak without a bust; boom: neither).", ""]
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
            flagged = sobol_warnings(sobol, d["samples"])
            lines.append(_md_table(flagged, ["output", "parameter", "S1", "S1_conf", "ST", "ST_conf", "warning"],
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


__all__ = ["analyze", "Analysis", "bin_parameter", "epsilon_squared", "wilson", "prim_box"]
