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
from tests.edges import exits_2_with_one_line, unwritable_dir
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

def _section(out: str, first_line_starts: str) -> list[str]:
    """The lines of a printed block, from the one starting with ``first_line_starts`` to the blank line."""
    lines = out.splitlines()
    start = next(i for i, line in enumerate(lines) if line.strip().startswith(first_line_starts))
    end = next((i for i in range(start, len(lines)) if not lines[i].strip()), len(lines))
    return lines[start:end]


def test_run_prints_verdict_chain_valuation_and_yearly_table(capsys):
    assert main(["run", "--months", "24", "--seed", "1"]) == 0
    out, err = capsys.readouterr()
    assert err == ""
    assert "Verdict" in out
    for label in ("outcome:", "first to fall:", "AI valuation:", "thresholds crossed", "peak AI capex",
                  "largest revenue gap", "defaults", "first red  months red  worst value"):
        assert label in out, label
    outcome = next(line for line in out.splitlines() if line.strip().startswith("outcome:")).split()[1]
    assert outcome in ("boom", "digestion", "bust")
    for name in thresholds.NAMES:   # one history row per threshold
        assert any(line.split()[:1] == [name] for line in _section(out, "threshold ")), name
    chain = _section(out, "Chain of events")[1:]
    assert chain and all(line.strip()[:7].count("-") == 1 and line.strip()[4] == "-" for line in chain)
    assert [line.strip()[:7] for line in chain] == sorted(line.strip()[:7] for line in chain)   # month order
    valuation = _section(out, "year   valuation $T")
    for col in ("valuation $T", "fundamental $T", "ratio", "trend %", "fundamentalist %", "physics %"):
        assert col in valuation[0], col
    assert [row.split()[0] for row in valuation[1:3]] == ["2025", "2026"]
    assert all(len(row.split()) == 7 for row in valuation[1:3])
    table = [line.split() for line in _section(out, "year   AI capex")[1:] if line.strip()[:4].isdigit()]
    assert [row[0] for row in table] == ["2025", "2026"]
    assert all(len(row) == 11 for row in table)  # year + ten columns
    header = next(line for line in out.splitlines() if line.strip().startswith("year   AI capex"))
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
    ('extends = "baseline"\nnotice = ' + "[" * 5000 + "]" * 5000 + "\n", "'notice' nests"),  # was RecursionError
    ('extends = "baseline"\ntry = [' + "{ a = " * 3000 + "1" + " }" * 3000 + "]\n", "more than 8 deep"),
    ('extends = "baseline"\n[params]\nprice_elasticity = 1e400\n', "'params.price_elasticity' = 1e400"),
    ('extends = "baseline"\n[params]\nprice_elasticity = "1.4"\n', "value '1.4' is a quoted string"),
    ('extends = "no_such_parent"\n', "key 'extends' = 'no_such_parent'"),
    ('extends = "../missing/parent.toml"\n', "key 'extends' = '../missing/parent.toml'"),
])
def test_bad_scenario_file_exits_2_with_one_line(tmp_path, capsys, text, needle):
    path = tmp_path / "bad.toml"
    path.write_text(text)
    assert main(["run", "--scenario", str(path), "--months", "12"]) == 2
    out, err = capsys.readouterr()
    assert len(err.splitlines()) == 1 and "bad.toml" in err and needle in err, err
    assert "Traceback" not in err + out


@pytest.mark.parametrize("argv, needle", [
    (["run", "--no-such-option"], "unrecognized arguments: --no-such-option"),
    ([], "required: COMMAND"),
    (["run", "--months"], "run: argument --months: expected one argument"),
    (["sweep"], "sweep: the following arguments are required: SPEC.toml"),
    (["no-such-command"], "invalid choice: 'no-such-command'"),
])
def test_argparse_usage_errors_are_one_line_and_exit_2(capsys, argv, needle):
    exits_2_with_one_line(capsys, argv, needle)


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


# ===== hardened edges: each bad input one line naming field and value, exit 2 ====================

@pytest.mark.parametrize("argv, needles", [
    (["run", "--set", "price_elasticity=1e400"], ("price_elasticity", "'1e400'", "overflows")),
    (["run", "--months", "6", "--set", "efficiency_shock_month=100"], ("efficiency_shock_month", "value 100",
                                                                      "[1, 6]", "never happen")),
    (["run", "--months", "6", "--set", "funding_freeze_month=7"], ("funding_freeze_month", "value 7", "[1, 6]")),
    (["run", "--set", "price_elasticity=1.2", "--set", "price_elasticity=1.3"], ("--set price_elasticity",
                                                                               "given twice", "'1.2'", "'1.3'")),
    (["run", "--scenario", "a" * 5000], ("unknown scenario", "5000 characters", "known: baseline")),
    (["run", "--scenario", "b" * 5000 + ".toml"], ("scenario file", "name too long", "5005 characters")),
    (["run", "--out", "c" * 300 + ".parquet"], ("--out", "file name is too long", "308 characters")),
    (["compare", "baseline", "baseline", "--out", "d" * 300 + ".png"], ("--out", "file name is too long")),
])
def test_more_bad_input_is_one_line_naming_field_and_value(capsys, argv, needles):
    line = exits_2_with_one_line(capsys, argv, *needles)
    assert len(line) < 500, line


def test_a_quoted_number_in_a_scenario_file_is_refused_but_set_takes_strings(tmp_path, capsys):
    path = tmp_path / "quoted.toml"
    path.write_text('extends = "baseline"\n[params]\nprice_elasticity = "1.4"\n')
    exits_2_with_one_line(capsys, ["run", "--scenario", path, "--months", "3"], "quoted.toml", "price_elasticity",
                          "'1.4'", "quoted string")
    assert main(["run", "--months", "3", "--set", "price_elasticity=1.4"]) == 0  # the command line: strings


def test_an_event_beyond_the_horizon_is_refused(tmp_path, capsys):
    path = tmp_path / "late.toml"
    path.write_text('extends = "baseline"\n[[events]]\nmonth = 9\nset = { efficiency_shock_factor = 2.0 }\n')
    exits_2_with_one_line(capsys, ["run", "--scenario", path, "--months", "6"], "late.toml", "month 9", "[1, 6]")


@pytest.mark.parametrize("folder", ["out.parquet", "out.model_lab.parquet", "out.user_cohorts.parquet"])
def test_run_out_or_an_agent_frame_path_that_is_a_folder_is_refused_before_running(tmp_path, capsys, folder):
    (tmp_path / folder).mkdir()
    exits_2_with_one_line(capsys, ["run", "--months", "3", "--out", tmp_path / "out.parquet"], "--out",
                          f"'{tmp_path / folder}' is a folder")
    assert sorted(p.name for p in tmp_path.iterdir()) == [folder]


def test_compare_out_that_is_a_folder_is_refused(tmp_path, capsys):
    (tmp_path / "chart.png").mkdir()
    exits_2_with_one_line(capsys, ["compare", "baseline", "baseline", "--months", "3", "--out",
                                   tmp_path / "chart.png"], "is a folder")


@pytest.mark.parametrize("command", ["run", "compare"])
def test_an_unwritable_out_exits_2_before_running(tmp_path, capsys, command):
    with unwritable_dir(tmp_path) as ro:
        if command == "run":
            argv = ["run", "--months", "3", "--out", ro / "x.parquet"]
        else:
            argv = ["compare", "baseline", "baseline", "--months", "3", "--out", ro / "x.png"]
        exits_2_with_one_line(capsys, argv, "--out", "cannot write in folder", str(ro))
        assert not (ro / "x.parquet").exists() and not (ro / "x.png").exists()


def test_run_out_leaves_nothing_half_written_when_a_write_fails(tmp_path, capsys, monkeypatch):
    """The frames are written to temporary names and renamed at the end: a failure in the
    middle leaves neither finished-looking files nor temporaries."""
    import experiments.cli as cli

    real, calls = cli._write, []

    def failing(df, path, ext):
        calls.append(path)
        if len(calls) == 3:
            raise OSError(28, "No space left on device")
        real(df, path, ext)

    monkeypatch.setattr(cli, "_write", failing)
    assert main(["run", "--months", "3", "--out", str(tmp_path / "run.csv")]) == 1
    assert "No space left" in capsys.readouterr().err
    assert list(tmp_path.iterdir()) == []


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
    assert (result["bust_month"] is None) == (not result["bust"]) == (result["bust_cause"] is None)
    assert result["outcome"] in ("boom", "digestion", "bust")
    assert [result[o] for o in ("boom", "digestion", "bust")].count(True) == 1 and result[result["outcome"]]
    for name in thresholds.NAMES:
        assert isinstance(result[f"months_red_{name}"], int)
        assert (result[f"months_red_{name}"] > 0) == result[f"crossed_{name}"]
    for e in result["chain"]:
        assert set(e) == {"month", "kind", "event", "value"} and len(e["month"]) == 7
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


def test_a_reader_that_stops_early_ends_the_command_quietly(tmp_path):
    """`computebubble ... | true` (a reader that closes the pipe at once): the broken
    pipe ends the command quietly with status 0, not as a file error."""
    exe = Path(sys.executable).with_name("computebubble")
    err = tmp_path / "err.txt"
    proc = subprocess.run(f"'{exe}' params --sources 2>'{err}' | true; echo ${{PIPESTATUS[0]}}", shell=True,
                          capture_output=True, text=True, executable="/bin/bash", timeout=120)
    assert proc.stdout.strip() == "0", (proc.stdout, err.read_text())
    assert err.read_text() == ""


def test_run_check_runs_the_consistency_checks_and_passes():
    assert main(["run", "--months", "6", "--check"]) == 0


def test_verdict_text_shows_the_gauges(result):
    from experiments.cli import format_verdict

    assert result["max_gauges_red"] is not None       # the run's figures carry the gauges
    assert f"at most {result['max_gauges_red']} red at once" in format_verdict(result)
    text = format_verdict({**result, "max_gauges_red": 4, "three_gauges_red_month": "2026-05"})
    assert "at most 4 red at once; three red first 2026-05" in text
