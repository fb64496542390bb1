"""The seven bubble thresholds, evaluated every month, and a run's verdict.

Each threshold is a named function of the run's public monthly figures (a list of
dicts, newest last, with the columns of :mod:`sim.reporters`) and the parameters. It
returns a :class:`Reading`: the value in the threshold's unit (:data:`UNITS`), a level
(0 green, 1 amber, 2 red = crossed) and the bands it is judged against, so charts can
draw them. :data:`WORSE` says which way each value is worse.

The verdict (:func:`verdict`) reads the whole run: it classifies it as ``boom``,
``digestion`` or ``bust`` (:data:`OUTCOMES`), records the chain of events (what fell
first, what followed, when) and each threshold's history (first month red, months
red, worst value).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

GREEN, AMBER, RED = 0, 1, 2

#: Cumulative write-downs at the scale of the dot-com telecom bust (~$200B of telecom
#: defaults 2001-02, an approximate public figure) and of subprime (IMF, April 2008:
#: $945B of expected losses). 004 (Xu Jing) compares an AI default to both.
DOTCOM_WRITEDOWN_USD = 200e9
SUBPRIME_WRITEDOWN_USD = 945e9

# ----- the verdict's signs of damage (the issue: "at least one sign of damage") -----------
#: Idle capacity: at least 20% of powered GPUs not rented, the idle-compute threshold's
#: amber (late-2025 reference ~5%, 004).
DAMAGE_IDLE_FRAC = 0.2
#: Rental price: the GPU-hour at least 30% below its price 12 months earlier (issue).
DAMAGE_RENTAL_FALL_FRAC = 0.3
#: Material impairments: impairments and bad debts of the last 12 months at least this
#: share of the peak annual AI capex so far (an assumption). Routine write-offs of
#: retired chips run at 11-16% of annual capex in calm years of every shipped scenario
#: (up to ~20% where power keeps capex low), so a lower bar would call every run
#: damaged; measured against the peak year rather than the last one, the sign does not
#: fire just because capex itself has fallen.
MATERIAL_IMPAIRMENT_FRAC = 0.25
#: A bust needs a sign of damage from 6 months before to 12 months after the month the
#: valuation first stands ``bust_valuation_fall_frac`` below its peak (issue).
DAMAGE_WINDOW_MONTHS = (-6, 12)
#: The chain marks funding running dry: investors leaving at least half of what labs ask
#: unfilled for three months running (000: bubbles pop through liquidity exhaustion; a
#: single month is often a timing artefact of asks and disbursements).
FUNDING_DRY_FRAC = 0.5
FUNDING_DRY_MONTHS = 3
#: The chain marks each valuation fall of 20% from a peak, and the bust level.
VALUATION_WARNING_FALL_FRAC = 0.2
#: The chain marks three gauges red at once (sim/gauges.py, once merged: column gauges_red).
GAUGES_RED_ALARM = 3


#: Each threshold's value and unit. Money is in USD; revenue and required revenue are
#: both monthly, so the coverage ratio needs no annualizing.
UNITS = {
    "revenue_gap": "revenue / required revenue (both per month)",
    "idle_compute": "fraction of powered GPUs",
    "ghost_compute": "deployment lag / generation period",
    "two_curves": "capex growth - revenue growth (fraction per year)",
    "payback": "months",
    "liquidity": "months of runway (0: the lab owes more than it holds)",
    "write_downs": "USD (cumulative)",
}
#: Which way each threshold's value is worse: coverage and runway are worse lower, the
#: others higher. A threshold's worst value over a run is the min or max accordingly.
WORSE = {"revenue_gap": "lower", "idle_compute": "higher", "ghost_compute": "higher", "two_curves": "higher",
         "payback": "higher", "liquidity": "lower", "write_downs": "higher"}


@dataclass(frozen=True)
class Reading:
    name: str
    value: float
    level: int
    unit: str
    amber: float
    red: float

    @property
    def worse(self) -> str:
        """"higher" or "lower": which way this threshold's value is worse (:data:`WORSE`)."""
        return WORSE[self.name]


def _reading(name: str, value: float, level: int, amber: float, red: float) -> Reading:
    return Reading(name, value, level, UNITS[name], amber, red)


def _trailing(figs, key: str, months: int, offset: int = 0) -> float:
    window = figs[len(figs) - offset - months: len(figs) - offset] if offset else figs[-months:]
    return sum(f[key] for f in window)


def required_revenue_usd(figs, p) -> float:
    """Revenue needed to justify the build-out, per month (the "$600B question" method).

    required = average monthly GPU spend over the last 12 months / GPU share of cluster
    cost / (1 - target gross margin).
    GPU spend is chip vendors' revenue (Sequoia used Nvidia's run-rate); GPU share 0.4
    (003); margin 50% (Sequoia). DESIGN.md writes "AI capex" for the numerator; GPU spend
    is used so the GPU share is not divided out twice.
    """
    n = min(12, len(figs))
    gpu_spend_per_month = _trailing(figs, "chip_revenue_usd", n) / n
    return gpu_spend_per_month / p.gpu_cost_share_frac / (1.0 - p.target_gross_margin_frac)


def revenue_gap(figs, p) -> Reading:
    """1. Revenue gap: end-user AI revenue in the month against the revenue required.

    Value: coverage = revenue / required. Amber below 1, red below 0.5: revenue not even
    half of what the capex needs (Sequoia 2024; 000's "two curves").
    """
    f = figs[-1]
    cover = f["ai_revenue_usd"] / f["required_revenue_usd"] if f["required_revenue_usd"] > 0 else math.inf
    return _reading("revenue_gap", cover, RED if cover < 0.5 else AMBER if cover < 1.0 else GREEN, 1.0, 0.5)


def idle_compute(figs, p) -> Reading:
    """2. Idle compute: share of powered GPU capacity not rented.

    Late-2025 reference ~5% (004: AWS GPU idle rate in October); a dot-com-style bust
    needs 70-90% idle, like dark fibre in 2001 (004, Xu Jing). Amber from 20%.
    """
    v = figs[-1]["idle_frac"]
    return _reading("idle_compute", v, RED if v >= 0.7 else AMBER if v >= DAMAGE_IDLE_FRAC else GREEN,
                    DAMAGE_IDLE_FRAC, 0.7)


def ghost_compute(figs, p) -> Reading:
    """3. Ghost compute: chips delivered but not powered, and how long they wait.

    Value: the deployment lag in months (how long the oldest unpowered chips have waited)
    as a share of the generation period. 002: if the gap between paper specs and deployed
    compute approaches the generation cycle, demand for a whole generation vanishes.
    Amber at a quarter of the cycle, red at half.
    """
    lag = figs[-1]["deployment_lag_months"] / p.chip_generation_months
    return _reading("ghost_compute", lag, RED if lag >= 0.5 else AMBER if lag >= 0.25 else GREEN, 0.25, 0.5)


def growth_12m(figs, key: str) -> float:
    """Growth of the last three months of ``key`` over the same months a year earlier."""
    if len(figs) < 15:
        return math.nan
    now = _trailing(figs, key, 3)
    before = _trailing(figs, key, 3, offset=12)
    return now / before - 1.0 if before > 0 else math.nan


def two_curves(figs, p) -> Reading:
    """4. Two curves (000): capex growth against revenue growth, trailing 12 months.

    Value: capex growth minus revenue growth. Red when capex outgrows revenue; amber
    when it grows at more than half revenue's rate while revenue slows below 50%/yr.
    """
    f = figs[-1]
    cg, rg = f["capex_growth_12m"], f["revenue_growth_12m"]
    if math.isnan(cg) or math.isnan(rg):
        return _reading("two_curves", math.nan, GREEN, -0.5, 0.0)
    diff = cg - rg
    level = RED if (diff > 0 and cg > 0) else AMBER if (rg < 0.5 and cg > 0.5 * rg) else GREEN
    return _reading("two_curves", diff, level, -0.5, 0.0)


def payback(figs, p) -> Reading:
    """5. Payback: months for a new GPU's rental margin to repay its all-in cost.

    Against its economic life, one generation cycle (001/002: 1.5-2 years; amber beyond
    it) and its accounting life (red beyond it).
    """
    v = figs[-1]["payback_months"]
    return _reading("payback", v,
                    RED if v > p.gpu_accounting_life_months else AMBER if v > p.chip_generation_months else GREEN,
                    p.chip_generation_months, p.gpu_accounting_life_months)


def liquidity(figs, p) -> Reading:
    """6. Liquidity: the shortest independent lab's runway, and whether funding is there.

    Red when some lab has under 6 months of cash and investors fill under half of what
    is asked, or a lab has defaulted this month (000: bubbles pop through liquidity
    exhaustion). Amber under 12 months.
    """
    f = figs[-1]
    v = f["lab_min_runway_months"]
    dry = f["funding_unfilled_frac"] >= 0.5
    level = RED if (v < 6 and dry) or f["defaults_month"] > 0 else AMBER if v < 12 else GREEN
    return _reading("liquidity", v, level, 12.0, 6.0)


def write_downs(figs, p) -> Reading:
    """7. Write-downs: cumulative impairments and bad debts against the dot-com
    (~$200B, amber) and subprime ($945B, red) scales (004)."""
    v = figs[-1]["impairments_cum_usd"]
    return _reading("write_downs", v, RED if v >= SUBPRIME_WRITEDOWN_USD else AMBER if v >= DOTCOM_WRITEDOWN_USD
                    else GREEN, DOTCOM_WRITEDOWN_USD, SUBPRIME_WRITEDOWN_USD)


THRESHOLDS = (revenue_gap, idle_compute, ghost_compute, two_curves, payback, liquidity, write_downs)
NAMES = tuple(t.__name__ for t in THRESHOLDS)

#: Each threshold in plain words, from its docstring above: what it measures, where the
#: yardstick comes from (000-004: the debate's notes), and its red line. The app's tiles
#: show these as tooltips; a test checks there is one per threshold.
PLAIN = {
    "revenue_gap": (
        "What AI users pay each month against the revenue the build-out needs to pay for itself "
        "(GPU spend / GPU share of cluster cost / a 50% margin). Source: Sequoia's \"$600B question\" (2024), "
        "000's two curves. Amber: revenue below what is needed; red line: revenue below half of it."),
    "idle_compute": (
        "The share of powered GPUs that nobody rents. Source: 004 (AWS's GPU idle rate was about 5% in "
        "late 2025; dark fibre in 2001 was 70-90% idle). Amber from 20% idle; red line: 70% idle, "
        "a dot-com-sized glut."),
    "ghost_compute": (
        "How long delivered chips wait for power before they run, as a share of a chip generation "
        "(value 0.25: a quarter of a generation). Source: 002 (if the wait nears the generation cycle, a "
        "whole generation's demand vanishes). Amber at a quarter of a generation; red line: half of one."),
    "two_curves": (
        "Whether AI capex grows faster than AI revenue (capex growth minus revenue growth over 12 months; "
        "n/a in the first 15 months). Source: 000's two curves. Amber: capex growing at more than half "
        "revenue's rate while revenue slows below 50% a year; red line: capex outgrowing revenue."),
    "payback": (
        "Months for a new GPU's rental margin to repay what it cost. Source: 001/002 (a chip generation "
        "lasts 1.5-2 years). Amber: longer than a generation; red line: longer than its accounting life."),
    "liquidity": (
        "The shortest cash runway among the independent labs, and whether investors fund what they ask. "
        "Source: 000 (bubbles pop when the money runs out). Amber under 12 months; red line: under 6 months "
        "with investors filling less than half of the asks, or a lab defaulting."),
    "write_downs": (
        "Everything written off so far: impairments of AI assets and bad debts. Source: 004 (Xu Jing set "
        "an AI default against the dot-com telecom bust, about $200B, and subprime, $945B by the IMF in "
        "2008). Amber at dot-com scale; red line: subprime scale."),
}


def evaluate(figs, p) -> list[Reading]:
    """All seven readings for the newest month."""
    return [t(figs, p) for t in THRESHOLDS]


# ===== the verdict ===========================================================================

#: A run's outcome, from the whole run: in order of severity.
OUTCOMES = ("boom", "digestion", "bust")
#: Events of the chain that are something falling (what ``first_fall`` reports).
FALL_KINDS = ("valuation_fall", "capex_fall", "idle", "rental")
#: Kinds of damage sign (:func:`damage_signs`).
DAMAGE_KINDS = ("idle", "rental", "impairments", "default")


def _finite(v) -> bool:
    return v is not None and isinstance(v, (int, float)) and math.isfinite(v)


def annual_capex_usd(figs) -> list[float]:
    """AI capex at an annual rate, month by month: the trailing 12 months' sum (the months
    so far, times 12 / their number, in the first year)."""
    out, total = [], 0.0
    for m, f in enumerate(figs):
        total += f["ai_capex_usd"]
        if m >= 12:
            total -= figs[m - 12]["ai_capex_usd"]
        out.append(total * 12.0 / min(m + 1, 12))
    return out


def rental_change_12m(figs, m: int) -> float:
    """The GPU rental price's change over 12 months to month ``m`` (nan in the first year)."""
    if m < 12:
        return math.nan
    before = figs[m - 12]["gpu_rental_usd_per_hour"]
    return figs[m]["gpu_rental_usd_per_hour"] / before - 1.0 if before > 0 else math.nan


def impairment_share(figs, annual_capex: list[float] | None = None) -> list[float]:
    """Impairments and bad debts of the last 12 months over the peak annual AI capex so far,
    month by month (:data:`MATERIAL_IMPAIRMENT_FRAC`)."""
    capex = annual_capex if annual_capex is not None else annual_capex_usd(figs)
    out, total, peak = [], 0.0, 0.0
    for m, f in enumerate(figs):
        total += f["impairments_usd"]
        if m >= 12:
            total -= figs[m - 12]["impairments_usd"]
        peak = max(peak, capex[m])
        out.append(total / peak if peak > 0 else 0.0)
    return out


def damage_signs(figs, defaults: list[dict]) -> list[dict]:
    """Every month a sign of damage shows, in month order: ``{"month", "kind", "value",
    "words"}`` with ``kind`` one of :data:`DAMAGE_KINDS`:

    - ``idle``: idle capacity at least :data:`DAMAGE_IDLE_FRAC` (value: the idle share);
    - ``rental``: the rental price at least :data:`DAMAGE_RENTAL_FALL_FRAC` below its level
      12 months earlier (value: the change, negative);
    - ``impairments``: material impairments, :data:`MATERIAL_IMPAIRMENT_FRAC` (value: the
      share of peak annual capex written off in the last 12 months);
    - ``default``: an agent defaults (value: what it left unpaid, USD).
    """
    out = []
    shares = impairment_share(figs)
    for m, f in enumerate(figs):
        if f["idle_frac"] >= DAMAGE_IDLE_FRAC:
            out.append({"month": m, "kind": "idle", "value": f["idle_frac"],
                        "words": f"idle {f['idle_frac']:.0%}"})
        change = rental_change_12m(figs, m)
        if _finite(change) and change <= -DAMAGE_RENTAL_FALL_FRAC:
            out.append({"month": m, "kind": "rental", "value": change,
                        "words": f"GPU rental {change:+.0%} y/y"})
        if shares[m] >= MATERIAL_IMPAIRMENT_FRAC:
            out.append({"month": m, "kind": "impairments", "value": shares[m],
                        "words": f"impairments {shares[m]:.0%} of peak annual capex in 12 months"})
    for d in defaults:
        if d["month"] < len(figs):
            out.append({"month": d["month"], "kind": "default", "value": d.get("written_off_usd"),
                        "words": f"{d['name']} default"})
    out.sort(key=lambda e: (e["month"], DAMAGE_KINDS.index(e["kind"])))
    return out


def _in_window(signs: list[dict], month: int) -> list[dict]:
    lo, hi = DAMAGE_WINDOW_MONTHS
    return [s for s in signs if month + lo <= s["month"] <= month + hi]


def _firsts(signs: list[dict]) -> list[dict]:
    """The first sign of each kind (every default), in month order."""
    seen, out = set(), []
    for s in signs:
        key = s["words"] if s["kind"] == "default" else s["kind"]
        if key not in seen:
            seen.add(key)
            out.append(s)
    return out


def threshold_history(figs, levels: list[list[int]]) -> dict[str, dict]:
    """Each threshold's history: ``first`` (run month first red, or None), ``months_red``
    and ``worst``, its worst value in its own unit (:data:`UNITS`, :data:`WORSE`) from the
    ``value_<name>`` columns (None where the figures lack them; infinite where a payback
    never comes or a runway never ends)."""
    out = {}
    for i, name in enumerate(NAMES):
        red = [m for m, lv in enumerate(levels) if lv[i] == RED]
        values = [f.get(f"value_{name}") for f in figs]
        values = [v for v in values if v is not None and not (isinstance(v, float) and math.isnan(v))]
        worst = (min if WORSE[name] == "lower" else max)(values) if values else None
        out[name] = {"first": red[0] if red else None, "months_red": len(red), "worst": worst}
    return out


def _valuation_path(figs) -> tuple[list[float | None], list[float], list[int | None]]:
    """The valuation, its running peak and the month of that peak, month by month."""
    vals = [f.get("valuation_usd") for f in figs]
    peaks, peak_months, peak, peak_m = [], [], 0.0, None
    for m, v in enumerate(vals):
        if _finite(v) and v > peak:
            peak, peak_m = v, m
        peaks.append(peak)
        peak_months.append(peak_m)
    return vals, peaks, peak_months


def _fall(v, peak) -> float:
    return 1.0 - v / peak if _finite(v) and peak > 0 else 0.0


def find_bust(figs, signs: list[dict], fall_frac: float) -> int | None:
    """The bust month: the first month the valuation stands ``fall_frac`` or more below its
    running peak with a sign of damage from 6 months before to 12 after
    (:data:`DAMAGE_WINDOW_MONTHS`); None if there is none. A fall without damage is not a
    bust; the scan goes on, so a later month of the same fall, or a later fall, can be."""
    vals, peaks, _ = _valuation_path(figs)
    for m, v in enumerate(vals):
        if _fall(v, peaks[m]) >= fall_frac and _in_window(signs, m):
            return m
    return None


def find_capex_fall(capex: list[float], drop_frac: float) -> tuple[int | None, int | None]:
    """(month, peak month) of the first month annual AI capex stands ``drop_frac`` or more
    below its running peak, counted from month 11 (a full trailing year); (None, month of
    the peak) if it never does."""
    peak, peak_m = 0.0, None
    for m, v in enumerate(capex):
        if m < 11:
            continue
        if v > peak:
            peak, peak_m = v, m
        elif peak > 0 and v <= (1.0 - drop_frac) * peak:
            return m, peak_m
    return None, peak_m


def chain_of_events(figs, levels, defaults, p, bust_month: int | None = None, outcome: str | None = None,
                    capex: list[float] | None = None, signs: list[dict] | None = None, date=None) -> list[dict]:
    """What fell first, what followed, when: ``{"month" (run month), "kind", "event" (words),
    "value"}`` in month order. Events: each valuation peak that a 20% fall followed, and
    that fall and the bust-level fall (``bust_valuation_fall_frac``); the peak of annual AI
    capex before its first ``digestion_capex_drop_frac`` fall, and that fall; the first
    month of idle capacity at :data:`DAMAGE_IDLE_FRAC`, of a rental fall of
    :data:`DAMAGE_RENTAL_FALL_FRAC` in a year and of material impairments; each default;
    funding running dry (:data:`FUNDING_DRY_FRAC` for :data:`FUNDING_DRY_MONTHS` months);
    each threshold's first red month; three gauges red (if the figures carry
    ``gauges_red``); and the outcome (``bust`` or ``digestion``) itself. ``date`` turns a
    run month into the words' "YYYY-MM" (default: from the parameters' start)."""
    date = date or _dater(p.start_year, p.start_month)
    capex = capex if capex is not None else annual_capex_usd(figs)
    signs = signs if signs is not None else damage_signs(figs, defaults)
    events = []

    def add(m, kind, event, value=None):
        events.append({"month": m, "kind": kind, "event": event, "value": value})

    # valuation: each peak a fall followed, and the falls past 20% and the bust level
    vals, peaks, peak_months = _valuation_path(figs)
    steps = sorted({VALUATION_WARNING_FALL_FRAC, p.bust_valuation_fall_frac})
    marked: set[tuple[int, float]] = set()
    for m, v in enumerate(vals):
        pm = peak_months[m]
        for step in steps:
            if (pm, step) not in marked and _fall(v, peaks[m]) >= step:
                if not any(k[0] == pm for k in marked):
                    add(pm, "valuation_peak", f"valuation peaks (${peaks[m] / 1e12:,.2f}T)", peaks[m])
                marked.add((pm, step))
                add(m, "valuation_fall", f"valuation {-_fall(v, peaks[m]):+.0%} from {date(pm)} peak "
                    f"(${v / 1e12:,.2f}T)", -_fall(v, peaks[m]))
    # capex
    fall_m, peak_m = find_capex_fall(capex, p.digestion_capex_drop_frac)
    if fall_m is not None:
        add(peak_m, "capex_peak", f"annual AI capex peaks (${capex[peak_m] / 1e9:,.0f}B/yr)", capex[peak_m])
        change = capex[fall_m] / capex[peak_m] - 1.0
        add(fall_m, "capex_fall", f"annual AI capex {change:+.0%} from {date(peak_m)} peak "
            f"(${capex[fall_m] / 1e9:,.0f}B/yr)", change)
    # damage: the first month of each sign, every default
    for s in _firsts(signs):
        words = {"idle": f"idle {s['value']:.0%} of powered GPUs",
                 "rental": f"GPU rental {s['value']:+.0%} y/y (${figs[s['month']]['gpu_rental_usd_per_hour']:.2f}/h)",
                 "impairments": f"material impairments ({s['value']:.0%} of peak annual capex in 12 months)",
                 "default": s["words"] + "s"}[s["kind"]]
        if s["kind"] == "default":
            d = next((d for d in defaults if d["month"] == s["month"] and f"{d['name']} default" == s["words"]), None)
            if d is not None and d.get("reason"):
                words += f" ({d['reason']})"
        add(s["month"], s["kind"], words, s["value"])
    # funding running dry
    run = 0
    for m, f in enumerate(figs):
        run = run + 1 if f.get("funding_unfilled_frac", 0.0) >= FUNDING_DRY_FRAC else 0
        if run == FUNDING_DRY_MONTHS:
            start = m - FUNDING_DRY_MONTHS + 1
            add(start, "funding", f"investors leave {figs[start]['funding_unfilled_frac']:.0%} of labs' asks "
                f"unfilled, {FUNDING_DRY_MONTHS} months running", figs[start]["funding_unfilled_frac"])
            break
    # thresholds
    for name, h in threshold_history(figs, levels).items():
        if h["first"] is not None:
            v = figs[h["first"]].get(f"value_{name}")
            add(h["first"], "threshold", f"{name} turns red", v)
    # gauges (sim/gauges.py, once merged)
    m3 = next((m for m, f in enumerate(figs) if (f.get("gauges_red") or 0) >= GAUGES_RED_ALARM), None)
    if m3 is not None:
        add(m3, "gauges", f"{figs[m3]['gauges_red']} gauges red", figs[m3]["gauges_red"])
    # the outcome
    if outcome == "bust" and bust_month is not None:
        fall = -_fall(vals[bust_month], peaks[bust_month])
        add(bust_month, "bust", f"BUST: valuation {fall:+.0%} from {date(peak_months[bust_month])} peak, with damage "
            f"from {-DAMAGE_WINDOW_MONTHS[0]} months before to {DAMAGE_WINDOW_MONTHS[1]} after", fall)
    elif outcome == "digestion" and fall_m is not None:
        change = capex[fall_m] / capex[peak_m] - 1.0
        add(fall_m, "digestion", f"DIGESTION: annual AI capex {change:+.0%} from its peak, and no bust", change)
    order = ("valuation_peak", "capex_peak", "threshold", "funding", "gauges", "valuation_fall", "capex_fall",
             "idle", "rental", "impairments", "default", "bust", "digestion")
    events.sort(key=lambda e: (e["month"], order.index(e["kind"])))
    return events


def _short(event: dict) -> str:
    """A fall of the chain in a few words ("valuation -22%")."""
    v = event["value"]
    return {"valuation_fall": f"valuation {v:+.0%}", "capex_fall": f"annual AI capex {v:+.0%}",
            "idle": f"idle {v:.0%}", "rental": f"GPU rental {v:+.0%} y/y"}[event["kind"]]


def _dater(start_year: int, start_month: int):
    """Run month (or None) -> "YYYY-MM" (or None)."""
    from sim.clock import month_date

    return lambda m: None if m is None else month_date(start_year, start_month, m)


def _list(signs: list[dict], date) -> str:
    return ", ".join(f"{s['words']} ({date(s['month'])})" for s in signs)


def verdict(figs, levels: list[list[int]], defaults: list[dict], p, start_year: int | None = None,
            start_month: int | None = None) -> dict:
    """The run's verdict, from the whole run: its figures, threshold levels, defaults and
    parameters. Months come back as "YYYY-MM" (from ``start_year``/``start_month``, by
    default the parameters').

    The outcome (:data:`OUTCOMES`):

    - ``bust``: the AI valuation stands ``p.bust_valuation_fall_frac`` (40%) or more below
      its running peak, with at least one sign of damage (:func:`damage_signs`: idle
      capacity, a rental price fall in a year, material impairments, a default) from 6
      months before to 12 months after. The bust month is the first such month
      (:func:`find_bust`); a fall without damage is not a bust, and a later one can be.
      Near the end of a run only the months run can show damage.
    - ``digestion``: not a bust, and annual AI capex (the trailing 12 months) stands
      ``p.digestion_capex_drop_frac`` (30%) or more below its running peak: the build-out
      pausing to catch up. The issue's digestion also has utilization high, prices
      holding and no default; a capex fall that comes with such damage but without a
      valuation crash is still ``digestion`` (the outcome is one of three), and
      ``outcome_reason`` and the chain say which damage came with it.
    - ``boom``: neither. ``outcome_reason`` says if the valuation fell far without
      damage, or if damage showed without a fall.

    Also: ``chain`` (:func:`chain_of_events`), ``first_fall`` (the first fall in the
    chain, in words), each threshold's ``history`` (:func:`threshold_history`), the
    valuation's peak, deepest fall and range against fundamental value, annual capex's
    peak and deepest fall, the largest revenue gap (the month's gap x 12, an annual
    rate), the defaults, and the gauges' worst month if the figures carry ``gauges_red``.
    """
    date = _dater(p.start_year if start_year is None else start_year,
                  p.start_month if start_month is None else start_month)
    n = len(figs)
    capex = annual_capex_usd(figs)
    signs = damage_signs(figs, defaults)
    bust_m = find_bust(figs, signs, p.bust_valuation_fall_frac)
    fall_m, capex_peak_m = find_capex_fall(capex, p.digestion_capex_drop_frac)
    outcome = "bust" if bust_m is not None else "digestion" if fall_m is not None else "boom"
    vals, peaks, peak_months = _valuation_path(figs)
    falls = [_fall(v, pk) for v, pk in zip(vals, peaks)]
    max_fall = max(falls, default=0.0)
    bust_cause = None
    if outcome == "bust":
        window = _firsts(_in_window(signs, bust_m))
        bust_cause = (f"valuation {-falls[bust_m]:+.0%} from {date(peak_months[bust_m])} peak "
                      f"({date(bust_m)}); damage: {_list(window, date)}")
    chain = chain_of_events(figs, levels, defaults, p, bust_m, outcome, capex, signs, date)
    first = next((e for e in chain if e["kind"] in FALL_KINDS), None)
    first_fall = None if first is None else f"{_short(first)} ({date(first['month'])})"
    if outcome == "bust" and first is not None and first["kind"] != "valuation_fall":
        bust_cause += f"; first to fall: {first_fall}"

    if outcome == "bust":
        reason = bust_cause
    elif outcome == "digestion":
        change = capex[fall_m] / capex[capex_peak_m] - 1.0
        reason = (f"annual AI capex {change:+.0%} from {date(capex_peak_m)} peak ({date(fall_m)}) without a "
                  f"{p.bust_valuation_fall_frac:.0%} valuation fall with damage")
        near = _firsts(_in_window(signs, fall_m))
        reason += f"; with damage: {_list(near, date)}" if near else "; utilization, rental prices and credit held"
    else:
        reason = (f"no {p.bust_valuation_fall_frac:.0%} valuation fall with damage and no "
                  f"{p.digestion_capex_drop_frac:.0%} fall of annual capex")
        if max_fall >= p.bust_valuation_fall_frac:
            reason += f"; the valuation fell {max_fall:.0%} without damage"
        if signs:
            reason += f"; damage: {_list(_firsts(signs)[:4], date)}"

    history = threshold_history(figs, levels)
    peak_v_m = max((m for m in range(n) if _finite(vals[m])), key=lambda m: vals[m], default=None)
    ratios = [f.get("valuation_ratio") for f in figs]
    ratios = [r for r in ratios if _finite(r)]
    gauges = [f.get("gauges_red") for f in figs]
    has_gauges = any(g is not None for g in gauges)
    three = next((m for m, g in enumerate(gauges) if (g or 0) >= GAUGES_RED_ALARM), None)
    drawdown, running = 0.0, 0.0
    for m, v in enumerate(capex):
        if m >= 11:
            running = max(running, v)
            if running > 0:
                drawdown = max(drawdown, 1.0 - v / running)
    gaps = [f["revenue_gap_usd"] for f in figs]
    return {
        "outcome": outcome,
        "outcome_reason": reason,
        "bust": outcome == "bust",
        "bust_month": date(bust_m),
        "bust_cause": bust_cause,
        "digestion": outcome == "digestion",
        "boom": outcome == "boom",
        "capex_fall_month": date(fall_m),
        "damage": bool(signs),
        "damage_month": date(signs[0]["month"]) if signs else None,
        "first_fall": first_fall,
        "chain": [{"month": date(e["month"]), "kind": e["kind"], "event": e["event"], "value": e["value"]}
                  for e in chain],
        "thresholds_crossed": [name for name in NAMES if history[name]["first"] is not None],
        "first_crossed": {name: date(h["first"]) for name, h in history.items() if h["first"] is not None},
        "history": {name: {"first": date(h["first"]), "months_red": h["months_red"], "worst": h["worst"]}
                    for name, h in history.items()},
        "peak_valuation_usd": vals[peak_v_m] if peak_v_m is not None else None,
        "peak_valuation_month": date(peak_v_m),
        "valuation_last_usd": vals[-1] if n and _finite(vals[-1]) else None,
        "max_valuation_fall_frac": max_fall,
        "min_valuation_ratio": min(ratios) if ratios else None,
        "max_valuation_ratio": max(ratios) if ratios else None,
        "peak_capex_usd_per_year": max(capex) if capex else 0.0,
        "max_capex_drawdown_frac": drawdown,
        "peak_capex_month": date(max(range(n), key=capex.__getitem__)) if capex else None,
        "max_revenue_gap_usd_per_year": 12.0 * max(gaps) if gaps else 0.0,
        "defaults": [d["name"] for d in defaults],
        "max_gauges_red": max((g for g in gauges if g is not None), default=None) if has_gauges else None,
        "three_gauges_red_month": date(three),
    }
