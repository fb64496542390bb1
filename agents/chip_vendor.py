"""Chip vendors: a generation roadmap, capacity and yield ramps, a backlog, prices.

Three defaults, after the architecture bets in 003: a merchant GPU vendor (flexible,
sells to everyone), an in-house TPU line (sells only to its parent, near cost), and an
inference ASIC vendor (cheap, inference-only, high paradigm risk). All quantities are
in H100-equivalents (H100e), so a new generation shows up as a lower price and lower
power per H100e, not as a different unit.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import mesa

from sim.clock import is_quarter_start


@dataclass
class Order:
    """An order in a vendor's backlog, shipped first-in first-out."""

    buyer: str
    h100e: float
    month: int


@dataclass(frozen=True)
class VendorSpec:
    name: str
    kind: str                         # "gpu" | "tpu" | "asic"
    capacity_h100e_per_month: float   # at mature yield, month 0
    asp_usd_per_h100e: float          # month 0
    gross_margin_frac: float
    customers: tuple[str, ...] | None  # None: sells to every hyperscaler
    first_gen_launch_month: int       # months relative to run start (negative: launched before)
    cash_usd: float = 0.0             # month 0
    opex_usd_per_month: float = 0.0   # R&D, sales and admin: costs that do not shrink with orders
    parent: str | None = None         # an in-house line: its parent covers its shortfalls


#: Month-0 figures. GPU: NVIDIA data-center revenue ~$115B in FY2025 at ~75% gross
#: margin (public filings); B200 at ~$35-40k for ~2.5 H100e, so ~$15k per H100e;
#: Blackwell ramped from early 2025, so the generation launched a few months before
#: the start. Output is sized so 2025-26 shipments want ~25 GW (001: 25-30 GW). TPU: Google's in-house line, at cost plus a
#: thin margin. ASIC: a Groq/Cerebras-like inference vendor, small (003).
#: Cash and operating costs: NVIDIA held ~$38B of cash and spent ~$16B a year on R&D
#: and admin in FY2025 (filings); the TPU line's costs are a small team's against its
#: parent's orders, and its parent covers its shortfalls; the ASIC vendor is a Groq-like
#: startup (~$1.5B raised, public).
DEFAULT_VENDORS = (
    VendorSpec("GPU vendor", "gpu", 650_000.0, 15_000.0, 0.72, None, -3, 38e9, 1.3e9),
    VendorSpec("TPU line", "tpu", 130_000.0, 8_000.0, 0.20, ("Alphabet",), -8, 2e9, 0.1e9, parent="Alphabet"),
    VendorSpec("Inference ASIC", "asic", 30_000.0, 7_000.0, 0.45, None, -10, 1.5e9, 0.04e9),
)
#: Orders in the backlog at month 0, in months of output (late 2024: Blackwell "sold out
#: for 12 months", public), split over customers by their fleets.
BACKLOG_MONTHS_AT_START = 9.0
#: A quarter's ASP move is bounded to this log change (a third up or down at most).
MAX_QUARTERLY_LOG_PRICE_MOVE = 0.3
#: Capacity expands toward a backlog of this many months of output.
TARGET_BACKLOG_MONTHS = 6.0
#: Capacity growth per month of backlog above target, and the fastest shrink a month.
CAPACITY_RESPONSE_PER_BACKLOG_MONTH = 0.02
CAPACITY_SHRINK_MAX_PER_MONTH = 0.03
#: A vendor defaults when its bills have gone unpaid this long.
DEFAULT_OVERDUE_MONTHS = 3

#: All-in kW per H100e (GPU, server, network, cooling, PUE ~1.2) of the generation
#: current at month 0: a GB200 NVL72 rack draws ~130 kW for 72 GPUs of ~2.25 H100e each.
KW_PER_H100E_AT_START = 1.0


class ChipVendor(mesa.Agent):
    """Produces (capacity x yield), ships against its backlog, reprices by book-to-bill."""

    def __init__(self, model, spec: VendorSpec):
        super().__init__(model)
        p = model.p
        self.name = spec.name
        self.kind = spec.kind
        self.customers = spec.customers
        self.gross_margin_frac = spec.gross_margin_frac
        self.capacity_h100e_per_month = spec.capacity_h100e_per_month
        self.asp_usd_per_h100e = spec.asp_usd_per_h100e
        self.kw_per_h100e = KW_PER_H100E_AT_START
        self.generation = 0
        self.gen_launch_month = spec.first_gen_launch_month
        self.yield_frac = self._yield_at(0 - self.gen_launch_month, p)
        self.cash_usd = spec.cash_usd
        self.parent = spec.parent
        self.opex_usd_per_month = spec.opex_usd_per_month
        self.cancel_fees_usd_month = 0.0
        self.backlog: list[Order] = []
        self.defaulted = False
        self.shipped_h100e_total = 0.0
        self.shipped_h100e_month = 0.0
        self.ordered_h100e_month = 0.0
        self.revenue_usd_month = 0.0
        self._orders_quarter = 0.0
        self._shipped_quarter = 0.0
        self.book_to_bill = 1.0

    # ----- what buyers see -----------------------------------------------------------
    def seed_backlog(self, fleets: dict[str, float]) -> None:
        """Month-0 orders from ``fleets`` (buyer -> H100e it would take from this vendor)."""
        total = sum(fleets.values())
        for buyer, h100e in fleets.items():
            if total > 0 and h100e > 0:
                self.place_order(buyer, BACKLOG_MONTHS_AT_START * self.output_h100e_per_month * h100e / total,
                                 month=-1)
        self._orders_quarter = 0.0
        self.ordered_h100e_month = 0.0

    def sells_to(self, buyer: str) -> bool:
        return self.customers is None or buyer in self.customers

    @property
    def backlog_h100e(self) -> float:
        return sum(o.h100e for o in self.backlog)

    @property
    def output_h100e_per_month(self) -> float:
        return 0.0 if self.defaulted else self.capacity_h100e_per_month * self.yield_frac / self.model.p.yield_mature_frac

    @property
    def lead_time_months(self) -> float:
        """Months an order placed now waits: backlog over output, a quarter to four years."""
        return min(48.0, max(3.0, self.backlog_h100e / max(self.output_h100e_per_month, 1.0)))

    def backlog_for(self, buyer: str, within_months: float | None = None) -> float:
        """``buyer``'s unshipped orders; with ``within_months``, only those due to ship
        within that many months at the current output (FIFO)."""
        if within_months is None:
            return sum(o.h100e for o in self.backlog if o.buyer == buyer)
        reach = within_months * self.output_h100e_per_month
        ahead = mine = 0.0
        for o in self.backlog:
            if ahead >= reach:
                break
            if o.buyer == buyer:
                mine += min(o.h100e, reach - ahead)
            ahead += o.h100e
        return mine

    def place_order(self, buyer: str, h100e: float, month: int | None = None) -> None:
        if h100e > 0 and not self.defaulted:
            self.backlog.append(Order(buyer, h100e, self.model.month if month is None else month))
            self.ordered_h100e_month += h100e
            self._orders_quarter += h100e

    def cancel_orders(self, buyer: str, h100e: float | None = None, free: bool = False) -> tuple[float, float]:
        """Cancel up to ``h100e`` of ``buyer``'s orders, newest first, except those due to
        ship within ``order_commit_months`` (non-cancellable). Returns (H100e cancelled,
        fee due: ``order_cancel_fee_frac`` of their value). ``free`` (the buyer defaulted,
        or the vendor did) cancels everything at no fee: the loss lies where it falls."""
        p = self.model.p
        left = math.inf if h100e is None else h100e
        firm = 0.0 if free else p.order_commit_months * self.output_h100e_per_month
        position = self.backlog_h100e
        cancelled = 0.0
        for o in reversed(self.backlog):
            position -= o.h100e
            if o.buyer != buyer or left <= 0:
                continue
            cancellable = o.h100e if free else max(0.0, min(o.h100e, position + o.h100e - firm))
            take = min(cancellable, left)
            o.h100e -= take
            left -= take
            cancelled += take
        self.backlog = [o for o in self.backlog if o.h100e > 1e-9]
        self._orders_quarter -= cancelled
        fee = 0.0 if free else cancelled * self.asp_usd_per_h100e * p.order_cancel_fee_frac
        return cancelled, fee

    # ----- the month -------------------------------------------------------------------
    def step(self) -> None:
        """Phase 5: roadmap, produce, ship, reprice."""
        p = self.model.p
        if self.defaulted:
            return
        self.model.ledger.pay_down(self)
        self._advance_roadmap(p)
        self._ship(self._produce())
        self.model.ledger.bill(self, "operating_costs", self.opex_usd_per_month, "vendor_opex")
        owed = self.model.ledger.owed(self)
        if self.parent is not None and owed > 0:
            self.model.hyperscalers_by_name[self.parent].fund_affiliate(self, owed)
            self.model.ledger.pay_down(self)
        self._grow_capacity(p)
        if is_quarter_start(self.model.month):
            self._reprice(p)

    def _yield_at(self, age_months: float, p) -> float:
        """Linear yield ramp from launch to maturity (004: B200 above 80% by late 2025)."""
        ramp = min(1.0, max(0.0, age_months / p.yield_ramp_months))
        start = p.yield_initial_share * p.yield_mature_frac
        return start + ramp * (p.yield_mature_frac - start)

    def _advance_roadmap(self, p) -> None:
        """A new generation every ``chip_generation_months`` (001/002: 1.5-2 years).

        Price and power per H100e step down; yield restarts its ramp.
        """
        month = self.model.month
        if month - self.gen_launch_month >= p.chip_generation_months:
            self.generation += 1
            self.gen_launch_month = month
            self.asp_usd_per_h100e *= p.gen_price_per_h100e_factor
            self.kw_per_h100e *= p.gen_power_per_h100e_factor
        self.yield_frac = self._yield_at(month - self.gen_launch_month, p)

    def _produce(self) -> float:
        """This month's good output: capacity times yield, no more than the backlog."""
        return min(self.output_h100e_per_month, self.backlog_h100e)

    def _ship(self, output_h100e: float) -> None:
        """Ship oldest orders first, orders of the same month pro rata (allocation, as
        vendors ration a sold-out generation); the buyer pays on delivery; cost of goods
        leaves to suppliers. Orders of a buyer with unpaid bills are held until it pays, and
        no buyer is shipped more than it can pay for now."""
        self.shipped_h100e_month = 0.0
        self.revenue_usd_month = 0.0
        self.shipped_value_usd_month = 0.0
        left = output_h100e
        buyers = self.model.hyperscalers_by_name
        ledger = self.model.ledger
        held = {b for b in {o.buyer for o in self.backlog} if ledger.owed(b) > 0}   # no credit to buyers in arrears
        queue = [o for o in self.backlog if o.buyer not in held]
        while left > 1e-9 and queue:
            month = queue[0].month
            batch = [o for o in queue if o.month == month]
            total = sum(o.h100e for o in batch)
            share = min(1.0, left / total) if total > 0 else 1.0
            for order in batch:
                take = order.h100e * share
                buyer = buyers[order.buyer]
                # no credit beyond what the buyer can pay now (cash and credit room, with servers)
                can_pay = max(0.0, buyer.cash_usd + buyer.credit_room()) / (
                    self.asp_usd_per_h100e * (1 + self.model.p.network_server_frac_of_chip_cost))
                take = min(take, can_pay)
                if take <= 0:
                    continue
                buyers[order.buyer].receive_chips(self, take, self.asp_usd_per_h100e, self.kw_per_h100e,
                                                  self.generation)
                order.h100e -= take
                left -= take
                self.shipped_h100e_month += take
                self.shipped_value_usd_month += take * self.asp_usd_per_h100e
            self.backlog = [o for o in self.backlog if o.h100e > 1e-9]
            queue = [o for o in queue if o.month != month]     # this month's batch is done
            if share < 1.0:
                break
        self.revenue_usd_month = self.shipped_value_usd_month
        self.shipped_h100e_total += self.shipped_h100e_month
        self._shipped_quarter += self.shipped_h100e_month
        cogs = self.shipped_value_usd_month * (1.0 - self.gross_margin_frac)
        self.model.ledger.bill(self, "chip_suppliers", cogs, "chip_cogs")

    def insolvent(self) -> bool:
        return self.model.ledger.overdue_months(self) >= DEFAULT_OVERDUE_MONTHS

    def on_default(self) -> None:
        """A vendor's default: its backlog is cancelled at no fee; it ships nothing more."""
        self.defaulted = True
        self.backlog = []

    def _grow_capacity(self, p) -> None:
        """Expand toward a backlog of about six months' output; shrink slowly without one."""
        backlog_months = self.backlog_h100e / max(self.output_h100e_per_month, 1.0)
        growth = CAPACITY_RESPONSE_PER_BACKLOG_MONTH * (backlog_months - TARGET_BACKLOG_MONTHS)
        growth = min(p.vendor_capacity_growth_max_per_month, max(-CAPACITY_SHRINK_MAX_PER_MONTH, growth))
        self.capacity_h100e_per_month *= 1.0 + growth

    def _reprice(self, p) -> None:
        """ASP moves with the quarter's book-to-bill (orders over shipments)."""
        shipped = max(self._shipped_quarter, 1.0)
        self.book_to_bill = max(0.0, self._orders_quarter) / shipped
        move = p.asp_btb_sensitivity * 3 * max(-1.0, min(1.0, self.book_to_bill - 1.0))
        self.asp_usd_per_h100e *= math.exp(max(-MAX_QUARTERLY_LOG_PRICE_MOVE, min(MAX_QUARTERLY_LOG_PRICE_MOVE, move)))
        self._orders_quarter = 0.0
        self._shipped_quarter = 0.0
