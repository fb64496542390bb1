"""The computebubble browser app: Live, Compare, Debate, Sweeps and Info.

Start it with ``computebubble app`` (127.0.0.1:8765 by default) or
``solara run viz/app.py``. It needs no internet: Solara's front-end files come from the
``solara-assets`` package and the charts are bqplot widgets served from the
environment. Every browser session has its own state and its own model.

No request leaves the machine (tests/test_app_safety.py checks it in the browser and in
the server's log). Solara's server answers a front-end file it does not hold by fetching
it from a public CDN; the app points that fetch at :data:`NO_CDN`, a file URL no fetch can
follow, so a missing file is a local 404 in the log and never a request to the internet.
(KaTeX was one: Solara's Markdown component asks for it whenever it mounts, and
``solara-assets`` does not ship it; the app renders its text with :mod:`viz.text` instead.)
"""

from __future__ import annotations

import re
from urllib.parse import parse_qs

import solara
import solara.lab
import solara.settings

from sim.clock import MAX_MONTHS
from viz import export, layout, live, share, sources
from viz.compare import Compare
from viz.debate import Debate
from viz.info import Info
from viz.live import Live
from viz.state import TABS, session
from viz.sweeps import Sweeps

#: Where Solara's server may fetch a front-end file it lacks: nowhere (requests refuses a
#: file URL at once; Solara logs "Could not load URL" and answers 404).
NO_CDN = "file:///computebubble-serves-no-cdn/"
if solara.settings.assets.proxy:        # the browser asks this server, which asks no one
    solara.settings.assets.cdn = NO_CDN
layout.hide_banner()                    # Solara's banner sat over the page's bottom right corner

#: The settings a link may carry, in the order the messages list them.
LINK_KEYS = ("scenario", "seed", "months", "speed", "set", "tab", "autoplay")
MIN_MONTHS = 12
#: A whole number in a link: up to 19 digits, so a sweep's 63-bit seeds (experiments/sweep.py)
#: travel in the link of a run opened from the Sweeps page.
_WHOLE = re.compile(r"[0-9]{1,19}")
#: A tab panel being hidden is laid out at full width but zero height and invisible,
#: instead of Vuetify's ``display: none``. A page mounts into its panel a moment before
#: the panel is shown (opening a tab, or Debate's "Run this"), and a bqplot figure
#: measures itself when it renders: under ``display: none`` it measured 0 x 0 and drew
#: its plot area at minus its margins (36 console errors of negative <rect> sizes each
#: time Live came back). Laid out, it measures its real width and its fixed height.
HIDDEN_TAB_CSS = """
.v-tabs-items .v-window-item[style*="display: none"] {
    display: block !important; visibility: hidden; position: absolute; left: 0; right: 0; top: 0;
    height: 0; overflow: hidden; pointer-events: none;
}
"""


def read_query(search: str | None) -> tuple[dict, list[str]]:
    """A link's settings, checked: (the good ones, a message for each bad one).

    ``?scenario=physics-wall&seed=3&months=120&speed=max&set=price_elasticity:0.8&tab=Live&autoplay=1``.
    A scenario is a name from the app's list (never a path); ``set`` holds moved sliders
    (:func:`viz.share.read_overrides`); a bad value leaves its default in place and says
    which setting, which value and what is allowed.
    """
    good: dict = {}
    bad: list[str] = []
    q = {k: v[-1] for k, v in parse_qs((search or "").lstrip("?"), keep_blank_values=True).items()}
    for key, value in q.items():
        val = value.strip()
        shown = sources.shown(value)
        if key == "scenario":
            if val in sources.scenario_names():
                good["scenario"] = val
            else:
                bad.append(f"link setting 'scenario': {sources.unknown_scenario(value)}")
        elif key == "seed":
            if _WHOLE.fullmatch(val):
                good["seed"] = int(val)
            else:
                bad.append(f"link setting 'seed': value '{shown}' is not allowed; allowed: a whole number, 0 or more "
                           "(digits only)")
        elif key == "months":
            if _WHOLE.fullmatch(val) and MIN_MONTHS <= int(val) <= MAX_MONTHS:
                good["months"] = int(val)
            else:
                bad.append(f"link setting 'months': value '{shown}' is not allowed; allowed: a whole number of "
                           f"months from {MIN_MONTHS} to {MAX_MONTHS}")
        elif key == "speed":
            if val in live.SPEEDS:
                good["speed"] = val
            else:
                bad.append(f"link setting 'speed': value '{shown}' is not allowed; allowed: "
                           + ", ".join(live.SPEEDS))
        elif key == "set":
            overrides, wrong = share.read_overrides(value)
            good["set"] = overrides
            bad.extend(wrong)
        elif key == "autoplay":
            if val in ("0", "1"):
                good["autoplay"] = val == "1"
            else:
                bad.append(f"link setting 'autoplay': value '{shown}' is not allowed; allowed: 1 (play on load) or 0")
        elif key == "tab":
            match = [t for t in TABS if t.lower() == val.lower()]
            if match:
                good["tab"] = match[0]
            else:
                bad.append(f"link setting 'tab': value '{shown}' is not allowed; allowed: {', '.join(TABS)}")
        else:
            bad.append(f"unknown link setting '{sources.shown(key)}'; allowed: {', '.join(LINK_KEYS)}")
    return good, bad


def apply_query(search: str | None) -> None:
    """Open Live from a link; bad settings are listed above the tabs and keep their defaults."""
    good, bad = read_query(search)
    state = session()
    if "scenario" in good:
        state.live.scenario.value = good["scenario"]
    if "seed" in good:
        state.live.seed.value = good["seed"]
    if "months" in good:
        state.live.horizon.value = good["months"]
    if "speed" in good:
        state.live.speed.value = good["speed"]
    if good.get("set"):
        state.live.overrides.value = good["set"]
    if "tab" in good:
        state.tab.value = TABS.index(good["tab"])
    state.live.autoplay.value = good.get("autoplay", False)
    state.link_messages.value = bad
    state.live.rebuild.value += 1


@solara.component
def Page():
    router = solara.use_router()
    solara.use_memo(lambda: apply_query(router.search), [])
    state = session()
    lv = state.live
    run = lv.run_box.value

    def start_autoplay():     # a link's autoplay=1: play once the run is built, without a click
        if lv.autoplay.value and run is not None and not run.done:
            lv.autoplay.value = False
            lv.playing.value = True

    solara.use_effect(start_autoplay, [run])
    # the address bar follows the page: every change of a setting a link carries replaces its query
    query = share.current_query()

    def follow():
        if (router.search or "") != query:
            router.push(f"{router.path or '/'}?{query}" if query else (router.path or "/"))

    solara.use_effect(follow, [query])
    solara.Title("computebubble")
    solara.Style(".v-slider__thumb-label { font-size: 10px }" + HIDDEN_TAB_CSS + layout.LAYOUT_CSS
                 + export.SCREEN_ONLY_CSS)
    if state.link_messages.value:
        with solara.Column(classes=["link-messages"], gap="4px"):
            for m in state.link_messages.value:
                solara.Warning(m, dense=True)
            solara.Button("Dismiss", text=True, on_click=lambda: state.link_messages.set([]))
    share.ShareBar(query)
    with solara.lab.Tabs(value=state.tab, lazy=True):
        with solara.lab.Tab(TABS[0]):
            Live()
        with solara.lab.Tab(TABS[1]):
            Compare()
        with solara.lab.Tab(TABS[2]):
            Debate()
        with solara.lab.Tab(TABS[3]):
            Sweeps()
        with solara.lab.Tab(TABS[4]):
            Info()
