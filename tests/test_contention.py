"""The three points of contention (000) each move both curves through their mechanism.

For each contention the test runs the baseline at both ends of the argument on seeds
1-3 for 72 months and checks the median effect on the two curves of seed 000 (revenue
in the last year and peak AI capex, trailing 12 months) against the sizes issue 8
asks for: a model in which an argument moves only one curve, or neither, fails.
"""

import statistics

import pytest

from experiments.runner import run

SEEDS = (1, 2, 3)


def medians(low: dict, high: dict, months: int = 72):
    """Median over seeds of high/low for last-year revenue, peak capex and Dec-2026 price."""
    rev, capex, price = [], [], []
    for seed in SEEDS:
        a, b = run(low, months, seed), run(high, months, seed)
        rev.append(b["revenue_last_year_usd"] / a["revenue_last_year_usd"])
        capex.append(b["peak_capex_usd_per_year"] / a["peak_capex_usd_per_year"])
        price.append(b["yearly"]["price_usd_per_mtok"][1] / a["yearly"]["price_usd_per_mtok"][1])
    return statistics.median(rev), statistics.median(capex), statistics.median(price)


@pytest.fixture(scope="module")
def effects():
    return {
        "scaling": medians({"scaling_exponent": 0.0}, {"scaling_exponent": 3.0}),
        "reliability": medians({"reliability_ceiling_frac": 0.1}, {"reliability_ceiling_frac": 0.9}),
        "shock": medians({}, {"efficiency_shock_factor": 4.0, "efficiency_shock_month": 13}),
    }


def test_scaling_law_moves_revenue_and_capex(effects):
    """#1, is the scaling law still working: from its minimum to its maximum the exponent
    raises last-year revenue by at least 15% (better models are worth more to users) and
    peak capex by at least 10% (labs train for what capability is worth, and contract
    the compute for it)."""
    revenue, capex, _ = effects["scaling"]
    assert revenue >= 1.15, revenue
    assert capex >= 1.10, capex


def test_efficiency_shock_moves_price_and_capex(effects):
    """#2, architectures that save compute: a 4x cut in compute per token in January 2026
    leaves the Dec-2026 token price at most 0.7x the baseline's, and moves peak capex by
    at least 5% (here up: demand above unit elasticity asks for more compute, Jevons)."""
    _, capex, price = effects["shock"]
    assert price <= 0.7, price
    assert abs(capex - 1.0) >= 0.05, capex


def test_reliability_moves_revenue_and_capex(effects):
    """#3, is AI reliable: a reliability ceiling of 0.9 against 0.1 raises last-year
    revenue at least 1.2x (enterprise automation and agents pay most per user) and peak
    capex by at least 5% (their tokens need compute, and their revenue funds it)."""
    revenue, capex, _ = effects["reliability"]
    assert revenue >= 1.2, revenue
    assert capex >= 1.05, capex
