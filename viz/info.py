"""The Info page: what the model is, how to read Live, a glossary, and the teacher's guide.

Anchor: NetLogo's Info tab ("what is it", "how to use it", "things to notice"). The
issue's teacher prepares a 50-minute class on "is AI a bubble?"; this page is what they
read first. Its texts come from where they are kept, so page, meter, guide and model
cannot drift:

- how to read each Live chart from :data:`CHART_GUIDE`, under the chart's own title
  (:data:`viz.charts.CHART_TITLES`; the valuation's and the belief mix's captions are
  their classes');
- the thresholds from :data:`sim.thresholds.PLAIN`, the tiles' titles and bands
  (:mod:`viz.verdict`) as judged in the baseline's first month;
- the gauges' lines from :mod:`sim.gauges` and their plain words from :data:`GAUGE_PLAIN`;
- the outcomes from :func:`experiments.teaching.outcome_definitions` and the banner's
  words (:data:`viz.verdict.OUTCOME_WORDS`);
- the points of contention from :func:`experiments.debate.contentions` and the Live
  sliders' labels;
- the teacher's guide from :mod:`experiments.teaching`, which also writes docs/teaching.md:
  its four runs are run once per server (in a thread, so the page shows at once) and each has a
  "Run this" button that opens Live on it, playing.

All text is rendered with :mod:`viz.text` (never ``solara.Markdown``, which asks a public
CDN for KaTeX).
"""

from __future__ import annotations

import functools

import solara

from experiments import debate, teaching
from sim import gauges, thresholds
from viz import live
from viz import verdict as verdict_words
from viz.charts import CHART_TITLES, BeliefChart, ValuationChart
from viz.state import go, session
from viz.text import Plain, Prose

MODEL_TEXT = """\
computebubble simulates the AI compute build-out month by month from 2025. Its actors are agents: \
hyperscalers (the big clouds) that buy chips and build data centres, model labs that rent the chips to train \
and serve their models, chip vendors, power utilities that connect the data centres to the grid, and users \
in five segments and four regions who adopt AI and pay for tokens. No one tells the model how much is spent: \
capex and revenue are the sums of what the agents decide and pay.

A capital market prices the build-out every month. Three kinds of investor forecast AI revenue: trend \
followers extrapolate the last half-year, fundamentalists expect growth to slow to a maturing cloud market's, \
and physics-minded investors expect revenue to grow only as fast as compute that is powered and rented. Each \
quarter money moves toward whoever forecast best. The price sets what labs can raise and how much capex \
shareholders tolerate, so a change of mood feeds back into the build-out.

Each month is checked against seven thresholds taken from the debate (the bubble meter on Live) and the five \
gauges of a public bubble dashboard, and each run ends in a verdict: boom, digestion or bust.

The start is calibrated to 2025's public figures (docs/calibration.md). The scenarios are the positions of \
five essays and round-table notes on the debate (seeds 000-004), each a few settings changed from the \
baseline (the Debate tab). A run shows what follows from a set of assumptions; it is not a forecast."""

#: How to read each Live chart, by its attribute in :class:`viz.charts.LiveCharts`, in the
#: page's order: (its title, how to read it). The titles are the charts' own, and
#: tests/test_app_info.py holds them to the titles of a freshly built LiveCharts: building
#: the page's chart widgets here just to read their titles would send the browser widgets
#: it never shows ("widget model not found" in its console). The valuation and the belief
#: mix carry their title and caption as class constants, read as they are.
CHART_GUIDE = {
    "two_curves": (CHART_TITLES["two_curves"],
                   "Seed 000's two curves, in dollars a year: AI capex (red: chips, servers and data-centre shells) "
                   "and AI revenue (blue: what users pay the labs). Grey is the revenue the build-out needs to pay for "
                   "itself (Sequoia's \"$600B question\" method, the revenue-gap threshold). Diamonds are the public "
                   "record; the dashed line is today. Watch the gap between blue and grey."),
    "fleet": (CHART_TITLES["fleet"],
              "Compute in gigawatts of power. Green is powered and working; purple is ghost compute, chips delivered "
              "but waiting for power (seed 002). Purple growing means chips arrive faster than the grid takes them."),
    "idle": (CHART_TITLES["idle"],
             f"The share of powered GPUs nobody rents. The red band is how idle fibre was after 2001 (seed 004). Idle "
             f"capacity of {thresholds.DAMAGE_IDLE_FRAC:.0%} is one of a bust's signs of damage."),
    "tokens": (CHART_TITLES["tokens"],
               "How many tokens the models serve a day (trillions) and their price per million tokens (times 100, so "
               "both fit one log scale). Price falling while volume rises faster is Jevons' paradox (seed 001)."),
    "chips": (CHART_TITLES["chips"],
              "What the chip vendors sell a year. The revenue the build-out needs (grey on the two curves) is worked "
              "out from this spending on GPUs."),
    "rental": (CHART_TITLES["rental"],
               f"What a GPU-hour rents for. A fall of {thresholds.DAMAGE_RENTAL_FALL_FRAC:.0%} in a year is one of a "
               "bust's signs of damage."),
    "valuation": (ValuationChart.TITLE, ValuationChart.CAPTION),
    "beliefs": (BeliefChart.TITLE, BeliefChart.CAPTION),
    "runways": (CHART_TITLES["runways"],
                "Months of cash each lab has left at its present spending. A line falling toward zero is a lab about "
                "to need money; a lab that cannot pay its bills for three months defaults (the liquidity threshold)."),
}
#: The Live page's other panels, in words (their titles as Live shows them).
PANELS = (
    ("The verdict banner", "At the top of Live. While the run goes it says what the run is so far and lists the "
     "latest events; at the end of the horizon it gives the verdict (below), when, why, and which side of the "
     "debate the run supports."),
    ("The bubble meter", "Seven tiles, one per threshold (the glossary below), green, amber or red each month, "
     "with their lines and how long each has been red. Hover a tile for what it measures."),
    ("The contract network", "Who owes whom: the agents joined by their contracts, each edge as wide as the "
     "month's flow; a defaulted agent is crossed out in red."),
    ("The sliders", "On the left of Live: the three points of contention first, then the main levers. A moved "
     "slider acts on the running model from the next month; Reset starts the run again with it."),
)
#: Each dashboard gauge in plain words (sim.gauges' docstrings carry the sources and the
#: arithmetic; its lines come from the readings, :func:`gauge_lines`).
GAUGE_PLAIN = {
    "economic_strain": "AI capex over the last 12 months as a share of US GDP. Telecoms peaked at about 1% of GDP in "
                       "the late 1990s; railways reached about 3.6% before the 1870s bust.",
    "industry_strain": "AI capex over AI revenue, both over the last 12 months: how many dollars are built for each "
                       "dollar earned. The railways peaked near 2 and telecoms just over 4.",
    "revenue_momentum": "How many years AI revenue takes to double, at its growth over the last year (shrinking "
                        "revenue is red).",
    "valuation_heat": "The AI valuation over the AI industry's earnings over the last year, a price-to-earnings "
                      "ratio. The Nasdaq stood near 72 at its 2000 peak.",
    "funding_quality": "The share of the last 12 months' AI capex paid for with borrowed money: debt, "
                       "contract-backed borrowing and vendor credit.",
}
#: How each gauge's lines read (sim.gauges gives them as numbers in the gauge's unit).
GAUGE_FORMATS = {"economic_strain": "{:.0%}", "industry_strain": "{:g}x", "revenue_momentum": "{:g} years",
                 "valuation_heat": "{:g}x", "funding_quality": "{:.0%}"}


@functools.lru_cache(maxsize=1)
def baseline_readings() -> tuple[tuple, tuple]:
    """The thresholds' and gauges' readings in the baseline's first month: their lines as
    the meter judges them (payback's depend on the parameters)."""
    from experiments.runner import build_model

    model = build_model(None, teaching.MONTHS, teaching.SEED, "baseline")
    model.step()
    return tuple(model.readings), tuple(model.gauge_readings)


def gauge_title(name: str) -> str:
    """"economic_strain" -> "Economic strain", as the dashboard names its gauges."""
    return name.replace("_", " ").capitalize()


def gauge_lines(r: thresholds.Reading) -> str:
    fmt = GAUGE_FORMATS[r.name]
    return f"amber from {fmt.format(r.amber)}, red from {fmt.format(r.red)} (higher is worse)"


def open_run(scenario: str, seed: int = teaching.SEED, months: int = teaching.MONTHS) -> None:
    """Open Live on a lesson's run and play it, as its link (``autoplay=1``) does."""
    lv = session().live
    lv.seed.value = seed
    lv.horizon.value = months
    lv.autoplay.value = True
    live.open_scenario(scenario)
    go("Live")


@solara.component
def ReadingLive():
    with solara.Column(gap="6px"):
        for title, text in CHART_GUIDE.values():
            with solara.Div(classes=["info-chart"]):
                Plain(title, tag="div", classes=["info-chart-title"], style="font-weight:600")
                Plain(text, tag="div", style="font-size:14px")
        for title, text in PANELS:
            with solara.Div(classes=["info-panel"]):
                Plain(title, tag="div", style="font-weight:600")
                Plain(text, tag="div", style="font-size:14px")


@solara.component
def Outcomes():
    defs = teaching.outcome_definitions()
    for name, words in verdict_words.OUTCOME_WORDS.items():
        with solara.Div(classes=["info-outcome"], style={"border-left": f"8px solid {words['colour']}",
                                                         "padding": "4px 10px", "margin": "4px 0",
                                                         "background": words["background"]}):
            Plain(words["label"], tag="div", style=f"font-weight:700;color:{words['text']}")
            Plain(defs[name], tag="div", style="font-size:14px")
            Plain(words["side"], tag="div", style="font-size:13px;color:#555")


@solara.component
def Glossary():
    readings, dials = baseline_readings()
    Plain("The seven thresholds: the tiles of the bubble meter on Live, each judged every month (lines as in the "
          "baseline).", tag="p")
    for r in readings:
        with solara.Div(classes=["info-threshold"], style={"margin": "6px 0"}):
            Plain(verdict_words.TITLES[r.name], tag="div", classes=["info-threshold-title"], style="font-weight:600")
            Plain(thresholds.PLAIN[r.name], tag="div", style="font-size:14px")
            Plain(f"Lines: {verdict_words.band_text(r)}. Unit: {thresholds.UNITS[r.name]}.", tag="div",
                  style="font-size:13px;color:#555")
    Prose(f"The five gauges of Exponential View's \"Boom or Bubble?\" dashboard (Azeem Azhar and Nathan Warren, "
          f"2025), read from the model's figures: the dashboard calls a bubble when {gauges.RED_FOR_BUBBLE} of them "
          "are red at once. They are not drawn on Live; `computebubble run` and the teacher's guide report the most "
          "red at once.", style="margin-top:12px")
    for r in dials:
        with solara.Div(classes=["info-gauge"], style={"margin": "6px 0"}):
            Plain(gauge_title(r.name), tag="div", classes=["info-gauge-title"], style="font-weight:600")
            Plain(GAUGE_PLAIN[r.name], tag="div", style="font-size:14px")
            Plain(f"Lines: {gauge_lines(r)}. Unit: {r.unit}.", tag="div", style="font-size:13px;color:#555")


@solara.component
def Contentions():
    good = [c for c in solara.use_memo(lambda: debate.cards(strict=False), []) if "error" not in c]
    Plain("Seed 000 frames the debate as two curves and three points of contention, and finds that the answer to "
          "all three seems to be \"depends\". Each is a slider on Live, and a scenario answers it one way.", tag="p")
    for c in debate.contentions(good):
        with solara.Div(classes=["info-contention"], style={"margin": "8px 0"}):
            Plain(f"{c['number']}. {c['question']}", tag="div", style="font-weight:600")
            Plain(c["how"], tag="div", style="font-size:14px")
            Prose("\n".join(f"- Slider: **{live.param_label(p['name'])}** (`{p['name']}`), baseline "
                            f"{live.format_param(p['name'], p['default'])}" for p in c["params"]))
            with solara.Row(gap="6px", style={"flex-wrap": "wrap"}):
                for name in c["scenarios"]:
                    solara.Button(f"Open {name} in Live", small=True, outlined=True, classes=["info-open"],
                                  on_click=lambda n=name: (live.open_scenario(n), go("Live")))


@solara.component
def TeachersGuide():
    result = solara.use_thread(teaching.lesson, dependencies=[])
    Prose(f"A {teaching.LESSON_MINUTES}-minute lesson on \"is AI a bubble?\" built on four runs, all on seed "
          f"{teaching.SEED} over {teaching.MONTHS} months. The same guide, to print, is `docs/teaching.md` in the "
          "project (`python -m experiments.teaching` writes it).")
    Prose("**Before class**\n\n" + "\n".join(f"- {x}" for x in teaching.BEFORE_CLASS))
    Prose("**The plan**\n\n" + "\n".join(f"- {s['start']}-{s['end']} min: **{s['title']}**. {s['text']}"
                                         for s in teaching.segments()))
    if result.state == solara.ResultState.ERROR:
        solara.Error(f"The four runs failed: {result.error}")
    elif result.value is None:
        solara.Info("Working out the four runs (a few seconds)...")
    else:
        for r in result.value:
            RunCard(r)
    Prose("**Discussion questions**\n\n" + "\n".join(f"{i}. {q}" for i, q in
                                                    enumerate(teaching.DISCUSSION_QUESTIONS, 1)))


@solara.component
def RunCard(r: dict):
    with solara.Card(f"Run {r['number']}: {r['title']}", subtitle=f"{r['scenario']}: {r['role']}",
                     classes=["info-run"], margin=0):
        with solara.Row(gap="8px", style={"align-items": "center", "flex-wrap": "wrap"}):
            solara.Button("Run this", color="primary", on_click=lambda: open_run(r["scenario"]))
            Plain(r["command"], tag="code", style="font-size:12px")
        Prose(f"{r['why']}\n\n**Ask the class first.** {r['question']}\n\n**Where to look.** {r['look']}\n\n"
              "**What to notice**\n\n" + "\n".join(f"- {x}" for x in r["notice"])
              + "\n\n**The chain of events, up to the verdict**\n\n" + "\n".join(f"- {x}" for x in r["chain"]))


#: The page's sections: (title, class suffix, component), in order.
SECTIONS = (
    ("What the model is", "model", lambda: Prose(MODEL_TEXT)),
    ("How to read the Live page", "reading", lambda: ReadingLive()),
    ("The three outcomes", "outcomes", lambda: Outcomes()),
    ("Glossary: the thresholds and the gauges", "glossary", lambda: Glossary()),
    ("The three points of contention (seed 000)", "contentions", lambda: Contentions()),
    ("The teacher's guide", "guide", lambda: TeachersGuide()),
)


@solara.component
def Info():
    """The page: the model, reading Live, the outcomes, the glossary, the points of contention and the guide."""
    with solara.Column(classes=["info-page"], gap="12px", style={"max-width": "1100px"}):
        Plain("On this page: " + " · ".join(title for title, _, _ in SECTIONS) + f". The teacher's guide, at the "
              f"bottom, is a {teaching.LESSON_MINUTES}-minute lesson in four runs, each with a button that plays it "
              "in Live.", tag="p", classes=["info-contents"], style="margin:4px 0 0 0;font-size:14px")
        for title, name, body in SECTIONS:
            with solara.Card(title, classes=["info-section", f"info-{name}"], margin=0):
                body()


__all__ = ["CHART_GUIDE", "GAUGE_FORMATS", "GAUGE_PLAIN", "Info", "MODEL_TEXT", "PANELS", "SECTIONS",
           "baseline_readings", "gauge_lines", "gauge_title", "open_run"]
