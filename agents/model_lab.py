"""Model labs: they contract compute, train, serve tokens, set prices, raise money, default.

Six defaults: OpenAI, Anthropic, Google DeepMind (tied to Alphabet), Meta AI (tied to
Meta), xAI, and an open-weights lab of the DeepSeek/Qwen kind that follows the frontier
about six months behind at a far lower price (002).

Training compute follows the marginal value of capability (DESIGN.md, "ModelLab"): the
scaling law (``scaling_exponent``, contention #1 of 000) sets how much capability a
tenfold rise in training compute buys, and a capability point is worth the revenue it
adds over the years before rivals catch up (``capability_value_years``, 003). So a
stalled scaling law cuts training demand, and through labs' compute contracts,
hyperscalers' capex. Inference follows served demand. A newer model costs more per
token than last year's (``frontier_cost_per_capability``, 004).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import mesa

from sim.clock import DAYS_PER_MONTH, HOURS_PER_MONTH, is_quarter_start


@dataclass(frozen=True)
class LabSpec:
    name: str
    cash_usd: float
    capability: float                  # capability index; 1 point ~ one model generation
    contracts_h100e: dict = field(default_factory=dict)   # hyperscaler -> H100e at month 0
    parent: str | None = None          # in-house lab: its losses are its parent's
    open_weights: bool = False
    opex_usd_per_month: float = 0.0    # staff and other cash costs besides compute
    paid_share_multiplier: float = 1.0  # Meta AI is free inside Meta's apps


#: Month-0 figures (Jan 2025). Compute held at end-2024 from the public record (Epoch
#: AI: OpenAI 0.39M H100e, Anthropic 0.21M, Google DeepMind 0.42M, Meta 0.25M, xAI
#: 0.20M), split over partners as reported (OpenAI on Azure with Oracle and CoreWeave;
#: Anthropic on AWS and Google Cloud; xAI on its own Colossus, here the neocloud, and
#: Oracle). The open-weights lab's 0.1M H100e (an assumption) stands for the open-model
#: API ecosystem. Cash after the 2024 rounds (OpenAI $6.6B equity and a $4B credit line
#: in Oct 2024, Anthropic $4B from Amazon and $2B from Google, xAI $6B + $6B);
#: capabilities a generation apart at most.
DEFAULT_LABS = (
    LabSpec("OpenAI", 10e9, 10.0, {"Microsoft": 300_000, "Oracle": 40_000, "Neocloud": 50_000},
            opex_usd_per_month=0.5e9),
    LabSpec("Anthropic", 6e9, 9.9, {"Amazon": 150_000, "Alphabet": 60_000}, opex_usd_per_month=0.2e9),
    LabSpec("Google DeepMind", 2e9, 9.9, {"Alphabet": 420_000}, parent="Alphabet", opex_usd_per_month=0.3e9),
    LabSpec("Meta AI", 2e9, 9.4, {"Meta": 250_000}, parent="Meta", opex_usd_per_month=0.3e9,
            paid_share_multiplier=0.3),
    LabSpec("xAI", 6e9, 9.7, {"Neocloud": 150_000, "Oracle": 50_000}, opex_usd_per_month=0.1e9),
    LabSpec("Open-weights lab", 1e9, 9.5, {"Neocloud": 30_000, "Amazon": 40_000, "Microsoft": 30_000},
            open_weights=True, opex_usd_per_month=0.02e9),
)

#: Labs plan commitments on revenue growing at most this fast (log per year; tripling a
#: year, about OpenAI's 2025 run-rate growth, public record: $5.5B -> $20B).
MAX_PLANNED_REVENUE_GROWTH = math.log(3.0)
#: A lab's training budget counts its cash as spread over this many years (an assumption:
#: labs hold about two years of runway after a round).
TRAINING_CASH_YEARS = 2.0
#: Prior cumulative training, in months of month-0 training compute (an assumption:
#: two years at today's rate, so the first doubling of cumulative compute takes ~1 year).
PRIOR_TRAINING_MONTHS = 24.0
#: A month of training counts for a lognormal draw of mean 1 and this sigma of its compute
#: (research luck; an assumption).
RESEARCH_LUCK_SIGMA = 0.3
#: Labs keep at least this share of their compute on research even under load.
MIN_TRAINING_FRAC = 0.2
#: The open-weights architecture serves more tokens per H100e (DeepSeek V3/R1 MoE, 002).
OPEN_WEIGHTS_EFFICIENCY = 1.5
#: Growth of labs' token demand carried into 2025, a year (001: usage doubling every
#: 2-3 months in 2025; labs plan more cautiously, an assumption).
PRIOR_LAB_DEMAND_GROWTH_PER_YEAR = 4.0
#: How far a lab moves its expected demand growth toward the growth it observed over
#: the last six months, each quarter (labs adapt faster than builders: an assumption).
LAB_EXPECTATION_ADAPT_PER_QUARTER = 0.5
#: What a capability point is worth to a lab in share taken from rivals, in log revenue
#: per unit of share not yet held, after rivals answer with models of their own. Users'
#: choice weight (agents/user.py) is 5 per point, but a lead is competed away within a
#: model generation; an assumption set so that labs' 2025 training is ~60% of their
#: compute (004, terry) at the record's revenue.
CAPABILITY_SHARE_VALUE = 1.0
#: An in-house lab values free tokens at this share of its price: ads and engagement in
#: its parent's products (an assumption; 004: Alphabet and Meta fund AI from ads).
AD_VALUE_OF_FREE_TOKEN_FRAC = 0.3
#: An in-house lab can count on this share of its parent's non-AI operating cash flow a
#: year for compute (an assumption: Alphabet and Meta fund AI from ads, 004; Meta's 2025
#: AI capex was ~60% of its cash flow, much of it for its own products).
IN_HOUSE_BUDGET_FRAC_OF_PARENT_OCF = 0.25
#: Spot requests for unserved demand are capped at this share of contracted compute.
SPOT_CAP_FRAC = 0.3
#: Training ambitions grow from what the lab trains now, or from this share of its
#: compute if inference has crowded training out this month (004: ~60% is training).
TRAINING_BASE_FRAC_OF_COMPUTE = 0.5
#: A capability lead scales the markup, between these multiples of ``frontier_markup_frac``.
MIN_LEAD_MARKUP_MULTIPLE = 0.5
MAX_LEAD_MARKUP_MULTIPLE = 2.0
#: A lab defaults when a bill has gone unpaid this long and investors will not fill the gap.
DEFAULT_OVERDUE_MONTHS = 3
#: A lab with less runway than this is distressed (it signs nothing and rate-limits free
#: users); an in-house lab's parent keeps this many months of burn in its account
#: (assumptions).
DISTRESS_RUNWAY_MONTHS = 6.0
IN_HOUSE_CASH_MONTHS = 6.0
#: Share of free tokens a lab serves by funding state: funded, short runway, distressed
#: (free tiers get rate-limited when money is short, 001).
FREE_SERVED_SHARE = {"healthy": 1.0, "short": 0.5, "distressed": 0.2}


class ModelLab(mesa.Agent):
    """Serves, collects, pays, trains, prices, plans compute, and funds itself."""

    def __init__(self, model, spec: LabSpec):
        super().__init__(model)
        p = model.p
        self.spec = spec
        self.name = spec.name
        self.parent = spec.parent
        self.open_weights = spec.open_weights
        self.cash_usd = spec.cash_usd
        self.capability = spec.capability
        self.capability0 = spec.capability
        self.opex_usd_per_month = spec.opex_usd_per_month
        self.paid_share_multiplier = spec.paid_share_multiplier
        self.partner_weights = {k: v / sum(spec.contracts_h100e.values()) for k, v in spec.contracts_h100e.items()}
        self.defaulted = False
        self.default_month: int | None = None
        total = sum(spec.contracts_h100e.values())
        self.training_h100e = total * p.training_share_frac
        self.inference_h100e = total - self.training_h100e
        self.cum_training_h100e_months = self.training_h100e * PRIOR_TRAINING_MONTHS
        self._cum_training0 = self.cum_training_h100e_months
        self.price_usd_per_mtok = 0.0   # set by the model once every lab exists
        self.expected_growth = math.log(PRIOR_LAB_DEMAND_GROWTH_PER_YEAR)
        self.raised_history: list[float] = []
        self.demand_tokens_per_day = 0.0
        self.demand_paid_tokens_per_day = 0.0
        self._demand_history: list[float] = []
        self.served_tokens_per_day = 0.0
        self.paid_served_tokens_per_day = 0.0
        self.internal_tokens_per_day = 0.0
        self.unserved_tokens_per_day = 0.0
        self.compute_used_h100e = total
        self.inference_capacity_tokens_per_day = 0.0
        self.training_target_h100e = self.training_h100e
        self._net_history: list[float] = []
        self._support_history: list[float] = []
        self.runway_months = math.inf
        self.asked_usd = 0.0
        self.reset_month()

    # ----- public figures ------------------------------------------------------------
    @property
    def served_frac(self) -> float:
        """Share of last month's demand it served (users see rate limits)."""
        demand = self.served_tokens_per_day + self.unserved_tokens_per_day
        return self.served_tokens_per_day / demand if demand > 0 else 1.0

    @property
    def compute_h100e(self) -> float:
        """Compute this lab holds this month (contracts delivered and spot, all sellers)."""
        return 0.0 if self.defaulted else self.model.rental.compute_of(self.name)

    def tokens_per_h100e_day_at(self, month: int, capability: float | None = None) -> float:
        """Tokens an H100e serves a day for this lab's model: the efficiency frontier at
        fixed capability, less the extra compute a more capable model needs per token (004)."""
        p = self.model.p
        cap = self.capability if capability is None else capability
        boost = OPEN_WEIGHTS_EFFICIENCY if self.open_weights else 1.0
        return self.model.efficiency_at(month) * boost / p.frontier_cost_per_capability ** (
            cap - self.model.reference_capability)

    @property
    def tokens_per_h100e_day(self) -> float:
        return self.tokens_per_h100e_day_at(self.model.month)

    def rent_usd_per_hour(self) -> float:
        """What an H100e-hour costs this lab now: its contracts' blended price, or the
        market's spot price when it holds no contract."""
        num = den = 0.0
        for seller, h100e, price, kind in self.model.rental.bills(self.name):
            price = price if price is not None else self.model.hyperscalers_by_name[seller].spot_usd_per_hour
            num += h100e * price
            den += h100e
        return num / den if den > 0 else self.model.gpu_rental_usd_per_hour

    def unit_cost_usd_per_mtok(self) -> float:
        """Serving cost: what an H100e-hour costs over the tokens it serves in an hour."""
        return self.rent_usd_per_hour() / (self.tokens_per_h100e_day / 24.0) * 1e6

    def add_demand(self, tokens_per_day: float, paid_tokens_per_day: float, price_premium: float) -> None:
        """Users route demand here; paid tokens earn ``price_premium`` times the lab's
        price (subscriptions). Free use of open weights is self-hosted by the users (it
        needs no compute of the lab's and earns it nothing), so the open-weights lab
        serves only paid API tokens."""
        paid = paid_tokens_per_day * self.paid_share_multiplier
        self.demand_tokens_per_day += paid if self.open_weights else tokens_per_day
        self.demand_paid_tokens_per_day += paid
        self.demand_paid_value_per_day += paid * price_premium

    def reset_month(self) -> None:
        self.demand_tokens_per_day = 0.0
        self.demand_paid_tokens_per_day = 0.0
        self.demand_paid_value_per_day = 0.0
        self.revenue_usd_month = 0.0
        self.compute_cost_usd_month = 0.0
        self.compute_billed_usd_month = 0.0
        self.raised_usd_month = 0.0
        self.contracted_usd_month = 0.0

    # ----- the month (phase 3) ---------------------------------------------------------
    def step(self) -> None:
        """Phase 3: pay what is owed, serve and collect, pay for compute, train, price,
        plan compute, fund."""
        if self.defaulted:
            return
        cash_before = self.cash_usd
        self.model.ledger.pay_down(self)
        self._serve_and_collect()
        self._pay_for_compute()
        self._spend("operating_costs", self.opex_usd_per_month, "lab_opex")
        self._train()
        self._set_price()
        self._request_spot()
        if is_quarter_start(self.model.month):
            self._observe_growth()
            self.plan_contracts(self.model.p.contract_lead_months)
        self._fund(cash_before)

    def _spend(self, payee, amount: float, kind: str) -> float:
        return self.model.ledger.bill(self, payee, amount, kind) if amount > 0 else 0.0

    def _serve_and_collect(self) -> None:
        """Serve what inference capacity allows, paid tokens first; record the rest as
        unserved. Paid tokens earn the lab's price; the free share earns nothing (001).
        Compute not needed for inference goes to training (contracts are take-or-pay)."""
        compute = self.compute_used_h100e = self.compute_h100e
        per_h100e = self.tokens_per_h100e_day
        free = self.demand_tokens_per_day - self.demand_paid_tokens_per_day
        wanted = self.demand_paid_tokens_per_day + free * FREE_SERVED_SHARE[self.funding_state()]
        self.inference_h100e = min(wanted / per_h100e, compute * (1.0 - MIN_TRAINING_FRAC))
        self.training_h100e = compute - self.inference_h100e
        self.inference_capacity_tokens_per_day = self.inference_h100e * per_h100e
        served = min(wanted, self.inference_capacity_tokens_per_day)
        paid = min(self.demand_paid_tokens_per_day, served)
        self.internal_tokens_per_day = self.training_h100e * self.model.p.internal_token_frac_of_training * per_h100e
        self.served_tokens_per_day = served
        self.unserved_tokens_per_day = self.demand_tokens_per_day - served
        self.paid_served_tokens_per_day = paid
        premium = (self.demand_paid_value_per_day / self.demand_paid_tokens_per_day
                   if self.demand_paid_tokens_per_day > 0 else 1.0)
        revenue = paid * premium * self.price_usd_per_mtok / 1e6 * DAYS_PER_MONTH
        self.revenue_usd_month = self.model.ledger.pay("end_users", self, revenue, "token_sales") if revenue > 0 \
            else 0.0
        self._demand_history.append(self.demand_tokens_per_day)

    def _pay_for_compute(self) -> None:
        """Each seller bills this month's compute: contracts at their price, spot at the
        seller's. What cannot be paid is owed (a payable with a late fee)."""
        for seller_name, h100e, price, kind in list(self.model.rental.bills(self.name)):
            seller = self.model.hyperscalers_by_name[seller_name]
            rate = price if price is not None else seller.spot_usd_per_hour
            billed = h100e * rate * HOURS_PER_MONTH
            paid = self._spend(seller, billed, "compute_rental")
            seller.rental_revenue_usd_month += billed
            self.compute_billed_usd_month += billed
            self.compute_cost_usd_month += paid

    def _train(self) -> None:
        """Training compute buys capability through the scaling law (contention #1, 000).

        capability = capability0 + scaling_exponent * log10(cumulative / prior cumulative),
        where each month's compute counts with a lognormal draw (mean 1, sd ~0.3) for
        research luck. The open-weights lab is the frontier of ``open_weights_lag_months``
        ago (distillation and spill-over, 002), from the first month.
        """
        p = self.model.p
        luck = self.model.rng.lognormal(-RESEARCH_LUCK_SIGMA ** 2 / 2, RESEARCH_LUCK_SIGMA)    # mean 1
        self.cum_training_h100e_months += self.training_h100e * luck
        if self.open_weights:
            self.capability = self.model.frontier_capability(months_ago=p.open_weights_lag_months)
            return
        own = self.capability0 + p.scaling_exponent * math.log10(self.cum_training_h100e_months / self._cum_training0)
        self.capability = max(self.capability, own)

    def price_target(self) -> float:
        """Cost-plus pricing: the cost of serving a token plus a markup that grows with the
        capability lead over rivals; a lab turning demand away adds a scarcity premium.
        Free tokens are a cost the lab bears (001: "a large portion ... is free"), paid
        for by subscriptions (chat's price premium) and by investors: the labs' losses."""
        p = self.model.p
        if self.open_weights:
            markup = p.open_weights_markup_frac
        else:
            rivals = [lab.capability for lab in self.model.labs if lab is not self and not lab.defaulted]
            lead = self.capability - max(rivals) if rivals else 0.0
            markup = p.frontier_markup_frac * min(MAX_LEAD_MARKUP_MULTIPLE, max(MIN_LEAD_MARKUP_MULTIPLE, 1.0 + lead))
        demand = self.demand_tokens_per_day
        scarcity = min(1.0, self.unserved_tokens_per_day / demand) if demand else 0.0
        return self.unit_cost_usd_per_mtok() * (1.0 + markup) * (1.0 + scarcity)

    def _set_price(self) -> None:
        """Move toward the cost-plus target: competition passes cost declines on (001:
        -60-70% a year)."""
        p = self.model.p
        self.price_usd_per_mtok += p.token_price_adjust_per_month * (self.price_target() - self.price_usd_per_mtok)

    def _request_spot(self) -> None:
        """Ask the spot market for what unserved demand needs next month and for the
        training its contracts do not yet cover, within a cap; only a funded lab does
        (2025: labs took every GPU they could get, 004)."""
        if self.funding_state() != "healthy":
            self.model.rental.request_spot(self.name, 0.0)
            return
        per = self.tokens_per_h100e_day_at(self.model.month + 1)
        contracted = self.model.rental.contracted(lab=self.name, month=self.model.month + 1)
        need = (self.unserved_tokens_per_day / per) if per > 0 else 0.0
        short = max(0.0, self.training_target_h100e - self.training_h100e)
        self.model.rental.request_spot(self.name, min(need + short,
                                                      SPOT_CAP_FRAC * max(contracted, self.compute_h100e)))

    # ----- planning compute (quarterly) ---------------------------------------------------
    def _observe_growth(self) -> None:
        h = self._demand_history
        back = min(6, len(h) - 1)
        if back >= 3 and h[-1 - back] > 0 and h[-1] > 0:
            observed = math.log(h[-1] / h[-1 - back]) * 12.0 / back
            self.expected_growth += LAB_EXPECTATION_ADAPT_PER_QUARTER * (observed - self.expected_growth)

    def demand_share(self) -> float:
        total = sum(lab.demand_paid_tokens_per_day for lab in self.model.labs)
        return self.demand_paid_tokens_per_day / total if total > 0 else 1.0 / len(self.model.labs)

    def expected_revenue_usd_per_year(self, months: float = 12.0) -> float:
        """Revenue the lab expects a year out, at the market's consensus forecast of AI
        revenue growth (not its token growth: tokens grow far faster than revenue as prices
        fall); an in-house lab adds the ad value of the free tokens it serves for its parent."""
        month_rev = self.revenue_usd_month
        if self.parent is not None:
            free = max(0.0, self.served_tokens_per_day - self.paid_served_tokens_per_day)
            month_rev += free * self.price_usd_per_mtok / 1e6 * DAYS_PER_MONTH * AD_VALUE_OF_FREE_TOKEN_FRAC
        return month_rev * 12.0 * math.exp(max(self.planned_revenue_growth, 0.0) * months / 12.0)

    def training_value_usd_per_year(self) -> float:
        """What a year of training is worth spending (the marginal value of capability).

        A capability point raises revenue by ``beta`` in log terms: through what users get
        from a better model (``capability_value_multiplier``) and through the share a lead
        takes from rivals net of their response (``CAPABILITY_SHARE_VALUE`` times the
        share not yet held). Training
        compute C buys scaling_exponent * log10(C) points, so the spend whose last dollar
        just pays back over ``capability_value_years`` is

            spend = scaling_exponent * beta * value_years * expected_revenue / ln(10).

        The open-weights lab inherits its capability (002), so training buys it nothing.
        """
        p = self.model.p
        if self.open_weights:
            return 0.0
        beta = math.log(p.capability_value_multiplier) + CAPABILITY_SHARE_VALUE * (1.0 - self.demand_share())
        return p.scaling_exponent * beta * p.capability_value_years * self.expected_revenue_usd_per_year() \
            / math.log(10.0)

    def training_budget_usd_per_year(self, inference_usd_per_hour: float) -> float:
        """What the lab can put into training a year: its revenue, the funding it expects
        and a share of its cash, less opex and the inference it must serve. Labs run
        losses on purpose (OpenAI spent ~$34B on $13B of revenue in 2025, public record),
        but only as far as investors will fund them: when the market cools, expected
        funding falls and training is cut (000: liquidity is where bubbles pop)."""
        return max(0.0, self.revenue_usd_month * 12.0 + self._expected_funding_usd_per_year()
                   + self.cash_usd / TRAINING_CASH_YEARS - self.opex_usd_per_month * 12.0
                   - inference_usd_per_hour * HOURS_PER_MONTH * 12.0)

    def compute_wanted_h100e(self, months: int) -> tuple[float, float]:
        """(inference, training) H100e the lab expects to want ``months`` ahead."""
        p = self.model.p
        month = self.model.month
        per = self.tokens_per_h100e_day_at(month + months)
        free = max(0.0, self.demand_tokens_per_day - self.demand_paid_tokens_per_day)
        now = self.demand_paid_tokens_per_day + free * FREE_SERVED_SHARE[self.funding_state()]
        inference = now * math.exp(max(self.expected_growth, -1.0) * months / 12.0) / per if per > 0 else 0.0
        quote = self._quote_usd_per_hour()
        target = min(self.training_value_usd_per_year(), self.training_budget_usd_per_year(inference * quote)) \
            / (quote * HOURS_PER_MONTH * 12.0)
        base = max(self.training_h100e, TRAINING_BASE_FRAC_OF_COMPUTE * self.compute_h100e, 1.0)
        cap = base * p.training_compute_growth_per_year ** (months / 12.0)
        floor = inference * MIN_TRAINING_FRAC / (1.0 - MIN_TRAINING_FRAC)
        self.training_target_h100e = max(floor, min(target, cap))
        return inference, self.training_target_h100e

    def _sellers(self) -> list:
        hs = [h for h in self.model.hyperscalers if not h.defaulted]
        if self.parent is not None:
            return [h for h in hs if h.name == self.parent]
        return hs

    def _quote_usd_per_hour(self) -> float:
        sellers = self._sellers()
        if not sellers:
            return self.model.gpu_rental_usd_per_hour
        w = [self.partner_weights.get(h.name, 0.0) + 1e-3 for h in sellers]
        return sum(wi * h.contract_quote_usd_per_hour() for wi, h in zip(w, sellers)) / sum(w)

    def plan_contracts(self, months: int) -> None:
        """Commit to the compute it expects to want ``months`` ahead, beyond what is
        already contracted then, as far as it can see the money to pay for it: cash, and
        over the term the revenue it expects at the market's consensus growth and the
        funding it can expect, times ``commitment_funding_multiple`` (above 1: labs commit
        ahead of even what they expect, 004). A
        distressed lab commits only to what serving its paying users needs."""
        p = self.model.p
        month = self.model.month
        start = month + months
        inference, training = self.compute_wanted_h100e(months)
        if self.funding_state() == "distressed":
            training = 0.0
        rental = self.model.rental
        have = rental.contracted(lab=self.name, month=start)
        new = inference + training - have
        if new <= 0:
            return
        quote = self._quote_usd_per_hour()
        term = p.contract_term_months
        committed = rental.remaining_commitment_usd(self.name, month)
        means = p.commitment_funding_multiple * (self.cash_usd + self.expected_revenue_over_usd(term)
                                                 + self._expected_funding_usd_per_year() * term / 12.0)
        room = max(0.0, means - committed)
        new = min(new, room / (quote * HOURS_PER_MONTH * term))
        if new <= 0:
            return
        sellers = self._sellers()
        weights = {h.name: self.partner_weights.get(h.name, 0.0) + 0.05 * (self.parent is None) for h in sellers}
        total = sum(weights.values())
        for h in sellers:
            share = weights[h.name] / total if total > 0 else 0.0
            if share > 0:
                rental.sign(self.name, h.name, new * share, start, term, h.contract_quote_usd_per_hour())
        self.contracted_usd_month += new * quote * HOURS_PER_MONTH * term

    @property
    def planned_revenue_growth(self) -> float:
        """The revenue growth a lab plans on (log, per year): the capital market's consensus
        forecast (what analysts and investors say the market will do), no faster than
        ``MAX_PLANNED_REVENUE_GROWTH``."""
        return min(self.model.capital.consensus, MAX_PLANNED_REVENUE_GROWTH)

    def expected_revenue_over_usd(self, months: int) -> float:
        """Revenue the lab expects over the next ``months``: this month's, growing at
        :attr:`planned_revenue_growth`."""
        g = self.planned_revenue_growth
        return sum(self.revenue_usd_month * math.exp(g * m / 12.0) for m in range(1, months + 1))

    def _expected_funding_usd_per_year(self) -> float:
        if self.parent is not None:
            parent = self.model.hyperscalers_by_name[self.parent]
            return IN_HOUSE_BUDGET_FRAC_OF_PARENT_OCF * parent.core_ocf_usd_per_month * 12.0
        return self.model.capital.funding_outlook_usd_per_year(self)

    # ----- money -----------------------------------------------------------------------
    def funding_state(self) -> str:
        """healthy (runway above the raise trigger, or an in-house lab within its
        parent's budget), short (under the trigger), or distressed (under six months, or
        bills overdue)."""
        p = self.model.p
        if self.model.ledger.owed(self) > 0:
            return "distressed"
        if self.parent is not None:
            parent = self.model.hyperscalers_by_name[self.parent]
            return "distressed" if parent.distressed else "healthy"
        if self.runway_months >= p.lab_raise_trigger_months:
            return "healthy"
        return "short" if self.runway_months >= DISTRESS_RUNWAY_MONTHS else "distressed"

    def _fund(self, cash_before: float) -> None:
        """Track runway; ask investors (or the parent) for money; default when bills have
        gone unpaid for ``DEFAULT_OVERDUE_MONTHS`` (the model declares it)."""
        p = self.model.p
        net = self.cash_usd - cash_before
        self._net_history.append(net)
        burn = -sum(self._net_history[-3:]) / len(self._net_history[-3:])
        owed = self.model.ledger.owed(self)
        # no runway left (0) once it owes more than it holds
        self.runway_months = max(0.0, (self.cash_usd - owed) / burn) if burn > 0 else math.inf
        self.raised_history.append(self.raised_usd_month)
        if self.parent is not None:
            parent = self.model.hyperscalers_by_name[self.parent]
            target = max(burn, 0.0) * IN_HOUSE_CASH_MONTHS + owed
            given = parent.fund_affiliate(self, target - self.cash_usd) if self.cash_usd < target else 0.0
            self._support_history.append(given)
            self.model.ledger.pay_down(self)
            return
        self.asked_usd = 0.0
        if self.runway_months < p.lab_raise_trigger_months or owed > 0:
            self.asked_usd = max(0.0, max(burn, 0.0) * p.lab_raise_target_months + owed - self.cash_usd)
            self.model.capital.ask(self, self.asked_usd)

    def insolvent(self) -> bool:
        return self.model.ledger.overdue_months(self) >= DEFAULT_OVERDUE_MONTHS

    def receive_funding(self, amount_usd: float) -> None:
        if amount_usd > 0:
            self.model.ledger.pay("investors", self, amount_usd, "equity_raised")
            self.raised_usd_month += amount_usd
            self.model.ledger.pay_down(self)

    def on_default(self) -> None:
        """Contracts end; users go elsewhere; the lab serves nothing more."""
        self.defaulted = True
        self.default_month = self.model.month
        self.inference_h100e = self.training_h100e = self.compute_used_h100e = 0.0
        self.served_tokens_per_day = 0.0
        self.internal_tokens_per_day = 0.0
        self.runway_months = 0.0
