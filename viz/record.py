"""The public record beside the run (issue 10, item 3).

The figures the model is calibrated to (``experiments/data/public_record.csv``, read
through ``experiments.calibration``), as points on the Live page's charts, in each
chart's unit and at the run month their period covers (month 0 = the run's start date).
Each point says what it is: a figure is drawn only on a chart whose series it can be
compared with, and its label says where it is narrower or wider than the series (the
model's AI capex is six hyperscalers' AI capex; the record's is the big four's total).

A period's point sits at its middle month (a year at month 5.5 of it, a quarter at its
middle month, a run-rate at its month). Periods that end before the run starts are left
out, except where the record is what the model starts from (the early-2024 H100 rental
price sets ``initial_rental_usd_per_gpu_hour``, and the market values of early 2025 are the
month-0 valuation's target): those sit at month 0 and their label says their date.
"""

from __future__ import annotations

import datetime as dt
from typing import NamedTuple

from experiments.calibration import load_record, record_value
from sim.params import FIELDS

#: The run's start when the caller gives none: the parameters' defaults (2025-01).
DEFAULT_START = (FIELDS["start_year"].default, FIELDS["start_month"].default)
#: The charts that carry record points (``viz.charts.LiveCharts`` attribute names).
CHART_KEYS = ("two_curves", "tokens", "chips", "rental", "valuation")


class RecordPoint(NamedTuple):
    month: float        # run month index (0 = the run's start), fractional for a period's middle
    value: float        # in the chart's unit
    label: str          # what it is, its period and how it compares with the chart's series
    group: str          # which series it sits beside (picks its colour): capex, revenue, tokens, ...
    end: int            # the run month its period ends in (the 'today' line is the newest)


def month_index(year: int, month: int, start: tuple[int, int] = DEFAULT_START) -> int:
    """Run month of calendar (year, month): 0 for the start month."""
    return (year - start[0]) * 12 + (month - start[1])


def period_months(period: str) -> tuple[int, int, int, int]:
    """(first year, first month, last year, last month) of a record period:
    'YYYY', 'YYYYQn' or 'YYYY-MM'."""
    if "Q" in period:
        y, q = period.split("Q")
        return int(y), 3 * int(q) - 2, int(y), 3 * int(q)
    if "-" in period:
        y, m = period.split("-")
        return int(y), int(m), int(y), int(m)
    return int(period), 1, int(period), 12


def _span(period: str, start) -> tuple[int, int]:
    y0, m0, y1, m1 = period_months(period)
    return month_index(y0, m0, start), month_index(y1, m1, start)


def record_points(horizon: int, start: tuple[int, int] = DEFAULT_START,
                  rows: list[dict] | None = None) -> dict[str, list[RecordPoint]]:
    """For each chart key, the record's points within months 0..horizon-1 of a run that
    starts at ``start`` (year, month)."""
    rows = load_record() if rows is None else rows
    out: dict[str, list[RecordPoint]] = {k: [] for k in CHART_KEYS}

    def add(key, first, last, value, label, group, at_start=False):
        """A period spanning run months first..last: drawn at its middle if that lies in the
        run, at month 0 if the period overlaps the start (or ``at_start``: the model starts
        from it)."""
        mid = (first + last) / 2
        if mid > horizon - 1 or (last < 0 and not at_start):
            return      # a period whose middle is past the run's end, or that ended before it began
        out[key].append(RecordPoint(max(mid, 0.0), value, label, group, max(last, 0)))

    # AI capex ($B a year): the record has the big four's total capex (AI and the rest) for
    # 2025; the model's red line is six hyperscalers' AI capex, so the record sits above it.
    v, _ = record_value("capex_total", "Big four (MSFT GOOGL AMZN META)", "2025", rows)
    a, b = _span("2025", start)
    add("two_curves", a, b, v, f"big four total capex, 2025: ${v:.0f}B (record; all capex, not AI only)", "capex")

    # AI revenue ($B a year): labs' revenue is part of the model's end-user AI revenue.
    v, _ = record_value("revenue", "OpenAI", "2025", rows)
    a, b = _span("2025", start)
    add("two_curves", a, b, v, f"OpenAI revenue, 2025: ${v:.1f}B (record; one lab's part of AI revenue)", "revenue")
    rates = {}
    for r in rows:
        if r["quantity"] == "revenue_annualized":
            v, lab, period = float(r["value"]), r["entity"], r["period"]
            rates.setdefault(period, {})[lab] = v
            a, b = _span(period, start)
            add("two_curves", a, b, v, f"{lab} run-rate, {period}: ${v:g}B a year (record; one lab's part)",
                "revenue")
    for period, labs in rates.items():
        if len(labs) > 1:
            v = sum(labs.values())
            a, b = _span(period, start)
            add("two_curves", a, b, v, f"{' + '.join(labs)} run-rates, {period}: ${v:g}B a year "
                "(record; the labs' part of AI revenue)", "revenue")

    # Chip sales ($B a year): NVIDIA's data-center quarter Nov 2024-Jan 2025 (its fiscal Q4),
    # times four; the model's vendors sell to the six hyperscalers only.
    v, _ = record_value("chip_revenue_quarter", "NVIDIA data center", "2024Q4", rows)
    a, b = month_index(2024, 11, start), month_index(2025, 1, start)
    add("chips", a, b, 4 * v, f"NVIDIA data-center revenue, Nov 2024-Jan 2025: ${v:g}B a quarter x 4 "
        "(record; all its customers)", "chips")

    # Tokens (T per day): each record figure is one firm's traffic, a part of the whole.
    for r in rows:
        if r["quantity"] == "tokens_per_day":
            v = float(r["value"])
            a, b = _span(r["period"], start)
            add("tokens", a, b, v, f"{r['entity']} tokens, {r['period']}: {v:g}T a day (record; that firm only)",
                "tokens")
        elif r["quantity"] == "tokens_per_quarter":
            y0, m0, y1, m1 = period_months(r["period"])
            days = (dt.date(y1 + (m1 == 12), m1 % 12 + 1, 1) - dt.date(y0, m0, 1)).days
            v = float(r["value"]) / days
            a, b = _span(r["period"], start)
            add("tokens", a, b, v, f"{r['entity']} tokens, {r['period']}: {float(r['value']):g}T a quarter = "
                f"{v:.2f}T a day (record; that firm only)", "tokens")

    # GPU rental ($ per H100-hour): early 2024, the price the model starts from.
    v, _ = record_value("gpu_rental", "H100", "2024 early", rows)
    a = month_index(2024, 2, start)
    add("rental", a, a, v, f"H100 rental, early 2024: ${v:g} an hour (record; the model's starting price)",
        "rental", at_start=start == DEFAULT_START)

    # AI valuation ($T): NVIDIA's market value and OpenAI's and Anthropic's last rounds,
    # the sums the calibration holds the model's valuation to (Jan 2025, and Dec 2025).
    for when, picks in (("2025-01", (("NVIDIA", "2024-12"), ("OpenAI", "2024-10"), ("Anthropic", "2025-03"))),
                        ("2025-12", (("NVIDIA", "2025-12"), ("OpenAI", "2025-10"), ("Anthropic", "2025-09")))):
        v = sum(record_value("market_value", e, d, rows)[0] for e, d in picks) / 1000
        a, b = _span(when, start)
        parts = ", ".join(f"{e} {d}" for e, d in picks)
        add("valuation", a, b, v, f"market value of NVIDIA, OpenAI and Anthropic ({parts}): ${v:.2f}T (record)",
            "valuation", at_start=start == DEFAULT_START and when == "2025-01")
    return out


def today_month(points: dict[str, list[RecordPoint]]) -> int | None:
    """The run month of the newest record figure drawn (the end of its period): where
    history stops and projection begins. None when no point is drawn."""
    ends = [p.end for pts in points.values() for p in pts]
    return max(ends) if ends else None
