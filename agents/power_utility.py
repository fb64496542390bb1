"""Power utilities, one per region: capacity for data centers, a queue, a price.

The physics side of the debate (001, 004): chips can be bought in months, but grid
capacity for data centers is built at a rate set by generation and transmission, and a
connection waits in an interconnection queue. What a utility cannot connect leaves
chips in warehouses: ghost compute (001).
"""

from __future__ import annotations

from dataclasses import dataclass

import mesa


@dataclass
class GridRequest:
    """``mw`` asked for by ``buyer`` in ``month`` for a shell ready in ``ready_month``."""

    buyer: str
    mw: float
    month: int
    ready_month: int


@dataclass(frozen=True)
class UtilitySpec:
    region: str
    free_mw: float                   # capacity available to new data centers at month 0
    build_mw_per_month: float        # month-0 build rate of capacity for data centers
    build_growth_per_year: float     # how fast the build rate itself rises
    price_factor: float              # regional price relative to the base price


#: Regional defaults: the most each region can connect a month for the modelled
#: hyperscalers. 004 puts new US power in 2026 at 9-10 GW (against 19 GW of GPU
#: demand) and 001 puts new ex-China data-center capacity at ~20 GW over 2025-26, for
#: every builder; the six modelled hyperscalers get about 70% of it (an assumption),
#: so ~4 GW/yr in the US in 2025, rising ~40% a year to ~6.5 GW (70% of 004's 9-10 GW)
#: in 2026, and ~1.1 GW/yr in Europe and in Asia ex-China.
#: China builds fast and has idle racks (004: West-China IDC racks under 60% filled).
DEFAULT_UTILITIES = (
    UtilitySpec("US", 800.0, 330.0, 0.4, 1.0),
    UtilitySpec("Europe", 200.0, 90.0, 0.15, 1.6),
    UtilitySpec("Asia ex-China", 200.0, 90.0, 0.25, 1.3),
    UtilitySpec("China", 3000.0, 400.0, 0.2, 0.8),
)


#: Utilities pass this share of their energy revenue on to generation and delivery
#: (an assumption: regulated returns of ~15%).
GENERATION_COST_FRAC = 0.85
#: Price response to tightness (queued MW over a year of supply), capped, and the share
#: of the gap to the target price closed each month (assumptions).
TIGHTNESS_PRICE_SLOPE = 0.5
TIGHTNESS_CAP = 3.0
PRICE_ADJUST_PER_MONTH = 0.1
#: Utilities build toward requests due within this many months.
BUILD_HORIZON_MONTHS = 24


class PowerUtility(mesa.Agent):
    """Adds capacity, connects capacity that is ready to energise, reprices."""

    def __init__(self, model, spec: UtilitySpec):
        super().__init__(model)
        self.name = f"Utility {spec.region}"
        self.region = spec.region
        self.free_mw = spec.free_mw
        self.base_build_mw_per_month = spec.build_mw_per_month
        self.build_growth_per_year = spec.build_growth_per_year
        self.price_factor = spec.price_factor
        self.price_usd_per_mwh = model.p.power_price_usd_per_mwh * spec.price_factor
        self.queue: list[GridRequest] = []
        self.connected_mw: dict[str, float] = {}
        self.built_mw_total = 0.0
        self.built_mw_month = 0.0
        self.granted_mw_month = 0.0
        self.cash_usd = 0.0
        self.revenue_usd_month = 0.0
        self.defaulted = False

    @property
    def build_mw_per_month(self) -> float:
        """The most the region can add a month now: rising each year as generation,
        transmission and equipment supply expand, scaled by ``power_build_multiplier``."""
        years = self.model.month / 12.0
        return (self.base_build_mw_per_month * (1.0 + self.build_growth_per_year) ** years
                * self.model.p.power_build_multiplier)

    @property
    def queued_mw(self) -> float:
        return sum(r.mw for r in self.queue)

    def request(self, buyer, mw: float, ready_month: int, month: int | None = None) -> None:
        """``buyer`` (a hyperscaler) asks in ``month`` (default: now) for ``mw`` for a
        shell ready in ``ready_month``."""
        if mw > 0:
            self.queue.append(GridRequest(buyer.name, mw, self.model.month if month is None else month, ready_month))

    def withdraw(self, buyer: str, mw: float | None = None) -> float:
        """Withdraw up to ``mw`` of ``buyer``'s queued requests, newest first."""
        left = float("inf") if mw is None else mw
        out = 0.0
        for r in reversed(self.queue):  # newest first
            if r.buyer == buyer and left > 0:
                take = min(r.mw, left)
                r.mw -= take
                left -= take
                out += take
        self.queue = [r for r in self.queue if r.mw > 1e-9]
        return out

    def bill(self, payer, mwh: float, inference_share: float) -> float:
        """Sell energy; inference sites near users pay a premium (004: 1.3-2x)."""
        premium = 1.0 + (self.model.p.inference_site_power_premium - 1.0) * inference_share
        amount = mwh * self.price_usd_per_mwh * premium
        if payer.cash_usd < amount:
            payer._borrow(amount - payer.cash_usd)
        self.model.ledger.bill(payer, self, amount, "electricity")
        self.revenue_usd_month += amount
        return amount

    def insolvent(self) -> bool:
        """Never: a regulated utility passes its costs on (its unpaid generation bills
        stay payables until its customers pay it)."""
        return False

    def step(self) -> None:
        """Phase 6: build, connect the queue, reprice; pass generation costs on."""
        self.model.ledger.pay_down(self)
        self._expire()
        self._build()
        self._grant()
        self._reprice()
        cost = self.revenue_usd_month * GENERATION_COST_FRAC
        if cost > 0:
            self.model.ledger.bill(self, "power_generation", cost, "generation")
        self.revenue_usd_month = 0.0

    def _expire(self) -> None:
        """Requests not energised within ``grid_request_expiry_months`` lapse (the
        speculative part of large-load queues, public record: ERCOT's 226 GW). The buyer
        is told, and decides whether to ask again or build on-site generation."""
        p = self.model.p
        month = self.model.month
        lapsed = [r for r in self.queue if month - r.month >= p.grid_request_expiry_months]
        if not lapsed:
            return
        self.queue = [r for r in self.queue if month - r.month < p.grid_request_expiry_months]
        for r in lapsed:
            buyer = self.model.hyperscalers_by_name[r.buyer]
            if not buyer.defaulted:
                buyer.power_denied(self.region, r.mw)

    def _build(self) -> None:
        """Build toward the requests due within the build horizon, within the region's
        maximum rate: utilities do not add data-center capacity nobody has asked for."""
        horizon = self.model.month + BUILD_HORIZON_MONTHS
        due = sum(r.mw for r in self.queue if r.ready_month <= horizon)
        shortfall = max(0.0, due - self.free_mw)
        self.built_mw_month = min(self.build_mw_per_month, shortfall)
        self.free_mw += self.built_mw_month
        self.built_mw_total += self.built_mw_month

    def _grant(self) -> None:
        """Grid goes to capacity ready to energise (a built shell), earliest-ready first,
        once the request has waited the interconnection lead time."""
        lead = self.model.p.grid_interconnect_lead_months
        month = self.model.month
        self.granted_mw_month = 0.0
        ready = sorted((r for r in self.queue if r.ready_month <= month and month - r.month >= lead),
                       key=lambda r: r.ready_month)
        for r in ready:
            if self.free_mw <= 1e-9:
                break
            take = min(r.mw, self.free_mw)
            r.mw -= take
            self.free_mw -= take
            self.granted_mw_month += take
            self.connected_mw[r.buyer] = self.connected_mw.get(r.buyer, 0.0) + take
            self.model.hyperscalers_by_name[r.buyer].grid_connected(self.region, take)
        self.queue = [r for r in self.queue if r.mw > 1e-9]

    def _reprice(self) -> None:
        """Price rises with tightness: queued demand against a year of supply."""
        supply = self.free_mw + 12.0 * self.build_mw_per_month
        tightness = self.queued_mw / max(supply, 1.0)
        target = self.model.p.power_price_usd_per_mwh * self.price_factor * (
            1.0 + TIGHTNESS_PRICE_SLOPE * min(tightness, TIGHTNESS_CAP))
        self.price_usd_per_mwh += PRICE_ADJUST_PER_MONTH * (target - self.price_usd_per_mwh)
