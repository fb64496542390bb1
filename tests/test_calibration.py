"""The baseline reproduces the public record's 2025 figures and the seeds' 2025-26 figures
within the stated bands, on the median over seeds 1-3.

The figures, their sources, bands and tolerances live in experiments/calibration.py; the
record in experiments/data/public_record.csv; docs/calibration.md is generated from the
same code.
"""

import statistics

import pytest

from experiments.calibration import SEEDS, Run, contention_effects, evaluate, table_markdown, targets, within


@pytest.fixture(scope="module")
def runs():
    return [Run(seed) for seed in SEEDS]


@pytest.mark.parametrize("target", targets(), ids=[t.name for t in targets()])
def test_figure_within_its_band(runs, target):
    values = [target.measure(run) for run in runs]
    assert within(target, values), (
        f"{target.name} ({target.kind} {target.source}: {target.figure}) = {statistics.median(values):.4g} "
        f"(median; seeds {[round(v, 4) for v in values]}), band [{target.low}, {target.high}] {target.unit}")


def test_record_targets_read_the_record_file():
    """The record targets' figures come from the CSV, not from the code: the big four's
    2025 total is the sum of the four firms' reported capex (Microsoft and Amazon from
    their quarters)."""
    t = {t.name: t for t in targets()}
    big = t["big four total capex, 2025"]
    firms = [t[f"{n} total capex, 2025"] for n in ("Microsoft", "Alphabet", "Amazon", "Meta")]
    assert abs(sum((f.low + f.high) / 2 for f in firms) - (big.low + big.high) / 2) < 1e-6
    assert abs((t["Microsoft total capex, 2025"].low + t["Microsoft total capex, 2025"].high) / 2 - 118.0) < 1e-6


def test_docs_table_is_current():
    """docs/calibration.md is what the generator writes now."""
    from pathlib import Path

    doc = Path(__file__).resolve().parent.parent / "docs" / "calibration.md"
    values, runs = evaluate()
    assert doc.read_text() == table_markdown(values, runs, contention_effects()), \
        "run: python -m experiments.calibration"
