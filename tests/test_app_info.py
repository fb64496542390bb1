"""The Info tab: what the model is, how to read Live, the glossary and the teacher's guide.

Browser tests (Playwright driving Debian's Chromium against the real app, fixtures in
tests/conftest.py) check what the teacher sees: a link opens the tab, the glossary shows
the seven thresholds and the five gauges, every Live chart is explained under its own
title, and a run of the teacher's guide opens in Live, playing. The rest check, without a
browser, that the page's texts come from where they are kept.
"""

from __future__ import annotations

import re
from urllib.parse import urlsplit

from playwright.sync_api import expect

from experiments import teaching
from tests.conftest import TIMEOUT_MS
from sim import gauges, thresholds
from viz import info, share
from viz import verdict as verdict_words
from viz.app import read_query
from viz.state import TABS


def test_a_link_names_the_info_tab():
    """``?tab=Info`` is accepted (any case), and the tabs already linked keep their places."""
    assert TABS[:4] == ("Live", "Compare", "Debate", "Sweeps") and TABS[-1] == "Info"
    for q in ("?tab=Info", "?tab=info"):
        assert read_query(q) == ({"tab": "Info"}, [])
    good, bad = read_query("?tab=Glossary")
    assert not good and "Info" in bad[0]
    assert share.link_query("baseline", 1, 72, "10 / s", "Info", {}) == "tab=Info"      # the address bar's link


def test_every_live_chart_is_explained_under_its_title():
    """One entry per chart of the Live page (viz.charts.LiveCharts), titled as the chart is."""
    from viz.charts import LiveCharts

    charts = LiveCharts(12, ["a lab"])
    shown = {name for name, value in vars(charts).items() if value in charts.all}
    assert set(info.CHART_GUIDE) == shown
    for name, (title, text) in info.CHART_GUIDE.items():
        assert title == getattr(charts, name).figure.title, name
        assert text
    assert info.CHART_GUIDE["valuation"][1] == charts.valuation.CAPTION


def test_the_glossary_reads_the_models_lines():
    readings, dials = info.baseline_readings()
    assert [r.name for r in readings] == list(thresholds.NAMES)
    assert [r.name for r in dials] == list(gauges.NAMES) == list(info.GAUGE_PLAIN)
    lines = {r.name: info.gauge_lines(r) for r in dials}
    assert lines["economic_strain"].startswith(f"amber from {gauges.ECONOMIC_STRAIN_AMBER:.0%}")
    assert f"red from {gauges.VALUATION_HEAT_RED:g}x" in lines["valuation_heat"]


def open_info(page, url):
    page.goto(url + "?tab=Info")
    page.locator(".info-page").wait_for()
    expect(page.locator(".v-tab--active")).to_have_text(re.compile("Info", re.I))


def test_info_shows_the_glossary_and_how_to_read_live(page, url):
    open_info(page, url)
    glossary = page.locator(".info-glossary")
    expect(glossary.locator(".info-threshold")).to_have_count(len(thresholds.NAMES))
    for name in thresholds.NAMES:
        expect(glossary.locator(".info-threshold-title", has_text=verdict_words.TITLES[name])).to_have_count(1)
        expect(glossary).to_contain_text(thresholds.PLAIN[name])
    expect(glossary.locator(".info-gauge")).to_have_count(len(gauges.NAMES))
    for name in gauges.NAMES:
        expect(glossary.locator(".info-gauge-title", has_text=info.gauge_title(name))).to_have_count(1)
    reading = page.locator(".info-reading")
    for title, _ in info.CHART_GUIDE.values():
        expect(reading.locator(".info-chart-title", has_text=title)).to_have_count(1)
    outcomes = page.locator(".info-outcomes")
    for name, words in verdict_words.OUTCOME_WORDS.items():
        expect(outcomes).to_contain_text(words["label"])
        expect(outcomes).to_contain_text(teaching.outcome_definitions()[name])
    expect(page.locator(".info-contention")).to_have_count(3)
    expect(page.locator(".info-contentions")).to_contain_text("Is AI truly reliable?")


def test_a_contention_opens_its_scenario_in_live(page, url):
    open_info(page, url)
    page.get_by_role("button", name="Open reliability-ceiling in Live").click()
    page.get_by_text("Month: 0 of 72").wait_for()
    expect(page.locator(".v-tab--active")).to_have_text(re.compile("Live", re.I))
    expect(page.locator(".live-title")).to_contain_text("Reliability ceiling")


def test_a_teachers_guide_run_opens_live_on_its_scenario_playing(page, url):
    """The guide's four runs, each with its what-to-notice from the generator; "Run this"
    opens Live on that scenario and seed, and it plays without a click to the verdict
    experiments.run gives it. No request leaves the machine on the way, and the console
    shows no error (as tests/test_app_safety.py checks for the other tabs)."""
    host = urlsplit(url).netloc
    requests: list[str] = []
    errors: list[str] = []
    page.on("request", lambda r: requests.append(r.url))
    page.on("response", lambda r: errors.append(f"HTTP {r.status} {r.url}") if r.status >= 400 else None)
    page.on("console", lambda m: errors.append(f"console: {m.text}") if m.type == "error" else None)
    page.on("pageerror", lambda e: errors.append(f"page error: {e}"))
    open_info(page, url)
    runs = page.locator(".info-run")
    # the four runs are worked out in a thread when the tab first opens: seconds on a busy machine
    expect(runs).to_have_count(len(teaching.LESSON_RUNS), timeout=TIMEOUT_MS)
    lesson = teaching.lesson()
    for card, r in zip(runs.all(), lesson):
        expect(card).to_contain_text(r["title"])
        expect(card).to_contain_text(r["notice"][1])
    expect(page.locator(".info-guide")).to_contain_text(teaching.segments()[-1]["title"])
    r = lesson[2]
    runs.nth(2).get_by_role("button", name="Run this").click()
    expect(page.locator(".v-tab--active")).to_have_text(re.compile("Live", re.I))
    expect(page.locator(".live-title")).to_contain_text(r["title"])
    page.get_by_text(f"Month: {teaching.MONTHS} of {teaching.MONTHS}").wait_for()      # played, untouched
    banner = page.locator(".verdict-banner")
    expect(banner).to_have_attribute("data-final", "true")
    expect(banner).to_have_attribute("data-outcome", r["outcome"])
    expect(page.get_by_text("Clear moved sliders")).to_have_count(0)
    expect(page).to_have_url(re.compile(f"scenario={re.escape(r['scenario'])}"))
    page.wait_for_timeout(1000)                                     # late console messages
    away = [u for u in requests if not u.startswith(("data:", "blob:")) and urlsplit(u).netloc != host]
    assert not away, "\n".join(sorted(set(away)))
    assert not errors, "\n".join(errors)
