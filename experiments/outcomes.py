"""The outcomes of a run, declared once: name, unit, label, which way is risk, format.

:func:`experiments.runner.summarize` returns one value per :data:`OUTCOMES` entry (plus
the series in :data:`SERIES`; :func:`experiments.runner.run` adds the :data:`TAGS`).
Everything that shows an outcome reads its words and format from here: the command
line's ``run`` and ``compare`` tables, the app's Compare page (:func:`compare_rows` is the
one table both comparisons show), and the sweep analysis (:data:`ANALYSED`).

An outcome's ``risk`` says which way it moves the bubble risk: ``"higher"`` (a larger
value is more risk: more gap, idle, ghost compute, defaults), ``"lower"`` (a smaller
value is more risk: less revenue, a shorter runway) or ``None`` (neither, e.g. capex
alone). Its ``fmt`` is a format spec of the value in its ``unit`` (the stored value times
``scale``); months are "YYYY-MM" strings.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal

from sim.thresholds import NAMES as THRESHOLDS
from sim.thresholds import OUTCOMES as VERDICTS
from sim.thresholds import UNITS, WORSE

#: Units shown after a label ("peak AI capex, $B/yr"); the others speak for themselves.
_SHOWN_UNITS = ("$B/yr", "$B", "$T", "GW", "months")
#: Money units: a difference is also shown in per cent.
_MONEY_UNITS = ("$B/yr", "$B", "$T")


@dataclass(frozen=True)
class Outcome:
    """One scalar outcome of :func:`experiments.runner.summarize`."""

    name: str                                   # key in summarize()
    unit: str                                   # "$B/yr", "$B", "$T", "share", "ratio", "GW", "months", "count", "YYYY-MM", "yes/no", "text"
    label: str                                  # words for a table row
    risk: Literal["higher", "lower"] | None     # which way is more bubble risk
    fmt: str = ""                               # format spec of value * scale ("" : shown as it is)
    scale: float = 1.0                          # stored value (USD, fraction, ...) to ``unit``
    at: str | None = None                       # the outcome holding the month this value was reached
    short: str | None = None                    # a shorter label (figures, analysis tables)
    none: str | None = None                     # words for a None value, where None means more than "n/a"

    @property
    def heading(self) -> str:
        """The row label: the label and, where it is not obvious, the unit."""
        return f"{self.label}, {self.unit}" if self.unit in _SHOWN_UNITS else self.label

    @property
    def brief(self) -> str:
        return self.short or self.label

    def format(self, value: Any) -> str:
        """``value`` (as summarize() stores it) in this outcome's unit and format."""
        if value is None:
            return self.none or ("n/a" if self.fmt else "-")
        if isinstance(value, bool):
            return "yes" if value else "no"
        if not self.fmt:
            return str(value)
        return f"{self._scaled(value):{self.fmt}}"

    def _scaled(self, value: Any) -> Any:
        return value * self.scale if self.scale != 1.0 else value

    def difference(self, a: Any, b: Any) -> str:
        """B minus A in this outcome's unit (a share in percentage points, money also in per cent)."""
        if a is None or b is None:
            return "" if a == b else "n/a"
        d = self._scaled(b - a)
        if self.unit == "share":
            return f"{100 * d:+.1f} pts"
        text = f"{d:+{self.fmt.lstrip('+')}}"
        if self.unit in _MONEY_UNITS and a:
            text += f" ({d / abs(a * self.scale):+.0%})"
        return text

    def worse(self, a: Any, b: Any) -> bool | None:
        """Does B move toward a bubble (True), away from it (False), or neither (None)?"""
        if self.risk is None or a is None or b is None or abs(b - a) * self.scale < 1e-9:
            return None
        return (b > a) if self.risk == "higher" else (b < a)


#: How each threshold's worst value is shown: (unit, format, scale, words for None).
_WORST = {
    "revenue_gap": ("ratio", ".2f", 1.0, None),
    "idle_compute": ("share", ".0%", 1.0, None),
    "ghost_compute": ("ratio", ".2f", 1.0, None),
    "two_curves": ("share", "+.0%", 1.0, None),
    "payback": ("months", ",.0f", 1.0, "never pays back"),
    "liquidity": ("months", ",.0f", 1.0, "no lab burns cash"),
    "write_downs": ("$B", ",.0f", 1e-9, None),
}


def _threshold_outcomes() -> tuple[Outcome, ...]:
    out = []
    for n in THRESHOLDS:
        unit, fmt, scale, none = _WORST[n]
        risk = "lower" if WORSE[n] == "lower" else "higher"
        out.append(Outcome(f"crossed_{n}", "yes/no", f"{n}: crossed (red)", "higher"))
        out.append(Outcome(f"first_{n}", "YYYY-MM", f"  {n}: first red", None))
        out.append(Outcome(f"months_red_{n}", "months", f"  {n}: months red", "higher", "d"))
        out.append(Outcome(f"worst_{n}", unit, f"  {n}: worst value ({UNITS[n]})", risk, fmt, scale, none=none))
    return tuple(out)


#: Every scalar outcome of summarize(), in its order.
OUTCOMES: tuple[Outcome, ...] = (
    Outcome("outcome", "text", "outcome (boom, digestion, bust)", None),
    Outcome("outcome_reason", "text", "why", None),
    Outcome("bust", "yes/no", "bust", "higher"),
    Outcome("digestion", "yes/no", "digestion", None),
    Outcome("boom", "yes/no", "boom", None),
    Outcome("bust_month", "YYYY-MM", "bust (month)", None),
    Outcome("bust_cause", "text", "bust cause", None),
    Outcome("capex_fall_month", "YYYY-MM", "annual AI capex first 30% below its peak", None),
    Outcome("damage", "yes/no", "any sign of damage (idle, rental fall, impairments, default)", "higher"),
    Outcome("damage_month", "YYYY-MM", "first sign of damage", None),
    Outcome("first_fall", "text", "first to fall", None),
    Outcome("peak_valuation_usd", "$T", "peak AI valuation", None, ",.2f", 1e-12, at="peak_valuation_month",
            short="peak valuation"),
    Outcome("peak_valuation_month", "YYYY-MM", "month of peak AI valuation", None),
    Outcome("valuation_last_usd", "$T", "AI valuation at the end", "lower", ",.2f", 1e-12),
    Outcome("max_valuation_fall_frac", "share", "deepest valuation fall below its running peak", "higher", ".0%",
            short="deepest valuation fall"),
    Outcome("min_valuation_ratio", "ratio", "lowest valuation / fundamental value", None, ".2f"),
    Outcome("max_valuation_ratio", "ratio", "highest valuation / fundamental value", "higher", ".2f"),
    Outcome("peak_capex_usd_per_year", "$B/yr", "peak AI capex (trailing 12 months)", None, ",.0f", 1e-9,
            at="peak_capex_month", short="peak capex"),
    Outcome("peak_capex_month", "YYYY-MM", "month of peak AI capex", None),
    Outcome("max_capex_drawdown_frac", "share", "deepest capex fall below its running peak", "higher", ".0%"),
    Outcome("max_revenue_gap_usd_per_year", "$B/yr", "largest revenue gap (a month's x 12)", "higher", ",.0f",
            1e-9),
    Outcome("max_gauges_red", "count", "most gauges red at once", "higher", "d", none="no gauges"),
    Outcome("three_gauges_red_month", "YYYY-MM", "first month three gauges were red", None),
    *_threshold_outcomes(),
    Outcome("n_defaults", "count", "defaults", "higher", "d"),
    Outcome("revenue_last_year_usd", "$B", "AI revenue in the last year", "lower", ",.0f", 1e-9),
    Outcome("capex_last_year_usd", "$B", "AI capex in the last year", None, ",.0f", 1e-9),
    Outcome("chip_revenue_last_year_usd", "$B", "chip revenue in the last year", None, ",.0f", 1e-9),
    Outcome("max_idle_frac", "share", "largest idle share of powered GPUs", "higher", ".0%"),
    Outcome("max_ghost_gw", "GW", "largest ghost compute", "higher", ".1f"),
    Outcome("min_lab_runway_months", "months", "shortest lab runway", "lower", ",.0f"),
)
BY_NAME: dict[str, Outcome] = {o.name: o for o in OUTCOMES}
#: summarize()'s values that are not scalars: the chain of events, the defaulted agents,
#: calendar years, yearly table.
SERIES = ("chain", "defaults", "years", "yearly")
#: What run() adds to summarize(): the run's scenario, horizon and seed.
TAGS = ("scenario", "months", "seed")

#: The numbers both comparisons (``computebubble compare`` and the app's Compare page) show.
COMPARED = ("peak_capex_usd_per_year", "revenue_last_year_usd", "max_revenue_gap_usd_per_year", "max_idle_frac",
            "max_ghost_gw", "min_lab_runway_months", "n_defaults", "peak_valuation_usd", "max_valuation_fall_frac")
#: What the sweep analysis explains (per sample, averaged over replications): the share
#: of runs of each outcome (the bust probability first) and peak capex.
ANALYSED = ("bust", "digestion", "boom", "peak_capex_usd_per_year")


def outcome(name: str) -> Outcome:
    return BY_NAME[name]


def analysed_label(name: str) -> str:
    """How the analysis calls an outcome averaged over replications ("bust probability")."""
    o = BY_NAME[name]
    return f"{o.brief} probability" if o.unit == "yes/no" else o.brief


def outcome_words(s: dict[str, Any]) -> str:
    """A summary's outcome in a few words: "bust (2030-03)", "digestion (capex from 2029-02)", "boom"."""
    o = s.get("outcome")
    if o == "bust":
        return f"bust ({s.get('bust_month')})"
    if o == "digestion":
        return f"digestion (from {s.get('capex_fall_month')})" if s.get("capex_fall_month") else "digestion"
    return o or "-"


def chain_lines(s: dict[str, Any], limit: int | None = None, kinds: tuple[str, ...] | None = None) -> list[str]:
    """A summary's chain of events as lines "YYYY-MM  words" (the first ``limit``, of ``kinds``)."""
    events = [e for e in s.get("chain") or [] if kinds is None or e.get("kind") in kinds]
    return [f"{e['month']}  {e['event']}" for e in events[:limit]]


@dataclass(frozen=True)
class Row:
    """One row of a comparison: an outcome (or ``thresholds_crossed``), A, B, B - A, and
    ``worse``: True if B moves toward a bubble, False if away, None if neither."""

    name: str
    label: str
    a: str
    b: str
    diff: str
    worse: bool | None


def month_index(date: str | None) -> int | None:
    if date is None:
        return None
    y, m = date.split("-")
    return int(y) * 12 + int(m) - 1


def months_apart(a: str | None, b: str | None) -> str:
    """How B's date stands against A's, in words."""
    if a is None and b is None:
        return ""
    if a is None:
        return "only B"
    if b is None:
        return "only A"
    d = month_index(b) - month_index(a)
    if d == 0:
        return "same month"
    return f"B {abs(d)} month{'s' if abs(d) != 1 else ''} {'later' if d > 0 else 'earlier'}"


def _earlier_is_worse(a: str | None, b: str | None) -> bool | None:
    """A month something bad happened: B having it where A did not, or earlier, is worse."""
    if a == b:
        return None
    return b is not None and (a is None or month_index(b) < month_index(a))


def compare_rows(a: dict[str, Any], b: dict[str, Any]) -> list[Row]:
    """The comparison table of two summaries (A and B): the outcome and what fell first, the
    :data:`COMPARED` numbers, the bust, the thresholds crossed and the month each first
    turned red."""
    rows = []
    ra, rb = (VERDICTS.index(s["outcome"]) if s.get("outcome") in VERDICTS else None for s in (a, b))
    rows.append(Row("outcome", BY_NAME["outcome"].label, outcome_words(a), outcome_words(b),
                    "same" if ra == rb else "B worse" if (ra or 0) < (rb or 0) else "B better",
                    None if ra is None or rb is None or ra == rb else rb > ra))
    fa, fb = a.get("first_fall"), b.get("first_fall")
    rows.append(Row("first_fall", BY_NAME["first_fall"].label, fa or "-", fb or "-", "", None))
    for name in COMPARED:
        o = BY_NAME[name]
        va, vb = a.get(name), b.get(name)
        ca, cb = o.format(va), o.format(vb)
        if o.at:
            ca, cb = f"{ca} ({a.get(o.at)})", f"{cb} ({b.get(o.at)})"
        rows.append(Row(name, o.heading, ca, cb, o.difference(va, vb), o.worse(va, vb)))

    def bust(s):
        return f"yes, {s.get('bust_month')}" if s.get("bust") else "no"

    ba, bb = a.get("bust_month"), b.get("bust_month")
    rows.append(Row("bust", BY_NAME["bust_month"].label, bust(a), bust(b), months_apart(ba, bb) or "neither",
                    _earlier_is_worse(ba, bb)))
    na = sum(bool(a.get(f"crossed_{n}")) for n in THRESHOLDS)
    nb = sum(bool(b.get(f"crossed_{n}")) for n in THRESHOLDS)
    rows.append(Row("thresholds_crossed", f"thresholds crossed (of {len(THRESHOLDS)})", str(na), str(nb),
                    f"{nb - na:+d}", None if na == nb else nb > na))
    for n in THRESHOLDS:
        o = BY_NAME[f"first_{n}"]
        fa, fb = a.get(o.name), b.get(o.name)
        rows.append(Row(o.name, o.label, fa or "-", fb or "-", months_apart(fa, fb), _earlier_is_worse(fa, fb)))
    return rows


__all__ = ["Outcome", "OUTCOMES", "BY_NAME", "SERIES", "TAGS", "COMPARED", "ANALYSED", "outcome", "analysed_label",
           "Row", "compare_rows", "months_apart", "month_index", "outcome_words", "chain_lines"]
