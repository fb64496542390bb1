"""The app's pieces without a browser: sliders are real live fields, the meter and the
network draw what the model holds, the Compare table colours by bubble risk."""

import html
import re

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


def _verdict(outcome: str) -> dict:
    """A verdict dict as sim.thresholds.verdict returns it, for the banner's words."""
    return {"outcome": outcome, "outcome_reason": f"the reason for {outcome}", "bust_month": "2030-07",
            "bust_cause": "valuation -45% from 2029-01 peak (2030-07); damage: idle 25% (2030-05)",
            "capex_fall_month": "2029-11", "first_fall": "idle 20% (2029-03)",
            "chain": [{"month": "2025-01", "kind": "threshold", "event": "revenue_gap turns red", "value": 0.3},
                      {"month": "2029-03", "kind": "idle", "event": "idle 20% of powered GPUs", "value": 0.2},
                      {"month": "2030-07", "kind": outcome, "event": f"{outcome.upper()}: words", "value": -0.45},
                      {"month": "2031-02", "kind": "default", "event": "Lab defaults", "value": 1e9}]}


def test_the_verdict_banner_has_words_for_each_outcome():
    """Issue 10: the banner says the outcome so far, then settles on a coloured verdict with
    when, why, what fell and which side of the debate the run supports."""
    from sim import thresholds
    from viz import verdict

    assert set(verdict.OUTCOME_WORDS) == set(thresholds.OUTCOMES)
    assert verdict.OUTCOME_WORDS["boom"]["colour"] == live.LEVEL_COLOURS[thresholds.GREEN]
    assert verdict.OUTCOME_WORDS["digestion"]["colour"] == live.LEVEL_COLOURS[thresholds.AMBER]
    assert verdict.OUTCOME_WORDS["bust"]["colour"] == live.LEVEL_COLOURS[thresholds.RED]
    assert "bears" in verdict.OUTCOME_WORDS["bust"]["side"] and "bulls" in verdict.OUTCOME_WORDS["boom"]["side"]
    assert "no crash in the price" in verdict.OUTCOME_WORDS["digestion"]["side"]
    want = {"bust": "Verdict: BUST in 2030-07 — valuation -45% from 2029-01 peak (2030-07); damage",
            "digestion": "Verdict: DIGESTION from 2029-11 — the reason for digestion",
            "boom": "Verdict: BOOM through 2031-12 — the reason for boom"}
    for outcome, words in verdict.OUTCOME_WORDS.items():
        v = _verdict(outcome)
        final = verdict.banner_html(v, True, 84, "2031-12")
        assert f'data-outcome="{outcome}"' in final and 'data-final="true"' in final
        assert words["colour"] in final
        text = html.unescape(re.sub(r"<[^>]+>", " ", final))
        assert want[outcome] in " ".join(text.split()), text
        assert words["side"] in text
        assert "first to fall: idle 20% (2029-03)" in text
        # the chain up to the outcome, in plain words: not after it, not a column name
        assert "2025-01: the revenue gap turns red" in text and "Lab defaults" not in text
        running = verdict.banner_html(v, False, 30, "2031-12")
        text = html.unescape(re.sub(r"<[^>]+>", " ", running))
        assert 'data-final="false"' in running and words["side"] not in text
        assert f"So far: {words['label']}" in text
        assert running.count("<li>") == min(4, len(v["chain"]))
        assert "2031-02: Lab defaults" in text           # the latest events while running
    assert "fills in as the run goes" in verdict.banner_html(None, False, 0, "2031-12")


def test_live_banner_settles_on_the_runs_verdict():
    """Stepped to its horizon (the verdict worked out only every few months on the way),
    Live's banner says the outcome experiments.runner.run gives the same scenario."""
    from experiments.runner import run
    from viz import sources

    r = live.LiveRun(sources.load_named("dark-fibre"), 1, 24, {})
    for i in range(24):
        r.step()
        r.flush(verdict=i % 3 == 2)
    out = run(None, 24, 1, "dark-fibre")
    assert r.verdict["outcome"] == out["outcome"] == "bust"
    assert f"Verdict: BUST in {out['bust_month']}" in r.banner.value
    assert 'data-final="true"' in r.banner.value


def test_meter_tiles_carry_bands_history_and_a_plain_tooltip():
    """Issue 10: tiles showed only the current month ('Ghost compute (lag / generation)
    0.17'?). Each tile now carries its bands, its red history so far (as the run's
    summary counts it) and a tooltip saying what it measures, its source and its red line."""
    from experiments.runner import summarize
    from sim import thresholds
    from viz import verdict

    assert set(thresholds.PLAIN) == set(thresholds.NAMES)
    assert all("Source:" in t and "red line" in t for t in thresholds.PLAIN.values())
    m = ComputeBubbleModel(seed=1, n_user_cohorts=100)
    for _ in range(30):
        m.step()
    p = m.p
    history = verdict.red_history(m.levels, lambda k: live.month_date(p.start_year, p.start_month, k))
    page = live.bubble_meter_html(m.readings, history)
    out = summarize(m)
    tiles = re.findall(r'<div class="bubble-meter-item[^"]*" data-threshold="(\w+)".*?title="([^"]*)"(.*?)'
                       r'(?=<div class="bubble-meter-item|$)', page)
    assert [t[0] for t in tiles] == list(thresholds.NAMES)
    for (name, title, body), r in zip(tiles, m.readings):
        assert html.unescape(title).startswith(thresholds.PLAIN[name])
        body = html.unescape(body)
        assert verdict.band_text(r) in body and ("amber" in body and "red" in body)
        h = history[name]
        assert h["first"] == out[f"first_{name}"] and h["months_red"] == out[f"months_red_{name}"]
        if h["first"] is None:
            assert "never red so far" in body
        else:
            assert f"first red {h['first']}, {h['months_red']} month" in body
    assert any(history[n]["first"] for n in thresholds.NAMES)      # the run has a red history to show
    assert verdict.band_text(m.readings[0]) == "amber < 1.00x, red < 0.50x"
    assert verdict.band_text(m.readings[1]) == "amber ≥ 20%, red ≥ 70%"


def test_every_live_slider_has_a_plain_label_and_its_value_in_its_unit():
    """Issue 10: slider labels were Python field names with no value. Each Live slider's
    head is a plain-language label (not the field name) with its value in its unit:
    percent for fractions, "x" for multipliers, whole months for month fields."""
    for name in live.CONTENTION_SLIDERS + live.LEVER_SLIDERS:
        field = FIELDS[name]
        meta = field.metadata
        label = live.param_label(name)
        assert label == meta["label"] and label != meta["desc"], name     # a short label of its own
        assert "_" not in label and name not in label and len(label) <= 60, (name, label)
        for value in (field.default, meta["min"], meta["max"]):
            text = live.format_param(name, value)
            assert "_" not in text and text.strip(), (name, text)
            unit = meta["unit"]
            if unit.startswith("fraction"):
                assert text.endswith(("%", "% a year")), (name, text)
                assert abs(float(text.split("%")[0]) - value * 100) < 1e-6, (name, text)
            elif unit == "month of run":
                assert text == ("never" if value == 0 else f"month {value}"), (name, text)
            elif unit.startswith("x"):
                assert re.fullmatch(r"\d+\.\d+x.*", text), (name, text)
                assert float(text.split("x")[0]) == value, (name, text)
            elif unit.startswith("USD"):
                number = re.fullmatch(r"\$([\d.,]+)([kMBT]?)( a year)?", text)
                assert number, (name, text)
                scale = {"": 1, "k": 1e3, "M": 1e6, "B": 1e9, "T": 1e12}[number.group(2)]
                assert float(number.group(1).replace(",", "")) * scale == value, (name, text)
            else:
                assert float(text.split()[0].rstrip("%")) == value, (name, text)
    assert live.format_param("scaling_exponent", 1.0) == "1.00 points per 10x"
    assert live.format_param("reliability_ceiling_frac", 0.5) == "50%"
    assert live.format_param("interest_rate_frac", 0.045) == "4.5% a year"
    assert live.format_param("efficiency_gain_per_year", 6.0) == "6.0x a year"
    assert live.format_param("capex_tolerance_ocf_frac", 1.0) == "1.00x operating cash flow"
    assert live.format_param("funding_freeze_month", 0) == "never"
    assert live.format_param("funding_freeze_month", 24) == "month 24"
    assert live.format_param("sovereign_floor_usd_per_year", 1e11) == "$100B a year"


def test_other_fields_format_dollars_and_months_and_keep_their_description_as_label():
    assert live.format_param("lab_funding_usd_per_year", 120e9) == "$120B a year"
    assert live.format_param("neocloud_debt_capacity_usd", 40e9) == "$40B"
    assert live.format_param("labour_replaceable_usd_per_year", 3.5e12) == "$3.5T a year"
    assert live.format_param("contract_term_months", 36) == "36 months"
    # a field without a label of its own falls back to its description
    assert FIELDS["start_year"].metadata["label"] == FIELDS["start_year"].metadata["desc"]
    for f in FIELDS.values():
        assert {"unit", "desc", "min", "max", "source", "label"} <= set(f.metadata), f.name


def test_every_setting_a_thing_to_try_names_becomes_a_live_button():
    """Issue 10: 18 of 33 "things to try" named parameters with no control in Live. Every
    ``field = value`` a shipped card suggests is now a button that opens Live with that
    change applied, as a valid value of the field: every suggestion has at least one."""
    import re

    from experiments.debate import cards
    from viz.debate import try_settings

    with_buttons = 0
    for c in cards():
        for text in c["try"]:
            named = {f for f in re.findall(r"\b([a-z][a-z0-9_]*)\s*=\s*-?\d", text) if f in FIELDS}
            settings = try_settings(text)
            assert {f for f, _ in settings} == named, (c["name"], text)
            for field, value in settings:
                lo, hi = FIELDS[field].metadata["min"], FIELDS[field].metadata["max"]
                assert lo <= value <= hi, (field, value)
            assert settings, (c["name"], text)
            with_buttons += 1
    assert with_buttons == sum(len(c["try"]) for c in cards()) >= 30
