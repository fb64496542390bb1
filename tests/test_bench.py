"""The benchmark runs end to end on tiny sizes and ends with the ratio line."""

import re

from experiments import bench


def test_bench_small_run_prints_each_size_and_ends_with_ratio(capsys):
    rc = bench.main(["--months", "3", "--repeats", "1", "--sizes", "default,200",
                     "--boltzmann-agents", "500", "--boltzmann-steps", "2"])
    assert rc == 0
    lines = [ln for ln in capsys.readouterr().out.splitlines() if ln.strip()]
    assert re.match(r"^ratio vs mesa boltzmann: \d+\.\d$", lines[-1])
    default_n = bench.Params().n_user_cohorts
    for n in (default_n, 200):
        assert any(ln.startswith(f"computebubble n_user_cohorts={n}:") for ln in lines), n
    assert any(ln.startswith("mesa boltzmann n=500:") for ln in lines)
    assert any(ln.startswith("peak RSS:") for ln in lines)
