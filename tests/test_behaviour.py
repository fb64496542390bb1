"""Directions the mechanisms imply, each over several seeds against the defaults.

Each test changes one parameter and checks the direction its mechanism implies, on
every seed; none asserts a particular number.
"""

import numpy as np
import pytest

from sim.model import ComputeBubbleModel

SEEDS = (1, 2, 3)


def frame(months=36, seed=1, **params):
    m = ComputeBubbleModel(seed=seed, n_user_cohorts=200, **params)
    for _ in range(months):
        m.step()
    return m.datacollector.get_model_vars_dataframe()


@pytest.mark.parametrize("seed", SEEDS)
def test_more_elastic_demand_raises_token_volume_as_prices_fall(seed):
    low, high = frame(24, seed, price_elasticity=0.6), frame(24, seed, price_elasticity=1.6)
    # prices fall in both worlds ...
    assert low["price_usd_per_mtok"].iloc[-1] < low["price_usd_per_mtok"].iloc[0]
    assert high["price_usd_per_mtok"].iloc[-1] < high["price_usd_per_mtok"].iloc[0]
    # ... and the elastic world asks for, and serves, more tokens
    assert high["tokens_per_day"].iloc[-1] > low["tokens_per_day"].iloc[-1]
    assert (high["user_tokens_per_day"] + high["unserved_tokens_per_day"]).iloc[-1] > \
        (low["user_tokens_per_day"] + low["unserved_tokens_per_day"]).iloc[-1]


@pytest.mark.parametrize("seed", SEEDS)
def test_slower_power_build_raises_ghost_compute(seed):
    base, slow = frame(36, seed), frame(36, seed, power_build_multiplier=0.5)
    assert slow["ghost_gw"].mean() > base["ghost_gw"].mean()
    assert slow["powered_gw"].iloc[-1] < base["powered_gw"].iloc[-1]


@pytest.mark.parametrize("seed", SEEDS)
def test_funding_freeze_shortens_runways_then_cuts_capex(seed):
    """000: bubbles pop through liquidity exhaustion. From month 13 investors fund no
    lab or neocloud and tolerate half the capex: runways shorten first, capex follows."""
    base, frozen = frame(40, seed), frame(40, seed, funding_freeze_month=13)
    assert frozen["funding_granted_usd"].iloc[13:].sum() < base["funding_granted_usd"].iloc[13:].sum()
    first_year = slice(13, 25)
    assert frozen["lab_min_runway_months"].iloc[first_year].min() < base["lab_min_runway_months"].iloc[first_year].min()
    then = slice(19, 37)
    assert frozen["ai_capex_usd"].iloc[then].sum() < base["ai_capex_usd"].iloc[then].sum()


@pytest.mark.parametrize("seed", SEEDS)
def test_efficiency_shock_cuts_the_token_price(seed):
    base, shock = frame(18, seed), frame(18, seed, efficiency_shock_factor=5.0, efficiency_shock_month=13)
    assert np.allclose(shock["price_usd_per_mtok"].iloc[:12], base["price_usd_per_mtok"].iloc[:12])
    assert shock["price_usd_per_mtok"].iloc[14] < 0.6 * base["price_usd_per_mtok"].iloc[14]


@pytest.mark.parametrize("seed", SEEDS)
def test_steeper_scaling_law_raises_capability(seed):
    flat, steep = frame(24, seed, scaling_exponent=0.3), frame(24, seed, scaling_exponent=1.5)
    assert steep["frontier_capability"].iloc[-1] > flat["frontier_capability"].iloc[-1]


@pytest.mark.parametrize("seed", SEEDS)
def test_lower_reliability_ceiling_lowers_revenue(seed):
    base, low = frame(30, seed), frame(30, seed, reliability_ceiling_frac=0.1)
    assert low["ai_revenue_usd"].iloc[-6:].sum() < base["ai_revenue_usd"].iloc[-6:].sum()


@pytest.mark.parametrize("seed", SEEDS)
def test_optimism_raises_capex(seed):
    cautious, bold = frame(30, seed, hyperscaler_optimism=0.5), frame(30, seed, hyperscaler_optimism=2.5)
    assert bold["ai_capex_usd"].sum() > cautious["ai_capex_usd"].sum()
    assert bold["chip_capex_usd"].sum() > cautious["chip_capex_usd"].sum()


@pytest.mark.parametrize("seed", SEEDS)
def test_arms_race_coupling_raises_capex(seed):
    none, strong = frame(30, seed, arms_race_coupling=0.0), frame(30, seed, arms_race_coupling=1.0)
    assert strong["ai_capex_usd"].sum() > none["ai_capex_usd"].sum()
