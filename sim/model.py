"""The Model: one step is one month of the AI compute build-out.

``step()`` reads as the month's story, in the order of ../shared/DESIGN.md:
capital market, users, labs, hyperscalers, chip vendors, utilities, the contract
network, then thresholds and data. Capex and revenue are never drawn from a formula:
capex is what hyperscalers pay for chips and shells, revenue is what users pay labs.
"""

from __future__ import annotations

import math

import mesa
from mesa.datacollection import DataCollector

from agents.chip_vendor import DEFAULT_VENDORS, ChipVendor
from agents.hyperscaler import DEFAULT_HYPERSCALERS, Hyperscaler
from agents.model_lab import DEFAULT_LABS, ModelLab
from agents.power_utility import DEFAULT_UTILITIES, PowerUtility
from agents.user import SEGMENTS, UserCohorts
from sim import checks, gauges, network, reporters, thresholds
from sim.accounting import Ledger
from sim.capital import CapitalMarket
from sim.rental import RentalMarket
from sim.clock import MAX_MONTHS
from sim.params import INIT_ONLY_FIELDS, ParamError, coerce, make_params

#: Tokens one H100e serves per second at month 0 for a model of the month-0 frontier,
#: over the served mix (prefill and decode, reasoning included). An assumption sized so
#: that labs serve ~45T tokens/day in Jan 2025 (001's 200T in Aug 2025, wound back at
#: its 2-3-month doubling) with ~40% of their compute (004: training ~60%).
TOKENS_PER_H100E_SECOND_AT_START = 410.0
#: Labs' contracts held at month 0 were signed over 2023-24 for three years: a third
#: of each runs out at the end of 2025, 2026 and 2027 (an assumption).
INITIAL_CONTRACT_ENDS = (12, 24, 36)
#: Contracts signed in 2024 for 2025 capacity, at the growth labs carried into 2025
#: (OpenAI's compute 0.6 -> 1.9 GW in 2025, about 3x, public), starting at these months.
INITIAL_FORWARD_STARTS = tuple(range(1, 12))
INITIAL_FORWARD_GROWTH_PER_YEAR = 3.0


def without_fields(events: list[dict], fields) -> list[dict]:
    """``events`` with ``fields`` taken out of what they set (an event left setting
    nothing is dropped): the fields a person has set hold over the scenario's script."""
    out = []
    for e in events:
        kept = {k: v for k, v in e["set"].items() if k not in fields}
        if kept:
            out.append({**e, "set": kept})
    return out


def validate_events(events: list[dict]) -> list[dict]:
    """Check timed events: a run month in 1..180 (1 = the first month) and known fields
    with allowed values."""
    out = []
    for i, e in enumerate(events):
        if not isinstance(e, dict) or set(e) - {"month", "set", "note"} or "month" not in e or "set" not in e:
            raise ParamError(f"event {i}: needs keys 'month' and 'set' (and optionally 'note'); got {e!r}")
        month = e["month"]
        if isinstance(month, bool) or not isinstance(month, int) or not 1 <= month <= MAX_MONTHS:
            raise ParamError(f"event {i}: month {month!r} is out of range; allowed: an integer in [1, {MAX_MONTHS}] "
                             "(run months count from 1)")
        if not isinstance(e["set"], dict) or not e["set"]:
            raise ParamError(f"event {i}: 'set' must be a non-empty table of parameter = value")
        fixed = [k for k in e["set"] if k in INIT_ONLY_FIELDS]
        if fixed:
            raise ParamError(f"event {i}: parameter '{fixed[0]}' only shapes the initial state and cannot change "
                             "mid-run")
        out.append({"month": month, "set": {k: coerce(k, v) for k, v in e["set"].items()},
                    **({"note": str(e["note"])} if "note" in e else {})})
    return out


class ComputeBubbleModel(mesa.Model):
    """An agent-based market of the AI compute build-out.

    ``ComputeBubbleModel(seed=None, events=None, **params)``: every keyword is a field
    of :class:`sim.params.Params`, validated on entry (``ParamError``, a ``ValueError``).
    ``events`` is a list of ``{"month": M, "set": {field: value}}``: from run month M
    (1 is the first month, like ``efficiency_shock_month`` and ``funding_freeze_month``)
    the fields take the new values, as if a slider moved. ``check=True`` runs the
    consistency checks of :mod:`sim.checks` after every month and raises
    :class:`sim.checks.InvariantError` naming the balance, agent, month and amounts.
    """

    def __init__(self, seed: int | None = None, events: list[dict] | None = None, check: bool = False, **params):
        super().__init__(seed=seed)
        self.check = bool(check)
        self.p = make_params(params)
        self.events = validate_events(events or [])
        self.month = 0
        self.ledger = Ledger()
        self.capital = CapitalMarket(self)
        self.rental = RentalMarket(self)
        self.figures: list[dict] = []
        self.levels: list[list[int]] = []
        self.readings: list[thresholds.Reading] = []
        self.gauge_levels: list[list[int]] = []
        self.gauge_readings: list[thresholds.Reading] = []
        self.defaults: list[dict] = []
        self._set_efficiency()
        self._create_agents()
        self.contract_graph = network.build_contract_graph(self)
        self.initial_fleet_h100e = sum(h.fleet.h100e for h in self.hyperscalers)
        self.initial_cash_usd = {a.name: a.cash_usd for a in self.agents}
        self.datacollector = DataCollector(model_reporters=reporters.MODEL_REPORTERS,
                                           agenttype_reporters=reporters.agent_reporters())
        self.running = True

    # ===== set-up ===================================================================
    def _create_agents(self) -> None:
        p = self.p
        self.vendors = [ChipVendor(self, s) for s in DEFAULT_VENDORS]
        self.vendors_by_name = {v.name: v for v in self.vendors}
        self.utilities = [PowerUtility(self, s) for s in DEFAULT_UTILITIES]
        self.utilities_by_region = {u.region: u for u in self.utilities}
        self.hyperscalers = [Hyperscaler(self, s) for s in DEFAULT_HYPERSCALERS]
        self.hyperscalers_by_name = {h.name: h for h in self.hyperscalers}
        self.labs = [ModelLab(self, s) for s in DEFAULT_LABS]
        self.labs_by_name = {lab.name: lab for lab in self.labs}
        self.reference_capability = max(lab.capability for lab in self.labs if not lab.open_weights)
        n = p.n_user_cohorts // len(SEGMENTS)
        self.user_segments = [UserCohorts(self, s, n) for s in SEGMENTS]
        self.gpu_rental_usd_per_hour = p.initial_rental_usd_per_gpu_hour
        self._seed_contracts()
        for h in self.hyperscalers:
            h.seed_state(sum(c.h100e for c in self.rental.contracts if c.seller == h.name and c.start <= 0))
        for v in self.vendors:
            v.seed_backlog({h.name: h.fleet.h100e * h.vendor_mix.get(v.name, 0.0) for h in self.hyperscalers
                            if v.sells_to(h.name)})
        self._users0 = None
        self.rental.clear(0)
        self.inference_share_frac = 1.0 - p.training_share_frac
        self._frontier_history = self._frontier_before_start()
        for lab in self.labs:
            lab.price_usd_per_mtok = lab.price_target()

    def _seed_contracts(self) -> None:
        """Labs' contracts at month 0 (public record, Epoch AI) and the forward contracts
        signed in 2024 for 2025's growth, at the month-0 rental price."""
        p = self.p
        scale = p.hyperscaler_fleet_scale
        for spec in DEFAULT_LABS:
            for seller, h100e in spec.contracts_h100e.items():
                for end in INITIAL_CONTRACT_ENDS:
                    self.rental.sign(spec.name, seller, h100e * scale / len(INITIAL_CONTRACT_ENDS), -12, 12 + end,
                                     p.initial_rental_usd_per_gpu_hour)
                before = h100e * scale
                for start in INITIAL_FORWARD_STARTS:
                    after = h100e * scale * INITIAL_FORWARD_GROWTH_PER_YEAR ** (start / 12.0)
                    self.rental.sign(spec.name, seller, after - before, start, p.contract_term_months,
                                     p.initial_rental_usd_per_gpu_hour)
                    before = after

    def _frontier_before_start(self) -> list[float]:
        """The frontier's capability over the months before the start, so the open-weights
        lab trails it by ``open_weights_lag_months`` from month 1 (002): cumulative
        training was (prior - m) / prior of month 0's, m months back."""
        from agents.model_lab import PRIOR_TRAINING_MONTHS

        p = self.p
        lag = min(p.open_weights_lag_months, int(PRIOR_TRAINING_MONTHS) - 1)
        return [self.reference_capability + p.scaling_exponent * math.log10((PRIOR_TRAINING_MONTHS - m)
                                                                           / PRIOR_TRAINING_MONTHS)
                for m in range(lag, 0, -1)]

    def _set_efficiency(self) -> None:
        """This month's tokens per H100e-day at the month-0 frontier (``efficiency_at``)."""
        self.tokens_per_h100e_day = self.efficiency_at(self.month)

    def efficiency_at(self, month: int) -> float:
        """Tokens an H100e serves a day in run month ``month`` (0 is the start) for a model
        of the month-0 frontier's capability: ``efficiency_gain_per_year`` at first, the
        log gain halving every ``efficiency_gain_halflife_years``. An efficiency shock
        counts only once it has happened: for a later month this is what agents can
        expect now, the trend without a shock no one has seen (002: DeepSeek surprised)."""
        p = self.p
        seen = min(month, self.month) + 1
        shock = p.efficiency_shock_factor if 0 < p.efficiency_shock_month <= seen else 1.0
        half = p.efficiency_gain_halflife_years
        years = half / math.log(2.0) * (1.0 - 2.0 ** (-month / 12.0 / half))   # effective years of gain
        return TOKENS_PER_H100E_SECOND_AT_START * 86400.0 * p.efficiency_gain_per_year ** years * shock

    # ===== public figures other agents may read ======================================
    def adoption_index(self) -> float:
        """Active AI users in all segments now, relative to month 0."""
        users = sum(float(s.active_users.sum()) for s in self.user_segments)
        if self._users0 is None:
            self._users0 = max(users, 1.0)
        return users / self._users0

    def frontier_capability(self, months_ago: int = 0) -> float:
        """Best closed-lab capability ``months_ago`` months back (public benchmarks)."""
        h = self._frontier_history
        if not h:
            return max(lab.capability for lab in self.labs if not lab.open_weights)
        return h[max(0, len(h) - 1 - months_ago)]

    # ===== the month =================================================================
    def step(self) -> None:
        """One month, in phases."""
        self._begin_month()
        self.capital.step()                                              # 1. capital market
        self.agents_by_type[UserCohorts].do("step")                      # 2. users
        self.agents_by_type[ModelLab].shuffle_do("step")                 # 3. labs
        self.agents_by_type[Hyperscaler].shuffle_do("step")              # 4. hyperscalers,
        self.rental.clear()                                              #    rental market
        self.agents_by_type[ChipVendor].do("step")                       # 5. chip vendors
        self.agents_by_type[PowerUtility].do("step")                     # 6. utilities
        self._settle_network()                                           # 7. contract network
        self._evaluate_and_collect()                                     # 8. thresholds, gauges, data
        self.month += 1
        if self.month >= MAX_MONTHS:
            self.running = False

    def update_params(self, **overrides) -> None:
        """Change parameters from the next month on (live sliders, timed events).

        Fields that only shape the initial state (sizes, start date) cannot change.
        """
        fixed = [k for k in overrides if k in INIT_ONLY_FIELDS]
        if fixed:
            raise ParamError(f"parameter '{fixed[0]}' only shapes the initial state; allowed: set it before the run")
        self.p = self.p.with_overrides(**overrides)
        self._set_efficiency()

    def hold_params(self, **values) -> None:
        """A person's setting (a Live slider moved mid-run): from the next month, and held
        for the rest of the run: the scenario's later timed events no longer change these
        fields (as a setting given before the run replaces the events' values for its
        field: :func:`experiments.runner.model_kwargs`)."""
        self.update_params(**values)
        self.events = without_fields(self.events, values)

    def _begin_month(self) -> None:
        for event in self.events:
            if event["month"] == self.month + 1:
                self.update_params(**event["set"])
        self.ledger.new_month(self.month)
        self.ledger.accrue_late_fees(self.p.late_fee_frac_per_year)
        self._set_efficiency()
        for a in self.hyperscalers + self.labs:
            a.reset_month()

    def _settle_network(self) -> None:
        """Edge weights become this month's flows; defaults are declared and spread;
        public figures for next month."""
        network.update_flows(self.contract_graph, self)
        for agent in self.labs + self.hyperscalers + self.vendors:
            if not agent.defaulted and agent.insolvent():
                self.declare_default(agent, "bills unpaid for three months")
        train = sum(lab.training_h100e for lab in self.labs)
        infer = sum(lab.inference_h100e for lab in self.labs)
        self.inference_share_frac = infer / (train + infer) if train + infer > 0 else 0.0
        live = [h for h in self.hyperscalers if not h.defaulted and h.powered_h100e > 0]
        if live:
            self.gpu_rental_usd_per_hour = (sum(h.spot_usd_per_hour * h.powered_h100e for h in live)
                                            / sum(h.powered_h100e for h in live))
        self._frontier_history.append(max(lab.capability for lab in self.labs if not lab.open_weights))

    def _evaluate_and_collect(self) -> None:
        self.figures.append(reporters.month_figures(self))
        reporters.add_threshold_inputs(self.figures, self.p)
        self.capital.close_month()
        reporters.add_market_figures(self.figures[-1], self.capital)
        readings = self.readings = thresholds.evaluate(self.figures, self.p)
        self.levels.append([r.level for r in readings])
        for r in readings:
            self.figures[-1][f"level_{r.name}"] = r.level
            self.figures[-1][f"value_{r.name}"] = r.value
        dials = self.gauge_readings = gauges.evaluate(self.figures, self.p)
        self.gauge_levels.append([r.level for r in dials])
        for r in dials:
            self.figures[-1][f"gauge_{r.name}"] = r.value
            self.figures[-1][f"gauge_level_{r.name}"] = r.level
        self.figures[-1][reporters.GAUGES_RED] = gauges.count_red(dials)
        self.datacollector.collect(self)
        if self.check:
            checks.check_month(self)

    # ===== defaults and their spread ====================================================
    def declare_default(self, agent, reason: str, propagated: bool = False) -> None:
        """Record a default, write off what it owes and spread it along the network.

        Its unpaid bills are written off and its creditors book the loss; its contracts
        end. A lab's default leaves its sellers with idle capacity; a hyperscaler's
        default cancels its chip orders and grid requests and strands its tenants, who
        default too if they cannot pay elsewhere; a vendor's default cancels its backlog.
        """
        if agent.defaulted:
            return
        agent.on_default()
        written = self.ledger.write_off(agent)
        lender_loss = 0.0
        for h in self.hyperscalers:
            book = self.rental.remaining_revenue_usd(h.name, self.month)
            if book > 0 and not h.defaulted:
                mine = self.rental.remaining_revenue_usd(h.name, self.month, lab=agent.name)
                if mine > 0:
                    lender_loss += h.tenant_defaulted(mine / book)
        self.rental.end_contracts(agent.name)
        for h in self.hyperscalers:
            loss = self.ledger.losses.pop(h.name, 0.0)
            if loss:
                h.book_bad_debt(loss)
        self.defaults.append({"month": self.month, "name": agent.name, "reason": reason,
                              "propagated": propagated, "written_off_usd": written,
                              "lender_loss_usd": lender_loss})
        self.contract_graph.nodes[agent.name]["defaulted"] = True
        for name in network.counterparties(self.contract_graph, agent.name):
            other = self.hyperscalers_by_name.get(name) or self.labs_by_name.get(name)
            if other is None or other.defaulted:
                continue
            if isinstance(other, Hyperscaler) and other.insolvent():
                self.declare_default(other, f"lost tenant {agent.name}", propagated=True)
            elif isinstance(other, ModelLab) and other.parent is None and not any(
                    not self.hyperscalers_by_name[h].defaulted for h in other.partner_weights):
                self.declare_default(other, f"lost its compute with {agent.name}", propagated=True)
