"""The capital market: a priced AI asset, the investors who price it, and the money it lets out.

Not an agent type of the card but a market in ``sim/``. It holds one asset: the AI
valuation, the market value of claims on the AI build-out's profits. Investors hold the
seeds' positions as forecasting rules, in the way of Brock & Hommes (1998): each month
every rule forecasts the same quantity, next year's growth of AI revenue (log, per
year), and values the claim by discounting the profits that forecast implies; the
market's valuation moves toward the share-weighted value. Each quarter the forecasts
made a year before are scored against the growth that happened, and shares switch
toward the rules that did better, with intensity of choice
``belief_switching_intensity``.

- **trend** extrapolates the last half-year's revenue growth (001's bull case: usage
  doubling every few months goes on);
- **fundamentalist** expects growth to revert toward a maturing cloud market's; its value
  is the run's ``fundamental_value_usd``;
- **physics** expects revenue to grow only as fast as compute that is powered and sold
  (rented), so chips waiting for power or idle add nothing to its forecast (001: power
  and shells bind).

The valuation is the seeds' "spring" (000): it sets the equity on offer to labs, the
credit lines and spreads of hyperscalers and neoclouds, and the capex shareholders
tolerate. A fall in the valuation is how bubbles pop through liquidity exhaustion (000).
"""

from __future__ import annotations

import math

import numpy as np

from sim.clock import is_quarter_start

BELIEFS = ("trend", "fundamentalist", "physics")
#: Month-0 belief mix: late 2024 was bull-heavy (an assumption).
INITIAL_SHARES = (0.5, 0.3, 0.2)
#: Revenue growth investors had seen into 2025, for forecasts before any month has been
#: seen: the labs' compute growth carried into 2025 (OpenAI 0.6 -> 1.9 GW, about 3x, public;
#: OpenAI's revenue run-rate $5.5B at end-2024 against $3.7B of 2024 revenue, public record).
INITIAL_GROWTH_PER_YEAR = math.log(3.0)
#: The fundamentalist's anchor: long-run growth of a maturing cloud market (~25%/yr; the
#: big three clouds grew 20-30% a year in 2023-25, public filings), and the share of the
#: way last year's growth reverts to it.
MATURE_GROWTH_PER_YEAR = math.log(1.25)
FUNDAMENTALIST_REVERSION = 0.5
#: Valuation: profits are discounted over this many years, then valued as a growing
#: perpetuity (assumptions: terminal growth near long-run nominal GDP growth). The
#: discount rate is kept this far above it.
VALUATION_HORIZON_YEARS = 30
TERMINAL_GROWTH_PER_YEAR = 0.03
MIN_DISCOUNT_OVER_GROWTH = 0.02
#: No rule forecasts revenue falling by more than three quarters, or rising more than
#: eightfold, in a year (an assumption: forecasts are bounded by what any analyst would
#: publish).
MIN_FORECAST_PER_YEAR = math.log(0.25)
MAX_FORECAST_PER_YEAR = math.log(8.0)
#: Last quarter's fitness keeps this weight (Brock-Hommes' memory).
FITNESS_MEMORY = 0.5
#: The market moves this share of the way to the belief mix's value each month (prices
#: absorb news over a couple of months; an assumption).
PRICE_ADJUST_PER_MONTH = 0.5
#: Sentiment is a logistic of log(valuation / fundamental value) with this slope: 0.5 at
#: fair value, 0.8 at twice it, 0.2 at half.
SENTIMENT_SLOPE = 2.0
#: Drawdowns are measured from the highest valuation of this many months.
DRAWDOWN_WINDOW_MONTHS = 24
#: In a funding freeze the market tolerates half the capex and credit it otherwise would.
FREEZE_TOLERANCE_FACTOR = 0.5
#: Appetite is neutral at the 2025 rate; a one-point rise cuts it by about a tenth.
NEUTRAL_RATE = 0.045
RATE_SENSITIVITY = 10.0


def claim_value_usd(revenue_usd_per_year: float, growth_per_year: float, discount_frac: float,
                    margin_frac: float, ceiling_usd_per_year: float, fade_half_life_years: float) -> float:
    """Present value of AI profits under one growth forecast.

    Revenue grows at ``growth_per_year`` (log) now; its growth above the terminal rate
    fades with half-life ``fade_half_life_years`` and shrinks in proportion to the room
    left below ``ceiling_usd_per_year``, the labour AI can replace (001: a $3-4T market
    needs an equal reallocation of labour). Profits are ``margin_frac`` of revenue,
    discounted at ``discount_frac`` for ``VALUATION_HORIZON_YEARS``, then a growing
    perpetuity. The ceiling bounds the value: a faster forecast only reaches the same
    mature market sooner, so doubling a bull's forecast adds far less than it would to an
    unbounded path.
    """
    if revenue_usd_per_year <= 0:
        return 0.0
    k = max(discount_frac, TERMINAL_GROWTH_PER_YEAR + MIN_DISCOUNT_OVER_GROWTH)
    g_end = TERMINAL_GROWTH_PER_YEAR
    ceiling = max(ceiling_usd_per_year, revenue_usd_per_year * (1.0 + 1e-9))
    room0 = 1.0 - revenue_usd_per_year / ceiling
    revenue, value = revenue_usd_per_year, 0.0
    for year in range(1, VALUATION_HORIZON_YEARS + 1):
        fade = 0.5 ** ((year - 0.5) / fade_half_life_years)
        g = g_end + (growth_per_year - g_end) * fade * max(0.0, 1.0 - revenue / ceiling) / room0
        revenue *= math.exp(g)
        value += margin_frac * revenue / (1.0 + k) ** year
    terminal = margin_frac * revenue * (1.0 + g_end) / (k - g_end)
    return value + terminal / (1.0 + k) ** VALUATION_HORIZON_YEARS


def _log_growth(now: float, before: float, months: float) -> float:
    """Annualized log growth between two positive figures ``months`` apart."""
    if now <= 0 or before <= 0 or months <= 0:
        return 0.0
    return math.log(now / before) * 12.0 / months


class CapitalMarket:
    """The AI valuation, its investors, and the funding, credit and tolerance it sets.

    Reads only the model's public monthly figures (``model.figures``).
    """

    def __init__(self, model):
        self.model = model
        self.shares = np.array(INITIAL_SHARES, float)
        self.fitness = np.zeros(len(BELIEFS))
        self.forecasts = np.full(len(BELIEFS), INITIAL_GROWTH_PER_YEAR)   # log growth per year
        self.values_usd = np.zeros(len(BELIEFS))
        self._forecast_history: list[np.ndarray] = []
        self.valuation_usd = 0.0
        self.initial_valuation_usd = 0.0
        self.fundamental_value_usd = 0.0
        self._valuation_history: list[float] = []
        self.sentiment = 0.5
        self.consensus = INITIAL_GROWTH_PER_YEAR
        self.asks: dict = {}
        self.funding_on_offer_usd = 0.0
        self.funding_granted_usd = 0.0
        self.unfilled_frac = 0.0

    # ----- what others see -------------------------------------------------------------
    @property
    def frozen(self) -> bool:
        m = self.model.p.funding_freeze_month
        return m > 0 and self.model.month + 1 >= m    # run months count from 1

    @property
    def valuation_ratio(self) -> float:
        """Valuation over fundamental value: the bubble, as a price."""
        f = self.fundamental_value_usd
        return self.valuation_usd / f if f > 0 else 1.0

    @property
    def drawdown_frac(self) -> float:
        """How far the valuation stands below its highest of the last two years."""
        recent = self._valuation_history[-DRAWDOWN_WINDOW_MONTHS:]
        peak = max(recent, default=0.0)
        return max(0.0, 1.0 - self.valuation_usd / peak) if peak > 0 else 0.0

    @property
    def market_index(self) -> float:
        """The valuation against its month-0 level (1 at the start)."""
        v0 = self.initial_valuation_usd
        return self.valuation_usd / v0 if v0 > 0 else 1.0

    def effective_shares(self) -> np.ndarray:
        """The belief mix with trend followers weighted by ``trend_follower_presence_frac``."""
        w = self.shares * np.array([self.model.p.trend_follower_presence_frac, 1.0, 1.0])
        return w / w.sum()

    def _rate_factor(self) -> float:
        """Higher rates shrink appetite (a 1-point rise cuts it by ~10%)."""
        return math.exp(-RATE_SENSITIVITY * (self.model.p.interest_rate_frac - NEUTRAL_RATE))

    @property
    def mood(self) -> float:
        """The market's appetite for AI spending: 1 at the highest valuation of the last
        two years, lower by the fall from it (a falling market punishes spending: Meta's
        2022 capex cut after its stock halved). Figures calibrated to 2025 (capex
        tolerance, credit lines, hyperscalers' optimism) hold at 1."""
        return 1.0 - self.drawdown_frac

    def capex_tolerance(self, hyperscaler) -> float:
        """AI capex tolerated per dollar of operating cash flow: less after the valuation
        falls, half in a funding freeze."""
        p = self.model.p
        freeze = FREEZE_TOLERANCE_FACTOR if self.frozen else 1.0
        return p.capex_tolerance_ocf_frac * self.mood * math.sqrt(self._rate_factor()) * freeze

    def planning_factor(self) -> float:
        """How the market's mood scales the demand growth hyperscalers plan for
        (``market_guidance_elasticity``): investors reward raised guidance in a rising
        market and punish it in a falling one."""
        return self.mood ** self.model.p.market_guidance_elasticity

    def credit_line(self, hyperscaler) -> float:
        """Credit on offer, moving with the market's mood: big tech's bond capacity; the
        neocloud's line (its lenders lend against AI equity and contracts, 004: SPVs,
        CoreWeave), shut in a funding freeze."""
        p = self.model.p
        if hyperscaler.neocloud:
            if self.frozen:
                return 0.0
            return p.neocloud_debt_capacity_usd * self.mood * self._rate_factor()
        freeze = FREEZE_TOLERANCE_FACTOR if self.frozen else 1.0
        return hyperscaler.credit_line_usd * self.mood * freeze

    def spread_add_frac(self) -> float:
        """Extra credit spread after a fall: ``drawdown_spread_frac`` per unit of drawdown."""
        return self.model.p.drawdown_spread_frac * self.drawdown_frac

    def funding_pool_usd_per_year(self) -> float:
        """Equity on offer to labs a year: ``lab_funding_usd_per_year`` moving with the AI
        valuation (issuance windows open in rising markets and shut in falling ones),
        nothing in a freeze, plus the sovereign floor (004)."""
        p = self.model.p
        base = 0.0 if self.frozen else p.lab_funding_usd_per_year * self.market_index
        return base + p.sovereign_floor_usd_per_year

    def funding_outlook_usd_per_year(self, lab) -> float:
        """The funding a lab can expect a year: its share of the pool, half in proportion
        to its revenue among independent labs and half shared evenly (investors back
        leaders, and spread bets)."""
        labs = [x for x in self.model.labs if x.parent is None and not x.defaulted]
        if lab not in labs:
            return 0.0
        total = sum(x.revenue_usd_month for x in labs)
        by_revenue = lab.revenue_usd_month / total if total > 0 else 1.0 / len(labs)
        return self.funding_pool_usd_per_year() * (0.5 * by_revenue + 0.5 / len(labs))

    def ask(self, agent, amount_usd: float) -> None:
        """A lab asks investors for money; granted from next month's pool."""
        if amount_usd > 0:
            self.asks[agent] = amount_usd

    # ----- the month (phase 1) -------------------------------------------------------------
    def step(self) -> None:
        """Phase 1: each quarter, last year's forecasts scored and shares switched; funding
        on offer from last month's closing valuation."""
        if is_quarter_start(self.model.month) and len(self._forecast_history) >= 15:
            self._switch_beliefs()
        self._disburse()

    def close_month(self) -> None:
        """Phase 8, once the month's public figures are in: forecasts, values, the price."""
        self.forecasts = self._forecast()
        self._forecast_history.append(self.forecasts.copy())
        self._price()

    def _revenue_per_year(self) -> float:
        """AI revenue at an annual rate: the last three months'."""
        window = self.model.figures[-3:]
        return sum(x["ai_revenue_usd"] for x in window) * 12.0 / len(window)

    def _seen_growth(self, months: int) -> float:
        """Revenue's log growth per year over the last ``months`` (three months against
        three ``months`` earlier). With less seen, the growth since the start, blended
        with the growth seen before it (``INITIAL_GROWTH_PER_YEAR``) by the share of the
        window seen: a few noisy months do not move a forecast much."""
        f = self.model.figures
        n = len(f)
        if n >= months + 3:
            return _log_growth(sum(x["ai_revenue_usd"] for x in f[-3:]),
                               sum(x["ai_revenue_usd"] for x in f[-months - 3:-months]), months)
        back = n - 3
        if back < 3:
            return INITIAL_GROWTH_PER_YEAR
        seen = _log_growth(sum(x["ai_revenue_usd"] for x in f[-3:]), sum(x["ai_revenue_usd"] for x in f[:3]), back)
        w = back / months
        return w * seen + (1.0 - w) * INITIAL_GROWTH_PER_YEAR

    def _forecast(self) -> np.ndarray:
        """Each rule's forecast of next year's AI revenue growth (log, per year)."""
        f = self.model.figures
        recent = self._seen_growth(6)
        year = self._seen_growth(12)
        back = min(12, len(f) - 1)
        sold = _log_growth(f[-1]["rented_h100e"], f[-1 - back]["rented_h100e"], back) if back >= 3 else year
        trend = recent
        fundamentalist = MATURE_GROWTH_PER_YEAR + FUNDAMENTALIST_REVERSION * (year - MATURE_GROWTH_PER_YEAR)
        physics = sold
        return np.clip([trend, fundamentalist, physics], MIN_FORECAST_PER_YEAR, MAX_FORECAST_PER_YEAR)

    def _switch_beliefs(self) -> None:
        """Score the forecasts made a year ago against the growth that happened; switch."""
        p = self.model.p
        realized = self._seen_growth(12)
        made = self._forecast_history[-13]    # made at the close of the month 12 before the last
        errors = (made - realized) ** 2
        self.fitness = FITNESS_MEMORY * self.fitness - errors
        z = p.belief_switching_intensity * self.fitness
        e = np.exp(z - z.max())
        self.shares = e / e.sum()

    def _price(self) -> None:
        """Each rule's value of the AI claim; the fundamental value; the market price."""
        p = self.model.p
        revenue = self._revenue_per_year()
        k = p.interest_rate_frac + p.ai_equity_premium_frac
        values = np.array([claim_value_usd(revenue, g, k, p.ai_profit_margin_frac, p.labour_replaceable_usd_per_year,
                                           p.growth_fade_halflife_years) for g in self.forecasts])
        shares = self.effective_shares()
        self.values_usd = values
        self.fundamental_value_usd = float(values[1])
        self.consensus = float(shares @ self.forecasts)
        target = float(shares @ values)
        if self.valuation_usd <= 0:
            self.valuation_usd = self.initial_valuation_usd = target
        elif target > 0:
            self.valuation_usd *= (target / self.valuation_usd) ** PRICE_ADJUST_PER_MONTH
        self._valuation_history.append(self.valuation_usd)
        ratio = self.valuation_ratio
        self.sentiment = 1.0 / (1.0 + ratio ** -SENTIMENT_SLOPE) if ratio > 0 else 0.0


    def _disburse(self) -> None:
        """Grant last month's asks pro rata from this month's pool."""
        self.funding_on_offer_usd = self.funding_pool_usd_per_year() / 12.0
        total_ask = sum(self.asks.values())
        grant = min(1.0, self.funding_on_offer_usd / total_ask) if total_ask > 0 else 0.0
        self.funding_granted_usd = 0.0
        for agent, amount in self.asks.items():
            if not agent.defaulted:
                agent.receive_funding(amount * grant)
                self.funding_granted_usd += amount * grant
        self.unfilled_frac = 1.0 - grant if total_ask > 0 else 0.0
        self.asks = {}
