"""The verdict on screen: Live's banner and the words on the threshold tiles.

The banner reads :func:`sim.thresholds.verdict` for the months run so far (through
``experiments.runner.run_verdict``, the function ``run`` and ``summarize`` use): while the
run goes it says what the run is so far and the latest events of the chain; at the end of
the horizon it gives the verdict (boom, digestion or bust), when, why, and which side of
the debate the run supports. All the words live in :data:`OUTCOME_WORDS` and
:data:`SHORT_NAMES`; the tiles' tooltips are :data:`sim.thresholds.PLAIN`.
"""

from __future__ import annotations

import html
import math

from sim import thresholds

#: An outcome's words and colours (``colour`` the banner's edge, as the tiles' levels;
#: ``text`` its headline, darker for amber so it reads on a pale ground). ``side``: which
#: side of the debate a run that ends so supports; ``so_far``: what the run is while it goes.
OUTCOME_WORDS = {
    "boom": {
        "label": "BOOM", "colour": "#2e7d32", "text": "#2e7d32", "background": "#e8f5e9",
        "side": "The bulls' case over this horizon: the build-out kept growing and the price held.",
        "so_far": "no crash with damage and no pull-back in capex yet",
    },
    "digestion": {
        "label": "DIGESTION", "colour": "#f9a825", "text": "#9a5b00", "background": "#fff8e1",
        "side": "In between: the build-out paused to catch up; no crash in the price.",
        "so_far": "annual capex has fallen well below its peak; no crash in the price with damage",
    },
    "bust": {
        "label": "BUST", "colour": "#c62828", "text": "#c62828", "background": "#ffebee",
        "side": "The bears' case: the price ran ahead of what the build-out earned, and it broke with damage.",
        "so_far": "the price has crashed, with damage",
    },
}
#: Threshold names in words, for the chain ("the revenue gap turns red").
SHORT_NAMES = {
    "revenue_gap": "the revenue gap", "idle_compute": "idle compute", "ghost_compute": "ghost compute",
    "two_curves": "the two curves", "payback": "payback", "liquidity": "liquidity", "write_downs": "write-downs",
}
#: Tile titles.
TITLES = {
    "revenue_gap": "Revenue gap (revenue / required)", "idle_compute": "Idle compute", "ghost_compute":
    "Ghost compute (lag / generation)", "two_curves": "Two curves (capex - revenue growth)",
    "payback": "Payback (months)", "liquidity": "Liquidity (shortest runway)", "write_downs": "Write-downs",
}
#: How many of the chain's events the banner lists.
CHAIN_SHOWN = 4
#: While playing, the verdict is worked out every this many months (and at the end): it
#: costs up to ~4 ms at month 180, against ~35 ms for a rendered month.
EVERY_MONTHS = 3


# ----- the banner -------------------------------------------------------------------------

def event_words(event: dict) -> str:
    """A chain event in plain words: "2027-08: idle 20% of powered GPUs"."""
    words = event["event"]
    if event["kind"] == "threshold":
        name = words.split(" ", 1)[0]
        words = f"{SHORT_NAMES.get(name, name)} turns red"
    return f"{event['month']}: {words}"


def shown_chain(v: dict, done: bool) -> list[dict]:
    """The events the banner lists: the latest :data:`CHAIN_SHOWN` so far; at the end, those
    leading to the outcome (up to its event; a boom's last ones)."""
    chain = v["chain"]
    if done:
        ends = [i for i, e in enumerate(chain) if e["kind"] == v["outcome"]]
        if ends:
            chain = chain[:ends[0] + 1]
    return chain[-CHAIN_SHOWN:]


def headline(v: dict, done: bool, end: str) -> str:
    """The banner's first line, in words (``end``: the horizon's last month, "YYYY-MM")."""
    outcome = v["outcome"]
    label = OUTCOME_WORDS[outcome]["label"]
    when = {"bust": f" in {v['bust_month']}", "digestion": f" from {v['capex_fall_month']}",
            "boom": f" through {end}"}[outcome]
    why = v["bust_cause"] if outcome == "bust" else v["outcome_reason"]
    if done:
        return f"Verdict: {label}{when} — {why}"
    if outcome == "bust":    # later months can move a bust earlier, never undo it
        return f"So far: {label}{when} — {why}"
    return f"So far: {label} — {OUTCOME_WORDS[outcome]['so_far']}"


def banner_html(v: dict | None, done: bool, month: int = 0, end: str = "") -> str:
    """The verdict banner: ``v`` is the verdict for the months run so far (None before the
    first month), ``done`` whether the horizon is reached, ``end`` its last month."""
    if v is None:
        return ('<div class="verdict-banner" data-outcome="" data-final="false" style="padding:8px 12px;'
                'border-left:8px solid #bbb;background:#f5f5f5;margin:0 0 8px 0">'
                '<b>Verdict:</b> fills in as the run goes (press ▶ or Step) and settles at the end '
                f'of the horizon{" (" + html.escape(end) + ")" if end else ""}.</div>')
    w = OUTCOME_WORDS[v["outcome"]]
    head = headline(v, done, end)
    title, _, why = head.partition(" — ")
    parts = [f'<div class="verdict-head" style="font-size:16px"><b style="color:{w["text"]}">'
             f'{html.escape(title)}</b>{" — " + html.escape(why) if why else ""}</div>']
    if done:
        parts.append(f'<div class="verdict-side" style="font-size:14px;margin-top:4px">{html.escape(w["side"])}</div>')
    elif v["outcome"] != "bust":
        parts.append(f'<div style="font-size:12px;color:#666">month {month}; the verdict settles at the end of the '
                     f'horizon{" (" + html.escape(end) + ")" if end else ""}</div>')
    if v.get("first_fall"):
        parts.append(f'<div style="font-size:12px;color:#444">first to fall: {html.escape(v["first_fall"])}</div>')
    events = shown_chain(v, done)
    if events:
        parts.append('<ul class="verdict-chain" style="margin:2px 0 0 0;padding-left:18px;font-size:12px;'
                     'color:#333">' + "".join(f"<li>{html.escape(event_words(e))}</li>" for e in events) + "</ul>")
    return (f'<div class="verdict-banner" data-outcome="{v["outcome"]}" data-final="{str(done).lower()}" '
            f'style="padding:8px 12px;border-left:8px solid {w["colour"]};background:{w["background"]};'
            f'margin:0 0 8px 0">' + "".join(parts) + "</div>")


# ----- the tiles --------------------------------------------------------------------------

def format_value(name: str, v: float) -> str:
    """A threshold's value in its unit, short."""
    if v != v:   # NaN: not enough history yet
        return "n/a"
    if name == "write_downs":
        return f"${v / 1e9:,.0f}B"
    if name in ("payback", "liquidity"):
        return "never" if v == math.inf else f"{v:,.0f} mo"
    if name == "idle_compute":
        return f"{v:.0%}"
    if name == "revenue_gap":
        return f"{v:.2f}x"
    return f"{v:+.2f}" if name == "two_curves" else f"{v:.2f}"


def band_text(r: thresholds.Reading) -> str:
    """A tile's bands, as sim/thresholds.py judges them: "amber < 1.00x, red < 0.50x"."""
    a, red = format_value(r.name, r.amber), format_value(r.name, r.red)
    if r.name == "two_curves":
        return "red > 0 (capex outgrows revenue); amber: capex > half revenue's growth, revenue < 50%/yr"
    if r.name == "liquidity":
        return f"amber < {a}, red < {red} with funding dry, or a default"
    op = {"revenue_gap": "<", "payback": ">"}.get(r.name, "≥")
    return f"amber {op} {a}, red {op} {red}"


def red_history(levels: list[list[int]], date) -> dict[str, dict]:
    """Each threshold's red history so far from the model's monthly levels: ``first`` (the
    "YYYY-MM" it first turned red, or None) and ``months_red``; as
    :func:`sim.thresholds.threshold_history` counts them. ``date``: run month -> "YYYY-MM"."""
    out = {}
    for i, name in enumerate(thresholds.NAMES):
        red = [m for m, lv in enumerate(levels) if lv[i] == thresholds.RED]
        out[name] = {"first": date(red[0]) if red else None, "months_red": len(red)}
    return out


def history_text(h: dict | None) -> str:
    """"first red 2025-01, 12 months red" or "never red so far"."""
    if not h:
        return ""
    if h["first"] is None:
        return "never red so far"
    n = h["months_red"]
    return f"first red {h['first']}, {n} month{'s' if n != 1 else ''} red"


def tooltip(name: str) -> str:
    """The tile's tooltip: :data:`sim.thresholds.PLAIN` and the unit."""
    return f"{thresholds.PLAIN[name]} Unit: {thresholds.UNITS[name]}."
