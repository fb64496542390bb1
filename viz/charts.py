"""Live charts that update in place.

Each chart is a bqplot figure (an ipywidget) whose marks are created once; a step
writes the new month into preallocated arrays and hands the marks views of them, in one
message per mark (``hold_sync``). Nothing is rebuilt from the growing frame, so the
cost of a step does not grow with the run's history beyond sending the arrays.
"""

from __future__ import annotations

import bqplot as bq
import numpy as np

from sim import reporters as R
from sim.clock import month_date
from viz.record import DEFAULT_START, RecordPoint, record_points, today_month

#: Colours: capex red (the exponential curve), revenue blue (the hoped-for curve), 000.
COLOURS = {
    "capex": "#d62728", "revenue": "#1f77b4", "required": "#7f7f7f", "powered": "#2ca02c",
    "ghost": "#9467bd", "idle": "#ff7f0e", "tokens": "#17becf", "price": "#8c564b",
    "trend": "#e377c2", "fundamentalist": "#7f7f7f", "physics": "#bcbd22", "sentiment": "#000000",
    # the market's price is drawn in sentiment's black (sentiment is read from it), the
    # fundamental value in the fundamentalist's grey (it is the fundamentalist's value)
    "valuation": "#000000", "fundamental": "#7f7f7f", "premium": "#f8d7da", "discount": "#d4edda",
}
LAB_COLOURS = ("#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b", "#e377c2", "#17becf")
FIG_LAYOUT = {"height": "260px", "width": "100%"}
FIG_MARGIN = {"top": 30, "bottom": 40, "left": 60, "right": 60}
#: The figure's own legend box: white, a little see-through, no border. Set on the figure
#: because the exported PNG (viz.export) draws the SVG without the page's CSS variables, and
#: bqplot's default box fill is one of them: the box came out black.
LEGEND_STYLE = {"fill": "white", "fill-opacity": 0.85, "stroke-width": 0}
RUNWAY_CAP_MONTHS = 60.0
#: The Live charts' titles (the valuation's and the belief mix's are their classes' TITLE);
#: the Info tab explains each chart under the same title.
CHART_TITLES = {
    "two_curves": "The two curves: AI capex and revenue ($B/yr, annualized)",
    "fleet": "The fleet: powered and ghost compute (GW)",
    "idle": "Idle share of powered GPUs (red band: dark-fibre level, 004)",
    "tokens": "Token volume (T/day) and price ($/M tokens x 100)",
    "chips": "Chip sales ($B/yr, annualized)",
    "rental": "GPU rental price ($ per H100-hour)",
    "runways": f"Lab runways (months of cash, capped at {RUNWAY_CAP_MONTHS:.0f})",
}
#: The public record's points: a diamond with a dark edge, in the colour of the series it
#: sits beside; the 'today' line (the newest record figure) dashed grey.
RECORD_MARKER = "diamond"
RECORD_COLOURS = {"capex": COLOURS["capex"], "revenue": COLOURS["revenue"], "tokens": COLOURS["tokens"],
                  "chips": "#9467bd", "rental": COLOURS["price"], "valuation": "#000000"}
TODAY_COLOUR = "#999999"


# ----- the two curves' series and the spread behind them (the band, viz/band.py) -----------
#: The two curves chart's series, in order: label -> (reporter column, colour). Each
#: column is a month's dollars, drawn annualised in $B per year (:func:`two_curves_values`).
TWO_CURVES = {"AI capex": (R.AI_CAPEX_USD, COLOURS["capex"]), "AI revenue": (R.AI_REVENUE_USD, COLOURS["revenue"]),
              "required revenue": (R.REQUIRED_REVENUE_USD, COLOURS["required"])}
#: The series the spread over seeds is drawn for: the two curves themselves, AI capex
#: and AI revenue (required revenue is the revenue-gap threshold's line, worked out from
#: chip spending: a yardstick for the curves, not one of them).
SPREAD_SERIES = ("AI capex", "AI revenue")
#: A month's dollars -> $B per year: x 12 months, / 1e9.
ANNUALISED_B = 12e-9
#: The spread's shading: light enough that the live lines and the record's points drawn
#: over it stay legible where the two bands overlap; its edge a little darker.
SPREAD_FILL_OPACITY = 0.18
SPREAD_EDGE_OPACITY = 0.45
SPREAD_EDGE_WIDTH = 0.8


def two_curves_values(f) -> list:
    """A month's figures (a dict, or a run's frame: then each value is a column) -> the
    two curves chart's values in $B per year, in :data:`TWO_CURVES` order. The Live
    chart, the Compare page and the band all read them here, so they show one quantity."""
    return [f[col] * ANNUALISED_B for col, _ in TWO_CURVES.values()]


class SpreadMarks:
    """The spread of many runs behind a chart's lines: for each series one closed polygon,
    along its high edge and back along its low edge, shaded in the series' colour.

    One polygon (``fill='inside'``) rather than two lines filled between them, so each
    band is one legend entry. The marks are created hidden with their chart and drawn
    once, when the band is ready (:meth:`draw`); a month's step never touches them.
    ``outline=True`` draws the edge dashed with a fainter fill (Compare's side B, whose
    lines are dashed)."""

    def __init__(self, x_scale, y_scale, colours: dict[str, str], outline: bool = False):
        fill = SPREAD_FILL_OPACITY / 2 if outline else SPREAD_FILL_OPACITY
        self.marks = [bq.Lines(x=np.zeros(2), y=np.ones(2), visible=False, fill="inside", fill_colors=[c],
                               fill_opacities=[fill], colors=[c], opacities=[SPREAD_EDGE_OPACITY],
                               stroke_width=1.5 if outline else SPREAD_EDGE_WIDTH,
                               line_style="dashed" if outline else "solid", labels=[name], display_legend=False,
                               scales={"x": x_scale, "y": y_scale})
                      for name, c in colours.items()]

    def draw(self, x, low, high, labels: list[str]) -> None:
        """Show the bands: ``low``/``high`` one row per series (in the colours' order) over
        months ``x``; ``labels`` their legend entries."""
        x = np.asarray(x, float)
        for mark, lo, hi, label in zip(self.marks, low, high, labels):
            with mark.hold_sync():
                mark.x = np.concatenate([x, x[::-1]])
                mark.y = np.concatenate([np.asarray(hi, float), np.asarray(lo, float)[::-1]])
                mark.labels = [label]
                mark.display_legend = True
                mark.visible = True


def _cols(n: int):
    """The first ``n`` months; a lone first month is sent twice (widgets need 2 points)."""
    return slice(0, n) if n > 1 else [0, 0]


def date_axis(horizon: int, start: tuple[int, int] = DEFAULT_START) -> bq.Axis:
    """The x axis of a run's time chart, labelled in calendar years.

    The marks stay on a month-index scale (0..horizon-1); the axis has its own scale in
    years over the same span (month m is ``start year + (start month - 1 + m) / 12``), with
    a tick at each January inside the run, so the labels read 2025, 2026, ..."""
    y0 = start[0] + (start[1] - 1) / 12
    scale = bq.LinearScale(min=y0, max=y0 + max(horizon - 1, 1) / 12)
    ticks = [float(y) for y in range(int(np.ceil(scale.min - 1e-9)), int(np.floor(scale.max + 1e-9)) + 1)]
    return bq.Axis(scale=scale, label="year (ticks at January)", grid_lines="none", tick_values=ticks,
                   tick_format="d")


def record_marks(x_scale, y_scale, points: list[RecordPoint] | None, today: int | None, horizon: int,
                 start: tuple[int, int] = DEFAULT_START) -> list:
    """The public record's points as scatters (one per series they sit beside, legend
    'public record: ...', each point's label as its tooltip) and the 'today' line at the
    newest record figure's month (on its own 0-1 y scale, so it spans the chart)."""
    marks = []
    groups: dict[str, list[RecordPoint]] = {}
    for p in points or ():
        groups.setdefault(p.group, []).append(p)
    for group, pts in groups.items():
        marks.append(bq.Scatter(x=[p.month for p in pts], y=[p.value for p in pts], names=[p.label for p in pts],
                                display_names=False, scales={"x": x_scale, "y": y_scale}, marker=RECORD_MARKER,
                                colors=[RECORD_COLOURS.get(group, "#333333")], stroke="#222222", default_size=70,
                                labels=[f"public record ({group})"], display_legend=True,
                                tooltip=bq.Tooltip(fields=["name"])))
    if today is not None and 0 <= today <= horizon - 1:
        marks.append(bq.Lines(x=[float(today), float(today)], y=[0.0, 1.0],
                              scales={"x": x_scale, "y": bq.LinearScale(min=0.0, max=1.0)},
                              colors=[TODAY_COLOUR], line_style="dashed", stroke_width=1.5,
                              labels=[f"today: newest record figure, {month_date(*start, today)}"],
                              display_legend=True))
    return marks


def _figure(title: str, marks, axes, legend: str = "top-left") -> bq.Figure:
    return bq.Figure(marks=marks, axes=axes, title=title, layout=FIG_LAYOUT, fig_margin=FIG_MARGIN,
                     legend_location=legend, animation_duration=0, legend_style=LEGEND_STYLE,
                     title_style={"font-size": "14px"})


class SeriesChart:
    """A time chart of several series sharing one y scale."""

    def __init__(self, title: str, series: dict[str, str], horizon: int, y_label: str, log: bool = False,
                 y_min: float | None = None, y_max: float | None = None, band: tuple[float, float] | None = None,
                 start: tuple[int, int] = DEFAULT_START, record: list[RecordPoint] | None = None,
                 today: int | None = None):
        self.x = np.arange(horizon, dtype=float)
        self.x_scale = bq.LinearScale(min=0.0, max=float(max(horizon - 1, 1)))
        self.y_scale = bq.LogScale() if log else bq.LinearScale(min=y_min, max=y_max)
        self.names = list(series)
        self.data = np.full((len(series), horizon), np.nan)
        # widgets cannot send empty arrays: start with one hidden point
        self.lines = bq.Lines(x=np.zeros(2), y=np.ones((len(series), 2)), visible=False,
                              scales={"x": self.x_scale, "y": self.y_scale},
                              colors=list(series.values()), labels=self.names, display_legend=True,
                              stroke_width=2)
        self.record = record_marks(self.x_scale, self.y_scale, record, today, horizon, start)
        marks = [self.lines, *self.record]
        if band is not None:
            lo, hi = band
            marks.insert(0, bq.Lines(x=[0, horizon - 1, horizon - 1, 0], y=[lo, lo, hi, hi], fill="inside",
                                     fill_colors=["#f8d7da"], fill_opacities=[0.5], colors=["#f8d7da"],
                                     scales={"x": self.x_scale, "y": self.y_scale}))
        axes = [date_axis(horizon, start),
                bq.Axis(scale=self.y_scale, orientation="vertical", label=y_label, tick_format=".2s" if log else None)]
        self.figure = _figure(title, marks, axes)
        self.n = 0

    def set(self, month: int, values: list[float]) -> None:
        self.data[:, month] = values
        self.n = month + 1

    def flush(self) -> None:
        if self.n == 0:
            return
        cols = _cols(self.n)
        with self.lines.hold_sync():
            self.lines.x = self.x[cols]
            self.lines.y = self.data[:, cols]
            self.lines.visible = True


class BeliefChart:
    """The investors' belief mix as a stacked area, with sentiment on top (0-1)."""

    BELIEFS = ("trend", "fundamentalist", "physics")
    TITLE = "Who the market believes: trend (pink), fundamentalist (grey), physics (olive)"
    CAPTION = ("The shaded bands are the shares of the three forecasting rules (they sum to 1). Each quarter the "
               "shares move toward the rules whose forecasts of a year before came closest to the revenue growth "
               "that happened. The black line is sentiment, read from the price: 0.5 when the valuation equals the "
               "fundamental value (dotted), 0.8 at twice it, 0.2 at half.")

    def __init__(self, horizon: int, start: tuple[int, int] = DEFAULT_START, today: int | None = None):
        self.x = np.arange(horizon, dtype=float)
        sx = bq.LinearScale(min=0.0, max=float(max(horizon - 1, 1)))
        sy = bq.LinearScale(min=0.0, max=1.0)
        self.cum = np.zeros((len(self.BELIEFS) + 1, horizon))
        self.areas = [bq.Lines(x=np.zeros(2), y=np.zeros((2, 2)), visible=False, fill="between",
                               scales={"x": sx, "y": sy},
                               colors=[COLOURS[b], COLOURS[b]], fill_colors=[COLOURS[b]], fill_opacities=[0.55],
                               labels=[b, b], display_legend=False, stroke_width=0)
                      for b in self.BELIEFS]
        fair = bq.Lines(x=[0.0, float(max(horizon - 1, 1))], y=[0.5, 0.5], scales={"x": sx, "y": sy},
                        colors=[COLOURS["sentiment"]], line_style="dotted", stroke_width=1, opacities=[0.6])
        self.sentiment = np.full(horizon, np.nan)
        self.line = bq.Lines(x=np.zeros(2), y=np.zeros(2), visible=False, scales={"x": sx, "y": sy},
                             colors=[COLOURS["sentiment"]], labels=["sentiment (0.5 = fair value)"],
                             display_legend=True, stroke_width=2.5)
        axes = [date_axis(horizon, start),
                bq.Axis(scale=sy, orientation="vertical", label="share / sentiment", tick_format=".1f")]
        self.record = record_marks(sx, sy, None, today, horizon, start)
        self.figure = _figure(self.TITLE, [*self.areas, fair, self.line, *self.record], axes)
        self.n = 0

    def set(self, month: int, shares: list[float], sentiment: float) -> None:
        self.cum[1:, month] = np.cumsum(shares)
        self.sentiment[month] = sentiment
        self.n = month + 1

    def flush(self) -> None:
        if self.n == 0:
            return
        cols = _cols(self.n)
        for i, area in enumerate(self.areas):
            with area.hold_sync():
                area.x = self.x[cols]
                area.y = np.vstack([self.cum[i, cols], self.cum[i + 1, cols]])
                area.visible = True
        with self.line.hold_sync():
            self.line.x = self.x[cols]
            self.line.y = self.sentiment[cols]
            self.line.visible = True


class ValuationChart:
    """The AI valuation against the fundamental value, in $T on a log scale, with the gap
    between them shaded (red above: the bubble as a price; green below) and the trend
    follower's and the physics investor's values as thin lines.

    A log scale because the bubble is a ratio (sentiment is a function of it): twice the
    fundamental value is the same height above it at $1T as at $10T. Values below
    ``FLOOR_USD_T`` (a rule can value the claim near zero) are drawn at the floor. The
    legend sits bottom-left: every value starts near the others, and the lines that fall
    far do so later in the run.
    """

    TITLE = "The AI valuation against its fundamental value ($T, log scale)"
    CAPTION = ("Black: the market's valuation of AI; each month it moves halfway toward the three rules' values "
               "weighted by their shares. Grey: the fundamental value, the fundamentalist's (revenue growth "
               "reverting to a maturing cloud market's). Red shading: the valuation above the fundamental value, the "
               "bubble as a price (green: below it). Thin lines: what the trend follower (pink) and the physics "
               "investor (olive) think it is worth (drawn at $0.1T when lower). Notice: when the trend followers "
               "lose share (the pink band, right), the valuation falls toward the fundamental value, or below it "
               "where the physics investor gains; funding, credit and tolerated capex fall with it.")
    #: The lowest value drawn ($T), and the axis's tick marks: the y range runs from the
    #: tick at or below the lowest value drawn to the tick at or above the highest.
    FLOOR_USD_T = 0.1
    TICKS_USD_T = (0.1, 0.2, 0.5, 1.0, 2.0, 5.0, 10.0, 20.0, 50.0, 100.0, 200.0, 500.0, 1000.0)
    MAIN = {"valuation": "valuation", "fundamental value": "fundamental"}
    THIN = {"trend's value": "trend", "physics' value": "physics"}

    def __init__(self, horizon: int, start: tuple[int, int] = DEFAULT_START, record: list[RecordPoint] | None = None,
                 today: int | None = None):
        self.x = np.arange(horizon, dtype=float)
        sx = bq.LinearScale(min=0.0, max=float(max(horizon - 1, 1)))
        self.y_scale = sy = bq.LogScale(min=1.0, max=10.0)
        scales = {"x": sx, "y": sy}
        #: rows: valuation, fundamental value, trend's value, physics' value ($T)
        self.data = np.full((4, horizon), np.nan)
        self.premium = bq.Lines(x=np.zeros(2), y=np.ones((2, 2)), visible=False, fill="between", scales=scales,
                                colors=[COLOURS["premium"]] * 2, fill_colors=[COLOURS["premium"]],
                                fill_opacities=[0.8], stroke_width=0, display_legend=False)
        self.discount = bq.Lines(x=np.zeros(2), y=np.ones((2, 2)), visible=False, fill="between", scales=scales,
                                 colors=[COLOURS["discount"]] * 2, fill_colors=[COLOURS["discount"]],
                                 fill_opacities=[0.8], stroke_width=0, display_legend=False)
        self.thin = bq.Lines(x=np.zeros(2), y=np.ones((2, 2)), visible=False, scales=scales,
                             colors=[COLOURS[c] for c in self.THIN.values()], labels=list(self.THIN),
                             display_legend=True, stroke_width=1.2)
        self.main = bq.Lines(x=np.zeros(2), y=np.ones((2, 2)), visible=False, scales=scales,
                             colors=[COLOURS[c] for c in self.MAIN.values()], labels=list(self.MAIN),
                             display_legend=True, stroke_width=2.5)
        axes = [date_axis(horizon, start),
                bq.Axis(scale=sy, orientation="vertical", label="$T", tick_format="~g",
                        tick_values=[1.0, 2.0, 5.0, 10.0])]
        self.y_axis = axes[1]
        self.record = record_marks(sx, sy, record, today, horizon, start)
        self.figure = _figure(self.TITLE, [self.premium, self.discount, self.thin, self.main, *self.record], axes,
                              legend="bottom-left")
        self.n = 0
        self.lo, self.hi = np.inf, -np.inf    # the lowest and highest values drawn so far ($T)
        # the record's points are kept in view once the run has drawn something
        vals = [p.value for p in record or ()]
        self.record_lo, self.record_hi = (min(vals), max(vals)) if vals else (np.inf, -np.inf)

    def set(self, month: int, valuation_usd: float, fundamental_usd: float, trend_usd: float,
            physics_usd: float) -> None:
        v = np.maximum(np.array([valuation_usd, fundamental_usd, trend_usd, physics_usd]) / 1e12, self.FLOOR_USD_T)
        self.data[:, month] = v
        if np.isfinite(v).any():
            self.lo, self.hi = min(self.lo, float(np.nanmin(v))), max(self.hi, float(np.nanmax(v)))
        self.n = month + 1

    def flush(self) -> None:
        if self.n == 0:
            return
        cols = _cols(self.n)
        x = self.x[cols]
        val, fund = self.data[0, cols], self.data[1, cols]
        for mark, y in ((self.premium, [fund, np.maximum(val, fund)]), (self.discount, [np.minimum(val, fund), fund]),
                        (self.thin, self.data[2:, cols]), (self.main, self.data[:2, cols])):
            with mark.hold_sync():
                mark.x = x
                mark.y = np.vstack(y)
                mark.visible = True
        self._fit_axis()

    def _fit_axis(self) -> None:
        """Widen the y range to whole ticks around what is drawn (sent only when it changes)."""
        if not np.isfinite(self.lo):
            return
        t = self.TICKS_USD_T
        lo = max((x for x in t if x <= min(self.lo, self.record_lo) * 1.0001), default=t[0])
        hi = min((x for x in t if x >= max(self.hi, self.record_hi) / 1.0001), default=t[-1])
        if hi <= lo:
            hi = min((x for x in t if x > lo), default=lo * 2)
        if (lo, hi) != (self.y_scale.min, self.y_scale.max):
            with self.y_scale.hold_sync():
                self.y_scale.min, self.y_scale.max = lo, hi
            self.y_axis.tick_values = [x for x in t if lo <= x <= hi]


class LiveCharts:
    """The Live page's charts for one run.

    Dates on the x axes follow ``start`` (year, month of month 0; the parameters' default,
    2025-01, when the caller gives none). The public record (``viz.record``) is drawn on
    the charts whose series it can be compared with, and every chart has a dashed 'today'
    line at the newest record figure's month (``today``): history to its left, projection
    to its right. ``chips`` and ``rental`` (chip sales, GPU rental price) are kept up to
    date like the others, for the page to show."""

    def __init__(self, horizon: int, lab_names: list[str], start: tuple[int, int] = DEFAULT_START):
        rec = record_points(horizon, start)
        self.record = rec
        self.today = today = today_month(rec)
        kw = {"start": start, "today": today}
        self.two_curves = SeriesChart(
            CHART_TITLES["two_curves"],
            {label: colour for label, (_, colour) in TWO_CURVES.items()},
            horizon, "$B per year", record=rec["two_curves"], **kw)
        # the spread over seeds (viz/band.py) behind the live lines, drawn once when ready
        self.spread = SpreadMarks(self.two_curves.x_scale, self.two_curves.y_scale,
                                  {label: TWO_CURVES[label][1] for label in SPREAD_SERIES})
        self.two_curves.figure.marks = [*self.spread.marks, *self.two_curves.figure.marks]
        self.fleet = SeriesChart(CHART_TITLES["fleet"],
                                 {"powered": COLOURS["powered"], "ghost (unpowered)": COLOURS["ghost"]}, horizon, "GW",
                                 **kw)
        self.idle = SeriesChart(CHART_TITLES["idle"],
                                {"idle": COLOURS["idle"]}, horizon, "fraction", y_min=0.0, y_max=1.0, band=(0.7, 0.9),
                                **kw)
        self.tokens = SeriesChart(CHART_TITLES["tokens"],
                                  {"tokens T/day": COLOURS["tokens"], "price $/Mtok x100": COLOURS["price"]},
                                  horizon, "log scale", log=True, record=rec["tokens"], **kw)
        self.runways = SeriesChart(CHART_TITLES["runways"],
                                   {n: LAB_COLOURS[i % len(LAB_COLOURS)] for i, n in enumerate(lab_names)},
                                   horizon, "months", y_min=0.0, y_max=RUNWAY_CAP_MONTHS, **kw)
        self.chips = SeriesChart(CHART_TITLES["chips"], {"chip sales": RECORD_COLOURS["chips"]},
                                 horizon, "$B per year", y_min=0.0, record=rec["chips"], **kw)
        self.rental = SeriesChart(CHART_TITLES["rental"], {"rental": COLOURS["price"]}, horizon,
                                  "$ per GPU-hour", y_min=0.0, record=rec["rental"], **kw)
        self.valuation = ValuationChart(horizon, record=rec["valuation"], **kw)
        self.beliefs = BeliefChart(horizon, **kw)
        self.all = (self.two_curves, self.fleet, self.idle, self.tokens, self.valuation, self.beliefs, self.runways,
                    self.chips, self.rental)

    def add(self, model) -> None:
        """Write the model's newest month into the charts (no drawing yet)."""
        f = model.figures[-1]
        m = f[R.MONTH]
        self.two_curves.set(m, two_curves_values(f))
        self.fleet.set(m, [f[R.POWERED_GW], f[R.GHOST_GW]])
        self.idle.set(m, [f[R.IDLE_FRAC]])
        self.tokens.set(m, [max(f[R.TOKENS_PER_DAY] / 1e12, 1e-3), max(f[R.PRICE_USD_PER_MTOK] * 100, 1e-3)])
        self.chips.set(m, [f[R.CHIP_REVENUE_USD] * 12e-9])
        self.rental.set(m, [f[R.GPU_RENTAL_USD_PER_HOUR]])
        self.runways.set(m, [0.0 if lab.defaulted else min(lab.runway_months, RUNWAY_CAP_MONTHS)
                             for lab in model.labs])
        self.valuation.set(m, f[R.VALUATION_USD], f[R.FUNDAMENTAL_VALUE_USD], f["value_trend_usd"],
                           f["value_physics_usd"])
        self.beliefs.set(m, [f["belief_trend_frac"], f["belief_fundamentalist_frac"], f["belief_physics_frac"]],
                         f[R.SENTIMENT])

    def flush(self) -> None:
        """Send the new data to the browser: one message per mark."""
        for c in self.all:
            c.flush()

    @property
    def figures(self):
        return [c.figure for c in self.all]
