"""Browser tests: Playwright drives Debian's Chromium against the real `computebubble app`.

They check what a person would see: charts that render and move (the valuation chart
drawing the model's valuation and fundamental value in $T), sliders that change
the running model, two runs side by side, a debate card that opens its scenario, a
stored sweep on the Sweeps page, and bad input shown as a message, not a crash. The
app is started with a scenarios folder and a sweeps root (``--scenarios``, ``--sweeps``),
as a teacher would; tests/test_app_safety.py checks what it refuses.
"""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from tests.conftest import TIMEOUT_MS

def open_live(page, url, query: str = "", months: int = 72):
    page.goto(url + query)
    page.get_by_text(f"Month: 0 of {months}").wait_for()


def step(page, n: int = 1):
    """Press Step n times, waiting for each month to show."""
    for _ in range(n):
        before = int(re.search(r"Month: (\d+)", page.locator(".live-month").inner_text()).group(1))
        page.get_by_role("button", name="Step").click()
        page.get_by_text(f"Month: {before + 1} of").wait_for()


def chart_paths(page) -> list[str]:
    """The 'd' attribute of every line drawn in the charts."""
    page.wait_for_timeout(300)
    return page.eval_on_selector_all("svg.svg-figure path.line", "els => els.map(e => e.getAttribute('d') || '')")


@pytest.mark.parametrize("scenario", ["baseline", "jevons-boom"])
def test_a_fresh_live_page_runs_the_scenario_unchanged(page, url, scenario):
    """Issue 10: sliders whose value fell between two slider steps snapped on load and
    were recorded as moves, so an untouched Live run was not the scenario's. On a fresh
    page nothing is moved, and three months on the valuation drawn is the scenario's own."""
    from experiments.runner import build_model
    from viz import sources

    open_live(page, url, f"?scenario={scenario}")
    page.wait_for_timeout(1000)
    expect(page.get_by_text("Clear moved sliders")).to_have_count(0)
    step(page, 3)
    expect(page.get_by_text("Clear moved sliders")).to_have_count(0)
    model = build_model(None, 72, 1, sources.load_named(scenario))
    for _ in range(3):
        model.step()
    drawn = drawn_values(page, ".live-valuation")["rgb(0, 0, 0)"]
    assert drawn == pytest.approx([f["valuation_usd"] / 1e12 for f in model.figures], rel=1e-2)


def test_live_renders_its_charts_and_meter(page, url):
    open_live(page, url)
    expect(page.locator("svg.svg-figure")).to_have_count(9)
    for title in ("The two curves", "The fleet", "Idle share", "Token volume", "Lab runways", "Who the market",
                  "The AI valuation against its fundamental value", "Chip sales ($B/yr", "GPU rental price ($ per"):
        expect(page.get_by_text(title, exact=False).first).to_be_visible()
    step(page)
    expect(page.locator(".bubble-meter-item")).to_have_count(7)
    expect(page.locator(".contract-network svg, svg[aria-label='contract network']").first).to_be_visible()


@pytest.mark.parametrize("scenario,months", [("dark-fibre", 24), ("reliability-ceiling", 48)])
def test_the_verdict_banner_fills_in_and_settles_on_the_runs_outcome(page, url, scenario, months):
    """Issue 10, "the verdict on screen": after a step the banner says what the run is so
    far; played to the horizon it settles on the outcome experiments.runner.run gives the
    same scenario, seed and horizon (a bust and a digestion here), with its side of the
    debate. The tiles carry their bands, their red history and a plain tooltip."""
    from experiments.runner import run
    from sim import thresholds
    from viz import verdict

    out = run(None, months, 1, scenario)
    open_live(page, url, f"?scenario={scenario}&months={months}&speed=max", months=months)
    banner = page.locator(".verdict-banner")
    expect(banner).to_contain_text("fills in as the run goes")
    step(page)
    expect(banner).to_have_attribute("data-final", "false")
    expect(banner).to_contain_text("So far: BOOM")
    page.get_by_role("button", name="▶").click()
    page.get_by_text(f"Month: {months} of {months}").wait_for()
    expect(banner).to_have_attribute("data-final", "true")
    expect(banner).to_have_attribute("data-outcome", out["outcome"])
    words = verdict.OUTCOME_WORDS[out["outcome"]]
    when = {"bust": f"in {out['bust_month']}", "digestion": f"from {out['capex_fall_month']}"}[out["outcome"]]
    expect(banner).to_contain_text(f"Verdict: {words['label']} {when}")
    expect(banner).to_contain_text(words["side"])
    expect(banner.locator(".verdict-chain li")).not_to_have_count(0)
    tiles = page.locator(".bubble-meter-item")
    expect(tiles).to_have_count(7)
    for i, name in enumerate(thresholds.NAMES):
        tile = tiles.nth(i)
        assert tile.get_attribute("title").startswith(thresholds.PLAIN[name])
        expect(tile.locator(".bubble-meter-band")).to_contain_text("amber")
        first = out[f"first_{name}"]
        expect(tile.locator(".bubble-meter-history")).to_have_text(
            "never red so far" if first is None else re.compile(
                f"first red {first}, {out[f'months_red_{name}']} months? red"))


def drawn_values(page, selector: str) -> dict[str, list[float]]:
    """The lines of the log-scale chart in ``selector``, by stroke colour, read back into
    the units of its y axis through the positions of the axis's tick labels (good to
    the half pixel by which an axis is offset for crisp lines)."""
    page.wait_for_timeout(300)
    got = page.locator(selector).evaluate("""el => {
        const fig = el.querySelector('svg.svg-figure');
        const ticks = Array.from(el.querySelectorAll('svg.svg-background .axis .tick'))
            .map(t => [t.getAttribute('transform'), t.textContent]);
        const lines = Array.from(fig.querySelectorAll('g.curve path.line'))
            .filter(p => !p.closest('.g_legend')).map(p => [getComputedStyle(p).stroke, p.getAttribute('d')]);
        return {ticks, lines};
    }""")
    ticks = [(float(m.group(1)), float(text)) for tr, text in got["ticks"]
             if (m := re.fullmatch(r"translate\(0,\s*([-\d.e+]+)\)", tr))]     # the y axis's ticks
    (y_lo, lo), (y_hi, hi) = max(ticks), min(ticks)                            # bottom and top tick
    out: dict[str, list[float]] = {}
    for stroke, d in got["lines"]:
        ys = [float(y) for y in re.findall(r"[\d.e+-]+,([\d.e+-]+)", d)]
        out.setdefault(stroke, [lo * (hi / lo) ** ((y_lo - y) / (y_lo - y_hi)) for y in ys])
    return out


def on_grid_params() -> dict:
    """Baseline's values of the Live sliders, each moved onto its slider's steps. A value
    between two steps is snapped by the browser's slider, which reports the snapped value
    back as a move, so the page would run something other than the scenario."""
    from sim.params import FIELDS
    from viz import live

    out = {}
    for name in live.CONTENTION_SLIDERS + live.LEVER_SLIDERS:
        meta, v = FIELDS[name].metadata, FIELDS[name].default
        if FIELDS[name].type in ("int", int):
            continue
        step = live._nice_step(meta["max"] - meta["min"])
        decimals = max(0, -int(f"{step:e}".split("e")[1]))
        snapped = round(meta["min"] + round((v - meta["min"]) / step) * step, decimals)
        if snapped != v:
            out[name] = snapped
    return out


def test_live_valuation_chart_holds_the_models_valuation(page, url, served):
    """The valuation chart, beside the belief mix with its caption, draws the model's
    valuation and fundamental value in $T: stepped three months, its black and grey
    lines read back (through the axis's tick labels) to the figures of the same run
    stepped here (baseline with the sliders' values on their steps, seed 1)."""
    from experiments.runner import build_model
    from viz import sources

    params = on_grid_params()
    (served["scenarios"] / "valuation-check.toml").write_text(
        'extends = "baseline"\ntitle = "Valuation check"\nclaim = "baseline on the sliders\' steps"\n[params]\n'
        + "".join(f"{k} = {v!r}\n" for k, v in params.items()))
    open_live(page, url, "?scenario=valuation-check")
    page.wait_for_timeout(1000)
    expect(page.get_by_text("Clear moved sliders")).to_have_count(0)    # the run is the scenario's
    market = page.locator(".live-market")
    expect(market.locator(".live-valuation svg.svg-figure")).to_have_count(1)
    expect(market.locator(".live-beliefs svg.svg-figure")).to_have_count(1)
    expect(market.locator(".live-valuation")).to_contain_text("The AI valuation against its fundamental value ($T")
    expect(market.locator(".live-valuation .chart-caption")).to_contain_text("the bubble as a price")
    expect(market.locator(".live-beliefs .chart-caption")).to_contain_text("0.5 when the valuation equals")
    expect(market.locator(".live-beliefs")).to_contain_text("sentiment (0.5 = fair value)")
    step(page, 3)
    model = build_model(params, 72, 1, sources.load_named("baseline"))
    for _ in range(3):
        model.step()
    lines = drawn_values(page, ".live-valuation")
    valuation, fundamental = lines["rgb(0, 0, 0)"], lines["rgb(127, 127, 127)"]
    assert len(valuation) == len(fundamental) == 3
    for drawn, col in ((valuation, "valuation_usd"), (fundamental, "fundamental_value_usd")):
        want = [f[col] / 1e12 for f in model.figures]
        # a pixel spans about 1.5% of a two-decade log axis: half a pixel, with room
        assert drawn == pytest.approx(want, rel=1e-2), col


def test_step_advances_the_month_and_the_charts_change(page, url):
    open_live(page, url)
    step(page, 2)
    before = chart_paths(page)
    step(page)
    expect(page.get_by_text("Month: 3 of 72")).to_be_visible()
    after = chart_paths(page)
    assert before != after


def test_a_live_slider_changes_the_next_month(browser, url):
    """Two sessions step to month 3; one then moves the efficiency-shock slider to its
    maximum (a 50x cut in compute per token, from the next month): its token price
    line must part from the other's at month 4, and neither session sees the other."""
    pages = []
    for _ in range(2):
        ctx = browser.new_context(viewport={"width": 1500, "height": 1600})
        pg = ctx.new_page()
        pg.set_default_timeout(TIMEOUT_MS)
        open_live(pg, url, "?seed=5")
        # the spread band (viz/band.py) rescales the two curves' axis when it arrives: let
        # it arrive in both sessions before their charts are compared
        pg.locator('.live-band-caption[data-state="ready"]').wait_for()
        step(pg, 3)
        pages.append(pg)
    shocked, plain = pages
    assert chart_paths(shocked) == chart_paths(plain)       # same seed, same run so far
    slider = shocked.locator(".v-slider").nth(2)            # horizon, scaling_exponent, efficiency_shock_factor
    slider.click()
    shocked.keyboard.press("End")
    shocked.wait_for_timeout(500)
    month_slider = shocked.locator(".v-slider").nth(3)      # efficiency_shock_month: the next month
    month_slider.click()
    shocked.keyboard.press("Home")
    for _ in range(4):
        shocked.keyboard.press("ArrowRight")
    # the server has both values once the sliders' heads show them (a fixed pause let Step
    # through first on a busy machine)
    expect(shocked.locator(".param-efficiency_shock_factor .param-value")).to_have_text("50.0x")
    expect(shocked.locator(".param-efficiency_shock_month .param-value")).to_have_text("month 4")
    step(shocked)
    step(plain)
    assert chart_paths(shocked) != chart_paths(plain)
    expect(plain.get_by_text("Month: 4 of 72")).to_be_visible()
    for pg in pages:
        pg.context.close()


def test_sessions_do_not_share_a_model(browser, url):
    a = browser.new_context().new_page()
    b = browser.new_context().new_page()
    for pg in (a, b):
        pg.set_default_timeout(TIMEOUT_MS)
        open_live(pg, url)
    step(a, 2)
    b.wait_for_timeout(500)
    expect(b.get_by_text("Month: 0 of 72")).to_be_visible()
    a.context.close()
    b.context.close()


def test_compare_shows_two_runs_and_their_table(page, url):
    page.goto(url + "?tab=Compare")
    page.get_by_role("button", name="Run both").click()
    table = page.locator(".compare-table")
    table.wait_for()
    expect(table).to_contain_text("A: baseline")
    expect(table).to_contain_text("B: physics-wall")
    expect(table).to_contain_text("largest ghost compute")
    expect(page.locator("svg.svg-figure")).to_have_count(1)
    page.locator(".compare-band-caption.band-ready").wait_for()
    drawn = [d for d in chart_paths(page) if d.count("L") > 20]   # data lines, not legend swatches
    assert len(drawn) == 10   # capex, revenue and required revenue for each run; each run's two bands


def test_debate_page_opens_with_the_scoreboard(page, url):
    """Issue 10: each position's outcome shares over five seeds at the top of the Debate
    page, from docs/scoreboard.json (the same runs the guide reports)."""
    from experiments.debate import read_scoreboard

    page.goto(url + "?tab=Debate")
    board = page.locator(".debate-scoreboard")
    board.wait_for()
    rows = board.locator(".scoreboard-row")
    stored = read_scoreboard()
    expect(rows).to_have_count(len(stored))
    for b in stored:
        words = ", ".join(f"{b[o]} {o}" for o in ("boom", "digestion", "bust") if b[o])
        expect(rows.filter(has_text=b["name"]).first).to_contain_text(words)
    first = page.locator(".debate-scoreboard, .debate-card").first
    expect(first).to_have_class(re.compile("debate-scoreboard"))


def test_debate_cards_name_seeds_by_number_and_title_not_file(page, url):
    """Issue 10: cards showed seed file names like 001_47c290813730d21c.txt."""
    from experiments.debate import SEED_TITLES

    page.goto(url + "?tab=Debate")
    page.get_by_role("button", name="Expand all").click()
    card = page.locator(".debate-card").filter(has_text="Physics wall").first
    card.wait_for()
    expect(card).to_contain_text("seed 001, " + SEED_TITLES["001_47c290813730d21c.txt"])
    expect(page.locator(".debate-card").filter(has_text=re.compile(r"_[0-9a-f]{16}\.txt"))).to_have_count(0)


def test_a_thing_to_try_opens_live_with_its_change_applied(page, url):
    """Issue 10: every "thing to try" either has its control in Live or opens Live with
    that change applied: the baseline card's elasticity suggestion opens the baseline in
    Live with price_elasticity moved to 0.8 (its slider shows it; it counts as moved)."""
    page.goto(url + "?tab=Debate")
    card = page.locator(".debate-card").filter(has_text="Baseline: the build-out as of 2025").first
    card.wait_for()
    card.get_by_role("button", name="Show more").click()
    card.get_by_role("button", name="Live: price_elasticity = 0.8").click()
    page.get_by_text("Month: 0 of 72").wait_for()
    expect(page.locator(".v-tab--active")).to_have_text(re.compile("Live", re.I))
    expect(page.get_by_text("Clear moved sliders")).to_be_visible()
    expect(page.locator(".param-price_elasticity")).to_contain_text("0.80")


def test_debate_cards_open_collapsed_with_their_buttons_on_top(page, url):
    """Issue 10: the Debate page was about 7,800 px of dense text with its buttons at the
    bottom of each card. Cards open collapsed, buttons first; one card or all expand."""
    page.goto(url + "?tab=Debate")
    cards = page.locator(".debate-card")
    cards.first.wait_for()
    expect(page.get_by_text("Things to notice")).to_have_count(0)
    card = cards.filter(has_text="Physics wall").first
    expect(card.get_by_role("button").first).to_have_text(re.compile("Run this", re.I))
    card.get_by_role("button", name="Show more").click()
    expect(card.get_by_text("Things to notice")).to_be_visible()
    expect(page.get_by_text("Things to notice")).to_have_count(1)
    page.get_by_role("button", name="Expand all").click()
    expect(page.get_by_text("Things to notice")).to_have_count(cards.count())
    page.get_by_role("button", name="Collapse all").click()
    expect(page.get_by_text("Things to notice")).to_have_count(0)


def test_debate_card_run_this_opens_it_in_live(page, url):
    page.goto(url + "?tab=Debate")
    card = page.locator(".debate-card").filter(has_text="Physics wall").first
    card.wait_for()
    card.get_by_role("button", name="Run this").click()
    page.get_by_text("Month: 0 of 72").wait_for()
    expect(page.locator(".v-tab--active")).to_have_text(re.compile("Live", re.I))
    expect(page.get_by_text("Physics wall", exact=False).first).to_be_visible()


def test_slider_extremes_run_without_error(page, url):
    open_live(page, url, "?seed=2&months=24", months=24)
    for i in range(1, 6):
        page.locator(".v-slider").nth(i).click()
        page.keyboard.press("End" if i % 2 else "Home")
    page.wait_for_timeout(500)
    step(page, 6)
    expect(page.locator(".v-alert.error")).to_have_count(0)


def upload(page, name: str, text: str):
    """Upload a scenario file through Live's file field."""
    page.locator(".scenario-upload input[type=file]").set_input_files(
        files=[{"name": name, "mimeType": "application/toml", "buffer": text.encode()}])


def test_a_broken_scenario_file_shows_a_message(page, url):
    open_live(page, url)
    upload(page, "broken.toml", "title = 'broken\nclaim = 3\n")
    expect(page.get_by_text("broken.toml: malformed TOML", exact=False).first).to_be_visible()
    expect(page.locator(".v-alert").first).to_be_visible()


def choose(page, label: str, option: str):
    """Pick ``option`` in the Select labelled ``label``."""
    field = page.locator(".v-select").filter(has=page.locator("label", has_text=re.compile(f"^{re.escape(label)}$")))
    field.locator(".v-select__slot").click()
    page.locator(".v-menu__content.menuable__content__active").get_by_role("option", name=option, exact=True).click()
    page.keyboard.press("Escape")


def open_sweep(page, url, label: str):
    page.goto(url + "?tab=Sweeps")
    choose(page, "sweep folder", label)
    page.get_by_role("button", name="Open").click()


def test_sweeps_renders_a_stored_sweep(page, url, stored_sweep):
    open_sweep(page, url, stored_sweep.name)
    expect(page.get_by_text("6 runs stored", exact=False)).to_be_visible()
    expect(page.locator(".sweep-heatmap img")).to_be_visible()
    expect(page.locator(".sweep-bars img")).to_be_visible()
    expect(page.get_by_text("not Sobol", exact=False)).to_be_visible()


def test_sweeps_empty_or_missing_folder_is_a_message(page, url, served, stored_sweep):
    empty = served["sweeps"] / "empty"
    empty.mkdir()
    (empty / "sweep.json").write_text((stored_sweep / "sweep.json").read_text())   # a sweep with no runs
    open_sweep(page, url, "empty")
    expect(page.locator(".v-alert").first).to_be_visible()
    expect(page.get_by_text("'empty' holds no stored runs", exact=False).first).to_be_visible()
    expect(page.get_by_text(str(served["sweeps"]), exact=False)).to_have_count(0)   # no server path
