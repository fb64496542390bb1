"""Each browser session's state, in one place.

:func:`session` gives this browser session's :class:`Session`, created on first use (a
``solara`` singleton: one per kernel, i.e. per browser tab, never shared). It holds the
open tab, the link's messages and one small state object per page (Live, Compare,
Sweeps); each field is a reactive value, so a component that reads it re-renders when it
changes. Pages read and write their state through it, never through module globals.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass, field
from typing import Any

import solara
from solara.toestand import Singleton

#: The app's tabs, in order; a link's ``tab=`` names one. New tabs go at the end, so the
#: indexes sessions hold and the links already shared keep their meaning.
TABS = ("Live", "Compare", "Debate", "Sweeps", "Info")


def _reactive(default: Any):
    """A dataclass field holding a new reactive value (a copy of ``default``) for each session."""
    return field(default_factory=lambda: solara.reactive(copy.copy(default)))


@dataclass
class LiveState:
    """The Live page: the run's settings, the run, and what drives it."""

    scenario: solara.Reactive[str] = _reactive("baseline")
    seed: solara.Reactive[int] = _reactive(1)
    horizon: solara.Reactive[int] = _reactive(72)
    #: Slider values moved, on top of the scenario.
    overrides: solara.Reactive[dict] = _reactive({})
    playing: solara.Reactive[bool] = _reactive(False)
    #: Set by a link's ``autoplay=1``: play starts once the run is built (viz.app).
    autoplay: solara.Reactive[bool] = _reactive(False)
    speed: solara.Reactive[str] = _reactive("10 / s")
    #: Bumped when a run ends or fails (controls re-render); months update in place.
    tick: solara.Reactive[int] = _reactive(0)
    error: solara.Reactive[str] = _reactive("")
    #: The run (viz.live.LiveRun), or None.
    run_box: solara.Reactive[Any] = _reactive(None)
    #: Bumped to rebuild the run (Reset, scenario change); ``built_for``: the count the run was built for.
    rebuild: solara.Reactive[int] = _reactive(0)
    built_for: solara.Reactive[int] = _reactive(-1)
    #: Scenario files uploaded in this session, by the name the list shows ("<stem> (uploaded)").
    uploads: solara.Reactive[dict] = _reactive({})


@dataclass
class CompareState:
    """The Compare page: the two sides, seed and horizon, and the last comparison."""

    a: solara.Reactive[str] = _reactive("baseline")
    b: solara.Reactive[str] = _reactive("physics-wall")
    seed: solara.Reactive[int] = _reactive(1)
    months: solara.Reactive[int] = _reactive(72)
    result: solara.Reactive[Any] = _reactive(None)
    error: solara.Reactive[str] = _reactive("")


@dataclass
class SweepsState:
    """The Sweeps page: the chosen folder, what was read from it and the heat map's pair."""

    folder: solara.Reactive[str] = _reactive("")
    listing: solara.Reactive[int] = _reactive(0)      # bumped by "Refresh list"
    loaded: solara.Reactive[Any] = _reactive(None)
    error: solara.Reactive[str] = _reactive("")
    pair_x: solara.Reactive[str] = _reactive("")
    pair_y: solara.Reactive[str] = _reactive("")


@dataclass
class Session:
    """One browser session: the open tab, the link's messages, and each page's state."""

    #: The open tab (an index of TABS); pages switch it (the Debate page's "Run this" opens Live).
    tab: solara.Reactive[int] = _reactive(0)
    #: What was wrong with the link the page was opened with (shown above the tabs).
    link_messages: solara.Reactive[list] = _reactive([])
    live: LiveState = field(default_factory=LiveState)
    compare: CompareState = field(default_factory=CompareState)
    sweeps: SweepsState = field(default_factory=SweepsState)


_session = Singleton(Session)   # one Session per kernel (browser session), made on first use


def session() -> Session:
    """This browser session's state."""
    return _session.value


def go(name: str) -> None:
    session().tab.value = TABS.index(name)


__all__ = ["TABS", "Session", "LiveState", "CompareState", "SweepsState", "session", "go"]
