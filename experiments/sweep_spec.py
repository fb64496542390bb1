"""Sweep specs and their designs: the TOML spec checked, the sample design, run ids and seeds.

Part of :mod:`experiments.sweep` (whose module doc describes the spec, the samplers, the seeds
and the run ids); every name here is also importable from there.
"""

from __future__ import annotations

import hashlib
import itertools
import json
import math
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from sim.params import FIELDS, ParamError, coerce, make_params

SAMPLERS = ("grid", "lhs", "sobol", "morris")
#: Most runs a sweep may make unless ``--max-runs`` raises it (checked before any design is built).
DEFAULT_MAX_RUNS = 100_000
#: The most ``--max-runs`` may allow: the design and its runs table are held in memory.
HARD_MAX_RUNS = 10_000_000
#: Most levels of a Morris grid.
MAX_MORRIS_LEVELS = 1000

_SPEC_KEYS = ("title", "scenario", "months", "sampler", "samples", "replications", "seed", "common_seeds",
              "second_order", "num_levels", "parameters")


class SweepError(ValueError):
    """Bad sweep input (a spec, a folder, an option, a Dask address): one line, exit status 2."""



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

    @property
    def points(self) -> int:
        """Rows of the design (samples), computed from the spec alone (no design is built)."""
        return design_points(self.sampler, self.samples, len(self.parameters), self.second_order)

    @property
    def runs(self) -> int:
        """Runs of the sweep: design rows times replications."""
        return self.points * self.replications


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

    from experiments.scenario import clip, os_problem, parse_toml

    path = Path(path).expanduser()
    try:
        found = path.is_file()
    except OSError as e:
        raise SweepError(f"sweep spec {clip(path)!r}: {os_problem(e, path)}") from None
    if not found:
        raise SweepError(f"sweep spec {clip(path)!r} not found")
    where = _show(path)
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as e:
        raise SweepError(f"{where}: cannot read: {e}") from None
    raw = parse_toml(text, where, SweepError)
    unknown = [k for k in raw if k not in _SPEC_KEYS]
    if unknown:
        raise SweepError(f"{where}: unknown key {clip(unknown[0])!r}; allowed: {', '.join(_SPEC_KEYS)}")

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
        raise SweepError(f"{where}: sampler {clip(sampler)!r} is not known; allowed: {', '.join(SAMPLERS)}")
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
    if num_levels < 2 or num_levels % 2 or num_levels > MAX_MORRIS_LEVELS:
        raise SweepError(f"{where}: num_levels = {num_levels}; allowed: an even integer in [2, {MAX_MORRIS_LEVELS}] "
                         "(e.g. 4)")

    table = get("parameters", dict, _REQUIRED)
    if not table:
        raise SweepError(f"{where}: [parameters] is empty; allowed: name = [low, high] for fields of "
                         "sim.params.Params (see 'computebubble params')")
    params = tuple(_param_spec(where, sampler, name, value, months) for name, value in table.items())

    samples = raw.get("samples")
    if samples is not None and (isinstance(samples, bool) or not isinstance(samples, int)):
        raise SweepError(f"{where}: key 'samples' is {_describe(samples)}; allowed: an integer")
    samples = _check_samples(where, sampler, samples, params, second_order)

    scenario = _load_spec_scenario(where, path, scenario_ref, months)
    return Spec(path=path.resolve(), text=text, title=title, scenario_ref=scenario_ref, months=months,
                sampler=sampler, samples=samples, replications=replications, seed=seed, parameters=params,
                second_order=second_order, num_levels=num_levels, common_seeds=common_seeds, scenario=scenario)


_REQUIRED = object()


def _param_spec(where: str, sampler: str, name: str, value: Any, months: int) -> ParamSpec:
    """One ``[parameters]`` entry, checked against its field of ``Params`` and the sweep's months."""
    from experiments.runner import check_run_months
    from experiments.scenario import clip, coerce_file_value

    at = f"{where}: [parameters] {name}"
    if name not in FIELDS:
        try:
            coerce(clip(name), 0)
        except ParamError as e:
            raise SweepError(f"{where}: [parameters] {e}") from None
    info = FIELDS[name].metadata
    is_int = FIELDS[name].type in ("int", int)
    lo, hi = info["min"], info["max"]
    field_range = f"[{lo:g}, {hi:g}] ({info['unit']})"

    def check(v: Any) -> float | int:
        try:
            v = coerce_file_value(name, v)
            check_run_months({name: v}, months)
            return v
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


def design_points(sampler: str, samples: int | None, d: int, second_order: bool = False) -> int:
    """Rows of a design, by arithmetic (see the module doc of experiments.sweep): LHS and grid
    ``samples``, Sobol ``samples x (D + 2)`` (``x (2D + 2)`` with second order), Morris
    ``samples x (D + 1)``. For a grid ``samples`` is the number of combinations."""
    if sampler == "sobol":
        return samples * (2 * d + 2 if second_order else d + 2)
    if sampler == "morris":
        return samples * (d + 1)
    return samples


def check_design_size(spec: Spec, max_runs: int = DEFAULT_MAX_RUNS) -> int:
    """The sweep's number of runs, refused above ``max_runs`` (checked before any design is built)."""
    runs = spec.runs
    if runs > max_runs:
        source = (f"the grid's {spec.points:,} combinations" if spec.sampler == "grid" else
                  f"samples = {spec.samples}" + (f" ({spec.points:,} design points)" if spec.points != spec.samples
                                                 else ""))
        raise SweepError(f"{_show(spec.path)}: {source} x replications = {spec.replications} make {runs:,} runs; "
                         f"allowed: at most {max_runs:,} runs (raise the limit with --max-runs N, up to "
                         f"{HARD_MAX_RUNS:,})")
    return runs


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
