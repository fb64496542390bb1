"""Issue 10, item 3 "the record beside the run" and item 5 "dates on axes": the public
record's figures drawn on the Live charts, in the charts' units, at the months their
periods cover, with a 'today' line at the newest one; the x axes labelled in years."""

import bqplot as bq
import pytest

from experiments.calibration import BIG_FOUR, load_record, record_value
from sim.model import ComputeBubbleModel
from viz.charts import LiveCharts, date_axis
from viz.record import DEFAULT_START, month_index, record_points, today_month


def by_label(points, text):
    hit = [p for p in points if text in p.label]
    assert len(hit) == 1, (text, [p.label for p in points])
    return hit[0]


def test_points_carry_the_records_values_in_the_charts_units_at_their_months():
    rows = load_record()
    pts = record_points(72)
    capex = by_label(pts["two_curves"], "big four total capex, 2025")
    assert capex.value == record_value("capex_total", "Big four (MSFT GOOGL AMZN META)", "2025", rows)[0] == 410
    # the firms' own reports add up to about the big-four row
    assert sum(record_value("capex_total", f, "2025", rows)[0] for f in BIG_FOUR) == pytest.approx(410, rel=0.02)
    assert capex.month == 5.5 and capex.group == "capex" and "not AI only" in capex.label     # the middle of 2025
    rr = by_label(pts["two_curves"], "OpenAI + Anthropic run-rates, 2025-12")
    assert rr.value == 29 and rr.month == 11 and rr.group == "revenue"
    assert by_label(pts["two_curves"], "Anthropic run-rate, 2025-08").month == 7
    assert not [p for p in pts["two_curves"] if "2024-12" in p.label]        # ended before the run began
    chips = by_label(pts["chips"], "NVIDIA data-center")
    assert chips.value == pytest.approx(4 * 35.6) and chips.month == 0       # $B/yr; its quarter ends Jan 2025
    ms = by_label(pts["tokens"], "Microsoft")
    assert ms.value == pytest.approx(100 / 90) and ms.month == 1              # T/day over Q1 2025's 90 days
    assert by_label(pts["tokens"], "OpenAI API").value == 8.6
    assert by_label(pts["tokens"], "OpenAI API").month == month_index(2025, 10) == 9
    assert by_label(pts["rental"], "H100").value == 2.85
    vals = sorted(pts["valuation"])
    assert [p.month for p in vals] == [0, 11]
    assert vals[0].value == pytest.approx((3290 + 157 + 61.5) / 1000)
    assert vals[1].value == pytest.approx((4530 + 500 + 183) / 1000)
    assert today_month(pts) == 11                                             # Dec 2025, the newest figure


def test_points_stay_inside_the_run_window():
    short = record_points(6)
    assert all(0 <= p.month <= 5 for ps in short.values() for p in ps)
    assert not [p for p in short["two_curves"] if "2025:" in p.label]         # a year's middle is past month 5
    later = record_points(24, start=(2025, 7))
    assert by_label(later["two_curves"], "Anthropic run-rate, 2025-12").month == 5
    assert not later["rental"] and not [p for p in later["two_curves"] if "2025-01" in p.label]
    assert record_points(12, start=(2027, 1)) == {k: [] for k in record_points(12)}


def test_live_charts_carry_the_record_scatter_and_the_today_line():
    m = ComputeBubbleModel(seed=1, n_user_cohorts=100)
    charts = LiveCharts(72, [lab.name for lab in m.labs])
    for _ in range(3):
        m.step()
        charts.add(m)
    charts.flush()
    assert charts.today == 11
    for key in ("two_curves", "tokens", "chips", "rental", "valuation"):
        chart = getattr(charts, key)
        scatters = [mk for mk in chart.figure.marks if isinstance(mk, bq.Scatter)]
        assert scatters, key
        assert all(s.labels[0].startswith("public record") and s.display_legend for s in scatters)
        xs = sorted(float(x) for s in scatters for x in s.x)
        assert xs == sorted(p.month for p in charts.record[key])
    two = [mk for mk in charts.two_curves.figure.marks if isinstance(mk, bq.Scatter)]
    assert 410 in [float(y) for s in two for y in s.y]
    for chart in charts.all:
        today = [mk for mk in chart.figure.marks if isinstance(mk, bq.Lines) and mk.labels
                 and mk.labels[0].startswith("today")]
        assert len(today) == 1 and list(today[0].x) == [11, 11]
        assert "2025-12" in today[0].labels[0]
    assert charts.chips.data[0, 0] == pytest.approx(m.figures[0]["chip_revenue_usd"] * 12e-9)
    assert charts.rental.data[0, 2] == m.figures[2]["gpu_rental_usd_per_hour"]


def test_x_axes_are_labelled_in_years():
    charts = LiveCharts(72, ["OpenAI"])
    for chart in charts.all:
        x_axis = chart.figure.axes[0]
        assert x_axis.orientation == "horizontal" and x_axis.tick_format == "d"
        assert list(x_axis.tick_values) == [2025, 2026, 2027, 2028, 2029, 2030]
        assert x_axis.scale.min == 2025 and x_axis.scale.max == pytest.approx(2025 + 71 / 12)
    assert DEFAULT_START == (2025, 1)
    later = date_axis(24, (2026, 7))
    assert later.scale.min == pytest.approx(2026.5) and list(later.tick_values) == [2027, 2028]
