"""The teacher's guide: docs/teaching.md, a 50-minute lesson on "is AI a bubble?" built on four runs.

The issue's teacher prepares a 50-minute class on "is AI a bubble?". The guide gives the
class a timed plan (:data:`INTRO_SEGMENTS`, one segment per run, :data:`CLOSING_SEGMENTS`;
:func:`segments` adds them up to :data:`LESSON_MINUTES`) around four runs chosen to set the
debate's positions against each other (:data:`LESSON_RUNS`): the calibrated baseline, a
bull case, a bear case and one of seed 000's points of contention moved. For each run it
gives the command and the app link that replay it, the question to put to the class
before pressing play, where to look on the Live page, and what to notice.

What to notice is worked out from the run itself when the guide is generated
(:func:`notice`, from :func:`experiments.runner.run`): the outcome and when, what fell
first, annual capex's peak, the valuation's peak and fall, the thresholds that turned red
and the chain of events. The prose around it says nothing a run could contradict. The
model is being recalibrated; a figure typed into a teaching guide would quietly go
wrong, and ``tests/test_teaching.py`` checks that docs/teaching.md is what this module
writes now, as tests/test_debate.py does for the debate guide.

The app's Info tab (:mod:`viz.info`) shows the same plan and reads the same functions
(:func:`lesson`, :func:`segments`, :func:`outcome_definitions`), so page and guide cannot
drift. ``python -m experiments.teaching [FILE]`` writes the guide.
"""

from __future__ import annotations

import copy
import functools
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

#: Where ``main`` writes the guide by default.
DOC_PATH = Path(__file__).resolve().parent.parent / "docs" / "teaching.md"
#: Every run of the lesson: this seed and horizon (the app's and ``computebubble run``'s
#: defaults), so the class sees the four positions on the same random draws.
SEED = 1
MONTHS = 72
#: Where ``computebubble app`` serves by default.
APP_URL = "http://127.0.0.1:8765/"
LESSON_MINUTES = 50
#: Minutes for each run: ask, play, look, discuss.
RUN_MINUTES = 8


@dataclass(frozen=True)
class LessonRun:
    """One run of the lesson. The scenario's title and claim come from its file; the
    words here say why it is in the lesson and what to ask, never what it shows."""

    scenario: str
    #: Its place in the lesson ("the bull case").
    role: str
    #: Why this run: what it sets against the others.
    why: str
    #: The question for the class, before pressing play.
    question: str
    #: Where to look on the Live page while it plays (the charts' titles).
    look: str


LESSON_RUNS = (
    LessonRun(
        "baseline", "the world as of 2025",
        "The calibrated starting point: the model reproduces 2025's capex, revenue and token figures and carries "
        "them forward with no one's thesis added. Every other run is this one with a few settings changed.",
        "Before pressing play: by the end of 2030, will this be a boom, a digestion (a pause) or a bust? Take a "
        "show of hands and write the counts on the board.",
        "The two curves (red capex against blue revenue, with the grey revenue the build-out would need), then "
        "the bubble meter's seven tiles above the charts and the verdict banner."),
    LessonRun(
        "sovereign-backstop", "the bull case: the state as a safety net",
        "The bulls' answer to 'what if the money runs out?': investors stop funding the labs early in 2025, and "
        "two quarters later the state steps in with a funding floor (seed 004). It asks whether a bubble can pop "
        "when someone with deep pockets will not let it.",
        "If governments treat AI as a national priority and keep the labs funded, can there still be a bust? "
        "Who carries the risk then?",
        "Lab runways (months of cash each lab has left) and the liquidity tile; then the two curves: does a "
        "backstop for the labs keep the builders building?"),
    LessonRun(
        "dark-fibre", "the bear case: the dot-com replay",
        "The bears' history lesson (seed 004): in 2001 most of the fibre laid for forecast traffic went dark. "
        "Here hyperscalers overbuild for extrapolated demand, with power easy to get, while revenue grows only "
        "like a logarithm (seed 000's feared ln curve) and investors later stop funding the tenants.",
        "Fibre in 2001 went 70-90% idle. Could GPUs go dark the same way, and would the market see it coming "
        "before the machines stood idle?",
        "The idle share (the red band is the dark-fibre level), the GPU rental price, and the AI valuation "
        "against its fundamental value."),
    LessonRun(
        "reliability-ceiling", "a point of contention moved: is AI reliable?",
        "Seed 000's third point of contention answered 'not yet': enterprises and autonomous agents stop at "
        "pilots because the models cannot be trusted to work alone, and nothing else changes from the baseline. "
        "It shows how much of the debate turns on one assumption.",
        "If AI stays a copilot and never becomes a worker, what happens to the revenue meant to pay for the "
        "data centres? Which falls first: the price or the machines?",
        "The two curves (does revenue catch up with required revenue?), the idle share, and who the market "
        "believes: the shares of the three investor types."),
)

#: The lesson before the runs: (minutes, title, what the teacher does).
INTRO_SEGMENTS = (
    (5, "The question",
     "Write 'Is AI a bubble?' on the board. Read seed 000's opening: a story of two curves (capex rising almost "
     "exponentially; revenue hoped to accelerate but feared to flatten like a logarithm) and three points of "
     "contention (is the scaling law still working, will new architectures save compute, is AI reliable), to "
     "which the answer seems to be 'depends'. Take a first show of hands: bubble or not?"),
    (5, "How to read the app",
     "Open the app's Info tab: what the model is, the three outcomes (boom, digestion, bust) and the seven "
     "thresholds. Then open Live: the verdict banner at the top fills in as the run goes and settles at the "
     "end; the tiles turn green, amber or red month by month; the first chart is seed 000's two curves."),
)
#: The lesson after the runs.
CLOSING_SEGMENTS = (
    (8, "Discussion and exit ticket",
     "Put the four verdicts on the board beside the first show of hands, and use the discussion questions "
     "below. Exit ticket: one sentence that starts 'AI is / is not a bubble if ...' and names one thing the "
     "answer depends on."),
)

BEFORE_CLASS = (
    "Install the project and start the app on the classroom computer (see the README): "
    "`computebubble app` serves it on " + APP_URL + "; it needs no internet.",
    "Open each run's link below once: it opens the Live page on that scenario and plays it in a few seconds "
    "(pick a slower speed in the page to narrate a run as it goes).",
    "For a printed handout, run each run's command: it prints the verdict, the chain of events and a table by "
    "year, the same run the link plays.",
    "Read seed 000 (the two curves and the three points of contention) and the four scenarios' cards in "
    "docs/debate.md or on the app's Debate tab.",
    "The figures under 'what to notice' are this version of the model's. After the model changes, "
    "`python -m experiments.teaching` rewrites this guide from fresh runs.",
)

DISCUSSION_QUESTIONS = (
    "Which run matched the class's first show of hands? What surprised you?",
    "In each run that ends badly, what fell first: the price (the valuation) or the machines (idle GPUs, "
    "falling rents)? Who is hurt first in each case?",
    "Is a digestion, where the build-out pauses without a crash, a bubble? What about a boom that ends with "
    "the valuation far above its fundamental value?",
    "Each of seed 000's three points of contention is a slider on the Live page. Which one would you move to "
    "turn the baseline into a boom, or into a bust? Try it.",
    "The state's funding floor saves the labs; does it save the builders? Who should carry the risk of a "
    "build-out this size?",
    "A model is a set of assumptions. Which assumption here would you most want to check against the real "
    "world, and what figure would you look up?",
)


# ===== the outcomes, in words ===================================================================

def outcome_definitions() -> dict[str, str]:
    """Boom, digestion and bust in plain words, with the verdict's own lines
    (:func:`sim.thresholds.verdict`; the parameters' defaults and the damage constants)."""
    from sim import thresholds as T
    from sim.params import FIELDS

    bust = FIELDS["bust_valuation_fall_frac"].default
    drop = FIELDS["digestion_capex_drop_frac"].default
    before, after = -T.DAMAGE_WINDOW_MONTHS[0], T.DAMAGE_WINDOW_MONTHS[1]
    return {
        "boom": (f"Neither of the other two: no {bust:.0%} crash of the price with damage, and annual AI capex "
                 f"never {drop:.0%} below its peak. The build-out kept going."),
        "digestion": (f"Annual AI capex (the last 12 months) stands {drop:.0%} or more below its peak, without a "
                      "bust: the build-out pauses to catch up with demand."),
        "bust": (f"The AI valuation stands {bust:.0%} or more below its peak with a sign of damage from {before} "
                 f"months before to {after} after: {T.DAMAGE_IDLE_FRAC:.0%} of powered GPUs idle, the GPU rental "
                 f"price {T.DAMAGE_RENTAL_FALL_FRAC:.0%} down in a year, write-offs of "
                 f"{T.MATERIAL_IMPAIRMENT_FRAC:.0%} of peak annual capex in a year, or a default."),
    }


# ===== the runs =================================================================================

def command(scenario: str, seed: int = SEED) -> str:
    return f"computebubble run --scenario {scenario} --seed {seed}"


def app_link(scenario: str, seed: int = SEED) -> str:
    """The link that opens Live on the run and plays it (:func:`viz.app.read_query`)."""
    return f"{APP_URL}?scenario={scenario}&seed={seed}&autoplay=1"


def _usd_b(v: float) -> str:
    return f"${v / 1e9:,.0f}B"


def _usd_t(v: float) -> str:
    return f"${v / 1e12:,.2f}T"


def _when(out: dict[str, Any]) -> str:
    """When the outcome came: "in 2026-02" (bust), "from 2029-11" (digestion), "through 2030-12" (boom)."""
    if out["outcome"] == "bust":
        return f"in {out['bust_month']}"
    if out["outcome"] == "digestion":
        return f"from {out['capex_fall_month']}"
    return f"through {_last_month(out)}"


def _last_month(out: dict[str, Any]) -> str:
    """The run's last month, "YYYY-MM", from its scenario's start (the parameters' default if it sets none)."""
    from experiments.runner import model_kwargs
    from sim.clock import month_date
    from sim.params import FIELDS

    kw = model_kwargs(None, out["months"], out["scenario"])
    start = [kw.get(k, FIELDS[k].default) for k in ("start_year", "start_month")]
    return month_date(*start, out["months"] - 1)


def _first_fall(out: dict[str, Any]) -> str:
    """What fell first, in words a class can argue about: the price, the builders, the
    machines or the rent (the verdict's falls, :data:`sim.thresholds.FALL_KINDS`)."""
    from sim import thresholds as T
    from sim.params import FIELDS

    first = next((e for e in out["chain"] if e["kind"] in T.FALL_KINDS), None)
    if first is None:
        return (f"Nothing fell by the verdict's measures: no {T.VALUATION_WARNING_FALL_FRAC:.0%} fall of the "
                f"valuation, no {FIELDS['digestion_capex_drop_frac'].default:.0%} fall of annual capex, never "
                f"{T.DAMAGE_IDLE_FRAC:.0%} of GPUs idle, no {T.DAMAGE_RENTAL_FALL_FRAC:.0%} fall of the rent.")
    v, m = first["value"], first["month"]
    of = "of the verdict's four falls (the price, capex, idle machines, the rent)"
    return {
        "valuation_fall": f"The price fell first {of}: in {m} the AI valuation stood {-v:.0%} below its peak.",
        "capex_fall": f"The builders pulled back first {of}: in {m} annual AI capex stood {-v:.0%} below its peak.",
        "idle": f"The machines fell first {of}: in {m} {v:.0%} of powered GPUs stood idle.",
        "rental": f"The rent fell first {of}: in {m} the GPU rental price was {-v:.0%} below its level a year "
                  "before.",
    }[first["kind"]]


def _thresholds(out: dict[str, Any]) -> str:
    from sim import thresholds as T
    from viz.verdict import SHORT_NAMES    # the words the Live page's tiles and banner use

    red = [n for n in T.NAMES if out[f"crossed_{n}"]]
    if not red:
        text = f"None of the {len(T.NAMES)} thresholds turned red."
    else:
        longest = max(red, key=lambda n: (out[f"months_red_{n}"], -T.NAMES.index(n)))
        n = out[f"months_red_{longest}"]
        text = (f"{len(red)} of the {len(T.NAMES)} thresholds turned red; the longest in the red was "
                f"{SHORT_NAMES[longest]}: {n} of {out['months']} months, first red {out[f'first_{longest}']}.")
    g = out.get("max_gauges_red")
    if g is not None:
        three = out["three_gauges_red_month"]
        text += (f" At most {g} of the five dashboard gauges were red at once"
                 + (f"; three red, the dashboard's bubble call, first in {three}." if three else
                    "; never three, the dashboard's bubble call."))
    return text


#: Chain events the guide lists (each threshold's first red month is in the thresholds' line).
_CHAIN_KINDS = ("valuation_peak", "valuation_fall", "capex_peak", "capex_fall", "idle", "rental", "impairments",
                "default", "funding", "gauges", "bust", "digestion")
CHAIN_SHOWN = 10


def chain(out: dict[str, Any]) -> list[str]:
    """The chain of events up to the outcome (a boom's first ones), at most :data:`CHAIN_SHOWN`."""
    events = [e for e in out["chain"] if e["kind"] in _CHAIN_KINDS]
    end = next((i for i, e in enumerate(events) if e["kind"] == out["outcome"]), None)
    if end is not None:
        events = events[:end + 1][-CHAIN_SHOWN:]
    return [f"{e['month']}: {e['event']}" for e in events[:CHAIN_SHOWN]]


def notice(out: dict[str, Any]) -> list[str]:
    """What to notice in a run, from its outcomes (:func:`experiments.runner.run`): every
    figure is the run's."""
    y = out["yearly"]
    last_year = out["years"][-1]
    why = out["bust_cause"] if out["outcome"] == "bust" else out["outcome_reason"]
    capex = f"Annual AI capex peaks at {_usd_b(out['peak_capex_usd_per_year'])} a year in {out['peak_capex_month']}"
    if out["max_capex_drawdown_frac"] >= 0.01:
        capex += f"; at its lowest after that it stands {out['max_capex_drawdown_frac']:.0%} below that peak"
    capex += (f". In {last_year} AI revenue was {_usd_b(y['ai_revenue_usd'][-1])} against "
              f"{_usd_b(y['ai_capex_usd'][-1])} of AI capex: the two curves.")
    ratio = y["valuation_ratio"][-1]
    valuation = (f"The AI valuation peaks at {_usd_t(out['peak_valuation_usd'])} in {out['peak_valuation_month']}; "
                 f"its deepest fall is {out['max_valuation_fall_frac']:.0%} below its running peak, and it ends at "
                 f"{_usd_t(out['valuation_last_usd'])}"
                 + (f", {ratio:.2f} times its fundamental value." if ratio is not None else "."))
    defaults = (f"{out['n_defaults']} default{'s' if out['n_defaults'] != 1 else ''}: {', '.join(out['defaults'])}."
                if out["n_defaults"] else "Nobody defaults.")
    return [f"The verdict: **{out['outcome']}** {_when(out)}. The model's reason: {why}.",
            _first_fall(out), capex, valuation, _thresholds(out), defaults]


@functools.lru_cache(maxsize=1)
def _lesson() -> tuple:
    from experiments.runner import run
    from experiments.scenario import load_scenario

    out = []
    for i, r in enumerate(LESSON_RUNS, start=1):
        sc = load_scenario(r.scenario)
        res = run(None, MONTHS, SEED, r.scenario)
        out.append({"number": i, "scenario": r.scenario, "title": sc.title, "claim": sc.claim, "role": r.role,
                    "why": r.why, "question": r.question, "look": r.look, "seed": SEED, "months": MONTHS,
                    "command": command(r.scenario), "link": app_link(r.scenario), "outcome": res["outcome"],
                    "when": _when(res), "first_fall": res["first_fall"],
                    "peak_capex_usd_per_year": res["peak_capex_usd_per_year"],
                    "peak_valuation_usd": res["peak_valuation_usd"],
                    "max_valuation_fall_frac": res["max_valuation_fall_frac"],
                    "notice": notice(res), "chain": chain(res)})
    return tuple(out)


def lesson() -> list[dict[str, Any]]:
    """The four runs as plain dicts (see :class:`LessonRun`), each run once (72 months,
    seed 1) and its outcome, what to notice and chain worked out from it. Cached: the
    runs are deterministic, and the app's Info tab asks again in every session."""
    return copy.deepcopy(list(_lesson()))


def segments(runs: list[dict[str, Any]] | None = None) -> list[dict[str, Any]]:
    """The lesson's timed segments: ``{"start", "end", "minutes", "title", "text"}``, in
    minutes from the start of class."""
    runs = [{"number": i, "scenario": r.scenario, "role": r.role} for i, r in enumerate(LESSON_RUNS, start=1)] \
        if runs is None else runs
    parts = list(INTRO_SEGMENTS)
    parts += [(RUN_MINUTES, f"Run {r['number']}: {r['scenario']} ({r['role']})",
               "Ask the question, press play, let the class call out what they see; then go through what to "
               "notice.") for r in runs]
    parts += list(CLOSING_SEGMENTS)
    out, t = [], 0
    for minutes, title, text in parts:
        out.append({"start": t, "end": t + minutes, "minutes": minutes, "title": title, "text": text})
        t += minutes
    return out


# ===== markdown =================================================================================

def _md(text: str) -> str:
    """Text for Markdown: dollar signs escaped (GitHub reads pairs of them as maths)."""
    return str(text).replace("$", r"\$")


def markdown(runs: list[dict[str, Any]] | None = None) -> str:
    """The guide as Markdown (docs/teaching.md)."""
    runs = lesson() if runs is None else runs
    defs = outcome_definitions()
    lines = [
        "# Is AI a bubble? A 50-minute lesson in four runs",
        "",
        "Generated by `python -m experiments.teaching` from four runs of the model; `tests/test_teaching.py` "
        "checks that this file is current. The same plan is on the app's Info tab, with a button that opens "
        "each run.",
        "",
        f"This guide is for a teacher. The class watches four runs of computebubble, a simulation of the AI "
        f"compute build-out, each a side of the debate over whether it is a bubble, all on seed {SEED} over "
        f"{MONTHS} months (2025-2030). The model's figures under 'what to notice' come from those runs, not "
        "from the real future: the point is to see which assumptions lead where.",
        "",
        "## Before class",
        "",
        *[f"- {_md(x)}" for x in BEFORE_CLASS],
        "",
        "## The plan",
        "",
        "| minutes | segment | what to do |",
        "|---|---|---|",
        *[f"| {s['start']}-{s['end']} | {_md(s['title'])} | {_md(s['text'])} |" for s in segments(runs)],
        "",
        "## The three outcomes",
        "",
        "Every run ends in one of three verdicts, read from the whole run:",
        "",
        *[f"- **{name}**: {_md(text)}" for name, text in defs.items()],
        "",
        "## The four runs side by side",
        "",
        "| run | scenario | verdict | peak annual AI capex | valuation peak | deepest valuation fall | first to fall |",
        "|---|---|---|---|---|---|---|",
        *[f"| {r['number']} | `{r['scenario']}` | {r['outcome']} {r['when']} | "
          f"{_md(_usd_b(r['peak_capex_usd_per_year']))} | {_md(_usd_t(r['peak_valuation_usd']))} | "
          f"{r['max_valuation_fall_frac']:.0%} | {_md(r['first_fall'] or 'nothing')} |" for r in runs],
    ]
    for r in runs:
        lines += ["", f"## Run {r['number']}: {_md(r['title'])}", "",
                  f"`{r['scenario']}` ({r['role']}). Its claim: {_md(r['claim'])}", "",
                  f"**Why this run.** {_md(r['why'])}", "",
                  f"**Run it.** `{r['command']}`, or open <{r['link']}> (the Live page, playing).", "",
                  f"**Ask the class first.** {_md(r['question'])}", "",
                  f"**Where to look.** {_md(r['look'])}", "",
                  f"**What to notice** (seed {r['seed']}, {r['months']} months):", "",
                  *[f"- {_md(x)}" for x in r["notice"]], "",
                  "The chain of events, up to the verdict:", "",
                  *[f"- {_md(x)}" for x in r["chain"]]]
    lines += ["", "## Discussion questions", "", *[f"{i}. {_md(q)}" for i, q in enumerate(DISCUSSION_QUESTIONS, 1)]]
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    """Write the guide to docs/teaching.md, or to the path given."""
    argv = sys.argv[1:] if argv is None else argv
    out = Path(argv[0]) if argv else DOC_PATH
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(markdown(), encoding="utf-8")
    print(f"wrote {out}")
    return 0


__all__ = ["APP_URL", "BEFORE_CLASS", "CLOSING_SEGMENTS", "DISCUSSION_QUESTIONS", "DOC_PATH", "INTRO_SEGMENTS",
           "LESSON_MINUTES", "LESSON_RUNS", "LessonRun", "MONTHS", "RUN_MINUTES", "SEED", "app_link", "chain",
           "command", "lesson", "main", "markdown", "notice", "outcome_definitions", "segments"]


if __name__ == "__main__":
    sys.exit(main())
