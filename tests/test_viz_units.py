"""The app's pieces without a browser: sliders are real live fields, the meter and the
network draw what the model holds, the Compare table colours by bubble risk."""

from sim.model import ComputeBubbleModel
from sim.params import FIELDS, INIT_ONLY_FIELDS
from viz import compare, live, network_view


def test_every_slider_is_a_live_parameter_field():
    for name in live.CONTENTION_SLIDERS + live.LEVER_SLIDERS:
        assert name in FIELDS, name
        assert name not in INIT_ONLY_FIELDS, name


def test_meter_and_network_show_the_model():
    m = ComputeBubbleModel(seed=1, n_user_cohorts=100)
    assert "No month yet" in live.bubble_meter_html(m.readings)
    for _ in range(3):
        m.step()
    html = live.bubble_meter_html(m.readings)
    assert html.count('class="bubble-meter-item"') == 7
    lab = m.labs[0]
    m.declare_default(lab, "test")
    svg = network_view.svg(m.contract_graph, network_view.layout(m.contract_graph))
    assert f"{lab.name} (defaulted)" in svg
    assert svg.count("<circle") == m.contract_graph.number_of_nodes()


def test_compare_rows_colour_by_bubble_risk():
    def summary(gap, idle, bust):
        return {"peak_capex_usd_per_year": 1e11, "revenue_last_year_usd": 1e11, "max_revenue_gap_usd_per_year": gap,
                "max_idle_frac": idle, "max_ghost_gw": 1.0, "min_lab_runway_months": 12.0, "n_defaults": 0,
                "bust_month": bust}
    res = {"a": {"summary": summary(5e11, 0.1, None)}, "b": {"summary": summary(7e11, 0.05, "2027-01")}}
    rows = {r["name"]: r for r in compare.difference_rows(res)}
    assert rows["max_revenue_gap_usd_per_year"]["colour"] == "#c62828"    # more gap: toward a bubble
    assert rows["max_idle_frac"]["colour"] == "#2e7d32"                   # less idle: away from it
    assert rows["bust"]["colour"] == "#c62828"                            # a bust where there was none
    assert rows["peak_capex_usd_per_year"]["colour"] == "#555"            # capex alone is neither


def test_session_state_is_one_object_per_session():
    from viz.app import apply_query
    from viz.state import Session, session

    assert session() is session()
    a, b = Session(), Session()
    a.live.seed.value = 9
    a.live.overrides.value = {"price_elasticity": 1.5}
    assert b.live.seed.value == 1 and b.live.overrides.value == {}
    apply_query("?seed=3&tab=Compare&months=7")
    s = session()
    assert s.live.seed.value == 3 and s.tab.value == 1
    assert s.live.horizon.value == 72 and "months" in s.link_messages.value[0]


def test_valuation_chart_holds_the_models_valuation_in_trillions():
    """The Live page's valuation chart: valuation and fundamental value (and the trend and
    physics rules' values) in $T, month by month, on a y range of whole ticks that holds
    them; coloured as the belief mix beside it."""
    import numpy as np

    from sim import reporters as R
    from viz.charts import COLOURS, LiveCharts, ValuationChart

    m = ComputeBubbleModel(seed=1, n_user_cohorts=100)
    charts = LiveCharts(12, [lab.name for lab in m.labs])
    for _ in range(4):
        m.step()
        charts.add(m)
        charts.flush()
    chart = charts.valuation
    assert chart.figure in charts.figures
    cols = [R.VALUATION_USD, R.FUNDAMENTAL_VALUE_USD, "value_trend_usd", "value_physics_usd"]
    want = np.array([[max(f[c] / 1e12, ValuationChart.FLOOR_USD_T) for f in m.figures] for c in cols])
    assert np.allclose(chart.data[:, :4], want)
    assert 0.5 < want[0, -1] < 50                          # a valuation in $T, not in dollars
    assert np.allclose(chart.main.y, want[:2]) and np.allclose(chart.thin.y, want[2:])
    assert np.allclose(chart.main.x, np.arange(4))
    # the shading: red between fundamental and valuation where above it, green where below
    val, fund = want[0], want[1]
    assert np.allclose(chart.premium.y, [fund, np.maximum(val, fund)])
    assert np.allclose(chart.discount.y, [np.minimum(val, fund), fund])
    lo, hi = chart.y_scale.min, chart.y_scale.max
    assert lo in ValuationChart.TICKS_USD_T and hi in ValuationChart.TICKS_USD_T
    assert lo <= want.min() and want.max() <= hi
    assert list(chart.y_axis.tick_values) == [t for t in ValuationChart.TICKS_USD_T if lo <= t <= hi]
    assert chart.y_axis.label == "$T" and "$T" in chart.figure.title
    assert list(chart.main.labels) == ["valuation", "fundamental value"]
    assert list(chart.main.colors) == [COLOURS["valuation"], COLOURS["fundamental"]]
    assert COLOURS["fundamental"] == COLOURS["fundamentalist"]      # it is the fundamentalist's value
    beliefs = charts.beliefs
    assert list(chart.thin.colors) == [beliefs.areas[0].colors[0], beliefs.areas[2].colors[0]]   # trend, physics
    assert "bubble" in chart.CAPTION and "trend followers lose share" in chart.CAPTION
    assert "fair value" in beliefs.line.labels[0] and "fundamental value" in beliefs.CAPTION


def test_valuation_chart_draws_near_zero_values_at_its_floor():
    from viz.charts import ValuationChart

    chart = ValuationChart(3)
    chart.set(0, 3e12, 2e12, 0.0, 1e9)
    chart.set(1, 2.5e12, 2e12, 5e12, 1e12)
    chart.flush()
    assert chart.data[2, 0] == chart.data[3, 0] == ValuationChart.FLOOR_USD_T
    assert (chart.y_scale.min, chart.y_scale.max) == (0.1, 5.0)


def test_every_scenarios_slider_values_sit_on_the_sliders_steps():
    """A browser slider snaps a value between two steps and reports the snapped value as a
    move, so the Live run would differ from the scenario it was asked for (issue 10: six
    sliders snapped off their defaults on load). For every shipped scenario, each float
    slider's value lies on that slider's grid (min + k x step)."""
    from experiments.scenario import list_scenarios, load_scenario

    for scenario in list_scenarios():
        params = load_scenario(scenario).params
        for name in live.CONTENTION_SLIDERS + live.LEVER_SLIDERS:
            field = FIELDS[name]
            if field.type in ("int", int):
                continue
            lo, hi = field.metadata["min"], field.metadata["max"]
            value = params.get(name, field.default)
            step = live.slider_step(lo, hi, (field.default, value))
            k = (value - lo) / step
            assert abs(k - round(k)) < 1e-6, (scenario, name, value, step)
            assert step <= (hi - lo) / 50, (name, step)
