"""The Live page: watch one run month by month, with sliders that act while it runs.

Anchors: NetLogo's sliders that change a running model, and Mesa's SolaraViz. Each
browser session owns its run (kernel-scoped reactive state), never shared across tabs.
Sliders marked live change the running model from the next month
(``ComputeBubbleModel.update_params``); Reset rebuilds the run from the scenario plus the
slider values you moved.
"""

from __future__ import annotations

import contextlib
import html
import threading
import time

import ipywidgets as widgets
import solara
from ipyvuetify.extra import FileInput
from solara.server import kernel_context

from experiments.runner import build_model, run_verdict
from experiments.scenario import Scenario, ScenarioError
from sim import thresholds
from sim.clock import MAX_MONTHS, month_date
from sim.params import FIELDS, ParamError
from viz import band, layout, network_view, sources
from viz import verdict as verdict_words
from viz.charts import LiveCharts
from viz.export import Chart
from viz.state import LiveState, session
from viz.text import Plain

#: Sliders: the three points of contention (000) first, then the main levers. Every
#: name is a field of sim.params.Params; ranges and defaults come from its metadata.
CONTENTION_SLIDERS = ("scaling_exponent", "efficiency_shock_factor", "efficiency_shock_month",
                      "reliability_ceiling_frac")
LEVER_SLIDERS = ("price_elasticity", "efficiency_gain_per_year", "power_build_multiplier", "hyperscaler_optimism",
                 "arms_race_coupling", "capex_tolerance_ocf_frac", "interest_rate_frac", "funding_freeze_month",
                 "training_compute_growth_per_year", "free_token_share_frac", "sovereign_floor_usd_per_year")
SPEEDS = {"1 / s": 1.0, "2 / s": 2.0, "5 / s": 5.0, "10 / s": 10.0, "20 / s": 20.0, "max": 0.0}
LEVEL_COLOURS = {thresholds.GREEN: "#2e7d32", thresholds.AMBER: "#f9a825", thresholds.RED: "#c62828"}
LEVEL_WORDS = {thresholds.GREEN: "green", thresholds.AMBER: "amber", thresholds.RED: "red"}
THRESHOLD_TITLES = verdict_words.TITLES
#: The mark on a tile that has a tooltip (a "?" in a ring; Chromium here has no glyph for ⓘ).
INFO_MARK = ('<span style="display:inline-block;border:1px solid #999;border-radius:50%;width:13px;height:13px;'
             'line-height:12px;text-align:center;font-size:9px;color:#777">?</span>')


class LiveRun:
    """One session's run: the model, its charts and its contract-network layout."""

    def __init__(self, sc: Scenario, seed: int, horizon: int, overrides: dict):
        self.scenario = sc
        # the model experiments.run would build (experiments/runner.py); this page steps it
        self.model = build_model(overrides, horizon, seed, sc)
        self.horizon = horizon
        self.charts = LiveCharts(horizon, [lab.name for lab in self.model.labs],
                                 start=(self.model.p.start_year, self.model.p.start_month))
        self.pos = network_view.layout(self.model.contract_graph)
        self.lock = threading.Lock()
        # what changes every month is written into these widgets in place, like the charts
        self.banner = widgets.HTML()
        self.status = widgets.HTML()
        self.meter = widgets.HTML()
        self.network = widgets.HTML()
        #: the verdict for the months run so far (sim.thresholds.verdict), and its month
        self.verdict: dict | None = None
        self.verdict_month = -1
        self._write_panels()
        # ----- the spread over seeds (viz/band.py) behind the two curves ------------------
        #: the settings the band is for: the scenario with the sliders moved at Reset
        self.overrides = dict(overrides)
        self.seed = seed
        #: the band once drawn; ``band_future`` the one this run waits for (its token: a
        #: band arriving for any other future is stale and dropped)
        self.band: band.Band | None = None
        self.band_future = None
        self.band_caption = widgets.HTML(_band_caption_html("computing", band.COMPUTING))
        # the browser session this run draws into: the band arrives on the worker's thread
        self._context = kernel_context.get_current_context() if kernel_context.has_current_context() else None

    @property
    def month(self) -> int:
        return self.model.month

    @property
    def done(self) -> bool:
        return self.model.month >= self.horizon

    def step(self) -> bool:
        """Advance one month and queue its figures for the charts."""
        with self.lock:
            if self.done:
                return False
            self.model.step()
            self.charts.add(self.model)
            return True

    def flush(self, verdict: bool = True) -> None:
        """Send the month to the browser: chart marks and the HTML panels, no re-render.
        ``verdict=False`` leaves the verdict banner as it was (while playing it is worked
        out every few months, :data:`viz.verdict.EVERY_MONTHS`); at the end it always is."""
        with self.lock:
            self.charts.flush()
            self._write_panels(verdict or self.done)

    def date(self, month: int | None) -> str | None:
        """Run month (0: the first) -> "YYYY-MM"."""
        p = self.model.p
        return None if month is None else month_date(p.start_year, p.start_month, month)

    def _write_banner(self) -> None:
        month = self.model.month
        if month and self.verdict_month != month:
            self.verdict = run_verdict(self.model)
            self.verdict_month = month
        self.banner.value = verdict_words.banner_html(self.verdict if month else None, self.done, month,
                                                      self.date(self.horizon - 1))

    def _write_panels(self, verdict: bool = True) -> None:
        month = self.model.month
        p = self.model.p
        if verdict:
            self._write_banner()
        date = f" ({month_date(p.start_year, p.start_month, month - 1)})" if month else ""
        status = f'<div class="live-month" style="font-size:18px;font-weight:600">Month: {month} of {self.horizon}{date}</div>'
        if self.model.defaults:
            status += ('<div style="color:#c62828">Defaults: ' + "; ".join(
                f"{html.escape(d['name'])} ({month_date(p.start_year, p.start_month, d['month'])}: "
                f"{html.escape(d['reason'])})" for d in self.model.defaults) + "</div>")
        with self.status.hold_sync():
            self.status.value = status
        self.meter.value = bubble_meter_html(self.model.readings,
                                             verdict_words.red_history(self.model.levels, self.date))
        self.network.value = network_view.svg(self.model.contract_graph, self.pos)

    def apply(self, name: str, value) -> None:
        """A live slider: the new value holds from the next month, over the scenario's later
    timed events for that field (:meth:`sim.model.ComputeBubbleModel.hold_params`)."""
        with self.lock:
            self.model.hold_params(**{name: value})

    def start_band(self) -> None:
        """Ask for this run's band in the background (viz/band.py) and draw it once it
        comes; the page keeps stepping meanwhile. Asking again is a no-op."""
        with self.lock:
            if self.band is not None or self.band_future is not None:
                return
            fut = self.band_future = band.request(self.scenario, self.overrides, self.horizon)
        fut.add_done_callback(self._band_done)    # at once, here, if the band was cached

    def stop_band(self) -> None:
        """This run no longer waits for its band (it was rebuilt, or its page went away)."""
        with self.lock:
            fut, self.band_future = self.band_future, None
        if fut is not None:
            band.release(fut)

    def _band_done(self, fut) -> None:
        """Draw the band (on the worker's thread, in this run's browser session): once,
        and only if this run still waits for this very future."""
        ctx = self._context
        if fut.cancelled() or (ctx is not None and ctx.closed_event.is_set()):
            return
        with self.lock, (ctx if ctx is not None else contextlib.nullcontext()):
            if fut is not self.band_future:
                return    # stale: this run stopped waiting (a newer run has its own band)
            self.band_future = None
            try:
                b = fut.result()
            except Exception as e:    # shown in the caption, never a crashed page
                self.band_caption.value = _band_caption_html(
                    "failed", f"spread over {band.N_SEEDS} seeds: not available ({type(e).__name__}: {e})")
                return
            self.band = b
            self.charts.spread.draw(b.x, b.low, b.high, b.labels())
            self.band_caption.value = _band_caption_html(
                "ready", band.live_caption(b, self.scenario.name, self.overrides, self.seed))


def _band_caption_html(state: str, text: str) -> str:
    """The band's caption under the two curves (``data-state``: computing, ready, failed)."""
    return f'<div class="live-band-caption" data-state="{state}" style="{CAPTION_STYLE}">{html.escape(text)}</div>'



# ----- session state: viz.state.LiveState, one per browser session ----------------------
UPLOADED = " (uploaded)"


def _st() -> LiveState:
    return session().live


def current_scenario(name: str | None = None) -> Scenario:
    """The scenario ``name`` (default: Live's) from this session's uploads or the app's list."""
    st = _st()
    name = st.scenario.value if name is None else name
    if name in st.uploads.value:
        return st.uploads.value[name]
    return sources.load_named(name)


def scenario_choices() -> list[str]:
    return sources.scenario_names() + [n for n in _st().uploads.value]


def take_upload(filename: str, data: bytes) -> None:
    """Open an uploaded scenario file (its bytes, read by the project's loader) in Live."""
    st = _st()
    try:
        sc = sources.load_upload(filename, data)
    except (ScenarioError, ParamError, ValueError) as e:
        st.error.value = str(e)
        return
    key = f"{sc.name}{UPLOADED}"
    st.uploads.value = {**st.uploads.value, key: sc}
    open_scenario(key)


def open_scenario(name: str, clear_overrides: bool = True, overrides: dict | None = None) -> None:
    """Load ``name`` into Live (used by the Debate page's "Run this"), with ``overrides``
    as moved sliders if given (a card's "things to try")."""
    st = _st()
    st.playing.value = False
    st.scenario.value = name
    if clear_overrides or overrides:
        st.overrides.value = dict(overrides or {})
    st.rebuild.value += 1


def _build() -> None:
    st = _st()
    if st.built_for.value == st.rebuild.value and st.run_box.value is not None:
        return    # coming back to the tab: keep the run
    st.built_for.value = st.rebuild.value
    if st.run_box.value is not None:
        st.run_box.value.stop_band()
    try:
        st.run_box.value = LiveRun(current_scenario(), st.seed.value, st.horizon.value, st.overrides.value)
        st.run_box.value.start_band()
        st.error.value = ""
    except (ScenarioError, ParamError, ValueError) as e:
        st.run_box.value = None
        st.error.value = str(e)
    st.tick.value += 1


def _unit(name: str) -> str:
    return FIELDS[name].metadata["unit"]


def param_label(name: str) -> str:
    """A Params field's plain-language name (its metadata ``label``; the description if none)."""
    meta = FIELDS[name].metadata
    return meta.get("label") or meta["desc"]


#: Units said more shortly beside a slider's value (the rest are shown as written).
SHORT_UNITS = {"capability points per 10x training compute": "points per 10x",
               "-dlnQ/dlnP": "% more tokens per 1% price cut"}


def _decimals(step: float) -> int:
    """Decimals that show a value on a grid of ``step``."""
    return min(6, max(0, -int(f"{step:e}".split("e")[1])))


def _usd(value: float) -> str:
    for div, suffix in ((1e12, "T"), (1e9, "B"), (1e6, "M"), (1e3, "k")):
        if abs(value) >= div:
            return f"${value / div:,.3g}{suffix}"
    return f"${value:,.3g}"


def format_param(name: str, value, step: float | None = None) -> str:
    """``value`` of the Params field ``name`` in its unit, in plain words: percent for
    fractions, $ with B or T for dollars, whole months for month fields, "1.50x" for
    multipliers. ``step`` (default: the field's slider step) sets the decimals."""
    f = FIELDS[name]
    meta = f.metadata
    unit = meta["unit"]
    is_int = f.type in ("int", int)
    if step is None:
        step = 1 if is_int else slider_step(meta["min"], meta["max"], (f.default, value))
    per_year = " a year" if unit.endswith(" per year") else ""
    base = unit[: -len(" per year")] if per_year else unit
    if is_int:
        value = int(value)
        if unit == "month of run":
            return "never" if value == 0 else f"month {value}"
        if unit == "months":
            return f"{value} month{'s' if value != 1 else ''}"
        return f"{value} {unit}"
    value = float(value)
    if base.startswith("fraction"):
        rest = base[len("fraction"):]
        return f"{value * 100:.{_decimals(step * 100)}f}%{rest}{per_year}"
    if base.startswith("USD"):
        rest = base[len("USD"):]
        return f"{_usd(value)}{rest}{per_year}"
    d = _decimals(step)
    if base == "x" or base.startswith("x "):
        return f"{value:.{d}f}{base}{per_year}"
    short = SHORT_UNITS.get(unit, unit)
    return f"{value:.{d}f}{'' if short.startswith('%') else ' '}{short}".rstrip()


def scenario_value(name: str, run: "LiveRun | None"):
    """The value the scenario (without moved sliders) gives ``name``."""
    sc = run.scenario if run is not None else current_scenario()
    return sc.params.get(name, FIELDS[name].default)


def reset_slider(name: str, run: "LiveRun | None") -> None:
    """A slider's "reset": back to the scenario's value, no longer a moved slider, and the
    running model takes the value from the next month."""
    st = _st()
    if run is not None:    # first the model, so the re-render below shows its value
        try:
            run.apply(name, scenario_value(name, run))
            st.error.value = ""
        except (ParamError, ValueError) as e:
            st.error.value = str(e)
    st.overrides.value = {k: v for k, v in st.overrides.value.items() if k != name}


@solara.component
def ParamSlider(name: str, run: LiveRun | None):
    """A slider over a Params field's range; moving it acts on the running model. Its head
    says what it is in plain words with the current value in its unit (the field name in
    small grey below), and a moved slider has a "reset" back to the scenario's value."""
    st = _st()
    meta = FIELDS[name].metadata
    is_int = FIELDS[name].type in ("int", int)
    current = st.overrides.value.get(name, getattr(run.model.p, name) if run else FIELDS[name].default)
    moved = name in st.overrides.value
    step = 1 if is_int else slider_step(meta["min"], meta["max"], (FIELDS[name].default, current))

    def on_value(v):
        v = int(v) if is_int else float(v)
        if abs(v - float(current)) < step / 2:
            return    # the widget echoing its own value (snapped to its grid), not a move: a move is a step or more
        st.overrides.value = {**st.overrides.value, name: v}
        if run is not None:
            try:
                run.apply(name, v)
                st.error.value = ""
            except (ParamError, ValueError) as e:
                st.error.value = str(e)

    with solara.Column(gap="0px", classes=["param-slider", f"param-{name}"]):
        with solara.Row(gap="6px", style={"align-items": "baseline", "flex-wrap": "wrap"}):
            Plain(param_label(name), tag="span", classes=["param-label"], style="font-size:13px;font-weight:500")
            Plain(format_param(name, current, step), tag="span", classes=["param-value"],
                  style="font-size:13px;font-weight:600;color:#1565c0;white-space:nowrap")
            if moved:
                solara.Button("reset", text=True, small=True, classes=["param-reset"],
                              style={"min-width": "0", "padding": "0 4px", "height": "18px", "font-size": "11px",
                                     "text-transform": "none"},
                              on_click=lambda: reset_slider(name, run))
        if is_int:
            solara.SliderInt("", value=int(current), min=int(meta["min"]), max=int(meta["max"]), on_value=on_value)
        else:
            solara.SliderFloat("", value=float(current), min=float(meta["min"]), max=float(meta["max"]),
                               step=step, on_value=on_value)
        with solara.Div(style={"margin": "-8px 0 8px 0", "line-height": "1.3"}):
            Plain(name, tag="div", classes=["param-name"],
                  style="font-size:10px;color:#999;font-family:monospace")
            Plain(meta["desc"], tag="div", classes=["param-desc"], style="font-size:11px;color:#666")


#: The finest slider step: JavaScript writes a smaller number as "1e-7", in which the
#: browser's slider finds no decimals and so rounds every value to a whole number.
MIN_SLIDER_STEP = 1e-6


def _nice_step(span: float) -> float:
    raw = span / 100.0
    mag = 10 ** int(f"{raw:e}".split("e")[1])
    return max(mag, round(raw / mag) * mag)


def slider_step(lo: float, hi: float, values) -> float:
    """A slider step of about a hundredth of the range (1, 2 or 5 times a power of ten)
    that puts every one of ``values`` (the default, the run's current value) on the
    slider's grid ``lo + k * step``. A browser slider snaps a value between two steps and
    reports the snapped value back as a move, so an off-grid default silently changed
    every Live run on load."""
    start = _nice_step(hi - lo)
    exp = int(f"{start:e}".split("e")[1])
    candidates = sorted({m * 10.0 ** e for e in range(exp, exp - 7, -1) for m in (5, 2, 1)
                         if m * 10.0 ** e >= MIN_SLIDER_STEP * (1 - 1e-9)}, reverse=True)
    for step in (c for c in candidates if c <= start * (1 + 1e-9)):
        if all(abs((float(v) - lo) / step - round((float(v) - lo) / step)) < 1e-6 for v in values):
            return step
    return candidates[-1]


@solara.component
def ScenarioUpload():
    """Pick a .toml scenario file on your computer: its bytes are uploaded and read by the
    project's loader (the server never opens a path you type)."""
    with solara.Column(classes=["scenario-upload"], gap="0px"):
        solara.Text("or upload a scenario file (.toml)", style={"font-size": "13px", "display": "block"})
        _UploadField()


@solara.component
def _UploadField():
    """The file field, wired as solara.FileDrop wires its drop zone (the field is the root element)."""
    info, set_info = solara.use_state(None)
    files, set_files = solara.use_state(None)
    field = FileInput.element(multiple=False, accept=".toml", show_progress=False, on_file_info=set_info)

    def wire():
        if not info:
            return
        real = solara.get_widget(field)
        real.version += 1        # as solara.FileDrop does: a fresh version for the read
        real.reset_stats()
        set_files(real.get_files())

    solara.use_effect(wire, [info])

    def read(cancel: threading.Event):
        if not files:
            return
        st = _st()
        f = files[0]
        name = sources.upload_display_name(f["name"])
        if f["size"] > sources.MAX_UPLOAD_BYTES:
            st.error.value = (f"{name}: {f['size']:,} bytes; allowed: a scenario file of at most "
                              f"{sources.MAX_UPLOAD_BYTES // 1024} kB")
            return
        try:
            data = f["file_obj"].read()
        except Exception as e:   # the browser went away mid-upload
            st.error.value = f"{name}: the upload failed ({type(e).__name__}); try again"
            return
        take_upload(f["name"], data)

    solara.use_thread(read, dependencies=[files])
    return field


@solara.component
def Controls(run: LiveRun | None):
    st = _st()
    names = scenario_choices()
    with solara.Card("Run", margin=0):
        solara.Select("scenario", values=names + ([st.scenario.value] if st.scenario.value not in names else []),
                      value=st.scenario.value, on_value=lambda v: open_scenario(v))
        ScenarioUpload()
        solara.InputInt("seed", value=st.seed.value, on_value=lambda v: (st.seed.set(max(0, int(v or 0))),
                                                                         st.rebuild.set(st.rebuild.value + 1)))
        solara.Text("horizon (months)", style={"font-size": "13px", "display": "block"})
        solara.SliderInt("", value=st.horizon.value, min=12, max=MAX_MONTHS,
                         on_value=lambda v: (st.horizon.set(int(v)), st.rebuild.set(st.rebuild.value + 1)))
        with solara.Row(style={"flex-wrap": "wrap"}):
            solara.Button("▶" if not st.playing.value else "❚❚", color="primary",
                          on_click=lambda: st.playing.set(not st.playing.value), disabled=run is None or run.done)
            solara.Button("Step", on_click=lambda: _step_once(run),
                          disabled=run is None or run.done or st.playing.value)
            solara.Button("Reset", on_click=lambda: (st.playing.set(False), st.rebuild.set(st.rebuild.value + 1)))
        solara.Select("speed (months per second)", values=list(SPEEDS), value=st.speed)
    with solara.Card("Points of contention (000): live", margin=0):
        for name in CONTENTION_SLIDERS:
            ParamSlider(name, run)
    with solara.Card("Levers: live", margin=0):
        for name in LEVER_SLIDERS:
            ParamSlider(name, run)
        if st.overrides.value:
            solara.Button("Clear moved sliders", text=True,
                          on_click=lambda: (st.overrides.set({}), st.rebuild.set(st.rebuild.value + 1)))


def _step_once(run: LiveRun | None, verdict: bool = True) -> None:
    st = _st()
    if run is None:
        return
    try:
        run.step()
        run.flush(verdict)
    except Exception as e:  # a model error is shown in the page, never a crashed page
        st.error.value = f"the model stopped at month {run.month}: {type(e).__name__}: {e}"
        st.playing.value = False
    if run.done or st.error.value:
        st.tick.value += 1    # controls change only when the run ends or fails


def bubble_meter_html(readings, history: dict | None = None) -> str:
    """The seven thresholds as green, amber or red tiles: each with its value, its bands,
    its red history so far (``history``: name -> {"first": "YYYY-MM" or None,
    "months_red"}, as :func:`viz.verdict.red_history` or the verdict's ``history``
    gives it) and a tooltip in plain words (:data:`sim.thresholds.PLAIN`)."""
    if not readings:
        return '<div style="color:#666">No month yet: press Step or ▶.</div>'
    tiles = []
    for r in readings:
        colour = LEVEL_COLOURS[r.level]
        h = (history or {}).get(r.name)
        red_class = " bubble-meter-was-red" if h and h["first"] is not None else ""
        past = (f'<div class="bubble-meter-history" style="font-size:11px;color:{"#c62828" if red_class else "#555"}">'
                f'{html.escape(verdict_words.history_text(h))}</div>') if h else ""
        tiles.append(
            f'<div class="bubble-meter-item{red_class}" data-threshold="{r.name}" data-level="{LEVEL_WORDS[r.level]}" '
            f'title="{html.escape(verdict_words.tooltip(r.name), quote=True)}" '
            f'style="border-left:8px solid {colour};padding:4px 8px;background:#fafafa;flex:1 1 150px;min-width:150px;'
            f'max-width:230px;cursor:help">'
            f'<div style="font-size:12px;color:#444">{THRESHOLD_TITLES[r.name]} {INFO_MARK}</div>'
            f'<div style="font-size:15px;font-weight:600;color:{colour}">{_format_reading(r)} '
            f'<span style="font-size:11px">({LEVEL_WORDS[r.level]})</span></div>'
            f'<div class="bubble-meter-band" style="font-size:11px;color:#666">'
            f'{html.escape(verdict_words.band_text(r))}</div>{past}</div>')
    return '<div class="bubble-meter" style="display:flex;flex-wrap:wrap;gap:6px">' + "".join(tiles) + "</div>"


def _format_reading(r: thresholds.Reading) -> str:
    return verdict_words.format_value(r.name, r.value)


CAPTION_STYLE = "font-size:12px;color:#555;margin:2px 8px 10px 8px;line-height:1.4"


@solara.component
def Charts(run: LiveRun):
    """The charts and panels, created once per run; each month updates them in place.

    Side by side in pairs: the two curves and the fleet, idle compute and tokens, chip
    sales and the GPU rental price (with the public record's points on them), the
    market (the valuation beside the belief mix that sets it, each with a caption), then
    the labs' runways beside the contract network. Each chart has its title, legend and
    PNG button above it (:func:`viz.export.Chart`); the pairs stack on a narrow screen
    (:mod:`viz.layout`). Behind the two curves, the spread of AI capex and revenue over
    20 seeds (viz/band.py) with its caption: asked for while the charts are shown, drawn
    once when it comes."""
    c = run.charts

    def band_while_shown():
        run.start_band()     # a no-op when _build has asked already
        return run.stop_band

    solara.use_effect(band_while_shown, [run])
    solara.display(run.status)
    solara.display(run.meter)
    with solara.Columns([1, 1], classes=[layout.CHART_PAIR]):
        with solara.Column():
            with solara.Column(gap="0px", classes=["live-two-curves"]):
                Chart(c.two_curves.figure)
                solara.display(run.band_caption)
            Chart(c.idle.figure)
        with solara.Column():
            Chart(c.fleet.figure)
            Chart(c.tokens.figure)
    with solara.Columns([1, 1], classes=[layout.CHART_PAIR, "live-record"]):
        with solara.Column():
            Chart(c.chips.figure)
        with solara.Column():
            Chart(c.rental.figure)
    with solara.Columns([1, 1], classes=[layout.CHART_PAIR, "live-market"]):
        with solara.Column(classes=["live-valuation"]):
            Chart(c.valuation.figure)
            Plain(c.valuation.CAPTION, tag="p", classes=["chart-caption"], style=CAPTION_STYLE)
        with solara.Column(classes=["live-beliefs"]):
            Chart(c.beliefs.figure)
            Plain(c.beliefs.CAPTION, tag="p", classes=["chart-caption"], style=CAPTION_STYLE)
    with solara.Columns([2, 3], classes=[layout.CHART_PAIR]):
        with solara.Column():
            Chart(c.runways.figure)
        with solara.Column():
            with solara.Card("The contract network", subtitle="edge width: this month's flow; red cross: defaulted",
                             margin=0):
                solara.display(run.network)


@solara.component
def Live():
    st = _st()
    solara.use_effect(_build, [st.rebuild.value])
    run = st.run_box.value
    _ = st.tick.value    # re-render the controls when a run ends

    def loop(cancel: threading.Event):
        while st.playing.value and not cancel.is_set():
            started = time.perf_counter()
            current = st.run_box.value
            if current is None or current.done:
                st.playing.value = False
                break
            _step_once(current, verdict=(current.month + 1) % verdict_words.EVERY_MONTHS == 0)
            rate = SPEEDS[st.speed.value]
            if rate > 0:
                time.sleep(max(0.0, 1.0 / rate - (time.perf_counter() - started)))

    solara.use_thread(loop, dependencies=[st.playing.value, run])

    with solara.Columns([1, 3], classes=[layout.LIVE_LAYOUT]):
        with solara.Column():
            Controls(run)
        with solara.Column():
            if st.error.value:
                solara.Error(st.error.value)
            if run is None:
                solara.Info("No run: pick a scenario.")
                return
            solara.display(run.banner)
            Plain(run.scenario.title, tag="h3", classes=["live-title"], style="margin:4px 0")
            Plain(run.scenario.claim, tag="p", classes=["live-claim"], style="margin:0 0 8px 0")
            Charts(run)
