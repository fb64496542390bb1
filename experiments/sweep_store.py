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

from experiments.sweep_spec import SAMPLERS, SweepError

RUNS_SUBDIR = "runs"
PART_PREFIX = "part-"
#: The lock file of a sweep folder (see :class:`FolderLock`).
LOCK_NAME = ".lock"
META_NAME = "sweep.json"
DESIGN_NAME = "design.parquet"


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


def _read_part(path: Path, columns: list[str] | None = None):
    """One part file as a pyarrow Table; an unreadable one is a one-line :class:`SweepError`."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    try:
        if not path.is_file():
            raise FileNotFoundError(2, "missing (not a file, or a link to nothing)")
        return pq.read_table(path, columns=columns)
    except (OSError, pa.ArrowException, ValueError) as e:
        why = e.strerror if isinstance(e, OSError) and e.strerror else " ".join(str(e).split())[:200]
        raise SweepError(f"'{path}': cannot read this stored run ({why}); allowed: a part file written by "
                         "'computebubble sweep' (move it aside and --resume runs it again)") from None


def _part_files(out: Path) -> list[Path]:
    folder = runs_dir(Path(out))
    return sorted(folder.glob(f"{PART_PREFIX}*.parquet")) if folder.is_dir() else []


def load_results(out: str | os.PathLike):
    """All stored runs of a sweep folder as one pandas DataFrame, sorted by sample and replication.

    Part files are read with pyarrow and concatenated with permissive type promotion (a
    column that is null in one run and a string in another becomes a string; an error row
    has nulls for every outcome). A part file that cannot be read is a :class:`SweepError`
    naming it.
    """
    import pyarrow as pa

    files = _part_files(Path(out))
    if not files:
        raise SweepError(f"'{out}' holds no stored runs (no {RUNS_SUBDIR}/{PART_PREFIX}*.parquet)")
    with cf.ThreadPoolExecutor(max_workers=min(8, os.cpu_count() or 1)) as pool:
        tables = list(pool.map(_read_part, files))
    try:
        table = pa.concat_tables(tables, promote_options="permissive")
    except (pa.ArrowException, ValueError) as e:
        raise SweepError(f"'{out}': the stored runs do not fit one table ({' '.join(str(e).split())[:200]}); "
                         "allowed: part files of one sweep") from None
    frame = table.to_pandas()
    missing = [c for c in ("run_id", "sample", "replication") if c not in frame.columns]
    if missing:
        raise SweepError(f"'{out}': stored runs lack the column '{missing[0]}'; allowed: part files written by "
                         "'computebubble sweep'")
    return frame.sort_values(["sample", "replication"], kind="stable").reset_index(drop=True)


def failed_run_ids(out: Path) -> set[str]:
    """run_ids whose stored part records an error (the run raised, or its worker kept dying)."""
    failed = set()
    for path in _part_files(out):
        table = _read_part(path)
        if "error" in table.column_names and table.column("error").null_count < table.num_rows:
            failed.add(path.name[len(PART_PREFIX):-len(".parquet")])
    return failed


def _meta_problem(meta: Any) -> str | None:
    """What is wrong with a parsed sweep.json, or None (the keys analysis and --resume use)."""
    if not isinstance(meta, dict):
        return f"it holds {type(meta).__name__}, not a JSON object"
    want = {"design_key": str, "design": dict, "names": list, "replications": int}
    for key, kind in want.items():
        if key not in meta:
            return f"key '{key}' is missing"
        if not isinstance(meta[key], kind) or isinstance(meta[key], bool):
            return f"key '{key}' is {type(meta[key]).__name__}, not {kind.__name__}"
    d = meta["design"]
    if d.get("sampler") not in SAMPLERS:
        return f"key 'design.sampler' is {d.get('sampler')!r}; allowed: {', '.join(SAMPLERS)}"
    for key in ("months", "seed", "samples"):
        if not isinstance(d.get(key), int) or isinstance(d.get(key), bool):
            return f"key 'design.{key}' is {d.get(key)!r}, not an integer"
    params = d.get("parameters")
    if not isinstance(params, list) or not params or not all(isinstance(p, dict) and isinstance(p.get("name"), str)
                                                             for p in params):
        return "key 'design.parameters' is not a list of parameters with names"
    if meta["names"] != [p["name"] for p in params]:
        return "key 'names' does not match 'design.parameters'"
    if meta["replications"] < 1:
        return f"key 'replications' is {meta['replications']}; allowed: an integer >= 1"
    return None


def load_meta(out: str | os.PathLike) -> dict[str, Any]:
    """``DIR/sweep.json``: the design key, parameters, sampler and options of a sweep folder.

    A missing, unreadable, truncated or incomplete file is a one-line :class:`SweepError`."""
    path = Path(out) / META_NAME
    if not path.is_file():
        raise SweepError(f"'{out}' is not a sweep folder (no {META_NAME}); run 'computebubble sweep SPEC.toml "
                         f"--out {out}' first")
    allowed = f"allowed: the {META_NAME} that 'computebubble sweep' writes"
    try:
        meta = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError) as e:
        raise SweepError(f"'{path}': cannot read ({getattr(e, 'strerror', None) or e}); {allowed}") from None
    except json.JSONDecodeError as e:
        raise SweepError(f"'{path}': not valid JSON ({e.msg}: line {e.lineno} column {e.colno}; truncated or "
                         f"damaged); {allowed}") from None
    except RecursionError:
        raise SweepError(f"'{path}': nested too deeply to read; {allowed}") from None
    problem = _meta_problem(meta)
    if problem:
        raise SweepError(f"'{path}': {problem} (damaged, or not written by this program); {allowed}")
    return meta


def load_design(out: str | os.PathLike):
    """``DIR/design.parquet`` as a DataFrame; missing or unreadable is a one-line :class:`SweepError`."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    path = Path(out) / DESIGN_NAME
    try:
        if not path.is_file():
            raise FileNotFoundError(2, "missing")
        frame = pq.read_table(path).to_pandas()
    except (OSError, pa.ArrowException, ValueError) as e:
        why = e.strerror if isinstance(e, OSError) and e.strerror else " ".join(str(e).split())[:200]
        raise SweepError(f"'{path}': cannot read ({why}); allowed: the {DESIGN_NAME} that 'computebubble sweep' "
                         "writes") from None
    if "sample" not in frame.columns or "run_id" not in frame.columns:
        raise SweepError(f"'{path}': no 'sample' or 'run_id' column; allowed: the {DESIGN_NAME} that "
                         "'computebubble sweep' writes")
    return frame


# ===== the folder lock =======================================================================

class FolderLock:
    """One writer per sweep folder: an exclusive ``fcntl.flock`` on ``DIR/.lock``, held while a
    sweep writes the folder and released by the kernel however the process ends (a kill too).

    :meth:`acquire` creates the folder if needed and refuses, as a one-line
    :class:`SweepError`, a folder another live process holds. :meth:`release` with
    ``keep=False`` (the sweep stopped before writing anything) removes the lock file and any
    folder it created, so a refused or failed start leaves nothing behind.
    """

    def __init__(self, out: Path):
        self.out = Path(out)
        self.fd: int | None = None
        self.created: list[Path] = []

    def acquire(self) -> "FolderLock":
        import fcntl

        missing, p = [], self.out
        while not p.exists() and p != p.parent:
            missing.append(p)
            p = p.parent
        try:
            self.out.mkdir(parents=True, exist_ok=True)
            self.created = missing
            fd = os.open(self.out / LOCK_NAME, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o644)
        except OSError as e:
            self.release(keep=False)
            raise SweepError(f"--out {self.out}: cannot write here ({e.strerror or e}); allowed: a folder you can "
                             "write") from None
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            holder = os.pread(fd, 32, 0).decode("ascii", "replace").strip() or "unknown"
            os.close(fd)
            raise SweepError(f"--out {self.out}: another sweep (process {holder}) is writing this folder now; "
                             "allowed: one sweep per folder at a time (wait for it to end or stop it, then "
                             "--resume)") from None
        os.ftruncate(fd, 0)
        os.pwrite(fd, f"{os.getpid()}\n".encode(), 0)
        self.fd = fd
        return self

    def release(self, keep: bool = True) -> None:
        if not keep and self.created:
            (self.out / LOCK_NAME).unlink(missing_ok=True)
        if self.fd is not None:
            os.close(self.fd)
            self.fd = None
        if not keep:
            for p in self.created:  # deepest first; only folders that are still empty
                try:
                    p.rmdir()
                except OSError:
                    break
            self.created = []


def folder_entries(out: Path) -> list[Path]:
    """What a sweep folder holds, its lock file aside."""
    return [p for p in Path(out).iterdir() if p.name != LOCK_NAME] if Path(out).is_dir() else []
