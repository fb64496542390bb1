"""Sweep storage: one Parquet part file per finished run, written so a kill never leaves half a file.

Part of :mod:`experiments.sweep` (whose module doc describes the folder); every name here is
also importable from there.
"""

from __future__ import annotations

import concurrent.futures as cf
import json
import os
from pathlib import Path
from typing import Any

from experiments.sweep_spec import SweepError

RUNS_SUBDIR = "runs"
PART_PREFIX = "part-"

# ===== storage ===============================================================================

def runs_dir(out: Path) -> Path:
    return Path(out) / RUNS_SUBDIR


def part_path(out: Path, rid: str) -> Path:
    return runs_dir(out) / f"{PART_PREFIX}{rid}.parquet"


def _atomic_write_bytes(path: Path, data: bytes) -> None:
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    tmp.write_bytes(data)
    os.replace(tmp, path)


def _atomic_write_parquet(table, path: Path) -> None:
    import pyarrow.parquet as pq

    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    pq.write_table(table, tmp)
    os.replace(tmp, path)


def write_part(out: Path, row: dict[str, Any]) -> Path:
    """Store one finished run as its own Parquet file (temporary name, then os.replace)."""
    import pyarrow as pa

    path = part_path(out, row["run_id"])
    _atomic_write_parquet(pa.Table.from_pylist([row]), path)
    return path


def stored_run_ids(out: Path) -> set[str]:
    """run_ids with a part file in ``out`` (temporary files are not runs)."""
    folder = runs_dir(out)
    if not folder.is_dir():
        return set()
    n = len(PART_PREFIX)
    return {p.name[n:-len(".parquet")] for p in folder.glob(f"{PART_PREFIX}*.parquet")}


def _clean_temporaries(out: Path) -> None:
    for folder in (Path(out), runs_dir(out)):
        if folder.is_dir():
            for p in folder.glob(".*.tmp"):
                p.unlink(missing_ok=True)


def load_results(out: str | os.PathLike):
    """All stored runs of a sweep folder as one pandas DataFrame, sorted by sample and replication.

    Part files are read with pyarrow and concatenated with permissive type promotion (a
    column that is null in one run and a string in another becomes a string; an error row
    has nulls for every outcome).
    """
    import pyarrow as pa
    import pyarrow.parquet as pq

    folder = runs_dir(Path(out))
    files = sorted(folder.glob(f"{PART_PREFIX}*.parquet")) if folder.is_dir() else []
    if not files:
        raise SweepError(f"'{out}' holds no stored runs (no {RUNS_SUBDIR}/{PART_PREFIX}*.parquet)")
    with cf.ThreadPoolExecutor(max_workers=min(8, os.cpu_count() or 1)) as pool:
        tables = list(pool.map(pq.read_table, files))
    table = pa.concat_tables(tables, promote_options="permissive")
    frame = table.to_pandas()
    return frame.sort_values(["sample", "replication"], kind="stable").reset_index(drop=True)


def load_meta(out: str | os.PathLike) -> dict[str, Any]:
    """``DIR/sweep.json``: the design key, parameters, sampler and options of a sweep folder."""
    path = Path(out) / "sweep.json"
    if not path.is_file():
        raise SweepError(f"'{out}' is not a sweep folder (no sweep.json); run 'computebubble sweep SPEC.toml "
                         f"--out {out}' first")
    return json.loads(path.read_text(encoding="utf-8"))


def load_design(out: str | os.PathLike):
    import pandas as pd

    return pd.read_parquet(Path(out) / "design.parquet")
