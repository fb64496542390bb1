"""``computebubble compare A B``: same seed for both, the outcome table, the chart, bad input.

Runs are 24 months or fewer.
"""

from __future__ import annotations

import textwrap

import pytest

from experiments.cli import main
from experiments.compare import compare, default_out, figure, format_table, outcome_rows
from experiments.runner import run

PNG_MAGIC = b"\x89PNG\r\n\x1a\n"


def test_compare_prints_the_table_and_writes_the_chart(tmp_path, capsys):
    out = tmp_path / "ab.png"
    assert main(["compare", "baseline", "physics-wall", "--months", "24", "--seed", "2", "--out", str(out)]) == 0
    text, err = capsys.readouterr()
    assert err == ""
    assert out.read_bytes()[:8] == PNG_MAGIC and out.stat().st_size > 20_000
    assert f"wrote {out}" in text
    header = next(line for line in text.splitlines() if line.startswith("outcome"))
    assert "baseline" in header and "physics-wall" in header and "B - A" in header
    for label in ("peak AI capex", "AI revenue in the last year", "largest revenue gap", "largest idle share",
                  "largest ghost compute", "bust (month)", "thresholds crossed", "revenue_gap: first red",
                  "write_downs: first red", "outcome (boom, digestion, bust)", "first to fall", "peak AI valuation",
                  "deepest valuation fall"):
        assert label in text, label
    # the outcome of each, and the first events of both chains
    for key, name in (("A", "baseline"), ("B", "physics-wall")):
        o = run(None, months=24, seed=2, scenario=name)
        assert o["outcome"] in next(line for line in text.splitlines() if line.startswith("outcome (boom"))
        head = next(i for i, line in enumerate(text.splitlines()) if line.startswith(f"{key} = {name}: {o['outcome']}"))
        assert "first events of its chain" in text.splitlines()[head]
    assert "both 24 months (2025-01 to 2026-12), seed 2" in text
    # the table's numbers are the runs' own outcomes on the shared seed
    for name in ("baseline", "physics-wall"):
        o = run(None, months=24, seed=2, scenario=name)
        assert f"{o['peak_capex_usd_per_year'] / 1e9:,.0f} ({o['peak_capex_month']})" in text
        assert f"{o['revenue_last_year_usd'] / 1e9:,.0f}" in text


def test_difference_column_is_b_minus_a():
    c = compare("baseline", "roi-caution", seed=1, months=24)
    rows = {r[0]: r for r in outcome_rows(c)}
    a = c.a.summary["peak_capex_usd_per_year"] / 1e9
    b = c.b.summary["peak_capex_usd_per_year"] / 1e9
    assert rows["peak AI capex (trailing 12 months), $B/yr"][3].startswith(f"{b - a:+,.0f}")
    assert c.a.name == "baseline" and c.b.name == "roi-caution"
    assert c.seed == 1 and c.months == 24 and len(c.a.frame) == len(c.b.frame) == 24


def test_same_scenario_twice_has_no_difference():
    c = compare("baseline", "baseline", seed=3, months=12)
    assert c.a.summary == c.b.summary
    for label, va, vb, diff in outcome_rows(c):
        assert va == vb, label
        assert diff in ("same month", "neither", "same", "") or diff.startswith("+0"), (label, diff)


def test_default_out_is_named_after_both_scenarios(tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    assert main(["compare", "baseline", "roi-caution", "--months", "12"]) == 0
    path = tmp_path / "compare_baseline_roi-caution.png"
    assert path.read_bytes()[:8] == PNG_MAGIC
    assert default_out("a b", "c/d").name == "compare_a_b_c_d.png"


def test_scenario_files_by_path(tmp_path, capsys):
    mine = tmp_path / "cheap_power.toml"
    mine.write_text(textwrap.dedent("""
        extends = "baseline"
        title = "Cheap power"
        [params]
        power_build_multiplier = 3.0
        """))
    out = tmp_path / "c.png"
    assert main(["compare", "baseline", str(mine), "--months", "12", "--out", str(out)]) == 0
    text = capsys.readouterr().out
    assert "B = cheap_power: Cheap power" in text and out.is_file()


def test_figure_draws_both_runs_and_the_threshold_strip():
    c = compare("baseline", "deepseek-shock", seed=1, months=18)
    fig = figure(c)
    main_axes, strip = fig.axes
    assert len(main_axes.get_lines()) >= 6  # capex, revenue and required revenue for each side
    labels = [line.get_label() for line in main_axes.get_lines()]
    assert "baseline: AI capex" in labels and "deepseek-shock: required revenue" in labels
    assert [t.get_text() for t in strip.get_yticklabels()][0] == "revenue_gap"
    assert "baseline" in format_table(c)


@pytest.mark.parametrize("argv, needle", [
    (["compare", "baseline", "no_such_scenario"], "unknown scenario 'no_such_scenario'"),
    (["compare", "missing/nothing.toml", "baseline"], "nothing.toml"),
    (["compare", "baseline", "jevons-boom", "--out", "chart.jpg"], ".jpg"),
    (["compare", "baseline", "jevons-boom", "--out", "chart"], "(none)"),
    (["compare", "baseline", "jevons-boom", "--out", "no_such_dir/c.png"], "does not exist"),
    (["compare", "baseline", "sovereign-backstop", "--months", "6"], "outside the run's horizon"),
    (["compare", "baseline", "jevons-boom", "--months", "0"], "months"),
    (["compare", "baseline", "jevons-boom", "--seed", "x"], "seed"),
])
def test_bad_input_exits_2_with_one_line(tmp_path, monkeypatch, capsys, argv, needle):
    monkeypatch.chdir(tmp_path)
    assert main(argv) == 2
    out, err = capsys.readouterr()
    assert err.count("\n") == 1 and err.startswith("computebubble: error:"), err
    assert needle in err and "Traceback" not in err
    assert not list(tmp_path.glob("*.png")), "nothing is written on bad input"


def test_broken_scenario_file_exits_2(tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    bad = tmp_path / "broken.toml"
    bad.write_text('title = "x"\nclaim = \n')
    assert main(["compare", "baseline", str(bad), "--months", "12"]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "broken.toml" in err and "malformed TOML" in err
    assert not list(tmp_path.glob("*.png"))
