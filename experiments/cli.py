"""The ``computebubble`` command line.

::

    computebubble run [--scenario NAME|FILE.toml] [--months N] [--seed S] [--set key=value ...]
                      [--out FILE.parquet|FILE.csv]
    computebubble params [--sources]
    computebubble scenarios
    computebubble bench [...]            # experiments.bench
    computebubble sweep SPEC.toml [--workers N] [--dask ADDRESS|local] [--out DIR] [--resume [--retry-failed]]
                      [--max-runs N]                                                          # experiments.sweep
    computebubble analyze DIR [--out DIR] [--pair A,B]                                         # experiments.analyze
    computebubble compare A B [--seed S] [--months N] [--out FILE.png]                         # experiments.compare

``run`` prints the verdict (the outcome, boom, digestion or bust, and why; each
threshold's history), the chain of events, the valuation path and a yearly table, and can write the model-level frame and one
agent-level frame per agent type. Bad input anywhere (an unknown scenario or parameter,
a value of the wrong type or out of range, a malformed or repeated ``--set``, a broken
scenario file, an ``--out`` that cannot be written, an argparse usage error) ends with one
line on stderr, ``computebubble: error: <message>``, and exit status 2: never a traceback.
"""

from __future__ import annotations

import argparse
import errno
import math
import os
import sys
from pathlib import Path
from typing import Any, Sequence

from experiments.paths import OUT_FORMATS, agent_frame_path  # noqa: F401 (importable from here, as before)

PROG = "computebubble"
#: Exit status for bad input (as argparse uses for usage errors).
EXIT_BAD_INPUT = 2
#: File label of each agent type's frame: ``<stem>.<label><ext>``.
AGENT_FRAME_LABELS = ("hyperscaler", "model_lab", "chip_vendor", "power_utility", "user_cohorts")


class CLIError(ValueError):
    """Bad command-line input (one line)."""


# ===== argument parsing ==========================================================================

class _Parser(argparse.ArgumentParser):
    """argparse, with a usage error as one line (``computebubble: error: ...``) and exit status 2;
    the usage itself is in ``--help``. Subcommands' parsers are of this class too."""

    def error(self, message: str):
        sub = self.prog[len(PROG):].strip()
        self.exit(2, f"{PROG}: error: {sub + ': ' if sub else ''}{' '.join(message.split())} "
                     f"(see '{self.prog} --help')\n")


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(
        prog=PROG, description="An agent-based model of the AI compute build-out and the 'is it a bubble?' debate.")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)

    run = sub.add_parser("run", help="run one scenario and print its verdict, chain of events and yearly tables",
                         description="Run one scenario, print its verdict (boom, digestion or bust), the chain of "
                                     "events, the valuation path and a yearly table, optionally write the data.")
    run.add_argument("--scenario", default="baseline", metavar="NAME|FILE.toml",
                     help="scenario name (see 'computebubble scenarios') or path to a .toml file "
                          "(default: baseline)")
    run.add_argument("--months", default="72", metavar="N",
                     help="months to run, 1 to 180 (default: 72, i.e. 2025-01 to 2030-12)")
    run.add_argument("--seed", default="1", metavar="S",
                     help="random seed, a non-negative integer; the same seed gives the same run (default: 1)")
    run.add_argument("--set", action="append", default=[], metavar="key=value", dest="overrides",
                     help="override a parameter on top of the scenario (repeatable); "
                          "see 'computebubble params'")
    run.add_argument("--out", metavar="FILE.parquet|FILE.csv",
                     help="write the model-level frame here, and one agent-level frame per agent type "
                          "beside it as <stem>.<agenttype>.<ext>")
    run.add_argument("--check", action="store_true",
                     help="check every month that money, obligations, GPUs and capacity balance (sim/checks.py); "
                          "stop with the balance, agent, month and amounts if one does not")

    params = sub.add_parser("params", help="list every parameter with default, unit, range and description",
                            description="List every parameter with its default, unit, range and description.")
    params.add_argument("--sources", action="store_true", help="also show the source behind each default")

    sub.add_parser("scenarios", help="list the scenarios with their one-line claims",
                   description="List the shipped scenarios with their one-line claims.")
    sub.add_parser("bench", help="benchmarks (experiments.bench); 'computebubble bench --help' for its options",
                   add_help=False)

    sweep = sub.add_parser("sweep", help="run a parameter sweep from a TOML spec (experiments/sweeps/)",
                           description="Run a sweep spec on a local process pool or Dask; each finished run is "
                                       "stored at once as Parquet under --out (experiments/sweep.py).")
    sweep.add_argument("spec", metavar="SPEC.toml", help="the sweep spec (see experiments/sweeps/*.toml)")
    sweep.add_argument("--workers", metavar="N", help="worker processes (default: the CPU count)")
    sweep.add_argument("--dask", metavar="ADDRESS|local",
                       help="run on the Dask scheduler at ADDRESS, or on a local Dask cluster of N processes")
    sweep.add_argument("--out", metavar="DIR", help="results folder (default: out/sweeps/<spec name>)")
    sweep.add_argument("--resume", action="store_true", help="continue a sweep in DIR: skip the runs stored there")
    sweep.add_argument("--retry-failed", action="store_true",
                       help="with --resume: also run again the stored runs that recorded an error")
    sweep.add_argument("--max-runs", metavar="N",
                       help="refuse a design of more runs than N (default: 100,000; at most 10,000,000)")

    analyze = sub.add_parser("analyze", help="analyse a stored sweep: bust probability, sensitivity, PRIM, report",
                             description="Analyse a sweep folder: bust probability by parameter (PNG), Sobol or "
                                         "Morris indices, a PRIM box and report.md (experiments/analyze.py).")
    analyze.add_argument("results", metavar="DIR", help="a folder written by 'computebubble sweep'")
    analyze.add_argument("--out", metavar="DIR", help="where to write the figures and report (default: DIR/analysis)")
    analyze.add_argument("--pair", metavar="A,B", help="the two parameters of the heat map (default: the two most "
                                                       "influential)")

    compare = sub.add_parser("compare", help="run two scenarios on the same seed: outcomes side by side and a chart",
                             description="Run scenarios A and B on the same seed and horizon, print their key "
                                         "outcomes with the difference, and chart capex, revenue and thresholds "
                                         "(experiments/compare.py).")
    compare.add_argument("a", metavar="A", help="scenario name (see 'computebubble scenarios') or a .toml file")
    compare.add_argument("b", metavar="B", help="the other scenario, a name or a .toml file")
    compare.add_argument("--seed", default="1", metavar="S", help="the seed both runs share (default: 1)")
    compare.add_argument("--months", default="72", metavar="N", help="months to run, 1 to 180 (default: 72)")
    compare.add_argument("--out", metavar="FILE.png", help="the chart (default: compare_<A>_<B>.png here)")

    app = sub.add_parser("app", help="serve the browser app (Live, Compare, Debate, Sweeps) on 127.0.0.1",
                         description="Serve the Solara app. It binds 127.0.0.1 unless --host says otherwise and "
                                     "needs no internet.")
    app.add_argument("--host", default="127.0.0.1", help="address to bind (default: 127.0.0.1, this machine only)")
    app.add_argument("--port", default="8765", metavar="N", help="port, 1 to 65535 (default: 8765)")
    app.add_argument("--dev", action="store_true", help="reload the app when its files change")
    app.add_argument("--scenarios", action="append", default=[], metavar="DIR",
                     help="a folder of scenario .toml files to offer besides the project's (repeatable)")
    app.add_argument("--sweeps", action="append", default=[], metavar="DIR",
                     help="a folder of sweep folders to offer on the Sweeps page (repeatable; default: out/sweeps)")
    return parser


def parse_overrides(items: Sequence[str]) -> dict[str, Any]:
    """``key=value`` strings to a dict of checked values (:func:`sim.params.coerce`); a key
    given twice is refused, and so is a number too large for a float (``1e400``)."""
    from experiments.scenario import clip, field_allowed
    from sim.params import FIELDS, coerce

    out: dict[str, Any] = {}
    given: dict[str, str] = {}
    for item in items:
        key, sep, value = item.partition("=")
        key, value = key.strip(), value.strip()
        if not sep or not key or not value:
            raise CLIError(f"--set {clip(item)!r}: expected key=value, e.g. --set price_elasticity=1.4")
        if key in given:
            raise CLIError(f"--set {key}: given twice ({clip(given[key])!r}, then {clip(value)!r}); allowed: each "
                           "parameter once")
        if key in FIELDS:
            try:
                number = float(value.replace("_", ""))
            except ValueError:
                number = None
            if number is not None and math.isinf(number) and "inf" not in value.lower():
                raise CLIError(f"parameter '{key}': value {clip(value)!r} overflows a float (magnitudes up to "
                               f"1.8e308); allowed: {field_allowed(key)}")
            if len(value) > 100:
                raise CLIError(f"parameter '{key}': value {clip(value)!r} is not {field_allowed(key)}")
        given[key] = value
        out[key] = coerce(key if key in FIELDS else clip(key), value)
    return out


def check_out(out: str | Path | None, formats: Sequence[str] = OUT_FORMATS,
              error: type[ValueError] = CLIError, siblings: Sequence[str] = ()) -> Path | None:
    """:func:`experiments.paths.check_out` with the command line's error (``run --out``)."""
    from experiments.paths import check_out as check

    return check(out, formats, error, siblings)


# ===== run ===================================================================================

def cmd_run(args: argparse.Namespace) -> int:
    from experiments.runner import check_months, check_run_months, check_seed, run_model, summarize
    from experiments.scenario import load_scenario

    months = check_months(args.months)
    seed = check_seed(args.seed)
    overrides = parse_overrides(args.overrides)
    check_run_months(overrides, months)
    out = check_out(args.out, siblings=AGENT_FRAME_LABELS)
    scenario = load_scenario(args.scenario)
    model, frame = run_model(overrides, months, seed, scenario, check=args.check)
    summary = summarize(model)
    print(format_header(scenario, months, seed, overrides, frame))
    print()
    print(format_verdict(summary))
    print()
    print(format_chain(summary))
    print()
    print(format_valuation(summary))
    print()
    print(format_table(summary))
    if out is not None:
        written = write_frames(model, frame, out)
        print()
        print("wrote " + ", ".join(str(p) for p in written))
    return 0


def format_header(scenario, months: int, seed: int | None, overrides: dict, frame) -> str:
    first, last = frame["date"].iloc[0], frame["date"].iloc[-1]
    lines = [f"{scenario.name}: {scenario.title}",
             f"  {months} months ({first} to {last}), seed {seed}"]
    if overrides:
        lines.append("  with " + ", ".join(f"{k}={v:g}" for k, v in overrides.items()))
    return "\n".join(lines)


def _usd_b(v: float | None) -> str:
    return "n/a" if v is None else f"${v / 1e9:,.0f}B"


def _wrap(text: str, indent: int, width: int = 110) -> str:
    """``text`` wrapped to lines of ``width`` that start at column ``indent``."""
    import textwrap

    return textwrap.fill(text, width, initial_indent=" " * indent, subsequent_indent=" " * indent,
                         break_on_hyphens=False)


def format_verdict(s: dict[str, Any]) -> str:
    """The verdict as text: the outcome and why, what fell first, the valuation, capex, the
    revenue gap, defaults, and each threshold's history (first red, months red, worst)."""
    from experiments.outcomes import BY_NAME, outcome_words
    from sim.thresholds import NAMES

    pad = 28
    lines = ["Verdict"]
    lines.append("  " + f"{'outcome:':<{pad - 2}}" + outcome_words(s))
    lines.append(_wrap(s["outcome_reason"] or "", pad))
    lines.append("  " + f"{'first to fall:':<{pad - 2}}" + (s["first_fall"] or "nothing fell"))
    val = BY_NAME["peak_valuation_usd"]
    lines.append("  " + f"{'AI valuation:':<{pad - 2}}"
                 f"peak ${val.format(s['peak_valuation_usd'])}T ({s['peak_valuation_month']}), deepest fall "
                 f"{s['max_valuation_fall_frac']:.0%} below its running peak, ${val.format(s['valuation_last_usd'])}T "
                 "at the end")
    lines.append(" " * pad + f"{BY_NAME['min_valuation_ratio'].format(s['min_valuation_ratio'])}-"
                 f"{BY_NAME['max_valuation_ratio'].format(s['max_valuation_ratio'])}x its fundamental value")
    lines.append("  " + f"{'peak AI capex:':<{pad - 2}}{_usd_b(s['peak_capex_usd_per_year'])}/yr "
                 f"(trailing 12 months, {s['peak_capex_month']})")
    lines.append("  " + f"{'deepest capex fall:':<{pad - 2}}{s['max_capex_drawdown_frac']:.0%} below its running peak")
    lines.append("  " + f"{'largest revenue gap:':<{pad - 2}}{_usd_b(s['max_revenue_gap_usd_per_year'])}/yr "
                 "(required revenue minus AI revenue in a month, x 12)")
    defaults = f"{s['n_defaults']}: {', '.join(s['defaults'])}" if s["n_defaults"] else "none"
    lines.append("  " + f"{'defaults:':<{pad - 2}}{defaults}")
    if s.get("max_gauges_red") is not None:
        lines.append("  " + f"{'gauges:':<{pad - 2}}at most {s['max_gauges_red']} red at once; three red first "
                     f"{s['three_gauges_red_month'] or 'never'}")
    crossed = [n for n in NAMES if s[f"crossed_{n}"]]
    lines.append("  " + f"{'thresholds crossed (red):':<{pad - 2}}{len(crossed)} of {len(NAMES)}"
                 + (f" (not crossed: {', '.join(n for n in NAMES if n not in crossed)})" if crossed else ""))
    width = max(len(n) for n in NAMES)
    lines.append(f"    {'threshold':<{width}}  first red  months red  worst value")
    for n in NAMES:
        worst = BY_NAME[f"worst_{n}"]
        v = s[f"worst_{n}"]
        value = worst.format(v)
        if v is not None:
            value = {"$B": f"${value}B", "months": f"{value} months"}.get(worst.unit, value)
        lines.append(f"    {n:<{width}}  {s[f'first_{n}'] or '-':<9}  {s[f'months_red_{n}']:>10}  {value}")
    return "\n".join(lines)


def format_chain(s: dict[str, Any]) -> str:
    """The chain of events, one line each: what fell first, what followed, when."""
    from experiments.outcomes import chain_lines

    lines = ["Chain of events"] + ["  " + line for line in chain_lines(s)]
    if len(lines) == 1:
        lines.append("  nothing happened")
    return "\n".join(lines)


#: Yearly table: header, width, source key in ``summary['yearly']``, formatter.
_TABLE = (
    ("year", 6, None, None),
    ("AI capex $B", 12, "ai_capex_usd", lambda v: f"{v / 1e9:,.0f}"),
    ("AI revenue $B", 14, "ai_revenue_usd", lambda v: f"{v / 1e9:,.0f}"),
    ("required $B/yr", 15, "required_revenue_usd_per_year", lambda v: f"{v / 1e9:,.0f}"),
    ("idle %", 7, "idle_frac", lambda v: f"{100 * v:.1f}"),
    ("ghost GW", 9, "ghost_gw", lambda v: f"{v:.1f}"),
    ("powered GW", 11, "powered_gw", lambda v: f"{v:.1f}"),
    ("tokens T/day", 13, "tokens_per_day", lambda v: f"{v / 1e12:,.0f}" if v >= 1e13 else f"{v / 1e12:.1f}"),
    ("price $/Mtok", 13, "price_usd_per_mtok", lambda v: f"{v:.3g}"),
    ("rental $/h", 11, "gpu_rental_usd_per_hour", lambda v: f"{v:.2f}"),
    ("sentiment", 10, "sentiment", lambda v: f"{v:.2f}"),
)
_TABLE_NOTE = ("Capex and revenue are yearly sums; the other columns are December values "
               "(required revenue: December's x 12).")
#: The valuation path, in the same layout: December values of the capital market.
_VALUATION_TABLE = (
    ("year", 6, None, None),
    ("valuation $T", 13, "valuation_usd", lambda v: f"{v / 1e12:,.2f}"),
    ("fundamental $T", 15, "fundamental_value_usd", lambda v: f"{v / 1e12:,.2f}"),
    ("ratio", 6, "valuation_ratio", lambda v: f"{v:.2f}"),
    ("trend %", 8, "belief_trend_frac", lambda v: f"{100 * v:.0f}"),
    ("fundamentalist %", 17, "belief_fundamentalist_frac", lambda v: f"{100 * v:.0f}"),
    ("physics %", 10, "belief_physics_frac", lambda v: f"{100 * v:.0f}"),
)
_VALUATION_NOTE = ("Valuation path: the AI valuation and its fundamental value (the fundamentalists' price) in "
                   "December, their ratio, and the share of investors following each forecasting rule.")


def format_table(s: dict[str, Any], columns=_TABLE, note: str = _TABLE_NOTE) -> str:
    """A yearly table of ``columns`` (default: flows summed over the year, stocks at December
    or the last month)."""
    y = s["yearly"]
    rows = ["  ".join(f"{h:>{w}}" for h, w, _, _ in columns)]
    partial = False
    for i, year in enumerate(s["years"]):
        cells = []
        for h, w, key, fmt in columns:
            if key is None:
                label = str(year) + ("*" if y["months"][i] < 12 else "")
                partial |= y["months"][i] < 12
                cells.append(f"{label:>{w}}")
            else:
                v = y[key][i]
                cells.append(f"{'n/a' if v is None else fmt(v):>{w}}")
        rows.append("  ".join(cells))
    notes = [note]
    if partial:
        notes.append("* partial year: sums over the months run, values at its last month.")
    return "\n".join(rows + notes)


def format_valuation(s: dict[str, Any]) -> str:
    """The valuation path, yearly (:func:`format_table` with the capital market's columns)."""
    return format_table(s, _VALUATION_TABLE, _VALUATION_NOTE)


def write_frames(model, frame, out: Path) -> list[Path]:

    """Write the model frame to ``out`` and each agent type's frame beside it: all to temporary
    names first, then renamed, so an error leaves none of them half-written."""
    from agents.chip_vendor import ChipVendor
    from agents.hyperscaler import Hyperscaler
    from agents.model_lab import ModelLab
    from agents.power_utility import PowerUtility
    from agents.user import UserCohorts

    types = dict(zip(AGENT_FRAME_LABELS, (Hyperscaler, ModelLab, ChipVendor, PowerUtility, UserCohorts)))
    ext = out.suffix.lower()
    frames = [(out, frame)]
    # the i-th collect is the i-th month: map the DataCollector's step numbers to month and date
    for label, agent_type in types.items():
        agents = model.datacollector.get_agenttype_vars_dataframe(agent_type).reset_index()
        steps = sorted(agents["Step"].unique())
        months = dict(zip(steps, frame["month"]))
        dates = dict(zip(steps, frame["date"]))
        agents.insert(0, "month", agents["Step"].map(months))
        agents.insert(1, "date", agents["Step"].map(dates))
        frames.append((agent_frame_path(out, label), agents))
    staged: list[tuple[Path, Path]] = []
    try:
        for path, df in frames:
            tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
            staged.append((tmp, path))
            _write(df, tmp, ext)
        for tmp, path in staged:
            os.replace(tmp, path)
    except BaseException:
        for tmp, _ in staged:
            tmp.unlink(missing_ok=True)
        raise
    return [path for path, _ in frames]


def _write(df, path: Path, ext: str) -> None:
    if ext == ".parquet":
        df.to_parquet(path, index=False, engine="pyarrow")
    else:
        df.to_csv(path, index=False)


# ===== params, scenarios =====================================================================

def cmd_params(args: argparse.Namespace) -> int:
    from sim.params import FIELDS

    def num(v):
        return f"{v:g}" if isinstance(v, (int, float)) else str(v)

    width = max(len(n) for n in FIELDS)
    for name, f in FIELDS.items():
        m = f.metadata
        print(f"{name:<{width}}  = {num(f.default):<8}  [{num(m['min'])} .. {num(m['max'])}]  {m['unit']}")
        print(f"{'':<{width}}    {m['desc']}")
        if args.sources:
            print(f"{'':<{width}}    source: {m['source']}")
    return 0


def cmd_scenarios(args: argparse.Namespace) -> int:
    from experiments.scenario import ScenarioError, list_scenarios, load_scenario

    names = list_scenarios()
    width = max((len(n) for n in names), default=0)
    errors = []
    for name in names:
        try:
            claim = load_scenario(name).claim
        except ScenarioError as e:
            errors.append(str(e))
            claim = "(invalid file: see the error below)"
        print(f"{name:<{width}}  {claim}")
    if errors:
        _error(errors[0])
        return EXIT_BAD_INPUT
    return 0


def cmd_bench(rest: list[str]) -> int:
    try:
        from experiments import bench
    except ImportError as e:
        raise CLIError(f"bench is not available: {e}") from None
    return bench.main(rest)


def cmd_sweep(args: argparse.Namespace) -> int:
    """``computebubble sweep SPEC.toml [--workers N] [--dask ADDRESS|local] [--out DIR] [--resume
    [--retry-failed]] [--max-runs N]``: run it (experiments/sweep.py), then say what is stored."""
    from experiments.sweep import SweepAborted, SweepError, run_sweep

    try:
        s = run_sweep(args.spec, out=args.out, workers=args.workers, dask=args.dask, resume=args.resume,
                      max_runs=getattr(args, "max_runs", None), retry_failed=getattr(args, "retry_failed", False))
    except SweepError:
        raise
    except ValueError as e:  # a bug, not bad input: keep the traceback
        raise RuntimeError(f"sweep failed: {e}") from e
    except SweepAborted as e:
        _error(f"{e}; finished runs are stored, rerun with --resume")
        return 1
    resume_cmd = f"{PROG} sweep {args.spec} --out {s.out} --resume"
    line = f"{s.stored} of {s.total} runs stored in {s.out}"
    if s.stored_before:
        line += f" ({s.stored_before} from before)"
    if s.ran:
        line += f"; {s.ran} run in {s.seconds:.1f} s ({s.ran / max(s.seconds, 1e-9):.1f} runs/s)"
    if s.errors:
        line += f"; {s.errors} raised (see the 'error' column; retry with: {resume_cmd} --retry-failed)"
    print(line)
    if s.lost:
        print(f"{s.lost} runs were lost to worker failures; run again with: {resume_cmd}")
    if s.interrupted:
        print(f"interrupted; resume with: {resume_cmd}", file=sys.stderr)
        return 130
    if s.stored == s.total:
        print(f"analyse with: {PROG} analyze {s.out}")
    return 0


def cmd_analyze(args: argparse.Namespace) -> int:
    """``computebubble analyze DIR [--out DIR] [--pair A,B]`` (experiments/analyze.py)."""
    from experiments.analyze import analyze
    from experiments.sweep import SweepError

    try:
        result = analyze(args.results, out=args.out, pair=args.pair)
    except SweepError:
        raise
    except ValueError as e:  # a bug, not bad input: keep the traceback
        raise RuntimeError(f"analysis failed: {e}") from e
    print(result.headline.replace("**", ""))
    print(f"wrote {len(result.files)} files to {result.out} (report: {result.out / 'report.md'})")
    return 0


def cmd_compare(args: argparse.Namespace) -> int:
    """``computebubble compare``: check everything, run both, print the table, write the chart
    (experiments/compare.py)."""
    from experiments.compare import check_chart_out, check_seed, compare, default_out, format_table, save_chart
    from experiments.runner import check_months
    from experiments.scenario import load_scenario

    months = check_months(args.months)
    seed = check_seed(args.seed)
    out = check_chart_out(args.out)
    a, b = load_scenario(args.a), load_scenario(args.b)
    for s in (a, b):
        s.check_horizon(months)
    if out is None:
        out = check_chart_out(default_out(a.name, b.name))
    c = compare(a, b, seed, months)
    print(format_table(c))
    save_chart(c, out)
    print()
    print(f"wrote {out}")
    return 0


# ===== entry point ===========================================================================

def cmd_app(args) -> int:
    """Serve viz/app.py with Solara: offline assets, no telemetry, no version check."""
    import os
    import subprocess

    import viz

    try:
        port = int(args.port)
    except ValueError:
        raise CLIError(f"'--port': value {args.port!r} is not an integer; allowed: 1 to 65535") from None
    if not 1 <= port <= 65535:
        raise CLIError(f"'--port': value {port} is out of range; allowed: 1 to 65535")
    host = str(args.host).strip()
    if not host:
        raise CLIError("'--host': empty; allowed: an address such as 127.0.0.1")
    import json

    from viz.sources import DEFAULT_SWEEPS, ENV_SCENARIOS, ENV_SWEEPS

    folders = {}
    for flag, given in (("--scenarios", args.scenarios), ("--sweeps", args.sweeps)):
        for d in given:
            if not Path(d).expanduser().is_dir():
                raise CLIError(f"'{flag}': '{d}' is not a folder; allowed: an existing folder")
        folders[flag] = [str(Path(d).expanduser().resolve()) for d in given]
    sweeps = folders["--sweeps"] or [str(Path.cwd() / DEFAULT_SWEEPS)]
    app = Path(viz.__file__).resolve().parent / "app.py"
    cmd = [sys.executable, "-m", "solara", "run", str(app), "--host", host, "--port", str(port), "--no-open",
           "--no-check-version"]
    if not args.dev:
        cmd.append("--production")
    env = {**os.environ, "SOLARA_TELEMETRY_MIXPANEL_ENABLE": "False",
           ENV_SCENARIOS: json.dumps(folders["--scenarios"]), ENV_SWEEPS: json.dumps(sweeps)}
    print(f"{PROG} app: serving on http://{host}:{port}/ (Ctrl-C to stop)", flush=True)
    try:
        return subprocess.call(cmd, env=env)
    except KeyboardInterrupt:
        return 0


def _error(message: str) -> None:
    print(f"{PROG}: error: {' '.join(str(message).split())}", file=sys.stderr)


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; return the exit status (0 ok, 2 bad input)."""
    from sim.checks import InvariantError
    from sim.params import ParamError

    argv = list(sys.argv[1:] if argv is None else argv)
    try:
        if argv and argv[0] == "bench":  # its own options, parsed by experiments.bench
            return int(cmd_bench(argv[1:]) or 0)
        try:
            args = build_parser().parse_args(argv)
        except SystemExit as e:  # argparse: --help (0) or a usage error (2), already printed
            return e.code if isinstance(e.code, int) else EXIT_BAD_INPUT
        return {"run": cmd_run, "params": cmd_params, "scenarios": cmd_scenarios, "sweep": cmd_sweep,
                "analyze": cmd_analyze, "compare": cmd_compare, "app": cmd_app}[args.command](args)
    except (ParamError, CLIError, ValueError) as e:  # ScenarioError is a ValueError
        _error(str(e))
        return EXIT_BAD_INPUT
    except InvariantError as e:  # run --check: the model broke a balance (a bug, not bad input)
        _error(f"consistency check failed: {e}")
        return 1
    except BrokenPipeError:   # the reader went away (`computebubble run | head`): stop quietly
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        return 0
    except OSError as e:
        from experiments.scenario import clip, os_problem

        if e.errno == errno.ENAMETOOLONG:  # a name from the command line the checks above did not catch
            _error(f"{clip(e.filename)!r}: {os_problem(e, e.filename)}")
            return EXIT_BAD_INPUT
        _error(f"cannot write or read a file: {clip(e, 300)}")
        return 1
    except KeyboardInterrupt:
        _error("interrupted")
        return 130


if __name__ == "__main__":
    raise SystemExit(main())
