"""The verdict from the whole run (sim/thresholds.py): boom, digestion or bust, the bust
month and cause, the chain of events and each threshold's history.

Part (a) builds figure lists by hand, so the right answer is known; part (b) runs the
model and re-derives the damage around each bust month from the frame's columns with
pandas, independently of the verdict's own code.
"""

from __future__ import annotations

import math

import pytest

from sim import thresholds as T
from sim.params import make_params

P = make_params()
N = 48


def figs(n: int = N, *, valuation=None, capex=None, idle=None, rental=None, impairments=None, unfilled=None,
         extra=None) -> list[dict]:
    """``n`` calm months: flat capex, valuation and rent, nothing idle or written off; each
    keyword is a function of the month overriding one column."""
    out = []
    for m in range(n):
        f = {"month": m, "ai_capex_usd": 50e9, "valuation_usd": 8e12, "valuation_ratio": 1.1, "idle_frac": 0.05,
             "gpu_rental_usd_per_hour": 2.0, "impairments_usd": 1e9, "funding_unfilled_frac": 0.0,
             "revenue_gap_usd": 10e9}
        for key, fn in (("valuation_usd", valuation), ("ai_capex_usd", capex), ("idle_frac", idle),
                        ("gpu_rental_usd_per_hour", rental), ("impairments_usd", impairments),
                        ("funding_unfilled_frac", unfilled)):
            if fn is not None:
                f[key] = fn(m)
        f.update((extra or (lambda m: {}))(m))
        out.append(f)
    return out


def default(month: int, name: str = "OpenAI") -> dict:
    return {"month": month, "name": name, "reason": "bills unpaid for three months", "propagated": False,
            "written_off_usd": 1e9, "lender_loss_usd": 0.0}


def verdict(f, defaults=(), levels=None, p=P):
    levels = levels if levels is not None else [[T.GREEN] * len(T.NAMES) for _ in f]
    return T.verdict(f, levels, list(defaults), p, 2025, 1)


def crash(at: int, depth: float = 0.5, back: int | None = None):
    """A valuation that falls ``depth`` from month ``at`` (and is back at its peak from ``back``)."""
    return lambda m: 8e12 * (1 - depth) if at <= m and (back is None or m < back) else 8e12


# ===== (a) the rules, on figures built by hand ==================================================

def test_a_calm_run_is_a_boom_with_nothing_in_its_chain():
    v = verdict(figs())
    assert v["outcome"] == "boom" and v["boom"] and not v["bust"] and not v["digestion"]
    assert v["bust_month"] is None and v["bust_cause"] is None and v["first_fall"] is None
    assert not v["damage"] and v["chain"] == []
    assert v["max_valuation_fall_frac"] == 0.0 and v["peak_valuation_usd"] == 8e12


def test_a_valuation_fall_without_damage_is_not_a_bust():
    v = verdict(figs(valuation=crash(20)))
    assert v["outcome"] == "boom" and v["bust_month"] is None
    assert math.isclose(v["max_valuation_fall_frac"], 0.5)
    assert "fell 50% without damage" in v["outcome_reason"]
    falls = [e for e in v["chain"] if e["kind"] == "valuation_fall"]
    assert [e["month"] for e in falls] == ["2026-09", "2026-09"]      # the 20% and the 40% marks, same month
    assert v["first_fall"] == "valuation -50% (2026-09)"


def test_the_same_fall_with_a_default_8_months_later_is_a_bust():
    v = verdict(figs(valuation=crash(20)), [default(28)])
    assert v["outcome"] == "bust" and v["bust"] and v["bust_month"] == "2026-09"
    assert v["bust_cause"] == "valuation -50% from 2025-01 peak (2026-09); damage: OpenAI default (2027-05)"
    kinds = [e["kind"] for e in v["chain"]]
    assert kinds == ["valuation_peak", "valuation_fall", "valuation_fall", "bust", "default"]
    assert v["chain"][-1]["event"] == "OpenAI defaults (bills unpaid for three months)"


@pytest.mark.parametrize("default_month, bust", [(14, True), (13, False), (33, True), (34, False)])
def test_damage_counts_from_6_months_before_to_12_after(default_month, bust):
    """The valuation is down in months 20 and 21 only: damage must fall in [14, 33]."""
    v = verdict(figs(valuation=crash(20, back=22)), [default(default_month)])
    assert v["bust"] is bust
    if bust:
        assert v["bust_month"] == ("2026-09" if default_month <= 32 else "2026-10")


def test_a_default_long_after_a_recovered_fall_is_not_a_bust():
    v = verdict(figs(valuation=crash(20, back=24)), [default(40)])
    assert v["outcome"] == "boom" and v["damage"] and v["damage_month"] == "2028-05"


def test_a_long_fall_busts_when_damage_comes_within_a_year_of_a_month_it_is_down():
    """Down from month 10 to the end; the default at month 30 is 20 months after the first
    month down, but within a year of month 18, which is the bust month."""
    v = verdict(figs(valuation=crash(10)), [default(30)])
    assert v["bust_month"] == "2026-07"


def test_a_later_fall_from_a_new_peak_can_be_the_bust():
    def val(m):
        if m < 10:
            return 8e12
        if m < 16:
            return 4.4e12            # -45%, no damage near it
        if m < 30:
            return 10e12             # a new peak
        return 5.5e12                # -45% from it, then idle capacity
    v = verdict(figs(valuation=val, idle=lambda m: 0.25 if m >= 36 else 0.05))
    assert v["bust_month"] == "2027-07"
    assert v["bust_cause"].startswith("valuation -45% from 2026-05 peak (2027-07); damage: idle 25% (2028-01)")
    peaks = [e["month"] for e in v["chain"] if e["kind"] == "valuation_peak"]
    assert peaks == ["2025-01", "2026-05"]


@pytest.mark.parametrize("sign, kw", [
    ("idle", {"idle": lambda m: 0.2 if m == 25 else 0.05}),
    ("rental", {"rental": lambda m: 2.0 if m < 20 else 1.4}),                 # -30% y/y from month 20
    ("impairments", {"impairments": lambda m: 160e9 if m == 24 else 0.0}),   # 160B over a 600B/yr peak: 27%
])
def test_each_sign_of_damage_makes_the_fall_a_bust(sign, kw):
    v = verdict(figs(valuation=crash(20), **kw))
    assert v["bust"], sign
    assert any(e["kind"] == sign for e in v["chain"])


@pytest.mark.parametrize("kw", [
    {"idle": lambda m: 0.19},
    {"rental": lambda m: 2.0 if m < 20 else 1.42},                             # -29% y/y
    {"impairments": lambda m: 140e9 if m == 24 else 0.0},                      # 140B over 600B/yr: 23%
])
def test_below_the_bars_is_no_damage(kw):
    v = verdict(figs(valuation=crash(20), **kw))
    assert not v["bust"] and not v["damage"]


def test_material_impairments_are_measured_against_the_peak_year():
    """Capex falls to a tenth; routine write-offs of 10% of the old pace are not damage."""
    capex = lambda m: 50e9 if m < 24 else 5e9  # noqa: E731
    shares = T.impairment_share(figs(capex=capex, impairments=lambda m: 5e9))
    assert max(shares) < T.MATERIAL_IMPAIRMENT_FRAC


def test_a_capex_fall_with_high_utilization_and_no_damage_is_digestion():
    v = verdict(figs(capex=lambda m: 50e9 if m < 24 else 20e9))
    assert v["outcome"] == "digestion" and v["digestion"] and not v["bust"]
    # annual capex: 600B/yr to month 23, then 30B less a month: first 30% below (420B) at month 29
    assert v["capex_fall_month"] == "2027-06"
    assert v["outcome_reason"].startswith("annual AI capex -30% from 2025-12 peak (2027-06)")
    assert v["outcome_reason"].endswith("utilization, rental prices and credit held")
    assert [e["kind"] for e in v["chain"]] == ["capex_peak", "capex_fall", "digestion"]
    assert v["first_fall"] == "annual AI capex -30% (2027-06)"


def test_a_capex_fall_with_damage_but_no_valuation_crash_is_digestion_with_the_damage_named():
    v = verdict(figs(capex=lambda m: 50e9 if m < 24 else 20e9, idle=lambda m: 0.3 if m >= 28 else 0.05),
                [default(33, "xAI")])
    assert v["outcome"] == "digestion"
    assert "with damage: idle 30% (2027-05), xAI default (2027-10)" in v["outcome_reason"]


def test_a_valuation_fall_with_damage_and_a_capex_fall_is_a_bust():
    v = verdict(figs(valuation=crash(20), capex=lambda m: 50e9 if m < 24 else 20e9), [default(22)])
    assert v["outcome"] == "bust" and not v["digestion"] and v["capex_fall_month"] == "2027-06"


def test_the_bust_level_is_a_parameter():
    f = figs(valuation=crash(20, depth=0.35))
    assert not verdict(f, [default(22)])["bust"]
    assert verdict(f, [default(22)], p=P.with_overrides(bust_valuation_fall_frac=0.3))["bust"]
    g = figs(capex=lambda m: 50e9 if m < 24 else 40e9)      # annual capex -20% at most
    assert verdict(g)["outcome"] == "boom"
    assert verdict(g, p=P.with_overrides(digestion_capex_drop_frac=0.15))["outcome"] == "digestion"


def test_funding_dry_needs_three_months_running():
    one = verdict(figs(unfilled=lambda m: 0.9 if m in (5, 7, 9) else 0.0))
    assert not any(e["kind"] == "funding" for e in one["chain"])
    three = verdict(figs(unfilled=lambda m: 0.6 if 5 <= m <= 7 else 0.0))
    assert [(e["month"], e["kind"]) for e in three["chain"]] == [("2025-06", "funding")]


def test_threshold_history_first_red_months_red_and_worst_value_in_its_direction():
    n = 6
    levels = [[T.GREEN] * len(T.NAMES) for _ in range(n)]
    for m in (2, 3, 5):
        levels[m][T.NAMES.index("revenue_gap")] = T.RED
    cover = [1.2, 0.9, 0.4, 0.3, 0.6, 0.45]
    runway = [30, 20, math.inf, 8, 12, 40]
    payback = [10, 12, math.inf, 9, 8, 7]
    f = figs(n, extra=lambda m: {"value_revenue_gap": cover[m], "value_liquidity": runway[m],
                                 "value_payback": payback[m], "value_two_curves": math.nan})
    h = T.threshold_history(f, levels)
    assert h["revenue_gap"] == {"first": 2, "months_red": 3, "worst": 0.3}            # lower is worse
    assert h["liquidity"]["worst"] == 8 and h["liquidity"]["months_red"] == 0         # lower is worse
    assert h["payback"]["worst"] == math.inf                                          # never pays back
    assert h["two_curves"]["worst"] is None                                           # never evaluated
    assert h["idle_compute"]["worst"] is None                                         # no value column
    v = verdict(f, levels=levels)
    assert v["history"]["revenue_gap"]["first"] == "2025-03" and v["first_crossed"] == {"revenue_gap": "2025-03"}
    red = [e for e in v["chain"] if e["kind"] == "threshold"]
    assert red == [{"month": "2025-03", "kind": "threshold", "event": "revenue_gap turns red", "value": 0.4}]


def test_every_threshold_says_which_way_is_worse_and_its_unit():
    assert set(T.WORSE) == set(T.UNITS) == set(T.NAMES)
    assert T.WORSE["revenue_gap"] == T.WORSE["liquidity"] == "lower"
    assert {T.WORSE[n] for n in T.NAMES if n not in ("revenue_gap", "liquidity")} == {"higher"}


def test_gauges_are_reported_only_when_the_figures_carry_them():
    v = verdict(figs())
    assert v["max_gauges_red"] is None and v["three_gauges_red_month"] is None
    g = verdict(figs(extra=lambda m: {"gauges_red": 3 if m in (30, 31) else 4 if m == 40 else 1}))
    assert g["max_gauges_red"] == 4 and g["three_gauges_red_month"] == "2027-07"
    assert [e["kind"] for e in g["chain"]] == ["gauges"]


def test_the_chain_is_in_month_order_and_plain():
    import json

    v = verdict(figs(valuation=crash(20), capex=lambda m: 50e9 if m < 24 else 20e9,
                     idle=lambda m: 0.3 if m >= 28 else 0.05), [default(22), default(35, "xAI")])
    months = [e["month"] for e in v["chain"]]
    assert months == sorted(months)
    json.dumps(v["chain"], allow_nan=False)


# ===== (b) real runs: every bust has damage near its bust month ====================================

SCENARIOS = ("baseline", "dark-fibre", "physics-wall", "jevons-boom", "funding-squeeze")


@pytest.fixture(scope="module", params=SCENARIOS)
def real(request):
    from experiments.runner import run_model, summarize

    model, frame = run_model(None, 72, 1, request.param)
    return request.param, frame, summarize(model)


def damage_months(frame) -> set[int]:
    """Months with a sign of damage, from the frame's columns (pandas, not the verdict's code)."""
    idle = frame["idle_frac"] >= 0.2
    rent = frame["gpu_rental_usd_per_hour"]
    rental = (rent / rent.shift(12) - 1.0) <= -0.3
    capex = frame["ai_capex_usd"]
    annual = (capex.rolling(12, min_periods=1).sum() * 12 / capex.rolling(12, min_periods=1).count()).cummax()
    impaired = frame["impairments_usd"].rolling(12, min_periods=1).sum() / annual >= 0.25
    defaulted = frame["defaults_month"] > 0
    return set(frame.index[idle | rental | impaired | defaulted])


def test_every_bust_shows_damage_from_6_months_before_to_a_year_after(real):
    name, frame, s = real
    dates = list(frame["date"])
    if s["outcome"] != "bust":
        assert s["bust_month"] is None and s["bust_cause"] is None
        return
    m = dates.index(s["bust_month"])
    near = {d for d in damage_months(frame) if m - 6 <= d <= m + 12}
    assert near, f"{name}: bust {s['bust_month']} without damage near it"
    fall = 1 - frame["valuation_usd"].iloc[m] / frame["valuation_usd"].iloc[: m + 1].max()
    assert fall >= 0.4 - 1e-12
    assert s["bust_cause"].startswith(f"valuation -{fall:.0%}")


def test_the_outcome_follows_from_the_frame(real):
    name, frame, s = real
    fall = 1 - frame["valuation_usd"] / frame["valuation_usd"].cummax()
    damage = damage_months(frame)
    busts = [m for m in range(len(frame)) if fall.iloc[m] >= 0.4 and any(m - 6 <= d <= m + 12 for d in damage)]
    assert s["bust_month"] == (frame["date"].iloc[busts[0]] if busts else None), name
    capex = frame["ai_capex_usd"].rolling(12).sum()
    capex_fall = (1 - capex / capex.cummax()).max()
    expected = "bust" if busts else "digestion" if capex_fall >= 0.3 else "boom"
    assert s["outcome"] == expected, name
    assert math.isclose(s["max_valuation_fall_frac"], fall.max())
    assert s["damage"] == bool(damage)
    months = [e["month"] for e in s["chain"]]
    assert months == sorted(months)
    for n in T.NAMES:     # the history agrees with the frame's level and value columns
        red = frame[f"level_{n}"] == T.RED
        assert s[f"months_red_{n}"] == int(red.sum())
        assert s[f"first_{n}"] == (frame["date"][red].iloc[0] if red.any() else None)
        values = frame[f"value_{n}"].dropna()
        worst = values.min() if T.WORSE[n] == "lower" else values.max()
        assert s[f"worst_{n}"] == (None if not math.isfinite(worst) else pytest.approx(worst)), n
