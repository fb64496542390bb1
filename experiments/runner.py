"""The model as an experiment: ``run(params, months, seed) -> outcomes``.

Exploratory-modelling style (EMA Workbench): one plain function takes parameter
overrides, a horizon and a seed, runs :class:`sim.model.ComputeBubbleModel`, and returns
the outcomes as a flat dict of plain Python values (``bool``, ``int``, ``float``,
``str``, ``None``, lists and dicts of those), ready for ``json.dumps``, a sweep's Parquet
table or a comparison across seeds. Floats that are not finite (a lab burning no cash
has an infinite runway; growth is undefined in the first year) come back as ``None``.

Outcomes (declared once, with their units, labels and which way is risk, in
:mod:`experiments.outcomes`; a test checks that this function returns every one):

- the verdict (:func:`sim.thresholds.verdict`), from the whole run: ``outcome`` (``boom``,
  ``digestion`` or ``bust``) with ``outcome_reason`` in words, the booleans ``bust``,
  ``digestion`` and ``boom``; ``bust_month`` (the first month the AI valuation stands
  40% below its running peak with a sign of damage from 6 months before to 12 after)
  and ``bust_cause``; ``capex_fall_month`` (annual capex first 30% below its peak);
  ``damage`` and ``damage_month`` (the first sign of damage: idle capacity, a rental
  price fall, material impairments, a default); ``first_fall`` (what fell first);
- the valuation: ``peak_valuation_usd`` and ``peak_valuation_month``,
  ``valuation_last_usd``, ``max_valuation_fall_frac`` (the deepest fall below its
  running peak), ``min_valuation_ratio`` and ``max_valuation_ratio`` (valuation over
  fundamental value);
- capex and the gap: ``peak_capex_usd_per_year``, ``peak_capex_month``,
  ``max_capex_drawdown_frac`` (the deepest fall of annual capex below its running peak),
  ``max_revenue_gap_usd_per_year`` (the largest monthly gap x 12, an annual rate);
- the thresholds' history: for each name in :data:`sim.thresholds.NAMES` a
  ``crossed_<name>`` bool, the ``first_<name>`` month ("YYYY-MM") it turned red,
  ``months_red_<name>`` and ``worst_<name>``, its worst value in its own unit
  (:data:`sim.thresholds.UNITS`; None where it is infinite: a payback that never comes);
- the gauges (sim/gauges.py, when the figures carry ``gauges_red``; None otherwise):
  ``max_gauges_red`` and ``three_gauges_red_month``;
- ``n_defaults``; the last year of the run: ``revenue_last_year_usd``,
  ``capex_last_year_usd``, ``chip_revenue_last_year_usd`` (sums over the final 12
  months, fewer in a shorter run), and over the whole run ``max_idle_frac``,
  ``max_ghost_gw``, ``min_lab_runway_months``;
- series (:data:`experiments.outcomes.SERIES`): ``chain``, the events in month order
  (``{"month": "YYYY-MM", "kind", "event": words, "value": number or None}``: valuation
  peaks and falls, capex's peak and fall, the first idle, rental and impairment damage,
  each default, funding running dry, each threshold's first red month, the outcome);
  ``defaults`` (names); ``years`` (calendar years) and ``yearly``: column -> one value
  per year, the sum for flow columns and the last month's value (December in a full
  year) for stock columns (the valuation, fundamental value and belief shares among
  them), plus ``required_revenue_usd_per_year`` (the last month's required revenue x 12)
  and ``months`` (months of the run in that year, 12 except at the ends);
- tags: ``scenario``, ``months``, ``seed``.
"""

from __future__ import annotations

import math
from typing import Any

from sim import reporters as R
from sim import thresholds
from sim.clock import MAX_MONTHS
from sim.params import ParamError, coerce

#: Yearly sums.
FLOW_COLUMNS = (R.AI_CAPEX_USD, R.AI_REVENUE_USD, R.CHIP_REVENUE_USD, R.IMPAIRMENTS_USD)
#: Yearly last-month values.
STOCK_COLUMNS = (R.IDLE_FRAC, R.GHOST_GW, R.POWERED_GW, R.TOKENS_PER_DAY, R.PRICE_USD_PER_MTOK,
                 R.GPU_RENTAL_USD_PER_HOUR, R.SENTIMENT, R.VALUATION_USD, R.FUNDAMENTAL_VALUE_USD, R.VALUATION_RATIO,
                 "belief_trend_frac", "belief_fundamentalist_frac", "belief_physics_frac")


def check_months(months: Any) -> int:
    """The run's horizon as an int in [1, MAX_MONTHS]; accepts integer strings (the CLI)."""
    allowed = f"allowed: an integer in [1, {MAX_MONTHS}] (months of run)"
    value = months
    if isinstance(value, str):
        try:
            value = int(value.strip().replace("_", ""))
        except ValueError:
            raise ParamError(f"'months': value {months!r} is not an integer; {allowed}") from None
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, bool) or not isinstance(value, int):
        raise ParamError(f"'months': value {months!r} is not an integer; {allowed}")
    if not 1 <= value <= MAX_MONTHS:
        raise ParamError(f"'months': value {value} is out of range; {allowed}")
    return value


def check_seed(seed: Any) -> int | None:
    """A seed as a non-negative int, or None (fresh randomness); accepts integer strings."""
    if seed is None:
        return None
    value = seed
    if isinstance(value, str):
        try:
            value = int(value.strip())
        except ValueError:
            value = None
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise ParamError(f"'seed': value {seed!r} is not allowed; allowed: a non-negative integer")
    return value


def check_run_months(params: dict[str, Any], months: int) -> None:
    """Refuse a run-month parameter (``efficiency_shock_month``, ``funding_freeze_month``)
    beyond the run's ``months``: what it switches on would never happen. The run-month
    fields are those whose unit is "month of run" (0 = never)."""
    from sim.params import FIELDS

    for name, value in params.items():
        if name not in FIELDS or FIELDS[name].metadata.get("unit") != "month of run":
            continue
        if isinstance(value, (int, float)) and not isinstance(value, bool) and value > months:
            raise ParamError(f"parameter '{name}': value {value:g} is after the run's last month, so it would never "
                             f"happen; allowed: 0 (never) or a month in [1, {months}] for a {months}-month run (or "
                             f"run {value:g} months or more)")


def model_kwargs(params: dict[str, Any] | None = None, months: int = 72, scenario=None) -> dict[str, Any]:
    """Keyword arguments for the Model: the scenario's (none: defaults), then ``params``.

    ``scenario`` is a name, a path or a loaded :class:`experiments.scenario.Scenario`.
    Every override goes through :func:`sim.params.coerce` (so strings like "1.2" work);
    the scenario's events are checked against the horizon ``months``. A field set in
    ``params`` holds for the whole run: the scenario's timed events no longer change it
    (``--set sovereign_floor_usd_per_year=3e10`` on sovereign-backstop is a $30B floor from
    the first month, not one the month-7 event raises to $100B).
    """
    kwargs: dict[str, Any] = {}
    if scenario is not None:
        from experiments.scenario import Scenario, load_scenario

        sc = scenario if isinstance(scenario, Scenario) else load_scenario(scenario)
        sc.check_horizon(months)
        kwargs = sc.model_kwargs()
    if params is not None and not isinstance(params, dict):
        raise ParamError(f"'params': value {params!r} is not allowed; allowed: a dict of parameter = value")
    kwargs.update({k: coerce(k, v) for k, v in (params or {}).items()})
    if params and kwargs.get("events"):
        from sim.model import without_fields

        kwargs["events"] = without_fields(kwargs["events"], params)
    return kwargs


def build_model(params: dict[str, Any] | None = None, months: int = 72, seed: int | None = None,
                scenario=None, check: bool = False):
    """The model every run starts from, not yet stepped: the horizon and seed checked, the
    scenario's parameters, then ``params`` (:func:`model_kwargs`). :func:`run`,
    :func:`run_model`, the comparisons and the app's Live page (which steps it month by
    month) all build their model here. ``check=True`` runs the consistency checks of
    :mod:`sim.checks` every month."""
    from sim.model import ComputeBubbleModel

    months = check_months(months)
    seed = check_seed(seed)
    return ComputeBubbleModel(seed=seed, check=check, **model_kwargs(params, months, scenario))


def stepped_model(params: dict[str, Any] | None = None, months: int = 72, seed: int | None = None,
                  scenario=None, check: bool = False):
    """:func:`build_model`, stepped ``months`` times; return the model."""
    model = build_model(params, months, seed, scenario, check)
    for _ in range(check_months(months)):
        model.step()
    return model


def run_model(params: dict[str, Any] | None = None, months: int = 72, seed: int | None = None,
              scenario=None, check: bool = False):
    """Build and step the model; return ``(model, frame)``, the frame being the
    DataCollector's model-level DataFrame (one row per month)."""
    model = stepped_model(params, months, seed, scenario, check)
    return model, model.datacollector.get_model_vars_dataframe()


def run(params: dict[str, Any] | None = None, months: int = 72, seed: int | None = None,
        scenario: str | None = None) -> dict[str, Any]:
    """Run the model and return its outcomes as plain Python values (see the module doc)."""
    months = check_months(months)
    seed = check_seed(seed)
    model = stepped_model(params, months, seed, scenario)  # no DataFrame: ~5 ms a run saved in sweeps
    out = summarize(model)
    name = getattr(scenario, "name", scenario)
    out.update({"scenario": None if name is None else str(name), "months": months, "seed": seed})
    return out


# ===== outcomes ===============================================================================

def plain(value: Any) -> Any:
    """numpy/pandas scalars to Python ones, non-finite floats to None, recursively."""
    if isinstance(value, dict):
        return {str(k): plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [plain(v) for v in value]
    if value is None or isinstance(value, (bool, str)):
        return value
    if hasattr(value, "item") and not isinstance(value, (int, float)):
        value = value.item()  # numpy scalar
    if isinstance(value, bool) or isinstance(value, int):
        return bool(value) if isinstance(value, bool) else int(value)
    if isinstance(value, float):
        return float(value) if math.isfinite(value) else None
    return value


def run_verdict(model) -> dict[str, Any]:
    """The model's verdict (:func:`sim.thresholds.verdict`) for the months run so far."""
    p = model.p
    return thresholds.verdict(model.figures, model.levels, model.defaults, p, p.start_year, p.start_month)


def yearly(figs: list[dict[str, Any]]) -> tuple[list[int], dict[str, list[Any]]]:
    """Calendar years and per-year values: sums of flows, last-month values of stocks."""
    years: list[int] = []
    groups: list[list[dict]] = []
    for f in figs:
        y = int(f[R.DATE][:4])
        if not years or years[-1] != y:
            years.append(y)
            groups.append([])
        groups[-1].append(f)
    table: dict[str, list[Any]] = {c: [sum(f[c] for f in g) for g in groups] for c in FLOW_COLUMNS}
    table.update({c: [g[-1][c] for g in groups] for c in STOCK_COLUMNS})
    table["required_revenue_usd_per_year"] = [12.0 * g[-1][R.REQUIRED_REVENUE_USD] for g in groups]
    table["months"] = [len(g) for g in groups]
    return years, table


#: The verdict's scalar outcomes summarize() passes on as they are, in order.
VERDICT_OUTCOMES = (
    "outcome", "outcome_reason", "bust", "digestion", "boom", "bust_month", "bust_cause", "capex_fall_month",
    "damage", "damage_month", "first_fall", "peak_valuation_usd", "peak_valuation_month", "valuation_last_usd",
    "max_valuation_fall_frac", "min_valuation_ratio", "max_valuation_ratio", "peak_capex_usd_per_year",
    "peak_capex_month", "max_capex_drawdown_frac", "max_revenue_gap_usd_per_year", "max_gauges_red",
    "three_gauges_red_month",
)


def summarize(model) -> dict[str, Any]:
    """Outcomes of a model that has been stepped (see the module doc); plain values."""
    figs = model.figures
    v = run_verdict(model)
    last = figs[-12:]
    out: dict[str, Any] = {k: v[k] for k in VERDICT_OUTCOMES}
    for name in thresholds.NAMES:
        h = v["history"][name]
        out[f"crossed_{name}"] = h["first"] is not None
        out[f"first_{name}"] = h["first"]
        out[f"months_red_{name}"] = h["months_red"]
        out[f"worst_{name}"] = h["worst"]
    out["n_defaults"] = len(v["defaults"])
    out["defaults"] = list(v["defaults"])
    out["chain"] = v["chain"]
    out["revenue_last_year_usd"] = sum(f[R.AI_REVENUE_USD] for f in last)
    out["capex_last_year_usd"] = sum(f[R.AI_CAPEX_USD] for f in last)
    out["chip_revenue_last_year_usd"] = sum(f[R.CHIP_REVENUE_USD] for f in last)
    out["max_idle_frac"] = max(f[R.IDLE_FRAC] for f in figs)
    out["max_ghost_gw"] = max(f[R.GHOST_GW] for f in figs)
    out["min_lab_runway_months"] = min(f[R.LAB_MIN_RUNWAY_MONTHS] for f in figs)
    years, table = yearly(figs)
    out["years"] = years
    out["yearly"] = table
    return plain(out)


__all__ = ["run", "run_model", "build_model", "stepped_model", "summarize", "run_verdict", "yearly", "check_months", "check_seed", "model_kwargs",
           "check_run_months",
           "FLOW_COLUMNS", "STOCK_COLUMNS", "VERDICT_OUTCOMES", "plain"]
