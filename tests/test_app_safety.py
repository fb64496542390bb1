"""Browser tests of what the app refuses: server paths in links, scripts in the titles
and claims of scenario files and sweep folders, and bad link settings.

The app is started as a teacher would start it, with a scenarios folder and a sweeps
root (``computebubble app --scenarios DIR --sweeps DIR``). A script that ran would set
``window.__xss``; a title that Vue evaluated would read "XSS 49".
"""

from __future__ import annotations

import json
import shutil
from urllib.parse import quote

import pytest
from playwright.sync_api import expect

from tests.test_app import (browser, choose, open_live, open_sweep, page, served, stored_sweep,  # noqa: F401
                            upload, url)

XSS = 'XSS {{ 7*7 }} <img src=x onerror="window.__xss=1">'
#: A scenario file whose name, title and claim carry the payload (a file name may hold all but '/').
XSS_NAME = "XSS {{ 7*7 }} <img src=x onerror=window.__xss=2>"
XSS_SCENARIO = f"""title = '{XSS}'
claim = '{XSS} (claim)'
extends = "baseline"
"""


@pytest.fixture(scope="module", autouse=True)
def xss_files(served):
    (served["scenarios"] / f"{XSS_NAME}.toml").write_text(XSS_SCENARIO)


def no_script_ran(page):
    page.wait_for_timeout(500)          # an <img src=x> would have failed and fired by now
    assert page.evaluate("window.__xss") is None
    assert page.locator("img[src='x']").count() == 0
    assert "XSS 49" not in page.locator("body").inner_text()


def title_is_text(page, title: str = XSS, claim: str = XSS + " (claim)"):
    expect(page.locator(".live-title")).to_have_text(title)
    expect(page.locator(".live-claim")).to_have_text(claim)
    expect(page.get_by_text("{{ 7*7 }}", exact=False).first).to_be_visible()
    no_script_ran(page)


@pytest.mark.parametrize("path", ["../../etc/passwd", "/etc/passwd", "/etc/shadow", "../experiments/scenarios/baseline",
                                  "nowhere"])
def test_a_link_to_a_server_path_is_an_unknown_scenario(page, url, path):
    open_live(page, url, "?scenario=" + quote(path, safe=""))
    expect(page.locator(".link-messages")).to_contain_text(
        f"link setting 'scenario': unknown scenario '{path}'; choose one of the list")
    expect(page.locator(".live-title")).to_contain_text("Baseline")      # the defaults
    body = page.locator("body").inner_text()
    for leak in ("root:", "malformed", "not found", "cannot read"):
        assert leak not in body


def test_a_startup_folder_scenario_shows_its_payload_as_text(page, url):
    open_live(page, url, "?scenario=" + quote(XSS_NAME, safe=""))
    expect(page.locator(".link-messages")).to_have_count(0)
    title_is_text(page)


def test_an_uploaded_scenario_shows_its_payload_as_text(page, url):
    open_live(page, url)
    upload(page, "xss.toml", XSS_SCENARIO)
    page.get_by_text("xss (uploaded)").first.wait_for()
    title_is_text(page)


def test_compare_against_live_settings_shows_names_as_text(page, url):
    open_live(page, url, "?scenario=" + quote(XSS_NAME, safe="") + "&months=24", months=24)
    page.get_by_role("tab", name="Compare").click()
    choose(page, "A", XSS_NAME)
    choose(page, "B", "Live settings")
    page.get_by_role("button", name="Run both").click()
    table = page.locator(".compare-table")
    table.wait_for()
    expect(table).to_contain_text(f"A: {XSS_NAME}")
    expect(table).to_contain_text(f"B: {XSS_NAME} + your sliders")
    no_script_ran(page)


@pytest.fixture(scope="module")
def xss_sweep(served, stored_sweep):
    """The stored sweep, copied with the payload as its sweep.json title."""
    folder = served["sweeps"] / "xss"
    shutil.copytree(stored_sweep, folder)
    meta = json.loads((folder / "sweep.json").read_text())
    meta["title"] = XSS
    (folder / "sweep.json").write_text(json.dumps(meta))
    return folder


def test_a_sweep_title_is_shown_as_text(page, url, xss_sweep):
    open_sweep(page, url, "xss")
    expect(page.locator(".sweep-title")).to_have_text(XSS)
    expect(page.get_by_text("6 runs stored", exact=False)).to_be_visible()
    no_script_ran(page)


@pytest.mark.parametrize("query,setting,value,allowed", [
    ("seed=abc", "seed", "abc", "a whole number, 0 or more"),
    ("months=1e3", "months", "1e3", "from 12 to 180"),
    ("months=0", "months", "0", "from 12 to 180"),
    ("speed=warp", "speed", "warp", "max"),
])
def test_a_bad_link_setting_is_a_message_and_the_page_loads(page, url, query, setting, value, allowed):
    open_live(page, url, "?" + query)           # defaults: 72 months
    messages = page.locator(".link-messages")
    expect(messages).to_contain_text(f"link setting '{setting}': value '{value}' is not allowed")
    expect(messages).to_contain_text(allowed)
    expect(page.locator(".live-title")).to_contain_text("Baseline")
