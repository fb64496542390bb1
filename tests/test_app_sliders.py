"""Browser tests of Live's sliders (issue 10 items 1 and 5): each slider says what it is
in plain words with its current value in its unit, and a moved slider has a "reset" that
puts the scenario's value back into the running model from the next month; "Clear moved
sliders" resets them all. Playwright drives Debian's Chromium against the real app."""

from __future__ import annotations

from playwright.sync_api import expect

from tests.conftest import TIMEOUT_MS
from tests.test_app import open_live, step


def move_to_end(page, name: str, key: str = "End"):
    page.locator(f".param-{name} .v-slider").click()
    page.keyboard.press(key)


def test_every_slider_shows_a_plain_label_and_its_value(page, url):
    from sim.params import FIELDS
    from viz import live, sources

    open_live(page, url, "?scenario=baseline")
    sc = sources.load_named("baseline")
    for name in live.CONTENTION_SLIDERS + live.LEVER_SLIDERS:
        box = page.locator(f".param-{name}")
        expect(box.locator(".param-label")).to_have_text(FIELDS[name].metadata["label"])
        expect(box.locator(".param-value")).to_have_text(live.format_param(name, sc.params.get(
            name, FIELDS[name].default)))
        expect(box.locator(".param-name")).to_have_text(name)       # the field name, small and grey
    expect(page.locator(".param-reset")).to_have_count(0)


def chart_paths(page) -> list[str]:
    """The 'd' attribute of every line drawn in the charts."""
    page.wait_for_timeout(300)
    return page.eval_on_selector_all("svg.svg-figure path.line", "els => els.map(e => e.getAttribute('d') || '')")


def new_page(browser):
    pg = browser.new_context(viewport={"width": 1500, "height": 1600}).new_page()
    pg.set_default_timeout(TIMEOUT_MS)
    return pg


def test_a_moved_slider_shows_its_value_and_its_reset_restores_the_scenario(browser, url):
    """Three sessions, same seed. "reset" moves the scaling slider to its maximum before
    month 1, steps, presses the slider's reset and steps twice more: the head shows 3.00
    then the scenario's value, the reset button and "Clear moved sliders" go, and the
    run goes on (not rebuilt). Its charts differ both from a session that kept the slider
    moved (the reset reached the running model from the next month) and from one that
    never moved it (month 1 ran at 3.0)."""
    from viz import sources

    name = "scaling_exponent"
    was = sources.load_named("baseline").params.get(name, 1.0)
    reset, kept, untouched = pages = [new_page(browser) for _ in range(3)]
    for pg in pages:
        open_live(pg, url, "?scenario=baseline&seed=3")
    value = reset.locator(f".param-{name} .param-value")
    expect(value).to_have_text(f"{was:.2f} points per 10x")
    for pg in (reset, kept):
        move_to_end(pg, name)
        expect(pg.locator(f".param-{name} .param-value")).to_have_text("3.00 points per 10x")
        expect(pg.get_by_text("Clear moved sliders")).to_have_count(1)
        expect(pg.locator(f".param-{name} .param-reset")).to_have_count(1)
        step(pg)
    step(untouched)
    reset.locator(f".param-{name} .param-reset").click()
    expect(value).to_have_text(f"{was:.2f} points per 10x")
    expect(reset.locator(".param-reset")).to_have_count(0)
    expect(reset.get_by_text("Clear moved sliders")).to_have_count(0)
    expect(reset.get_by_text("Month: 1 of 72")).to_be_visible()       # the run goes on, not rebuilt
    for pg in pages:
        step(pg, 2)
    paths = [chart_paths(pg) for pg in pages]
    assert paths[0] != paths[1], "the reset did not reach the running model"
    assert paths[0] != paths[2], "the moved slider did not act on month 1"
    for pg in pages:
        pg.context.close()


def test_clear_moved_sliders_resets_them_all(page, url):
    from viz import live, sources
    from sim.params import FIELDS

    sc = sources.load_named("baseline")
    open_live(page, url, "?scenario=baseline")
    move_to_end(page, "reliability_ceiling_frac")
    move_to_end(page, "funding_freeze_month", "End")
    expect(page.locator(".param-funding_freeze_month .param-value")).to_have_text("month 180")
    expect(page.locator(".param-reliability_ceiling_frac .param-value")).to_have_text("100%")
    expect(page.locator(".param-reset")).to_have_count(2)
    page.get_by_text("Clear moved sliders").click()
    expect(page.locator(".param-reset")).to_have_count(0)
    expect(page.get_by_text("Clear moved sliders")).to_have_count(0)
    for name in ("reliability_ceiling_frac", "funding_freeze_month"):
        expect(page.locator(f".param-{name} .param-value")).to_have_text(
            live.format_param(name, sc.params.get(name, FIELDS[name].default)))
