"""Parameter sweeps: a TOML spec, a sample design, runs on a process pool or Dask, Parquet parts.

A sweep spec (examples in ``experiments/sweeps/``)::

    title = "what this sweep asks"          # optional
    scenario = "baseline"                     # name, or a .toml path (relative to the spec's folder)
    months = 72                               # 1..180 (default 72)
    sampler = "lhs"                           # grid | lhs | sobol | morris
    samples = 200                             # see below; not used by grid
    replications = 2                          # runs per sample, each with its own seed (default 1)
    seed = 1                                  # root seed (default 1)
    # common_seeds = true                     # replication r uses one seed for every sample (see below)
    # second_order = false                    # sobol only: also the second-order indices
    # num_levels = 4                          # morris only: levels of the grid (an even number >= 2)

    [parameters]                              # fields of sim.params.Params
    price_elasticity = [0.6, 2.0]             # a range [low, high] inside the field's min..max
    shell_lead_months = [6, 36]               # integer fields are sampled as integers, low..high inclusive
    chip_generation_months = { values = [12, 21, 30] }   # a list of levels (categorical)

What ``samples`` means, and how many runs a spec makes (times ``replications``):

- ``lhs``: points of a Latin hypercube (:class:`scipy.stats.qmc.LatinHypercube`, seeded);
  runs = samples.
- ``sobol``: Saltelli's base sample N (:func:`SALib.sample.sobol.sample`, scrambled and
  seeded), a power of two; runs = N x (D + 2), or N x (2D + 2) with ``second_order``.
- ``morris``: trajectories (:func:`SALib.sample.morris.sample`); runs = N x (D + 1).
- ``grid``: every combination of the listed values (``itertools.product``); each
  parameter is a list of values (``[a, b]`` is two values here, not a range) and
  ``samples``, if given, must equal the number of combinations.

Samplers work in the unit cube; a unit coordinate ``u`` maps to ``low + u (high - low)``
for a number, to ``low + floor(u (high - low + 1))`` for an integer, and to level
``floor(u k)`` of ``k`` listed values. The unit coordinates are kept (``x_<name>`` in
``design.parquet``) for the Morris analysis.

Seeds: run (sample s, replication r) gets
``SeedSequence(seed, spawn_key=(s, r)).generate_state(1, uint64) >> 1``, a 63-bit integer:
the same spec always gives every run the same seed, whatever machine or executor runs it.
With ``common_seeds = true`` the key is ``(r,)`` alone: every sample of replication r shares
one seed (common random numbers). Use it for Sobol and Morris designs: their indices are
built from differences between nearby samples, and with a fresh seed per sample the
model's own noise enters every difference and inflates every index (on a 512-run Sobol
sweep of the bust flag here, every total index came out between 0.36 and 0.79, with
intervals as wide).

Run ids: ``run_id`` is the first 16 hex digits of sha256 over the design key (a hash of
the scenario's parameters and events, months, sampler, samples, seed, the parameter table
and the design matrix itself; not ``replications``) with the sample index and
replication. Raising ``replications`` and resuming therefore only runs the new replications.

The results folder ``DIR``::

    DIR/spec.toml         the spec, copied at start
    DIR/design.parquet    one row per run: run_id, sample, replication, seed, x_<name>, <name>
    DIR/sweep.json        the design key and what analysis needs (parameters, sampler, ...)
    DIR/runs/part-<run_id>.parquet   one file per finished run, written to a hidden temporary
                                     name and renamed (os.replace) so a kill never leaves half a file

Each row: ``run_id``, ``sample``, ``replication``, ``seed``, ``scenario``, ``months``, the
swept parameters, the verdict's scalar outcomes (:func:`experiments.runner.run` minus its
``years`` and ``yearly`` series; the ``defaults`` list joined with "; "), ``error`` (None, or
the one-line error of a run that raised), ``wall_s`` and ``code_version``. A run that raises
is stored with its error and the sweep goes on. ``--resume`` skips every run_id already
stored; a run lost in flight (a kill, a dead worker) is simply run again.

Executors: a local :class:`concurrent.futures.ProcessPoolExecutor` (``forkserver`` start
method with the model preloaded, so workers start fast and never inherit the parent's
threads; workers ignore Ctrl-C, the parent handles it), or a ``dask.distributed`` scheduler
(``--dask ADDRESS``, or ``--dask local`` for a :class:`distributed.LocalCluster` of
processes). Either way at most a few runs per worker are in flight, so the parent's memory
stays flat however long the sweep.

Test hook (documented, honest): the environment variable
``COMPUTEBUBBLE_SWEEP_FAIL_SAMPLES``, a comma-separated list of sample indices, read by the
parent when the sweep starts, makes every run of those samples raise
``RuntimeError("injected failure ...")`` inside the worker instead of running the model.
It exists so the tests can check that a failing run is recorded and the rest finish.
"""

from __future__ import annotations

import concurrent.futures as cf
import hashlib
import itertools
import json
import math
import multiprocessing
import os
import signal
import subprocess
import sys
import time
import tomllib
import traceback
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterator

import numpy as np

from sim.params import FIELDS, ParamError, coerce, make_params

SAMPLERS = ("grid", "lhs", "sobol", "morris")
#: Environment variable of the failure-injection test hook (see the module doc).
FAIL_ENV = "COMPUTEBUBBLE_SWEEP_FAIL_SAMPLES"
#: Seconds to wait for a Dask scheduler before giving up.
DASK_CONNECT_TIMEOUT_S = 5
#: Runs in flight per worker (bounded so memory stays flat).
IN_FLIGHT_PER_WORKER = 2
#: Outcomes of ``run()`` left out of the rows: per-year series (``computebubble run`` shows them).
DROPPED_OUTCOMES = ("years", "yearly")
#: Columns every row has, in front.
ID_COLUMNS = ("run_id", "sample", "replication", "seed", "scenario", "months")
RUNS_SUBDIR = "runs"
PART_PREFIX = "part-"

_SPEC_KEYS = ("title", "scenario", "months", "sampler", "samples", "replications", "seed", "common_seeds",
              "second_order", "num_levels", "parameters")


class SweepError(ValueError):
    """Bad sweep input (a spec, a folder, an option, a Dask address): one line, exit status 2."""


class SweepAborted(RuntimeError):
    """The sweep could not go on (the worker pool broke); finished runs are stored."""


# ===== the spec ==============================================================================

@dataclass(frozen=True)
class ParamSpec:
    """One swept parameter: a range ``[low, high]`` or a list of ``values``."""

    name: str
    is_int: bool
    low: float | int | None = None
    high: float | int | None = None
    values: tuple = ()

    @property
    def kind(self) -> str:
        return "values" if self.values else "range"

    def from_unit(self, u: np.ndarray) -> list:
        """Unit coordinates in [0, 1] to parameter values (plain Python numbers)."""
        u = np.clip(np.asarray(u, dtype=float), 0.0, 1.0)
        if self.values:
            idx = np.minimum((u * len(self.values)).astype(int), len(self.values) - 1)
            return [self.values[i] for i in idx]
        if self.is_int:
            span = int(self.high) - int(self.low) + 1
            return [int(v) for v in np.minimum(int(self.low) + np.floor(u * span).astype(int), int(self.high))]
        return [float(v) for v in self.low + u * (self.high - self.low)]

    def as_json(self) -> dict[str, Any]:
        d: dict[str, Any] = {"name": self.name, "kind": self.kind, "integer": self.is_int}
        if self.values:
            d["values"] = list(self.values)
        else:
            d["low"], d["high"] = self.low, self.high
        return d


@dataclass(frozen=True)
class Spec:
    """A checked sweep spec (:func:`load_spec`)."""

    path: Path
    text: str
    title: str
    scenario_ref: str
    months: int
    sampler: str
    samples: int | None
    replications: int
    seed: int
    parameters: tuple[ParamSpec, ...]
    second_order: bool = False
    num_levels: int = 4
    common_seeds: bool = False
    scenario: Any = field(default=None, compare=False, repr=False)

    @property
    def names(self) -> list[str]:
        return [p.name for p in self.parameters]


def _show(path: Path) -> str:
    from experiments.scenario import _show as show

    return show(Path(path))


def _describe(value: Any) -> str:
    kind = {bool: "a boolean", int: "an integer", float: "a number", str: "a string", dict: "a table",
            list: "an array"}.get(type(value), type(value).__name__)
    return kind if isinstance(value, (dict, list)) else f"{kind} ({value!r})"


def load_spec(path: str | os.PathLike) -> Spec:
    """Read and check a sweep spec; every problem is a one-line :class:`SweepError`."""
    from experiments.runner import check_months

    path = Path(path).expanduser()
    if not path.is_file():
        raise SweepError(f"sweep spec '{path}' not found")
    where = _show(path)
    try:
        text = path.read_text(encoding="utf-8")
        raw = tomllib.loads(text)
    except (OSError, UnicodeDecodeError) as e:
        raise SweepError(f"{where}: cannot read: {e}") from None
    except tomllib.TOMLDecodeError as e:
        raise SweepError(f"{where}: malformed TOML: {' '.join(str(e).split())}") from None
    unknown = [k for k in raw if k not in _SPEC_KEYS]
    if unknown:
        raise SweepError(f"{where}: unknown key '{unknown[0]}'; allowed: {', '.join(_SPEC_KEYS)}")

    def get(key: str, kind: type | tuple, default: Any) -> Any:
        if key not in raw:
            if default is _REQUIRED:
                raise SweepError(f"{where}: missing required key '{key}'")
            return default
        value = raw[key]
        if isinstance(value, bool) and kind is not bool or not isinstance(value, kind):
            names = {str: "a string", int: "an integer", bool: "true or false", dict: "a table"}
            raise SweepError(f"{where}: key '{key}' is {_describe(value)}; allowed: {names[kind]}")
        return value

    sampler = get("sampler", str, _REQUIRED)
    if sampler not in SAMPLERS:
        raise SweepError(f"{where}: sampler '{sampler}' is not known; allowed: {', '.join(SAMPLERS)}")
    title = get("title", str, path.stem)
    scenario_ref = get("scenario", str, "baseline")
    try:
        months = check_months(get("months", int, 72))
    except ParamError as e:
        raise SweepError(f"{where}: {e}") from None
    replications = get("replications", int, 1)
    if replications < 1:
        raise SweepError(f"{where}: replications = {replications}; allowed: an integer >= 1")
    seed = get("seed", int, 1)
    if seed < 0:
        raise SweepError(f"{where}: seed = {seed}; allowed: a non-negative integer")
    common_seeds = get("common_seeds", bool, False)
    second_order = get("second_order", bool, False)
    if "second_order" in raw and sampler != "sobol":
        raise SweepError(f"{where}: key 'second_order' applies to sampler 'sobol' only")
    num_levels = get("num_levels", int, 4)
    if "num_levels" in raw and sampler != "morris":
        raise SweepError(f"{where}: key 'num_levels' applies to sampler 'morris' only")
    if num_levels < 2 or num_levels % 2:
        raise SweepError(f"{where}: num_levels = {num_levels}; allowed: an even integer >= 2 (e.g. 4)")

    table = get("parameters", dict, _REQUIRED)
    if not table:
        raise SweepError(f"{where}: [parameters] is empty; allowed: name = [low, high] for fields of "
                         "sim.params.Params (see 'computebubble params')")
    params = tuple(_param_spec(where, sampler, name, value) for name, value in table.items())

    samples = raw.get("samples")
    if samples is not None and (isinstance(samples, bool) or not isinstance(samples, int)):
        raise SweepError(f"{where}: key 'samples' is {_describe(samples)}; allowed: an integer")
    samples = _check_samples(where, sampler, samples, params, second_order)

    scenario = _load_spec_scenario(where, path, scenario_ref, months)
    return Spec(path=path.resolve(), text=text, title=title, scenario_ref=scenario_ref, months=months,
                sampler=sampler, samples=samples, replications=replications, seed=seed, parameters=params,
                second_order=second_order, num_levels=num_levels, common_seeds=common_seeds, scenario=scenario)


_REQUIRED = object()


def _param_spec(where: str, sampler: str, name: str, value: Any) -> ParamSpec:
    """One ``[parameters]`` entry, checked against its field of ``Params``."""
    at = f"{where}: [parameters] {name}"
    if name not in FIELDS:
        try:
            coerce(name, 0)
        except ParamError as e:
            raise SweepError(f"{where}: [parameters] {e}") from None
    info = FIELDS[name].metadata
    is_int = FIELDS[name].type in ("int", int)
    lo, hi = info["min"], info["max"]
    field_range = f"[{lo:g}, {hi:g}] ({info['unit']})"

    def check(v: Any) -> float | int:
        try:
            return coerce(name, v)
        except ParamError as e:
            raise SweepError(f"{where}: [parameters] {e}") from None

    if isinstance(value, dict):
        if set(value) != {"values"} or not isinstance(value["values"], list):
            raise SweepError(f"{at}: a table here must be {{ values = [...] }}; got keys {', '.join(value) or 'none'}")
        levels = value["values"]
    elif isinstance(value, list) and sampler == "grid":
        levels = value
    elif isinstance(value, list):
        if len(value) != 2:
            raise SweepError(f"{at} = {value!r}: expected a range [low, high] (two numbers) or "
                             f"{{ values = [...] }} for a list of levels; field range {field_range}")
        low, high = check(value[0]), check(value[1])
        if low == high:
            raise SweepError(f"{at} = {value!r}: empty range (low equals high); allowed: [low, high] with "
                             f"low < high inside {field_range}")
        if low > high:
            raise SweepError(f"{at} = {value!r}: inverted range (low {low:g} > high {high:g}); allowed: "
                             f"[low, high] with low < high inside {field_range}")
        return ParamSpec(name, is_int, low=low, high=high)
    else:
        allowed = "a list of values" if sampler == "grid" else "[low, high] or { values = [...] }"
        raise SweepError(f"{at} is {_describe(value)}; allowed: {allowed}")
    if not levels:
        raise SweepError(f"{at}: empty list of values; allowed: one or more values in {field_range}")
    clean = tuple(check(v) for v in levels)
    if len(set(clean)) != len(clean):
        raise SweepError(f"{at}: repeated value in {list(levels)!r}; allowed: distinct values")
    return ParamSpec(name, is_int, values=clean)


def _check_samples(where: str, sampler: str, samples: int | None, params: tuple[ParamSpec, ...],
                   second_order: bool) -> int | None:
    d = len(params)
    if sampler == "grid":
        points = math.prod(len(p.values) for p in params)
        if samples is not None and samples != points:
            raise SweepError(f"{where}: samples = {samples} but the grid has {points} points; leave 'samples' "
                             "out for a grid (it is the product of the value lists)")
        return points
    if samples is None:
        raise SweepError(f"{where}: missing required key 'samples' (sampler '{sampler}')")
    if sampler == "sobol":
        if samples < 2 or samples & (samples - 1):
            per = f"{2 * d + 2 if second_order else d + 2}"
            raise SweepError(f"{where}: samples = {samples}: a Sobol design needs a power of two; allowed: 2, 4, 8, "
                             f"16, 32, 64, 128, 256, 512, ... (runs = samples x {per} here, times replications)")
    elif sampler == "morris":
        if samples < 2:
            raise SweepError(f"{where}: samples = {samples}: a Morris design needs at least 2 trajectories; "
                             f"allowed: an integer >= 2 (runs = samples x {d + 1}, times replications)")
    elif samples < 1:
        raise SweepError(f"{where}: samples = {samples}; allowed: an integer >= 1")
    return samples


def _load_spec_scenario(where: str, spec_path: Path, ref: str, months: int):
    """The spec's scenario, loaded once in the parent; a relative path is read from the spec's folder."""
    from experiments.scenario import ScenarioError, _is_path, load_scenario

    try:
        if _is_path(ref) and not Path(ref).expanduser().is_absolute():
            ref_path = spec_path.parent / ref
            sc = load_scenario(ref_path if ref_path.is_file() else ref)
        else:
            sc = load_scenario(ref)
        sc.check_horizon(months)
    except ScenarioError as e:
        raise SweepError(f"{where}: scenario: {e}") from None
    return sc


# ===== the design ============================================================================

def unit_design(spec: Spec) -> np.ndarray | None:
    """The sampler's matrix in the unit cube (rows = samples), or None for a grid."""
    d = len(spec.parameters)
    problem = {"num_vars": d, "names": spec.names, "bounds": [[0.0, 1.0]] * d}
    if spec.sampler == "lhs":
        from scipy.stats import qmc

        try:
            lhs = qmc.LatinHypercube(d=d, rng=np.random.default_rng(spec.seed))
        except TypeError:  # scipy < 1.15 names it seed
            lhs = qmc.LatinHypercube(d=d, seed=np.random.default_rng(spec.seed))
        return lhs.random(spec.samples)
    if spec.sampler == "sobol":
        from SALib.sample import sobol

        return sobol.sample(problem, spec.samples, calc_second_order=spec.second_order, scramble=True,
                            seed=spec.seed)
    if spec.sampler == "morris":
        from SALib.sample import morris

        return morris.sample(problem, spec.samples, num_levels=spec.num_levels, seed=spec.seed)
    return None


def build_design(spec: Spec):
    """One row per sample: ``sample``, ``x_<name>`` (unit coordinates; NaN for a grid), ``<name>``."""
    import pandas as pd

    unit = unit_design(spec)
    cols: dict[str, Any] = {}
    if unit is None:
        combos = list(itertools.product(*(p.values for p in spec.parameters)))
        cols["sample"] = list(range(len(combos)))
        for j, p in enumerate(spec.parameters):
            cols[f"x_{p.name}"] = [math.nan] * len(combos)
        for j, p in enumerate(spec.parameters):
            cols[p.name] = [c[j] for c in combos]
    else:
        cols["sample"] = list(range(unit.shape[0]))
        for j, p in enumerate(spec.parameters):
            cols[f"x_{p.name}"] = unit[:, j].astype(float)
        for j, p in enumerate(spec.parameters):
            cols[p.name] = p.from_unit(unit[:, j])
    frame = pd.DataFrame(cols)
    for p in spec.parameters:
        frame[p.name] = frame[p.name].astype("int64" if p.is_int else "float64")
    return frame


def check_design(spec: Spec, design) -> None:
    """Every sample must make valid Params together with the scenario (cross-field checks)."""
    base = dict(spec.scenario.params)
    for i, row in enumerate(design[spec.names].to_dict("records")):
        try:
            make_params({**base, **row})
        except ParamError as e:
            raise SweepError(f"{_show(spec.path)}: sample {i} is not a valid parameter set: {e}; narrow the "
                             "ranges") from None


def design_info(spec: Spec, design) -> dict[str, Any]:
    """What identifies the design (everything but ``replications``), as plain JSON."""
    matrix = hashlib.sha256(design.drop(columns=[c for c in design.columns if c.startswith("x_")])
                            .to_json(orient="values", double_precision=15).encode()).hexdigest()
    scenario = json.dumps(spec.scenario.model_kwargs(), sort_keys=True, default=str)
    info = {"scenario": spec.scenario.name, "scenario_sha256": hashlib.sha256(scenario.encode()).hexdigest(),
            "months": spec.months, "sampler": spec.sampler, "samples": spec.samples, "seed": spec.seed,
            "parameters": [p.as_json() for p in spec.parameters], "design_sha256": matrix}
    if spec.common_seeds:
        info["common_seeds"] = True
    if spec.sampler == "sobol":
        info["second_order"] = spec.second_order
    if spec.sampler == "morris":
        info["num_levels"] = spec.num_levels
    return info


def design_key(info: dict[str, Any]) -> str:
    return hashlib.sha256(json.dumps(info, sort_keys=True).encode()).hexdigest()[:16]


def run_id(key: str, sample: int, replication: int) -> str:
    """Stable id of run (sample, replication) of the design with key ``key``."""
    return hashlib.sha256(f"{key}/{sample}/{replication}".encode()).hexdigest()[:16]


def run_seed(root_seed: int, sample: int, replication: int, common: bool = False) -> int:
    """The run's seed: SeedSequence(root, spawn_key=(sample, replication)), 63 bits; with
    ``common`` (common random numbers) the key is (replication,) alone."""
    key = (replication,) if common else (sample, replication)
    state = np.random.SeedSequence(root_seed, spawn_key=key).generate_state(1, dtype=np.uint64)
    return int(state[0] >> np.uint64(1))


def runs_table(spec: Spec, design, key: str):
    """One row per run: run_id, sample, replication, seed, then the design's columns."""
    import pandas as pd

    rows = [{"run_id": run_id(key, s, r), "sample": s, "replication": r, "seed": run_seed(spec.seed, s, r, spec.common_seeds)}
            for s in range(len(design)) for r in range(spec.replications)]
    runs = pd.DataFrame(rows, columns=["run_id", "sample", "replication", "seed"])
    return runs.merge(design, on="sample", how="left")


# ===== one run (in a worker) =================================================================

def flatten_outcomes(out: dict[str, Any]) -> dict[str, Any]:
    """``run()``'s outcomes as scalar columns: series dropped, lists joined, dicts flattened."""
    row: dict[str, Any] = {}
    for k, v in out.items():
        if k in DROPPED_OUTCOMES:
            continue
        if isinstance(v, (list, tuple)):
            row[k] = "; ".join(str(x) for x in v)
        elif isinstance(v, dict):
            for kk, vv in v.items():
                if not isinstance(vv, (list, tuple, dict)):
                    row[f"{k}.{kk}"] = vv
        else:
            row[k] = v
    return row


def _one_line_error(e: BaseException) -> str:
    tb = traceback.extract_tb(e.__traceback__)
    where = f" (at {Path(tb[-1].filename).name}:{tb[-1].lineno} in {tb[-1].name})" if tb else ""
    return " ".join(f"{type(e).__name__}: {e}".split()) + where


def run_task(task: dict[str, Any]) -> dict[str, Any]:
    """Run one sample and replication; return its row (never raises for a model error)."""
    from experiments.runner import run

    t0 = time.perf_counter()
    row = {"run_id": task["run_id"], "sample": task["sample"], "replication": task["replication"],
           "seed": task["seed"], "scenario": task["scenario"].name, "months": task["months"], **task["params"]}
    try:
        if task.get("fail"):
            raise RuntimeError(f"injected failure for sample {task['sample']} (test hook {FAIL_ENV})")
        out = run(task["params"], months=task["months"], seed=task["seed"], scenario=task["scenario"])
        outcomes = flatten_outcomes(out)
        for k in ("scenario", "months", "seed"):
            outcomes.pop(k, None)
        row.update({k: v for k, v in outcomes.items() if k not in row})
        row["error"] = None
    except Exception as e:  # recorded in the row; the sweep goes on
        row["error"] = _one_line_error(e)
    row["wall_s"] = time.perf_counter() - t0
    row["code_version"] = task["code_version"]
    return row


_WORKER_READY = False


def prepare_worker_process() -> None:
    """Once per worker process: one BLAS thread (threadpoolctl), and the imports frozen out of the GC.

    The workers are the parallelism. OpenBLAS otherwise starts a thread per core in every
    worker, and on this model's small matrix products that costs more than it gains: on two
    cores, 20 six-month runs took 1.1 s with OpenBLAS's default threads and 0.6 s with one,
    and two such processes side by side 1.9 s each against 0.6-0.7 s.

    ``gc.freeze()`` moves everything alive now (the imported modules: mesa, pandas, scipy,
    networkx, ...) out of the collector's reach, so the full collections that each run's
    garbage triggers no longer walk them: 8-13% faster on 96 two-year runs, measured here.
    """
    global _WORKER_READY
    if _WORKER_READY:
        return
    _WORKER_READY = True
    import gc

    import experiments.runner  # noqa: F401  (imported before the freeze)

    try:
        from threadpoolctl import threadpool_limits

        threadpool_limits(limits=1)
    except ImportError:
        pass
    gc.collect()
    gc.freeze()


def run_task_in_worker(task: dict[str, Any]) -> dict[str, Any]:
    """:func:`run_task` in a worker with no initializer (Dask): prepare the process first."""
    prepare_worker_process()
    return run_task(task)


def _worker_init() -> None:
    """Pool workers leave Ctrl-C to the parent, which stops the sweep cleanly."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    prepare_worker_process()


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


# ===== versions ==============================================================================

def code_version() -> str:
    """Package version plus ``git describe`` of the source tree if available, e.g. "0.1.0 (a1b2c3d-dirty)"."""
    try:
        from importlib.metadata import version

        pkg = version("computebubble")
    except Exception:
        pkg = "unknown"
    root = Path(__file__).resolve().parents[1]
    described = "unknown"
    if (root / ".git").exists():
        try:
            proc = subprocess.run(["git", "-C", str(root), "describe", "--always", "--tags", "--dirty"],
                                  capture_output=True, text=True, timeout=5,
                                  env={**os.environ, "GIT_OPTIONAL_LOCKS": "0"})
            if proc.returncode == 0 and proc.stdout.strip():
                described = proc.stdout.strip()
        except (OSError, subprocess.SubprocessError):
            pass
    return f"{pkg} ({described})"


# ===== executors =============================================================================

class LocalExecutor:
    """A process pool on this machine (forkserver with the model preloaded, else spawn)."""

    def __init__(self, workers: int):
        self.workers = workers
        methods = multiprocessing.get_all_start_methods()
        ctx = multiprocessing.get_context("forkserver" if "forkserver" in methods else "spawn")
        if ctx.get_start_method() == "forkserver":
            ctx.set_forkserver_preload(["experiments.runner", "experiments.sweep", "sim.model"])
        self.pool = cf.ProcessPoolExecutor(max_workers=workers, mp_context=ctx, initializer=_worker_init)

    @property
    def window(self) -> int:
        return IN_FLIGHT_PER_WORKER * self.workers + 1

    def results(self, tasks: Iterator[dict]) -> Iterator[tuple[dict, Any]]:
        """Yield ``(task, row)`` as runs finish; ``row`` is an exception if the run was lost."""
        pending: dict[cf.Future, dict] = {}

        def fill() -> None:
            while len(pending) < self.window:
                task = next(tasks, None)
                if task is None:
                    return
                pending[self.pool.submit(run_task, task)] = task

        fill()
        while pending:
            done, _ = cf.wait(list(pending), return_when=cf.FIRST_COMPLETED)
            for fut in done:
                task = pending.pop(fut)
                try:
                    yield task, fut.result()
                except cf.process.BrokenProcessPool as e:
                    raise SweepAborted(f"the worker pool broke ({e or 'a worker died'})") from None
            fill()

    def close(self) -> None:
        self.pool.shutdown(wait=True, cancel_futures=True)


class DaskExecutor:
    """A dask.distributed scheduler at an address, or a LocalCluster of processes for "local"."""

    def __init__(self, address: str, workers: int):
        try:
            import distributed
        except ImportError as e:
            raise SweepError(f"--dask needs dask.distributed: {e}") from None
        self.distributed = distributed
        self.cluster = None
        if address == "local":
            import logging

            self.cluster = distributed.LocalCluster(n_workers=workers, threads_per_worker=1, processes=True,
                                                    dashboard_address=None, silence_logs=logging.ERROR)
            self.client = distributed.Client(self.cluster)
        else:
            try:
                self.client = distributed.Client(address, timeout=f"{DASK_CONNECT_TIMEOUT_S}s")
            except Exception as e:  # OSError, TimeoutError, ValueError for a malformed address
                msg = " ".join(str(e).split()) or type(e).__name__
                raise SweepError(f"--dask {address}: cannot reach a Dask scheduler ({msg}; waited at most "
                                 f"{DASK_CONNECT_TIMEOUT_S} s); start one ('dask scheduler') or use --dask local") from None
        self.threads = max(1, sum(self.client.nthreads().values()))

    @property
    def window(self) -> int:
        return IN_FLIGHT_PER_WORKER * self.threads + 1

    def results(self, tasks: Iterator[dict]) -> Iterator[tuple[dict, Any]]:
        ac = self.distributed.as_completed()
        pending: dict[str, dict] = {}

        def fill() -> None:
            while len(pending) < self.window:
                task = next(tasks, None)
                if task is None:
                    return
                fut = self.client.submit(run_task_in_worker, task, pure=False)
                pending[fut.key] = task
                ac.add(fut)

        fill()
        for fut in ac:
            task = pending.pop(fut.key)
            try:
                row = fut.result()
            except Exception as e:  # a worker died (KilledWorker) or the scheduler went away
                row = e
            fut.release()
            yield task, row
            fill()

    def close(self) -> None:
        try:
            self.client.close()
        finally:
            if self.cluster is not None:
                self.cluster.close()


def make_executor(workers: int, dask: str | None):
    return DaskExecutor(dask, workers) if dask else LocalExecutor(workers)


# ===== the sweep =============================================================================

@dataclass
class Summary:
    """What a sweep did."""

    out: Path
    total: int
    stored_before: int
    ran: int = 0
    errors: int = 0
    lost: int = 0
    seconds: float = 0.0
    interrupted: bool = False

    @property
    def stored(self) -> int:
        return self.stored_before + self.ran


def parse_workers(value: Any) -> int:
    """``--workers``: a positive integer; default the CPU count."""
    if value is None:
        return os.cpu_count() or 1
    try:
        n = int(str(value).strip())
    except ValueError:
        n = 0
    if n < 1:
        raise SweepError(f"--workers {value!r}: allowed: a positive integer (default: the CPU count, "
                         f"{os.cpu_count()})")
    return n


def fail_samples() -> set[int]:
    """Sample indices named by the test hook ``COMPUTEBUBBLE_SWEEP_FAIL_SAMPLES``."""
    text = os.environ.get(FAIL_ENV, "").strip()
    if not text:
        return set()
    try:
        return {int(s) for s in text.split(",") if s.strip()}
    except ValueError:
        raise SweepError(f"{FAIL_ENV}={text!r}: allowed: comma-separated sample indices") from None


def default_out(spec_path: str | os.PathLike) -> Path:
    return Path("out") / "sweeps" / Path(spec_path).stem


def prepare(spec_path: str | os.PathLike, out: str | os.PathLike | None, resume: bool):
    """Check the spec and the folder; return ``(spec, out, runs, meta)``. Writes nothing."""
    spec = load_spec(spec_path)
    out = Path(out).expanduser() if out is not None else default_out(spec_path)
    design = build_design(spec)
    check_design(spec, design)
    info = design_info(spec, design)
    key = design_key(info)
    meta = {"design_key": key, "design": info, "title": spec.title, "replications": spec.replications,
            "names": spec.names, "spec_file": str(spec.path)}
    if out.exists() and not out.is_dir():
        raise SweepError(f"--out {out}: exists and is not a folder")
    busy = out.is_dir() and any(out.iterdir())
    if busy and not resume:
        n = len(stored_run_ids(out))
        raise SweepError(f"--out {out}: the folder is not empty ({n} runs stored); add --resume to continue that "
                         "sweep, or choose another --out")
    if busy and resume:
        old_path = out / "sweep.json"
        if old_path.is_file():
            old = json.loads(old_path.read_text(encoding="utf-8"))
            if old.get("design_key") != key:
                diff = [k for k in sorted(set(info) | set(old.get("design", {})))
                        if info.get(k) != old.get("design", {}).get(k)]
                raise SweepError(f"--resume: {out} holds a sweep of another design (differs in: "
                                 f"{', '.join(diff) or 'design'}); resume with the spec in {out / 'spec.toml'} "
                                 "or choose another --out")
        elif stored_run_ids(out):
            raise SweepError(f"--resume: {out} holds runs but no sweep.json; it is not a sweep folder this "
                             "version wrote")
    runs = runs_table(spec, design, key)
    return spec, out, runs, meta


def write_start_files(spec: Spec, out: Path, runs, meta: dict[str, Any]) -> None:
    """spec.toml (copy), design.parquet, sweep.json (last), and the runs/ folder."""
    import pyarrow as pa

    runs_dir(out).mkdir(parents=True, exist_ok=True)
    _clean_temporaries(out)
    _atomic_write_bytes(out / "spec.toml", spec.text.encode("utf-8"))
    _atomic_write_parquet(pa.Table.from_pandas(runs, preserve_index=False), out / "design.parquet")
    _atomic_write_bytes(out / "sweep.json", json.dumps(meta, indent=2, sort_keys=True).encode("utf-8"))


def run_sweep(spec_path: str | os.PathLike, out: str | os.PathLike | None = None, workers: Any = None,
              dask: str | None = None, resume: bool = False, progress: bool = True) -> Summary:
    """Run a sweep spec (see the module doc); returns a :class:`Summary`.

    All checks (spec, folder, workers, Dask address) happen before any run starts and
    raise :class:`SweepError`. Ctrl-C (or SIGTERM) stops the sweep: runs already stored
    stay stored and ``summary.interrupted`` is set.
    """
    n_workers = parse_workers(workers)
    if dask is not None and not str(dask).strip():
        raise SweepError("--dask: allowed: a scheduler address (tcp://host:8786) or 'local'")
    spec, out, runs, meta = prepare(spec_path, out, resume)
    failing = fail_samples()
    done = stored_run_ids(out) if resume else set()
    todo = runs[~runs["run_id"].isin(done)]
    summary = Summary(out=out, total=len(runs), stored_before=len(runs) - len(todo))
    if len(todo):
        n_workers = min(n_workers, len(todo)) if not dask else n_workers
    executor = make_executor(n_workers, dask) if len(todo) else None  # a bad Dask address fails here
    try:
        write_start_files(spec, out, runs, meta)
        if executor is not None:
            _drive(executor, spec, out, todo, failing, summary, progress)
    finally:
        if executor is not None:
            executor.close()
    return summary


def _tasks(spec: Spec, todo, failing: set[int], version: str) -> Iterator[dict[str, Any]]:
    names = spec.names
    for rec in todo[["run_id", "sample", "replication", "seed", *names]].itertuples(index=False, name=None):
        rid, sample, rep, seed, *values = rec
        params = {n: (int(v) if isinstance(v, (int, np.integer)) else float(v)) for n, v in zip(names, values)}
        yield {"run_id": rid, "sample": int(sample), "replication": int(rep), "seed": int(seed), "params": params,
               "months": spec.months, "scenario": spec.scenario, "code_version": version,
               "fail": int(sample) in failing}


def _drive(executor, spec: Spec, out: Path, todo, failing: set[int], summary: Summary, progress: bool) -> None:
    from tqdm import tqdm

    tqdm.monitor_interval = 0  # no monitor thread
    bar = tqdm(total=summary.total, initial=summary.stored_before, desc="sweep", unit="run", file=sys.stderr,
               disable=not progress, dynamic_ncols=True, mininterval=0.5, smoothing=0.05)
    old_term = None
    if threading_is_main():
        old_term = signal.signal(signal.SIGTERM, _raise_interrupt)
    t0 = time.perf_counter()
    try:
        for task, row in executor.results(_tasks(spec, todo, failing, code_version())):
            if isinstance(row, BaseException):
                summary.lost += 1
                continue
            write_part(out, row)
            summary.ran += 1
            summary.errors += row.get("error") is not None
            bar.update(1)
            if summary.errors:
                bar.set_postfix(errors=summary.errors, refresh=False)
    except KeyboardInterrupt:
        summary.interrupted = True
    finally:
        summary.seconds = time.perf_counter() - t0
        bar.close()
        if old_term is not None:
            signal.signal(signal.SIGTERM, old_term)


def threading_is_main() -> bool:
    import threading

    return threading.current_thread() is threading.main_thread()


def _raise_interrupt(signum, frame):
    raise KeyboardInterrupt


# ===== command line ==========================================================================

def cli_sweep(args) -> int:
    """``computebubble sweep SPEC.toml [--workers N] [--dask ADDRESS|local] [--out DIR] [--resume]``."""
    try:
        s = run_sweep(args.spec, out=args.out, workers=args.workers, dask=args.dask, resume=args.resume)
    except SweepError:
        raise
    except ValueError as e:  # a bug, not bad input: keep the traceback
        raise RuntimeError(f"sweep failed: {e}") from e
    except SweepAborted as e:
        print(f"computebubble: error: {e}; finished runs are stored, rerun with --resume", file=sys.stderr)
        return 1
    resume_cmd = f"computebubble sweep {args.spec} --out {s.out} --resume"
    line = f"{s.stored} of {s.total} runs stored in {s.out}"
    if s.stored_before:
        line += f" ({s.stored_before} from before)"
    if s.ran:
        line += f"; {s.ran} run in {s.seconds:.1f} s ({s.ran / max(s.seconds, 1e-9):.1f} runs/s)"
    if s.errors:
        line += f"; {s.errors} raised (see the 'error' column)"
    print(line)
    if s.lost:
        print(f"{s.lost} runs were lost to worker failures; run again with: {resume_cmd}")
    if s.interrupted:
        print(f"interrupted; resume with: {resume_cmd}", file=sys.stderr)
        return 130
    if s.stored == s.total:
        print(f"analyse with: computebubble analyze {s.out}")
    return 0


__all__ = ["SAMPLERS", "FAIL_ENV", "SweepError", "SweepAborted", "ParamSpec", "Spec", "load_spec", "build_design",
           "unit_design", "run_id", "run_seed", "run_task", "flatten_outcomes", "write_part", "stored_run_ids",
           "load_results", "load_meta", "load_design", "code_version", "run_sweep", "Summary", "cli_sweep"]
