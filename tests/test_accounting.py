"""Accounting closes every month, at the defaults and over random parameter draws."""

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sim.model import ComputeBubbleModel
from sim.params import FIELDS, INIT_ONLY_FIELDS
from tests.invariants import check_month


def test_invariants_hold_every_month_at_the_defaults():
    m = ComputeBubbleModel(seed=11)
    for _ in range(72):
        m.step()
        check_month(m)


def _field_values(name):
    f = FIELDS[name]
    lo, hi = f.metadata["min"], f.metadata["max"]
    if f.type in ("int", int):
        return st.integers(int(lo), int(hi))
    return st.floats(lo, hi, allow_nan=False, allow_infinity=False)


#: Every field but those that only shape the initial state's size and date.
DRAWN = sorted(n for n in FIELDS if n not in INIT_ONLY_FIELDS)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(params=st.fixed_dictionaries({n: _field_values(n) for n in DRAWN}), seed=st.integers(0, 2**31 - 1))
def test_invariants_hold_over_random_parameters(params, seed):
    if params["yield_initial_frac"] > params["yield_mature_frac"]:
        params["yield_initial_frac"], params["yield_mature_frac"] = params["yield_mature_frac"], params["yield_initial_frac"]
    m = ComputeBubbleModel(seed=seed, n_user_cohorts=40, **params)
    for _ in range(48):
        m.step()
        check_month(m)
