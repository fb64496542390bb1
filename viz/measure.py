"""Measure the Live page's rendered step rate in the browser: ``python -m viz.measure``.

Opens Live with a 180-month horizon at maximum speed, waits for the 20-seed band to be
drawn (``--band computing``: plays at once, while it computes), presses play, and records in the
page when each month's label appears (a MutationObserver, browser clock). Prints months
per second around month 10 (months 5-15) and at the end (months 170-180), and their
ratio, for each of ``--repeats`` runs, then the medians. A measurement, not a test: the
machines are shared and noisy.
"""

from __future__ import annotations

import argparse
import statistics
import sys

from viz.browser import CHROMIUM_ARGS, app_server, chromium_path

OBSERVER = """() => { window.__months = {}; const seen = window.__months;
  new MutationObserver(() => { const el = document.querySelector('.live-month'); if (!el) return;
    const m = /Month: (\\d+)/.exec(el.textContent); if (m && !(m[1] in seen)) seen[m[1]] = performance.now(); })
  .observe(document.body, {subtree: true, childList: true, characterData: true}); }"""


def rate(seen: dict, a: int, b: int) -> float:
    return (b - a) / ((seen[str(b)] - seen[str(a)]) / 1000.0)


def measure(repeats: int, scenario: str, wait_band: bool = True) -> list[tuple[float, float]]:
    from playwright.sync_api import sync_playwright

    results = []
    with app_server() as url, sync_playwright() as p:
        browser = p.chromium.launch(executable_path=chromium_path(), args=CHROMIUM_ARGS)
        for _ in range(repeats):
            page = browser.new_context(viewport={"width": 1500, "height": 1500}).new_page()
            page.set_default_timeout(300_000)
            page.goto(f"{url}?months=180&speed=max&scenario={scenario}")
            page.get_by_text("Month: 0 of 180").wait_for()
            if wait_band:      # the 20-seed band drawn behind the two curves before play
                page.locator('.live-band-caption[data-state="ready"]').wait_for()
            page.evaluate(OBSERVER)
            page.get_by_role("button", name="▶").click()
            page.get_by_text("Month: 180 of 180").wait_for()
            seen = page.evaluate("window.__months")
            results.append((rate(seen, 5, 15), rate(seen, 170, 180)))
            page.context.close()
        browser.close()
    return results


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m viz.measure", description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--scenario", default="baseline")
    parser.add_argument("--band", choices=("drawn", "computing"), default="drawn",
                        help="play once the 20-seed band is drawn (default), or at once, while it computes")
    args = parser.parse_args(argv)
    results = measure(args.repeats, args.scenario, wait_band=args.band == "drawn")
    for i, (early, late) in enumerate(results, 1):
        print(f"run {i}: month 10: {early:.1f} months/s, month 180: {late:.1f} months/s, ratio {late / early:.2f}")
    early = statistics.median(r[0] for r in results)
    late = statistics.median(r[1] for r in results)
    print(f"median: month 10: {early:.1f} months/s, month 180: {late:.1f} months/s, ratio {late / early:.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
