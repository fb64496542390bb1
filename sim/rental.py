"""The compute rental market, cleared outside its sellers.

Labs buy compute from hyperscalers two ways (public: CoreWeave, Oracle and Azure sell
both):

- **contracts**: multi-year, take-or-pay commitments of H100e from a start month, at a
  price fixed when signed. Signed contracts that have not started are the seller's
  *contracted backlog*, which it builds for (DESIGN.md: labs' multi-year compute
  commitments drive hyperscalers' plans).
- **spot**: what is left each month after contracts and the seller's own first-party
  workloads, at a price that moves with the seller's utilization.

:meth:`RentalMarket.clear` runs once a month after the hyperscalers have installed
their chips: it sets every lab's compute for the next month. When a seller cannot
deliver what it contracted (chips stuck as ghost compute, 001), every contract with it
is delivered pro rata and billed only for what was delivered.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass


@dataclass
class Contract:
    """``h100e`` from ``lab`` with ``seller`` over months [start, end) at a fixed price."""

    lab: str
    seller: str
    h100e: float
    start: int
    end: int
    price_usd_per_hour: float

    def active(self, month: int) -> bool:
        return self.start <= month < self.end


class RentalMarket:
    """The contract book and the month's allocation of rented compute."""

    def __init__(self, model) -> None:
        self.model = model
        self.contracts: list[Contract] = []
        # next month's delivered compute: (lab, seller) -> H100e, and price per hour
        self.delivered: dict[tuple[str, str], float] = {}
        self.delivered_price: dict[tuple[str, str], float] = {}
        self.spot: dict[tuple[str, str], float] = {}
        self.spot_requests: dict[str, float] = {}
        self.unmet_spot_h100e = 0.0
        self._capacity: dict[str, float] = {}
        self._cache: dict[tuple, float] = {}     # contracted() answers until the book changes

    # ----- contracts ---------------------------------------------------------------------
    def sign(self, lab: str, seller: str, h100e: float, start: int, term: int, price: float) -> Contract | None:
        if h100e <= 0 or term <= 0:
            return None
        c = Contract(lab, seller, h100e, start, start + term, price)
        self.contracts.append(c)
        self._cache.clear()
        return c

    def contracted(self, *, lab: str | None = None, seller: str | None = None, month: int) -> float:
        """H100e under contract at ``month`` (signed, whether or not yet delivered)."""
        key = (lab, seller, month)
        hit = self._cache.get(key)
        if hit is None:
            hit = self._cache[key] = sum(c.h100e for c in self.contracts if c.start <= month < c.end
                                         and (lab is None or c.lab == lab) and (seller is None or c.seller == seller))
        return hit

    def remaining_commitment_usd(self, lab: str, month: int) -> float:
        """What ``lab`` still owes over the rest of its contracts' terms, from ``month``."""
        from sim.clock import HOURS_PER_MONTH

        return sum(c.h100e * c.price_usd_per_hour * HOURS_PER_MONTH * (c.end - max(c.start, month))
                   for c in self.contracts if c.lab == lab and c.end > month)

    def remaining_revenue_usd(self, seller: str, month: int, lab: str | None = None) -> float:
        """What ``seller``'s contracts (only those with ``lab``, if given) still owe it over
        their terms, from ``month``."""
        from sim.clock import HOURS_PER_MONTH

        key = ("revenue", seller, month, lab)
        hit = self._cache.get(key)
        if hit is None:
            hit = self._cache[key] = sum(c.h100e * c.price_usd_per_hour * HOURS_PER_MONTH * (c.end - max(c.start, month))
                                         for c in self.contracts if c.seller == seller and c.end > month
                                         and (lab is None or c.lab == lab))
        return hit

    def end_contracts(self, name: str) -> None:
        """A default ends every contract the defaulted lab or seller is party to."""
        self.contracts = [c for c in self.contracts if c.lab != name and c.seller != name]
        self._cache.clear()
        for key in [k for k in self.delivered if name in k]:
            self.delivered.pop(key, None)
            self.delivered_price.pop(key, None)
        for key in [k for k in self.spot if name in k]:
            self.spot.pop(key, None)
        self.spot_requests.pop(name, None)

    def request_spot(self, lab: str, h100e: float) -> None:
        self.spot_requests[lab] = max(0.0, h100e)

    # ----- clearing ------------------------------------------------------------------------
    def clear(self, month: int | None = None) -> None:
        """Set next month's (or ``month``'s) compute: contracts first (pro rata if
        short), then spot. Expired contracts drop out of the book here."""
        month = self.model.month + 1 if month is None else month
        self.contracts = [c for c in self.contracts if c.end > month]
        self._cache.clear()
        by_seller: dict[str, list[Contract]] = defaultdict(list)
        for c in self.contracts:
            if c.active(month):
                by_seller[c.seller].append(c)
        self.delivered, self.delivered_price, self.spot = {}, {}, {}
        spare: dict[str, float] = {}
        for h in self.model.hyperscalers:
            if h.defaulted:
                continue
            capacity = h.fleet.powered_h100e    # contracts come before the firm's own workloads
            book = by_seller.get(h.name, [])
            total = sum(c.h100e for c in book)
            scale = min(1.0, capacity / total) if total > 0 else 1.0
            for c in book:
                key = (c.lab, c.seller)
                got = c.h100e * scale
                old = self.delivered.get(key, 0.0)
                self.delivered[key] = old + got
                # blended price of everything delivered under contract on this pair
                self.delivered_price[key] = ((self.delivered_price.get(key, 0.0) * old + c.price_usd_per_hour * got)
                                             / (old + got) if old + got > 0 else c.price_usd_per_hour)
            spare[h.name] = max(0.0, capacity - total * scale - h.first_party_h100e)
        self._clear_spot(spare)

    def _clear_spot(self, spare: dict[str, float]) -> None:
        """Spot requests share the sellers' spare capacity pro rata, cheapest seller first."""
        want = {lab: v for lab, v in self.spot_requests.items() if v > 0}
        self.spot_requests = {}
        self._capacity = spare
        self.unmet_spot_h100e = 0.0
        if not want:
            return
        sellers = sorted((h for h in self.model.hyperscalers if spare.get(h.name, 0.0) > 0),
                         key=lambda h: h.spot_usd_per_hour)
        for h in sellers:
            total = sum(want.values())
            if total <= 1e-9:
                break
            give = min(1.0, spare[h.name] / total)
            for lab in list(want):
                got = want[lab] * give
                if got > 0:
                    self.spot[(lab, h.name)] = got
                    want[lab] -= got
        self.unmet_spot_h100e = sum(want.values())

    # ----- what agents see ------------------------------------------------------------------
    def spot_requested_from(self, seller: str) -> float:
        """Spot demand that came to ``seller``: what it delivered plus its share (by
        spare capacity) of what no one could deliver."""
        got = sum(v for (_, s), v in self.spot.items() if s == seller)
        total = sum(self._capacity.values())
        share = self._capacity.get(seller, 0.0) / total if total > 0 else 0.0
        return got + self.unmet_spot_h100e * share

    def unmet_frac(self, seller: str) -> float:
        """Unmet spot demand as a share of all sellers' powered capacity (tightness)."""
        powered = sum(h.fleet.powered_h100e for h in self.model.hyperscalers if not h.defaulted)
        return self.unmet_spot_h100e / powered if powered > 0 else 0.0

    def compute_of(self, lab: str) -> float:
        return (sum(v for (lb, _), v in self.delivered.items() if lb == lab)
                + sum(v for (lb, _), v in self.spot.items() if lb == lab))

    def rented_from(self, seller: str) -> float:
        return (sum(v for (_, s), v in self.delivered.items() if s == seller)
                + sum(v for (_, s), v in self.spot.items() if s == seller))

    def bills(self, lab: str):
        """(seller, H100e, USD per hour, kind) for everything ``lab`` holds this month."""
        for (lb, s), v in self.delivered.items():
            if lb == lab and v > 0:
                yield s, v, self.delivered_price[(lb, s)], "contract"
        for (lb, s), v in self.spot.items():
            if lb == lab and v > 0:
                yield s, v, None, "spot"
