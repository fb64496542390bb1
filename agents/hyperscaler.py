"""Hyperscalers: the builders. GPU fleets, data-center shells, power, rentals and capex.

Each hyperscaler holds cash, a non-AI operating cash flow and non-AI capex (sourced
paths, so its total capex compares with what it reports), debt at the rate plus a
spread that widens with leverage, a credit line the capital market sets, a
:class:`~agents.fleet.Fleet` of GPU cohorts, shells (built and under construction) by
region, grid connections and on-site generation. It rents capacity to labs through the
:mod:`sim.rental` market and runs its own first-party AI workloads.

Each quarter it revises a multi-year AI capex plan (DESIGN.md, "Hyperscaler") from:
the demand it expects (its expectation of growth adapts over about a year of observed
demand, times its optimism), its contracted backlog (labs' signed commitments), its
in-house lab's plans (a contract like any other), its peers' plans (the arms race, 004)
and the capital it can raise. Gaps between the capacity it expects to need and what it
has and has ordered close over several quarters, and chip orders are commitments, so a
forecast wobble cannot turn into a 30% cut.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import mesa
import numpy as np

from agents.fleet import Fleet
from sim.clock import HOURS_PER_MONTH, is_quarter_start


@dataclass
class ShellProject:
    region: str
    mw: float
    complete_month: int
    cost_left_usd: float
    cost_per_month_usd: float
    stretched: bool = False


@dataclass(frozen=True)
class HyperscalerSpec:
    name: str
    core_ocf_usd_per_year: float     # non-AI operating cash flow, 2024
    non_ai_capex_usd_per_year: float  # non-AI capex, 2025 (an assumption per firm, see below)
    cash_usd: float
    debt_usd: float
    first_party_h100e: float         # compute its own AI products use at month 0
    vendor_mix: dict = field(default_factory=dict)
    region_mix: dict = field(default_factory=dict)
    accounting_life_months: int | None = None   # None: Params.gpu_accounting_life_months
    neocloud: bool = False


#: Month-0 figures (Jan 2025). Operating cash flow (2024, filings: Microsoft ~$119B,
#: Alphabet ~$125B, Amazon ~$116B, Meta ~$91B, Oracle ~$19B; the neocloud's flows are
#: all AI rentals), cash and debt at end-2024 (filings; CoreWeave's $8.0B of debt from
#: the public record). Depreciation lives from the public record (Microsoft and
#: Alphabet 6 years, Amazon 5, Meta 5.5). Non-AI capex (warehouses, CPUs, offices,
#: non-AI cloud) is an assumption per firm, about its capex before the AI build-out
#: (2022-23 filings), held to grow 5% a year. First-party AI compute (recommendation,
#: ads, search, copilots and cloud customers renting directly) is sized so that each
#: fleet is its labs' contracts (Epoch AI, public record) plus these, about 3.5M H100e
#: in all against the 4.72M H100e NVIDIA had shipped by end-2024 (public record) plus
#: Google's TPUs, of which the modelled firms hold most.
DEFAULT_HYPERSCALERS = (
    HyperscalerSpec("Microsoft", 119e9, 30e9, 72e9, 43e9, 500_000, {"GPU vendor": 0.95, "Inference ASIC": 0.05},
                    {"US": 0.75, "Europe": 0.15, "Asia ex-China": 0.10}, accounting_life_months=72),
    HyperscalerSpec("Alphabet", 125e9, 25e9, 96e9, 11e9, 350_000, {"TPU line": 0.6, "GPU vendor": 0.4},
                    {"US": 0.7, "Europe": 0.15, "Asia ex-China": 0.15}, accounting_life_months=72),
    HyperscalerSpec("Amazon", 116e9, 55e9, 101e9, 58e9, 500_000, {"GPU vendor": 0.85, "Inference ASIC": 0.15},
                    {"US": 0.75, "Europe": 0.15, "Asia ex-China": 0.10}, accounting_life_months=60),
    HyperscalerSpec("Meta", 91e9, 15e9, 78e9, 29e9, 300_000, {"GPU vendor": 0.95, "Inference ASIC": 0.05},
                    {"US": 0.9, "Europe": 0.1}, accounting_life_months=66),
    HyperscalerSpec("Oracle", 19e9, 5e9, 11e9, 92e9, 50_000, {"GPU vendor": 1.0},
                    {"US": 0.85, "Europe": 0.05, "Asia ex-China": 0.10}),
    HyperscalerSpec("Neocloud", 0.0, 0.0, 1.4e9, 8e9, 50_000, {"GPU vendor": 1.0},
                    {"US": 0.85, "Europe": 0.15}, neocloud=True),
)

#: Growth of non-AI capex a year (an assumption: the pre-AI trend of 2015-22).
NON_AI_CAPEX_GROWTH_PER_YEAR = 1.05
#: Growth of compute demand hyperscalers carried into 2025, per year: OpenAI's compute
#: went 0.2 -> 0.6 GW in 2024 and to 1.9 GW in 2025 (CFO, public), about 3x; the whole
#: market's a little less (an assumption: 2.75x).
PRIOR_DEMAND_GROWTH_PER_YEAR = 2.75
#: All-in kW per H100e of the month-0 fleet: mostly Hopper (~1.4 kW all-in) with early
#: Blackwell.
KW_PER_H100E_AT_START = 1.3
#: Cost per H100e of the month-0 fleet, chips with servers and network (H100 at ~$25k).
FLEET_COST_USD_PER_H100E_AT_START = 30_000.0
#: Months the month-0 fleet has already been depreciated (bought over 2023-24).
FLEET_AGE_MONTHS_AT_START = 12
#: Shells under construction at month 0, as a multiple of the built shells, completing
#: evenly over the shell lead time: ~9.6 GW for the modelled firms, about 0.5 GW a month
#: (001: ~20 GW of new data-center capacity ex-China in 2025-26, ~70% of it theirs;
#: public record: 6.35 GW under construction in US primary markets alone at end-2024).
PIPELINE_MULTIPLE_AT_START = 2.0
#: Powered space kept free above the fleet at month 0.
HEADROOM_AT_START = 1.05
#: A contract is quoted at the cost of new capacity, or higher when spot is tight: this
#: weight on spot (an assumption: term prices follow spot halfway).
SPOT_WEIGHT_IN_QUOTE = 0.5
#: Spot moves with the utilization gap (capped at this many points) and is pulled this
#: share of the way back to the cost anchor each month (assumptions: a market that
#: clears over quarters, not days).
SPOT_GAP_CAP = 0.5
SPOT_PULL_TO_COST_PER_MONTH = 0.03
#: Economic life for pricing and impairment: two generation cycles (001/002).
ECONOMIC_LIFE_GENERATIONS = 2
#: Cloud gross margin on GPU rental at cost-anchored pricing (004: 20-30%).
CLOUD_MARGIN_FRAC = 0.25
#: Cloud operating cost besides power: ~8% of rental revenue (sales, support) plus
#: data-center upkeep (staff, maintenance, insurance) by the MW in use: ~$0.16 per
#: Hopper-hour at 1.3 kW all-in (public estimates put data-center opex at $0.1-0.3 per
#: GPU-hour), so ~$0.12M per MW-month; newer chips do more per MW, so upkeep per H100e falls.
OPEX_FRAC_OF_RENTAL = 0.08
UPKEEP_USD_PER_MW_MONTH = 120_000.0


def upkeep_usd_per_h100e_month(kw_per_h100e):
    """Upkeep of an H100e drawing ``kw_per_h100e`` all-in (a number or an array)."""
    return UPKEEP_USD_PER_MW_MONTH * kw_per_h100e / 1000.0
#: An idle GPU, powered down, still draws this share of its power (an assumption).
IDLE_POWER_FRAC = 0.2
#: Ghost chips are swapped in for powered ones this many times less efficient per MW
#: (an assumption: a swap pays when the new chips do half again as much per MW).
RETIRE_FOR_POWER_EFFICIENCY_RATIO = 1.5
#: Planning horizon past the chip lead time (a quarter to the next plan plus installation).
CHIP_PLAN_BUFFER_MONTHS = 6
#: Chips already waiting for power slow new orders once they have waited this share of
#: a generation, and stop them at this share (002: if the gap between delivered and
#: deployed compute nears the generation period, demand for a generation vanishes; in
#: 2025-26 firms ordered through lags of months, 004: 19 GW of GPUs against 9-10 GW of
#: new US power).
LAG_TOLERATED_GENERATIONS = 0.25
LAG_STOP_GENERATIONS = 0.75
#: Chip orders look no further ahead than this lead time plus the buffer, however long
#: vendors' backlogs grow (a lead time driven by the orders themselves must not feed back
#: into bigger orders).
MAX_PLANNING_LEAD_MONTHS = 12
#: Shells may run this far ahead of the power expected for them (grid requests filed).
SHELL_POWER_SLACK_FRAC = 0.5
#: Shells are planned for demand this many months past their lead time.
SHELL_PLAN_BUFFER_MONTHS = 6
#: Capacity on order beyond this share above need is cancelled, outside the commitment window.
CANCEL_SLACK_FRAC = 0.2
#: A neocloud's base spread is this multiple of big tech's (public record: CoreWeave's
#: debt at 7-15% against big tech's ~5-6%), and leverage adds spread up to this many turns.
NEOCLOUD_SPREAD_MULTIPLE = 3.0
MAX_LEVERAGE_TURNS = 6.0
#: Lenders advance this share of the rent a firm's signed contracts still owe it
#: (public record: CoreWeave's $11.2B of debt by Jun 2025 against a ~$30B backlog,
#: secured by the contracts; Meta's Hyperion SPV, $27B of debt for a leased campus).
CONTRACT_BACKED_LENDING_FRAC = 0.3
#: A firm with unpaid bills cuts commitments by this many times what it owes.
RETRENCH_MONTHS_OF_ARREARS = 6.0
#: Share of its credit room a firm will commit to capex.
CREDIT_USE_FRAC = 0.5
#: However tolerant the market, commitments stay within free cash flow, spare cash and
#: this share of the credit room (the rest absorbs a bad quarter).
SOLVENCY_CREDIT_FRAC = 0.8
#: Committed AI capex must fit what the firm can fund over this many months.
COMMITMENT_HORIZON_MONTHS = 24
#: Cash kept in reserve: this many months of spending, plus a fixed floor.
MIN_CASH_MONTHS = 3.0
MIN_CASH_FLOOR_USD = 1e9
#: Big tech returns to shareholders half of the cash above twice its reserve and this
#: margin, while its debt is under half its credit line; spare cash first repays a
#: quarter of the debt each month (assumptions: buybacks and dividends absorb the cash
#: big tech does not invest, public filings).
RETURN_MARGIN_USD = 20e9
RETURN_FRAC_OF_EXCESS = 0.5
RETURN_MAX_DEBT_FRAC_OF_LINE = 0.5
REPAY_FRAC_OF_SPARE_CASH = 0.25
#: Big tech's bond capacity at neutral sentiment: its debt plus this many years of
#: operating cash flow (an assumption; Oracle's debt rose from ~$92B to $111.6B during
#: 2025, public record, about a year of its cash flow).
CREDIT_LINE_OCF_YEARS = 1.0
#: Arrears a core business can still work off: this many months of its cash flow.
CORE_COVER_MONTHS = 6.0
#: A hyperscaler defaults when a bill has gone unpaid this long with no credit left.
DEFAULT_OVERDUE_MONTHS = 3


class Hyperscaler(mesa.Agent):
    """Installs, powers, rents, depreciates, and each quarter plans capex."""

    def __init__(self, model, spec: HyperscalerSpec):
        super().__init__(model)
        p = model.p
        self.name = spec.name
        self.neocloud = spec.neocloud
        self.spec = spec
        self.core_ocf_usd_per_month = spec.core_ocf_usd_per_year / 12.0
        self.cash_usd = spec.cash_usd
        self.debt_usd = spec.debt_usd
        self.secured_debt_usd = 0.0
        self.credit_line_usd = spec.debt_usd + CREDIT_LINE_OCF_YEARS * spec.core_ocf_usd_per_year
        self.vendor_mix = dict(spec.vendor_mix)
        self.region_mix = dict(spec.region_mix)
        self.defaulted = False
        self.distressed = False
        self.life_months = spec.accounting_life_months or p.gpu_accounting_life_months
        self.first_party_h100e0 = spec.first_party_h100e * p.hyperscaler_fleet_scale
        self.first_party_h100e = self.first_party_h100e0
        self.fleet = Fleet()
        self.shells_mw: dict[str, float] = {r: 0.0 for r in self.region_mix}
        self.grid_mw: dict[str, float] = {r: 0.0 for r in self.region_mix}
        self.onsite_mw: dict[str, float] = {r: 0.0 for r in self.region_mix}
        self.onsite_projects: list[tuple[str, float, int]] = []
        self.projects: list[ShellProject] = []
        self.spot_usd_per_hour = p.initial_rental_usd_per_gpu_hour
        self.expected_growth = math.log(PRIOR_DEMAND_GROWTH_PER_YEAR)
        self.plan_usd_per_year = 0.0
        self._demand_history: list[float] = []
        self._capex_history: list[float] = []
        self._ocf_history: list[float] = []
        self.impairments_usd_total = 0.0
        self.deployment_lag_months = 0.0
        self.reset_month()

    def seed_state(self, lab_h100e: float) -> None:
        """Month-0 state from 2024: a powered fleet for its labs' contracts and its own
        workloads, shells under construction (grid requested), and chip orders in the
        vendors' backlogs (called by the model once labs' contracts exist)."""
        p = self.model.p
        fleet = lab_h100e + self.first_party_h100e
        life = self.life_months
        cost = fleet * FLEET_COST_USD_PER_H100E_AT_START
        self.fleet.add(-FLEET_AGE_MONTHS_AT_START, -1, KW_PER_H100E_AT_START, fleet, cost, life, powered=True,
                       book_usd=cost * (1 - FLEET_AGE_MONTHS_AT_START / life))
        mw = fleet * KW_PER_H100E_AT_START / 1000.0 * HEADROOM_AT_START
        for r, s in self.region_mix.items():
            self.shells_mw[r] = self.grid_mw[r] = mw * s
        lead = p.shell_lead_months
        pipeline = mw * PIPELINE_MULTIPLE_AT_START
        for k in range(lead):
            for region, share in self.region_mix.items():
                part = pipeline * share / lead
                cost_left = part * p.shell_cost_usd_per_mw * (k + 1) / lead
                self.projects.append(ShellProject(region, part, k, cost_left, cost_left / (k + 1)))
                self._request_grid(region, part, ready_month=k, month=k - lead)
        self._demand_history.append(fleet)

    # ===== what others can see =========================================================
    @property
    def powered_h100e(self) -> float:
        return self.fleet.powered_h100e

    @property
    def ghost_h100e(self) -> float:
        return self.fleet.ghost_h100e

    @property
    def ghost_mw(self) -> float:
        return self.fleet.ghost_mw

    @property
    def used_mw(self) -> float:
        return self.fleet.used_mw

    @property
    def powered_mw(self) -> float:
        """Shell space with power (grid or on-site): where chips can run."""
        return sum(min(self.shells_mw[r], self.grid_mw[r] + self.onsite_mw[r]) for r in self.shells_mw)

    @property
    def rented_h100e(self) -> float:
        return self.model.rental.rented_from(self.name)

    @property
    def utilization_frac(self) -> float:
        """Share of powered chips sold (to labs) or used (first-party)."""
        if self.defaulted:
            return 0.0
        powered = self.powered_h100e
        used = self.rented_h100e + self.first_party_used_h100e
        return min(1.0, used / powered) if powered > 0 else 0.0

    @property
    def first_party_used_h100e(self) -> float:
        """First-party workloads run on what contracts leave: a signed contract is a
        take-or-pay obligation, served before the firm's own products."""
        return min(self.first_party_h100e, max(0.0, self.powered_h100e - self.rented_h100e))

    @property
    def capex_intensity(self) -> float:
        """Trailing-year AI capex over operating cash flow, as reported (what peers see)."""
        capex = sum(self._capex_history[-12:])
        ocf = sum(self._ocf_history[-12:])
        return capex / ocf if ocf > 0 else 0.0

    @property
    def spread_frac(self) -> float:
        """Credit spread: a base that widens when the AI valuation falls (higher for a
        neocloud) plus a step per turn of debt over a year's operating cash flow."""
        p = self.model.p
        multiple = NEOCLOUD_SPREAD_MULTIPLE if self.neocloud else 1.0
        base = (p.credit_spread_frac + self.model.capital.spread_add_frac()) * multiple
        return base + p.spread_per_leverage_frac * min(self.debt_usd / max(self.annual_ocf_usd(), 1e8),
                                                       MAX_LEVERAGE_TURNS)

    def annual_ocf_usd(self) -> float:
        """Operating cash flow over the last year (core plus AI rentals less power); in
        the first quarter, the core's plus this month's contracted rent."""
        recent = self._ocf_history[-12:]
        if len(recent) >= 3:
            return sum(recent) * 12.0 / len(recent)
        rent = sum(c.h100e * c.price_usd_per_hour for c in self.model.rental.contracts
                   if c.seller == self.name and c.active(self.model.month)) * HOURS_PER_MONTH
        return (self.core_ocf_usd_per_month + rent * (1.0 - OPEX_FRAC_OF_RENTAL)
                - UPKEEP_USD_PER_MW_MONTH * self.fleet.used_mw) * 12.0

    def contract_quote_usd_per_hour(self) -> float:
        """The price a lab signing now pays per H100e-hour over the term: the cost of new
        capacity with the cloud margin, moved by the spot market's tightness."""
        anchor = self.cost_anchor_usd_per_hour()
        return max(anchor, (1.0 - SPOT_WEIGHT_IN_QUOTE) * anchor + SPOT_WEIGHT_IN_QUOTE * self.spot_usd_per_hour)

    def cost_anchor_usd_per_hour(self) -> float:
        p = self.model.p
        vendors = self.model.vendors_by_name
        capital = sum(w * (vendors[v].asp_usd_per_h100e * (1 + p.network_server_frac_of_chip_cost)
                           + vendors[v].kw_per_h100e / 1000.0 * p.shell_cost_usd_per_mw)
                      for v, w in self.vendor_mix.items())
        kw = sum(w * vendors[v].kw_per_h100e for v, w in self.vendor_mix.items())
        hours = ECONOMIC_LIFE_GENERATIONS * p.chip_generation_months * HOURS_PER_MONTH * p.target_utilization_frac
        financing = 1.0 + (p.interest_rate_frac + self.spread_frac) * ECONOMIC_LIFE_GENERATIONS \
            * p.chip_generation_months / 24.0
        power = kw / 1000.0 * p.power_price_usd_per_mwh + upkeep_usd_per_h100e_month(kw) / HOURS_PER_MONTH
        return (capital * financing / hours + power) * (1.0 + CLOUD_MARGIN_FRAC)

    # ===== called by others ============================================================
    def receive_chips(self, vendor, h100e: float, price_usd_per_h100e: float, kw_per_h100e: float,
                      generation: int) -> float:
        """Delivery: pay the vendor and the equipment suppliers (capex); the chips wait
        unpowered (ghost compute, 001) until installed."""
        p = self.model.p
        chip_cost = h100e * price_usd_per_h100e
        paid = self._capex(vendor, chip_cost, "chip_purchase")
        self._capex("equipment_suppliers", chip_cost * p.network_server_frac_of_chip_cost, "network_servers")
        self.chip_capex_usd_month += chip_cost
        total = chip_cost * (1 + p.network_server_frac_of_chip_cost)
        self.fleet.add(self.model.month, generation, kw_per_h100e, h100e, total, self.life_months)
        self.delivered_h100e_month += h100e
        return paid

    def grid_connected(self, region: str, mw: float) -> None:
        self.grid_mw[region] = self.grid_mw.get(region, 0.0) + mw

    def fund_affiliate(self, lab, amount_usd: float) -> float:
        """Equity tie: an in-house lab's or chip line's shortfall is covered by its parent."""
        if self.defaulted or amount_usd <= 0:
            return 0.0
        if self.cash_usd < amount_usd:
            self._borrow(amount_usd - self.cash_usd)
        given = self.model.ledger.pay(self, lab, min(amount_usd, max(self.cash_usd, 0.0)), "equity")
        self.lab_support_usd_month += given
        return given

    def book_bad_debt(self, amount_usd: float) -> None:
        """A tenant defaulted owing ``amount_usd``: a write-down."""
        self.bad_debt_usd_month += amount_usd

    # ===== the month (phase 4) =========================================================
    def step(self) -> None:
        """Phase 4: cash in, pay what is due, power and install, rent, depreciate, plan."""
        if self.defaulted:
            return
        self._collect_core_cash_flow()
        self.model.ledger.pay_down(self)
        self._pay_non_ai_capex()
        self._grow_first_party()
        self._complete_shells()
        self._install_and_retire()
        self._observe_demand()
        self._price_spot()
        self._pay_power_and_opex()
        self._build_shells()
        self.depreciation_usd_month = self.fleet.depreciate()
        if is_quarter_start(self.model.month):
            self._impairment_test()
            self._plan_capex()
        self._manage_cash()

    @property
    def ocf_usd_month(self) -> float:
        """Operating cash flow of the month: the core business, plus rent, less power,
        cloud operating costs and what it put into its in-house lab or chip line (whose rent comes
        back as revenue, so it is not counted twice)."""
        return (self.core_ocf_usd_per_month + self.rental_revenue_usd_month - self.power_cost_usd_month
                - self.opex_usd_month - self.lab_support_usd_month)

    @property
    def capex_total_usd_month(self) -> float:
        """Total capex as firms report it: AI capex plus the non-AI path."""
        return self.capex_usd_month + self.non_ai_capex_usd_month

    def reset_month(self) -> None:
        """Close last month's books and zero the month's flows (called by the model before
        phase 1; chip deliveries land after this agent's step, so the month's capex and
        operating cash flow are recorded here, complete)."""
        if hasattr(self, "capex_usd_month"):
            self._ocf_history.append(0.0 if self.defaulted else self.ocf_usd_month)
            self._capex_history.append(self.capex_usd_month)
        self.capex_usd_month = 0.0
        self.chip_capex_usd_month = 0.0
        self.non_ai_capex_usd_month = 0.0
        self.rental_revenue_usd_month = 0.0
        self.power_cost_usd_month = 0.0
        self.depreciation_usd_month = 0.0
        self.impairments_usd_month = 0.0
        self.bad_debt_usd_month = 0.0
        self.retired_h100e_month = 0.0
        self.delivered_h100e_month = 0.0
        self.installed_h100e_month = 0.0
        self.ordered_h100e_month = 0.0
        self.cancelled_h100e_month = 0.0
        self.shells_started_mw_month = 0.0
        self.interest_usd_month = 0.0
        self.opex_usd_month = 0.0
        self.lab_support_usd_month = 0.0

    def _collect_core_cash_flow(self) -> None:
        years = self.model.month / 12.0
        self.core_ocf_usd_per_month = self.spec.core_ocf_usd_per_year / 12.0 * NON_AI_CAPEX_GROWTH_PER_YEAR ** years
        if self.core_ocf_usd_per_month > 0:
            self.model.ledger.pay("core_business", self, self.core_ocf_usd_per_month, "core_cash_flow")

    def _pay_non_ai_capex(self) -> None:
        """Capex outside AI, a sourced path (see DEFAULT_HYPERSCALERS)."""
        years = self.model.month / 12.0
        amount = self.spec.non_ai_capex_usd_per_year / 12.0 * NON_AI_CAPEX_GROWTH_PER_YEAR ** years
        if amount > 0:
            self._spend("non_ai_capex", amount, "non_ai_capex")
            self.non_ai_capex_usd_month = amount

    def _grow_first_party(self) -> None:
        """First-party AI workloads (copilots, recommendation, search features, cloud
        customers renting directly) serve the same people as the labs: they grow with
        the number of active AI users (an assumption that keeps them causal and bounded:
        adoption saturates, and the firms take efficiency gains on their own products as
        savings rather than selling cheaper tokens)."""
        self.first_party_h100e = self.first_party_h100e0 * self.model.adoption_index()

    def _complete_shells(self) -> None:
        month = self.model.month
        for prj in self.projects:
            if prj.complete_month <= month and prj.mw > 0:
                self.shells_mw[prj.region] = self.shells_mw.get(prj.region, 0.0) + prj.mw
                prj.mw = 0.0
        self.projects = [x for x in self.projects if x.mw > 0 or x.cost_left_usd > 1.0]
        for region, mw, ready in [x for x in self.onsite_projects if x[2] <= month]:
            self.onsite_mw[region] += mw
        self.onsite_projects = [x for x in self.onsite_projects if x[2] > month]

    def _install_and_retire(self) -> None:
        """Retire chips past their physical life; when power binds, swap the least
        efficient powered chips for waiting ones; install into free powered space."""
        p = self.model.p
        month = self.model.month
        h, w = self.fleet.retire_old(month, p.gpu_physical_life_months)
        self._write_off_retired(h, w)
        if self.fleet.ghost_h100e > 0 and self.powered_mw - self.used_mw < self.fleet.ghost_mw:
            h, _, w = self.fleet.retire_for_power(RETIRE_FOR_POWER_EFFICIENCY_RATIO)
            self._write_off_retired(h, w)
        over = self.used_mw - self.powered_mw
        if over > 1e-9:
            self.fleet.shed_powered(over)
        self.installed_h100e_month += self.fleet.install(self.powered_mw - self.used_mw)
        self.deployment_lag_months = self.fleet.waiting_months(month)

    def _write_off_retired(self, h100e: float, book_usd: float) -> None:
        self.retired_h100e_month += h100e
        if book_usd > 0:
            self.impairments_usd_month += book_usd
            self.impairments_usd_total += book_usd

    def _observe_demand(self) -> None:
        """Record the month's demand as the firm sees it: labs' contracts active now, the
        spot compute asked of it (served or not) and its own workloads. (Rent itself is
        billed to labs by the rental market in phase 3, see ModelLab.)"""
        self._demand_history.append(self.model.rental.contracted(seller=self.name, month=self.model.month)
                                    + self.model.rental.spot_requested_from(self.name) + self.first_party_h100e)

    def _price_spot(self) -> None:
        """Spot moves with utilization against target, pulled slowly toward the cost
        anchor, never below the cash cost of running a chip."""
        p = self.model.p
        gap = max(-SPOT_GAP_CAP, min(SPOT_GAP_CAP, self.utilization_frac + self.model.rental.unmet_frac(self.name)
                                     - p.target_utilization_frac))
        self.spot_usd_per_hour *= math.exp(p.rental_price_sensitivity * gap)
        self.spot_usd_per_hour += SPOT_PULL_TO_COST_PER_MONTH * (self.cost_anchor_usd_per_hour() - self.spot_usd_per_hour)
        kw = self.fleet.kw_per_powered_h100e() or KW_PER_H100E_AT_START
        floor = kw / 1000.0 * p.power_price_usd_per_mwh + upkeep_usd_per_h100e_month(kw) / HOURS_PER_MONTH
        self.spot_usd_per_hour = max(self.spot_usd_per_hour, floor)

    def _pay_power_and_opex(self) -> None:
        """Electricity for the chips at work (idle ones powered down draw
        ``IDLE_POWER_FRAC``; grid by region, on-site generation at its own cost), plus
        cloud operating costs."""
        p = self.model.p
        powered = self.powered_mw
        if powered > 0:
            util = self.utilization_frac
            used = self.used_mw * (util + IDLE_POWER_FRAC * (1.0 - util))   # idle chips are powered down
            inference_share = self.model.inference_share_frac
            for region in self.shells_mw:
                region_mw = min(self.shells_mw[region], self.grid_mw[region] + self.onsite_mw[region])
                if region_mw <= 0:
                    continue
                mwh = used * region_mw / powered * HOURS_PER_MONTH
                onsite = min(self.onsite_mw[region], region_mw) / region_mw
                util = self.model.utilities_by_region.get(region)
                if util is not None and mwh * (1 - onsite) > 0:
                    self.power_cost_usd_month += util.bill(self, mwh * (1 - onsite), inference_share)
                if mwh * onsite > 0:
                    cost = mwh * onsite * p.onsite_power_usd_per_mwh
                    self._spend("power_generation", cost, "onsite_power")
                    self.power_cost_usd_month += cost
        opex = OPEX_FRAC_OF_RENTAL * self.rental_revenue_usd_month + UPKEEP_USD_PER_MW_MONTH * self.used_mw
        self._spend("operating_costs", opex, "cloud_opex")
        self.opex_usd_month = opex

    def _build_shells(self) -> None:
        """Pay this month's share of each shell under construction (capex). A firm with
        bills in arrears halts construction: every unfinished shell waits a month."""
        if self.model.ledger.owed(self) > 0:
            for prj in self.projects:
                if prj.mw > 0:
                    prj.complete_month += 1
            return
        for prj in self.projects:
            pay = min(prj.cost_per_month_usd, prj.cost_left_usd)
            if pay > 0:
                self._capex("construction", pay, "shell_construction")
                prj.cost_left_usd -= pay

    def _margin_per_h100e_month(self) -> np.ndarray:
        """Each cohort's monthly margin at today's rent and utilization."""
        p = self.model.p
        kw = self.fleet.column("kw")
        rent = self.spot_usd_per_hour * max(self.utilization_frac, 0.0)
        return (rent - kw / 1000.0 * p.power_price_usd_per_mwh) * HOURS_PER_MONTH - upkeep_usd_per_h100e_month(kw)

    def _impairment_test(self) -> None:
        """Write each cohort down to what its margin can still earn over the rest of its
        economic life (two generation cycles, 001/002); retire chips no longer worth
        their power."""
        p = self.model.p
        margin = self._margin_per_h100e_month()
        # a chip is not worth its power when an hour of it rents for less than the hour's
        # power and upkeep; only chips a generation old are scrapped (newer ones idle)
        kw = self.fleet.column("kw")
        hourly = (self.spot_usd_per_hour - kw / 1000.0 * p.power_price_usd_per_mwh) * HOURS_PER_MONTH \
            - upkeep_usd_per_h100e_month(kw)
        old = self.model.month - self.fleet.column("month") >= p.chip_generation_months
        h, w = self.fleet.retire_unprofitable(np.where(old, hourly, 0.0))
        self._write_off_retired(h, w)
        life_left = ECONOMIC_LIFE_GENERATIONS * p.chip_generation_months - (self.model.month
                                                                            - self.fleet.column("month"))
        amount = self.fleet.impair(margin, life_left)
        self.impairments_usd_month += amount
        self.impairments_usd_total += amount

    # ----- capex planning (quarterly) ---------------------------------------------------
    def _observe_growth(self) -> None:
        """Adapt the expected growth of demand toward the growth observed over the last
        year (or since the start, annualized and weighted by the share of a year seen,
        in the first year): adaptive expectations with a time constant of about a year."""
        p = self.model.p
        h = self._demand_history
        back = min(12, len(h) - 1)
        if back >= 3 and h[-1 - back] > 0 and h[-1] > 0:
            observed = math.log(h[-1] / h[-1 - back]) * 12.0 / back
            weight = p.expectation_adapt_per_quarter * back / 12.0   # less than a year seen: trust it less
            self.expected_growth += weight * (observed - self.expected_growth)

    def _demand_at(self, months: float) -> float:
        """Compute it expects to need ``months`` ahead: labs' rentals and its own
        workloads at the expected growth (times optimism and the market's mood, when
        growing), no less than
        what labs have already contracted for then."""
        p = self.model.p
        month = self.model.month
        g = self.expected_growth * (p.hyperscaler_optimism * self.model.capital.planning_factor()
                                    if self.expected_growth > 0 else 1.0)
        rental = self.model.rental
        now = rental.contracted(seller=self.name, month=month) + rental.spot_requested_from(self.name) \
            + self.first_party_h100e
        contracted = rental.contracted(seller=self.name, month=month + int(round(months)))
        return max(now * math.exp(g * months / 12.0), contracted + self.first_party_h100e)

    def _plan_capex(self) -> None:
        """The quarterly plan: chip orders and shell starts, sized so the gap between
        expected need and supply (fleet plus orders, less retirements) closes over
        ``capex_gap_adjust_quarters``; chips that would wait unpowered for a large part
        of a generation are not worth ordering (002); what capital allows bounds the new
        commitments, and peers' spending raises what the firm will commit (the arms race,
        004, in ``capex_tolerance``)."""
        p = self.model.p
        self._observe_growth()
        vendors = self.model.vendors_by_name
        month = self.model.month
        lead = sum(w * vendors[v].lead_time_months for v, w in self.vendor_mix.items())
        horizon = min(lead, MAX_PLANNING_LEAD_MONTHS) + CHIP_PLAN_BUFFER_MONTHS
        need = self._demand_at(horizon) / p.target_utilization_frac
        on_order = sum(vendors[v].backlog_for(self.name) for v in self.vendor_mix)
        supply = self.fleet.h100e - self.fleet.retiring_by(month + int(horizon), p.gpu_physical_life_months) + on_order
        gap = need - supply
        adjust = 1.0 / p.capex_gap_adjust_quarters
        if gap < -CANCEL_SLACK_FRAC * need:
            self._cancel_orders((-gap - CANCEL_SLACK_FRAC * need) * adjust)
        lag = self.deployment_lag_months / p.chip_generation_months   # in generations
        lag_factor = min(1.0, max(0.0, (LAG_STOP_GENERATIONS - lag) / (LAG_STOP_GENERATIONS - LAG_TOLERATED_GENERATIONS)))
        order_h100e = max(0.0, gap) * adjust * lag_factor

        kw_new = sum(w * vendors[v].kw_per_h100e for v, w in self.vendor_mix.items())
        need_mw = self._demand_at(p.shell_lead_months + SHELL_PLAN_BUFFER_MONTHS) / p.target_utilization_frac \
            * kw_new / 1000.0
        built = sum(self.shells_mw.values()) + sum(x.mw for x in self.projects)
        retiring_mw = self.fleet.retiring_by(month + p.shell_lead_months, p.gpu_physical_life_months) \
            * KW_PER_H100E_AT_START / 1000.0
        shell_mw = max(0.0, need_mw - built + retiring_mw) * adjust

        asp = sum(w * vendors[v].asp_usd_per_h100e for v, w in self.vendor_mix.items())
        unit = asp * (1 + p.network_server_frac_of_chip_cost)
        chip_usd = order_h100e * unit
        shell_usd = shell_mw * p.shell_cost_usd_per_mw
        chip_usd, shell_usd = self._within_capital(chip_usd, shell_usd)
        self._order_chips(chip_usd / unit if unit > 0 else 0.0)
        self._start_shells(shell_usd / p.shell_cost_usd_per_mw)
        self.plan_usd_per_year = self._committed_next_year_usd()

    def _power_room_mw(self, region: str) -> float:
        """Shell space worth starting in ``region``: the power the firm can expect by the
        time a shell started now is finished (what it is connected to, its share of what
        the utility can build meanwhile at today's rate, and what on-site generation may
        add), less the shells it has built or is building. 001/004: power binds, and a
        shell without power earns nothing."""
        p = self.model.p
        util = self.model.utilities_by_region.get(region)
        if util is None:
            return 0.0
        have = self.shells_mw.get(region, 0.0) + sum(x.mw for x in self.projects if x.region == region)
        connected = self.grid_mw.get(region, 0.0) + self.onsite_mw.get(region, 0.0)
        mine = sum(r.mw for r in util.queue if r.buyer == self.name)
        queued = util.queued_mw
        supply = util.free_mw + util.build_mw_per_month * p.shell_lead_months
        share = mine / queued if queued > 0 else 1.0
        fresh = max(0.0, supply - queued)            # capacity no one has asked for yet
        expected = connected + min(mine, supply * share) + fresh * self.region_mix[region]
        onsite = p.onsite_power_max_frac * expected
        return max(0.0, (expected + onsite) * (1.0 + SHELL_POWER_SLACK_FRAC) - have)

    def _committed_next_year_usd(self) -> float:
        """AI capex due over the next 12 months: chips on order (at today's prices, with
        servers) and shell construction: the plan firms guide to."""
        p = self.model.p
        vendors = self.model.vendors_by_name
        chips = sum(vendors[v].backlog_for(self.name, within_months=12) * vendors[v].asp_usd_per_h100e
                    for v in self.vendor_mix) * (1 + p.network_server_frac_of_chip_cost)
        shells = sum(min(x.cost_left_usd, x.cost_per_month_usd * 12) for x in self.projects)
        return chips + shells

    def _committed_usd(self) -> float:
        """AI capex already committed: every chip on order (with its servers, at today's
        prices) and what is left to pay on shells under construction."""
        p = self.model.p
        vendors = self.model.vendors_by_name
        chips = sum(vendors[v].backlog_for(self.name) * vendors[v].asp_usd_per_h100e for v in self.vendor_mix)
        return chips * (1 + p.network_server_frac_of_chip_cost) + sum(x.cost_left_usd for x in self.projects)

    def funding_capacity_usd(self, months: float = None) -> float:
        """What the firm can put into AI capex over the next ``COMMITMENT_HORIZON_MONTHS``:
        the share of its free operating cash flow (after interest and non-AI capex) it will
        put into AI (``capex_tolerance``), plus cash above its reserve and part of
        the room on its credit line (the rest is kept for bad months); never more than
        its free cash flow, cash and most of its credit room could pay."""
        p = self.model.p
        years = (COMMITMENT_HORIZON_MONTHS if months is None else months) / 12.0
        interest = self.debt_usd * (p.interest_rate_frac + self.spread_frac)
        non_ai = self.spec.non_ai_capex_usd_per_year * NON_AI_CAPEX_GROWTH_PER_YEAR ** (self.model.month / 12.0)
        free = max(0.0, self.annual_ocf_usd() - interest - non_ai)
        spare = max(0.0, self.cash_usd - self._min_cash())
        tolerated = self.capex_tolerance() * free * years + spare + CREDIT_USE_FRAC * self.credit_room()
        solvent = free * years + spare + SOLVENCY_CREDIT_FRAC * self.credit_room()
        return min(tolerated, solvent)

    def capex_tolerance(self) -> float:
        """AI capex per dollar of free cash flow the firm will commit: what the capital
        market tolerates, raised toward the boldest peer's reported capex intensity by
        ``arms_race_coupling`` (004: "Meta and Musk will not quit"; shareholders accept
        what rivals are seen to spend)."""
        own = self.model.capital.capex_tolerance(self)
        peers = [h.capex_intensity for h in self.model.hyperscalers if h is not self and not h.defaulted
                 and not h.neocloud]
        boldest = max(peers, default=0.0)
        return own + self.model.p.arms_race_coupling * max(0.0, boldest - own)

    def _within_capital(self, chip_usd: float, shell_usd: float) -> tuple[float, float]:
        """New commitments are scaled down so that everything committed stays within
        what the firm can fund over two years, and what falls due within a year within
        what it can fund in a year (``funding_capacity_usd``); a firm already over
        either cancels orders outside the commitment window and slows construction."""
        if self.distressed:
            return 0.0, 0.0
        capacity = self.funding_capacity_usd()
        committed = self._committed_usd()
        near_capacity = self.funding_capacity_usd(12)
        near = self._committed_next_year_usd()
        excess = max(committed - capacity * (1.0 + CANCEL_SLACK_FRAC), near - near_capacity * (1.0 + CANCEL_SLACK_FRAC))
        if excess > 0:
            self._retrench(excess)
            return 0.0, 0.0
        room = max(0.0, min(capacity - committed, near_capacity - near))
        new = chip_usd + shell_usd
        scale = min(1.0, room / new) if new > 0 else 1.0
        return chip_usd * scale, shell_usd * scale

    def _retrench(self, excess_usd: float) -> None:
        """Over-committed: cancel cancellable chip orders (paying the fee), then stretch
        shells under construction to half their monthly spend (Microsoft slowed or paused
        some projects in early 2025, public)."""
        p = self.model.p
        vendors = self.model.vendors_by_name
        unit = sum(w * vendors[v].asp_usd_per_h100e for v, w in self.vendor_mix.items()) \
            * (1 + p.network_server_frac_of_chip_cost)
        before = self._committed_usd()
        if unit > 0:
            self._cancel_orders(excess_usd / unit)
        if before - self._committed_usd() < excess_usd:
            for prj in self.projects:
                if prj.cost_left_usd > 0 and not prj.stretched:
                    prj.cost_per_month_usd *= 0.5
                    prj.complete_month += int(round(prj.cost_left_usd / prj.cost_per_month_usd / 2))
                    prj.stretched = True

    def _order_chips(self, h100e: float) -> None:
        if h100e <= 0:
            return
        vendors = self.model.vendors_by_name
        for v, w in self.vendor_mix.items():
            if vendors[v].sells_to(self.name):
                vendors[v].place_order(self.name, h100e * w)
        self.ordered_h100e_month += h100e

    def _cancel_orders(self, h100e: float) -> None:
        """Cancel orders beyond the commitment window, paying the vendor's fee."""
        for v in self.vendor_mix:
            vendor = self.model.vendors_by_name[v]
            done, fee = vendor.cancel_orders(self.name, h100e)
            if fee > 0:
                self._spend(vendor, fee, "cancellation_fee")
            self.cancelled_h100e_month += done
            h100e -= done
            if h100e <= 0:
                break

    def _start_shells(self, mw: float) -> None:
        """Start shells by region, where power can be expected (``_power_room_mw``), and
        ask the utility for grid for when they are ready."""
        if mw <= 1e-6:
            return
        p = self.model.p
        month = self.model.month
        started = 0.0
        for region, share in self.region_mix.items():
            part = min(mw * share, self._power_room_mw(region))
            if part <= 1e-6:
                continue
            started += part
            cost = part * p.shell_cost_usd_per_mw
            ready = month + p.shell_lead_months
            self.projects.append(ShellProject(region, part, ready, cost, cost / p.shell_lead_months))
            self._request_grid(region, part, ready_month=ready)
        self.shells_started_mw_month += started

    def _request_grid(self, region: str, mw: float, ready_month: int, month: int | None = None) -> None:
        util = self.model.utilities_by_region.get(region)
        if util is not None:
            util.request(self, mw, ready_month, month)

    def power_denied(self, region: str, mw: float) -> None:
        """A grid request lapsed (DESIGN.md: requests expire): build on-site generation
        for part of it, if the firm's on-site share allows, else ask the grid again."""
        p = self.model.p
        onsite_now = self.onsite_mw[region] + sum(m for r, m, _ in self.onsite_projects if r == region)
        room = max(0.0, p.onsite_power_max_frac * self.shells_mw[region] - onsite_now)
        take = min(mw, room)
        if take > 0:
            self.onsite_projects.append((region, take, self.model.month + p.onsite_power_lead_months))
        if mw - take > 1e-6:
            self._request_grid(region, mw - take, ready_month=self.model.month)

    # ----- cash, debt, default ------------------------------------------------------------
    def _min_cash(self) -> float:
        return MIN_CASH_MONTHS * (self.capex_usd_month + self.power_cost_usd_month) + MIN_CASH_FLOOR_USD

    def credit_line(self) -> float:
        """Credit on offer from the capital market, plus borrowing against the rent its
        contracts still owe it: a neocloud's delayed-draw loans secured by contracts, big
        tech's SPVs (004: Meta holds 20% of Hyperion, partners fund the rest against the
        lease)."""
        line = self.model.capital.credit_line(self)
        if not self.model.capital.frozen:
            line += CONTRACT_BACKED_LENDING_FRAC * self.model.rental.remaining_revenue_usd(self.name,
                                                                                           self.model.month)
        return line

    def credit_room(self) -> float:
        return max(0.0, self.credit_line() - self.debt_usd)

    def _borrow(self, amount: float) -> float:
        """Draw on the corporate line first, then on lending secured by contracts (the
        part ``secured_debt_usd`` tracks)."""
        take = min(amount, self.credit_room())
        if take > 0:
            corporate_room = max(0.0, self.model.capital.credit_line(self) - (self.debt_usd - self.secured_debt_usd))
            self.secured_debt_usd += max(0.0, take - corporate_room)
            self.model.ledger.pay("lenders", self, take, "debt_drawn")
            self.debt_usd += take
        return take

    def tenant_defaulted(self, share_of_book: float) -> float:
        """A tenant whose contracts were ``share_of_book`` of the rent still owed to this
        firm defaulted: the lending secured by those contracts is non-recourse (004: the
        partners who fund an SPV, and their lenders, bear its loss, not the sponsor), so
        that share of the secured debt is written off by the lenders. Returns the amount."""
        loss = self.secured_debt_usd * min(1.0, max(0.0, share_of_book))
        self.secured_debt_usd -= loss
        self.debt_usd -= loss
        return loss

    def _spend(self, payee, amount: float, kind: str) -> float:
        """An obligation: borrow if cash runs short, pay, and owe what cannot be paid."""
        if amount <= 0:
            return 0.0
        if self.cash_usd < amount:
            self._borrow(amount - self.cash_usd)
        return self.model.ledger.bill(self, payee, amount, kind)

    def _capex(self, payee, amount: float, kind: str) -> float:
        """AI capex: recorded as incurred, whether paid now or owed."""
        self.capex_usd_month += amount
        return self._spend(payee, amount, kind)

    def _manage_cash(self) -> None:
        """Interest at the rate plus the spread; repay debt or return excess cash."""
        p = self.model.p
        interest = self.debt_usd * (p.interest_rate_frac + self.spread_frac) / 12.0
        if interest > 0:
            self._spend("lenders", interest, "interest")
            self.interest_usd_month = interest
        owed = self.model.ledger.owed(self)
        self.distressed = owed > 0 or self.credit_room() <= 0
        if owed > 0:
            self._retrench(owed * RETRENCH_MONTHS_OF_ARREARS)
        floor = self._min_cash()
        if self.cash_usd > floor and self.debt_usd > 0 and not self.model.ledger.owed(self):
            repay = min(self.debt_usd, REPAY_FRAC_OF_SPARE_CASH * (self.cash_usd - floor))
            self.model.ledger.pay(self, "lenders", repay, "debt_repaid")
            self.secured_debt_usd *= (self.debt_usd - repay) / self.debt_usd
            self.debt_usd -= repay
        excess = self.cash_usd - 2.0 * floor - RETURN_MARGIN_USD
        if excess > 0 and not self.neocloud and self.debt_usd <= RETURN_MAX_DEBT_FRAC_OF_LINE * self.credit_line():
            self.model.ledger.pay(self, "investors", RETURN_FRAC_OF_EXCESS * excess, "shareholder_returns")

    def insolvent(self) -> bool:
        """Bills unpaid for ``DEFAULT_OVERDUE_MONTHS`` with no credit left, and more owed
        than its core business earns in ``CORE_COVER_MONTHS`` (big tech's core cash flow
        pays off arrears that a neocloud's cannot)."""
        ledger = self.model.ledger
        owed = ledger.owed(self)
        return owed > CORE_COVER_MONTHS * max(self.core_ocf_usd_per_month, 0.0) \
            and ledger.overdue_months(self) >= DEFAULT_OVERDUE_MONTHS and self.credit_room() <= 0

    def on_default(self) -> None:
        """Stop everything: contracts end, orders are cancelled, grid requests withdrawn,
        unpaid bills written off (the model books creditors' losses)."""
        self.defaulted = True
        for v in self.vendor_mix:
            self.model.vendors_by_name[v].cancel_orders(self.name, None, free=True)
        for u in self.model.utilities:
            u.withdraw(self.name)
        for prj in self.projects:
            prj.cost_left_usd = 0.0
