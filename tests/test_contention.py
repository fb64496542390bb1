"""The three points of contention (000) each move both curves through their mechanism.

``experiments.calibration.contention_effects`` runs the baseline at both ends of each
argument on seeds 1-3 for 72 months; the tests check the median effect on the two curves
of seed 000 (revenue in the last year, peak AI capex over a trailing 12 months) against
the sizes issue 8 asks for. A model in which an argument moves only one curve, or
neither, fails. docs/calibration.md shows the same numbers (tests/test_calibration.py).
"""

import statistics

import pytest

from experiments.calibration import contention_effects


@pytest.fixture(scope="module")
def effects():
    return {e["name"].split()[0]: e for e in contention_effects()}


def test_scaling_law_moves_revenue_and_capex(effects):
    """#1, is the scaling law still working: from its minimum to its maximum the exponent
    raises last-year revenue by at least 15% (better models are worth more to users) and
    peak capex by at least 10% (labs train for what capability is worth, and contract
    the compute for it)."""
    e = effects["#1"]
    assert statistics.median(e["revenue"]) >= 1.15, e["revenue"]
    assert statistics.median(e["capex"]) >= 1.10, e["capex"]


def test_efficiency_shock_moves_price_and_capex(effects):
    """#2, architectures that save compute: a 4x cut in compute per token in January 2026
    leaves the Dec-2026 token price at most 0.7x the baseline's, and moves peak capex by
    at least 5% (here up: demand above unit elasticity asks for more compute, Jevons)."""
    e = effects["#2"]
    assert statistics.median(e["price"]) <= 0.7, e["price"]
    assert abs(statistics.median(e["capex"]) - 1.0) >= 0.05, e["capex"]


def test_reliability_moves_revenue_and_capex(effects):
    """#3, is AI reliable: a reliability ceiling of 0.9 against 0.1 raises last-year
    revenue at least 1.2x (enterprise automation and agents pay most per user) and peak
    capex by at least 5% (their tokens need compute, and their revenue funds it)."""
    e = effects["#3"]
    assert statistics.median(e["revenue"]) >= 1.2, e["revenue"]
    assert statistics.median(e["capex"]) >= 1.05, e["capex"]
