"""Hyperscalers: the builders. Fleets of GPU cohorts, data-center shells, rentals, capex.

Each hyperscaler holds cash, a non-AI operating cash flow, debt and a credit line, GPU
cohorts by generation (each depreciating on its own), and data-center shells in each
region (built, under construction) with grid connections. Chips delivered without a
powered shell wait as ghost compute (001). It rents capacity to labs on contracts and
spot at a price that moves with utilization, and each quarter plans capex from what it
can see: its own demand and backlog, utilization, vendors' lead times, peers' reported
capex (the arms race, 004) and the capital market's tolerance.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import mesa

from sim.clock import HOURS_PER_MONTH, is_quarter_start


@dataclass
class Cohort:
    """GPUs of one vendor delivered in one month."""

    vendor: str
    generation: int
    month: int
    kw_per_h100e: float
    cost_usd: float
    h100e_powered: float = 0.0
    h100e_ghost: float = 0.0
    book_usd: float = 0.0

    @property
    def h100e(self) -> float:
        return self.h100e_powered + self.h100e_ghost


@dataclass
class Contract:
    """A lab's standing rental of capacity at a price fixed when signed, resetting slowly."""

    h100e: float
    price_usd_per_hour: float


@dataclass
class ShellProject:
    region: str
    mw: float
    complete_month: int
    cost_left_usd: float
    cost_per_month_usd: float


@dataclass(frozen=True)
class HyperscalerSpec:
    name: str
    core_ocf_usd_per_year: float     # non-AI operating cash flow
    cash_usd: float
    fleet_h100e: float               # generative-AI fleet at month 0, powered
    vendor_mix: dict = field(default_factory=dict)
    region_mix: dict = field(default_factory=dict)
    neocloud: bool = False
    debt_usd: float = 0.0
    credit_line_usd: float = 0.0     # big tech: bond market capacity at neutral sentiment


#: Month-0 figures (Jan 2025). Operating cash flow and cash from FY2024 filings
#: (Microsoft ~$119B OCF, Alphabet ~$125B, Amazon ~$116B, Meta ~$91B, Oracle ~$19B),
#: less the part already committed to non-AI capex. Fleets are the generative-AI
#: fleets rented to labs (H100e, ~2.9M in all: OpenAI ~0.5M GPUs, Meta ~0.6M H100e,
#: Google's TPUs, xAI's Colossus; public statements), with ~60% on training (004).
#: Shells already under construction at the start (the 2024 pipeline) and a backlog of
#: about half a year of chip orders (Blackwell "sold out for 12 months", late 2024).
DEFAULT_HYPERSCALERS = (
    HyperscalerSpec("Microsoft", 80e9, 70e9, 700_000, {"GPU vendor": 0.95, "Inference ASIC": 0.05},
                    {"US": 0.75, "Europe": 0.15, "Asia ex-China": 0.10}, credit_line_usd=120e9),
    HyperscalerSpec("Alphabet", 85e9, 95e9, 840_000, {"TPU line": 0.6, "GPU vendor": 0.4},
                    {"US": 0.7, "Europe": 0.15, "Asia ex-China": 0.15}, credit_line_usd=120e9),
    HyperscalerSpec("Amazon", 70e9, 80e9, 340_000, {"GPU vendor": 0.85, "Inference ASIC": 0.15},
                    {"US": 0.75, "Europe": 0.15, "Asia ex-China": 0.10}, credit_line_usd=120e9),
    HyperscalerSpec("Meta", 60e9, 70e9, 590_000, {"GPU vendor": 0.95, "Inference ASIC": 0.05},
                    {"US": 0.9, "Europe": 0.1}, credit_line_usd=80e9),
    HyperscalerSpec("Oracle", 12e9, 10e9, 140_000, {"GPU vendor": 1.0},
                    {"US": 0.85, "Europe": 0.05, "Asia ex-China": 0.10}, debt_usd=90e9, credit_line_usd=60e9),
    HyperscalerSpec("Neocloud", 1e9, 3e9, 260_000, {"GPU vendor": 1.0},
                    {"US": 0.85, "Europe": 0.15}, neocloud=True, debt_usd=10e9),
)

#: Growth of AI compute demand hyperscalers carried into 2025: ~2.5x a year (2024).
PRIOR_DEMAND_GROWTH_PER_YEAR = 1.5
#: Shells in the pipeline at month 0, as a multiple of built shells, completing evenly
#: over the shell lead time (the 2024 construction boom; 001: ~20 GW new ex-China in 2025-26).
PIPELINE_MULTIPLE_AT_START = 2.5
#: Chips are ordered for the demand expected this many months past their lead time
#: (a quarter to the next plan plus installation).
CHIP_PLAN_BUFFER_MONTHS = 6
#: Economic life for pricing and impairment: two generation cycles (001/002).
ECONOMIC_LIFE_GENERATIONS = 2
#: Cloud gross margin on GPU rental at cost-anchored pricing (004: 20-30%).
CLOUD_MARGIN_FRAC = 0.25
#: Cloud operating cost besides power: ~8% of rental revenue (sales, support) plus
#: data-center upkeep (staff, maintenance, insurance) of ~$0.2 per H100e-hour (public
#: estimates put data-center opex at $0.1-0.3 per GPU-hour).
OPEX_FRAC_OF_RENTAL = 0.08
UPKEEP_USD_PER_H100E_MONTH = 150.0
SPREAD_OVER_RATE = {False: 0.01, True: 0.04}   # bond spread: big tech vs neocloud


class Hyperscaler(mesa.Agent):
    """Rents, installs, depreciates, and each quarter plans capex."""

    def __init__(self, model, spec: HyperscalerSpec):
        super().__init__(model)
        p = model.p
        self.name = spec.name
        self.neocloud = spec.neocloud
        self.core_ocf_usd_per_month = spec.core_ocf_usd_per_year / 12.0
        self.cash_usd = spec.cash_usd
        self.debt_usd = spec.debt_usd
        self.credit_line_usd = spec.credit_line_usd
        self.vendor_mix = dict(spec.vendor_mix)
        self.region_mix = dict(spec.region_mix)
        self.defaulted = False
        self.distressed = False
        fleet = spec.fleet_h100e * p.hyperscaler_fleet_scale
        kw0 = 1.3   # month-0 fleet: mostly Hopper (~1.4 kW all-in) with early Blackwell
        self.cohorts: list[Cohort] = []
        if fleet > 0:
            cost = fleet * 22_000.0
            # Bought over 2023-24: about a third depreciated already.
            self.cohorts.append(Cohort("legacy", -1, -12, kw0, cost, h100e_powered=fleet,
                                       book_usd=cost * (1 - 12 / p.gpu_accounting_life_months)))
        mw = fleet * kw0 / 1000.0 * 1.05
        self.shells_mw = {r: mw * s for r, s in self.region_mix.items()}
        self.grid_mw = dict(self.shells_mw)
        self.projects: list[ShellProject] = []
        self._start_pipeline(mw * PIPELINE_MULTIPLE_AT_START, fleet)
        self.contracts: dict[str, Contract] = {}
        self.spot_h100e: dict[str, float] = {}
        self.rental_usd_per_hour = p.initial_rental_usd_per_gpu_hour
        # what labs asked for this month: desired contract level and spot
        self.requests: dict[str, float] = {}
        self.spot_requests: dict[str, float] = {}
        self._demand_history: list[float] = []
        self._capex_history: list[float] = []
        self._ocf_history: list[float] = []
        # monthly figures
        self.capex_usd_month = 0.0
        self.chip_capex_usd_month = 0.0
        self.rental_revenue_usd_month = 0.0
        self.power_cost_usd_month = 0.0
        self.depreciation_usd_month = 0.0
        self.impairments_usd_month = 0.0
        self.impairments_usd_total = 0.0
        self.bad_debt_usd_month = 0.0
        self.retired_h100e_total = 0.0
        self.retired_h100e_month = 0.0
        self.delivered_h100e_month = 0.0
        self.installed_h100e_month = 0.0
        self.ordered_h100e_month = 0.0
        self.shells_started_mw_month = 0.0
        self.deployment_lag_months = 0.0

    def _start_pipeline(self, mw: float, fleet_h100e: float) -> None:
        """Month-0 state inherited from 2024: shells under construction (grid already
        requested) and half a year of chip orders in vendors' backlogs."""
        p = self.model.p
        lead = p.shell_lead_months
        for k in range(lead):
            for region, share in self.region_mix.items():
                part = mw * share / lead
                cost_left = part * p.shell_cost_usd_per_mw * (k + 1) / lead
                self.projects.append(ShellProject(region, part, k, cost_left, cost_left / (k + 1)))
                util = self.model.utilities_by_region.get(region)
                if util is not None:
                    util.request(self.name, part, month=k - lead)
        for v, w in self.vendor_mix.items():
            vendor = self.model.vendors_by_name[v]
            vendor.place_order(self.name, fleet_h100e * 0.5 * w, month=-1)

    # ===== what others can see =========================================================
    @property
    def powered_h100e(self) -> float:
        return sum(c.h100e_powered for c in self.cohorts)

    @property
    def ghost_h100e(self) -> float:
        return sum(c.h100e_ghost for c in self.cohorts)

    @property
    def ghost_mw(self) -> float:
        return sum(c.h100e_ghost * c.kw_per_h100e for c in self.cohorts) / 1000.0

    @property
    def used_mw(self) -> float:
        return sum(c.h100e_powered * c.kw_per_h100e for c in self.cohorts) / 1000.0

    @property
    def powered_mw(self) -> float:
        """Shell space with a grid connection: where chips can run."""
        return sum(min(self.shells_mw.get(r, 0.0), self.grid_mw.get(r, 0.0)) for r in self.shells_mw)

    @property
    def rented_h100e(self) -> float:
        return sum(c.h100e for c in self.contracts.values()) + sum(self.spot_h100e.values())

    @property
    def utilization_frac(self) -> float:
        if self.defaulted:
            return 0.0
        return min(1.0, self.rented_h100e / self.powered_h100e) if self.powered_h100e > 0 else 0.0

    @property
    def capex_intensity(self) -> float:
        """Trailing-year capex over operating cash flow, as reported (what peers see)."""
        capex = sum(self._capex_history[-12:])
        ocf = sum(self._ocf_history[-12:])
        return capex / ocf if ocf > 0 else 0.0

    def contract_with(self, lab: str) -> float:
        c = self.contracts.get(lab)
        return (c.h100e if c else 0.0) + self.spot_h100e.get(lab, 0.0)

    # ===== called by others ============================================================
    def bill_lab(self, lab) -> tuple[float, float]:
        """A lab pays this month's rent: contract then spot. Returns (billed, paid)."""
        billed = 0.0
        c = self.contracts.get(lab.name)
        if c:
            billed += c.h100e * c.price_usd_per_hour * HOURS_PER_MONTH
        spot = self.spot_h100e.get(lab.name, 0.0)
        billed += spot * self.rental_usd_per_hour * HOURS_PER_MONTH
        paid = self.model.ledger.pay(lab, self, min(billed, max(lab.cash_usd, 0.0)), "compute_rental")
        self.rental_revenue_usd_month += paid
        self.bad_debt_usd_month += billed - paid
        return billed, paid

    def receive_chips(self, vendor, h100e: float, price_usd_per_h100e: float, kw_per_h100e: float,
                      generation: int) -> float:
        """Delivery: pay the vendor and the equipment suppliers, install what fits.

        The rest waits unpowered as ghost compute (001).
        """
        p = self.model.p
        chip_cost = h100e * price_usd_per_h100e
        paid = self._spend(vendor, chip_cost, "chip_purchase")
        self._spend("equipment_suppliers", chip_cost * p.network_server_frac_of_chip_cost, "network_servers")
        self.chip_capex_usd_month += chip_cost
        total = chip_cost * (1 + p.network_server_frac_of_chip_cost)
        month = self.model.month
        self.cohorts.append(Cohort(vendor.name, generation, month, kw_per_h100e, total,
                                   h100e_ghost=h100e, book_usd=total))
        self.delivered_h100e_month += h100e
        self._install()
        return paid

    def grid_connected(self, region: str, mw: float) -> None:
        self.grid_mw[region] = self.grid_mw.get(region, 0.0) + mw

    def lose_tenant(self, lab_name: str) -> None:
        """A lab defaulted or left: its contracts end."""
        self.contracts.pop(lab_name, None)
        self.spot_h100e.pop(lab_name, None)
        self.requests.pop(lab_name, None)
        self.spot_requests.pop(lab_name, None)

    def fund_lab(self, lab, amount_usd: float) -> float:
        """Equity tie: an in-house lab's shortfall is covered by its parent."""
        if self.defaulted:
            return 0.0
        give = min(amount_usd, max(self.cash_usd + self.credit_room(), 0.0))
        if give > self.cash_usd:
            self._borrow(give - self.cash_usd)
        return self.model.ledger.pay(self, lab, min(give, max(self.cash_usd, 0.0)), "equity")

    # ===== the month (phase 4) =========================================================
    def step(self) -> None:
        """Phase 4: cash in, rent out, install, pay for power, depreciate, plan."""
        if self.defaulted:
            self._step_defaulted()
            return
        self._collect_core_cash_flow()
        self._complete_shells()
        self._install()
        self._retire_old_cohorts()
        self._update_deployment_lag()
        self._allocate_capacity()
        self._price_rentals()
        self._pay_power_and_opex()
        self._build_shells()
        self._depreciate()
        if is_quarter_start(self.model.month):
            self._impairment_test()
            self._plan_capex()
        self._manage_cash()
        self._record_month()

    def reset_month(self) -> None:
        """Zero the month's flows (called by the model before phase 1)."""
        self.capex_usd_month = 0.0
        self.chip_capex_usd_month = 0.0
        self.rental_revenue_usd_month = 0.0
        self.power_cost_usd_month = 0.0
        self.depreciation_usd_month = 0.0
        self.impairments_usd_month = 0.0
        self.bad_debt_usd_month = 0.0
        self.retired_h100e_month = 0.0
        self.delivered_h100e_month = 0.0
        self.installed_h100e_month = 0.0
        self.ordered_h100e_month = 0.0
        self.shells_started_mw_month = 0.0

    def _collect_core_cash_flow(self) -> None:
        self.model.ledger.pay("core_business", self, self.core_ocf_usd_per_month, "core_cash_flow")

    def _complete_shells(self) -> None:
        month = self.model.month
        for prj in self.projects:
            if prj.complete_month <= month and prj.mw > 0:
                self.shells_mw[prj.region] = self.shells_mw.get(prj.region, 0.0) + prj.mw
                prj.mw = 0.0
        self.projects = [x for x in self.projects if x.mw > 0 or x.cost_left_usd > 1.0]

    def _install(self) -> None:
        """Move ghost chips into free powered space, oldest deliveries first."""
        free_mw = self.powered_mw - self.used_mw
        for c in self.cohorts:
            if free_mw <= 1e-9:
                break
            if c.h100e_ghost <= 0:
                continue
            fit = min(c.h100e_ghost, free_mw * 1000.0 / c.kw_per_h100e)
            c.h100e_ghost -= fit
            c.h100e_powered += fit
            free_mw -= fit * c.kw_per_h100e / 1000.0
            self.installed_h100e_month += fit

    def _update_deployment_lag(self) -> None:
        """How long the chips now waiting have waited for power, on average (H100e-
        weighted): the gap between delivered and deployed compute (002)."""
        month = self.model.month
        waiting = [(c.h100e_ghost, month - c.month) for c in self.cohorts if c.h100e_ghost > 0]
        total = sum(w for w, _ in waiting)
        self.deployment_lag_months = sum(w * age for w, age in waiting) / total if total > 1.0 else 0.0

    def _retire_old_cohorts(self) -> None:
        """Retire cohorts past their physical life; write off any book value left."""
        life = self.model.p.gpu_physical_life_months
        keep = []
        for c in self.cohorts:
            if self.model.month - c.month >= life:
                self.retired_h100e_month += c.h100e
                self.retired_h100e_total += c.h100e
                self._impair(c, c.book_usd)
            else:
                keep.append(c)
        self.cohorts = keep

    def _allocate_capacity(self) -> None:
        """Contracts first (cut pro rata if capacity fell), then new requests, then spot.

        Contract prices reset toward the list price over about a year (typical terms).
        """
        capacity = self.powered_h100e
        for lab, want in self.requests.items():
            c = self.contracts.get(lab)
            if c and want < c.h100e:
                c.h100e = want
        self.contracts = {k: c for k, c in self.contracts.items() if c.h100e > 1e-6}
        held = sum(c.h100e for c in self.contracts.values())
        if held > capacity:
            for c in self.contracts.values():
                c.h100e *= capacity / held
            held = capacity
        asks = {lab: want - (self.contracts[lab].h100e if lab in self.contracts else 0.0)
                for lab, want in self.requests.items()}
        asks = {k: v for k, v in asks.items() if v > 1e-6}
        total_ask = sum(asks.values())
        free = max(0.0, capacity - held)
        grant = min(1.0, free / total_ask) if total_ask > 0 else 0.0
        for lab, ask in asks.items():
            add = ask * grant
            c = self.contracts.setdefault(lab, Contract(0.0, self.rental_usd_per_hour))
            c.price_usd_per_hour = ((c.h100e * c.price_usd_per_hour + add * self.rental_usd_per_hour)
                                    / max(c.h100e + add, 1e-9))
            c.h100e += add
        for c in self.contracts.values():
            c.price_usd_per_hour += (self.rental_usd_per_hour - c.price_usd_per_hour) / 12.0
        free = max(0.0, capacity - sum(c.h100e for c in self.contracts.values()))
        spot_ask = sum(self.spot_requests.values())
        share = min(1.0, free / spot_ask) if spot_ask > 0 else 0.0
        self.spot_h100e = {lab: a * share for lab, a in self.spot_requests.items() if a * share > 0}
        self._demand_history.append(sum(self.requests.values()) + spot_ask)

    def _price_rentals(self) -> None:
        """List price moves with demand over capacity against the target utilization,
        and drifts toward a cost anchor: what the newest H100e (chip, network, shell)
        costs an hour over its economic life at target utilization, plus power, plus the
        cloud margin (004: 20-30%). Floor: the power and upkeep of an H100e-hour."""
        p = self.model.p
        capacity = max(self.powered_h100e, 1.0)
        pressure = (self._demand_history[-1] if self._demand_history else 0.0) / capacity
        gap = max(-0.5, min(0.5, pressure - p.target_utilization_frac))
        self.rental_usd_per_hour *= 1.0 + p.rental_price_sensitivity * gap
        self.rental_usd_per_hour += 0.03 * (self.cost_anchor_usd_per_hour() - self.rental_usd_per_hour)
        floor = self._power_cost_per_h100e_hour() + UPKEEP_USD_PER_H100E_MONTH / HOURS_PER_MONTH
        self.rental_usd_per_hour = max(self.rental_usd_per_hour, floor)

    def cost_anchor_usd_per_hour(self) -> float:
        p = self.model.p
        vendors = self.model.vendors_by_name
        capital = sum(w * (vendors[v].asp_usd_per_h100e * (1 + p.network_server_frac_of_chip_cost)
                           + vendors[v].kw_per_h100e / 1000.0 * p.shell_cost_usd_per_mw)
                      for v, w in self.vendor_mix.items())
        kw = sum(w * vendors[v].kw_per_h100e for v, w in self.vendor_mix.items())
        hours = ECONOMIC_LIFE_GENERATIONS * p.chip_generation_months * HOURS_PER_MONTH * p.target_utilization_frac
        return (capital / hours + kw / 1000.0 * p.power_price_usd_per_mwh) * (1.0 + CLOUD_MARGIN_FRAC)

    def _power_cost_per_h100e_hour(self) -> float:
        kw = self.used_mw * 1000.0 / self.powered_h100e if self.powered_h100e > 0 else 1.0
        return kw / 1000.0 * self.model.p.power_price_usd_per_mwh

    def _pay_power_and_opex(self) -> None:
        """Electricity for the chips in use (by region), plus cloud operating costs."""
        powered = self.powered_mw
        if powered > 0:
            used = self.used_mw
            inference_share = self.model.inference_share_frac
            for region, shells in self.shells_mw.items():
                region_mw = min(shells, self.grid_mw.get(region, 0.0))
                mwh = used * region_mw / powered * HOURS_PER_MONTH
                util = self.model.utilities_by_region.get(region)
                if util is not None and mwh > 0:
                    self.power_cost_usd_month += util.bill(self, mwh, inference_share)
        opex = OPEX_FRAC_OF_RENTAL * self.rental_revenue_usd_month + UPKEEP_USD_PER_H100E_MONTH * self.powered_h100e
        self._spend("operating_costs", opex, "cloud_opex")

    def _build_shells(self) -> None:
        """Pay this month's share of each shell under construction (capex)."""
        for prj in self.projects:
            pay = min(prj.cost_per_month_usd, prj.cost_left_usd)
            if pay > 0:
                self._spend("construction", pay, "shell_construction")
                prj.cost_left_usd -= pay

    def _depreciate(self) -> None:
        """Straight line over the accounting life, on the part in service."""
        life = self.model.p.gpu_accounting_life_months
        for c in self.cohorts:
            if c.h100e <= 0 or c.book_usd <= 0:
                continue
            d = min(c.book_usd, c.cost_usd / life * c.h100e_powered / c.h100e)
            c.book_usd -= d
            self.depreciation_usd_month += d

    def _impairment_test(self) -> None:
        """Write each cohort down to what its rental margin can still earn.

        Recoverable value: this month's margin per H100e times the months left in its
        economic life (two generation cycles, 001/002), never negative.
        """
        p = self.model.p
        util = self.utilization_frac
        for c in self.cohorts:
            if c.book_usd <= 0 or c.h100e <= 0:
                continue
            power = c.kw_per_h100e / 1000.0 * p.power_price_usd_per_mwh
            margin_month = max(0.0, (self.rental_usd_per_hour * util - power) * HOURS_PER_MONTH
                               - UPKEEP_USD_PER_H100E_MONTH)
            life_left = max(0.0, ECONOMIC_LIFE_GENERATIONS * p.chip_generation_months
                            - (self.model.month - c.month))
            recoverable = margin_month * life_left * c.h100e
            if c.book_usd > recoverable * 1.05:
                self._impair(c, c.book_usd - recoverable)

    def _impair(self, c: Cohort, amount: float) -> None:
        amount = max(0.0, min(amount, c.book_usd))
        c.book_usd -= amount
        self.impairments_usd_month += amount
        self.impairments_usd_total += amount

    # ----- capex planning (quarterly) ---------------------------------------------------
    def _expected_growth(self) -> float:
        """Annual demand growth extrapolated from the last six months, times optimism."""
        h = self._demand_history
        if len(h) >= 7 and h[-7] > 0:
            g = (h[-1] / h[-7]) ** 2 - 1.0
        else:
            g = PRIOR_DEMAND_GROWTH_PER_YEAR
        g = max(-0.6, min(4.0, g))
        return self.model.p.hyperscaler_optimism * g if g > 0 else g

    def _plan_capex(self) -> None:
        """Order chips and start shells for the demand expected when they would arrive.

        Chips: for the vendor lead time plus a quarter. Shells: for the shell lead time.
        Orders shrink as the deployment lag nears the generation period: chips that
        would wait a whole cycle unpowered are not worth buying (002). Peers' capex
        intensity pulls own capex up (the arms race, 004). All of it is bounded by what
        the capital market tolerates against operating cash flow, plus cash and credit.
        """
        p = self.model.p
        demand = self._demand_history[-1] if self._demand_history else self.rented_h100e
        growth = self._expected_growth()
        vendors = self.model.vendors_by_name
        lead = sum(w * vendors[v].lead_time_months for v, w in self.vendor_mix.items())
        need_chips = demand * (1 + growth) ** ((lead + CHIP_PLAN_BUFFER_MONTHS) / 12.0) / p.target_utilization_frac
        on_order = sum(vendors[v].backlog_for(self.name) for v in self.vendor_mix)
        have = self.powered_h100e + self.ghost_h100e + on_order
        gap = need_chips - have
        if gap < -0.15 * need_chips:
            self._cancel_orders(-gap - 0.15 * need_chips)
        lag_factor = max(0.0, 1.0 - self.deployment_lag_months / p.chip_generation_months)
        order_h100e = max(0.0, gap) * lag_factor

        kw_new = sum(w * vendors[v].kw_per_h100e for v, w in self.vendor_mix.items())
        need_mw = (demand * (1 + growth) ** (p.shell_lead_months / 12.0)
                   / p.target_utilization_frac * kw_new / 1000.0)
        shell_mw = self._plan_shells_and_grid(need_mw)
        asp = sum(w * vendors[v].asp_usd_per_h100e for v, w in self.vendor_mix.items())
        chip_usd = order_h100e * asp * (1 + p.network_server_frac_of_chip_cost)
        shell_usd = shell_mw * p.shell_cost_usd_per_mw
        planned = chip_usd + shell_usd
        recent = self._ocf_history[-12:]
        annual_ocf = max(sum(recent) * 12.0 / len(recent) if recent else self.core_ocf_usd_per_month * 12.0, 1.0)

        # the arms race: keep up with peers' reported capex intensity
        peers = [h.capex_intensity for h in self.model.hyperscalers if h is not self and not h.defaulted]
        if peers and p.arms_race_coupling > 0:
            peer_usd = sum(peers) / len(peers) * annual_ocf / 4.0
            if peer_usd > planned:
                extra = p.arms_race_coupling * (peer_usd - planned)
                if planned > 0:
                    chip_usd, shell_usd = chip_usd * (1 + extra / planned), shell_usd * (1 + extra / planned)
                else:
                    chip_usd, shell_usd = 0.4 * extra, 0.6 * extra
                planned = chip_usd + shell_usd

        # the capital market's tolerance, cash and credit
        allowed_q = 0.0 if self.distressed else (self.model.capital.capex_tolerance(self) * annual_ocf / 4.0
                                                 + max(0.0, self.cash_usd - self._min_cash()) / 4.0)
        if self.neocloud:
            allowed_q += self.credit_room() / 4.0
        scale = min(1.0, allowed_q / planned) if planned > 0 else 1.0
        chip_usd *= scale
        shell_usd *= scale

        order_h100e = chip_usd / (asp * (1 + p.network_server_frac_of_chip_cost)) if asp > 0 else 0.0
        self._order_chips(order_h100e)
        self._start_shells(shell_usd / p.shell_cost_usd_per_mw)

    def _plan_shells_and_grid(self, need_mw: float) -> float:
        """Ask utilities for the grid the plan needs; build shells only where power is
        expected by the time they finish (a shell without a connection earns nothing).

        Expected power: what is connected, plus the share of the queue the utility can
        clear within the shell lead time at its current build rate (001/004: power binds).
        """
        p = self.model.p
        total = 0.0
        for region, share in self.region_mix.items():
            util = self.model.utilities_by_region.get(region)
            if util is None:
                continue
            need = need_mw * share
            connected = self.grid_mw.get(region, 0.0)
            mine = sum(r.mw for r in util.queue if r.buyer == self.name)
            if need > connected + mine:
                util.request(self.name, need - connected - mine)
                mine = need - connected
            others = util.queued_mw - mine
            clear = util.free_mw + util.build_mw_per_month * p.shell_lead_months
            expected = connected + min(mine, max(0.0, clear - others) + clear * 0.1)
            built = self.shells_mw.get(region, 0.0) + sum(x.mw for x in self.projects if x.region == region)
            total += max(0.0, min(need, expected) - built)
        return total

    def _order_chips(self, h100e: float) -> None:
        if h100e <= 0:
            return
        vendors = self.model.vendors_by_name
        for v, w in self.vendor_mix.items():
            if vendors[v].sells_to(self.name):
                vendors[v].place_order(self.name, h100e * w)
        self.ordered_h100e_month += h100e

    def _cancel_orders(self, h100e: float) -> None:
        for v in self.vendor_mix:
            h100e -= self.model.vendors_by_name[v].cancel_orders(self.name, h100e)
            if h100e <= 0:
                break

    def _start_shells(self, mw: float) -> None:
        """Start shells by region (grid connections were requested while planning)."""
        if mw <= 1e-6:
            return
        p = self.model.p
        month = self.model.month
        for region, share in self.region_mix.items():
            part = mw * share
            cost = part * p.shell_cost_usd_per_mw
            self.projects.append(ShellProject(region, part, month + p.shell_lead_months, cost,
                                              cost / p.shell_lead_months))
        self.shells_started_mw_month += mw

    # ----- cash, debt, default ------------------------------------------------------------
    def _min_cash(self) -> float:
        return 3.0 * (self.capex_usd_month + self.power_cost_usd_month) + 1e9

    def insolvent(self) -> bool:
        """Six months of obligations (interest, shells under construction, power) not
        covered by cash, credit, contracted rent and the core business's cash flow."""
        p = self.model.p
        interest = self.debt_usd * (p.interest_rate_frac + SPREAD_OVER_RATE[self.neocloud]) / 12.0
        shells = sum(min(x.cost_per_month_usd, x.cost_left_usd) for x in self.projects)
        income = sum(c.h100e * c.price_usd_per_hour for c in self.contracts.values()) * HOURS_PER_MONTH
        need = 6.0 * (interest + shells + self.power_cost_usd_month - income - self.core_ocf_usd_per_month)
        return need > self.cash_usd + self.credit_room()

    def credit_room(self) -> float:
        return max(0.0, self.model.capital.credit_line(self) - self.debt_usd)

    def _borrow(self, amount: float) -> float:
        take = min(amount, self.credit_room())
        if take > 0:
            self.model.ledger.pay("lenders", self, take, "debt_drawn")
            self.debt_usd += take
        return take

    def _spend(self, payee, amount: float, kind: str) -> float:
        """Capex and operating payments; borrow when cash runs short."""
        if amount <= 0:
            return 0.0
        if self.cash_usd < amount:
            self._borrow(amount - self.cash_usd)
        paid = self.model.ledger.pay(self, payee, min(amount, max(self.cash_usd, 0.0)), kind)
        if kind in ("chip_purchase", "network_servers", "shell_construction"):
            self.capex_usd_month += paid
        return paid

    def _manage_cash(self) -> None:
        """Pay interest; repay debt or return excess cash; default if insolvent."""
        p = self.model.p
        interest = self.debt_usd * (p.interest_rate_frac + SPREAD_OVER_RATE[self.neocloud]) / 12.0
        if interest > 0:
            if self.cash_usd < interest:
                self._borrow(interest - self.cash_usd)
            if self.cash_usd < interest and not self.neocloud:
                # big tech's core business keeps its bonds serviceable: it borrows at a
                # penalty and plans no AI capex until it recovers
                self.model.ledger.pay("lenders", self, interest - self.cash_usd, "debt_drawn")
                self.debt_usd += interest - self.cash_usd
                self.distressed = True
            paid = self.model.ledger.pay(self, "lenders", min(interest, max(self.cash_usd, 0.0)), "interest")
            if paid < interest - 1.0:
                self.model.declare_default(self, "cannot pay interest")
                return
        if self.distressed and self.cash_usd > self._min_cash() and self.debt_usd < self.credit_room() + 1.0:
            self.distressed = False
        floor = self._min_cash()
        if self.cash_usd > floor and self.debt_usd > 0:
            repay = min(self.debt_usd, 0.25 * (self.cash_usd - floor))
            self.model.ledger.pay(self, "lenders", repay, "debt_repaid")
            self.debt_usd -= repay
        excess = self.cash_usd - 2.0 * floor - 20e9
        if excess > 0 and not self.neocloud:
            self.model.ledger.pay(self, "investors", 0.5 * excess, "shareholder_returns")

    def _record_month(self) -> None:
        ai_ocf = self.rental_revenue_usd_month - self.power_cost_usd_month
        self._ocf_history.append(self.core_ocf_usd_per_month + ai_ocf)
        self._capex_history.append(self.capex_usd_month)

    def _step_defaulted(self) -> None:
        """A defaulted neocloud rents nothing; its chips sit dark."""
        self._ocf_history.append(0.0)
        self._capex_history.append(0.0)

    def on_default(self) -> None:
        """Stop everything: contracts end, orders are cancelled, queues withdrawn."""
        self.defaulted = True
        for v in self.vendor_mix:
            self.model.vendors_by_name[v].cancel_orders(self.name)
        for u in self.model.utilities:
            u.withdraw(self.name)
        self.contracts.clear()
        self.spot_h100e.clear()
        for prj in self.projects:
            prj.cost_left_usd = 0.0
