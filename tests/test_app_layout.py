"""The app fits the screen (issue 10, item 8): usable at 1440, 1024, 768 and 390 px wide.

Measured defects this guards: at 1024 px the charts' titles were clipped and their
legends covered the lines; at 768 px the Reset button was cut off; at 390 px every column
was a sliver; Solara's banner sat over the content. Each test opens the real app in
Chromium at one width and measures the page: no horizontal scroll
(``document.documentElement.scrollWidth`` at most the viewport's width), the ▶ and Reset
buttons inside the viewport, every chart title whole, every legend above its plot (none
drawn over the lines), the banner absent, and every tab usable on a phone.
"""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from tests.conftest import TIMEOUT_MS
from tests.test_app import choose, open_live, step

#: The widths the issue names (px), and a tablet's; the viewport's height does not matter.
WIDTHS = (1440, 1024, 768, 390)
PHONE = 390
HEIGHT = 900
#: Sub-pixel rounding allowed when comparing boxes (px).
SLACK = 1

MEASURE = """() => {
    const fig = (el) => el.closest('.cb-chart').querySelector('svg.svg-figure').getBoundingClientRect();
    return {
        scroll: document.documentElement.scrollWidth, inner: window.innerWidth,
        titles: [...document.querySelectorAll('.cb-chart-title')].map(t => ({
            text: t.textContent, scroll: t.scrollWidth, client: t.clientWidth,
            right: t.getBoundingClientRect().right})),
        svgTitles: [...document.querySelectorAll('.cb-chart svg text.mainheading')]
            .filter(t => getComputedStyle(t).display !== 'none').length,
        svgLegends: [...document.querySelectorAll('.cb-chart svg g.g_legend')]
            .filter(g => getComputedStyle(g).display !== 'none').length,
        legends: [...document.querySelectorAll('.cb-legend')].map(l => ({
            bottom: l.getBoundingClientRect().bottom, figTop: fig(l).top,
            right: l.getBoundingClientRect().right})),
        banner: [...document.querySelectorAll('div')].filter(
            d => d.textContent.trim().startsWith('This website runs on')).length,
    };
}"""


@pytest.fixture
def sized(browser, request):
    """A page of the viewport width ``request.param``."""
    context = browser.new_context(viewport={"width": request.param, "height": HEIGHT})
    pg = context.new_page()
    pg.set_default_timeout(TIMEOUT_MS)
    yield pg
    context.close()


def shown_whole(locator) -> bool:
    """Whether the element is what the page shows at its four corners and its centre: not
    cut off by a column that scrolls, not under another element. (Not scrolled into view
    first: that would scroll a clipping column to show it.)"""
    return locator.evaluate("""el => {
        const r = el.getBoundingClientRect(), d = 2;
        const points = [[r.left + d, r.top + d], [r.right - d, r.top + d], [r.left + d, r.bottom - d],
                        [r.right - d, r.bottom - d], [(r.left + r.right) / 2, (r.top + r.bottom) / 2]];
        return points.every(([x, y]) => { const hit = document.elementFromPoint(x, y); return hit && el.contains(hit); });
    }""")


def no_horizontal_scroll(page):
    width = page.evaluate("() => [document.documentElement.scrollWidth, window.innerWidth]")
    assert width[0] <= width[1], f"the page is {width[0]} px wide in a {width[1]} px window"


@pytest.mark.parametrize("sized", WIDTHS, indirect=True, ids=lambda w: f"{w}px")
def test_live_fits_the_screen(sized, url):
    page = sized
    width = page.viewport_size["width"]
    open_live(page, url)
    step(page)
    page.wait_for_timeout(500)
    m = page.evaluate(MEASURE)
    assert m["scroll"] <= m["inner"] == width
    for name in ("▶", "Step", "Reset"):
        button = page.get_by_role("button", name=name, exact=True)
        box = button.bounding_box()
        assert box is not None and box["x"] >= 0 and box["x"] + box["width"] <= width + SLACK, (name, box)
        assert shown_whole(button), f"{name} is clipped or covered at {width} px"
    assert len(m["titles"]) == 9
    for t in m["titles"]:       # a title wraps: never wider than its box, never past the window
        assert t["scroll"] <= t["client"] + SLACK and t["right"] <= width + SLACK, t
    assert m["svgTitles"] == 0 and m["svgLegends"] == 0     # bqplot's own, clipped or over the lines: hidden
    for leg in m["legends"]:    # each legend above its plot, none over the lines
        assert leg["bottom"] <= leg["figTop"] + SLACK and leg["right"] <= width + SLACK, leg
    assert m["banner"] == 0
    expect(page.get_by_text("This website runs on")).to_have_count(0)


@pytest.mark.parametrize("sized", [1024], indirect=True, ids=lambda w: f"{w}px")
def test_at_1024_px_the_charts_stack_at_full_width(sized, url):
    """At 1024 px two charts side by side were 370 px wide with clipped titles: they stack,
    each as wide as the charts column."""
    page = sized
    open_live(page, url)
    boxes = [page.locator(".cb-chart").nth(i).bounding_box() for i in range(4)]
    assert len({round(b["x"]) for b in boxes}) == 1                 # one column
    assert min(b["width"] for b in boxes) >= 600


@pytest.mark.parametrize("sized", [PHONE], indirect=True, ids=lambda w: f"{w}px")
def test_on_a_phone_the_controls_stack_above_the_charts(sized, url):
    page = sized
    open_live(page, url)
    run = page.locator(".v-card").filter(has_text="Run").first.bounding_box()
    chart = page.locator(".cb-chart").first.bounding_box()
    assert chart["y"] >= run["y"] + run["height"] - SLACK          # below the controls, not beside them
    assert run["width"] >= PHONE * 0.85 and chart["width"] >= PHONE * 0.85


@pytest.mark.parametrize("sized", [PHONE], indirect=True, ids=lambda w: f"{w}px")
def test_every_tab_is_usable_on_a_phone(sized, url, stored_sweep):
    """On a 390 px phone every tab opens from the (scrolling) tab bar and its page has no
    horizontal scroll: Compare with its chart and table, Debate's cards, a stored sweep."""
    page = sized
    open_live(page, url)
    no_horizontal_scroll(page)
    page.get_by_role("tab", name="Compare").click()
    page.get_by_role("button", name="Run both").click()
    page.locator(".compare-table").wait_for()
    page.wait_for_timeout(500)
    no_horizontal_scroll(page)
    expect(page.locator(".compare-chart .cb-chart-title")).to_be_visible()
    page.get_by_role("tab", name="Debate").click()
    page.locator(".debate-card").first.wait_for()
    no_horizontal_scroll(page)
    page.get_by_role("tab", name="Sweeps").click()
    expect(page.get_by_role("tab", name="Sweeps")).to_have_attribute("aria-selected", "true")
    choose(page, "sweep folder", stored_sweep.name)
    page.get_by_role("button", name="Open").click()
    page.locator(".sweep-heatmap img").wait_for()
    page.wait_for_timeout(500)
    no_horizontal_scroll(page)
    img = page.locator(".sweep-heatmap img").bounding_box()
    assert img["x"] >= 0 and img["x"] + img["width"] <= PHONE + SLACK
    expect(page.locator(".v-tab--active")).to_have_text(re.compile("Sweeps", re.I))
