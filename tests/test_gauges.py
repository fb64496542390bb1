"""The five dashboard gauges (sim/gauges.py): computed every month, on the record where
the record has a reading, and moved by the assumptions that should move them."""

import math

import pytest

from experiments.runner import build_model, stepped_model
from sim import gauges, reporters
from sim.model import validate_events

#: Values a gauge may take besides finite numbers, and when (documented in sim/gauges.py).
MAY_BE_INFINITE = {"industry_strain", "revenue_momentum", "valuation_heat"}


@pytest.fixture(scope="module")
def baseline():
    return stepped_model(months=72, seed=1, scenario="baseline")


def _series(model, name, key="gauge_"):
    return [f[key + name] for f in model.figures]


def test_every_gauge_every_month_with_a_level_and_the_red_count(baseline):
    frame = baseline.datacollector.get_model_vars_dataframe()
    assert set(reporters.GAUGE_COLUMNS + reporters.GAUGE_LEVEL_COLUMNS + (reporters.GAUGES_RED,)) <= set(frame.columns)
    assert len(baseline.gauge_levels) == len(baseline.figures) == 72
    for f, levels in zip(baseline.figures, baseline.gauge_levels):
        for name, level in zip(gauges.NAMES, levels):
            v = f[f"gauge_{name}"]
            assert not math.isnan(v), (f["month"], name)
            assert math.isfinite(v) or (name in MAY_BE_INFINITE and v == math.inf), (f["month"], name, v)
            assert v >= 0, (f["month"], name, v)
            assert level in (0, 1, 2) and f[f"gauge_level_{name}"] == level
            if v == math.inf:
                assert level == 2, (f["month"], name)
        assert f["gauges_red"] == sum(lv == 2 for lv in levels)
        assert 0.0 <= f["gauge_funding_quality"] <= 1.0


def test_industry_strain_falls_through_2025_as_on_the_dashboard(baseline):
    """Exponential View's Boom or Bubble dashboard (experiments/data/public_record.csv,
    "gauge, capex to AI revenue ratio"): 6.1 in early 2025 falling to 4.7, a fall to
    0.77 of the early reading. The model's ratio must fall over 2025 by about as much:
    December 2025's trailing-year ratio over March 2025's (three months in) within
    0.77 +/- 0.10."""
    early, late = baseline.figures[2]["gauge_industry_strain"], baseline.figures[11]["gauge_industry_strain"]
    assert abs(late / early - 4.7 / 6.1) <= 0.10, (early, late)


@pytest.mark.xfail(strict=True, reason=(
    "Known calibration gap: the model reads ~17.6 in March 2025 and ~13.6 in December 2025, about 2.9x the "
    "dashboard's 6.1 -> 4.7. Capex matches (~$370B in 2025, the dashboard's ~$370-400B); the denominator does "
    "not: ai_revenue_usd is the six modelled labs' end-user revenue (~$27B in 2025, of which OpenAI had $13.1B on the "
    "record), while the dashboard counts all generative-AI revenue (~$60B in 2025: startups and cloud AI "
    "services too). Remove this mark when the model counts that revenue."))
def test_industry_strain_in_2025_is_the_dashboards(baseline):
    """Record: 6.1 in early 2025 (here March 2025, the trailing three months annualized)
    and 4.7 at the end of 2025 (December 2025, calendar 2025), Exponential View's Boom or
    Bubble dashboard via experiments/data/public_record.csv. Tolerance +/-25% of each:
    the dashboard's revenue estimate is itself uncertain (its authors note analysts with
    much higher gen-AI revenue figures)."""
    early, late = baseline.figures[2]["gauge_industry_strain"], baseline.figures[11]["gauge_industry_strain"]
    assert abs(early / 6.1 - 1.0) <= 0.25 and abs(late / 4.7 - 1.0) <= 0.25, (early, late)


def test_economic_strain_in_2025_is_about_one_percent_of_gdp(baseline):
    """Exponential View: about $400B of data-center capex in 2025, "about 1% of US GDP";
    on BEA's ~$30T that is ~1.3%. The model's calendar-2025 AI capex over GDP (December
    2025's reading) must lie within 1.0-1.6%, on the amber side of telecoms' 1%, and its
    first month (Jan 2025, ~$220B a year annualized) below it."""
    assert 0.010 <= baseline.figures[11]["gauge_economic_strain"] <= 0.016
    assert baseline.figures[0]["gauge_level_economic_strain"] == 0


def test_revenue_momentum_is_green_in_the_baselines_first_year(baseline):
    """The sector's revenue doubled every ~0.73 years in 2025 (Exponential View, green)."""
    assert all(lv == 0 for lv in _series(baseline, "revenue_momentum", "gauge_level_")[:12])
    assert all(v < 1.0 for v in _series(baseline, "revenue_momentum")[:12])


def test_revenue_that_stalls_turns_revenue_momentum_red():
    """Users' willingness to pay cut to a tenth from month 13 (the first month of 2026):
    revenue drops and stops growing, so within six months the doubling time is infinite
    or beyond 4 years (red), while the baseline over the same months stays green."""
    stalled = build_model(None, 30, 1, "baseline")
    stalled.events = validate_events([{"month": 13, "set": {"value_ceiling_scale": 0.1}}])
    plain = build_model(None, 30, 1, "baseline")
    for _ in range(30):
        stalled.step()
        plain.step()
    assert all(lv == 0 for lv in _series(stalled, "revenue_momentum", "gauge_level_")[:12])
    assert any(lv == 2 for lv in _series(stalled, "revenue_momentum", "gauge_level_")[12:18])
    assert all(lv == 0 for lv in _series(plain, "revenue_momentum", "gauge_level_")[:30])


def test_ln_shaped_revenue_doubles_more_slowly_than_the_baseline(baseline):
    """ln-revenue (seed 000's bear case): from month 15, when a year-on-year growth
    exists, its doubling time is longer than the baseline's every month, and it turns
    red within the six years."""
    ln = stepped_model(months=72, seed=1, scenario="ln-revenue")
    slow, fast = _series(ln, "revenue_momentum"), _series(baseline, "revenue_momentum")
    assert all(s > b for s, b in zip(slow[15:60], fast[15:60]))
    assert 2 in _series(ln, "revenue_momentum", "gauge_level_")


def test_dearer_money_cools_valuation_heat():
    """At 8% instead of 4.5% investors discount AI profits harder: the valuation, and so
    its multiple of the same stack's earnings, is lower in each of the first 24 months."""
    cheap = stepped_model(months=24, seed=1)
    dear = stepped_model({"interest_rate_frac": 0.08}, months=24, seed=1)
    assert all(d < c for d, c in zip(_series(dear, "valuation_heat"), _series(cheap, "valuation_heat")))


BOLD_AND_EASY = {"power_build_multiplier": 2.0, "hyperscaler_optimism": 2.0}


def test_overbuilding_on_debt_turns_funding_quality_red(baseline):
    """Optimistic planners with the grid twice as easy to get build faster than cash flow
    pays for: more than half of a year's AI capex is borrowed within the first three
    years. The baseline funds its build-out mostly from cash flow and never does; a
    funding freeze (funding-squeeze) borrows less than the baseline."""
    bold = stepped_model(BOLD_AND_EASY, months=36, seed=1)
    assert 2 in _series(bold, "funding_quality", "gauge_level_")
    assert 2 not in _series(baseline, "funding_quality", "gauge_level_")
    squeeze = stepped_model(months=36, seed=1, scenario="funding-squeeze")
    assert max(_series(squeeze, "funding_quality")) < max(_series(baseline, "funding_quality")[:36])


@pytest.mark.parametrize("seed", (1, 2, 3))
def test_which_assumptions_turn_three_gauges_red(seed):
    """The dashboard's bubble call (three red) needs two assumptions together: optimistic
    planners and easy power. Either alone stays at caution (two red) at most, as does the
    baseline; together, debt-funded capex turns funding quality red while capex strains the
    economy and the industry, within the first two years."""
    both = stepped_model(BOLD_AND_EASY, months=36, seed=seed)
    assert any(f["gauges_red"] >= gauges.RED_FOR_BUBBLE for f in both.figures[:24])
    assert gauges.dashboard_call(max(f["gauges_red"] for f in both.figures)) == "bubble"
    for one in ({"power_build_multiplier": 2.0}, {"hyperscaler_optimism": 2.0}, None):
        alone = stepped_model(one, months=36, seed=seed)
        assert max(f["gauges_red"] for f in alone.figures) < gauges.RED_FOR_BUBBLE, one


def test_the_dashboard_call_follows_its_rule():
    assert [gauges.dashboard_call(n) for n in range(5)] == ["boom", "boom", "caution", "bubble", "bubble"]
