"""Chip vendors: a generation roadmap, capacity and yield ramps, a backlog, prices.

Three defaults, after the architecture bets in 003: a merchant GPU vendor (flexible,
sells to everyone), an in-house TPU line (sells only to its parent, near cost), and an
inference ASIC vendor (cheap, inference-only, high paradigm risk). All quantities are
in H100-equivalents (H100e), so a new generation shows up as a lower price and lower
power per H100e, not as a different unit.
"""

from __future__ import annotations

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


#: Month-0 figures. GPU: NVIDIA data-center revenue ~$115B in FY2025 at ~75% gross
#: margin (public filings); B200 at ~$35-40k for ~2.5 H100e, so ~$15k per H100e;
#: Blackwell ramped from early 2025, so the generation launched a few months before
#: the start. Output is sized so 2025-26 shipments want ~25 GW (001: 25-30 GW). TPU: Google's in-house line, at cost plus a
#: thin margin. ASIC: a Groq/Cerebras-like inference vendor, small (003).
DEFAULT_VENDORS = (
    VendorSpec("GPU vendor", "gpu", 550_000.0, 15_000.0, 0.72, None, -3),
    VendorSpec("TPU line", "tpu", 130_000.0, 8_000.0, 0.20, ("Alphabet",), -8),
    VendorSpec("Inference ASIC", "asic", 30_000.0, 7_000.0, 0.45, None, -10),
)

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
        self.cash_usd = 0.0
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
    def sells_to(self, buyer: str) -> bool:
        return self.customers is None or buyer in self.customers

    @property
    def backlog_h100e(self) -> float:
        return sum(o.h100e for o in self.backlog)

    @property
    def output_h100e_per_month(self) -> float:
        return self.capacity_h100e_per_month * self.yield_frac / self.model.p.yield_mature_frac

    @property
    def lead_time_months(self) -> float:
        """Months an order placed now waits: backlog over output, a quarter to four years."""
        return min(48.0, max(3.0, self.backlog_h100e / max(self.output_h100e_per_month, 1.0)))

    def backlog_for(self, buyer: str) -> float:
        return sum(o.h100e for o in self.backlog if o.buyer == buyer)

    def place_order(self, buyer: str, h100e: float, month: int | None = None) -> None:
        if h100e > 0 and not self.defaulted:
            self.backlog.append(Order(buyer, h100e, self.model.month if month is None else month))
            self.ordered_h100e_month += h100e
            self._orders_quarter += h100e

    def cancel_orders(self, buyer: str, h100e: float | None = None) -> float:
        """Cancel up to ``h100e`` of ``buyer``'s unshipped orders, newest first (all if None)."""
        left = float("inf") if h100e is None else h100e
        cancelled = 0.0
        for o in reversed(self.backlog):
            if o.buyer != buyer or left <= 0:
                continue
            take = min(o.h100e, left)
            o.h100e -= take
            left -= take
            cancelled += take
        self.backlog = [o for o in self.backlog if o.h100e > 1e-9]
        self.ordered_h100e_month -= min(cancelled, self.ordered_h100e_month)
        self._orders_quarter -= cancelled
        return cancelled

    # ----- the month -------------------------------------------------------------------
    def step(self) -> None:
        """Phase 5: roadmap, produce, ship, reprice."""
        p = self.model.p
        self._advance_roadmap(p)
        self._ship(self._produce())
        self._grow_capacity(p)
        if is_quarter_start(self.model.month):
            self._reprice(p)

    def _yield_at(self, age_months: float, p) -> float:
        """Linear yield ramp from launch to maturity (004: B200 above 80% by late 2025)."""
        ramp = min(1.0, max(0.0, age_months / p.yield_ramp_months))
        return p.yield_initial_frac + ramp * (p.yield_mature_frac - p.yield_initial_frac)

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
        """Ship FIFO; the buyer pays on delivery; cost of goods leaves to suppliers."""
        self.shipped_h100e_month = 0.0
        self.revenue_usd_month = 0.0
        left = output_h100e
        buyers = self.model.hyperscalers_by_name
        while left > 1e-9 and self.backlog:
            order = self.backlog[0]
            take = min(order.h100e, left)
            buyer = buyers[order.buyer]
            paid = buyer.receive_chips(self, take, self.asp_usd_per_h100e, self.kw_per_h100e, self.generation)
            order.h100e -= take
            left -= take
            self.shipped_h100e_month += take
            self.revenue_usd_month += paid
            if order.h100e <= 1e-9:
                self.backlog.pop(0)
        self.shipped_h100e_total += self.shipped_h100e_month
        self._shipped_quarter += self.shipped_h100e_month
        cogs = self.revenue_usd_month * (1.0 - self.gross_margin_frac)
        self.model.ledger.pay(self, "chip_suppliers", min(cogs, max(self.cash_usd, 0.0)), "chip_cogs")

    def _grow_capacity(self, p) -> None:
        """Expand toward a backlog of about six months' output; shrink slowly without one."""
        backlog_months = self.backlog_h100e / max(self.output_h100e_per_month, 1.0)
        growth = 0.02 * (backlog_months - 6.0)
        growth = min(p.vendor_capacity_growth_max_per_month, max(-0.03, growth))
        self.capacity_h100e_per_month *= 1.0 + growth

    def _reprice(self, p) -> None:
        """ASP moves with the quarter's book-to-bill (orders over shipments)."""
        shipped = max(self._shipped_quarter, 1.0)
        self.book_to_bill = max(0.0, self._orders_quarter) / shipped
        move = p.asp_btb_sensitivity * 3 * max(-1.0, min(1.0, self.book_to_bill - 1.0))
        self.asp_usd_per_h100e *= 1.0 + move
        self._orders_quarter = 0.0
        self._shipped_quarter = 0.0
