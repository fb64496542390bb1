"""The Debate page: a card per position, from the scenario files.

Anchor: NetLogo's Info tab ("things to notice", "things to try"). The cards come from
:func:`experiments.debate.cards`, the same code that writes docs/debate.md, so page and
guide cannot drift. A broken scenario file shows its error on its own card; the rest
stay usable.
"""

from __future__ import annotations

import re

import solara

from experiments.debate import OUTCOMES, cards, contentions, read_scoreboard
from sim.params import FIELDS, ParamError, coerce
from viz import compare, live
from viz.state import go
from viz.text import Prose


@solara.component
def Card(c: dict, open_: bool = False):
    """One position: its title and claim, then its buttons (run it, run it against its
    opposite, show more); opened, the seed's words, the narrative, the mechanism, things
    to notice and things to try (each setting a button that opens Live with it)."""
    name = c["name"]
    opened, set_opened = solara.use_state(open_)
    if "error" in c:
        with solara.Card(name, classes=["debate-card", "debate-card-broken"]):
            solara.Error(f"This scenario file could not be read: {c['error']}")
        return
    with solara.Card(c["title"], subtitle=c["claim"], classes=["debate-card"]):
        with solara.Row(style={"flex-wrap": "wrap"}):
            solara.Button("Run this", color="primary", on_click=lambda: (live.open_scenario(name), go("Live")))
            against = c.get("opposite") or ("baseline" if name != "baseline" else None)
            if against:
                solara.Button(f"Run against {against}",
                              on_click=lambda: (compare.open_compare(name, against), go("Compare")))
            solara.Button("Show less" if opened else "Show more", text=True, on_click=lambda: set_opened(not opened))
        if not opened:
            return
        if c.get("quote"):
            Prose(f"> {c['quote'].strip()}\n>\n> — {seed_name(c)}")
        Prose(c["narrative"])
        if c["params"]:
            Prose("**The mechanism, in parameters**\n\n" + "\n".join(
                f"- `{p['name']}` = {p['value']} ({p['unit']}; default {p['default']})" for p in c["params"]))
        if c["notice"]:
            Prose("**Things to notice**\n\n" + "\n".join(f"- {x}" for x in c["notice"]))
        if c["try"]:
            Prose("**Things to try**")
            for x in c["try"]:
                Prose(f"- {x}")
                settings = try_settings(x)
                if settings:
                    with solara.Row(gap="4px", classes=["try-buttons"], style={"flex-wrap": "wrap"}):
                        for field, value in settings:
                            solara.Button(f"Live: {field} = {value:g}", small=True, outlined=True,
                                          on_click=lambda f=field, v=value: (
                                              live.open_scenario(name, overrides={f: v}), go("Live")))


#: A setting named in a "thing to try": ``field = number``.
_SETTING = re.compile(r"\b([a-z][a-z0-9_]*)\s*=\s*(-?\d+(?:\.\d+)?(?:e[+-]?\d+)?)")


def try_settings(text: str) -> list[tuple[str, float]]:
    """The parameter settings a "thing to try" names (``price_elasticity = 0.8``), each a
    valid value of a Params field, in order, without repeats: each becomes a button that
    opens Live with that one change applied."""
    out = []
    for field, raw in _SETTING.findall(text):
        if field not in FIELDS:
            continue
        try:
            value = coerce(field, float(raw) if any(ch in raw for ch in ".e") else int(raw))
        except ParamError:
            continue
        if (field, value) not in out:
            out.append((field, value))
    return out


def seed_name(c: dict) -> str:
    """A seed as a reader knows it: its number and title ("seed 001, On the ..."), not its
    file name."""
    number = c["seed"][:3]
    title = c.get("seed_title")
    return f"seed {number}, {title}" if title else f"seed {number}"


#: The outcome colours of the scoreboard (the meter's green, amber and red).
OUTCOME_COLOURS = {"boom": "#2e7d32", "digestion": "#ef6c00", "bust": "#c62828"}


def scoreboard_rows(board: list[dict]) -> list[dict]:
    """One row per position: its name, n runs, and each outcome's count and share."""
    rows = []
    for b in board:
        n = sum(b[o] for o in OUTCOMES)
        rows.append({"name": b["name"], "n": n, "first_fall": b["first_fall"], "bust_months": b["bust_months"],
                     **{o: (b[o], b[o] / n if n else 0.0) for o in OUTCOMES}})
    return rows


@solara.component
def Scoreboard(board: list[dict]):
    """Each position's outcomes over the scoreboard's seeds, as a bar of three colours."""
    if not board:
        return
    seeds = board[0]["seeds"]
    with solara.Column(classes=["debate-scoreboard"], gap="2px"):
        solara.Text(f"The scoreboard: each position run for {board[0]['months']} months on seeds {seeds[0]}-"
                    f"{seeds[-1]} (boom / digestion / bust)", style={"font-weight": "600", "display": "block"})
        for r in scoreboard_rows(board):
            with solara.Row(gap="8px", style={"align-items": "center"}, classes=["scoreboard-row"]):
                solara.Text(r["name"], style={"width": "160px", "font-size": "13px"})
                with solara.Row(gap="0px", style={"width": "240px", "height": "14px"}):
                    for o in OUTCOMES:
                        count, share = r[o]
                        if count:
                            solara.Div(style={"width": f"{100 * share:.0f}%", "height": "14px",
                                              "background": OUTCOME_COLOURS[o]},
                                       classes=[f"scoreboard-{o}"])
                words = ", ".join(f"{r[o][0]} {o}" for o in OUTCOMES if r[o][0])
                solara.Text(f"{words}; first to fall: {r['first_fall']}", style={"font-size": "12px"})


@solara.component
def Debate():
    all_cards = solara.use_memo(lambda: cards(strict=False), [])
    board = solara.use_memo(read_scoreboard, [])
    good = [c for c in all_cards if "error" not in c]
    Scoreboard(board)
    Prose(
        "## The debate\nEach card is one side's argument as a scenario: run it, watch it, and run it against "
        "the opposite position. The seeds' three points of contention (seed 000) and where they live in the "
        "model:\n\n" + "\n".join(
            f"{c['number']}. **{c['question']}** " + ", ".join(f"`{p['name']}`" for p in c["params"])
            + (f" (moved by: {', '.join(c['scenarios'])})" if c["scenarios"] else "")
            for c in contentions(good)))
    if not all_cards:
        solara.Warning("No scenario files found in experiments/scenarios/.")
    opened, set_opened = solara.use_state((False, 0))    # (all open?, how many times set)
    with solara.Row():
        solara.Button("Expand all", text=True, on_click=lambda: set_opened((True, opened[1] + 1)))
        solara.Button("Collapse all", text=True, on_click=lambda: set_opened((False, opened[1] + 1)))
    with solara.ColumnsResponsive(12, large=6):
        for c in all_cards:
            Card(c, opened[0]).key(f"{c['name']}-{opened[1]}")
