"""Double-entry cash accounting.

Every dollar that moves in the model moves through :meth:`Ledger.pay`, from one account
to another. An account is an agent (anything with ``name`` and ``cash_usd``) or one of
the named boundaries below, where money enters or leaves the simulated economy. The
tests rebuild each agent's cash from the ledger's records every month: money is
conserved except at these boundaries.
"""

from __future__ import annotations

from collections import defaultdict

#: Where money enters or leaves the modelled economy.
BOUNDARIES = (
    "core_business",      # hyperscalers' non-AI operating cash flow (ads, Office, retail, cloud)
    "investors",          # equity raised by labs and neoclouds; payouts to shareholders
    "lenders",            # debt drawn and interest paid
    "end_users",          # people and firms paying labs for tokens
    "operating_costs",    # staff and other cash costs of labs and clouds
    "power_generation",   # utilities' cost of generating and delivering power
    "chip_suppliers",     # foundries, HBM and packaging: vendors' cost of goods
    "equipment_suppliers",  # servers, network, storage bought with each chip
    "construction",       # data-center shells, power equipment, cooling
)


class Ledger:
    """Records every payment; keeps per-account totals in and out."""

    def __init__(self) -> None:
        self.total_in: dict[str, float] = defaultdict(float)
        self.total_out: dict[str, float] = defaultdict(float)
        self.month_flows: dict[tuple[str, str, str], float] = defaultdict(float)
        self.month_by_kind: dict[str, float] = defaultdict(float)

    def new_month(self) -> None:
        self.month_flows.clear()
        self.month_by_kind.clear()

    def pay(self, payer, payee, amount_usd: float, kind: str) -> float:
        """Move ``amount_usd`` from ``payer`` to ``payee``; either may be a boundary name.

        Returns the amount moved. Negative or non-finite amounts are programming errors.
        """
        if not amount_usd > 0.0:
            if amount_usd == 0.0:
                return 0.0
            raise ValueError(f"payment of {amount_usd!r} USD ({kind}) must be positive")
        src = self._debit(payer, amount_usd)
        dst = self._credit(payee, amount_usd)
        self.total_out[src] += amount_usd
        self.total_in[dst] += amount_usd
        self.month_flows[(src, dst, kind)] += amount_usd
        self.month_by_kind[kind] += amount_usd
        return amount_usd

    @staticmethod
    def _debit(account, amount: float) -> str:
        if isinstance(account, str):
            if account not in BOUNDARIES:
                raise KeyError(f"unknown boundary {account!r}")
            return account
        account.cash_usd -= amount
        return account.name

    @staticmethod
    def _credit(account, amount: float) -> str:
        if isinstance(account, str):
            if account not in BOUNDARIES:
                raise KeyError(f"unknown boundary {account!r}")
            return account
        account.cash_usd += amount
        return account.name

    def net_in(self, name: str) -> float:
        """Cumulative money received minus money paid by account ``name``."""
        return self.total_in.get(name, 0.0) - self.total_out.get(name, 0.0)

    def flow(self, src: str, dst: str) -> float:
        """This month's payments from ``src`` to ``dst``, all kinds."""
        return sum(v for (s, d, _), v in self.month_flows.items() if s == src and d == dst)
