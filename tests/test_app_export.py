"""Share and export (issue 10, item 7): each chart downloads as a PNG named after its
title, and "Copy link" puts the page's address on the clipboard.

Unit tests on viz.export, then browser tests (Playwright and Debian's Chromium against the
real ``computebubble app``, as in tests/test_app.py): the download is read back and must
be a PNG file; the clipboard is read back (with the clipboard permissions granted) and
must hold the page's URL.
"""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from tests.conftest import TIMEOUT_MS
from tests.test_app import open_live, step
from viz import export

#: The first eight bytes of every PNG file.
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


# ----- units ----------------------------------------------------------------------------

def test_a_charts_file_is_named_after_its_title():
    assert export.png_filename("The two curves: AI capex and revenue ($B/yr, annualized)") == \
        "the-two-curves-ai-capex-and-revenue-b-yr-annualized.png"
    assert export.png_filename("GPU rental price ($ per H100-hour)") == "gpu-rental-price-per-h100-hour.png"
    assert export.png_filename("") == "chart.png"
    long = export.png_filename("word " * 100)
    assert len(long) <= export.MAX_STEM + len(".png") and not long.startswith("-") and "--" not in long


def test_the_html_legend_names_what_the_figures_legend_names():
    from viz.charts import COLOURS, LiveCharts

    charts = LiveCharts(72, ["A", "B"])
    items = export.legend_items(charts.two_curves.figure)
    by_label = {i["label"]: i for i in items}
    assert by_label["AI capex"] == {"label": "AI capex", "colour": COLOURS["capex"], "kind": "solid"}
    assert by_label["public record (capex)"]["kind"] == "diamond"
    assert any(i["label"].startswith("today:") and i["kind"] == "dashed" for i in items)
    # the belief mix's bands are named in its title, not its legend
    assert [i["label"] for i in export.legend_items(charts.beliefs.figure)][0] == "sentiment (0.5 = fair value)"


# ----- browser --------------------------------------------------------------------------

def download_png(page, chart) -> tuple[str, bytes]:
    """Press a chart's PNG button; the downloaded file's name and bytes."""
    with page.expect_download() as info:
        chart.get_by_role("button", name="PNG").click()
    download = info.value
    with open(download.path(), "rb") as f:
        return download.suggested_filename, f.read()


def test_each_live_chart_downloads_as_a_png_named_after_it(page, url):
    open_live(page, url, "?months=12", months=12)
    step(page, 2)
    charts = page.locator(".cb-chart")
    expect(charts).to_have_count(9)
    expect(charts.get_by_role("button", name="PNG")).to_have_count(9)
    for i in (0, 6):        # the two curves; the valuation
        chart = charts.nth(i)
        title = chart.locator(".cb-chart-title").inner_text()
        name, data = download_png(page, chart)
        assert name == export.png_filename(title)
        assert data.startswith(PNG_SIGNATURE) and len(data) > 5_000
    assert name.startswith("the-ai-valuation-against-its-fundamental-value")


def test_compares_chart_downloads_as_a_png(page, url):
    page.goto(url + "?tab=Compare")
    page.get_by_role("button", name="Run both").click()
    chart = page.locator(".compare-chart")
    chart.wait_for()
    name, data = download_png(page, chart)
    assert name == "ai-capex-revenue-and-required-revenue-a-solid-b-dashed.png"
    assert data.startswith(PNG_SIGNATURE)


@pytest.fixture
def clipboard_page(browser):
    """A page allowed to read and write the clipboard (127.0.0.1 is a secure context)."""
    context = browser.new_context(viewport={"width": 1500, "height": 1000},
                                  permissions=["clipboard-read", "clipboard-write"])
    pg = context.new_page()
    pg.set_default_timeout(TIMEOUT_MS)
    yield pg
    context.close()


def test_copy_link_puts_the_pages_address_on_the_clipboard(clipboard_page, url):
    page = clipboard_page
    open_live(page, url, "?months=24&set=price_elasticity:0.8", months=24)
    expect(page).to_have_url(re.compile(r"months=24"))
    page.get_by_role("button", name="Copy link").click()
    expect(page.locator(".cb-copy-link-state")).to_have_text("Link copied")
    copied = page.evaluate("() => navigator.clipboard.readText()")
    assert copied == page.url
    assert copied == page.locator(".share-link input").input_value()    # the link field's link
    assert re.fullmatch(r"http://127\.0\.0\.1:\d+/\?months=24&set=price_elasticity:0\.8", copied)
    # after a change the button copies the new address
    page.get_by_role("tab", name="Compare").click()
    expect(page).to_have_url(re.compile(r"tab=Compare"))
    page.get_by_role("button", name="Copy link").click()
    page.wait_for_function("async (u) => (await navigator.clipboard.readText()) === u", arg=page.url)
