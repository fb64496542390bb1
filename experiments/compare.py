"""Two scenarios side by side: ``computebubble compare A B [--seed S] [--months N] [--out FILE.png]``.

Both scenarios run to the same horizon on the same seed, so every difference comes from
their parameters and events, not from luck. :func:`compare` returns a
:class:`Comparison` (the two scenarios, their outcomes from
:func:`experiments.runner.summarize` and their model-level frames);
:func:`format_table` prints the outcome (boom, digestion or bust), what fell first and the
key outcomes with a difference column (B minus A), then the first events of both runs'
chains, and
:func:`figure` draws the two curves of seed 000 for both: monthly AI capex and AI
revenue, annualized, with each scenario's required revenue (the revenue-gap threshold's
line), and below them a strip of the seven thresholds showing the months each was red
(full colour) or amber (pale) in each run.

The figure is a plain :class:`matplotlib.figure.Figure` rendered with the Agg canvas
(no pyplot, no global backend), so the browser app can reuse it.

Bad input (an unknown scenario, a broken file, an event beyond the horizon, a seed or
horizon out of range, an ``--out`` that is not a ``.png`` in an existing folder) raises
a ``ValueError`` with a one-line message before anything runs; the command line
(experiments/cli.py) prints it as ``computebubble: error: ...`` and exits with status 2.
"""

from __future__ import annotations

import re
import textwrap
from dataclasses import dataclass
from pathlib import Path
from typing import Any

DEFAULT_SEED = 1
DEFAULT_MONTHS = 72
#: Chart formats of ``--out``, by extension.
CHART_FORMATS = (".png",)
#: Line colours of scenario A and B (matplotlib's default cycle, colour-blind safe pair).
COLOURS = ("#1f77b4", "#ff7f0e")


class CompareError(ValueError):
    """Bad input to a comparison (one line)."""


@dataclass(frozen=True)
class Side:
    """One scenario's run: the loaded scenario, its outcomes and its monthly frame."""

    scenario: Any        # experiments.scenario.Scenario
    summary: dict        # experiments.runner.summarize
    frame: Any           # pandas.DataFrame, one row per month

    @property
    def name(self) -> str:
        return self.scenario.name


@dataclass(frozen=True)
class Comparison:
    a: Side
    b: Side
    seed: int
    months: int


# ===== running ====================================================================================

def check_seed(seed: Any) -> int:
    """The shared seed: a non-negative integer (not None: both runs must share it)."""
    from experiments.runner import check_seed as _check

    value = _check(seed)
    if value is None:
        raise CompareError("'seed': a comparison needs a seed both runs share; allowed: a non-negative integer")
    return value


def check_chart_out(out: str | Path | None) -> Path | None:
    """The ``--out`` path: a ``.png`` in an existing folder (checked before any run)."""
    from experiments.paths import check_out

    return check_out(out, CHART_FORMATS, CompareError)


def default_out(a: str, b: str) -> Path:
    """``compare_<A>_<B>.png`` in the current folder (scenario names, made file-safe)."""
    def safe(name: str) -> str:
        return re.sub(r"[^A-Za-z0-9._-]+", "_", name).strip("_") or "scenario"

    return Path(f"compare_{safe(a)}_{safe(b)}.png")


def compare(a, b, seed: int = DEFAULT_SEED, months: int = DEFAULT_MONTHS,
            params: tuple[dict | None, dict | None] = (None, None)) -> Comparison:
    """Run scenarios ``a`` and ``b`` (names, paths or loaded scenarios) on one seed and horizon,
    each with its parameter overrides from ``params`` (the app's "Live settings").

    Both scenarios are loaded and checked against the horizon before either runs.
    """
    from experiments.runner import check_months, run_model, summarize
    from experiments.scenario import Scenario, load_scenario

    months = check_months(months)
    seed = check_seed(seed)
    scenarios = [s if isinstance(s, Scenario) else load_scenario(s) for s in (a, b)]
    for s in scenarios:
        s.check_horizon(months)
    sides = []
    for s, p in zip(scenarios, params):
        model, frame = run_model(p, months, seed, s)
        sides.append(Side(s, summarize(model), frame))
    return Comparison(sides[0], sides[1], seed, months)


# ===== the table ===================================================================================

def outcome_rows(c: Comparison) -> list[tuple[str, str, str, str]]:
    """The key outcomes as (label, A, B, B - A) strings: :func:`experiments.outcomes.compare_rows`,
    the table the app's Compare page shows too."""
    from experiments.outcomes import compare_rows

    return [(r.label, r.a, r.b, r.diff) for r in compare_rows(c.a.summary, c.b.summary)]


#: The chain events ``format_table`` shows for each side: the first few of what fell, what
#: followed and the outcome (threshold colours are in the table and the chart).
CHAIN_EVENTS_SHOWN = 6
CHAIN_KINDS_SHOWN = ("valuation_peak", "valuation_fall", "capex_peak", "capex_fall", "idle", "rental", "impairments",
                     "default", "funding", "gauges", "bust", "digestion")


def format_table(c: Comparison) -> str:
    """Header lines, the side-by-side table of :func:`outcome_rows`, and the first events of
    both runs' chains."""
    from experiments.outcomes import chain_lines, outcome_words

    fa = c.a.frame
    lines = [f"A = {c.a.name}: {c.a.scenario.title}",
             f"B = {c.b.name}: {c.b.scenario.title}",
             f"  both {c.months} months ({fa['date'].iloc[0]} to {fa['date'].iloc[-1]}), seed {c.seed}", ""]
    rows = [("outcome", c.a.name, c.b.name, "B - A")] + outcome_rows(c)
    widths = [max(len(r[i]) for r in rows) for i in range(4)]
    for i, r in enumerate(rows):
        lines.append(f"{r[0]:<{widths[0]}}  {r[1]:>{widths[1]}}  {r[2]:>{widths[2]}}  {r[3]}".rstrip())
        if i == 0:
            lines.append("-" * (sum(widths) + 6))
    lines.append(textwrap.fill(
        "Outcome: bust = the AI valuation 40% below its peak with a sign of damage (idle capacity, a rental price "
        "fall, material impairments, a default) from 6 months before to 12 after; digestion = annual AI capex 30% "
        "below its peak without a bust; boom = neither. First red: the month a threshold first turned red.", 110))
    for key, side in (("A", c.a), ("B", c.b)):
        lines += ["", f"{key} = {side.name}: {outcome_words(side.summary)}; first events of its chain"]
        lines += ["  " + line for line in chain_lines(side.summary, CHAIN_EVENTS_SHOWN, CHAIN_KINDS_SHOWN)]
    return "\n".join(lines)


# ===== the chart ===================================================================================

def _runs(levels) -> list[tuple[int, int]]:
    """(start, length) of each run of True in a sequence."""
    out, start = [], None
    for i, v in enumerate(list(levels) + [False]):
        if v and start is None:
            start = i
        elif not v and start is not None:
            out.append((start, i - start))
            start = None
    return out


def figure(c: Comparison):
    """The comparison chart as a matplotlib Figure (Agg canvas attached)."""
    import numpy as np
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure
    from matplotlib.lines import Line2D
    from matplotlib.patches import Patch

    from experiments.outcomes import month_index
    from sim.thresholds import AMBER, NAMES, RED

    fig = Figure(figsize=(11.5, 8.0), layout="constrained")
    FigureCanvasAgg(fig)
    grid = fig.add_gridspec(2, 1, height_ratios=(3.0, 1.6))
    ax = fig.add_subplot(grid[0])
    strip = fig.add_subplot(grid[1], sharex=ax)
    sides = (c.a, c.b)
    for side, colour in zip(sides, COLOURS):
        f = side.frame
        x = np.arange(len(f))
        ax.plot(x, f["ai_capex_usd"] * 12e-9, color=colour, lw=2.0, label=f"{side.name}: AI capex")
        ax.plot(x, f["ai_revenue_usd"] * 12e-9, color=colour, lw=2.0, ls="--", label=f"{side.name}: AI revenue")
        ax.plot(x, f["required_revenue_usd"] * 12e-9, color=colour, lw=1.3, ls=":",
                label=f"{side.name}: required revenue")
        bust = side.summary["bust_month"]
        if bust is not None:
            m = month_index(bust) - month_index(f["date"].iloc[0])
            for axis in (ax, strip):
                axis.axvline(m, color=colour, lw=1.0, alpha=0.7)
            ax.annotate(f"{side.name} bust", (m, 0.02), xycoords=("data", "axes fraction"), rotation=90,
                        va="bottom", ha="right", fontsize=8, color=colour)
    ax.set_ylabel("$B per year (monthly x 12)")
    ax.set_ylim(bottom=0)
    ax.grid(alpha=0.3)
    ax.legend(loc="upper left", bbox_to_anchor=(1.0, 1.0), fontsize=8, frameon=False)
    ax.set_title(f"{c.a.name} (A) vs {c.b.name} (B): AI capex, AI revenue and required revenue; "
                 f"seed {c.seed}, {c.months} months", fontsize=11)

    # threshold strip: one row per threshold, A on top, B below; red full, amber pale
    for i, name in enumerate(NAMES):
        for j, (side, colour) in enumerate(zip(sides, COLOURS)):
            levels = side.frame[f"level_{name}"].to_numpy()
            y = len(NAMES) - 1 - i + (0.5 if j == 0 else 0.08)
            strip.broken_barh(_runs(levels == AMBER), (y, 0.4), facecolors=colour, alpha=0.25, lw=0)
            strip.broken_barh(_runs(levels == RED), (y, 0.4), facecolors=colour, alpha=0.95, lw=0)
    strip.set_yticks([len(NAMES) - 1 - i + 0.5 for i in range(len(NAMES))], labels=list(NAMES), fontsize=8)
    strip.set_ylim(0, len(NAMES))
    strip.grid(axis="x", alpha=0.3)
    strip.set_title("thresholds by month (upper bar A, lower bar B; full colour red, pale amber)", fontsize=9)
    strip.legend(handles=[Patch(color=COLOURS[0], label=f"A {c.a.name}"),
                          Patch(color=COLOURS[1], label=f"B {c.b.name}"),
                          Line2D([], [], color="grey", lw=1, label="bust month")],
                 loc="upper left", bbox_to_anchor=(1.0, 1.0), fontsize=8, frameon=False)

    dates = list(c.a.frame["date"])
    if dates == list(c.b.frame["date"]):
        ticks = [i for i, d in enumerate(dates) if d.endswith("-01")] or [0]
        strip.set_xticks(ticks, labels=[dates[i][:4] if dates[i].endswith("-01") else dates[i] for i in ticks])
        strip.set_xlabel("calendar year (ticks at January)")
    else:
        strip.set_xlabel("run month (the two scenarios start on different dates)")
    strip.set_xlim(-0.5, c.months - 0.5)
    return fig


def save_chart(c: Comparison, out: str | Path) -> Path:
    path = check_chart_out(out)
    figure(c).savefig(path, dpi=110)
    return path


__all__ = ["Comparison", "Side", "CompareError", "compare", "outcome_rows", "format_table", "figure", "save_chart",
           "default_out", "check_chart_out", "DEFAULT_SEED", "DEFAULT_MONTHS"]
