"""Parameter sweeps: spec checks, designs, the process pool and Dask, kill and resume, analysis.

Runs are 12 months or fewer and sweeps small. Model numbers are being recalibrated, so
nothing here checks a model figure: structure, determinism, storage and exit codes. The
analysis is checked on sweep folders whose outcomes are written by the test from a known
rule (so the right answer is known), and end to end on a real stored sweep.
"""

import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow.parquet as pq
import pytest

from experiments import sweep as S
from experiments.cli import main
from tests.edges import alive, descendants, exits_2_with_one_line, process_table, unwritable_dir

ROOT = Path(__file__).resolve().parents[1]
ENV = {**os.environ, "PYTHONPATH": str(ROOT)}


def write_spec(folder: Path, name: str = "spec", *, sampler: str = "lhs", samples: int | None = 6,
               months: int = 12, replications: int = 1, seed: int = 1, params: str | None = None,
               extra: str = "") -> Path:
    params = params or ('price_elasticity = [0.6, 2.0]\nhyperscaler_optimism = [0.8, 2.5]\n'
                        'shell_lead_months = [9, 30]\n')
    lines = [f'sampler = "{sampler}"', f"months = {months}", f"replications = {replications}", f"seed = {seed}"]
    if samples is not None:
        lines.append(f"samples = {samples}")
    path = folder / f"{name}.toml"
    path.write_text("\n".join(lines) + "\n" + extra + "\n[parameters]\n" + params)
    return path


def part_files(out: Path) -> list[Path]:
    return sorted((out / "runs").glob("part-*.parquet"))


OUTCOME_SKIP = ("wall_s",)


# ===== a small LHS sweep on two workers ======================================================

@pytest.fixture(scope="module")
def lhs(tmp_path_factory):
    folder = tmp_path_factory.mktemp("lhs")
    spec = write_spec(folder, samples=6, replications=2)
    out = folder / "out"
    assert main(["sweep", str(spec), "--workers", "2", "--out", str(out)]) == 0
    return spec, out


def test_lhs_sweep_on_two_workers_stores_one_row_per_run(lhs, capsys):
    spec, out = lhs
    frame = S.load_results(out)
    design = pd.read_parquet(out / "design.parquet")
    assert len(frame) == len(design) == 12
    assert frame["run_id"].is_unique and set(frame["run_id"]) == set(design["run_id"])
    assert len(part_files(out)) == 12 and not list((out / "runs").glob(".*"))
    assert (out / "spec.toml").read_text() == spec.read_text()
    assert sorted(frame["sample"].unique()) == list(range(6)) and set(frame["replication"]) == {0, 1}
    # parameters in range, the integer one sampled as integers; LHS: one sample per stratum
    assert frame["price_elasticity"].between(0.6, 2.0).all()
    lead = frame["shell_lead_months"]
    assert lead.dtype.kind == "i" and lead.between(9, 30).all()
    strata = np.floor((design.drop_duplicates("sample")["x_price_elasticity"] * 6)).astype(int)
    assert sorted(strata) == list(range(6))
    # seeds from SeedSequence keyed by (sample, replication); tags and outcomes; no nested values
    for r in frame.itertuples():
        assert r.seed == S.run_seed(1, r.sample, r.replication)
    assert frame["seed"].is_unique
    assert (frame["scenario"] == "baseline").all() and (frame["months"] == 12).all()
    assert frame["error"].isna().all()
    assert frame["code_version"].str.startswith("0.").all()
    for col in ("bust", "bust_month", "peak_capex_usd_per_year", "max_idle_frac", "n_defaults", "wall_s",
                "crossed_revenue_gap"):
        assert col in frame.columns, col
    assert "yearly" not in frame.columns and "years" not in frame.columns


def test_a_stored_row_is_the_run_itself(lhs):
    from experiments import run

    _, out = lhs
    row = S.load_results(out).iloc[7]
    direct = run({"price_elasticity": row["price_elasticity"], "hyperscaler_optimism": row["hyperscaler_optimism"],
                  "shell_lead_months": int(row["shell_lead_months"])}, months=12, seed=int(row["seed"]),
                 scenario="baseline")
    for key in ("bust", "peak_capex_usd_per_year", "max_revenue_gap_usd_per_year", "revenue_last_year_usd",
                "max_ghost_gw", "n_defaults"):
        assert row[key] == direct[key], key


def test_dask_local_cluster_equals_the_process_pool(lhs, tmp_path):
    spec, out = lhs
    s = S.run_sweep(spec, out=tmp_path / "dask", workers=2, dask="local", progress=False)
    assert s.ran == 12 and s.errors == 0
    local, dask = S.load_results(out), S.load_results(tmp_path / "dask")
    cols = [c for c in local.columns if c not in OUTCOME_SKIP]
    assert list(dask.columns) == list(local.columns)
    pd.testing.assert_frame_equal(local[cols], dask[cols])


def test_analyze_writes_its_files_from_a_stored_sweep(lhs, tmp_path, capsys):
    _, out = lhs
    dest = tmp_path / "analysis"
    assert main(["analyze", str(out), "--out", str(dest), "--pair", "shell_lead_months,price_elasticity"]) == 0
    for name in ("report.md", "bust_by_parameter.png", "bust_by_parameter.csv", "influence.csv", "prim.csv",
                 "bust_heatmap_shell_lead_months__price_elasticity.png"):
        assert (dest / name).is_file(), name
    assert (dest / "bust_by_parameter.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    report = (dest / "report.md").read_text()
    assert report.startswith("# Sweep analysis") and "## Headline" in report and "12 of 12 runs stored" in report
    assert "Bust probability" in capsys.readouterr().out


# ===== kill, interrupt, resume ===============================================================

def _start(spec: Path, out: Path, *extra: str) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-m", "experiments.cli", "sweep", str(spec), "--workers", "2",
                             "--out", str(out), *extra], cwd=ROOT, env=ENV, start_new_session=True,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def _wait_for_parts(proc: subprocess.Popen, out: Path, n: int, timeout: float = 90.0) -> int:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        have = len(part_files(out))
        if have >= n:
            return have
        assert proc.poll() is None, proc.communicate()
        time.sleep(0.02)
    raise AssertionError(f"fewer than {n} runs stored after {timeout} s")


def test_ctrl_c_and_sigkill_midway_lose_nothing_and_resume_without_duplicates(tmp_path):
    spec = write_spec(tmp_path, samples=40, months=12, params="price_elasticity = [0.6, 2.0]\n")
    out = tmp_path / "out"
    total = 40

    # Ctrl-C (SIGINT to the process group, as a terminal sends it): a clean stop, exit 130
    proc = _start(spec, out)
    _wait_for_parts(proc, out, 2)
    os.killpg(proc.pid, signal.SIGINT)
    _, err = proc.communicate(timeout=60)
    assert proc.returncode == 130, err
    assert "--resume" in err and "Traceback" not in err
    after_int = {p.name: p.stat().st_mtime_ns for p in part_files(out)}
    assert 2 <= len(after_int) < total

    # resume, then SIGKILL the whole group midway
    proc = _start(spec, out, "--resume")
    _wait_for_parts(proc, out, len(after_int) + 3)
    os.killpg(proc.pid, signal.SIGKILL)
    proc.communicate(timeout=60)
    killed = part_files(out)
    assert len(killed) < total, "the sweep finished before the kill; make it longer"
    for p in killed:  # every stored part is whole
        assert pq.read_table(p).num_rows == 1
    for name, mtime in after_int.items():  # stored runs were skipped, not rerun
        assert (out / "runs" / name).stat().st_mtime_ns == mtime

    # resume to the end: every run stored exactly once
    assert main(["sweep", str(spec), "--workers", "2", "--out", str(out), "--resume"]) == 0
    frame = S.load_results(out)
    design = pd.read_parquet(out / "design.parquet")
    assert len(frame) == total and frame["run_id"].is_unique
    assert set(frame["run_id"]) == set(design["run_id"])
    assert not list((out / "runs").glob(".*.tmp"))
    # a further resume has nothing to do
    s = S.run_sweep(spec, out=out, workers=2, resume=True, progress=False)
    assert s.ran == 0 and s.stored == total


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc")
def test_sigkill_of_the_parent_leaves_no_process_behind_and_a_live_sweep_owns_its_folder(tmp_path, capsys):
    """The forkserver, the resource tracker and the workers all end within seconds of the
    parent's SIGKILL (the workers read EOF on the parent's lifeline pipe; the others stay
    only while a process that uses them lives). While the sweep lives, a second sweep on
    its folder (here with --resume) is refused."""
    spec = write_spec(tmp_path, samples=400, months=12, params="price_elasticity = [0.6, 2.0]\n")
    out = tmp_path / "out"
    proc = _start(spec, out)
    family: set[int] = set()
    try:
        _wait_for_parts(proc, out, 2)
        exits_2_with_one_line(capsys, ["sweep", spec, "--out", out, "--resume"], "another sweep",
                              f"process {proc.pid}", str(out))
        assert proc.poll() is None, "the sweep ended early; make it longer"
        family = descendants(proc.pid)
        assert len(family) >= 4, family  # forkserver, resource tracker, two workers
        os.kill(proc.pid, signal.SIGKILL)
        proc.communicate(timeout=30)
        deadline = time.monotonic() + 5
        while alive(family) and time.monotonic() < deadline:
            time.sleep(0.05)
        assert not alive(family), f"still running 5 s after the parent's SIGKILL: {alive(family)}"
    finally:
        for pid in alive(family):
            os.kill(pid, signal.SIGKILL)
    assert len(part_files(out)) < 400


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc")
def test_a_killed_worker_requeues_its_run(tmp_path):
    spec = write_spec(tmp_path, samples=60, months=12, params="price_elasticity = [0.6, 2.0]\n")
    out = tmp_path / "out"
    proc = _start(spec, out)
    try:
        _wait_for_parts(proc, out, 2)
        table = process_table()
        workers = [p for p in descendants(proc.pid) if table[p][0] != proc.pid]  # forked by the forkserver
        assert workers and proc.poll() is None, "the sweep ended before a worker could be killed; make it longer"
        os.kill(workers[0], signal.SIGKILL)
        stdout, err = proc.communicate(timeout=120)
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
    assert proc.returncode == 0, err
    assert "60 of 60 runs stored" in stdout and "Traceback" not in err
    frame = S.load_results(out)
    assert len(frame) == 60 and frame["run_id"].is_unique and frame["error"].isna().all()
    assert main(["sweep", str(spec), "--out", str(out), "--resume"]) == 0  # the lock went with the process


class _KillsItsWorker:
    """Stands in for a task's scenario: unpickling it in the worker ends that process (as a
    segfault or the OOM killer would), every time the run is tried."""

    name = "poison"

    def __reduce__(self):
        return os._exit, (3,)


class _CannotBeRead:
    """A task's scenario that fails to unpickle in the worker (ValueError), without killing it."""

    name = "garbled"

    def __reduce__(self):
        return int, ("not a number",)


def test_a_run_that_keeps_killing_its_worker_is_stored_as_an_error_and_the_rest_finish():
    from experiments.scenario import load_scenario

    base = {"replication": 0, "seed": 1, "params": {}, "months": 1, "code_version": "test", "fail": True,
            "scenario": load_scenario("baseline")}  # fail: the hook's quick error row, no model run
    tasks = [{**base, "run_id": f"ok{i}", "sample": i} for i in range(6)]
    tasks.insert(2, {**base, "run_id": "poison", "sample": 99, "scenario": _KillsItsWorker(), "fail": False})
    tasks.insert(4, {**base, "run_id": "garbled", "sample": 98, "scenario": _CannotBeRead(), "fail": False})
    ex = S.LocalExecutor(2)
    try:
        rows = {task["run_id"]: row for task, row in ex.results(iter(tasks))}
    finally:
        ex.close()
    assert sorted(rows) == sorted(t["run_id"] for t in tasks)  # every run answered once
    assert all("injected failure" in rows[f"ok{i}"]["error"] for i in range(6))
    assert rows["poison"]["error"].startswith("WorkerDied: the worker process running this run died 3 times")
    assert "exit status 3" in rows["poison"]["error"] and ex.deaths == {"poison": 3}
    assert rows["garbled"]["error"].startswith("ValueError: invalid literal for int()")


def test_a_run_that_raises_is_recorded_and_the_rest_finish(tmp_path, monkeypatch, capsys):
    spec = write_spec(tmp_path, samples=4, replications=2, months=6)
    monkeypatch.setenv(S.FAIL_ENV, "1")
    assert main(["sweep", str(spec), "--workers", "2", "--out", str(tmp_path / "out")]) == 0
    assert "2 raised" in capsys.readouterr().out
    frame = S.load_results(tmp_path / "out")
    assert len(frame) == 8
    failed = frame[frame["error"].notna()]
    assert sorted(failed["sample"]) == [1, 1]
    assert failed["error"].str.contains("RuntimeError: injected failure for sample 1").all()
    assert failed["bust"].isna().all()
    good = frame[frame["error"].isna()]
    assert len(good) == 6 and good["peak_capex_usd_per_year"].notna().all()


# ===== designs and ids (no runs) ==============================================================

def test_run_ids_are_stable_and_survive_more_replications(tmp_path):
    a = S.prepare(write_spec(tmp_path, "a", replications=2), tmp_path / "x", False)[2]
    b = S.prepare(write_spec(tmp_path, "b", replications=2), tmp_path / "y", False)[2]
    c = S.prepare(write_spec(tmp_path, "c", replications=3), tmp_path / "z", False)[2]
    d = S.prepare(write_spec(tmp_path, "d", replications=2, seed=2), tmp_path / "w", False)[2]
    assert list(a["run_id"]) == list(b["run_id"])
    assert set(a["run_id"]) < set(c["run_id"])
    assert not set(a["run_id"]) & set(d["run_id"])


def test_common_seeds_share_one_seed_per_replication(tmp_path):
    runs = S.prepare(write_spec(tmp_path, "crn", sampler="sobol", samples=4, replications=2,
                                extra="common_seeds = true\n"), tmp_path / "x", False)[2]
    assert runs.groupby("replication")["seed"].nunique().tolist() == [1, 1]
    assert runs["seed"].nunique() == 2
    plain = S.prepare(write_spec(tmp_path, "plain", sampler="sobol", samples=4, replications=2),
                      tmp_path / "y", False)[2]
    assert plain["seed"].is_unique and not set(plain["run_id"]) & set(runs["run_id"])


@pytest.mark.parametrize("sampler, samples, extra, runs", [
    ("sobol", 8, "", 8 * (3 + 2)),
    ("sobol", 8, "second_order = true\n", 8 * (2 * 3 + 2)),
    ("morris", 4, "num_levels = 4\n", 4 * (3 + 1)),
    ("grid", None, "", 2 * 3 * 2),
])
def test_designs_have_the_documented_size(tmp_path, sampler, samples, extra, runs):
    params = None
    if sampler == "grid":
        params = "price_elasticity = [0.8, 1.6]\nshell_lead_months = [9, 18, 27]\narms_race_coupling = [0.1, 0.5]\n"
    spec = S.load_spec(write_spec(tmp_path, sampler=sampler, samples=samples, extra=extra, params=params))
    design = S.build_design(spec)
    assert len(design) == runs
    assert design["shell_lead_months"].dtype.kind == "i"
    if sampler == "grid":
        assert sorted(set(design["shell_lead_months"])) == [9, 18, 27]
        assert len(design.drop_duplicates(["price_elasticity", "shell_lead_months", "arms_race_coupling"])) == runs


# ===== analysis with a known answer ===========================================================

def _synthetic_sweep(tmp_path: Path, sampler: str, samples: int, extra: str = "") -> Path:
    """A sweep folder whose outcomes follow a known rule: bust when elasticity is low and optimism high."""
    spec_path = write_spec(tmp_path, f"syn_{sampler}", sampler=sampler, samples=samples, extra=extra)
    spec, out, runs, meta = S.prepare(spec_path, tmp_path / f"syn_{sampler}", False)
    S.write_start_files(spec, out, runs, meta)
    for r in runs.to_dict("records"):
        bust = bool(r["price_elasticity"] < 1.1 and r["hyperscaler_optimism"] > 1.6)
        S.write_part(out, {"run_id": r["run_id"], "sample": r["sample"], "replication": r["replication"],
                           "seed": r["seed"], "scenario": "baseline", "months": 12,
                           **{n: r[n] for n in spec.names}, "bust": bust,
                           "peak_capex_usd_per_year": 1e11 * r["hyperscaler_optimism"] ** 2,
                           "error": None, "wall_s": 0.0, "code_version": "test"})
    return out


def test_analysis_finds_the_known_drivers_and_box(tmp_path):
    from experiments.analyze import analyze

    out = _synthetic_sweep(tmp_path, "sobol", 64)
    res = analyze(out)
    dest = out / "analysis"
    for name in ("report.md", "sobol_indices.csv", "sobol_indices.png", "prim.csv", "prim_tradeoff.png"):
        assert (dest / name).is_file(), name
    heat = [p.name for p in dest.glob("bust_heatmap_*.png")]  # the two most influential, in either order
    assert heat in (["bust_heatmap_price_elasticity__hyperscaler_optimism.png"],
                    ["bust_heatmap_hyperscaler_optimism__price_elasticity.png"])
    inf = res.influence.set_index("parameter")
    assert set(res.influence["parameter"].iloc[:2]) == {"price_elasticity", "hyperscaler_optimism"}
    assert inf.loc["shell_lead_months", "ST"] < 0.05 < inf.loc["price_elasticity", "ST"]
    assert inf.loc["price_elasticity", "spearman"] < 0 < inf.loc["hyperscaler_optimism", "spearman"]
    sob = pd.read_csv(dest / "sobol_indices.csv")
    capex = sob[sob["output"] == "peak capex"].set_index("parameter")
    assert capex.loc["hyperscaler_optimism", "ST"] > 0.9
    box = res.boxes["bust"]
    lims = {r["parameter"]: (r["low"], r["high"]) for r in box["restricted"]}
    assert set(lims) == {"price_elasticity", "hyperscaler_optimism"}
    assert lims["price_elasticity"][1] < 1.25 and lims["hyperscaler_optimism"][0] > 1.45
    assert box["density"] > 0.9 and box["coverage"] >= 0.5
    assert "price_elasticity" in res.headline and "hyperscaler_optimism" in res.headline
    report = (dest / "report.md").read_text()
    assert "## Sobol indices" in report and "## Scenario discovery (PRIM)" in report


def test_morris_analysis_ranks_the_known_drivers(tmp_path):
    from experiments.analyze import analyze

    out = _synthetic_sweep(tmp_path, "morris", 12)
    res = analyze(out)
    morris = pd.read_csv(out / "analysis" / "morris.csv")
    bust = morris[morris["output"] == "bust probability"].set_index("parameter")["mu_star"]
    assert bust["shell_lead_months"] == 0 < min(bust["price_elasticity"], bust["hyperscaler_optimism"])
    assert "**price_elasticity**" in res.headline and "**hyperscaler_optimism**" in res.headline
    assert "**shell_lead_months**" not in res.headline


# ===== bad input: one line, exit 2, nothing run ===============================================

def _closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.mark.parametrize("params, extra, sampler, samples, needle", [
    ("no_such_param = [0, 1]\n", "", "lhs", 4, "unknown parameter 'no_such_param'"),
    ("price_elasticity = [1.2, 1.2]\n", "", "lhs", 4, "empty range"),
    ("price_elasticity = [2.0, 1.0]\n", "", "lhs", 4, "inverted range"),
    ("price_elasticity = [0.5, 9.0]\n", "", "lhs", 4, "out of range"),
    ("price_elasticity = { values = [] }\n", "", "lhs", 4, "empty list"),
    ("shell_lead_months = [6.5, 20]\n", "", "lhs", 4, "shell_lead_months"),
    ("price_elasticity = [0.5, 2.0]\n", "", "halton", 4, "sampler 'halton' is not known"),
    ("price_elasticity = [0.5, 2.0]\n", "", "sobol", 100, "power of two; allowed: 2, 4, 8"),
    ("price_elasticity = [0.5, 2.0]\n", "", "morris", 1, "at least 2"),
    ("price_elasticity = [0.5, 2.0]\n", "", "lhs", None, "missing required key 'samples'"),
    ("price_elasticity = [0.5, 1.0, 2.0]\n", "", "lhs", 4, "expected a range [low, high]"),
    ("price_elasticity = [0.5, 2.0]\n", "second_order = true\n", "lhs", 4, "'sobol' only"),
    ("yield_initial_frac = [0.3, 1.0]\n", "", "lhs", 8, "unknown parameter 'yield_initial_frac'"),
])
def test_bad_spec_exits_2_with_one_line(tmp_path, capsys, params, extra, sampler, samples, needle):
    spec = write_spec(tmp_path, "bad", sampler=sampler, samples=samples, params=params, extra=extra, months=6)
    assert main(["sweep", str(spec), "--out", str(tmp_path / "out")]) == 2
    out, err = capsys.readouterr()
    assert len(err.splitlines()) == 1, err
    assert err.startswith("computebubble: error: ") and "bad.toml" in err and needle in err, err
    assert "Traceback" not in err + out
    assert not (tmp_path / "out").exists()


@pytest.mark.parametrize("argv, needle", [
    (["--workers", "0"], "--workers"),
    (["--dask", "tcp://127.0.0.1:{port}"], "connection refused"),
    (["--out", "{busy}"], "--resume"),
])
def test_bad_options_exit_2_with_one_line_before_any_run(tmp_path, capsys, argv, needle):
    spec = write_spec(tmp_path, "good", months=6)
    busy = tmp_path / "busy"
    busy.mkdir()
    (busy / "something").write_text("x")
    argv = [a.format(port=_closed_port(), busy=busy) for a in argv]
    if "--out" not in argv:
        argv += ["--out", str(tmp_path / "out")]
    t0 = time.monotonic()
    assert main(["sweep", str(spec), *argv]) == 2
    assert time.monotonic() - t0 < S.DASK_CONNECT_TIMEOUT_S  # a refused connection does not wait out the timeout
    out, err = capsys.readouterr()
    assert len(err.splitlines()) == 1 and err.startswith("computebubble: error: ") and needle in err, err
    assert not (tmp_path / "out").exists() and sorted(p.name for p in busy.iterdir()) == ["something"]


def test_resume_with_another_design_is_refused(lhs, tmp_path, capsys):
    spec, out = lhs
    other = write_spec(tmp_path, "other", samples=6, replications=2, months=6)
    assert main(["sweep", str(other), "--out", str(out), "--resume"]) == 2
    err = capsys.readouterr().err
    assert len(err.splitlines()) == 1 and "another design" in err and "months" in err


@pytest.mark.parametrize("argv, needle", [
    (["analyze", "{tmp}/nowhere"], "nowhere"),
    (["analyze", "{lhs}", "--pair", "price_elasticity,nope"], "'nope'"),
    (["analyze", "{lhs}", "--pair", "price_elasticity"], "--pair"),
])
def test_analyze_bad_input_exits_2(lhs, tmp_path, capsys, argv, needle):
    argv = [a.format(tmp=tmp_path, lhs=lhs[1]) for a in argv]
    assert main(argv) == 2
    err = capsys.readouterr().err
    assert len(err.splitlines()) == 1 and err.startswith("computebubble: error: ") and needle in err, err


def test_sweep_bad_input_through_a_real_process(tmp_path):
    spec = write_spec(tmp_path, "bad", sampler="sobol", samples=12, params="price_elasticity = [0.5, 2.0]\n")
    proc = subprocess.run([sys.executable, "-m", "experiments.cli", "sweep", str(spec)], cwd=tmp_path, env=ENV,
                          capture_output=True, text=True, timeout=120)
    assert proc.returncode == 2 and len(proc.stderr.splitlines()) == 1 and "power of two" in proc.stderr
    assert "Traceback" not in proc.stderr


# ===== hardened edges: design size, damaged folders, retries, locks =============================

@pytest.mark.parametrize("sampler, samples, replications, needles", [
    ("lhs", 10**12, 1, ("samples = 1000000000000", "1,000,000,000,000 runs")),
    ("sobol", 2**40, 1, ("samples = 1099511627776", "5,497,558,138,880 design points")),
    ("lhs", 4, 10**9, ("replications = 1000000000", "4,000,000,000 runs")),
    ("grid", None, 10**5, ("the grid's 8 combinations", "800,000 runs")),
])
def test_a_huge_design_is_refused_by_arithmetic_before_anything_is_built(tmp_path, capsys, sampler, samples,
                                                                          replications, needles):
    params = "price_elasticity = [0.8, 1.6]\nshell_lead_months = [9, 18]\narms_race_coupling = [0.1, 0.5]\n"
    spec = write_spec(tmp_path, "huge", sampler=sampler, samples=samples, replications=replications, months=6,
                      params=params)
    t0 = time.monotonic()
    exits_2_with_one_line(capsys, ["sweep", spec, "--out", tmp_path / "out"], "huge.toml", *needles,
                          "allowed: at most 100,000 runs", "--max-runs")
    assert time.monotonic() - t0 < 10 and not (tmp_path / "out").exists()


def test_max_runs_moves_the_limit_and_the_sweep_announces_its_size_and_time(tmp_path, capsys):
    spec = write_spec(tmp_path, "six", samples=6, months=3)
    exits_2_with_one_line(capsys, ["sweep", spec, "--out", tmp_path / "out", "--max-runs", "5"], "6 runs",
                          "at most 5 runs")
    assert main(["sweep", str(spec), "--out", str(tmp_path / "out"), "--max-runs", "6", "--workers", "2"]) == 0
    first = capsys.readouterr().out.splitlines()[0]
    assert first.startswith("sweep six: 6 runs of 3 months; 6 to run on 2 workers, ") and "(estimated)" in first


@pytest.mark.parametrize("value", ["0", "many", "10000001", "-3"])
def test_bad_max_runs(tmp_path, capsys, value):
    spec = write_spec(tmp_path, samples=4, months=3)
    exits_2_with_one_line(capsys, ["sweep", spec, "--out", tmp_path / "out", "--max-runs", value],
                          f"--max-runs '{value}'", "10,000,000")


@pytest.mark.parametrize("params, needles", [
    ("x = " + "[" * 3000 + "]" * 3000 + "\n", ("line", "'x'", "more than 8 deep")),
    ("price_elasticity = [0.6, 1e400]\n", ("'parameters.price_elasticity[1]'", "1e400", "overflows")),
    ('price_elasticity = ["0.6", 2.0]\n', ("price_elasticity", "'0.6'", "quoted string")),
    ("funding_freeze_month = [0, 100]\n", ("funding_freeze_month", "value 100", "[1, 6]")),
    ("efficiency_shock_month = { values = [0, 3, 7] }\n", ("efficiency_shock_month", "value 7", "[1, 6]")),
])
def test_bad_spec_values_name_key_and_value(tmp_path, capsys, params, needles):
    spec = write_spec(tmp_path, "bad", samples=4, months=6, params=params)
    exits_2_with_one_line(capsys, ["sweep", spec, "--out", tmp_path / "out"], "bad.toml", *needles)
    assert not (tmp_path / "out").exists()


def test_an_over_long_out_or_spec_name_is_one_line(tmp_path, capsys):
    spec = write_spec(tmp_path, samples=4, months=3)
    exits_2_with_one_line(capsys, ["sweep", spec, "--out", tmp_path / ("o" * 5000)], "--out", "name too long", "5000 bytes")
    exits_2_with_one_line(capsys, ["sweep", tmp_path / ("s" * 5000 + ".toml")], "sweep spec", "name too long")


@pytest.fixture
def copied(lhs, tmp_path):
    """A private copy of the stored LHS sweep, to damage."""
    import shutil

    dest = tmp_path / "copy"
    shutil.copytree(lhs[1], dest)
    return lhs[0], dest


@pytest.mark.parametrize("damage, needles", [
    ("missing", ("no sweep.json",)),
    ("truncated", ("sweep.json", "not valid JSON", "truncated or damaged")),
    ("not utf-8", ("sweep.json", "cannot read")),
    ("empty object", ("sweep.json", "key 'design_key' is missing")),
    ("no names", ("sweep.json", "key 'names' is missing")),
])
@pytest.mark.parametrize("command", ["analyze", "resume"])
def test_a_damaged_sweep_json_is_one_line_for_analyze_and_resume(copied, capsys, damage, needles, command):
    import json

    spec, out = copied
    meta = out / "sweep.json"
    text = meta.read_text()
    if damage == "missing":
        meta.unlink()
    elif damage == "truncated":
        meta.write_text(text[: len(text) // 2])
    elif damage == "not utf-8":
        meta.write_bytes(b"\xff\xfe{")
    elif damage == "empty object":
        meta.write_text("{}")
    else:
        meta.write_text(json.dumps({k: v for k, v in json.loads(text).items() if k != "names"}))
    before = sorted(p.name for p in part_files(out))
    argv = ["analyze", out] if command == "analyze" else ["sweep", spec, "--out", out, "--resume"]
    exits_2_with_one_line(capsys, argv, *needles)
    assert sorted(p.name for p in part_files(out)) == before  # nothing finished is lost
    assert not (out / "analysis").exists()


@pytest.mark.parametrize("damage", ["junk", "dangling link", "folder"])
def test_an_unreadable_part_file_is_named(copied, capsys, damage):
    _, out = copied
    part = part_files(out)[3]
    part.unlink()
    if damage == "junk":
        part.write_bytes(b"not parquet")
    elif damage == "dangling link":
        part.symlink_to(out / "nowhere.parquet")
    else:
        part.mkdir()
    exits_2_with_one_line(capsys, ["analyze", out], part.name, "cannot read this stored run", "--resume")


def test_analyze_out_that_is_a_file_or_unwritable_and_a_missing_design(copied, tmp_path, capsys):
    _, out = copied
    (tmp_path / "a-file").write_text("x")
    exits_2_with_one_line(capsys, ["analyze", out, "--out", tmp_path / "a-file"], "exists and is not a folder")
    with unwritable_dir(tmp_path) as ro:
        exits_2_with_one_line(capsys, ["analyze", out, "--out", ro / "analysis"], "--out", "cannot write")
    (out / "design.parquet").unlink()
    exits_2_with_one_line(capsys, ["analyze", out], "design.parquet", "cannot read")
    assert not (out / "analysis").exists()


def test_analysis_is_written_all_or_nothing(copied, capsys, monkeypatch):
    """The files are staged in a temporary folder and moved in at the end."""
    import experiments.analyze as A

    _, out = copied

    def broken(*args, **kwargs):
        raise RuntimeError("plotting failed")

    monkeypatch.setattr(A, "plot_heatmap", broken)
    with pytest.raises(RuntimeError, match="plotting failed"):
        A.analyze(out)
    assert not (out / "analysis").exists() and not [p for p in out.iterdir() if p.name.endswith(".tmp")]


def test_resume_retry_failed_reruns_recorded_failures_only(tmp_path, monkeypatch, capsys):
    spec = write_spec(tmp_path, samples=4, months=3)
    out = tmp_path / "out"
    exits_2_with_one_line(capsys, ["sweep", spec, "--out", out, "--retry-failed"], "--retry-failed",
                          "only with --resume")
    monkeypatch.setenv(S.FAIL_ENV, "1,2")
    assert main(["sweep", str(spec), "--workers", "2", "--out", str(out)]) == 0
    assert "2 raised" in capsys.readouterr().out
    monkeypatch.delenv(S.FAIL_ENV)
    assert main(["sweep", str(spec), "--workers", "2", "--out", str(out), "--resume"]) == 0  # not retried
    assert S.load_results(out)["error"].notna().sum() == 2
    good = {p.name: p.stat().st_mtime_ns for p in part_files(out)
            if pq.read_table(p).column("error").null_count == 1}
    capsys.readouterr()
    assert main(["sweep", str(spec), "--workers", "2", "--out", str(out), "--resume", "--retry-failed"]) == 0
    assert "2 failed runs to retry" in capsys.readouterr().out
    frame = S.load_results(out)
    assert len(frame) == 4 and frame["error"].isna().all() and frame["run_id"].is_unique
    assert {n: (out / "runs" / n).stat().st_mtime_ns for n in good} == good  # the others were not rerun


def test_a_folder_held_by_a_live_sweep_is_refused(lhs, capsys):
    spec, out = lhs
    lock = S.FolderLock(out).acquire()  # what a running sweep holds (flock conflicts across open files)
    try:
        exits_2_with_one_line(capsys, ["sweep", spec, "--out", out, "--resume"], "another sweep",
                              f"process {os.getpid()}", "one sweep per folder")
    finally:
        lock.release()
    assert main(["sweep", str(spec), "--out", str(out), "--resume"]) == 0


def test_a_refused_start_leaves_no_folder_behind(tmp_path, capsys):
    spec = write_spec(tmp_path, samples=4, months=3)
    out = tmp_path / "new" / "deeper"
    exits_2_with_one_line(capsys, ["sweep", spec, "--out", out, "--dask", f"tcp://127.0.0.1:{_closed_port()}"],
                          "cannot reach a Dask scheduler", "connection refused")
    assert not (tmp_path / "new").exists()
