"""The teacher's guide: docs/teaching.md is what the generator writes now, its plan fills
50 minutes, and what it says of each run is what the run does."""

from __future__ import annotations

import re

from experiments import run, teaching
from experiments.scenario import list_scenarios


def test_docs_teaching_is_current():
    """docs/teaching.md is what the generator writes now (as tests/test_debate.py checks
    docs/debate.md): its figures are the runs' of this version of the model."""
    assert teaching.DOC_PATH.read_text(encoding="utf-8") == teaching.markdown(), "run: python -m experiments.teaching"


def test_the_plan_fills_the_lesson_in_order():
    parts = teaching.segments()
    assert sum(s["minutes"] for s in parts) == teaching.LESSON_MINUTES == 50
    assert parts[0]["start"] == 0 and parts[-1]["end"] == 50
    assert all(a["end"] == b["start"] for a, b in zip(parts, parts[1:]))
    assert sum(1 for s in parts if s["title"].startswith("Run ")) == len(teaching.LESSON_RUNS) == 4
    md = teaching.markdown()
    for s in parts:
        assert f"| {s['start']}-{s['end']} | " in md


def test_each_runs_stated_outcome_is_the_runs():
    """Each run's verdict in the guide (and on the Info tab, which reads lesson()) is what
    experiments.run gives that scenario on the lesson's seed and horizon."""
    assert {r.scenario for r in teaching.LESSON_RUNS} <= set(list_scenarios())
    md = teaching.markdown()
    for r in teaching.lesson():
        out = run(None, teaching.MONTHS, teaching.SEED, r["scenario"])
        assert r["outcome"] == out["outcome"], r["scenario"]
        when = {"bust": out["bust_month"], "digestion": out["capex_fall_month"]}.get(out["outcome"])
        assert r["notice"][0].startswith(f"The verdict: **{out['outcome']}** ")
        if when:
            assert f"**{out['outcome']}** {r['when']}" in r["notice"][0] and when in r["when"]
        section = md.split(f"## Run {r['number']}: ")[1].split("\n## ")[0]
        assert f"The verdict: **{out['outcome']}** {r['when']}." in section
        assert f"`computebubble run --scenario {r['scenario']} --seed {teaching.SEED}`" in section
        assert f"?scenario={r['scenario']}&seed={teaching.SEED}&autoplay=1" in section


def test_the_four_runs_cover_the_debate():
    """A baseline, a bull case, a bear case and a point of contention moved, on one seed."""
    names = [r.scenario for r in teaching.LESSON_RUNS]
    assert names[0] == "baseline" and len(set(names)) == 4
    roles = " ".join(r.role for r in teaching.LESSON_RUNS)
    for word in ("bull", "bear", "contention"):
        assert word in roles


def test_the_figures_are_the_runs_not_typed():
    """Every dollar figure in a run's 'what to notice' is one of that run's outcomes,
    written as the guide writes it."""
    for r in teaching.lesson():
        out = run(None, teaching.MONTHS, teaching.SEED, r["scenario"])
        text = " ".join(r["notice"])
        assert f"${out['peak_capex_usd_per_year'] / 1e9:,.0f}B a year in {out['peak_capex_month']}" in text
        assert f"${out['peak_valuation_usd'] / 1e12:,.2f}T in {out['peak_valuation_month']}" in text
        assert f"{out['max_valuation_fall_frac']:.0%} below its running peak" in text
        first = out["first_fall"]
        if first:
            assert re.search(r"\((\d{4}-\d{2})\)", first).group(1) in r["notice"][1]


def test_main_writes_the_guide(tmp_path, capsys):
    out = tmp_path / "guide.md"
    assert teaching.main([str(out)]) == 0
    assert out.read_text(encoding="utf-8") == teaching.markdown()
    assert f"wrote {out}" in capsys.readouterr().out
