"""Take a screenshot of each page of the app: ``python -m viz.screenshots [--out DIR]``.

Starts the real app on a free 127.0.0.1 port, drives it with Debian's Chromium through
Playwright (``pip install -e '.[test]'`` and ``apt-get install -y chromium``), and writes
``live.png``, ``compare.png``, ``debate.png``, ``sweeps.png``, ``info.png`` and ``phone.png``
(Live at 390 px; the README shows them all), and ``live-market.png``: Live's market row (the
valuation beside the belief mix) with its captions.
The Sweeps shot uses a small sweep run on the spot unless ``--sweep DIR`` is given; the
app is started with that sweep's parent folder as its sweeps root (``--sweeps``).
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path

from viz.browser import CHROMIUM_ARGS, app_server, chromium_path

SMALL_SWEEP = """title = "Screenshot sweep: elasticity against the power build"
scenario = "baseline"
months = 48
sampler = "lhs"
samples = 24
replications = 1
seed = 7
[parameters]
price_elasticity = [0.6, 2.0]
power_build_multiplier = [0.3, 2.0]
hyperscaler_optimism = [0.8, 2.5]
"""


#: The phone shot's viewport: a 390 px wide phone held upright (issue 10: usable at 390 px).
PHONE = {"width": 390, "height": 1400}


def small_sweep(folder: Path) -> Path:
    from experiments.cli import main

    spec = folder / "spec.toml"
    spec.write_text(SMALL_SWEEP)
    out = folder / "sweep"
    if main(["sweep", str(spec), "--out", str(out), "--workers", "2"]) != 0:
        raise SystemExit("the screenshot sweep failed")
    return out


def take(out: Path, sweep: Path) -> list[Path]:
    from playwright.sync_api import sync_playwright

    out.mkdir(parents=True, exist_ok=True)
    shots = []
    with app_server(args=["--sweeps", str(sweep.resolve().parent)]) as url, sync_playwright() as p:
        browser = p.chromium.launch(executable_path=chromium_path(), args=CHROMIUM_ARGS)
        page = browser.new_page(viewport={"width": 1500, "height": 1500})
        page.set_default_timeout(120_000)
        page.goto(url + "?speed=max")
        page.get_by_text("Month: 0 of 72").wait_for()
        page.get_by_role("button", name="▶").click()
        page.get_by_text("Month: 72 of 72").wait_for()
        page.locator('.live-band-caption[data-state="ready"]').wait_for()
        page.wait_for_timeout(1000)
        shots.append(_shot(page, out / "live.png"))
        shots.append(_shot(page.locator(".live-market"), out / "live-market.png"))
        page.get_by_role("tab", name="Compare").click()
        page.get_by_role("button", name="Run both").click()
        page.locator(".compare-table").wait_for()
        page.locator(".compare-band-caption.band-ready").wait_for()
        shots.append(_shot(page, out / "compare.png"))
        page.get_by_role("tab", name="Debate").click()
        page.locator(".debate-card").first.wait_for()
        shots.append(_shot(page, out / "debate.png"))
        page.get_by_role("tab", name="Sweeps").click()
        page.locator(".v-select").filter(has=page.locator("label", has_text="sweep folder")) \
            .locator(".v-select__slot").click()
        page.locator(".v-menu__content.menuable__content__active").get_by_role(
            "option", name=sweep.name, exact=True).click()
        page.keyboard.press("Escape")
        page.get_by_role("button", name="Open").click()
        page.locator(".sweep-heatmap img").wait_for()
        shots.append(_shot(page, out / "sweeps.png"))
        page.get_by_role("tab", name="Info").click()
        page.locator(".info-run").first.wait_for()
        shots.append(_shot(page, out / "info.png"))
        phone = browser.new_page(viewport=PHONE)
        phone.set_default_timeout(120_000)
        phone.goto(url + "?speed=max&months=36&autoplay=1")
        phone.get_by_text("Month: 36 of 36").wait_for()
        # the controls stack above the run at 390 px: show the run, from its verdict down
        phone.evaluate("document.querySelector('.verdict-banner').scrollIntoView()")
        shots.append(_shot(phone, out / "phone.png"))
        browser.close()
    return shots


def _shot(target, path: Path) -> Path:
    """A screenshot of a page (its viewport) or of one element (a locator, scrolled into view)."""
    page = getattr(target, "page", target)
    page.wait_for_timeout(800)
    target.screenshot(path=str(path))
    print(f"wrote {path}")
    return path


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m viz.screenshots", description=__doc__.splitlines()[0])
    parser.add_argument("--out", default="docs/screenshots", help="folder for the PNGs (default: docs/screenshots)")
    parser.add_argument("--sweep", help="a sweep folder for the Sweeps page (default: run a small one)")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as tmp:
        sweep = Path(args.sweep) if args.sweep else small_sweep(Path(tmp))
        take(Path(args.out), sweep)
    return 0


if __name__ == "__main__":
    sys.exit(main())
