"""Share and export: the link that reopens the page (with a "Copy link" button), and the
run as a CSV file (each chart's PNG: :mod:`viz.export`).

:func:`link_query` writes the page's settings (scenario, seed, months, speed, moved
sliders, tab) as the query :func:`viz.app.read_query` reads back; the app keeps the
browser's address on it, so the address bar is always a link to what is on screen.
Moved sliders travel as one ``set`` key: ``set=price_elasticity:0.8,scaling_exponent:0.5``
(:func:`read_overrides` checks each with :func:`sim.params.coerce`).
:func:`run_csv` is the run's model-level frame (one row per month run so far).
"""

from __future__ import annotations

from urllib.parse import urlencode

import solara

from sim.params import ParamError, coerce
from viz import sources
from viz.export import CopyLinkButton
from viz.state import TABS, session

#: The link field's width (px): it shrinks to the smaller on a narrow screen and grows to the larger.
LINK_MIN_PX, LINK_MAX_PX = 240, 720
#: What a link leaves out when it is the default (viz.state.LiveState's defaults).
DEFAULTS = {"scenario": "baseline", "seed": 1, "months": 72, "speed": "10 / s", "tab": TABS[0]}


def read_overrides(value: str) -> tuple[dict, list[str]]:
    """``name:value,name:value`` -> (the good ones, coerced; a message for each bad one)."""
    good: dict = {}
    bad: list[str] = []
    for part in (p.strip() for p in value.split(",")):
        if not part:
            continue
        name, sep, raw = part.partition(":")
        if not sep:
            bad.append(f"link setting 'set': '{sources.shown(part)}' is not allowed; allowed: name:value "
                       "pairs separated by commas, e.g. set=price_elasticity:0.8")
            continue
        try:
            good[name.strip()] = coerce(name.strip(), raw.strip())
        except ParamError as e:
            bad.append(f"link setting 'set': {sources.shown(str(e))}")
    return good, bad


def _number(v) -> str:
    return str(v) if isinstance(v, int) else repr(float(v))


def link_query(scenario: str, seed: int, months: int, speed: str, tab: str, overrides: dict) -> str:
    """The query (no ``?``) that reopens this page; defaults are left out. A scenario
    that is not on the app's list (an uploaded file) cannot travel in a link and is
    left out too."""
    q: dict = {}
    if scenario != DEFAULTS["scenario"] and scenario in sources.scenario_names():
        q["scenario"] = scenario
    if seed != DEFAULTS["seed"]:
        q["seed"] = seed
    if months != DEFAULTS["months"]:
        q["months"] = months
    if speed != DEFAULTS["speed"]:
        q["speed"] = speed
    if overrides:
        q["set"] = ",".join(f"{k}:{_number(v)}" for k, v in sorted(overrides.items()))
    if tab != DEFAULTS["tab"]:
        q["tab"] = tab
    return urlencode(q, safe=":,/")


def current_query() -> str:
    """:func:`link_query` of this session's page."""
    st = session()
    lv = st.live
    return link_query(lv.scenario.value, lv.seed.value, lv.horizon.value, lv.speed.value, TABS[st.tab.value],
                      lv.overrides.value)


def run_csv(model) -> bytes:
    """The run's model-level frame (the DataCollector's, one row per month) as CSV bytes."""
    frame = model.datacollector.get_model_vars_dataframe()
    return frame.to_csv(index=False).encode()


def page_origin() -> str:
    """``http://host:port`` as the browser asked for this page (its Host header)."""
    import solara.lab

    host = ((solara.lab.headers.value or {}).get("host") or [""])[0]
    return f"http://{host}" if host else ""


@solara.component
def ShareBar(query: str):
    """The link to this page, in a field and behind a "Copy link" button
    (:class:`viz.export.CopyLinkButton`), and the run's CSV to download. The bar wraps on
    a narrow screen: the field takes what width there is, down to :data:`LINK_MIN_PX`."""
    st = session()
    link = page_origin() + "/" + (f"?{query}" if query else "")
    run = st.live.run_box.value
    with solara.Row(classes=["share-bar"], style={"align-items": "center", "gap": "8px", "margin": "0 0 4px 0",
                                                  "flex-wrap": "wrap"}):
        solara.InputText("link to this page (copy it)", value=link, disabled=False, continuous_update=False,
                         classes=["share-link"], style={"flex": f"1 1 {LINK_MIN_PX}px", "min-width": "0",
                                                        "max-width": f"{LINK_MAX_PX}px"},
                         on_value=lambda _v: None)
        CopyLinkButton.element()
        if st.live.scenario.value not in sources.scenario_names():
            solara.Text("an uploaded scenario cannot travel in a link", style={"font-size": "12px", "color": "#666"})
        if run is not None:
            solara.FileDownload(lambda: run_csv(run.model), filename=f"computebubble-{run.scenario.name}.csv",
                                label="Download CSV of the run")
