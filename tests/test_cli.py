"""The command line, ``experiments.run`` and ``mesa.batch_run`` on the model.

Model numbers are being recalibrated, so these tests check structure, types, exit codes,
directions and determinism, never specific values. Every run is 24 months or fewer.
"""

import json
import math
import os
import subprocess
import sys
from pathlib import Path

import mesa
import pandas as pd
import pytest

from experiments.cli import AGENT_FRAME_LABELS, main
from sim import thresholds
from sim.model import ComputeBubbleModel

ROOT = Path(__file__).resolve().parents[1]

ISSUE_COLUMNS = (
    "month", "date", "ai_capex_usd", "ai_revenue_usd", "required_revenue_usd", "revenue_gap_usd", "idle_frac",
    "ghost_gw", "powered_gw", "tokens_per_day", "price_usd_per_mtok", "gpu_rental_usd_per_hour",
    "lab_min_runway_months", "sentiment", "chip_revenue_usd", "capex_growth_12m", "revenue_growth_12m",
    "impairments_usd",
)


# ===== computebubble run ===========================================================================

def test_run_prints_verdict_and_yearly_table(capsys):
    assert main(["run", "--months", "24", "--seed", "1"]) == 0
    out, err = capsys.readouterr()
    assert err == ""
    assert "Verdict" in out
    for label in ("thresholds crossed", "bust:", "peak AI capex", "largest revenue gap", "defaults"):
        assert label in out, label
    table = [line.split() for line in out.splitlines() if line.strip()[:4].isdigit()]
    assert [row[0] for row in table] == ["2025", "2026"]
    assert all(len(row) == 11 for row in table)  # year + ten columns
    header = next(line for line in out.splitlines() if line.strip().startswith("year"))
    for col in ("AI capex $B", "AI revenue $B", "required $B/yr", "idle %", "ghost GW", "powered GW",
                "tokens T/day", "price $/Mtok", "rental $/h", "sentiment"):
        assert col in header, col


def test_run_same_seed_prints_the_same(capsys):
    main(["run", "--months", "12", "--seed", "5"])
    first = capsys.readouterr().out
    main(["run", "--months", "12", "--seed", "5"])
    assert capsys.readouterr().out == first


def test_set_override_is_applied_and_reported(capsys):
    assert main(["run", "--months", "6", "--set", "price_elasticity=1.4", "--set", "power_build_multiplier=2"]) == 0
    out = capsys.readouterr().out
    assert "price_elasticity=1.4" in out and "power_build_multiplier=2" in out


@pytest.mark.parametrize("ext", ["parquet", "csv"])
def test_out_writes_model_and_agent_frames(tmp_path, capsys, ext):
    out = tmp_path / f"run.{ext}"
    assert main(["run", "--months", "24", "--seed", "1", "--out", str(out)]) == 0
    read = pd.read_parquet if ext == "parquet" else pd.read_csv
    frame = read(out)
    assert len(frame) == 24
    for col in ISSUE_COLUMNS:
        assert col in frame.columns, col
    assert list(frame["month"]) == list(range(24))
    assert str(frame["date"].iloc[0]) == "2025-01" and str(frame["date"].iloc[-1]) == "2026-12"
    assert (frame["ai_capex_usd"] > 0).all()
    for label in AGENT_FRAME_LABELS:
        path = tmp_path / f"run.{label}.{ext}"
        assert path.is_file(), path
        agents = read(path)
        assert {"month", "date", "Step", "AgentID", "name"} <= set(agents.columns)
        assert sorted(agents["month"].unique()) == list(range(24))
        assert len(agents) == 24 * agents["name"].nunique()
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(
        [out.name] + [f"run.{label}.{ext}" for label in AGENT_FRAME_LABELS])
    assert str(out) in capsys.readouterr().out


def test_params_lists_every_field(capsys):
    from sim.params import FIELDS

    assert main(["params"]) == 0
    out = capsys.readouterr().out
    for name, f in FIELDS.items():
        assert name in out
        assert f.metadata["desc"] in out
    assert "[0.1 .. 3]" in out  # a range, e.g. price_elasticity's


def test_scenarios_lists_baseline_with_its_claim(capsys):
    from experiments.scenario import load_scenario

    assert main(["scenarios"]) == 0
    out = capsys.readouterr().out
    assert out.splitlines()[0].startswith("baseline")
    assert load_scenario("baseline").claim in out


def test_bench_delegates(monkeypatch):
    import types

    seen = {}

    def fake_main(argv):
        seen["argv"] = argv
        return 0

    fake = types.ModuleType("experiments.bench")
    fake.main = fake_main
    monkeypatch.setitem(sys.modules, "experiments.bench", fake)
    import experiments

    monkeypatch.setattr(experiments, "bench", fake, raising=False)
    assert main(["bench", "--months", "3", "--repeats", "1"]) == 0
    assert seen["argv"] == ["--months", "3", "--repeats", "1"]


# ===== bad input: exit 2, one line on stderr, no traceback =====================================

BAD_SCENARIO = 'title = "x"\nclaim = "y"\nnarrative = "z"\nnotice = []\ntry = []\nprice_elasticity = 1.2\n'


@pytest.mark.parametrize("argv, needle", [
    (["run", "--scenario", "no_such_scenario"], "no_such_scenario"),
    (["run", "--set", "no_such_field=1"], "no_such_field"),
    (["run", "--set", "price_elasticity=steep"], "price_elasticity"),
    (["run", "--set", "price_elasticity=99"], "price_elasticity"),
    (["run", "--set", "n_user_cohorts=2.5"], "n_user_cohorts"),
    (["run", "--set", "price_elasticity"], "price_elasticity"),
    (["run", "--months", "0"], "months"),
    (["run", "--months", "181"], "months"),
    (["run", "--months", "six"], "months"),
    (["run", "--seed", "x"], "seed"),
    (["run", "--out", "run.xlsx"], ".xlsx"),
    (["run", "--scenario", "missing_dir/nothing.toml"], "nothing.toml"),
])
def test_bad_input_exits_2_with_one_line(capsys, argv, needle):
    assert main(argv) == 2
    out, err = capsys.readouterr()
    lines = err.splitlines()
    assert len(lines) == 1, err
    assert lines[0].startswith("computebubble: error: ")
    assert needle in lines[0]
    assert "Traceback" not in err + out


@pytest.mark.parametrize("text, needle", [
    ('title = "x"\nclaim = \n', "line 2"),       # malformed TOML
    (BAD_SCENARIO, "price_elasticity"),          # unknown top-level key (belongs in [params])
    ('extends = "baseline"\n[params]\nprice_elasticity = 9.0\n', "price_elasticity"),
    ('extends = "baseline"\n[[events]]\nmonth = 30\nset = { efficiency_shock_factor = 2.0 }\n', "month 30"),
])
def test_bad_scenario_file_exits_2_with_one_line(tmp_path, capsys, text, needle):
    path = tmp_path / "bad.toml"
    path.write_text(text)
    assert main(["run", "--scenario", str(path), "--months", "12"]) == 2
    out, err = capsys.readouterr()
    assert len(err.splitlines()) == 1 and "bad.toml" in err and needle in err, err
    assert "Traceback" not in err + out


def test_argparse_usage_errors_still_exit_2(capsys):
    assert main(["run", "--no-such-option"]) == 2
    assert main([]) == 2
    assert "Traceback" not in capsys.readouterr().err


def test_bad_input_through_a_real_process():
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    proc = subprocess.run([sys.executable, "-m", "experiments.cli", "run", "--months", "0"], cwd=ROOT,
                          capture_output=True, text=True, env=env, timeout=120)
    assert proc.returncode == 2
    assert proc.stderr.splitlines() == [proc.stderr.strip()]
    assert proc.stderr.startswith("computebubble: error: ") and "months" in proc.stderr
    assert "Traceback" not in proc.stderr


def test_console_script():
    """The README installs the package, so the `computebubble` command sits beside python."""
    script = Path(sys.executable).parent / "computebubble"
    assert script.exists(), "console script missing: pip install -e ."
    proc = subprocess.run([str(script), "run", "--months", "0"], capture_output=True, text=True, timeout=120)
    assert proc.returncode == 2 and len(proc.stderr.splitlines()) == 1 and "months" in proc.stderr


# ===== experiments.run ===========================================================================

@pytest.fixture(scope="module")
def result():
    from experiments import run

    return run({}, months=24, seed=1)


def _only_plain(value):
    if isinstance(value, dict):
        return all(isinstance(k, str) and _only_plain(v) for k, v in value.items())
    if isinstance(value, list):
        return all(_only_plain(v) for v in value)
    return value is None or type(value) in (bool, int, float, str)


def test_run_returns_plain_values(result):
    assert _only_plain(result)
    json.dumps(result, allow_nan=False)
    for name in thresholds.NAMES:
        assert isinstance(result[f"crossed_{name}"], bool)
        first = result[f"first_{name}"]
        assert (first is None) == (not result[f"crossed_{name}"])
        assert first is None or (len(first) == 7 and first[4] == "-")
    assert isinstance(result["bust"], bool) and isinstance(result["n_defaults"], int)
    assert (result["bust_month"] is None) == (not result["bust"])
    for key in ("peak_capex_usd_per_year", "max_revenue_gap_usd_per_year", "revenue_last_year_usd",
                "capex_last_year_usd", "max_idle_frac", "max_ghost_gw"):
        assert isinstance(result[key], float), key
    assert result["revenue_last_year_usd"] > 0 and result["capex_last_year_usd"] > 0
    assert 0.0 <= result["max_idle_frac"] <= 1.0 and result["max_ghost_gw"] >= 0.0


def test_run_yearly_table(result):
    assert result["years"] == [2025, 2026]
    y = result["yearly"]
    for col in ("ai_capex_usd", "ai_revenue_usd", "chip_revenue_usd", "impairments_usd", "idle_frac", "ghost_gw",
                "powered_gw", "tokens_per_day", "price_usd_per_mtok", "gpu_rental_usd_per_hour", "sentiment"):
        assert len(y[col]) == 2, col
    assert y["months"] == [12, 12]
    # flows are yearly sums: the last year's sum is the last-12-months figure
    assert math.isclose(y["ai_revenue_usd"][-1], result["revenue_last_year_usd"])
    assert math.isclose(y["ai_capex_usd"][-1], result["capex_last_year_usd"])


def test_run_is_deterministic_per_seed(result):
    from experiments import run

    assert run({}, months=24, seed=1) == result
    assert run({}, months=24, seed=2) != result


def test_run_params_and_scenario_and_months_checks():
    from experiments import run
    from sim.params import ParamError

    base = run({}, months=12, seed=3, scenario="baseline")
    assert base["scenario"] == "baseline" and base["months"] == 12
    assert run({}, months=12, seed=3, scenario="baseline") == base
    assert run({"price_elasticity": 0.5}, months=12, seed=3, scenario="baseline") != base
    with pytest.raises(ParamError, match="months"):
        run({}, months=0)
    with pytest.raises(ParamError, match="no_such_field"):
        run({"no_such_field": 1}, months=3)


def test_mesa_batch_run_works_unchanged():
    rows = mesa.batch_run(ComputeBubbleModel, parameters={"price_elasticity": [0.8, 1.4]}, iterations=1,
                          max_steps=12, number_processes=1, data_collection_period=1, display_progress=False)
    # batch_run steps while model.steps <= max_steps (13 steps for 12) and, with only
    # agent-type reporters, returns one row per collected step: 13 per run.
    assert len(rows) == 2 * 13
    frame = pd.DataFrame(rows)
    assert sorted(frame.groupby("RunId").size()) == [13, 13]
    assert sorted(frame["price_elasticity"].unique()) == [0.8, 1.4]
    assert list(frame[frame["RunId"] == 0]["Step"]) == list(range(13))
    assert "ai_capex_usd" in frame.columns and (frame["ai_capex_usd"] > 0).all()
