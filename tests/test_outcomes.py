"""The outcomes are declared once (experiments/outcomes.py): summarize() returns every one,
and nothing that shows outcomes (the command line, the app's Compare page, the sweep
analysis) names one the table lacks."""

from __future__ import annotations

import pytest

from experiments import outcomes
from experiments.outcomes import BY_NAME, OUTCOMES, SERIES, TAGS


class Recorder(dict):
    """A summary that remembers which outcomes were read from it."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.read: set[str] = set()

    def __getitem__(self, key):
        self.read.add(key)
        return super().__getitem__(key)

    def get(self, key, default=None):
        self.read.add(key)
        return super().get(key, default)


@pytest.fixture(scope="module")
def outcome():
    from experiments.runner import run

    return run(None, months=14, seed=1, scenario="baseline")


def test_the_table_is_well_formed():
    assert len(BY_NAME) == len(OUTCOMES), "an outcome declared twice"
    for o in OUTCOMES:
        assert o.risk in ("higher", "lower", None), o
        assert o.at is None or BY_NAME[o.at].unit == "YYYY-MM", o
        assert o.label and o.unit, o
    assert set(outcomes.COMPARED) <= set(BY_NAME) and set(outcomes.ANALYSED) <= set(BY_NAME)


def test_summarize_returns_every_outcome_of_the_table_and_nothing_else(outcome):
    scalars = {k for k in outcome if k not in SERIES and k not in TAGS}
    assert scalars == set(BY_NAME)
    assert set(SERIES) | set(TAGS) <= set(outcome)
    for o in OUTCOMES:   # each formats the value run() gives it
        assert isinstance(o.format(outcome[o.name]), str)


def test_the_cli_and_the_app_show_only_outcomes_of_the_table(outcome):
    from experiments.cli import format_verdict
    from experiments.outcomes import compare_rows
    from viz.compare import difference_rows

    known = set(BY_NAME) | set(SERIES) | set(TAGS)
    shown = {}
    s = Recorder(outcome)
    format_verdict(s)
    shown["computebubble run"] = s.read
    a, b = Recorder(outcome), Recorder(outcome)
    compare_rows(a, b)
    shown["computebubble compare"] = a.read | b.read
    a, b = Recorder(outcome), Recorder(outcome)
    app_rows = difference_rows({"a": {"summary": a}, "b": {"summary": b}})
    shown["app Compare page"] = a.read | b.read
    for where, names in shown.items():
        assert names, where
        assert names <= known, f"{where} shows outcomes the table lacks: {sorted(names - known)}"
    # the command line's comparison and the app's are one table
    assert [(r.label, r.a, r.b, r.diff) for r in compare_rows(outcome, outcome)] == \
           [(r["label"], r["a"], r["b"], r["diff"]) for r in app_rows]
    assert {r["name"] for r in app_rows} <= set(BY_NAME) | {"thresholds_crossed"}


def test_the_analysis_explains_outcomes_of_the_table():
    from experiments.sweep_stats import OUTPUTS

    assert {name for name, _ in OUTPUTS} <= set(BY_NAME)
    assert dict(OUTPUTS)["bust"] == "bust probability"


def test_direction_of_risk():
    gap, runway, capex = BY_NAME["max_revenue_gap_usd_per_year"], BY_NAME["min_lab_runway_months"], \
        BY_NAME["peak_capex_usd_per_year"]
    assert gap.worse(1e11, 2e11) is True and gap.worse(2e11, 1e11) is False
    assert runway.worse(12.0, 6.0) is True and runway.worse(None, 6.0) is None
    assert capex.worse(1e11, 2e11) is None
    assert BY_NAME["max_idle_frac"].difference(0.10, 0.15) == "+5.0 pts"


def test_the_verdict_and_the_thresholds_history_are_declared_with_their_units():
    from sim.thresholds import NAMES, WORSE

    assert BY_NAME["outcome"].unit == "text" and "chain" in SERIES
    for n in NAMES:
        worst = BY_NAME[f"worst_{n}"]
        assert worst.risk == WORSE[n], n           # coverage and runway are worse lower
        assert BY_NAME[f"months_red_{n}"].unit == "months"
    assert BY_NAME["worst_payback"].format(None) == "never pays back"
    assert BY_NAME["worst_write_downs"].format(989e9) == "989"
    assert BY_NAME["peak_valuation_usd"].format(8.06e12) == "8.06"
    assert BY_NAME["peak_valuation_usd"].difference(8e12, 6e12) == "-2.00 (-25%)"
    assert BY_NAME["max_revenue_gap_usd_per_year"].unit == "$B/yr"


def test_the_analysis_explains_each_outcomes_share():
    from experiments.sweep_stats import OUTPUTS

    labels = dict(OUTPUTS)
    assert labels["bust"] == "bust probability" and labels["digestion"] == "digestion probability"
    assert labels["boom"] == "boom probability"


def test_compare_rows_start_with_the_outcome_and_what_fell_first(outcome):
    from experiments.outcomes import compare_rows

    bust = {**outcome, "outcome": "bust", "bust_month": "2029-01"}
    boom = {**outcome, "outcome": "boom", "first_fall": None}
    rows = compare_rows(boom, bust)
    assert [r.name for r in rows[:2]] == ["outcome", "first_fall"]
    assert (rows[0].a, rows[0].b, rows[0].diff, rows[0].worse) == ("boom", "bust (2029-01)", "B worse", True)
    assert compare_rows(bust, boom)[0].worse is False
