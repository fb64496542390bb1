"""The seven bubble thresholds, evaluated every month, and a run's verdict.

Each threshold is a named function of the run's public monthly figures (a list of
dicts, newest last, with the columns of :mod:`sim.reporters`) and the parameters. It
returns a :class:`Reading`: the value, a level (0 green, 1 amber, 2 red = crossed) and
the bands it is judged against, so charts can draw them.
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


@dataclass(frozen=True)
class Reading:
    name: str
    value: float
    level: int
    unit: str
    amber: float
    red: float


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
    return Reading("revenue_gap", cover, RED if cover < 0.5 else AMBER if cover < 1.0 else GREEN,
                   "revenue / required", 1.0, 0.5)


def idle_compute(figs, p) -> Reading:
    """2. Idle compute: share of powered GPU capacity not rented.

    Late-2025 reference ~5% (004: AWS GPU idle rate in October); a dot-com-style bust
    needs 70-90% idle, like dark fibre in 2001 (004, Xu Jing). Amber from 20%.
    """
    v = figs[-1]["idle_frac"]
    return Reading("idle_compute", v, RED if v >= 0.7 else AMBER if v >= 0.2 else GREEN, "fraction", 0.2, 0.7)


def ghost_compute(figs, p) -> Reading:
    """3. Ghost compute: chips delivered but not powered, and how long they wait.

    Value: the deployment lag in months (how long the oldest unpowered chips have waited)
    as a share of the generation period. 002: if the gap between paper specs and deployed
    compute approaches the generation cycle, demand for a whole generation vanishes.
    Amber at a quarter of the cycle, red at half.
    """
    lag = figs[-1]["deployment_lag_months"] / p.chip_generation_months
    return Reading("ghost_compute", lag, RED if lag >= 0.5 else AMBER if lag >= 0.25 else GREEN,
                   "lag / generation period", 0.25, 0.5)


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
        return Reading("two_curves", math.nan, GREEN, "capex growth - revenue growth", 0.0, 0.0)
    diff = cg - rg
    level = RED if (diff > 0 and cg > 0) else AMBER if (rg < 0.5 and cg > 0.5 * rg) else GREEN
    return Reading("two_curves", diff, level, "capex growth - revenue growth", -0.5, 0.0)


def payback(figs, p) -> Reading:
    """5. Payback: months for a new GPU's rental margin to repay its all-in cost.

    Against its economic life, one generation cycle (001/002: 1.5-2 years; amber beyond
    it) and its accounting life (red beyond it).
    """
    v = figs[-1]["payback_months"]
    return Reading("payback", v,
                   RED if v > p.gpu_accounting_life_months else AMBER if v > p.chip_generation_months else GREEN,
                   "months", p.chip_generation_months, p.gpu_accounting_life_months)


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
    return Reading("liquidity", v, level, "months of runway", 12.0, 6.0)


def write_downs(figs, p) -> Reading:
    """7. Write-downs: cumulative impairments and bad debts against the dot-com
    (~$200B, amber) and subprime ($945B, red) scales (004)."""
    v = figs[-1]["impairments_cum_usd"]
    return Reading("write_downs", v, RED if v >= SUBPRIME_WRITEDOWN_USD else AMBER if v >= DOTCOM_WRITEDOWN_USD
                   else GREEN, "USD", DOTCOM_WRITEDOWN_USD, SUBPRIME_WRITEDOWN_USD)


THRESHOLDS = (revenue_gap, idle_compute, ghost_compute, two_curves, payback, liquidity, write_downs)
NAMES = tuple(t.__name__ for t in THRESHOLDS)


def evaluate(figs, p) -> list[Reading]:
    """All seven readings for the newest month."""
    return [t(figs, p) for t in THRESHOLDS]


def verdict(figs, levels: list[list[int]], defaults: list[dict], p, start_year: int, start_month: int) -> dict:
    """The run's verdict from its figures and threshold levels, month by month.

    A bust is annual AI capex (the trailing 12 months) falling ``bust_capex_drop_frac``
    or more below its running peak within 12 months of that peak, or a default cascade
    (a default that spread along the contract network, or two defaults within 12
    months). The 12-month window keeps quarterly ordering cycles from counting as busts.
    """
    from sim.clock import month_date

    crossed = {}
    for i, name in enumerate(NAMES):
        first = next((m for m, lv in enumerate(levels) if lv[i] == RED), None)
        crossed[name] = first
    capex = [f["ai_capex_usd"] for f in figs]
    trailing = [sum(capex[max(0, m - 11): m + 1]) * 12.0 / len(capex[max(0, m - 11): m + 1])
                for m in range(len(capex))]
    bust_month, bust_cause = None, None
    peak, peak_m = 0.0, 0
    for m, v in enumerate(trailing):
        if m < 11:
            continue
        if v > peak:
            peak, peak_m = v, m
        elif peak > 0 and m - peak_m <= 12 and v <= (1 - p.bust_capex_drop_frac) * peak:
            bust_month, bust_cause = m, "capex fell {:.0%} from its peak".format(1 - v / peak)
            break
    cascade = [d for d in defaults if d["propagated"]]
    pairs = [b["month"] for a, b in zip(defaults, defaults[1:]) if b["month"] - a["month"] <= 12]
    cascade_month = min([d["month"] for d in cascade] + pairs) if (cascade or pairs) else None
    if cascade_month is not None and (bust_month is None or cascade_month < bust_month):
        bust_month, bust_cause = cascade_month, "default cascade"
    drawdown, running = 0.0, 0.0
    for m, v in enumerate(trailing):
        if m >= 11:
            running = max(running, v)
            if running > 0:
                drawdown = max(drawdown, 1.0 - v / running)
    gaps = [f["revenue_gap_usd"] for f in figs]
    date = (lambda m: None if m is None else month_date(start_year, start_month, m))
    return {
        "thresholds_crossed": [n for n in NAMES if crossed[n] is not None],
        "first_crossed": {n: date(m) for n, m in crossed.items() if m is not None},
        "bust": bust_month is not None,
        "bust_month": date(bust_month),
        "bust_cause": bust_cause,
        "peak_capex_usd_per_year": max(trailing) if trailing else 0.0,
        "max_capex_drawdown_frac": drawdown,
        "peak_capex_month": date(max(range(len(trailing)), key=trailing.__getitem__)) if trailing else None,
        "max_revenue_gap_usd_per_year": 12.0 * max(gaps) if gaps else 0.0,
        "defaults": [d["name"] for d in defaults],
    }
