"""The five gauges of Exponential View's "Boom or Bubble?" dashboard, every month.

Azeem Azhar and Nathan Warren (Exponential View, "Is AI a bubble?", September 2025;
the "Boom or Bubble?" dashboard that tracks it) read the AI build-out on five gauges
against the red lines of past booms (railways in the 1870s, telecoms in 1997-2001, the
dot-coms) and call it a bubble when three of them are red:

1. economic strain: AI capex as a share of GDP;
2. industry strain: AI capex over generative-AI revenue;
3. revenue momentum: how fast that revenue doubles;
4. valuation heat: valuation over earnings;
5. funding quality: how much of the build-out runs on debt, SPVs and vendor credit.

The dashboard reads the public record and has no causal model. Here each gauge reads
the simulated economy's public figures, in the style of :mod:`sim.thresholds`: a named
function of the run's monthly figures (a list of dicts, newest last, with the columns of
:mod:`sim.reporters`) and the parameters, returning a :class:`sim.thresholds.Reading`
(value, level 0 green / 1 amber / 2 red, and the lines it is judged against). So a run
shows which assumptions turn three of them red, and when.

Flows are summed over the trailing 12 months (fewer at the start of a run, annualized).
The dashboard's exact lines are behind a paywall; each line below is a public anchor
and is marked *sourced* or *assumption* in its gauge's docstring. The public record row
(``experiments/data/public_record.csv``, "gauge, capex to AI revenue ratio") gives the
dashboard's industry-strain reading for 2025: 6.1 falling to 4.7.

Sources quoted in the docstrings: Exponential View, "Is AI a bubble?" (Sept 2025) and
the podcast "Are we in an AI bubble? (these are the 5 warning signs)" (25 Sept 2025),
where the historical anchors are read out (railways ~3.6% of US GDP before a bust,
telecoms ~1%, 2025 AI capex ~$400B "about 1% of US GDP", gen-AI revenue ~$60B in 2025,
dot-com revenue growing "in the high tens of percents"); BEA for US GDP.
"""

from __future__ import annotations

import math

from sim.capital import INITIAL_GROWTH_PER_YEAR
from sim.thresholds import AMBER, GREEN, RED, Reading

#: US nominal GDP in 2024, USD (BEA, National Income and Product Accounts: $29.2T),
#: taken as the level at the run's start.
US_GDP_USD_AT_START = 29.2e12
#: Nominal growth of US GDP a year from the run's start (an assumption: ~2% real plus
#: ~2.5% inflation, about 2024's nominal pace).
US_GDP_GROWTH_PER_YEAR = 0.045

#: Economic strain, trailing-year AI capex / US GDP. Amber from telecoms' late-1990s
#: peak, about 1% of US GDP (sourced, Exponential View); red from 2% (an assumption
#: between telecoms' 1% and railways' 3.6% of GDP before the 1870s bust, Exponential View).
ECONOMIC_STRAIN_AMBER = 0.01
ECONOMIC_STRAIN_RED = 0.02
#: Industry strain, capex / revenue. Amber above 2x, about the railways' ratio at their
#: peak (sourced anchor, rounded: Exponential View puts railway revenue at about two
#: thirds of the year's investment, 1.5:1, so 2x lies just past it); red above 4x:
#: telecoms peaked just over 4x, revenue covering a quarter of investment (sourced,
#: Exponential View).
INDUSTRY_STRAIN_AMBER = 2.0
INDUSTRY_STRAIN_RED = 4.0
#: Revenue momentum, doubling time in years. Green under 2 years, amber 2-4, red above
#: 4 or shrinking (an assumption: dot-com revenue grew "in the high tens of percents",
#: Exponential View, a doubling in ~1.5-2 years; 4 years is ~19% a year, below a
#: maturing cloud market's 20-30%, see :data:`sim.capital.MATURE_GROWTH_PER_YEAR`).
DOUBLING_AMBER_YEARS = 2.0
DOUBLING_RED_YEARS = 4.0
#: Valuation heat, valuation / trailing earnings. Red from 72x: about the Nasdaq's
#: forward P/E at its March 2000 peak (sourced as a widely cited figure; not checked
#: here against a primary source); the Nasdaq's ~32x in 2025 read green (Exponential
#: View). Amber from 40x (an assumption between the two).
VALUATION_HEAT_AMBER = 40.0
VALUATION_HEAT_RED = 72.0
#: Funding quality, share of the year's AI capex funded by debt, SPV/contract-backed
#: borrowing and vendor credit. Amber from 25%, red from 50% (assumptions: big tech
#: funding capex from operating cash flow was green in 2025, Exponential View; telecoms'
#: 1998-2001 build-out was mostly debt-funded).
FUNDING_QUALITY_AMBER = 0.25
FUNDING_QUALITY_RED = 0.5

#: The dashboard's rule: 0-1 gauges red is a boom, 2 is caution, 3 or more is bubble
#: territory.
RED_FOR_BUBBLE = 3
RED_FOR_CAUTION = 2

#: Growth of AI revenue a year (0.5 = +50%) assumed before 3 months have been seen: the
#: growth investors had seen into 2025, the capital market's prior
#: (:data:`sim.capital.INITIAL_GROWTH_PER_YEAR`, 3x a year).
PRIOR_REVENUE_GROWTH_PER_YEAR = math.expm1(INITIAL_GROWTH_PER_YEAR)


def _annual(figs, key: str) -> float:
    """The last 12 months' sum of ``key`` (fewer at the start of a run, annualized)."""
    window = figs[-12:]
    return sum(f[key] for f in window) * 12.0 / len(window)


def us_gdp_usd_per_year(month: int) -> float:
    """US nominal GDP a year in run month ``month``: 2024's level at the start, growing
    ``US_GDP_GROWTH_PER_YEAR``."""
    return US_GDP_USD_AT_START * (1.0 + US_GDP_GROWTH_PER_YEAR) ** (month / 12.0)


def economic_strain(figs, p) -> Reading:
    """1. Economic strain: trailing-year AI capex / US GDP.

    AI capex is every modelled hyperscaler's (``ai_capex_usd``, chips with servers and
    shells), worldwide: like the dashboard, which set ~$400B of 2025 data-center capex,
    most of it American, against US GDP. GDP: $29.2T in 2024 (BEA), growing 4.5% a year
    (assumption). Amber from 1% (telecoms' late-1990s peak, sourced), red from 2%
    (assumption between telecoms' 1% and railways' 3.6%).
    """
    v = _annual(figs, "ai_capex_usd") / us_gdp_usd_per_year(figs[-1]["month"])
    return Reading("economic_strain", v,
                   RED if v >= ECONOMIC_STRAIN_RED else AMBER if v >= ECONOMIC_STRAIN_AMBER else GREEN,
                   "AI capex / US GDP", ECONOMIC_STRAIN_AMBER, ECONOMIC_STRAIN_RED)


def industry_strain(figs, p) -> Reading:
    """2. Industry strain: trailing-year AI capex / trailing-year AI revenue.

    Revenue is end users' payments to the labs (``ai_revenue_usd``); infinite (red) when
    there is capex and no revenue, 0 when there is neither. Amber above 2x (about the
    railways' peak, sourced anchor, rounded), red above 4x (telecoms peaked just over
    4x, sourced). The dashboard
    read 6.1 in early 2025 falling to 4.7 (public record); its revenue is all generative
    AI revenue (~$60B in 2025, startups and cloud AI services included), wider than the
    modelled labs', so the model reads higher (see tests/test_gauges.py).
    """
    capex = _annual(figs, "ai_capex_usd")
    revenue = _annual(figs, "ai_revenue_usd")
    v = capex / revenue if revenue > 0 else (math.inf if capex > 0 else 0.0)
    return Reading("industry_strain", v,
                   RED if v > INDUSTRY_STRAIN_RED else AMBER if v > INDUSTRY_STRAIN_AMBER else GREEN,
                   "AI capex / AI revenue", INDUSTRY_STRAIN_AMBER, INDUSTRY_STRAIN_RED)


def revenue_growth(figs) -> float:
    """AI revenue's growth over a year (0.5 = +50%): ``revenue_growth_12m`` once it
    exists (the last three months against the same three a year before, from month 15);
    before that the latest month against the first, annualized, once 3 months have
    passed; before that :data:`PRIOR_REVENUE_GROWTH_PER_YEAR`."""
    g = figs[-1]["revenue_growth_12m"]
    if math.isfinite(g):
        return g
    months = len(figs) - 1
    first, last = figs[0]["ai_revenue_usd"], figs[-1]["ai_revenue_usd"]
    if months < 3 or first <= 0:
        return PRIOR_REVENUE_GROWTH_PER_YEAR
    if last <= 0:
        return -1.0
    return (last / first) ** (12.0 / months) - 1.0


def revenue_momentum(figs, p) -> Reading:
    """3. Revenue momentum: the years AI revenue takes to double at its growth over the
    last year, ln 2 / ln(1 + g) (:func:`revenue_growth`); infinite (red) when revenue is
    not growing.

    Green under 2 years, amber 2-4, red above 4 or shrinking (assumption; dot-com revenue
    grew "in the high tens of percents", Exponential View; the sector's revenue doubling
    every ~0.73 years in 2025 was green).
    """
    g = revenue_growth(figs)
    v = math.log(2.0) / math.log1p(g) if g > 0 else math.inf
    return Reading("revenue_momentum", v,
                   RED if v > DOUBLING_RED_YEARS else AMBER if v >= DOUBLING_AMBER_YEARS else GREEN,
                   "years to double", DOUBLING_AMBER_YEARS, DOUBLING_RED_YEARS)


def valuation_heat(figs, p) -> Reading:
    """4. Valuation heat: the AI valuation (``valuation_usd``, priced by the capital
    market) over the AI stack's trailing-year earnings (``ai_earnings_usd``: vendors'
    gross profit less their opex, the clouds' margin on rented compute, the labs' profit
    or loss; see :func:`sim.reporters.ai_earnings_usd`).

    Infinite (red) when earnings are not positive. Amber from 40x (assumption), red from
    72x (about the Nasdaq's forward P/E at the 2000 peak, a widely cited figure; ~32x in
    2025 was green).
    The dashboard reads listed firms' P/E; the modelled valuation is a claim on AI
    profits alone, and its earnings carry the labs' losses.
    """
    earnings = _annual(figs, "ai_earnings_usd")
    v = figs[-1]["valuation_usd"] / earnings if earnings > 0 else math.inf
    return Reading("valuation_heat", v,
                   RED if v >= VALUATION_HEAT_RED else AMBER if v >= VALUATION_HEAT_AMBER else GREEN,
                   "valuation / earnings", VALUATION_HEAT_AMBER, VALUATION_HEAT_RED)


def funding_quality(figs, p) -> Reading:
    """5. Funding quality: the share of the last 12 months' AI capex funded by debt,
    SPV-style borrowing and vendor credit, clipped to [0, 1].

    Borrowed = hyperscalers' net new debt over the window (``debt_drawn_usd`` less
    ``debt_repaid_usd``; corporate and contract-backed, ``secured_debt_usd``, alike) plus
    the rise in what they owe chip vendors (``vendor_credit_usd``, from 0 at the start).
    Capex = ``ai_capex_usd`` over the same months; 0 when there is none. Amber from 25%,
    red from 50% (assumptions: big tech funding capex from cash flow was green in 2025;
    telecoms' 1998-2001 build-out was mostly debt).
    """
    window = figs[-12:]
    capex = sum(f["ai_capex_usd"] for f in window)
    debt = sum(f["debt_drawn_usd"] - f["debt_repaid_usd"] for f in window)
    before = figs[-13]["vendor_credit_usd"] if len(figs) > 12 else 0.0
    borrowed = debt + figs[-1]["vendor_credit_usd"] - before
    v = min(1.0, max(0.0, borrowed / capex)) if capex > 0 else 0.0
    return Reading("funding_quality", v,
                   RED if v >= FUNDING_QUALITY_RED else AMBER if v >= FUNDING_QUALITY_AMBER else GREEN,
                   "debt-funded share of AI capex", FUNDING_QUALITY_AMBER, FUNDING_QUALITY_RED)


GAUGES = (economic_strain, industry_strain, revenue_momentum, valuation_heat, funding_quality)
NAMES = tuple(g.__name__ for g in GAUGES)


def evaluate(figs, p) -> list[Reading]:
    """All five readings for the newest month."""
    return [g(figs, p) for g in GAUGES]


def count_red(readings) -> int:
    """How many readings (or levels) are red."""
    return sum(1 for r in readings if (r.level if isinstance(r, Reading) else r) == RED)


def dashboard_call(n_red: int) -> str:
    """The dashboard's call from the number of red gauges: "boom" (0-1), "caution" (2),
    "bubble" (3 or more)."""
    return "bubble" if n_red >= RED_FOR_BUBBLE else "caution" if n_red >= RED_FOR_CAUTION else "boom"
