"""The capital market (sim/capital.py): a priced AI asset whose investors' beliefs move
the build-out, checked through what they do elsewhere in the model.

Each test states a consequence of the mechanism in another agent or a later month: the
belief mix moves hyperscalers' capex, a fall in the valuation shrinks labs' funding and
big tech's capex a year on, and the Brock-Hommes switching keeps all three positions in
the market (issue 9's measures).
"""

from __future__ import annotations

import numpy as np
import pytest

from experiments.runner import run_model
from sim.capital import BELIEFS, claim_value_usd
from sim.model import ComputeBubbleModel

SEEDS = (1, 2, 3)


@pytest.fixture(scope="module")
def baselines():
    return {seed: run_model(None, 72, seed, "baseline") for seed in SEEDS}


@pytest.mark.parametrize("seed", SEEDS)
def test_every_position_keeps_a_place_in_the_market_and_moves(baselines, seed):
    """Issue 9: in the baseline each investor type holds at least 5% of the market in at
    least half of months 13-72, and each share swings by at least 0.15 (switching by
    forecast success, not a fixed mix)."""
    _, f = baselines[seed]
    for name in BELIEFS:
        share = f[f"belief_{name}_frac"].to_numpy()[12:72]
        assert (share >= 0.05).mean() >= 0.5, (name, seed)
        assert share.max() - share.min() >= 0.15, (name, seed)


def test_trend_followers_make_the_build_out_bigger_early_and_the_market_dearer():
    """The belief mix moves capex (issue 9): with trend followers muted
    (``trend_follower_presence_frac = 0``) the valuation is lower, so labs expect less
    funding and slower revenue growth and sign for less compute; hyperscalers' AI capex
    over 2025-27 is lower on every seed (measured: 2.5-5% lower on seeds 1-3)."""
    for seed in SEEDS:
        _, base = run_model(None, 36, seed, "baseline")
        _, muted = run_model({"trend_follower_presence_frac": 0.0}, 36, seed, "baseline")
        assert muted["valuation_usd"].mean() < 0.95 * base["valuation_usd"].mean(), seed
        assert muted["ai_capex_usd"].sum() < 0.99 * base["ai_capex_usd"].sum(), seed


DEARER_MONEY = [{"month": 25, "set": {"ai_equity_premium_frac": 0.12}}]


@pytest.mark.parametrize("seed", SEEDS)
def test_a_repricing_shrinks_labs_funding_then_big_techs_capex(seed):
    """Investors demand twice the risk premium from month 25 and nothing else changes:
    the valuation falls at once; the equity on offer falls with it, so labs are granted
    less over the next year; the fall is a drawdown that cuts the capex big tech is
    tolerated and the growth it plans for, so a year on AI capex is lower."""
    def run(events=None):    # the baseline's parameters are the defaults
        m = ComputeBubbleModel(seed=seed, events=events)
        for _ in range(48):
            m.step()
        return m.datacollector.get_model_vars_dataframe()

    base, dear = run(), run(DEARER_MONEY)
    assert dear["valuation_usd"].iloc[26] < 0.8 * base["valuation_usd"].iloc[26]
    assert dear["funding_granted_usd"].iloc[24:36].sum() < base["funding_granted_usd"].iloc[24:36].sum()
    assert dear["ai_capex_usd"].iloc[36:48].sum() < 0.95 * base["ai_capex_usd"].iloc[36:48].sum()


def test_a_flattening_revenue_curve_crashes_the_valuation():
    """Issue 9 asks for a valuation that can fall at least 30% from a peak: when usage
    flattens (ln-revenue) the trend followers' forecasts collapse and it does, within the
    first three years, on every seed."""
    for seed in SEEDS:
        _, f = run_model(None, 36, seed, "ln-revenue")
        v = f["valuation_usd"].to_numpy()
        assert (1 - v / np.maximum.accumulate(v)).max() >= 0.3, seed


def test_the_labour_bound_caps_what_a_bolder_forecast_is_worth():
    """001's ceiling on what AI can earn (the labour it replaces) bounds every valuation:
    doubling a bull's forecast from fourfold to eightfold growth a year raises the value
    by less than half, where without a binding ceiling it would multiply it more than
    tenfold; raising the ceiling raises the bull's value, not the bear's (25% a year)."""
    def value(growth, ceiling):
        return claim_value_usd(20e9, np.log(growth), 0.105, 0.25, ceiling, 4.0)

    assert value(8.0, 3.5e12) < 1.5 * value(4.0, 3.5e12)
    assert value(8.0, 1e15) > 10 * value(4.0, 1e15)
    assert value(8.0, 7e12) > 1.5 * value(8.0, 3.5e12)
    assert value(1.25, 7e12) < 1.01 * value(1.25, 3.5e12)
