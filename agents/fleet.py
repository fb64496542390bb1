"""A hyperscaler's GPUs, as cohorts: install, retire, depreciate, impair.

One cohort is the chips one vendor delivered to one hyperscaler in one month. The
cohorts live in numpy arrays (a month costs a few vector operations, however many
cohorts have accumulated). Chips are *ghost* until installed in powered space (001),
then *powered*; they leave the fleet when retired, and their remaining book value is
written off then.
"""

from __future__ import annotations

import numpy as np

#: Initial capacity of the cohort arrays; they double when full.
_START_ROWS = 64
#: A cohort is written down when its book value exceeds what it can still earn by more
#: than this factor (an assumption: impairment tests tolerate estimation noise).
IMPAIRMENT_TOLERANCE = 1.05


class Fleet:
    """GPU cohorts of one owner. All quantities in H100e, kW per H100e and USD."""

    FIELDS = ("month", "generation", "kw", "cost", "h100e0", "powered", "ghost", "book", "life")

    def __init__(self) -> None:
        self.n = 0
        self._a = {k: np.zeros(_START_ROWS) for k in self.FIELDS}
        self.retired_h100e_total = 0.0

    # ----- views -------------------------------------------------------------------
    def _v(self, key: str) -> np.ndarray:
        return self._a[key][: self.n]

    @property
    def powered_h100e(self) -> float:
        return float(self._v("powered").sum())

    @property
    def ghost_h100e(self) -> float:
        return float(self._v("ghost").sum())

    @property
    def h100e(self) -> float:
        return self.powered_h100e + self.ghost_h100e

    @property
    def used_mw(self) -> float:
        """Power drawn by the powered chips (all-in, MW)."""
        return float(self._v("powered") @ self._v("kw")) / 1000.0

    @property
    def ghost_mw(self) -> float:
        return float(self._v("ghost") @ self._v("kw")) / 1000.0

    @property
    def book_usd(self) -> float:
        return float(self._v("book").sum())

    @property
    def cost_in_service_usd(self) -> float:
        """What the chips still held cost when bought (retired shares removed)."""
        h0 = self._v("h100e0")
        held = self._v("powered") + self._v("ghost")
        return float(self._v("cost") @ np.divide(held, h0, out=np.zeros_like(h0), where=h0 > 0))

    def kw_per_powered_h100e(self) -> float:
        p = self._v("powered")
        total = p.sum()
        return float(p @ self._v("kw") / total) if total > 0 else 0.0

    def waiting_months(self, month: int) -> float:
        """How long the chips now waiting for power have waited, H100e-weighted (002)."""
        g = self._v("ghost")
        total = g.sum()
        return float(g @ (month - self._v("month")) / total) if total > 0 else 0.0

    def retiring_by(self, month: int, max_age: int) -> float:
        """H100e that reach ``max_age`` by ``month`` (for planning replacements)."""
        due = self._v("month") + max_age <= month
        return float((self._v("powered")[due] + self._v("ghost")[due]).sum())

    # ----- changes -------------------------------------------------------------------
    def add(self, month: int, generation: int, kw: float, h100e: float, cost_usd: float, life_months: float,
            powered: bool = False, book_usd: float | None = None) -> None:
        """A delivery (ghost until installed) or, at month 0, an installed legacy fleet."""
        if h100e <= 0:
            return
        if self.n == len(self._a["month"]):
            for k in self.FIELDS:
                self._a[k] = np.concatenate([self._a[k], np.zeros(len(self._a[k]))])
        i = self.n
        row = {"month": month, "generation": generation, "kw": kw, "cost": cost_usd, "h100e0": h100e,
               "powered": h100e if powered else 0.0, "ghost": 0.0 if powered else h100e,
               "book": cost_usd if book_usd is None else book_usd, "life": life_months}
        for k, v in row.items():
            self._a[k][i] = v
        self.n += 1

    def install(self, free_mw: float) -> float:
        """Move ghost chips into ``free_mw`` of powered space, most efficient first
        (the newest generation does the most work per MW). Returns H100e installed."""
        if free_mw <= 1e-9:
            return 0.0
        ghost, powered, kw = self._v("ghost"), self._v("powered"), self._v("kw")
        waiting = np.nonzero(ghost > 0)[0]
        if not len(waiting):
            return 0.0
        order = waiting[np.argsort(kw[waiting], kind="stable")]
        mw_need = ghost[order] * kw[order] / 1000.0
        cum = np.cumsum(mw_need)
        full = cum <= free_mw
        take = np.where(full, ghost[order], 0.0)
        k = int(full.sum())
        if k < len(order):
            left = free_mw - (cum[k - 1] if k else 0.0)
            take[k] = max(0.0, left) * 1000.0 / kw[order[k]]
        ghost[order] -= take
        powered[order] += take
        np.maximum(ghost, 0.0, out=ghost)
        return float(take.sum())

    def retire_for_power(self, efficiency_ratio: float) -> tuple[float, float, float]:
        """When power binds, make room for waiting chips by retiring the least efficient
        powered ones, while the waiting chips do ``efficiency_ratio`` times more work per
        MW than those retired (DESIGN.md: the least efficient chips are retired first).

        Returns (H100e retired, MW freed, book value written off).
        """
        ghost, powered, kw = self._v("ghost"), self._v("powered"), self._v("kw")
        if ghost.sum() <= 0 or powered.sum() <= 0:
            return 0.0, 0.0, 0.0
        best_waiting_kw = kw[ghost > 0].min()
        mw_waiting = float(ghost @ kw) / 1000.0
        old = np.nonzero((powered > 0) & (kw >= best_waiting_kw * efficiency_ratio))[0]
        if not len(old):
            return 0.0, 0.0, 0.0
        order = old[np.argsort(-kw[old], kind="stable")]    # least efficient first
        freed = h100e = written = 0.0
        for i in order:
            if freed >= mw_waiting:
                break
            mw_i = powered[i] * kw[i] / 1000.0
            frac = min(1.0, (mw_waiting - freed) / mw_i)
            h, w = self._retire_rows(np.array([i]), frac)
            h100e += h
            written += w
            freed += mw_i * frac
        return h100e, freed, written

    def retire_old(self, month: int, max_age: int) -> tuple[float, float]:
        """Retire cohorts older than ``max_age``. Returns (H100e, book written off)."""
        due = np.nonzero((self._v("month") + max_age <= month) & ((self._v("powered") + self._v("ghost")) > 0))[0]
        return self._retire_rows(due, 1.0) if len(due) else (0.0, 0.0)

    def retire_unprofitable(self, margin_usd_per_h100e_month: np.ndarray) -> tuple[float, float]:
        """Retire powered cohorts whose monthly margin (rent less power and upkeep) is
        negative: chips no longer worth their power. Returns (H100e, book written off)."""
        rows = np.nonzero((self._v("powered") > 0) & (margin_usd_per_h100e_month < 0))[0]
        return self._retire_rows(rows, 1.0) if len(rows) else (0.0, 0.0)

    def _retire_rows(self, rows: np.ndarray, frac: float) -> tuple[float, float]:
        powered, ghost, book = self._v("powered"), self._v("ghost"), self._v("book")
        h = float((powered[rows] + ghost[rows]).sum()) * frac
        w = float(book[rows].sum()) * frac
        powered[rows] *= 1.0 - frac
        ghost[rows] *= 1.0 - frac
        book[rows] *= 1.0 - frac
        self.retired_h100e_total += h
        return h, w

    def shed_powered(self, mw: float) -> float:
        """Unpower ``mw`` of chips, least efficient first (power withdrawn). They wait as
        ghost compute. Returns H100e unpowered."""
        powered, ghost, kw = self._v("powered"), self._v("ghost"), self._v("kw")
        order = np.argsort(-kw, kind="stable")
        left, moved = mw, 0.0
        for i in order:
            if left <= 1e-9:
                break
            if powered[i] <= 0:
                continue
            h = min(powered[i], left * 1000.0 / kw[i])
            powered[i] -= h
            ghost[i] += h
            left -= h * kw[i] / 1000.0
            moved += h
        return moved

    def depreciate(self) -> float:
        """Straight line over each cohort's accounting life, on the part in service."""
        powered, ghost, book = self._v("powered"), self._v("ghost"), self._v("book")
        total = powered + ghost
        live = (total > 0) & (book > 0)
        if not live.any():
            return 0.0
        share = np.divide(powered, total, out=np.zeros_like(total), where=total > 0)
        d = np.where(live, np.minimum(book, self._v("cost") / self._v("life") * share), 0.0)
        book -= d
        return float(d.sum())

    def impair(self, margin_usd_per_h100e_month: np.ndarray, months_left: np.ndarray) -> float:
        """Write each cohort down to what its margin can still earn over its economic
        life (never below zero). Returns the amount written down."""
        book = self._v("book")
        h = self._v("powered") + self._v("ghost")
        recoverable = np.maximum(margin_usd_per_h100e_month, 0.0) * np.maximum(months_left, 0.0) * h
        excess = np.where(book > recoverable * IMPAIRMENT_TOLERANCE, book - recoverable, 0.0)
        book -= excess
        return float(excess.sum())

    def column(self, key: str) -> np.ndarray:
        """A read-only view of one cohort field (see ``FIELDS``)."""
        return self._v(key).copy()
