"""The debate guide: docs/debate.md, generated from the scenario files.

Each named position of the seeds' debate is a scenario file in ``experiments/scenarios/``
(:mod:`experiments.scenario`). This module turns them into teaching material:

- :func:`cards` returns one plain dict per scenario (title, claim, seed and quote,
  narrative, parameter overrides with their defaults and units, events, things to
  notice and to try, the opposite position, and the commands that run it), ready for
  ``json.dumps`` or a card in the browser app;
- :func:`contentions` maps seed 000's three points of contention to the parameters that
  carry them and the scenarios that move those parameters;
- :func:`scoreboard` runs every position for 72 months on seeds 1-5 and counts its
  outcomes (boom, digestion, bust), with the bust months and what fell first; it is
  stored in ``docs/scoreboard.json`` so the app's Debate page shows it without running
  55 models on load;
- :func:`markdown` renders all three as the guide; ``python -m experiments.debate [FILE]``
  writes it to ``docs/debate.md`` (or FILE) and refreshes the scoreboard.
  ``tests/test_debate.py`` checks that both files in the repository are what the
  generator writes now, so guide, scoreboard and scenarios cannot drift.
"""

from __future__ import annotations

import json
import re
import sys
from collections import Counter
from pathlib import Path
from typing import Any

#: Where ``main`` writes the guide by default, and the scoreboard beside it.
DOC_PATH = Path(__file__).resolve().parent.parent / "docs" / "debate.md"
SCOREBOARD_PATH = DOC_PATH.parent / "scoreboard.json"
#: The scoreboard's runs: every position on these seeds, this many months.
SCOREBOARD_SEEDS = (1, 2, 3, 4, 5)
SCOREBOARD_MONTHS = 72
OUTCOMES = ("boom", "digestion", "bust")

#: The seeds by file, with their titles (translated where the original is Chinese).
SEED_TITLES = {
    "000_686256dd797bc367.txt": "Above compute: the upper and lower bounds of the 'bubble' argument",
    "001_47c290813730d21c.txt": "On the compute-investment 'bubble', let's discuss some physics",
    "002_5a47b7009f1c09a5.txt": "Let the bullets fly: compute, capex, data and thinking models",
    "003_278a80c2aaddf117.txt": "Every AI problem, taken to the bottom, is a compute problem",
    "004_dfbc2df3b3b358ec.txt": "AI Bubble: minutes of the 2025-11-08 Best Ideas round-table",
}

#: Seed 000's three points of contention and the parameters that carry them.
CONTENTIONS = (
    ("Is the Scaling Law still working?", ("scaling_exponent",),
     "Capability gained per tenfold cumulative training compute. Labs' capability drives tokens per user "
     "(capability_token_multiplier) and the closed labs' markup over the open-weights lab."),
    ("Are there new architectures that can significantly save computing power?",
     ("efficiency_shock_factor", "efficiency_shock_month", "efficiency_gain_per_year"),
     "A one-time step cut in compute per served token at a given month (DeepSeek, seed 002), on top of the "
     "steady yearly cut. Cheaper serving lowers labs' cost-plus prices; what it does to demand for compute "
     "depends on price_elasticity."),
    ("Is AI truly reliable?", ("reliability_ceiling_frac",),
     "The adoption ceiling of the enterprise-automation and autonomous-agent segments, the paid, "
     "token-hungry ones."),
)


def _fields():
    from sim.params import FIELDS

    return FIELDS


def _num(v: Any) -> str:
    if isinstance(v, bool) or not isinstance(v, (int, float)):
        return str(v)
    if isinstance(v, float) and (abs(v) >= 1e6 or (v != 0 and abs(v) < 1e-3)):
        return f"{v:.3g}"
    return f"{v:g}"


def _param_rows(params: dict[str, Any], inherited: set[str]) -> list[dict[str, Any]]:
    fields = _fields()
    return [{"name": k, "value": v, "default": fields[k].default, "unit": fields[k].metadata["unit"],
             "desc": fields[k].metadata["desc"], "inherited": k in inherited} for k, v in params.items()]


def _parent(sc):
    from experiments.scenario import load_scenario

    if not sc.extends:
        return None
    ref = sc.extends
    if ref.lower().endswith(".toml") or "/" in ref:
        ref = str((sc.path.parent / ref).resolve())
    return load_scenario(ref)


def card(name_or_path) -> dict[str, Any]:
    """One scenario as a plain dict (see the module doc); raises ScenarioError if it is broken."""
    from experiments.scenario import load_scenario
    from sim.clock import month_date

    sc = load_scenario(name_or_path)
    parent = _parent(sc)
    inherited = {k for k, v in (parent.params if parent else {}).items() if sc.params.get(k) == v}
    fields = _fields()
    start = (sc.params.get("start_year", fields["start_year"].default),
             sc.params.get("start_month", fields["start_month"].default))
    events = [{"month": e["month"], "date": month_date(*start, e["month"] - 1), "set": dict(e["set"]),
               "note": e.get("note")} for e in sc.events]
    compare_with = sc.opposite or ("baseline" if sc.name != "baseline" else None)
    return {
        "name": sc.name,
        "title": sc.title,
        "claim": sc.claim,
        "seed": sc.source_seed,
        "seed_title": SEED_TITLES.get(sc.source_seed, ""),
        "quote": sc.source_quote,
        "extends": sc.extends,
        "opposite": sc.opposite,
        "narrative": " ".join(sc.narrative.split()),
        "params": _param_rows(sc.params, inherited),
        "events": events,
        "notice": list(sc.notice),
        "try": list(sc.try_),
        "run_command": f"computebubble run --scenario {sc.name}",
        "compare_command": f"computebubble compare {compare_with} {sc.name}" if compare_with else None,
    }


def cards(strict: bool = True) -> list[dict[str, Any]]:
    """A card per shipped scenario, baseline first. With ``strict=False`` a broken file
    gives ``{"name": ..., "error": message}`` instead of raising."""
    from experiments.scenario import ScenarioError, list_scenarios

    out = []
    for name in list_scenarios():
        try:
            out.append(card(name))
        except ScenarioError as e:
            if strict:
                raise
            out.append({"name": name, "error": str(e)})
    return out


def contentions(all_cards: list[dict[str, Any]] | None = None) -> list[dict[str, Any]]:
    """Seed 000's three points of contention, their parameters and the scenarios that move them."""
    fields = _fields()
    all_cards = cards() if all_cards is None else all_cards
    out = []
    for i, (question, names, how) in enumerate(CONTENTIONS, start=1):
        moved = [c["name"] for c in all_cards if "error" not in c and (
            any(p["name"] in names for p in c["params"])
            or any(k in names for e in c["events"] for k in e["set"]))]
        out.append({
            "number": i, "question": question, "how": how, "scenarios": moved,
            "params": [{"name": n, "default": fields[n].default, "unit": fields[n].metadata["unit"],
                        "min": fields[n].metadata["min"], "max": fields[n].metadata["max"],
                        "desc": fields[n].metadata["desc"]} for n in names],
        })
    return out


# ===== the scoreboard ===============================================================================

def scoreboard(names: list[str] | None = None) -> list[dict[str, Any]]:
    """Each position's outcomes over ``SCOREBOARD_SEEDS`` at ``SCOREBOARD_MONTHS`` months:
    counts of boom, digestion and bust, the bust months, and what fell first on the most
    seeds (plain values)."""
    from experiments.runner import run
    from experiments.scenario import list_scenarios

    out = []
    for name in list_scenarios() if names is None else names:
        runs = [run(None, SCOREBOARD_MONTHS, seed, name) for seed in SCOREBOARD_SEEDS]
        counts = Counter(r["outcome"] for r in runs)
        firsts = Counter(_what_fell(r.get("first_fall")) for r in runs)
        out.append({"name": name, "seeds": list(SCOREBOARD_SEEDS), "months": SCOREBOARD_MONTHS,
                    **{o: counts.get(o, 0) for o in OUTCOMES},
                    "bust_months": sorted(r["bust_month"] for r in runs if r["bust_month"]),
                    "first_fall": firsts.most_common(1)[0][0]})
    return out


#: The verdict's falls (sim.thresholds.FALL_KINDS), in words for the scoreboard.
_FELL_WORDS = {"valuation": "the valuation", "annual AI capex": "annual AI capex", "idle": "idle capacity",
               "GPU rental": "the rental price"}


def _what_fell(first_fall: str | None) -> str:
    """What fell, without its size and month: "idle 20% (2027-08)" -> "idle"."""
    if not first_fall:
        return "nothing"
    what = re.split(r"\s[-+]?\d", first_fall.split(" (")[0], maxsplit=1)[0]
    return _FELL_WORDS.get(what, what)


def read_scoreboard(path: Path = SCOREBOARD_PATH) -> list[dict[str, Any]]:
    """The stored scoreboard (empty if the file is missing or unreadable)."""
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return []


def scoreboard_json(board: list[dict[str, Any]]) -> str:
    return json.dumps(board, indent=1) + "\n"


def _scoreboard_markdown(board: list[dict[str, Any]]) -> list[str]:
    if not board:
        return []
    seeds = board[0]["seeds"]
    lines = ["## The scoreboard", "",
             f"Each position run for {board[0]['months']} months on seeds {seeds[0]}-{seeds[-1]}: how many runs end "
             "in a boom, a digestion (annual capex 30% below its peak without a bust) or a bust (the AI "
             "valuation 40% below its peak with damage), and what fell first on the most seeds.", "",
             "| scenario | boom | digestion | bust | bust months | first to fall |", "|---|---|---|---|---|---|"]
    for b in board:
        months = ", ".join(b["bust_months"]) or "-"
        lines.append(f"| [{b['name']}](#{b['name']}) | {b['boom']} | {b['digestion']} | {b['bust']} | {months} | "
                     f"{_md(b['first_fall'])} |")
    return lines + [""]


# ===== markdown =====================================================================================

def _md(text: str) -> str:
    """Text for Markdown: dollar signs escaped (GitHub would read pairs as maths)."""
    return " ".join(str(text).split()).replace("$", r"\$")


def _anchor(c: dict[str, Any]) -> str:
    return c["name"]


def markdown(all_cards: list[dict[str, Any]] | None = None, board: list[dict[str, Any]] | None = None) -> str:
    """The guide as Markdown (docs/debate.md), with the stored scoreboard unless ``board``."""
    all_cards = cards() if all_cards is None else all_cards
    board = read_scoreboard() if board is None else board
    lines = [
        "# The debate as scenarios",
        "",
        "Generated by `python -m experiments.debate` from the scenario files in `experiments/scenarios/`; "
        "`tests/test_debate.py` checks that this file is current. Edit the TOML files, not this page.",
        "",
        "Each position in the seeds' debate over the AI compute build-out is a scenario: a few parameter "
        "overrides of the calibrated baseline (and sometimes timed events), the seed and passage it comes "
        "from, and what to look for. Run one with `computebubble run --scenario NAME`; set two against "
        "each other, on the same seed, with `computebubble compare A B` (a table of outcomes and a chart). "
        "Each position's claim is checked in the model, against the baseline, over the full 72 months on "
        "five seeds by "
        "`tests/test_scenarios.py`.",
        "",
        *_scoreboard_markdown(board),
        "## The three points of contention (seed 000)",
        "",
        "> Fundamentally, this is a story about two curves and three points of contention. ... "
        "Interestingly, the answer to all three questions seems to be: \"depends.\"",
        "",
        "| # | contention | parameters (baseline value, unit) | what they do in the model | scenarios |",
        "|---|---|---|---|---|",
    ]
    for ct in contentions(all_cards):
        params = "<br>".join(f"`{p['name']}` = {_num(p['default'])} ({p['unit']})" for p in ct["params"])
        scen = ", ".join(f"[{n}](#{n})" for n in ct["scenarios"]) or "none yet"
        lines.append(f"| {ct['number']} | {ct['question']} | {params} | {_md(ct['how'])} | {scen} |")
    lines += ["", "## The positions at a glance", "", "| scenario | claim | seed | opposite |", "|---|---|---|---|"]
    for c in all_cards:
        if "error" in c:
            lines.append(f"| {c['name']} | (broken file: {_md(c['error'])}) | | |")
            continue
        opp = f"[{c['opposite']}](#{c['opposite']})" if c["opposite"] else ""
        lines.append(f"| [{c['name']}](#{_anchor(c)}) | {_md(c['claim'])} | {c['seed'][:3]} | {opp} |")
    for c in all_cards:
        lines += [""] + _card_markdown(c)
    return "\n".join(lines) + "\n"


def _card_markdown(c: dict[str, Any]) -> list[str]:
    if "error" in c:
        return [f"## {c['name']}", "", f"This scenario file could not be read: {_md(c['error'])}"]
    seed = c["seed"]
    lines = [f'<a id="{_anchor(c)}"></a>', "", f"## {_md(c['title'])} (`{c['name']}`)", "",
             f"**Claim.** {_md(c['claim'])}", "",
             f"> {_md(c['quote'])}", ">",
             f"> seed `{seed}`" + (f" ({_md(c['seed_title'])})" if c["seed_title"] else ""), "",
             _md(c["narrative"]), ""]
    if c["params"]:
        lines += ["| parameter | value | default | unit |", "|---|---|---|---|"]
        for p in c["params"]:
            via = f" (from {c['extends']})" if p["inherited"] else ""
            lines.append(f"| `{p['name']}`{via} | {_num(p['value'])} | {_num(p['default'])} | {_md(p['unit'])} |")
    else:
        lines.append("No parameter overrides: every parameter at its default in `sim/params.py`.")
    if c["events"]:
        lines += ["", "Timed events (from the given month on):", ""]
        for e in c["events"]:
            sets = ", ".join(f"`{k}` = {_num(v)}" for k, v in e["set"].items())
            note = f": {_md(e['note'])}" if e["note"] else ""
            lines.append(f"- month {e['month']} ({e['date']}): {sets}{note}")
    lines += ["", "**Things to notice**", ""] + [f"- {_md(x)}" for x in c["notice"]]
    lines += ["", "**Things to try**", ""] + [f"- {_md(x)}" for x in c["try"]]
    rel = []
    if c["extends"]:
        rel.append(f"extends [{c['extends']}](#{c['extends']})")
    if c["opposite"]:
        rel.append(f"opposite: [{c['opposite']}](#{c['opposite']})")
    run = f"Run it: `{c['run_command']}`"
    if c["compare_command"]:
        run += f"; against {'its opposite' if c['opposite'] else 'the baseline'}: `{c['compare_command']}`"
    related = "; ".join(rel)
    lines += ["", run + "." + (f" {related[:1].upper()}{related[1:]}." if rel else "")]
    return lines


def main(argv: list[str] | None = None) -> int:
    """Run the scoreboard and write it (``docs/scoreboard.json``, or beside the path given)
    with the guide (``docs/debate.md``, or the path given)."""
    argv = sys.argv[1:] if argv is None else argv
    out = Path(argv[0]) if argv else DOC_PATH
    out.parent.mkdir(parents=True, exist_ok=True)
    board = scoreboard()
    board_path = SCOREBOARD_PATH if not argv else out.with_name("scoreboard.json")
    board_path.write_text(scoreboard_json(board), encoding="utf-8")
    out.write_text(markdown(board=board), encoding="utf-8")
    print(f"wrote {out} and {board_path}")
    return 0


__all__ = ["CONTENTIONS", "DOC_PATH", "SCOREBOARD_PATH", "SEED_TITLES", "card", "cards", "contentions", "markdown",
           "main", "read_scoreboard", "scoreboard", "scoreboard_json"]


if __name__ == "__main__":
    sys.exit(main())
