"""The Debate page: a card per position, from the scenario files.

Anchor: NetLogo's Info tab ("things to notice", "things to try"). The cards come from
:func:`experiments.debate.cards`, the same code that writes docs/debate.md, so page and
guide cannot drift. A broken scenario file shows its error on its own card; the rest
stay usable.
"""

from __future__ import annotations

import solara

from experiments.debate import cards, contentions
from viz import compare, live
from viz.state import go
from viz.text import Prose


@solara.component
def Card(c: dict):
    name = c["name"]
    if "error" in c:
        with solara.Card(name, classes=["debate-card", "debate-card-broken"]):
            solara.Error(f"This scenario file could not be read: {c['error']}")
        return
    with solara.Card(c["title"], subtitle=c["claim"], classes=["debate-card"]):
        if c.get("quote"):
            Prose(f"> {c['quote'].strip()}\n>\n> — seed `{c['seed']}` {c.get('seed_title', '')}")
        Prose(c["narrative"])
        if c["params"]:
            Prose("**The mechanism, in parameters**\n\n" + "\n".join(
                f"- `{p['name']}` = {p['value']} ({p['unit']}; default {p['default']})" for p in c["params"]))
        if c["notice"]:
            Prose("**Things to notice**\n\n" + "\n".join(f"- {x}" for x in c["notice"]))
        if c["try"]:
            Prose("**Things to try**\n\n" + "\n".join(f"- {x}" for x in c["try"]))
        with solara.Row():
            solara.Button("Run this", color="primary", on_click=lambda: (live.open_scenario(name), go("Live")))
            against = c.get("opposite") or ("baseline" if name != "baseline" else None)
            if against:
                solara.Button(f"Run against {against}",
                              on_click=lambda: (compare.open_compare(name, against), go("Compare")))


@solara.component
def Debate():
    all_cards = solara.use_memo(lambda: cards(strict=False), [])
    good = [c for c in all_cards if "error" not in c]
    Prose(
        "## The debate\nEach card is one side's argument as a scenario: run it, watch it, and run it against "
        "the opposite position. The seeds' three points of contention (seed 000) and where they live in the "
        "model:\n\n" + "\n".join(
            f"{c['number']}. **{c['question']}** " + ", ".join(f"`{p['name']}`" for p in c["params"])
            + (f" (moved by: {', '.join(c['scenarios'])})" if c["scenarios"] else "")
            for c in contentions(good)))
    if not all_cards:
        solara.Warning("No scenario files found in experiments/scenarios/.")
    with solara.ColumnsResponsive(12, large=6):
        for c in all_cards:
            Card(c)
