"""The debate guide: docs/debate.md is generated from the scenario files and is current."""

from __future__ import annotations

import json
import shutil

import pytest

from experiments import debate
from experiments.scenario import SCENARIO_DIR, ScenarioError, list_scenarios
from sim.params import FIELDS


def test_docs_debate_is_current():
    """docs/debate.md is what the generator writes now."""
    assert debate.DOC_PATH.read_text(encoding="utf-8") == debate.markdown(), "run: python -m experiments.debate"


def test_the_scoreboard_is_current_and_counts_every_run():
    """docs/scoreboard.json is what the runs give now (every position, 72 months, seeds
    1-5): its counts add up to the seeds, and a bust month is listed for every bust."""
    board = debate.scoreboard()
    assert debate.SCOREBOARD_PATH.read_text(encoding="utf-8") == debate.scoreboard_json(board), \
        "run: python -m experiments.debate"
    assert [b["name"] for b in board] == list_scenarios()
    for b in board:
        assert b["boom"] + b["digestion"] + b["bust"] == len(debate.SCOREBOARD_SEEDS)
        assert len(b["bust_months"]) == b["bust"]


def test_main_writes_the_guide(tmp_path, capsys, monkeypatch):
    stored = debate.read_scoreboard()
    monkeypatch.setattr(debate, "scoreboard", lambda: stored)    # the runs are checked above
    out = tmp_path / "guide.md"
    assert debate.main([str(out)]) == 0
    assert out.read_text(encoding="utf-8") == debate.markdown()
    assert json.loads((tmp_path / "scoreboard.json").read_text(encoding="utf-8")) == stored
    assert f"wrote {out}" in capsys.readouterr().out


def test_cards_cover_every_scenario_as_plain_data():
    cards = debate.cards()
    assert [c["name"] for c in cards] == list_scenarios()
    json.dumps(cards)  # plain values, ready for the browser app
    for c in cards:
        for key in ("title", "claim", "seed", "quote", "narrative", "notice", "try", "run_command"):
            assert c[key], (c["name"], key)
        assert all(p["name"] in FIELDS for p in c["params"])
        assert all(set(e["set"]) <= set(FIELDS) for e in c["events"])
    by_name = {c["name"]: c for c in cards}
    dark = {p["name"]: p for p in by_name["dark-fibre"]["params"]}
    assert dark["value_ceiling_scale"]["inherited"] and not dark["hyperscaler_optimism"]["inherited"]
    assert by_name["sovereign-backstop"]["events"][0]["date"] == "2025-07"
    assert by_name["jevons-boom"]["compare_command"] == "computebubble compare ln-revenue jevons-boom"


def test_every_position_has_a_section_and_the_contentions_are_mapped():
    md = debate.markdown()
    for name in list_scenarios():
        assert f'<a id="{name}"></a>' in md and f"`computebubble run --scenario {name}`" in md
    contentions = debate.contentions()
    assert [c["number"] for c in contentions] == [1, 2, 3]
    params = [p["name"] for c in contentions for p in c["params"]]
    assert params == ["scaling_exponent", "efficiency_shock_factor", "efficiency_shock_month",
                      "efficiency_gain_per_year", "reliability_ceiling_frac"]
    assert "scaling-stalls" in contentions[0]["scenarios"]
    assert "deepseek-shock" in contentions[1]["scenarios"]
    assert "reliability-ceiling" in contentions[2]["scenarios"]
    for p in params:
        assert f"`{p}`" in md


def test_a_broken_file_is_an_error_card_or_an_error(tmp_path, monkeypatch):
    shutil.copy(SCENARIO_DIR / "baseline.toml", tmp_path / "baseline.toml")
    (tmp_path / "broken.toml").write_text('title = "x"\nnarative = "typo"\n')
    monkeypatch.setattr("experiments.scenario.SCENARIO_DIR", tmp_path)
    cards = debate.cards(strict=False)
    assert [c["name"] for c in cards] == ["baseline", "broken"]
    assert "narative" in cards[1]["error"]
    assert "could not be read" in debate.markdown(cards)
    with pytest.raises(ScenarioError):
        debate.cards()
