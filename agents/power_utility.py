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
    buyer: str
    mw: float
    month: int


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
#: so ~4.6 GW/yr in the US in 2025, rising ~50% a year, and ~1.1 GW/yr in Europe and
#: in Asia ex-China.
#: China builds fast and has idle racks (004: West-China IDC racks under 60% filled).
DEFAULT_UTILITIES = (
    UtilitySpec("US", 800.0, 380.0, 0.5, 1.0),
    UtilitySpec("Europe", 200.0, 90.0, 0.15, 1.6),
    UtilitySpec("Asia ex-China", 200.0, 90.0, 0.25, 1.3),
    UtilitySpec("China", 3000.0, 400.0, 0.2, 0.8),
)


class PowerUtility(mesa.Agent):
    """Adds capacity, grants queued connections first-come first-served, reprices."""

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

    def request(self, buyer: str, mw: float, month: int | None = None) -> None:
        if mw > 0:
            self.queue.append(GridRequest(buyer, mw, self.model.month if month is None else month))

    def withdraw(self, buyer: str, mw: float | None = None) -> float:
        """Withdraw up to ``mw`` of ``buyer``'s queued requests, newest first."""
        left = float("inf") if mw is None else mw
        out = 0.0
        for r in reversed(self.queue):
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
        paid = self.model.ledger.pay(payer, self, min(amount, max(payer.cash_usd, 0.0)), "electricity")
        self.revenue_usd_month += paid
        return paid

    def step(self) -> None:
        """Phase 6: build, connect the queue, reprice; pass generation costs on."""
        self._build()
        self._grant()
        self._reprice()
        cost = self.revenue_usd_month * 0.85
        self.model.ledger.pay(self, "power_generation", min(cost, max(self.cash_usd, 0.0)), "generation")
        self.revenue_usd_month = 0.0

    def _build(self) -> None:
        """Build toward the queue, within the region's maximum rate: utilities do not
        add data-center capacity nobody has asked for."""
        shortfall = max(0.0, self.queued_mw - self.free_mw)
        self.built_mw_month = min(self.build_mw_per_month, shortfall)
        self.free_mw += self.built_mw_month
        self.built_mw_total += self.built_mw_month

    def _grant(self) -> None:
        """First come, first served, once a request has waited the interconnection lead time."""
        lead = self.model.p.grid_interconnect_lead_months
        self.granted_mw_month = 0.0
        for r in self.queue:
            if self.free_mw <= 1e-9:
                break
            if self.model.month - r.month < lead:
                continue
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
        target = self.model.p.power_price_usd_per_mwh * self.price_factor * (1.0 + 0.5 * min(tightness, 3.0))
        self.price_usd_per_mwh += 0.1 * (target - self.price_usd_per_mwh)
