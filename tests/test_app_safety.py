"""Browser tests of what the app refuses: server paths in links, scripts in the titles
and claims of scenario files and sweep folders, bad link settings, and any request that
would leave the machine (with the console kept free of errors).

The app is started as a teacher would start it, with a scenarios folder and a sweeps
root (``computebubble app --scenarios DIR --sweeps DIR``). A script that ran would set
``window.__xss``; a title that Vue evaluated would read "XSS 49".
"""

from __future__ import annotations

import json
import shutil
import time
import urllib.error
import urllib.request
from urllib.parse import quote, urlsplit

import pytest
from playwright.sync_api import expect

from tests.test_app import choose, open_live, open_sweep, step, upload

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


def test_no_request_leaves_the_machine_and_the_console_has_no_errors(page, url, stored_sweep):
    """Issue 10: every page load asked a public CDN for KaTeX, and Live's charts logged
    36 errors of negative <rect> sizes each time Live came back from another tab. Each tab
    is opened and used (Live stepped, Compare run, a sweep opened, a debate card run, Live
    again and stepped); every request the page makes must go to the app's own host, no
    response may be an error, nothing may be logged to the console as an error, and the
    server must not have tried to fetch a file from elsewhere."""
    host = urlsplit(url).netloc
    requests: list[str] = []
    errors: list[str] = []
    page.on("request", lambda r: requests.append(r.url))
    page.on("websocket", lambda ws: requests.append(ws.url))
    page.on("response", lambda r: errors.append(f"HTTP {r.status} {r.url}") if r.status >= 400 else None)
    page.on("console", lambda m: errors.append(f"console: {m.text} ({m.location.get('url')})")
            if m.type == "error" else None)
    page.on("pageerror", lambda e: errors.append(f"page error: {e}"))

    open_live(page, url)
    expect(page.locator("svg.svg-figure")).to_have_count(9)
    step(page, 3)
    page.get_by_role("tab", name="Compare").click()
    page.get_by_role("button", name="Run both").click()
    page.locator(".compare-table").wait_for()
    page.get_by_role("tab", name="Sweeps").click()
    choose(page, "sweep folder", stored_sweep.name)
    page.get_by_role("button", name="Open").click()
    expect(page.get_by_text("6 runs stored", exact=False)).to_be_visible()
    page.get_by_role("tab", name="Live").click()                    # Live's charts mount again
    page.get_by_text("Month: 3 of 72").wait_for()                   # the same run, kept
    expect(page.locator("svg.svg-figure")).to_have_count(9)
    step(page, 2)
    page.get_by_role("tab", name="Debate").click()
    card = page.locator(".debate-card").filter(has_text="Physics wall").first
    card.get_by_role("button", name="Run this").click()             # opens Live on a new run
    page.get_by_text("Month: 0 of 72").wait_for()
    expect(page.locator("svg.svg-figure")).to_have_count(9)
    step(page, 2)
    page.wait_for_timeout(1500)                                     # late console messages

    away = [u for u in requests if not u.startswith(("data:", "blob:")) and urlsplit(u).netloc != host]
    assert not away, f"{len(away)} requests left the machine:\n" + "\n".join(sorted(set(away)))
    assert not errors, f"{len(errors)} errors:\n" + "\n".join(errors)
    assert "Could not load URL" not in url.output(), url.output()[-3000:]


def test_the_server_fetches_no_missing_file_from_a_cdn(url):
    """A front-end file the environment lacks (here KaTeX, which Solara's Markdown asks
    for and ``solara-assets`` does not ship) is a 404 from the app's server, which tries
    no CDN on the internet for it (viz.app.NO_CDN)."""
    from viz.app import NO_CDN

    start = time.monotonic()
    with pytest.raises(urllib.error.HTTPError) as err:
        urllib.request.urlopen(url + "_solara/cdn/katex@0.16.9/dist/katex.min.css", timeout=30)
    assert err.value.code == 404
    log = url.output()
    assert "jsdelivr" not in log and "unpkg" not in log, log[-3000:]
    assert NO_CDN in log, log[-3000:]           # the one place it may look: nowhere
    assert time.monotonic() - start < 30
