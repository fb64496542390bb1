"""Accounting invariants the model must keep every month (shared by several tests)."""

from __future__ import annotations

import math


def check_month(m) -> None:
    """Raise AssertionError naming the first broken invariant."""
    # money: each agent's cash is its starting cash plus what the ledger says it got
    for a in m.agents:
        expected = m.initial_cash_usd[a.name] + m.ledger.net_in(a.name)
        assert math.isclose(a.cash_usd, expected, rel_tol=1e-9, abs_tol=1.0), (
            f"{a.name}: cash {a.cash_usd:.0f} != start + ledger {expected:.0f}")
        assert a.cash_usd > -1.0, f"{a.name}: negative cash {a.cash_usd:.0f}"
    # GPUs: shipped plus the starting fleet = powered + ghost + retired
    shipped = sum(v.shipped_h100e_total for v in m.vendors) + m.initial_fleet_h100e
    held = sum(h.powered_h100e + h.ghost_h100e + h.retired_h100e_total for h in m.hyperscalers)
    assert math.isclose(shipped, held, rel_tol=1e-9, abs_tol=1e-3), f"GPUs shipped {shipped} != held {held}"
    for h in m.hyperscalers:
        # chips run only in powered space; nothing rented beyond what is powered
        assert h.used_mw <= h.powered_mw * (1 + 1e-9) + 1e-6, f"{h.name}: uses {h.used_mw} MW of {h.powered_mw}"
        if not h.defaulted:
            assert h.rented_h100e <= h.powered_h100e * (1 + 1e-9) + 1e-6, f"{h.name}: rents more than it has"
    # tokens: served within inference capacity and within demand; compute split adds up
    for lab in m.labs:
        assert lab.served_tokens_per_day <= lab.inference_capacity_tokens_per_day * (1 + 1e-9) + 1e-3, lab.name
        assert lab.served_tokens_per_day <= lab.demand_tokens_per_day * (1 + 1e-9) + 1e-3, lab.name
        assert math.isclose(lab.inference_h100e + lab.training_h100e, lab.compute_used_h100e, rel_tol=1e-9,
                            abs_tol=1e-6), lab.name
    # grid: what utilities connected is what hyperscalers hold
    for u in m.utilities:
        for name, mw in u.connected_mw.items():
            assert mw <= m.hyperscalers_by_name[name].grid_mw.get(u.region, 0.0) + 1e-6
    # figures: finite where they must be
    f = m.figures[-1]
    for key in ("ai_capex_usd", "ai_revenue_usd", "tokens_per_day", "idle_frac", "ghost_gw", "sentiment"):
        assert math.isfinite(f[key]), f"{key} is {f[key]}"
    assert 0.0 <= f["idle_frac"] <= 1.0 and 0.0 <= f["sentiment"] <= 1.0
