"""Share and export (issue 10, item 7): a link carries scenario, seed, months, speed,
moved sliders and tab; ``autoplay=1`` plays on load; a bad value is a message naming it;
the address bar follows the page; the run downloads as CSV.

Unit tests on viz.share and viz.app.read_query, then browser tests (Playwright and
Debian's Chromium against the real ``computebubble app``, as in tests/test_app.py).
"""

from __future__ import annotations

import io
import re
from urllib.parse import parse_qs, urlparse

import pandas as pd
import pytest
from playwright.sync_api import expect

from tests.test_app import open_live
from viz import share
from viz.app import read_query


# ----- units ----------------------------------------------------------------------------

def test_moved_sliders_in_a_link_are_checked():
    good, bad = read_query("?set=price_elasticity:0.8,scaling_exponent:0.5")
    assert good["set"] == {"price_elasticity": 0.8, "scaling_exponent": 0.5}
    assert bad == []
    good, bad = read_query("?set=price_elasticity:abc,nonsense:1,scaling_exponent:0.5,oops")
    assert good["set"] == {"scaling_exponent": 0.5}
    assert len(bad) == 3
    assert "price_elasticity" in bad[0] and "'abc'" in bad[0] and "a number in" in bad[0]
    assert "unknown parameter 'nonsense'" in bad[1]
    assert "'oops'" in bad[2] and "name:value" in bad[2]


def test_autoplay_is_one_or_zero():
    assert read_query("?autoplay=1")[0]["autoplay"] is True
    assert read_query("?autoplay=0")[0]["autoplay"] is False
    good, bad = read_query("?autoplay=yes")
    assert "autoplay" not in good
    assert bad and "'autoplay'" in bad[0] and "'yes'" in bad[0] and "allowed: 1" in bad[0]


def test_a_link_reads_back_as_the_settings_it_was_made_from():
    q = share.link_query("physics-wall", 3, 120, "max", "Compare", {"price_elasticity": 0.8, "efficiency_shock_month": 30})
    good, bad = read_query("?" + q)
    assert bad == []
    assert good == {"scenario": "physics-wall", "seed": 3, "months": 120, "speed": "max", "tab": "Compare",
                    "set": {"price_elasticity": 0.8, "efficiency_shock_month": 30}}
    assert share.link_query("baseline", 1, 72, "10 / s", "Live", {}) == ""          # the defaults: no query
    assert share.link_query("mine (uploaded)", 1, 72, "10 / s", "Live", {}) == ""   # not on the list


def test_the_runs_csv_has_a_row_per_month_and_the_valuation():
    from experiments.runner import build_model
    from viz import sources

    model = build_model(None, 24, 1, sources.load_named("baseline"))
    for _ in range(3):
        model.step()
    frame = pd.read_csv(io.BytesIO(share.run_csv(model)))
    assert {"month", "valuation_usd"} <= set(frame.columns)
    assert list(frame["month"]) == [f["month"] for f in model.figures]
    assert list(frame["valuation_usd"]) == pytest.approx([f["valuation_usd"] for f in model.figures])


# ----- browser --------------------------------------------------------------------------

def month(page) -> int:
    return int(re.search(r"Month: (\d+)", page.locator(".live-month").inner_text()).group(1))


def page_query(page) -> dict:
    return {k: v[-1] for k, v in parse_qs(urlparse(page.url).query).items()}


def test_a_bad_seed_is_a_message_naming_it(page, url):
    open_live(page, url, "?seed=abc&set=price_elasticity:99")
    messages = page.locator(".link-messages")
    expect(messages).to_contain_text("link setting 'seed': value 'abc' is not allowed")
    expect(messages).to_contain_text("a whole number, 0 or more")
    expect(messages).to_contain_text("price_elasticity")
    expect(messages).to_contain_text("out of range")


def test_autoplay_plays_on_load(page, url):
    page.goto(url + "?autoplay=1&months=12&speed=max")
    page.get_by_text("Month: 12 of 12").wait_for()      # no click: it played to the end


def test_without_autoplay_the_page_waits(page, url):
    open_live(page, url, "?months=12", months=12)
    page.wait_for_timeout(1500)
    assert month(page) == 0


def test_moved_sliders_in_a_link_are_applied(page, url):
    open_live(page, url, "?set=price_elasticity:0.8")
    expect(page.get_by_text("Clear moved sliders")).to_be_visible()
    expect(page.locator(".link-messages")).to_have_count(0)
    assert page_query(page).get("set") == "price_elasticity:0.8"


def test_the_address_follows_the_page_and_the_link_field_holds_it(page, url):
    open_live(page, url, "?months=24", months=24)
    assert page_query(page) == {"months": "24"}
    seed = page.get_by_label("seed")
    seed.fill("7")
    seed.press("Enter")
    expect(page).to_have_url(re.compile(r"[?&]seed=7(&|$)"))
    assert page_query(page) == {"seed": "7", "months": "24"}
    link = page.locator(".share-link input")
    expect(link).to_have_value(re.compile(r"^http://127\.0\.0\.1:\d+/\?seed=7&months=24$"))
    page.get_by_role("tab", name="Compare").click()
    expect(page).to_have_url(re.compile(r"[?&]tab=Compare(&|$)"))
    # the link opens the same page in a new session
    other = page.context.new_page()
    other.goto(link.input_value())
    expect(other.get_by_role("tab", name="Compare")).to_have_attribute("aria-selected", "true")
    other.get_by_role("tab", name="Live").click()
    other.get_by_text("Month: 0 of 24").wait_for()
    expect(other.get_by_label("seed")).to_have_value("7")


def test_the_run_downloads_as_csv(page, url):
    open_live(page, url, "?months=12", months=12)
    for _ in range(2):
        before = month(page)
        page.get_by_role("button", name="Step").click()
        page.get_by_text(f"Month: {before + 1} of").wait_for()
    with page.expect_download() as info:
        page.get_by_role("button", name="Download CSV of the run").click()
    frame = pd.read_csv(info.value.path())
    assert len(frame) == 2
    assert {"month", "valuation_usd"} <= set(frame.columns)
