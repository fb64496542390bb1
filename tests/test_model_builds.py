"""Every agent type builds and steps with defaults; the schema is present."""

import math

import pytest

from agents.chip_vendor import ChipVendor
from agents.hyperscaler import Hyperscaler
from agents.model_lab import ModelLab
from agents.power_utility import PowerUtility
from agents.user import UserCohorts
from sim import reporters
from sim.model import ComputeBubbleModel
from sim.params import ParamError

ISSUE_COLUMNS = (
    "month", "date", "ai_capex_usd", "ai_revenue_usd", "required_revenue_usd", "revenue_gap_usd", "idle_frac",
    "ghost_gw", "powered_gw", "tokens_per_day", "price_usd_per_mtok", "gpu_rental_usd_per_hour",
    "lab_min_runway_months", "sentiment", "chip_revenue_usd", "capex_growth_12m", "revenue_growth_12m",
    "impairments_usd",
)


@pytest.fixture(scope="module")
def run24():
    m = ComputeBubbleModel(seed=3)
    for _ in range(24):
        m.step()
    return m


def test_every_agent_type_is_present_and_steps(run24):
    counts = {t: len(run24.agents_by_type[t]) for t in (Hyperscaler, ModelLab, ChipVendor, PowerUtility, UserCohorts)}
    assert counts == {Hyperscaler: 6, ModelLab: 6, ChipVendor: 3, PowerUtility: 4, UserCohorts: 5}
    # each type changed its own state over two years
    assert all(h.capex_usd_month >= 0 for h in run24.hyperscalers)
    assert sum(v.shipped_h100e_total for v in run24.vendors) > 0
    assert sum(u.built_mw_total for u in run24.utilities) > 0
    assert all(lab.capability > lab.capability0 for lab in run24.labs if not lab.open_weights)
    assert all(s.penetration_frac > 0 for s in run24.user_segments)


def test_model_frame_has_the_public_schema_one_row_per_month(run24):
    df = run24.datacollector.get_model_vars_dataframe()
    assert len(df) == 24
    for col in ISSUE_COLUMNS:
        assert col in df.columns, col
    assert list(df["month"]) == list(range(24))
    assert df["date"].iloc[0] == "2025-01" and df["date"].iloc[23] == "2026-12"
    assert set(reporters.MODEL_COLUMNS) <= set(df.columns)


def test_agent_frames_per_type(run24):
    for t, n in ((Hyperscaler, 6), (ModelLab, 6), (ChipVendor, 3), (PowerUtility, 4), (UserCohorts, 5)):
        frame = run24.datacollector.get_agenttype_vars_dataframe(t)
        assert len(frame) == 24 * n
        assert frame["name"].nunique() == n


def test_capex_and_revenue_are_positive_sums_of_agent_flows(run24):
    f = run24.figures[-1]
    assert math.isclose(f["ai_capex_usd"], sum(h.capex_usd_month for h in run24.hyperscalers))
    assert math.isclose(f["ai_revenue_usd"], sum(lab.revenue_usd_month for lab in run24.labs))
    assert f["ai_capex_usd"] > 0 and f["ai_revenue_usd"] > 0


@pytest.mark.parametrize("bad", [{"price_elasticity": 99.0}, {"n_user_cohorts": 2.5}, {"no_such_field": 1},
                                 {"scaling_exponent": "steep"}])
def test_bad_parameters_raise_one_line_errors(bad):
    with pytest.raises(ParamError) as e:
        ComputeBubbleModel(seed=1, **bad)
    msg = str(e.value)
    assert "\n" not in msg and next(iter(bad)) in msg
