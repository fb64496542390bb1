"""Double-entry cash accounting, with obligations that cannot vanish.

Every dollar that moves in the model moves through :meth:`Ledger.pay`, from one account
to another. An account is an agent (anything with ``name`` and ``cash_usd``) or one of
the named boundaries below, where money enters or leaves the simulated economy.

A bill is an obligation: :meth:`Ledger.bill` pays what the debtor's cash allows and
carries the rest as a :class:`Payable`, which accrues a late fee every month
(:meth:`Ledger.accrue_late_fees`), is paid down oldest first
(:meth:`Ledger.pay_down`), or is written off in a recorded default
(:meth:`Ledger.write_off`), where its creditor books the loss. So for every agent,
always::

    obligations incurred = paid + still owed + written off

and its cash is its starting cash plus what the ledger says it received less what it
paid. :mod:`sim.checks` rebuilds both every month.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

#: Where money enters or leaves the modelled economy.
BOUNDARIES = (
    "core_business",      # hyperscalers' non-AI operating cash flow (ads, Office, retail, cloud)
    "investors",          # equity raised by labs and neoclouds; payouts to shareholders
    "lenders",            # debt drawn, interest paid, principal repaid
    "end_users",          # people and firms paying labs for tokens
    "operating_costs",    # staff and other cash costs of labs, clouds and vendors
    "power_generation",   # utilities' cost of generating and delivering power; on-site generation
    "chip_suppliers",     # foundries, HBM and packaging: vendors' cost of goods
    "equipment_suppliers",  # servers, network, storage bought with each chip
    "construction",       # data-center shells, power equipment, cooling
    "non_ai_capex",       # hyperscalers' capex outside AI (warehouses, CPUs, offices)
)

#: Smallest amount worth recording as owed (USD): below it a payable is settled.
EPSILON_USD = 1.0


@dataclass
class Payable:
    """An unpaid obligation: ``debtor`` owes ``creditor`` ``amount_usd`` since ``month``."""

    debtor: str
    creditor: str
    kind: str
    amount_usd: float
    month: int


def _name(account) -> str:
    if isinstance(account, str):
        if account not in BOUNDARIES:
            raise KeyError(f"unknown boundary {account!r}")
        return account
    return account.name


class Ledger:
    """Records every payment and every obligation; per-account totals in and out."""

    def __init__(self) -> None:
        self.total_in: dict[str, float] = defaultdict(float)
        self.total_out: dict[str, float] = defaultdict(float)
        self.month_flows: dict[tuple[str, str, str], float] = defaultdict(float)
        self.month_by_kind: dict[str, float] = defaultdict(float)
        # obligations, cumulative per debtor
        self.incurred: dict[str, float] = defaultdict(float)
        self.settled: dict[str, float] = defaultdict(float)
        self.written_off: dict[str, float] = defaultdict(float)
        self.losses: dict[str, float] = defaultdict(float)      # per creditor: bad debts booked
        self.payables: dict[str, list[Payable]] = defaultdict(list)
        self.accounts: dict[str, object] = {}
        self.month = 0

    def new_month(self, month: int) -> None:
        self.month = month
        self.month_flows.clear()
        self.month_by_kind.clear()

    # ----- cash ----------------------------------------------------------------------
    def pay(self, payer, payee, amount_usd: float, kind: str) -> float:
        """Move ``amount_usd`` from ``payer`` to ``payee``; either may be a boundary name.

        The payer must hold the cash (a boundary always does). Returns the amount moved.
        """
        if not amount_usd > 0.0:
            if amount_usd == 0.0:
                return 0.0
            raise ValueError(f"payment of {amount_usd!r} USD ({kind}) must be positive")
        src, dst = _name(payer), _name(payee)
        if not isinstance(payer, str):
            if payer.cash_usd < amount_usd * (1 - 1e-12) - 1e-6:
                raise ValueError(f"{src} pays {amount_usd:.0f} USD ({kind}) holding only {payer.cash_usd:.0f}")
            payer.cash_usd -= amount_usd
            self.accounts[src] = payer
        if not isinstance(payee, str):
            payee.cash_usd += amount_usd
            self.accounts[dst] = payee
        self.total_out[src] += amount_usd
        self.total_in[dst] += amount_usd
        self.month_flows[(src, dst, kind)] += amount_usd
        self.month_by_kind[kind] += amount_usd
        return amount_usd

    def net_in(self, name: str) -> float:
        """Cumulative money received minus money paid by account ``name``."""
        return self.total_in.get(name, 0.0) - self.total_out.get(name, 0.0)

    def flow(self, src: str, dst: str) -> float:
        """This month's payments from ``src`` to ``dst``, all kinds."""
        return sum(v for (s, d, _), v in self.month_flows.items() if s == src and d == dst)

    # ----- obligations -----------------------------------------------------------------
    def bill(self, debtor, creditor, amount_usd: float, kind: str) -> float:
        """An obligation of ``amount_usd`` falls due: pay what cash allows, owe the rest.

        Returns the amount paid now. A boundary debtor always pays in full.
        """
        if not amount_usd > 0.0:
            if amount_usd == 0.0:
                return 0.0
            raise ValueError(f"bill of {amount_usd!r} USD ({kind}) must be positive")
        if isinstance(debtor, str):
            return self.pay(debtor, creditor, amount_usd, kind)
        self.incurred[debtor.name] += amount_usd
        paid = min(amount_usd, max(debtor.cash_usd, 0.0))
        if paid > 0.0:
            self.pay(debtor, creditor, paid, kind)
            self.settled[debtor.name] += paid
        rest = amount_usd - paid
        if rest > 0.0:
            self.payables[debtor.name].append(Payable(debtor.name, _name(creditor), kind, rest, self.month))
            if not isinstance(creditor, str):
                self.accounts[creditor.name] = creditor
        return paid

    def owed(self, debtor) -> float:
        """What ``debtor`` (an agent or its name) owes now, all payables."""
        name = debtor if isinstance(debtor, str) else debtor.name
        return sum(x.amount_usd for x in self.payables.get(name, ()))

    def overdue_months(self, debtor) -> int:
        """Age in months of ``debtor``'s oldest unpaid payable (0 if none)."""
        items = self.payables.get(debtor.name)
        return self.month - min(x.month for x in items) if items else 0

    def pay_down(self, debtor) -> float:
        """Pay ``debtor``'s payables oldest first, as far as its cash goes."""
        items = self.payables.get(debtor.name)
        if not items:
            return 0.0
        total = 0.0
        while items and debtor.cash_usd > EPSILON_USD:
            x = items[0]
            take = min(x.amount_usd, debtor.cash_usd)
            creditor = x.creditor if x.creditor in BOUNDARIES else self.accounts[x.creditor]
            self.pay(debtor, creditor, take, x.kind)
            self.settled[debtor.name] += take
            x.amount_usd -= take
            total += take
            if x.amount_usd <= 0.0:
                items.pop(0)
        return total

    def accrue_late_fees(self, rate_per_year: float) -> None:
        """Every payable grows by a month's late fee, a new obligation to the same creditor."""
        for items in self.payables.values():
            for x in items:
                fee = x.amount_usd * rate_per_year / 12.0
                if fee > 0.0:
                    x.amount_usd += fee
                    self.incurred[x.debtor] += fee

    def write_off(self, debtor) -> float:
        """A default: every payable of ``debtor`` is written off; creditors book the loss."""
        items = self.payables.pop(debtor.name, [])
        total = 0.0
        for x in items:
            self.written_off[debtor.name] += x.amount_usd
            self.losses[x.creditor] += x.amount_usd
            total += x.amount_usd
        return total

    def owed_to(self, creditor: str) -> float:
        """What everyone owes ``creditor`` now (its receivables)."""
        return sum(x.amount_usd for items in self.payables.values() for x in items if x.creditor == creditor)
