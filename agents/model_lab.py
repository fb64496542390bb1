"""Model labs: they rent compute, train, serve tokens, set prices, raise money, default.

Six defaults: OpenAI, Anthropic, Google DeepMind (tied to Alphabet), Meta AI (tied to
Meta), xAI, and an open-weights lab of the DeepSeek/Qwen kind that follows the frontier
about six months behind at a far lower price (002).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import mesa

from sim.clock import DAYS_PER_MONTH, HOURS_PER_MONTH


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


#: Month-0 figures (Jan 2025). Cash after the late-2024 rounds (OpenAI $6.6B in Oct
#: 2024, Anthropic $4B from Amazon, xAI $6B); capabilities a generation apart at most,
#: the open-weights lab about six months behind (002). Compute contracts total ~2.5M
#: H100e, ~60% of it for training (004).
DEFAULT_LABS = (
    LabSpec("OpenAI", 10e9, 10.0, {"Microsoft": 550_000, "Oracle": 80_000, "Neocloud": 70_000},
            opex_usd_per_month=0.5e9),
    LabSpec("Anthropic", 6e9, 9.9, {"Amazon": 280_000, "Alphabet": 70_000}, opex_usd_per_month=0.2e9),
    LabSpec("Google DeepMind", 2e9, 9.9, {"Alphabet": 700_000}, parent="Alphabet", opex_usd_per_month=0.3e9),
    LabSpec("Meta AI", 2e9, 9.4, {"Meta": 550_000}, parent="Meta", opex_usd_per_month=0.3e9,
            paid_share_multiplier=0.3),
    LabSpec("xAI", 6e9, 9.7, {"Neocloud": 150_000, "Oracle": 50_000}, opex_usd_per_month=0.1e9),
    LabSpec("Open-weights lab", 1e9, 9.5, {"Neocloud": 20_000, "Amazon": 30_000}, open_weights=True,
            opex_usd_per_month=0.02e9),
)

#: Prior cumulative training, in months of month-0 training compute (an assumption:
#: two years at today's rate, so the first doubling of cumulative compute takes ~1 year).
PRIOR_TRAINING_MONTHS = 24.0
#: Labs keep at least this share of their compute on research even under load.
MIN_TRAINING_FRAC = 0.25
#: How far contracts can shrink in a month when a lab is not in distress (terms roll off).
CONTRACT_ROLLOFF_PER_MONTH = 0.05
#: The open-weights architecture serves more tokens per H100e (DeepSeek V3/R1 MoE, 002).
OPEN_WEIGHTS_EFFICIENCY = 1.5
#: Labs stop passing cost cuts into prices once demand keeps less than this share of its
#: price elasticity (users near their ceiling on tokens per day); an assumption.
SATURATED_ELASTICITY_SHARE = 0.5
#: Spot requests for unserved demand are capped at this share of contracted compute.
SPOT_CAP_FRAC = 0.2
#: An in-house lab grows its training while its parent's support over the last year
#: stays under this share of the parent's non-AI operating cash flow (an assumption:
#: Alphabet and Meta fund AI from ads, 004).
IN_HOUSE_BUDGET_FRAC_OF_PARENT_OCF = 0.4


class ModelLab(mesa.Agent):
    """Serves, collects, pays, trains, prices, plans compute, and funds itself.

    Free tokens are served only as far as the lab can afford them: all of them while it
    is funded, half when its runway is short, a fifth in distress (free tiers get
    rate-limited, 001).
    """

    def __init__(self, model, spec: LabSpec):
        super().__init__(model)
        p = model.p
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
        # demand routed by users this month
        self.demand_tokens_per_day = 0.0
        self.demand_paid_tokens_per_day = 0.0
        self._elasticity_weighted = 0.0
        self._demand_history: list[float] = []
        # monthly figures
        self.served_tokens_per_day = 0.0
        self.internal_tokens_per_day = 0.0
        self.unserved_tokens_per_day = 0.0
        self.compute_used_h100e = 0.0
        self.inference_capacity_tokens_per_day = 0.0
        self.revenue_usd_month = 0.0
        self.compute_cost_usd_month = 0.0
        self.compute_billed_usd_month = 0.0
        self.raised_usd_month = 0.0
        self.asked_usd = 0.0
        self._net_history: list[float] = []
        self._support_history: list[float] = []
        self.runway_months = math.inf

    # ----- public figures ------------------------------------------------------------
    @property
    def compute_h100e(self) -> float:
        """Compute granted to this lab for the month (contracts and spot, all partners)."""
        if self.defaulted:
            return 0.0
        return sum(h.contract_with(self.name) for h in self.model.hyperscalers)

    @property
    def tokens_per_h100e_day(self) -> float:
        boost = OPEN_WEIGHTS_EFFICIENCY if self.open_weights else 1.0
        return self.model.tokens_per_h100e_day * boost

    def unit_cost_usd_per_mtok(self) -> float:
        """Serving cost: what an H100e-hour costs over the tokens it serves in an hour."""
        rent = self._rent_usd_per_hour()
        return rent / (self.tokens_per_h100e_day / 24.0) * 1e6

    def _rent_usd_per_hour(self) -> float:
        num = den = 0.0
        for h in self.model.hyperscalers:
            c = h.contracts.get(self.name)
            if c and c.h100e > 0:
                num += c.h100e * c.price_usd_per_hour
                den += c.h100e
        if den > 0:
            return num / den
        return self.model.gpu_rental_usd_per_hour

    def add_demand(self, tokens_per_day: float, paid_tokens_per_day: float, elasticity: float) -> None:
        """Users route demand here, with the price elasticity it has at its current use
        (lower near the ceiling on tokens per user). Free use of open weights is
        self-hosted by the users (it needs no compute of the lab's and earns it nothing),
        so the open-weights lab serves only paid API tokens."""
        paid = paid_tokens_per_day * self.paid_share_multiplier
        self.demand_tokens_per_day += paid if self.open_weights else tokens_per_day
        self.demand_paid_tokens_per_day += paid
        self._elasticity_weighted += elasticity * paid

    def reset_month(self) -> None:
        self.demand_tokens_per_day = 0.0
        self.demand_paid_tokens_per_day = 0.0
        self._elasticity_weighted = 0.0
        self.revenue_usd_month = 0.0
        self.compute_cost_usd_month = 0.0
        self.compute_billed_usd_month = 0.0
        self.raised_usd_month = 0.0

    # ----- the month (phase 3) ---------------------------------------------------------
    def step(self) -> None:
        """Phase 3: serve, collect, pay, train, price, plan compute, fund."""
        if self.defaulted:
            return
        cash_before = self.cash_usd
        self._serve_and_collect()
        unpaid = self._pay_for_compute()
        self._pay_opex()
        self._train()
        self._set_price()
        self._plan_compute()
        self._fund(cash_before, unpaid)

    def _serve_and_collect(self) -> None:
        """Serve what inference capacity allows, paid tokens first; record the rest as
        unserved. Paid tokens earn the lab's price; the free share earns nothing (001)."""
        compute = self.compute_used_h100e = self.compute_h100e
        per_h100e = self.tokens_per_h100e_day
        need = self.demand_tokens_per_day / per_h100e
        self.inference_h100e = min(need, compute * (1.0 - MIN_TRAINING_FRAC))
        self.training_h100e = compute - self.inference_h100e
        self.inference_capacity_tokens_per_day = self.inference_h100e * per_h100e
        served = min(self.demand_tokens_per_day, self.inference_capacity_tokens_per_day)
        paid = min(self.demand_paid_tokens_per_day, served)
        self.internal_tokens_per_day = self.training_h100e * self.model.p.internal_token_frac_of_training * per_h100e
        self.served_tokens_per_day = served
        self.unserved_tokens_per_day = self.demand_tokens_per_day - served
        revenue = paid * self.price_usd_per_mtok / 1e6 * DAYS_PER_MONTH
        self.revenue_usd_month = self.model.ledger.pay("end_users", self, revenue, "token_sales")
        self._demand_history.append(self.demand_tokens_per_day)

    def _pay_for_compute(self) -> float:
        """Pay each partner its rent; return what could not be paid."""
        unpaid = 0.0
        for h in self.model.hyperscalers:
            if h.contract_with(self.name) > 0:
                billed, paid = h.bill_lab(self)
                self.compute_billed_usd_month += billed
                self.compute_cost_usd_month += paid
                unpaid += billed - paid
        return unpaid

    def _pay_opex(self) -> None:
        self.model.ledger.pay(self, "operating_costs", min(self.opex_usd_per_month, max(self.cash_usd, 0.0)),
                              "lab_opex")

    def _train(self) -> None:
        """Training compute buys capability through the scaling law (contention #1, 000).

        capability = capability0 + scaling_exponent * log10(cumulative / prior cumulative),
        where each month's compute counts with a lognormal draw (mean 1, sd ~0.3) for
        research luck.
        The open-weights lab also inherits the frontier's capability after a lag
        (distillation and spill-over, 002).
        """
        p = self.model.p
        # research luck: a month's training yields more or less than its compute
        self.cum_training_h100e_months += self.training_h100e * self.model.rng.lognormal(-0.045, 0.3)
        own = self.capability0 + p.scaling_exponent * math.log10(self.cum_training_h100e_months / self._cum_training0)
        if self.open_weights:
            own = max(own, self.model.frontier_capability(months_ago=p.open_weights_lag_months))
        self.capability = max(self.capability, own)

    def price_target(self) -> float:
        """Average-cost pricing: paid tokens carry the cost of serving every token (the
        free share earns nothing, 001), plus a markup that grows with the capability lead
        over rivals; a lab turning demand away adds a scarcity premium."""
        p = self.model.p
        if self.open_weights:
            markup = p.open_weights_markup_frac
        else:
            rivals = [lab.capability for lab in self.model.labs if lab is not self and not lab.defaulted]
            lead = self.capability - max(rivals) if rivals else 0.0
            markup = p.frontier_markup_frac * min(2.0, max(0.5, 1.0 + lead))
        demand, paid = self.demand_tokens_per_day, self.demand_paid_tokens_per_day
        cover = min(demand / paid, 5.0) if paid > 0 else 1.0 / (1.0 - self.model.p.free_token_share_frac * 0.5)
        scarcity = self.unserved_tokens_per_day / demand if demand else 0.0
        return self.unit_cost_usd_per_mtok() * cover * (1.0 + markup) * (1.0 + scarcity)

    @property
    def demand_elasticity(self) -> float:
        """The price elasticity of this lab's paid demand at current use (from users)."""
        paid = self.demand_paid_tokens_per_day
        return self._elasticity_weighted / paid if paid > 0 else self.model.p.price_elasticity

    def _set_price(self) -> None:
        """Move toward the cost-plus target, but do not cut the price into demand that
        has stopped answering it: once use per user nears its ceiling (the elasticity has
        lost half its strength) and a cut would lose revenue (below unit elasticity), the
        lab holds its price and its markup widens as costs fall. Before that, competition
        passes cost declines on (001: -60-70% a year)."""
        p = self.model.p
        target = self.price_target()
        if self.demand_elasticity < min(1.0, SATURATED_ELASTICITY_SHARE * p.price_elasticity):
            target = max(target, self.price_usd_per_mtok)
        self.price_usd_per_mtok += p.token_price_adjust_per_month * (target - self.price_usd_per_mtok)

    def _plan_compute(self) -> None:
        """Ask partners for next month's compute: inference for expected demand plus a
        training budget (in dollars, so dearer compute buys fewer H100e) that grows while
        the lab is funded, holds when runway is short, and shrinks in distress."""
        p = self.model.p
        h = self._demand_history
        growth = (h[-1] / h[-4]) ** (1 / 3) if len(h) >= 4 and h[-4] > 0 else 1.1
        growth = max(0.8, min(1.3, growth))
        per_h100e = self.model.tokens_per_h100e_day_next * (OPEN_WEIGHTS_EFFICIENCY if self.open_weights else 1.0)
        free = self.demand_tokens_per_day - self.demand_paid_tokens_per_day
        free_served = 1.0 if self._healthy() else 0.5 if self.runway_months >= 6 else 0.2
        inference = (self.demand_paid_tokens_per_day + free * free_served) * growth / per_h100e
        rent_now = self._rent_usd_per_hour()
        rent_new = self.model.gpu_rental_usd_per_hour
        budget = self.training_h100e * rent_now
        if self._healthy():
            # grow training; a lab with cash to spare puts it into compute over the
            # runway it targets (labs spend what they raise and earn: 004, terry)
            spare = self.cash_usd - 6.0 * (self.compute_billed_usd_month + self.opex_usd_per_month)
            spare_per_hour = max(0.0, spare) / p.lab_raise_target_months / HOURS_PER_MONTH
            budget = max(budget * p.training_compute_growth_per_year ** (1 / 12),
                         budget + spare_per_hour if self.parent is None else 0.0)
        elif self._starved():
            budget *= 0.8
        training = budget / max(rent_new, 1e-9)
        want = inference + training
        current = self.compute_h100e
        distressed = self.parent is None and self.runway_months < 3
        floor = current * (0.5 if distressed else 1 - CONTRACT_ROLLOFF_PER_MONTH)
        want = max(want, floor)
        self._request(want, current)

    def _request(self, want: float, current: float) -> None:
        """Spread the request over hyperscalers: keep what each holds, and ask for more
        where there is spare capacity (last month's public utilization), leaning toward
        partners. An in-house lab rents only from its parent."""
        hs_all = [h for h in self.model.hyperscalers if not h.defaulted]
        if self.parent is not None:
            hs_all = [h for h in hs_all if h.name == self.parent]
        held = {h.name: h.contracts[self.name].h100e if self.name in h.contracts else 0.0 for h in hs_all}
        if want <= current or current <= 0:
            scale = want / current if current > 0 else 0.0
            asks = {k: v * scale for k, v in held.items()}
            if current <= 0:
                total_w = sum(self.partner_weights.get(h.name, 0.0) for h in hs_all) or 1.0
                asks = {h.name: want * self.partner_weights.get(h.name, 0.0) / total_w for h in hs_all}
        else:
            pull = {h.name: self.partner_weights.get(h.name, 0.0) * h.powered_h100e * 0.1
                    + max(0.0, h.powered_h100e - h.rented_h100e) for h in hs_all}
            total = sum(pull.values())
            extra = want - current
            asks = {k: held[k] + (extra * pull[k] / total if total > 0 else 0.0) for k in held}
        spot = min(self.unserved_tokens_per_day / self.tokens_per_h100e_day, SPOT_CAP_FRAC * current)
        spot = spot if self._healthy() else 0.0
        for h in hs_all:
            h.requests[self.name] = asks.get(h.name, 0.0)
            share = asks.get(h.name, 0.0) / want if want > 0 else 0.0
            h.spot_requests[self.name] = spot * share

    def _starved(self) -> bool:
        """Short of money: under six months of runway, or an in-house lab whose parent's
        support has run past its whole budget."""
        if self.parent is None:
            return self.runway_months < 6
        parent = self.model.hyperscalers_by_name[self.parent]
        support = sum(self._support_history[-12:])
        return parent.distressed or support > 1.5 * IN_HOUSE_BUDGET_FRAC_OF_PARENT_OCF * parent.core_ocf_usd_per_month * 12

    def _healthy(self) -> bool:
        """Funded enough to grow training: runway above the raise trigger, or for an
        in-house lab, parent support within its budget."""
        p = self.model.p
        if self.parent is None:
            return self.runway_months >= p.lab_raise_trigger_months
        parent = self.model.hyperscalers_by_name[self.parent]
        support = sum(self._support_history[-12:])
        return support < IN_HOUSE_BUDGET_FRAC_OF_PARENT_OCF * parent.core_ocf_usd_per_month * 12.0

    def _fund(self, cash_before: float, unpaid: float) -> None:
        """Track runway; ask investors (or the parent) for money; default if bills go unpaid."""
        p = self.model.p
        net = self.cash_usd - cash_before
        self._net_history.append(net)
        burn = -sum(self._net_history[-3:]) / len(self._net_history[-3:])
        self.runway_months = self.cash_usd / burn if burn > 0 else math.inf
        if self.parent is not None:
            parent = self.model.hyperscalers_by_name[self.parent]
            target = max(burn, 0.0) * 6.0
            given = parent.fund_lab(self, target - self.cash_usd + unpaid) if self.cash_usd < target else 0.0
            self._support_history.append(given)
            if unpaid > 0 and self.cash_usd <= 0:
                self.model.declare_default(self, "parent could not cover its bills")
            return
        if unpaid > 0:
            self.model.declare_default(self, f"could not pay {unpaid / 1e9:.1f}B USD of compute")
            return
        self.asked_usd = 0.0
        if self.runway_months < p.lab_raise_trigger_months:
            self.asked_usd = max(0.0, burn * p.lab_raise_target_months - self.cash_usd)
            self.model.capital.ask(self, self.asked_usd)

    def receive_funding(self, amount_usd: float) -> None:
        if amount_usd > 0:
            self.model.ledger.pay("investors", self, amount_usd, "equity_raised")
            self.raised_usd_month += amount_usd

    def on_default(self) -> None:
        """Contracts end; users go elsewhere; the lab serves nothing more."""
        self.defaulted = True
        self.default_month = self.model.month
        for h in self.model.hyperscalers:
            h.lose_tenant(self.name)
        self.inference_h100e = self.training_h100e = self.compute_used_h100e = 0.0
        self.served_tokens_per_day = 0.0
        self.internal_tokens_per_day = 0.0
        self.runway_months = 0.0
