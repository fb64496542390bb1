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
