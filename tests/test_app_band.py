"""Browser tests of the spread over seeds (viz/band.py): the band behind the two curves
comes without a click while the live run keeps stepping, and Compare draws one behind
each side. Playwright drives Debian's Chromium against the real `computebubble app`."""

from __future__ import annotations

import re

from playwright.sync_api import expect

from tests.test_app import open_live
from viz import band

#: A horizon of its own (no other test here asks for its band first), long enough that
#: its twenty runs (about 8 s) outlast the first months played at 10 per second.
MONTHS = 120
#: Months the run must have played while the band was still computing.
PLAYED_WHILE_COMPUTING = 3


def month(page) -> int:
    return int(re.search(r"Month: (\d+)", page.locator(".live-month").inner_text()).group(1))


def wait_month(page, at_least: int) -> None:
    """Wait until the run has played ``at_least`` months (checked every frame: a month's
    label shows for a tenth of a second, shorter than Playwright's later polls)."""
    page.wait_for_function("n => { const m = /Month: (\\d+)/.exec(document.querySelector('.live-month')"
                           "?.textContent || ''); return m && +m[1] >= n; }", arg=at_least)


def band_polygons(page) -> int:
    """The shaded polygons drawn in the two curves chart: each runs out along the horizon
    and back (2 x MONTHS points), longer than any line of the run."""
    return page.locator(".live-two-curves g.curve path.line").evaluate_all(
        "(els, n) => els.filter(e => !e.closest('.g_legend') && (e.getAttribute('d') || '').split('L').length >= n)"
        ".length", 2 * MONTHS)


def test_live_draws_the_band_without_a_click_while_the_run_plays(page, url):
    open_live(page, url, f"?scenario=baseline&months={MONTHS}", months=MONTHS)
    caption = page.locator(".live-band-caption")
    expect(caption).to_have_attribute("data-state", "computing")
    expect(caption).to_have_text(band.COMPUTING)
    assert band_polygons(page) == 0
    page.get_by_role("button", name="▶").click()
    wait_month(page, PLAYED_WHILE_COMPUTING)
    # the run played on while the band was computed: the page was never blocked by it
    assert caption.get_attribute("data-state") == "computing"
    expect(caption).to_have_attribute("data-state", "ready", timeout=120_000)
    assert month(page) > PLAYED_WHILE_COMPUTING
    expect(caption).to_contain_text(f"over {band.N_SEEDS} runs of baseline on seeds 1-20")
    expect(caption).to_contain_text("the live run, seed 1, is one of them")
    chart = page.locator(".live-two-curves svg.svg-figure")
    for name in ("AI capex", "AI revenue"):
        expect(chart).to_contain_text(f"{name}: {band.LEGEND}")
    assert band_polygons(page) == 2
    # Reset: the same scenario's band comes from the cache, drawn before the first month,
    # and the new run plays with it drawn
    page.get_by_role("button", name="Reset").click()
    page.get_by_text(f"Month: 0 of {MONTHS}").wait_for()
    expect(caption).to_have_attribute("data-state", "ready")
    page.get_by_role("button", name="▶").click()
    wait_month(page, PLAYED_WHILE_COMPUTING)
    assert band_polygons(page) == 2
    page.get_by_role("button", name="❚❚").click()


def test_compare_draws_a_band_behind_each_side(page, url):
    page.goto(url + "?tab=Compare")
    page.get_by_role("button", name="Run both").click()
    page.locator(".compare-table").wait_for()
    caption = page.locator(".compare-band-caption")
    expect(page.locator(".compare-band-caption.band-computing")).to_have_count(1)    # the table did not wait
    expect(page.locator(".compare-band-caption.band-ready")).to_have_count(1, timeout=120_000)
    expect(caption).to_contain_text("Shaded: A's (baseline)")
    expect(caption).to_contain_text("dashed outline: B's (physics-wall)")
    fig = page.locator("svg.svg-figure")
    expect(fig).to_have_count(1)
    for side in ("baseline", "physics-wall"):
        for name in ("AI capex", "AI revenue"):
            expect(fig).to_contain_text(f"{side} {name}: {band.LEGEND}")
    # the table and the lines are still there: six lines and four bands (72 months: 144 points each)
    paths = page.eval_on_selector_all("svg.svg-figure g.curve path.line", "els => els.filter(e => "
                                      "!e.closest('.g_legend')).map(e => (e.getAttribute('d') || '').split('L').length)")
    assert sum(n >= 2 * 72 for n in paths) == 4
    assert sum(60 <= n < 2 * 72 for n in paths) == 6
