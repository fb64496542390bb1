"""The model's one parameter source.

Every tunable number of computebubble is a field of :class:`Params`. Each field's
metadata carries its ``unit``, a ``desc``, its allowed ``min`` and ``max``, and the
``source`` behind its default (a seed file in ``../shared/seeds/`` by its number, a
public figure, or a stated assumption), and a short plain-language ``label`` (the
description when none is given). Sliders, scenario files, sweeps and the
command line all read defaults and ranges from here; validation happens here and only
here (:func:`validate`), so every bad value gets the same one-line message.

Seeds are cited by number: 000 ("two curves and three points of contention"),
001 (the physics of supply and revenue), 002 (DeepSeek, Blackwell and the
deployment gap), 003 (compute economics, Deloitte 2026 figures), 004 (the 2025-11-08
bubble round-table).
"""

from __future__ import annotations

import dataclasses
import math
from dataclasses import dataclass, field, fields
from typing import Any


class ParamError(ValueError):
    """A parameter value that is unknown, of the wrong type, or out of range.

    The message is one line: the field, the value, and what is allowed.
    """


def _p(default: Any, unit: str, desc: str, lo: float, hi: float, source: str = "assumption", *,
       label: str | None = None):
    """A field with its metadata. ``label`` is a short plain-language name for sliders and
    tables (default: the description)."""
    return field(default=default, metadata={"unit": unit, "desc": desc, "min": lo, "max": hi, "source": source,
                                            "label": label or desc})


@dataclass(frozen=True)
class Params:
    """All model parameters, with units in the names. See each field's metadata."""

    # ----- clock and size -------------------------------------------------------
    start_year: int = _p(2025, "year", "calendar year of month 0", 2020, 2035, "DESIGN.md: default start 2025-01")
    start_month: int = _p(1, "month of year", "calendar month of month 0", 1, 12)
    n_user_cohorts: int = _p(
        1000, "cohorts", "user cohorts in total (segments x regions x graph nodes); each is one node of a "
        "diffusion graph", 20, 1_000_000)
    user_graph_degree: int = _p(6, "edges per node", "mean degree of each segment's small-world diffusion graph", 2, 40,
                                "Watts-Strogatz small world, a standard diffusion substrate")
    user_graph_rewire_frac: float = _p(0.1, "fraction", "rewiring probability of the diffusion graph", 0.0, 1.0)

    # ----- the three points of contention (000) ---------------------------------
    scaling_exponent: float = _p(
        1.0, "capability points per 10x training compute",
        "capability gained per tenfold cumulative training compute: contention #1, 'is the scaling law still "
        "working?'. It also sets what a dollar of training buys, so labs' training demand follows it",
        0.0, 3.0, "000 (#1); one point = one model generation, an assumption", label="Scaling: capability per 10x training compute")
    efficiency_gain_per_year: float = _p(
        6.0, "x per year", "yearly cut in compute per token at fixed capability (algorithms, serving stacks)",
        1.0, 20.0, "003: same-capability cost falls 5-10x a year; 004 (terry): token cost ~10x a year", label="Efficiency gain: yearly cut in compute per token")
    efficiency_gain_halflife_years: float = _p(
        4.0, "years", "years over which the yearly efficiency gain (in log terms) halves: gains at fixed "
        "capability diminish as each tier commoditises", 1.0, 50.0,
        "assumption: 003's 5-10x a year is a 2023-25 figure; no physical process keeps it up for decades")
    frontier_cost_per_capability: float = _p(
        3.0, "x compute per token per capability point",
        "how much more compute a token of a model one generation better costs; users move to the newest "
        "model, so part of each year's efficiency gain is eaten", 1.0, 6.0,
        "004 (Richard Ge): 'users always want the newest model, so unit cost savings are eaten'; "
        "public price lists: GPT-4o at $10/M output vs GPT-4o mini at $0.6/M (an assumption in between)")
    efficiency_shock_factor: float = _p(
        1.0, "x", "one-time step cut in compute per token (1 = no shock): contention #2", 1.0, 50.0,
        "002: DeepSeek R1; 000 (#2)", label="Efficiency shock: one-time cut in compute per token")
    efficiency_shock_month: int = _p(
        0, "month of run", "run month at which the efficiency shock lands (1 = first month; 0 = never)", 0, 180, "002", label="Efficiency shock: the month it lands")
    reliability_ceiling_frac: float = _p(
        0.5, "fraction", "ceiling on enterprise-automation and autonomous-agent adoption: contention #3", 0.05, 1.0,
        "000 (#3); 004: 'can 500M DAU become 2-3B, and can chat become L4-grade agents?'", label="Reliability ceiling on enterprise and agent adoption")

    # ----- users and demand ------------------------------------------------------
    price_elasticity: float = _p(
        1.2, "-dlnQ/dlnP", "price elasticity of token demand below the value ceiling (above 1: the Jevons case)",
        0.1, 3.0, "001: Jevons paradox, prices -60-70% while usage doubles every 2-3 months", label="Price elasticity of token demand")
    capability_token_multiplier: float = _p(
        2.0, "x tokens per capability point", "tokens per active user per capability point gained", 1.0, 5.0,
        "assumption; 001: reasoning models 'think longer and provide longer answers'")
    capability_value_multiplier: float = _p(
        1.3, "x value per capability point", "what an active user's work with AI is worth per capability point "
        "gained (more capable models replace more labour)", 1.0, 3.0,
        "assumption; 001: a market of $3-4T must correspond to an equal reallocation of labour")
    agentic_token_growth_per_year: float = _p(
        2.0, "x per year", "growth of tokens per active user in coding and agent segments from agentic use", 1.0, 10.0,
        "004 (Wang Kun): agent mode will raise token use sharply")
    value_ceiling_scale: float = _p(
        1.0, "x", "scales each segment's ceiling on what an active US user pays for AI a year (chat $150, search $100, "
        "coding $6,000, enterprise $2,400, agents $24,000 at month 0; less in poorer regions); near it "
        "demand stops answering price",
        0.05, 20.0, "001: existing users' use grows slowly and paid spend is bounded by the labour AI replaces; "
        "chat and search: what ads earn per US user a year (Meta 10-K); coding: $500/month seats for agentic "
        "tools (public price lists)")
    adoption_innovation_per_month: float = _p(
        0.004, "per month", "Bass innovation coefficient p (adoption without neighbours)", 0.0, 0.1,
        "Bass (1969); typical p ~0.003-0.01/month for consumer tech")
    adoption_imitation_per_month: float = _p(
        0.06, "per month", "Bass imitation coefficient q (adoption from adopted neighbours)", 0.0, 1.0,
        "Bass (1969); typical q ~0.3-0.5/year for consumer tech, faster for free software")
    ceiling_penetration_frac: float = _p(
        0.9, "fraction", "long-run adoption ceiling for consumer segments", 0.1, 1.0,
        "004: internet/PC penetration 90%+")
    free_token_share_frac: float = _p(
        0.8, "fraction", "share of consumer-chat and search tokens served free (earn nothing)", 0.0, 1.0,
        "001: 'a large portion ... is free' (Gemini's generous free tier); ~5% of ChatGPT users pay", label="Share of chat and search tokens served free")
    labour_replaceable_usd_per_year: float = _p(
        3.5e12, "USD per year", "bound on paid AI spend: the labour it can replace", 1e11, 3e13,
        "001: a $3-4T market needs an equal reallocation of labour")

    # ----- model labs -------------------------------------------------------------
    training_share_frac: float = _p(
        0.6, "fraction", "share of labs' compute on training at month 0 (afterwards it follows the marginal "
        "value of capability)", 0.1, 0.9, "004 (terry): about 60% of AI compute spend is training")
    capability_value_years: float = _p(
        1.5, "years", "how long a capability gain keeps paying before rivals and open weights catch up: sets "
        "what labs will pay for training", 0.25, 5.0,
        "003: 'today's frontier is a commodity in 18 months'; 002: open weights trail by about 6 months")
    training_compute_growth_per_year: float = _p(
        4.0, "x per year", "fastest a lab can grow its training compute in a year (clusters, staff)", 1.0, 10.0,
        "Epoch AI: frontier training compute has grown 4-5x a year since 2010", label="Fastest growth of a lab's training compute")
    internal_token_frac_of_training: float = _p(
        0.4, "fraction", "share of training compute spent generating tokens internally (RL rollouts, synthetic "
        "data); counted in token volume, earns nothing", 0.0, 1.0,
        "001: 'a large portion of current token usage might come from within model companies'; 2025's "
        "reasoning models are trained with reinforcement learning on their own rollouts (an assumption)")
    lab_raise_trigger_months: float = _p(
        15.0, "months", "a lab raises money when its runway falls below this", 1.0, 48.0,
        "assumption: labs raised every 9-15 months in 2024-25 (public rounds)")
    lab_raise_target_months: float = _p(
        24.0, "months", "runway a lab asks investors to fund", 3.0, 60.0, "assumption")
    open_weights_lag_months: int = _p(
        6, "months", "how far the open-weights lab trails the frontier's capability", 0, 36,
        "002: 'the gap is roughly six months'")
    token_price_adjust_per_month: float = _p(
        0.5, "fraction per month", "how fast labs move token prices toward cost plus markup", 0.01, 1.0, "assumption")
    frontier_markup_frac: float = _p(
        0.8, "fraction over serving cost", "closed labs' markup over the cost of serving all tokens, at "
        "capability parity", 0.0, 10.0,
        "assumption; 004 (Richard Ge): labs' gross margins stay thin as users move to the newest models")
    open_weights_markup_frac: float = _p(
        0.2, "fraction over serving cost", "open-weights lab's markup", 0.0, 5.0, "002: 'the Pinduoduo of models'")
    contract_term_months: int = _p(
        36, "months", "term of the compute contracts labs sign with hyperscalers (take-or-pay)", 6, 84,
        "public: CoreWeave's contracts run 2-5 years; OpenAI-Oracle (2025) five years")
    contract_lead_months: int = _p(
        12, "months", "how far ahead labs commit to compute (the hyperscaler's contracted backlog)", 1, 36,
        "public: 2025 compute deals were signed a year or more before capacity came online")
    commitment_funding_multiple: float = _p(
        1.5, "x", "future compute commitments a lab signs per dollar of cash, expected revenue and funding it "
        "can see over the commitments' term", 0.2, 5.0,
        "assumption; 004 (Richard Ge): the '$1.4T question' comes from financing needs and valuation pressure")

    # ----- hyperscalers -----------------------------------------------------------
    hyperscaler_optimism: float = _p(
        1.0, "x", "multiplier on the log growth of demand hyperscalers expect when planning capex (1: they "
        "extrapolate the growth they have seen)", 0.2, 3.0,
        "assumption; 004 (DanielQ): 'invest early, benefit early' (above 1); Tencent's caution (below 1)", label="Hyperscalers' optimism about demand growth")
    expectation_adapt_per_quarter: float = _p(
        0.25, "fraction per quarter", "how far hyperscalers move their expected demand growth toward the "
        "growth observed over the last year, each quarter (0.25: about a year to adapt)", 0.05, 1.0,
        "adaptive expectations; firms revise annual capex guidance each quarter (Alphabet 2025: 75 -> 85 -> 91-93)")
    capex_gap_adjust_quarters: float = _p(
        3.0, "quarters", "quarters over which a hyperscaler closes the gap between the capacity it expects to "
        "need and what it has and has ordered", 1.0, 8.0,
        "anchoring and adjustment (Sterman 1989): closing a gap at once amplifies noise")
    arms_race_coupling: float = _p(
        0.3, "fraction", "weight on keeping up with peers' capex growth when planning", 0.0, 1.0,
        "004 (zhoukui, terry): arms race; Meta and Musk will not quit", label="Arms race: weight on matching rivals' capex")
    capex_tolerance_ocf_frac: float = _p(
        1.0, "x operating cash flow", "AI capex the capital market tolerates per dollar of operating cash flow "
        "with the AI valuation at its fundamental value (the rest must come from cash or debt)", 0.1, 3.0,
        "2025: big-four capex about $410B against about $560B of operating cash flow (filings)", label="Capex the market tolerates, per dollar of cash flow")
    target_utilization_frac: float = _p(
        0.9, "fraction", "utilization hyperscalers plan for and price around", 0.5, 0.99, "assumption")
    rental_price_sensitivity: float = _p(
        0.15, "fraction per month per utilization point", "rental price response to utilization above/below target",
        0.0, 2.0, "assumption")
    initial_rental_usd_per_gpu_hour: float = _p(
        2.9, "USD per H100e-hour", "rental price at month 0", 0.5, 20.0,
        "public record: H100 at about $2.85/GPU-hour in early 2024; 004: about $2.8 in Nov 2025")
    gpu_accounting_life_months: int = _p(
        72, "months", "depreciation life for firms without a reported policy (Oracle, the neocloud), and the "
        "payback threshold's accounting life", 12, 120, "public record: Microsoft and Alphabet book 6 years")
    gpu_physical_life_months: int = _p(
        84, "months", "age at which a GPU cohort is retired whatever it still earns", 24, 144, "assumption")
    shell_lead_months: int = _p(
        18, "months", "time to build a data-center shell (building, power equipment, cooling)", 3, 60,
        "public: 18-24 months for hyperscale AI campuses; 003: infrastructure has longer lead times")
    shell_cost_usd_per_mw: float = _p(
        12e6, "USD per MW", "cost of shell, power and cooling equipment per MW of IT load", 1e6, 50e6,
        "public: ~$10-14M per MW for AI campuses (Cushman & Wakefield, JLL 2025); with servers and "
        "network this makes GPUs ~40% of cluster cost (003)")
    network_server_frac_of_chip_cost: float = _p(
        0.5, "x chip cost", "servers, network and storage bought with each chip dollar", 0.0, 2.0,
        "assumption chosen so GPUs are ~40% of cluster cost (003)")
    hyperscaler_fleet_scale: float = _p(
        1.0, "x", "scales every hyperscaler's initial fleet, shells and labs' contracts (not their cash "
        "flows)", 0.25, 4.0, "assumption: a sensitivity on the end-2024 stocks (public record)")
    grid_request_expiry_months: int = _p(
        24, "months", "a grid request not energised within this many months lapses", 3, 120,
        "ERCOT large-load queue: 63 GW (end-2024) -> 226 GW (Nov 2025), far above what gets built; "
        "speculative requests lapse")
    onsite_power_usd_per_mwh: float = _p(
        110.0, "USD per MWh", "cost of on-site generation (gas turbines, fuel cells) for data centers the grid "
        "cannot connect", 30.0, 500.0, "public: 2025 behind-the-meter gas at ~$80-150/MWh (an assumption)")
    onsite_power_lead_months: int = _p(
        12, "months", "time to install on-site generation", 1, 48, "public: turbine lead times of 1-3 years in 2025")
    onsite_power_max_frac: float = _p(
        0.15, "fraction", "most of a firm's new power need it can cover on site", 0.0, 1.0,
        "assumption: xAI's Colossus ran on turbines in 2024-25; on-site covers a minority of campuses")
    order_commit_months: int = _p(
        6, "months", "chip orders due to ship within this many months cannot be cancelled", 0, 24,
        "public: hyperscalers' purchase commitments are non-cancellable near delivery (10-K purchase obligations)")
    order_cancel_fee_frac: float = _p(
        0.2, "fraction of order value", "fee paid to the vendor to cancel an order outside the commitment "
        "window", 0.0, 1.0, "assumption")

    # ----- chip vendors -----------------------------------------------------------
    chip_generation_months: int = _p(
        21, "months", "time between chip generations", 9, 48, "001/002: a generation every 1.5-2 years")
    gen_price_per_h100e_factor: float = _p(
        0.6, "x per generation", "price per H100e of a new generation relative to the last", 0.1, 1.5,
        "public: B200 ~2.25x H100 compute at ~1.4x price")
    gen_power_per_h100e_factor: float = _p(
        0.7, "x per generation", "all-in kW per H100e of a new generation relative to the last", 0.1, 1.2,
        "002: Blackwell promised 4x energy efficiency (a marketing figure at lower precision); 0.7 all-in")
    yield_mature_frac: float = _p(0.85, "fraction", "mature yield of a generation", 0.1, 1.0,
                                  "004: B200 yield above 80%")
    yield_initial_share: float = _p(
        0.6, "fraction of mature yield", "yield of a new generation at launch, as a share of its mature yield",
        0.05, 1.0, "assumption")
    yield_ramp_months: int = _p(10, "months", "months from launch to mature yield", 1, 36, "004: B200 late-2025")
    vendor_capacity_growth_max_per_month: float = _p(
        0.06, "fraction per month", "fastest a vendor can grow production capacity", 0.0, 0.5,
        "TSMC CoWoS roughly doubled yearly 2023-25 (public)")
    asp_btb_sensitivity: float = _p(
        0.03, "fraction per month", "ASP response to book-to-bill above/below 1", 0.0, 0.5, "assumption")

    # ----- power utilities --------------------------------------------------------
    power_build_multiplier: float = _p(
        1.0, "x", "scales every utility's build rate of data-center capacity", 0.05, 5.0,
        "001: ~20 GW new DC capacity ex-China 2025-26; 004: 9-10 GW new US power next year", label="Speed of the power build-out")
    grid_interconnect_lead_months: int = _p(
        9, "months", "minimum wait from grid request to connection", 0, 60,
        "public: US interconnection queues of 1-5 years; hyperscaler-priority sites faster")
    power_price_usd_per_mwh: float = _p(
        75.0, "USD per MWh", "base electricity price for data centers", 10.0, 500.0,
        "US industrial average ~$80/MWh (EIA 2025)")
    inference_site_power_premium: float = _p(
        1.5, "x", "power price multiplier at inference sites near users", 1.0, 3.0, "004: 1.3-2x")

    # ----- capital market ---------------------------------------------------------
    interest_rate_frac: float = _p(
        0.045, "fraction per year", "risk-free interest rate", 0.0, 0.25, "Fed funds ~4.3-4.5% in 2025", label="Interest rate")
    credit_spread_frac: float = _p(
        0.01, "fraction per year", "big tech's bond spread over the rate at low leverage", 0.0, 0.1,
        "public: A-rated tech bonds ~0.5-1.2% over Treasuries in 2025; Meta's Hyperion SPV priced at 6.58%")
    spread_per_leverage_frac: float = _p(
        0.015, "fraction per year per turn", "extra spread per turn of debt over a year's operating cash flow",
        0.0, 0.2, "public record: CoreWeave's debt at 7-15% against big tech's ~5-6%")
    late_fee_frac_per_year: float = _p(
        0.12, "fraction per year", "late fee on unpaid bills", 0.0, 1.0, "assumption: commercial late-payment terms")
    lab_funding_usd_per_year: float = _p(
        120e9, "USD per year", "equity funding on offer to labs at the month-0 AI valuation; it moves in "
        "proportion to the valuation", 0.0, 2e12,
        "public: OpenAI $40B, xAI ~$20B, Anthropic ~$16B rounds in 2025; >$100B to AI labs")
    sovereign_floor_usd_per_year: float = _p(
        0.0, "USD per year", "state funding on offer regardless of the market", 0.0, 2e12,
        "004: 'both US and Chinese governments strongly support AI'", label="State funding floor for labs")
    belief_switching_intensity: float = _p(
        10.0, "1/squared error", "intensity of choice in investors' switching between forecasting rules (0: "
        "shares never move)", 0.0, 50.0, "Brock & Hommes (1998) heuristic switching")
    trend_follower_presence_frac: float = _p(
        1.0, "fraction", "weight of trend followers in the market (0 mutes them: the market is fundamentalists "
        "and physics-minded investors only)", 0.0, 1.0, "assumption: a switch to test what the belief mix does")
    ai_equity_premium_frac: float = _p(
        0.06, "fraction per year", "risk premium over the rate at which investors discount AI profits", 0.03, 0.15,
        "Damodaran's implied US equity risk premium ~4.3% (Jan 2025) at a tech beta of ~1.3-1.4")
    ai_profit_margin_frac: float = _p(
        0.25, "fraction", "share of AI revenue investors expect to become profit once the market matures",
        0.05, 0.6, "004: cloud gross margin 20-30%")
    growth_fade_halflife_years: float = _p(
        4.0, "years", "half-life over which investors expect a revenue growth rate to fade toward long-run growth "
        "when they value AI profits", 1.0, 8.0,
        "calibrated: with 4 years the month-0 valuation is near the record's $3.5T of AI claims (NVIDIA and "
        "OpenAI and Anthropic rounds, 2024-25; docs/calibration.md); a growth company's usual "
        "competitive-advantage period")
    market_guidance_elasticity: float = _p(
        1.0, "elasticity", "how strongly the market's mood (confidence against 2025's) scales the demand growth "
        "hyperscalers plan for (0: planning ignores the market)", 0.0, 3.0,
        "assumption; public record: Alphabet raised 2025 capex guidance 75 -> 85 -> 91-93 as AI stocks rose")
    drawdown_spread_frac: float = _p(
        0.03, "fraction per year per unit of drawdown", "credit spread added per unit fall of the AI valuation "
        "from its two-year high (a 40% fall adds 1.2 points)", 0.0, 0.2,
        "assumption near 2000-02: US BBB spreads widened by about 1-2 points as the Nasdaq fell 75%")
    funding_freeze_month: int = _p(
        0, "month of run", "from this run month investors offer labs and neoclouds nothing (1 = first month; 0 = "
        "never)", 0, 180,
        "000: bubbles pop through liquidity exhaustion", label="Funding freeze: the month investors stop")
    neocloud_debt_capacity_usd: float = _p(
        40e9, "USD", "credit line available to the debt-financed neocloud at the month-0 AI valuation; it moves "
        "in proportion to the valuation", 0.0, 1e12,
        "public record: CoreWeave debt $8B (end-2024), $11.2B (Jun 2025); 004: Meta funds 20% of an SPV")

    # ----- thresholds ---------------------------------------------------------------
    gpu_cost_share_frac: float = _p(
        0.4, "fraction", "GPU share of a cluster's total cost, for the revenue-gap threshold", 0.1, 0.9, "003")
    target_gross_margin_frac: float = _p(
        0.5, "fraction", "gross margin end users' AI revenue must earn", 0.0, 0.9,
        "Sequoia, 'AI's $600B question' (2024): 50% software margin")
    bust_valuation_fall_frac: float = _p(
        0.4, "fraction", "a bust: the AI valuation this far below its running peak, with a sign of damage "
        "(idle, a rental price fall, material impairments, a default) from 6 months before to 12 after",
        0.1, 0.95, "issue/DESIGN.md")
    digestion_capex_drop_frac: float = _p(
        0.3, "fraction", "digestion: annual AI capex (the trailing 12 months) this far below its running peak, "
        "in a run that is not a bust", 0.05, 0.95, "issue/DESIGN.md")

    def with_overrides(self, **overrides: Any) -> "Params":
        """A copy with ``overrides`` applied, validated."""
        return make_params(overrides, base=self)


FIELDS: dict[str, dataclasses.Field] = {f.name: f for f in fields(Params)}

#: Fields that shape only the initial state: they cannot change during a run.
INIT_ONLY_FIELDS = frozenset({"start_year", "start_month", "n_user_cohorts", "user_graph_degree",
                              "user_graph_rewire_frac", "hyperscaler_fleet_scale", "initial_rental_usd_per_gpu_hour",
                              "training_share_frac"})


def field_info(name: str) -> dict[str, Any]:
    """Unit, description, range, default and source of one field."""
    f = FIELDS[name]
    return {"name": name, "type": f.type, "default": f.default, **f.metadata}


def _type_name(f: dataclasses.Field) -> str:
    return "integer" if f.type in ("int", int) else "number"


def coerce(name: str, value: Any) -> Any:
    """Check one value against its field: known name, right type, in range.

    Raises :class:`ParamError` with a one-line message otherwise.
    """
    if name not in FIELDS:
        close = [n for n in FIELDS if n.split("_")[0] == name.split("_")[0]][:3]
        hint = f" (did you mean {', '.join(close)}?)" if close else ""
        raise ParamError(f"unknown parameter '{name}'{hint}; see 'computebubble params' for the list")
    f = FIELDS[name]
    lo, hi = f.metadata["min"], f.metadata["max"]
    is_int = _type_name(f) == "integer"
    allowed = f"{'an integer' if is_int else 'a number'} in [{lo:g}, {hi:g}] ({f.metadata['unit']})"
    if isinstance(value, str):
        try:
            value = float(value.replace("_", ""))
        except ValueError:
            raise ParamError(f"parameter '{name}': value {value!r} is not {allowed}") from None
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise ParamError(f"parameter '{name}': value {value!r} is not {allowed}")
    if not math.isfinite(value):
        raise ParamError(f"parameter '{name}': value {value!r} is not {allowed}")
    if is_int:
        if float(value) != int(value):
            raise ParamError(f"parameter '{name}': value {value!r} is not {allowed}")
        value = int(value)
    else:
        value = float(value)
    if not lo <= value <= hi:
        raise ParamError(f"parameter '{name}': value {value:g} is out of range; allowed: {allowed}")
    return value


def make_params(overrides: dict[str, Any] | None = None, base: Params | None = None) -> Params:
    """Build a validated :class:`Params` from flat overrides (the one validation point)."""
    base = base or Params()
    clean = {k: coerce(k, v) for k, v in (overrides or {}).items()}
    p = dataclasses.replace(base, **clean)
    validate(p)
    return p


def validate(p: Params) -> None:
    """Cross-field checks that single ranges cannot express.

    There are none: dependent quantities are expressed relative to each other (a new
    generation's yield as a share of its mature yield), so every point of the declared
    box is a valid model and a sweep over it wastes no run.
    """


def as_dict(p: Params) -> dict[str, Any]:
    return dataclasses.asdict(p)
