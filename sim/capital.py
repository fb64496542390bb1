"""The capital market: interest, funding on offer, tolerance for capex, and beliefs.

Not an agent type of the card but a market in ``sim/``. Its sentiment is the debate
made dynamic: investors hold the seeds' positions, each forecasting next year's AI
revenue growth by its own rule, and each quarter the shares move toward the rules whose
forecasts did better (Brock & Hommes 1998, heuristic switching with intensity of choice
``belief_switching_intensity``). Bubbles pop through liquidity exhaustion (000): when
sentiment sours, funding for labs and credit for neoclouds dry up.
"""

from __future__ import annotations

import math

import numpy as np

from sim.clock import is_quarter_start

BELIEFS = ("trend", "fundamentalist", "physics")
#: The fundamentalist's anchor: long-run growth of a maturing cloud market (~25%/yr).
FUNDAMENTAL_GROWTH = 0.25
#: Years within which revenue should close the gap to what the build-out needs.
GAP_CLOSING_YEARS = 4.0
#: Month-0 belief mix: late 2024 was bull-heavy (an assumption).
INITIAL_SHARES = (0.5, 0.3, 0.2)
#: In a funding freeze the market tolerates half the capex and credit it otherwise would.
FREEZE_TOLERANCE_FACTOR = 0.5
#: The fundamentalist expects revenue growth to revert this share of the way to the
#: mature market's; last quarter's errors keep this weight in the fitness (Brock-Hommes'
#: memory); sentiment answers consensus growth over the hurdle with this logistic slope
#: and moves this share of the way each quarter; funding on offer equals
#: ``lab_funding_usd_per_year`` at this sentiment (assumptions, revisited in issue 9).
FUNDAMENTALIST_REVERSION = 0.5
FITNESS_MEMORY = 0.5
SENTIMENT_SLOPE = 2.0
SENTIMENT_ADJUST_PER_QUARTER = 0.5
NEUTRAL_SENTIMENT = 0.5
#: Appetite is neutral at the 2025 rate; a one-point rise cuts it by about a tenth.
NEUTRAL_RATE = 0.045
RATE_SENSITIVITY = 10.0


def _log_growth(now: float, before: float, months: int) -> float:
    """Annualized log growth between two positive figures ``months`` apart."""
    if now <= 0 or before <= 0:
        return 0.0
    return math.log(now / before) * 12.0 / months


class CapitalMarket:
    """Sentiment, funding and tolerance. Reads only the model's public monthly figures."""

    def __init__(self, model):
        self.model = model
        self.shares = np.array(INITIAL_SHARES, float)
        self.fitness = np.zeros(len(BELIEFS))
        self.forecasts = np.full(len(BELIEFS), math.nan)   # log growth per year
        self.sentiment = 0.6
        self.hurdle = 0.0
        self.consensus = 0.0
        self.asks: dict = {}
        self.funding_on_offer_usd = 0.0
        self.funding_granted_usd = 0.0
        self.unfilled_frac = 0.0

    # ----- what others see -------------------------------------------------------------
    @property
    def frozen(self) -> bool:
        m = self.model.p.funding_freeze_month
        return m > 0 and self.model.month + 1 >= m    # run months count from 1

    def _rate_factor(self) -> float:
        """Higher rates shrink appetite (a 1-point rise cuts it by ~10%)."""
        return math.exp(-RATE_SENSITIVITY * (self.model.p.interest_rate_frac - NEUTRAL_RATE))

    def capex_tolerance(self, hyperscaler) -> float:
        """AI capex tolerated per dollar of operating cash flow: more when sentiment is
        high, half as much in a funding freeze (shareholders punish spending too)."""
        p = self.model.p
        freeze = FREEZE_TOLERANCE_FACTOR if self.frozen else 1.0
        return p.capex_tolerance_ocf_frac * (0.5 + self.sentiment) * math.sqrt(self._rate_factor()) * freeze

    def credit_line(self, hyperscaler) -> float:
        """Credit on offer: big tech's bond capacity, or the neocloud's line (004: SPVs)."""
        p = self.model.p
        if hyperscaler.neocloud:
            if self.frozen:
                return 0.0
            return p.neocloud_debt_capacity_usd * (0.5 + self.sentiment) * self._rate_factor()
        freeze = FREEZE_TOLERANCE_FACTOR if self.frozen else 1.0
        return hyperscaler.credit_line_usd * (0.5 + self.sentiment) * freeze

    def ask(self, agent, amount_usd: float) -> None:
        """A lab asks investors for money; granted from next month's pool."""
        if amount_usd > 0:
            self.asks[agent] = amount_usd

    # ----- the month (phase 1) -------------------------------------------------------------
    def step(self) -> None:
        """Phase 1: each quarter, beliefs and sentiment; every month, funding on offer."""
        if is_quarter_start(self.model.month) and len(self.model.figures) >= 4:
            self._switch_beliefs()
        self._disburse()

    def _forecast(self) -> np.ndarray:
        """Each position's forecast of next year's AI revenue growth (log, per year).

        trend: extrapolates token growth (001's bull case: usage doubling every few months).
        fundamentalist: revenue growth reverting halfway to a mature cloud market's 25%.
        physics: revenue growth discounted by the share of delivered compute not powered (001).
        """
        f = self.model.figures
        months = min(3, len(f) - 1)
        tokens = _log_growth(f[-1]["tokens_per_day"], f[-1 - months]["tokens_per_day"], months)
        revenue = _log_growth(f[-1]["ai_revenue_usd"], f[-1 - months]["ai_revenue_usd"], months)
        powered = f[-1]["powered_gw"]
        ghost = f[-1]["ghost_gw"]
        powered_share = powered / (powered + ghost) if powered + ghost > 0 else 1.0
        fundamental = math.log1p(FUNDAMENTAL_GROWTH)
        return np.array([tokens, fundamental + FUNDAMENTALIST_REVERSION * (revenue - fundamental),
                         revenue * powered_share])

    def _switch_beliefs(self) -> None:
        """Score last quarter's forecasts against what happened; switch; set sentiment."""
        p = self.model.p
        f = self.model.figures
        realized = _log_growth(f[-1]["ai_revenue_usd"], f[-4]["ai_revenue_usd"], 3)
        if not np.isnan(self.forecasts).any():
            errors = (self.forecasts - realized) ** 2
            self.fitness = FITNESS_MEMORY * self.fitness - errors
            z = p.belief_switching_intensity * self.fitness
            e = np.exp(z - z.max())
            self.shares = e / e.sum()
        self.forecasts = self._forecast()
        self.consensus = float(self.shares @ self.forecasts)
        revenue = f[-1]["ai_revenue_usd"] * 12.0
        required = f[-1]["required_revenue_usd"] * 12.0    # both a year's worth (the column is monthly)
        gap = math.log(required / revenue) if revenue > 0 and required > revenue else 0.0
        self.hurdle = gap / GAP_CLOSING_YEARS + p.interest_rate_frac
        target = 1.0 / (1.0 + math.exp(-SENTIMENT_SLOPE * (self.consensus - self.hurdle)))
        self.sentiment += SENTIMENT_ADJUST_PER_QUARTER * (target - self.sentiment)

    def _disburse(self) -> None:
        """Grant last month's asks pro rata from this month's pool."""
        p = self.model.p
        base = 0.0 if self.frozen else (p.lab_funding_usd_per_year / 12.0 * self.sentiment / NEUTRAL_SENTIMENT
                                        * self._rate_factor())
        self.funding_on_offer_usd = base + p.sovereign_floor_usd_per_year / 12.0
        total_ask = sum(self.asks.values())
        grant = min(1.0, self.funding_on_offer_usd / total_ask) if total_ask > 0 else 0.0
        self.funding_granted_usd = 0.0
        for agent, amount in self.asks.items():
            if not agent.defaulted:
                agent.receive_funding(amount * grant)
                self.funding_granted_usd += amount * grant
        self.unfilled_frac = 1.0 - grant if total_ask > 0 else 0.0
        self.asks = {}
