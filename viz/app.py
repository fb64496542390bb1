"""The computebubble browser app: Live, Compare, Debate and Sweeps.

Start it with ``computebubble app`` (127.0.0.1:8765 by default) or
``solara run viz/app.py``. It needs no internet: Solara's front-end files come from the
``solara-assets`` package and the charts are bqplot widgets served from the
environment. Every browser session has its own state and its own model.
"""

from __future__ import annotations

from urllib.parse import parse_qs

import solara
import solara.lab

from viz.compare import Compare
from viz.debate import Debate
from viz import live
from viz.live import Live
from viz.state import TABS, tab
from viz.sweeps import Sweeps



def apply_query(search: str | None) -> None:
    """Open Live from a link: ``?scenario=physics-wall&seed=3&months=120&speed=max&tab=Live``."""
    q = {k: v[-1] for k, v in parse_qs(search or "").items()}
    try:
        if q.get("scenario"):
            live.scenario.value = q["scenario"]
        if q.get("seed"):
            live.seed.value = max(0, int(q["seed"]))
        if q.get("months"):
            live.horizon.value = min(180, max(12, int(q["months"])))
        if q.get("speed") in live.SPEEDS or q.get("speed") == "max":
            live.speed.value = q["speed"] if q["speed"] in live.SPEEDS else "max"
        if q.get("tab") in TABS:
            tab.value = TABS.index(q["tab"])
    except ValueError as e:
        live.error.value = f"could not read the link's settings: {e}"
    live.rebuild.value += 1


@solara.component
def Page():
    router = solara.use_router()
    solara.use_memo(lambda: apply_query(router.search), [])
    solara.Title("computebubble")
    solara.Style(".v-slider__thumb-label { font-size: 10px }")
    with solara.lab.Tabs(value=tab, lazy=True):
        with solara.lab.Tab(TABS[0]):
            Live()
        with solara.lab.Tab(TABS[1]):
            Compare()
        with solara.lab.Tab(TABS[2]):
            Debate()
        with solara.lab.Tab(TABS[3]):
            Sweeps()
