"""Shared fixtures of the browser tests: the folders the app is started with, the app
itself on a free 127.0.0.1 port, Debian's Chromium through Playwright, a fresh page per
test, and a small sweep written by the real command into the app's sweeps root.

Fixtures are created only for the tests that ask for them, so the model's tests never
start a browser or a server."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect, sync_playwright

from viz.browser import CHROMIUM_ARGS, app_server, chromium_path

TIMEOUT_MS = 60_000
#: How long an ``expect`` waits for the page to agree (Playwright's default is 5 s; a page
#: doing a run's work in a thread on CI's two busy cores can take longer to show it).
EXPECT_TIMEOUT_MS = 20_000
expect.set_options(timeout=EXPECT_TIMEOUT_MS)


@pytest.fixture(scope="module")
def served(tmp_path_factory):
    """The folders the app is started with: {"scenarios": DIR, "sweeps": DIR}."""
    root = tmp_path_factory.mktemp("served")
    folders = {"scenarios": root / "scenarios", "sweeps": root / "sweeps"}
    for f in folders.values():
        f.mkdir()
    return folders


@pytest.fixture(scope="module")
def url(served):
    with app_server(args=["--scenarios", str(served["scenarios"]), "--sweeps", str(served["sweeps"])]) as u:
        yield u


@pytest.fixture(scope="module")
def browser():
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=chromium_path(), args=CHROMIUM_ARGS)
        yield b
        b.close()


@pytest.fixture
def page(browser):
    context = browser.new_context(viewport={"width": 1500, "height": 1600}, accept_downloads=True)
    pg = context.new_page()
    pg.set_default_timeout(TIMEOUT_MS)
    yield pg
    context.close()


@pytest.fixture(scope="module")
def stored_sweep(tmp_path_factory, served):
    """A small sweep written by the real command into the app's sweeps root: 6 LHS samples
    x 1 replication, 12 months."""
    from experiments.cli import main

    root = tmp_path_factory.mktemp("sweep")
    spec = root / "spec.toml"
    spec.write_text('title = "browser test"\nscenario = "baseline"\nmonths = 12\nsampler = "lhs"\nsamples = 6\n'
                    'replications = 1\nseed = 3\n[parameters]\nprice_elasticity = [0.6, 2.0]\n'
                    'power_build_multiplier = [0.3, 2.0]\n')
    out = served["sweeps"] / "small"
    assert main(["sweep", str(spec), "--out", str(out), "--workers", "1"]) == 0
    return out
