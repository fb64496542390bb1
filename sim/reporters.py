"""The public schema: model-level columns (one row per month) and agent-level columns.

Column names are constants here, imported by ``viz/`` and ``experiments/``. The model
computes a month's figures once (:func:`month_figures`); the DataCollector's reporters
read them back, so the frame and the thresholds see the same numbers.
"""

from __future__ import annotations

import math

from agents.hyperscaler import OPEX_FRAC_OF_RENTAL, upkeep_usd_per_h100e_month
from sim import gauges, thresholds
from sim.capital import BELIEFS
from sim.clock import HOURS_PER_MONTH, month_date

MONTH = "month"
DATE = "date"
AI_CAPEX_USD = "ai_capex_usd"
AI_REVENUE_USD = "ai_revenue_usd"
REQUIRED_REVENUE_USD = "required_revenue_usd"
REVENUE_GAP_USD = "revenue_gap_usd"
IDLE_FRAC = "idle_frac"
GHOST_GW = "ghost_gw"
POWERED_GW = "powered_gw"
TOKENS_PER_DAY = "tokens_per_day"
PRICE_USD_PER_MTOK = "price_usd_per_mtok"
GPU_RENTAL_USD_PER_HOUR = "gpu_rental_usd_per_hour"
LAB_MIN_RUNWAY_MONTHS = "lab_min_runway_months"
SENTIMENT = "sentiment"
CHIP_REVENUE_USD = "chip_revenue_usd"
CAPEX_GROWTH_12M = "capex_growth_12m"
REVENUE_GROWTH_12M = "revenue_growth_12m"
IMPAIRMENTS_USD = "impairments_usd"
VALUATION_USD = "valuation_usd"
FUNDAMENTAL_VALUE_USD = "fundamental_value_usd"
VALUATION_RATIO = "valuation_ratio"

#: Every model-level column, in order. The first 18 are the issue's public schema.
MODEL_COLUMNS = (
    MONTH, DATE, AI_CAPEX_USD, AI_REVENUE_USD, REQUIRED_REVENUE_USD, REVENUE_GAP_USD, IDLE_FRAC, GHOST_GW,
    POWERED_GW, TOKENS_PER_DAY, PRICE_USD_PER_MTOK, GPU_RENTAL_USD_PER_HOUR, LAB_MIN_RUNWAY_MONTHS, SENTIMENT,
    CHIP_REVENUE_USD, CAPEX_GROWTH_12M, REVENUE_GROWTH_12M, IMPAIRMENTS_USD,
    "impairments_cum_usd", "chip_capex_usd", "shell_capex_usd", "unserved_tokens_per_day", "user_tokens_per_day",
    "inference_capacity_tokens_per_day", "shipped_h100e", "shipped_h100e_cum", "shipped_gw", "shipped_gw_cum",
    "powered_h100e", "ghost_h100e", "retired_h100e_cum", "rented_h100e", "deployment_lag_months",
    "payback_months", "training_share_frac", "lab_compute_spend_usd", "lab_cash_usd", "funding_granted_usd",
    "funding_unfilled_frac", "belief_trend_frac", "belief_fundamentalist_frac", "belief_physics_frac",
    "consensus_growth", VALUATION_USD, FUNDAMENTAL_VALUE_USD, VALUATION_RATIO, "valuation_drawdown_frac",
    "value_trend_usd", "value_fundamentalist_usd", "value_physics_usd", "forecast_trend_growth",
    "forecast_fundamentalist_growth", "forecast_physics_growth", "grid_built_gw_cum", "grid_queue_gw", "power_price_usd_per_mwh",
    "active_users", "consumer_users", "penetration_us_frac", "penetration_world_frac", "frontier_capability",
    "tokens_per_h100e_day", "defaults_month", "defaults_cum", "hyperscaler_debt_usd",
    "capex_total_usd", "non_ai_capex_usd", "ai_capex_plan_usd", "contracted_h100e", "contract_backlog_h100e",
    "payables_usd", "written_off_cum_usd", "onsite_gw", "chip_backlog_h100e", "cancelled_h100e",
    "ai_earnings_usd", "debt_drawn_usd", "debt_repaid_usd", "secured_debt_usd", "vendor_credit_usd",
    *(f"level_{n}" for n in thresholds.NAMES),
    *(f"gauge_{n}" for n in gauges.NAMES), *(f"gauge_level_{n}" for n in gauges.NAMES), "gauges_red",
    *(f"value_{n}" for n in thresholds.NAMES),
)

#: Each threshold's level (0 green, 1 amber, 2 red) by month.
LEVEL_COLUMNS = tuple(f"level_{n}" for n in thresholds.NAMES)
#: The five dashboard gauges (:mod:`sim.gauges`), each month: value, level (0 green, 1
#: amber, 2 red), and how many are red (``GAUGES_RED``; 3 or more is the dashboard's
#: "bubble territory", :data:`sim.gauges.RED_FOR_BUBBLE`).
GAUGE_COLUMNS = tuple(f"gauge_{n}" for n in gauges.NAMES)
GAUGE_LEVEL_COLUMNS = tuple(f"gauge_level_{n}" for n in gauges.NAMES)
GAUGES_RED = "gauges_red"
#: Each threshold's value by month, in its unit (sim.thresholds.UNITS): the verdict's
#: worst values come from these.
VALUE_COLUMNS = tuple(f"value_{n}" for n in thresholds.NAMES)


def month_figures(model) -> dict:
    """Compute one month's public figures from the agents' books (after all phases)."""
    p = model.p
    hs = model.hyperscalers
    labs = model.labs
    live_hs = [h for h in hs if not h.defaulted]
    powered_h100e = sum(h.powered_h100e for h in hs)
    rented = sum(h.rented_h100e + h.first_party_used_h100e for h in live_hs)
    capex = sum(h.capex_usd_month for h in hs)
    chip_capex = sum(h.chip_capex_usd_month for h in hs)
    revenue = sum(lab.revenue_usd_month for lab in labs)
    served = sum(lab.served_tokens_per_day for lab in labs)
    tokens = served + sum(lab.internal_tokens_per_day for lab in labs)
    paid = sum(lab.served_tokens_per_day * lab.price_usd_per_mtok for lab in labs)
    shipped = sum(v.shipped_h100e_month for v in model.vendors)
    shipped_gw = sum(v.shipped_h100e_month * v.kw_per_h100e for v in model.vendors) / 1e6
    prev = model.figures[-1] if model.figures else None
    runways = [lab.runway_months for lab in labs if lab.parent is None and not lab.defaulted]
    train = sum(lab.training_h100e for lab in labs)
    infer = sum(lab.inference_h100e for lab in labs)
    rental = rental_price(model, live_hs)
    idle = min(1.0, max(0.0, 1.0 - rented / powered_h100e)) if powered_h100e > 0 else 0.0
    users = model.user_segments
    consumer = users[0]
    world_pop = consumer.population.sum()
    us_mask = consumer.region_idx == 0
    us_pen = float((consumer.population * consumer.adopted_frac)[us_mask].sum() / consumer.population[us_mask].sum())
    cap = model.capital
    imp_month = sum(h.impairments_usd_month + h.bad_debt_usd_month for h in hs)
    f = {
        MONTH: model.month,
        DATE: month_date(p.start_year, p.start_month, model.month),
        AI_CAPEX_USD: capex,
        AI_REVENUE_USD: revenue,
        IDLE_FRAC: idle,
        GHOST_GW: sum(h.ghost_mw for h in hs) / 1000.0,
        POWERED_GW: sum(h.used_mw for h in hs) / 1000.0,
        TOKENS_PER_DAY: tokens,
        PRICE_USD_PER_MTOK: paid / served if served > 0 else 0.0,
        GPU_RENTAL_USD_PER_HOUR: rental,
        LAB_MIN_RUNWAY_MONTHS: min(runways) if runways else 0.0,
        CHIP_REVENUE_USD: sum(v.revenue_usd_month for v in model.vendors),
        IMPAIRMENTS_USD: imp_month,
        "impairments_cum_usd": (prev["impairments_cum_usd"] if prev else 0.0) + imp_month,
        "chip_capex_usd": chip_capex,
        "shell_capex_usd": capex - chip_capex * (1 + p.network_server_frac_of_chip_cost),
        "unserved_tokens_per_day": sum(lab.unserved_tokens_per_day for lab in labs),
        "user_tokens_per_day": served,
        "inference_capacity_tokens_per_day": sum(lab.inference_capacity_tokens_per_day for lab in labs),
        "shipped_h100e": shipped,
        "shipped_h100e_cum": sum(v.shipped_h100e_total for v in model.vendors),
        "shipped_gw": shipped_gw,
        "shipped_gw_cum": (prev["shipped_gw_cum"] if prev else 0.0) + shipped_gw,
        "powered_h100e": powered_h100e,
        "ghost_h100e": sum(h.ghost_h100e for h in hs),
        "retired_h100e_cum": sum(h.fleet.retired_h100e_total for h in hs),
        "rented_h100e": rented,
        "deployment_lag_months": max((h.deployment_lag_months for h in live_hs if h.ghost_h100e > 0), default=0.0),
        "payback_months": payback_months(model, rental, idle),
        "training_share_frac": train / (train + infer) if train + infer > 0 else 0.0,
        "lab_compute_spend_usd": sum(lab.compute_cost_usd_month for lab in labs),
        "lab_cash_usd": sum(lab.cash_usd for lab in labs),
        "funding_granted_usd": cap.funding_granted_usd,
        "funding_unfilled_frac": cap.unfilled_frac,
        "grid_built_gw_cum": sum(u.built_mw_total for u in model.utilities) / 1000.0,
        "grid_queue_gw": sum(u.queued_mw for u in model.utilities) / 1000.0,
        "power_price_usd_per_mwh": sum(u.price_usd_per_mwh for u in model.utilities) / len(model.utilities),
        "active_users": float(sum(s.active_users.sum() for s in users)),
        "consumer_users": float(consumer.active_users.sum()),
        "penetration_us_frac": us_pen,
        "penetration_world_frac": float(consumer.active_users.sum() / world_pop),
        "frontier_capability": max((lab.capability for lab in labs if not lab.open_weights), default=0.0),
        "tokens_per_h100e_day": model.tokens_per_h100e_day,
        "defaults_month": sum(1 for d in model.defaults if d["month"] == model.month),
        "defaults_cum": len(model.defaults),
        "hyperscaler_debt_usd": sum(h.debt_usd for h in hs),
        "capex_total_usd": sum(h.capex_total_usd_month for h in hs),
        "non_ai_capex_usd": sum(h.non_ai_capex_usd_month for h in hs),
        "ai_capex_plan_usd": sum(h.plan_usd_per_year for h in live_hs),
        "contracted_h100e": model.rental.contracted(month=model.month),
        "contract_backlog_h100e": model.rental.contracted(month=model.month + 12),
        "payables_usd": sum(model.ledger.owed(a) for a in hs + labs + model.vendors + model.utilities),
        "written_off_cum_usd": sum(model.ledger.written_off.values()),
        "onsite_gw": sum(sum(h.onsite_mw.values()) for h in hs) / 1000.0,
        "chip_backlog_h100e": sum(v.backlog_h100e for v in model.vendors),
        "cancelled_h100e": sum(h.cancelled_h100e_month for h in hs),
        "ai_earnings_usd": ai_earnings_usd(model),
        # hyperscalers' borrowing this month, corporate and contract-backed (SPV-style) alike
        "debt_drawn_usd": sum(model.ledger.month_flows.get(("lenders", h.name, "debt_drawn"), 0.0) for h in hs),
        "debt_repaid_usd": sum(model.ledger.month_flows.get((h.name, "lenders", "debt_repaid"), 0.0) for h in hs),
        "secured_debt_usd": sum(h.secured_debt_usd for h in hs),
        # what hyperscalers owe chip vendors at the month's end: vendor credit (unpaid chip bills, fees)
        "vendor_credit_usd": sum(model.ledger.owed_to(v.name) for v in model.vendors),
    }
    return f


def ai_earnings_usd(model) -> float:
    """The AI stack's operating profit in the month (the earnings of
    :func:`sim.gauges.valuation_heat`), the sum over live agents of:

    - chip vendors: gross profit (revenue x gross margin) less operating costs;
    - hyperscalers: the margin on rented compute, rental revenue less the cloud's
      rental-linked costs (``OPEX_FRAC_OF_RENTAL`` of it) and the share of depreciation,
      power and upkeep that falls on chips not used for first-party workloads (those
      earn revenue outside ``ai_revenue_usd``, so their costs are left out with it);
    - labs: revenue less compute billed (accrued, so it cancels the clouds' rental
      revenue whether paid or not) and operating costs.

    Interest, impairments and bad debts are left out (operating, not net, earnings).
    """
    vendors = sum(v.revenue_usd_month * v.gross_margin_frac - v.opex_usd_per_month
                  for v in model.vendors if not v.defaulted)
    clouds = 0.0
    for h in model.hyperscalers:
        if h.defaulted:
            continue
        held = h.fleet.h100e
        first_party = min(h.first_party_h100e, h.powered_h100e) / held if held > 0 else 0.0
        linked = OPEX_FRAC_OF_RENTAL * h.rental_revenue_usd_month
        running = h.depreciation_usd_month + h.power_cost_usd_month + (h.opex_usd_month - linked)
        clouds += h.rental_revenue_usd_month - linked - (1.0 - first_party) * running
    labs = sum(lab.revenue_usd_month - lab.compute_billed_usd_month - lab.opex_usd_per_month
               for lab in model.labs if not lab.defaulted)
    return vendors + clouds + labs


def add_threshold_inputs(figs: list[dict], p) -> None:
    """Fill the newest row's derived columns (needs the history, so after appending)."""
    f = figs[-1]
    f[REQUIRED_REVENUE_USD] = thresholds.required_revenue_usd(figs, p)
    f[REVENUE_GAP_USD] = f[REQUIRED_REVENUE_USD] - f[AI_REVENUE_USD]
    f[CAPEX_GROWTH_12M] = thresholds.growth_12m(figs, AI_CAPEX_USD)
    f[REVENUE_GROWTH_12M] = thresholds.growth_12m(figs, AI_REVENUE_USD)


def add_market_figures(f: dict, cap) -> None:
    """The capital market's closing figures for the month (priced from the month's figures)."""
    shares = cap.effective_shares()
    f[SENTIMENT] = cap.sentiment
    f[VALUATION_USD] = cap.valuation_usd
    f[FUNDAMENTAL_VALUE_USD] = cap.fundamental_value_usd
    f[VALUATION_RATIO] = cap.valuation_ratio
    f["valuation_drawdown_frac"] = cap.drawdown_frac
    f["consensus_growth"] = cap.consensus
    for i, name in enumerate(BELIEFS):
        f[f"belief_{name}_frac"] = float(shares[i])
        f[f"value_{name}_usd"] = float(cap.values_usd[i])
        f[f"forecast_{name}_growth"] = float(cap.forecasts[i])


def rental_price(model, live_hs) -> float:
    """The market's rental price: live sellers' spot prices weighted by powered capacity
    (a plain mean when nothing is powered; last month's when no seller is left)."""
    powered = sum(h.powered_h100e for h in live_hs)
    if powered > 0:
        return sum(h.spot_usd_per_hour * h.powered_h100e for h in live_hs) / powered
    if live_hs:
        return sum(h.spot_usd_per_hour for h in live_hs) / len(live_hs)
    return model.figures[-1][GPU_RENTAL_USD_PER_HOUR] if model.figures else model.p.initial_rental_usd_per_gpu_hour


def payback_months(model, rental_usd_per_hour: float, idle_frac: float) -> float:
    """Months for a newly bought H100e (chip, network, shell) to repay its cost from its
    rental margin at this month's price and utilization (inf if the margin is not positive)."""
    p = model.p
    gpu = model.vendors[0]
    cost = (gpu.asp_usd_per_h100e * (1 + p.network_server_frac_of_chip_cost)
            + gpu.kw_per_h100e / 1000.0 * p.shell_cost_usd_per_mw)
    power = gpu.kw_per_h100e / 1000.0 * p.power_price_usd_per_mwh * HOURS_PER_MONTH
    margin = rental_usd_per_hour * (1 - idle_frac) * HOURS_PER_MONTH - power - upkeep_usd_per_h100e_month(gpu.kw_per_h100e)
    return cost / margin if margin > 0 else math.inf


def _reader(column: str):
    def report(model):
        return model.figures[-1][column]
    report.__name__ = column
    return report


#: DataCollector model reporters: one named reader per column.
MODEL_REPORTERS = {c: _reader(c) for c in MODEL_COLUMNS}


def agent_reporters():
    """Agent-level reporters, per agent type (DataCollector ``agenttype_reporters``)."""
    from agents.chip_vendor import ChipVendor
    from agents.hyperscaler import Hyperscaler
    from agents.model_lab import ModelLab
    from agents.power_utility import PowerUtility
    from agents.user import UserCohorts

    return {
        Hyperscaler: {
            "name": "name", "cash_usd": "cash_usd", "debt_usd": "debt_usd", "capex_usd": "capex_usd_month",
            "ai_capex_usd": "capex_usd_month", "capex_total_usd": "capex_total_usd_month",
            "non_ai_capex_usd": "non_ai_capex_usd_month", "ai_capex_plan_usd": "plan_usd_per_year",
            "expected_growth": "expected_growth", "first_party_h100e": "first_party_h100e",
            "contracted_h100e": lambda a: a.model.rental.contracted(seller=a.name, month=a.model.month),
            "contract_backlog_h100e": lambda a: a.model.rental.contracted(seller=a.name, month=a.model.month + 12),
            "rental_revenue_usd": "rental_revenue_usd_month", "powered_h100e": "powered_h100e",
            "ghost_h100e": "ghost_h100e", "utilization_frac": "utilization_frac",
            "rental_usd_per_hour": "spot_usd_per_hour", "impairments_usd": "impairments_usd_month",
            "bad_debt_usd": "bad_debt_usd_month", "payables_usd": lambda a: a.model.ledger.owed(a),
            "interest_usd": "interest_usd_month", "spread_frac": "spread_frac",
            "depreciation_usd": "depreciation_usd_month", "shells_mw": lambda a: sum(a.shells_mw.values()),
            "powered_mw": "powered_mw", "delivered_h100e": "delivered_h100e_month",
            "installed_h100e": "installed_h100e_month", "retired_h100e": "retired_h100e_month",
            "ordered_h100e": "ordered_h100e_month", "cancelled_h100e": "cancelled_h100e_month",
            "shells_started_mw": "shells_started_mw_month",
            "capex_intensity": "capex_intensity", "deployment_lag_months": "deployment_lag_months",
            "defaulted": "defaulted",
        },
        ModelLab: {
            "name": "name", "cash_usd": "cash_usd", "capability": "capability",
            "price_usd_per_mtok": "price_usd_per_mtok", "revenue_usd": "revenue_usd_month",
            "compute_cost_usd": "compute_cost_usd_month", "served_tokens_per_day": "served_tokens_per_day",
            "unserved_tokens_per_day": "unserved_tokens_per_day", "training_h100e": "training_h100e",
            "inference_h100e": "inference_h100e", "runway_months": "runway_months", "raised_usd": "raised_usd_month",
            "training_target_h100e": "training_target_h100e", "expected_growth": "expected_growth",
            "contracted_h100e": lambda a: a.model.rental.contracted(lab=a.name, month=a.model.month),
            "commitments_usd": lambda a: a.model.rental.remaining_commitment_usd(a.name, a.model.month),
            "payables_usd": lambda a: a.model.ledger.owed(a), "defaulted": "defaulted",
        },
        ChipVendor: {
            "name": "name", "generation": "generation", "asp_usd_per_h100e": "asp_usd_per_h100e",
            "capacity_h100e_per_month": "capacity_h100e_per_month", "yield_frac": "yield_frac",
            "backlog_h100e": "backlog_h100e", "shipped_h100e": "shipped_h100e_month",
            "revenue_usd": "revenue_usd_month", "lead_time_months": "lead_time_months",
            "book_to_bill": "book_to_bill", "cash_usd": "cash_usd", "defaulted": "defaulted",
        },
        PowerUtility: {
            "name": "name", "free_mw": "free_mw", "queued_mw": "queued_mw", "built_mw": "built_mw_month",
            "granted_mw": "granted_mw_month", "price_usd_per_mwh": "price_usd_per_mwh",
        },
        UserCohorts: {
            "name": "name", "active_users": lambda a: float(a.active_users.sum()),
            "tokens_per_day": lambda a: float(a.tokens_per_day.sum()), "penetration_frac": "penetration_frac",
            "paid_spend_usd_per_year": "paid_spend_usd_per_year", "labour_bound_scale": "labour_bound_scale",
        },
    }
