"""Consequences the mechanisms imply elsewhere: in another agent, months later.

Each test changes one parameter (or lands one event) and checks what the mechanism
implies downstream, on seeds 1-3, against the same run without the change; none
asserts a particular number or restates the formula that defines a quantity.
"""

import pytest

from agents.fleet import Fleet
from agents.model_lab import ModelLab
from sim.model import ComputeBubbleModel

SEEDS = (1, 2, 3)


def run(months=36, seed=1, events=None, **params):
    m = ComputeBubbleModel(seed=seed, n_user_cohorts=200, events=events, **params)
    for _ in range(months):
        m.step()
    return m, m.datacollector.get_model_vars_dataframe()


def lab_frame(m):
    return m.datacollector.get_agenttype_vars_dataframe(ModelLab).reset_index()


@pytest.mark.parametrize("seed", SEEDS)
def test_a_steeper_scaling_law_raises_training_demand_then_capex_a_year_later(seed):
    """Contention #1 (000): a steeper law makes capability worth more compute, so labs
    want more training compute within the first year, and hyperscalers, building for the
    contracts that follow, spend more on AI capex in the year after."""
    (flat, f_flat), (steep, f_steep) = run(36, seed, scaling_exponent=0.3), run(36, seed, scaling_exponent=1.5)
    lf, ls = lab_frame(flat), lab_frame(steep)
    first_year = lambda f: f[(f.Step >= 3) & (f.Step <= 12)].training_target_h100e.sum()
    assert first_year(ls) > 1.2 * first_year(lf)
    assert f_steep["ai_capex_usd"].iloc[12:24].sum() > f_flat["ai_capex_usd"].iloc[12:24].sum()
    assert f_steep["frontier_capability"].iloc[-1] > f_flat["frontier_capability"].iloc[-1]


@pytest.mark.parametrize("seed", SEEDS)
def test_a_slower_power_build_strands_chips_and_serves_fewer_tokens(seed):
    """001/004, the physics wall: with half the grid, more delivered chips wait unpowered,
    less compute runs, labs earn less from it, and compute is scarce, so the rental price
    is higher."""
    (_, base), (_, slow) = run(36, seed), run(36, seed, power_build_multiplier=0.5)
    assert slow["ghost_gw"].mean() > base["ghost_gw"].mean()
    assert slow["powered_gw"].iloc[-1] < base["powered_gw"].iloc[-1]
    assert slow["ai_revenue_usd"].iloc[12:].sum() < base["ai_revenue_usd"].iloc[12:].sum()
    assert slow["gpu_rental_usd_per_hour"].iloc[12:].mean() > base["gpu_rental_usd_per_hour"].iloc[12:].mean()


DEMAND_DROP = [{"month": 25, "set": {"value_ceiling_scale": 0.1, "reliability_ceiling_frac": 0.05}}]


@pytest.mark.parametrize("seed", SEEDS)
def test_committed_orders_make_a_demand_drop_idle_capacity_before_capex_falls(seed):
    """Demand drops in month 25 (what users will pay collapses). Labs' take-or-pay
    contracts keep capacity rented for a few months, but chips and shells already committed
    keep arriving, so idle capacity rises 3-9 months after the drop while capex in the first
    quarter has barely moved; capex falls only later, as plans catch up."""
    (_, base), (_, drop) = run(48, seed), run(48, seed, events=DEMAND_DROP)
    first, later = slice(28, 34), slice(36, 48)
    assert drop["idle_frac"].iloc[first].mean() > base["idle_frac"].iloc[first].mean() + 0.05
    assert drop["ai_capex_usd"].iloc[24:27].sum() > 0.85 * base["ai_capex_usd"].iloc[24:27].sum()
    assert drop["ai_capex_usd"].iloc[later].sum() < 0.85 * base["ai_capex_usd"].iloc[later].sum()


@pytest.mark.parametrize("seed", SEEDS)
def test_no_one_quarter_wobble_turns_into_a_30_percent_capex_cut(seed):
    """A quarter in which users will pay a third less, then back: adaptive expectations
    and committed orders keep next year's capex within 30% of the undisturbed run's."""
    wobble = [{"month": 13, "set": {"value_ceiling_scale": 0.67}}, {"month": 16, "set": {"value_ceiling_scale": 1.0}}]
    (_, base), (_, w) = run(36, seed), run(36, seed, events=wobble)
    assert w["ai_capex_usd"].iloc[15:27].sum() > 0.7 * base["ai_capex_usd"].iloc[15:27].sum()


@pytest.mark.parametrize("seed", SEEDS)
def test_a_funding_freeze_shortens_runways_then_cuts_labs_compute_then_capex(seed):
    """000: bubbles pop through liquidity exhaustion. From month 13 investors fund
    nothing: labs' runways shorten within the year, labs contract less compute, and a
    year on hyperscalers' AI capex is lower."""
    (mb, base), (mf, frozen) = run(40, seed), run(40, seed, funding_freeze_month=13)
    assert frozen["funding_granted_usd"].iloc[13:].sum() < base["funding_granted_usd"].iloc[13:].sum()
    assert frozen["lab_min_runway_months"].iloc[15:25].mean() < base["lab_min_runway_months"].iloc[15:25].mean()

    def commitments(m):    # what the labs that live on investors have signed, 2027
        f = lab_frame(m)
        f = f[(f.Step > 24) & (f.Step <= 36) & f.name.isin([lab.name for lab in m.labs if lab.parent is None])]
        return f.commitments_usd.sum()

    assert commitments(mf) < commitments(mb)
    assert frozen["ai_capex_usd"].iloc[24:40].sum() < base["ai_capex_usd"].iloc[24:40].sum()


@pytest.mark.parametrize("seed", SEEDS)
def test_more_elastic_demand_serves_more_tokens_as_prices_fall(seed):
    """001's Jevons case: prices fall in both worlds; the more elastic one serves more."""
    (_, low), (_, high) = run(24, seed, price_elasticity=0.6), run(24, seed, price_elasticity=1.6)
    assert low["price_usd_per_mtok"].iloc[-1] < low["price_usd_per_mtok"].iloc[0]
    assert high["price_usd_per_mtok"].iloc[-1] < high["price_usd_per_mtok"].iloc[0]
    assert high["user_tokens_per_day"].iloc[-6:].sum() > low["user_tokens_per_day"].iloc[-6:].sum()


@pytest.mark.parametrize("seed", SEEDS)
def test_optimistic_planners_build_more_and_leave_more_idle_or_ghost(seed):
    """004 (DanielQ): planners who extrapolate growth boldly commit to more chips and
    shells; with the same demand, more of what they built waits idle or unpowered."""
    (_, cautious), (_, bold) = run(36, seed, hyperscaler_optimism=0.6), run(36, seed, hyperscaler_optimism=1.8)
    assert bold["ai_capex_usd"].iloc[:24].sum() > cautious["ai_capex_usd"].iloc[:24].sum()
    spare = lambda f: (f["idle_frac"] * f["powered_gw"] + f["ghost_gw"]).iloc[12:].mean()
    assert spare(bold) > spare(cautious)


@pytest.mark.parametrize("seed", SEEDS)
def test_the_reliability_slider_acts_from_the_next_month(seed):
    """Contention #3 moved mid-run (as a live slider does): enterprise and agent adoption
    rises in the following months, and so does revenue, against the untouched run."""
    a = ComputeBubbleModel(seed=seed, n_user_cohorts=200, reliability_ceiling_frac=0.2)
    b = ComputeBubbleModel(seed=seed, n_user_cohorts=200, reliability_ceiling_frac=0.2)
    for _ in range(12):
        a.step()
        b.step()
    b.update_params(reliability_ceiling_frac=0.9)
    for _ in range(12):
        a.step()
        b.step()
    users = lambda m: sum(float(s.active_users.sum()) for s in m.user_segments if s.spec.enterprise)
    assert users(b) > 1.5 * users(a)
    assert sum(f["ai_revenue_usd"] for f in b.figures[-6:]) > sum(f["ai_revenue_usd"] for f in a.figures[-6:])


@pytest.mark.parametrize("seed", SEEDS)
def test_the_free_token_slider_acts_from_the_next_month(seed):
    """001's free share of tokens moved mid-run (as a live slider does): when consumers pay
    for more of what they use, labs earn more in the following months than in the
    untouched run, and the two runs were the same until the move."""
    a = ComputeBubbleModel(seed=seed, n_user_cohorts=200)
    b = ComputeBubbleModel(seed=seed, n_user_cohorts=200)
    for _ in range(12):
        a.step()
        b.step()
    assert a.figures[-1]["ai_revenue_usd"] == b.figures[-1]["ai_revenue_usd"]
    b.update_params(free_token_share_frac=0.4)
    for _ in range(3):
        a.step()
        b.step()
    assert sum(f["ai_revenue_usd"] for f in b.figures[-3:]) > 1.2 * sum(f["ai_revenue_usd"] for f in a.figures[-3:])


@pytest.mark.parametrize("seed", SEEDS)
def test_scarce_power_retires_old_chips_to_make_room_for_new_ones(seed):
    """When power binds, hyperscalers retire their least efficient chips to power newer,
    waiting ones; with power to spare they keep them: far more of the fleet is retired
    by 2027 under half the grid than under three times it."""
    (_, scarce), (_, ample) = run(36, seed, power_build_multiplier=0.5), run(36, seed, power_build_multiplier=3.0)
    assert scarce["retired_h100e_cum"].iloc[-1] > 1.5 * ample["retired_h100e_cum"].iloc[-1]


def test_when_power_binds_the_least_efficient_chips_go_first():
    """A fleet with old (1.4 kW) and new (0.7 kW) chips powered and newer (0.5 kW) chips
    waiting: making room retires the old ones, not the new."""
    f = Fleet()
    f.add(-24, 0, 1.4, 1000.0, 1e7, 72, powered=True)
    f.add(-6, 1, 0.7, 1000.0, 1e7, 72, powered=True)
    f.add(0, 2, 0.5, 1000.0, 1e7, 72)
    h100e, mw, _ = f.retire_for_power(1.5)
    powered = f.column("powered")
    assert h100e > 0 and mw > 0
    assert powered[0] < 1000.0 and powered[1] == 1000.0
    f.install(mw)
    assert f.column("powered")[2] > 0


@pytest.mark.parametrize("seed", SEEDS)
def test_open_weights_trail_the_frontier_by_about_six_months_from_the_start(seed):
    """002: the open-weights lab is the frontier of ~6 months ago from month 1."""
    m = ComputeBubbleModel(seed=seed, n_user_cohorts=100)
    m.step()
    ow = next(lab for lab in m.labs if lab.open_weights)
    frontier = max(lab.capability for lab in m.labs if not lab.open_weights)
    assert 0.0 < frontier - ow.capability < 0.5


@pytest.mark.parametrize("seed", SEEDS)
def test_users_moving_to_newer_models_eat_part_of_the_efficiency_gain(seed):
    """004 (Richard Ge): with users on ever newer models, the token price falls slower
    than compute per token at fixed capability does; with no extra cost per capability
    point it would fall faster."""
    (_, eats), (_, free) = run(24, seed), run(24, seed, frontier_cost_per_capability=1.0)
    fall = lambda f: f["price_usd_per_mtok"].iloc[-1] / f["price_usd_per_mtok"].iloc[0]
    assert fall(free) < fall(eats)
