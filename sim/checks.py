"""Consistency checks, run every month by the tests or by ``ComputeBubbleModel(check=True)``.

Each check is a named function of the model after a completed month. It rebuilds a
balance from the books and raises :class:`InvariantError` naming the check, the agent,
the month and the amounts when the balance does not close (the PyPSA habit: physical
and financial balances verified at run time, not only under pytest).

- :func:`cash_rebuilt`: every agent's cash is its starting cash plus what the ledger
  says it received less what it paid; no cash is negative.
- :func:`obligations_close`: for every agent, obligations incurred = paid + still owed +
  written off in a default (nothing unpaid disappears).
- :func:`gpus_conserved`: GPUs at the start plus shipped = powered + ghost + retired.
- :func:`capacity_respected`: chips run only in powered space; no seller rents out more
  than it has powered; tokens served never exceed inference capacity or demand.
- :func:`figures_sane`: the month's public figures are finite, prices positive,
  fractions within [0, 1].
"""

from __future__ import annotations

import math

#: Relative tolerance of the money balances: double precision resolves about 1e-16 of a
#: sum, and an account sees up to ~1e15 USD of flows in thousands of payments, so 1e-9
#: of the flows through the account (never less than one dollar) is far above rounding
#: and far below any real leak.
MONEY_REL_TOL = 1e-9
#: Relative tolerance of physical balances (H100e, MW, tokens).
PHYSICAL_REL_TOL = 1e-9


class InvariantError(AssertionError):
    """A balance that did not close: names the check, the agent, the month and amounts."""


def _fail(check: str, model, who: str, detail: str) -> None:
    raise InvariantError(f"{check}: {who}, month {model.month}: {detail}")


def _close(a: float, b: float, rel: float, scale: float = 0.0) -> bool:
    """Equal within ``rel`` of the larger side, or of ``scale`` (the flows that built them)."""
    return abs(a - b) <= rel * max(abs(a), abs(b), scale, 1.0)


def cash_rebuilt(model) -> None:
    led = model.ledger
    for a in model.agents:
        expected = model.initial_cash_usd[a.name] + led.net_in(a.name)
        flows = led.total_in.get(a.name, 0.0) + led.total_out.get(a.name, 0.0) + abs(model.initial_cash_usd[a.name])
        if not _close(a.cash_usd, expected, MONEY_REL_TOL, flows):
            _fail("cash_rebuilt", model, a.name, f"cash {a.cash_usd:.6g} USD != start + ledger {expected:.6g} USD")
        if a.cash_usd < -MONEY_REL_TOL * max(flows, 1.0):
            _fail("cash_rebuilt", model, a.name, f"negative cash {a.cash_usd:.6g} USD")


def obligations_close(model) -> None:
    led = model.ledger
    for a in model.agents:
        incurred = led.incurred.get(a.name, 0.0)
        paid = led.settled.get(a.name, 0.0)
        owed = led.owed(a.name)
        written = led.written_off.get(a.name, 0.0)
        if not _close(incurred, paid + owed + written, MONEY_REL_TOL, incurred):
            _fail("obligations_close", model, a.name,
                  f"incurred {incurred:.6g} USD != paid {paid:.6g} + owed {owed:.6g} + written off {written:.6g}")
        if owed < 0:
            _fail("obligations_close", model, a.name, f"owes a negative amount {owed:.6g} USD")


def gpus_conserved(model) -> None:
    shipped = sum(v.shipped_h100e_total for v in model.vendors) + model.initial_fleet_h100e
    held = sum(h.fleet.powered_h100e + h.fleet.ghost_h100e + h.fleet.retired_h100e_total for h in model.hyperscalers)
    if not _close(shipped, held, PHYSICAL_REL_TOL):
        _fail("gpus_conserved", model, "all hyperscalers", f"shipped {shipped:.9g} H100e != held {held:.9g}")


def capacity_respected(model) -> None:
    for h in model.hyperscalers:
        if h.used_mw > h.powered_mw * (1 + PHYSICAL_REL_TOL) + 1e-6:
            _fail("capacity_respected", model, h.name, f"uses {h.used_mw:.6g} MW of {h.powered_mw:.6g} powered")
        if not h.defaulted:
            rented = model.rental.rented_from(h.name)
            if rented > h.fleet.powered_h100e * (1 + PHYSICAL_REL_TOL) + 1e-6:
                _fail("capacity_respected", model, h.name,
                      f"rents {rented:.6g} H100e of {h.fleet.powered_h100e:.6g} powered")
    for lab in model.labs:
        if lab.served_tokens_per_day > lab.inference_capacity_tokens_per_day * (1 + PHYSICAL_REL_TOL) + 1e-3:
            _fail("capacity_respected", model, lab.name,
                  f"serves {lab.served_tokens_per_day:.6g} tokens/day with capacity "
                  f"{lab.inference_capacity_tokens_per_day:.6g}")
        if lab.served_tokens_per_day > lab.demand_tokens_per_day * (1 + PHYSICAL_REL_TOL) + 1e-3:
            _fail("capacity_respected", model, lab.name,
                  f"serves {lab.served_tokens_per_day:.6g} tokens/day of {lab.demand_tokens_per_day:.6g} demanded")
    for u in model.utilities:
        for name, mw in u.connected_mw.items():
            if mw > model.hyperscalers_by_name[name].grid_mw.get(u.region, 0.0) * (1 + PHYSICAL_REL_TOL) + 1e-6:
                _fail("capacity_respected", model, u.name, f"connected {mw:.6g} MW to {name} that it does not hold")


#: Figures that must be finite every month, and those that must be positive.
FINITE = ("ai_capex_usd", "ai_revenue_usd", "capex_total_usd", "tokens_per_day", "idle_frac", "ghost_gw",
          "powered_gw", "sentiment", "chip_revenue_usd", "payables_usd", "required_revenue_usd")
POSITIVE = ("gpu_rental_usd_per_hour", "power_price_usd_per_mwh", "tokens_per_h100e_day")


def figures_sane(model) -> None:
    f = model.figures[-1]
    for key in FINITE:
        if not math.isfinite(f[key]):
            _fail("figures_sane", model, key, f"is {f[key]}")
    for key in POSITIVE:
        if not f[key] > 0:
            _fail("figures_sane", model, key, f"is {f[key]} (must be positive)")
    for key in ("idle_frac", "sentiment", "training_share_frac"):
        if not 0.0 <= f[key] <= 1.0:
            _fail("figures_sane", model, key, f"is {f[key]} (must be within [0, 1])")
    for lab in model.labs:
        if not lab.defaulted and not lab.price_usd_per_mtok > 0:
            _fail("figures_sane", model, lab.name, f"token price {lab.price_usd_per_mtok} (must be positive)")
    for v in model.vendors:
        if not v.asp_usd_per_h100e > 0:
            _fail("figures_sane", model, v.name, f"price per H100e {v.asp_usd_per_h100e} (must be positive)")
    for h in model.hyperscalers:
        if not h.defaulted and not h.spot_usd_per_hour > 0:
            _fail("figures_sane", model, h.name, f"spot price {h.spot_usd_per_hour} (must be positive)")


CHECKS = (cash_rebuilt, obligations_close, gpus_conserved, capacity_respected, figures_sane)


def check_month(model) -> None:
    """Run every check on the month just completed; raise on the first that fails."""
    for check in CHECKS:
        check(model)
