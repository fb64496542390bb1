"""User cohorts: adoption over a graph, token demand, price response, choice of lab.

One :class:`UserCohorts` agent per segment (consumer chat, search, coding, enterprise
automation, autonomous agents). Each holds that segment's cohorts as numpy arrays, one
cohort per node of its own small-world diffusion graph (networkx, seeded from the
model's generator), so a month costs a sparse product and a few vector operations
whatever the number of cohorts: no Python loop per cohort.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import mesa
import networkx as nx
import numpy as np
import scipy.sparse as sp

REGIONS = ("US", "Europe", "Asia ex-China", "China")
#: What a user is worth by region relative to a US user (001: "according to World Bank
#: income distribution statistics, we can easily do some math"): Meta's 2024 ad revenue
#: per user (10-K) was ~$250 a year in the US and Canada, ~$85 in Europe, ~$20 in
#: Asia-Pacific; China from its income per head relative to the US (World Bank, ~0.15).
REGION_VALUE_FACTOR = (1.0, 0.34, 0.08, 0.15)


@dataclass(frozen=True)
class SegmentSpec:
    name: str
    population_m: tuple          # potential users (millions) by region
    adopted0_frac: tuple         # adoption at month 0 by region
    tokens_per_user_day: float   # tokens per active user per day at month 0
    paid_frac: float | None      # None: 1 - free_token_share_frac
    agentic: bool                # tokens per user grow with agentic use
    enterprise: bool             # adoption capped by the reliability ceiling (contention #3)
    imitation_multiplier: float  # Bass q relative to the parameter
    spend_weight: float          # share of the labour-replacement bound (001)
    value_usd_per_user_year: float   # most an active user pays for AI a year, month 0
    price_premium: float         # what a paid token costs here, x the lab's API price
    brand: dict = field(default_factory=dict)   # lab -> utility bonus in this segment


#: Month-0 (Jan 2025) segments. Penetration follows 004 (late 2025: US 40%, China under
#: 20%, world 5-10%) wound back a year; ChatGPT had ~300M weekly users in Dec 2024.
#: Tokens per user are assumptions sized so that users ask for ~35T tokens/day in Jan
#: 2025 (with labs' internal use, ~50T in all, on the way to 001's 200T in Aug 2025)
#: and coding and search carry most of the volume, as 001 argues (AI search and code
#: generation drive the token boom). What an active US user pays at most a year on
#: average (the value ceiling, scaled by ``value_ceiling_scale`` and, by region, by
#: ``REGION_VALUE_FACTOR``): chat and search about what ads earn per US user a year (most
#: consumers never pay a subscription), coding a $500/month seat for agentic tools,
#: enterprise a $200/month seat, an autonomous agent a fifth of a $120k worker (public
#: price lists; 001: spend is bounded by the labour AI replaces).
SEGMENTS = (
    SegmentSpec("consumer chat", (270, 420, 2300, 1000), (0.25, 0.15, 0.04, 0.08), 9_000, None, False, False,
                1.0, 0.10, 150.0, 12.0, {"OpenAI": 2.2, "Meta AI": 0.5, "xAI": 0.2}),
    SegmentSpec("search", (300, 450, 2500, 1000), (0.30, 0.20, 0.10, 0.10), 22_000, None, False, False,
                2.0, 0.10, 100.0, 1.0, {"Google DeepMind": 2.0, "OpenAI": 0.5}),
    SegmentSpec("coding", (5, 7, 12, 8), (0.25, 0.20, 0.12, 0.15), 1_000_000, 0.5, True, False,
                1.5, 0.20, 6_000.0, 1.0, {"Anthropic": 1.5, "OpenAI": 0.5}),
    SegmentSpec("enterprise automation", (100, 120, 300, 200), (0.10, 0.06, 0.03, 0.03), 220_000, 0.6, False,
                True, 1.0, 0.45, 2_400.0, 1.0, {"OpenAI": 0.5, "Anthropic": 0.5, "Google DeepMind": 0.5}),
    SegmentSpec("autonomous agents", (10, 10, 15, 10), (0.04, 0.02, 0.01, 0.01), 1_000_000, 0.5, True, True,
                1.2, 0.15, 24_000.0, 1.0, {"Anthropic": 0.8, "OpenAI": 0.5}),
)
#: Consumer chat pays through subscriptions: OpenAI's consumer revenue of ~$3.6B a year
#: (Jan 2025 run-rate, about two thirds of its $5.5B, public record) over ~0.4T paid
#: chat tokens a day is ~$25 per M tokens, about 12x API list prices (GPT-4o at
#: $2.50/$10 per M in/out, public record): the ``price_premium`` above.
#: Paid open-weights tokens go through an API without the closed labs' products,
#: support and indemnities; in users' choice they carry this utility penalty (an
#: assumption: open models took a large share of tokens but a small one of revenue in
#: 2025, 002/001's OpenRouter rankings).
OPEN_WEIGHTS_UTILITY_PENALTY = 1.5

#: Utility weight per capability point and per log-price in the choice among labs.
#: 001: "users remain extremely sensitive to token prices ... the substitution effect
#: of low-priced models is obvious".
CHOICE_CAPABILITY_WEIGHT = 5.0
CHOICE_PRICE_WEIGHT = 1.0
#: China's users adopt AI (004: under 20% penetration) but are served by domestic labs
#: on domestic compute, outside the modelled ex-China market (001 counts token revenue
#: "in markets outside China"); their demand is reported but routed to no modelled lab.
DOMESTIC_ONLY_REGIONS = ("China",)
#: Numerical floor on prices in users' arithmetic (far below any price the model reaches).
PRICE_FLOOR_USD_PER_MTOK = 1e-30
#: Users move away from a lab that rate-limits them: the log of the share of its demand
#: it served last month enters their choice (000: "rate limits ... pull wandering
#: thoughts back to reality"), floored here.
MIN_AVAILABILITY = 0.01
#: Above a lowered adoption ceiling (the reliability slider moved down), this share of
#: the excess users gives up each month (an assumption).
ABANDON_PER_MONTH = 0.1
#: Multiplicative noise on the monthly adoption hazard: a gamma draw of this shape
#: (mean 1, coefficient of variation 1/sqrt(shape) = 0.2; an assumption).
HAZARD_NOISE_SHAPE = 25.0
#: Spread of month-0 adoption across the cohorts of a region (lognormal sigma; an assumption).
ADOPTION_NOISE_SIGMA = 0.1


class UserCohorts(mesa.Agent):
    """All cohorts of one segment, as arrays."""

    def __init__(self, model, spec: SegmentSpec, n_cohorts: int):
        super().__init__(model)
        p = model.p
        rng = model.rng
        self.name = f"Users: {spec.name}"
        self.segment = spec.name
        self.spec = spec
        self.cash_usd = 0.0   # users pay from outside the model (the end_users boundary)
        self.defaulted = False
        n = max(len(REGIONS), n_cohorts)
        self.n = n
        # contiguous blocks per region, so ring neighbours share a region and rewired
        # edges cross regions
        self.region_idx = np.repeat(np.arange(len(REGIONS)), -(-n // len(REGIONS)))[:n]
        counts = np.bincount(self.region_idx, minlength=len(REGIONS))
        pop = np.asarray(spec.population_m, float) * 1e6
        self.population = pop[self.region_idx] / counts[self.region_idx]
        a0 = np.asarray(spec.adopted0_frac, float)[self.region_idx]
        self.adopted_frac = np.minimum(a0 * rng.lognormal(0.0, ADOPTION_NOISE_SIGMA, n), self.ceiling_frac)
        self.graph = nx.watts_strogatz_graph(n, min(p.user_graph_degree, n - 1), p.user_graph_rewire_frac,
                                             seed=int(rng.integers(2**31 - 1)))
        adj = nx.to_scipy_sparse_array(self.graph, nodelist=range(n), format="csr", dtype=float)
        deg = np.asarray(adj.sum(axis=1)).ravel()
        self.neighbour_mean = sp.diags(1.0 / np.maximum(deg, 1.0)) @ adj
        self.region_value = np.asarray(REGION_VALUE_FACTOR)
        self.ref_price = None   # each region's effective price at month 0
        self.ref_capability = None
        # monthly figures (by region)
        self.active_users = np.zeros(len(REGIONS))
        self.tokens_per_day = np.zeros(len(REGIONS))
        self.paid_spend_usd_per_year = 0.0
        self.labour_bound_scale = 1.0
        self.value_bound_frac = np.zeros(len(REGIONS))
        self.lab_shares = None

    @property
    def paid_frac(self) -> float:
        """Share of the segment's tokens that is paid for, read every month so a slider
        moves it mid-run: the segment's own, or 1 - ``free_token_share_frac`` (001: a free
        share of tokens earns nothing)."""
        own = self.spec.paid_frac
        return own if own is not None else 1.0 - self.model.p.free_token_share_frac

    @property
    def ceiling_frac(self) -> float:
        """Adoption ceiling, read every month so a slider moves it mid-run: the
        reliability ceiling for enterprise segments (contention #3), else the consumer one."""
        p = self.model.p
        return p.reliability_ceiling_frac if self.spec.enterprise else p.ceiling_penetration_frac

    # ----- the month (phase 2) -------------------------------------------------------
    def step(self) -> None:
        """Phase 2: adoption spreads; demand at current prices and capabilities; choice."""
        self._diffuse()
        shares, price, capability = self._choose_labs()
        self._demand(shares, price, capability)

    def _diffuse(self) -> None:
        """Bass diffusion on the graph: innovation plus imitation of adopted neighbours.

        The hazard carries multiplicative noise from the model's generator.
        """
        p = self.model.p
        ceiling = self.ceiling_frac
        relative = self.adopted_frac / max(ceiling, 1e-9)
        neighbours = self.neighbour_mean @ relative
        q = p.adoption_imitation_per_month * self.spec.imitation_multiplier
        noise = self.model.rng.gamma(HAZARD_NOISE_SHAPE, 1 / HAZARD_NOISE_SHAPE, self.n)
        hazard = (p.adoption_innovation_per_month + q * neighbours) * noise
        # above a lowered ceiling, users drift back down toward it (they stop using what fails them)
        self.adopted_frac += (ceiling - self.adopted_frac) * np.where(self.adopted_frac < ceiling,
                                                                      np.minimum(hazard, 1.0), ABANDON_PER_MONTH)
        self.adopted_frac = np.clip(self.adopted_frac, 0.0, 1.0)
        self.active_users = np.bincount(self.region_idx, weights=self.population * self.adopted_frac,
                                        minlength=len(REGIONS))

    def _choose_labs(self):
        """Logit choice among labs by region: capability against log price (001)."""
        labs = self.model.labs
        cap = np.array([lab.capability for lab in labs])
        price = np.array([max(lab.price_usd_per_mtok, PRICE_FLOOR_USD_PER_MTOK) for lab in labs])
        brand = np.array([self.spec.brand.get(lab.name, 0.0)
                          - (OPEN_WEIGHTS_UTILITY_PENALTY if lab.open_weights else 0.0)
                          + np.log(max(lab.served_frac, MIN_AVAILABILITY)) for lab in labs])
        alive = np.array([not lab.defaulted for lab in labs])
        u = CHOICE_CAPABILITY_WEIGHT * (cap - cap.max()) + brand - CHOICE_PRICE_WEIGHT * np.log(price)
        u = np.where(alive, u, -np.inf)
        u = np.tile(u, (len(REGIONS), 1))
        for region in DOMESTIC_ONLY_REGIONS:
            u[REGIONS.index(region), :] = -np.inf
        shares = np.zeros_like(u)
        for r in range(len(REGIONS)):
            row = u[r]
            if np.isfinite(row).any():
                e = np.exp(row - row[np.isfinite(row)].max())
                shares[r] = e / e.sum()
        eff_price = shares @ price
        eff_cap = shares @ cap
        domestic = shares.sum(axis=1) == 0
        # domestic markets follow the open-weights frontier's price and capability
        ow = next((i for i, lab in enumerate(labs) if lab.open_weights), int(np.argmin(price)))
        eff_price[domestic] = price[ow]
        eff_cap[domestic] = cap[ow]
        return shares, eff_price, eff_cap

    def _demand(self, shares, price, capability) -> None:
        """Tokens per active user grow with capability and agentic use and answer price
        with the elasticity (001's Jevons case above 1); what a user pays is bounded by
        the value of the work AI does for them (``value_usd_per_user_year``, rising with
        capability), and all paid spend by the labour AI can replace (001): near those
        bounds a price cut buys more tokens but no more spend. The free share earns
        nothing. No cap on tokens per user: at the bound, tokens grow as prices fall and
        the compute they need stays what the spend can pay for."""
        p = self.model.p
        if self.ref_price is None:
            self.ref_price = np.where(price > 0, price, 1.0)
            self.ref_capability = capability.copy()
        years = self.model.month / 12.0
        gain = capability - self.ref_capability
        raw = (self.spec.tokens_per_user_day
               * p.capability_token_multiplier ** gain
               * (p.agentic_token_growth_per_year ** years if self.spec.agentic else 1.0)
               * (np.maximum(price, PRICE_FLOOR_USD_PER_MTOK) / self.ref_price) ** (-p.price_elasticity))
        premium = self.spec.price_premium
        spend_per_user = raw * self.paid_frac * price * premium / 1e6 * 365.0
        value = (self.spec.value_usd_per_user_year * p.value_ceiling_scale * self.region_value
                 * p.capability_value_multiplier ** gain)
        bounded = value * np.tanh(spend_per_user / value)
        self.value_bound_frac = bounded / value
        per_user = raw * np.divide(bounded, spend_per_user, out=np.ones_like(raw), where=spend_per_user > 0)
        tokens = self.active_users * per_user
        spend = float((tokens * self.paid_frac * price * premium).sum() / 1e6 * 365.0)
        cap = p.labour_replaceable_usd_per_year * self.spec.spend_weight
        self.labour_bound_scale = cap * np.tanh(spend / cap) / spend if spend > 0 else 1.0
        tokens = tokens * self.labour_bound_scale
        self.tokens_per_day = tokens
        self.paid_spend_usd_per_year = spend * self.labour_bound_scale
        self.lab_shares = shares
        lab_tokens = tokens @ shares
        for lab, t in zip(self.model.labs, lab_tokens):
            if t > 0:
                lab.add_demand(float(t), float(t) * self.paid_frac, premium)

    # ----- reporting -------------------------------------------------------------------
    @property
    def penetration_frac(self) -> float:
        return float(self.active_users.sum() / self.population.sum())
