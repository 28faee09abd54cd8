"""Render each view of `cxmining explore` on a store to PNGs, with Playwright and Debian's Chromium, to look at what an
analyst sees (docs/explore.md), and time the slowest API call.

    .venv/bin/python scripts/render_explorer.py --db cxmining.duckdb --out docs/img

Writes explore-landing.png, explore-map.png, explore-variants.png, explore-journeys.png, explore-timeline.png.
"""

from __future__ import annotations

import argparse
import json
import time
import urllib.request
from pathlib import Path

from playwright.sync_api import sync_playwright

from cxmining.explore.app import background_server, explorer_app

CHROMIUM = "/usr/bin/chromium"
API_CALLS = ("overview", "map", "map?type=order", "variants", "variants?type=order&sort=fitness",
             "journeys", "journeys?step=Call:%20order%20status")


def slowest_call(url: str) -> tuple[str, float]:
    """The slowest of a few API calls on the running explorer and its seconds (each timed on its second call)."""
    timed = []
    for call in API_CALLS:
        for _ in range(2):
            started = time.perf_counter()
            with urllib.request.urlopen(f"{url}api/{call}") as response:
                json.load(response)
            seconds = time.perf_counter() - started
        timed.append((call, seconds))
    return max(timed, key=lambda t: t[1])


def rendered(db: Path, out: Path, width: int = 1400, height: int = 900) -> list[Path]:
    """The PNG of each view of the explorer on `db`, in `out`."""
    out.mkdir(parents=True, exist_ok=True)
    written = []
    with background_server(explorer_app(db)) as url, sync_playwright() as playwright:
        call, seconds = slowest_call(url)
        print(f"slowest API call: /api/{call}, {seconds:.3f} s")
        browser = playwright.chromium.launch(executable_path=CHROMIUM)
        page = browser.new_page(viewport={"width": width, "height": height})

        def shot(route: str, view: str, name: str) -> None:
            page.goto(f"{url}#{route}")
            page.wait_for_function(f"document.body.dataset.ready === '{view}'")
            page.wait_for_timeout(400)  # the map's layout settles
            path = out / f"explore-{name}.png"
            page.screenshot(path=str(path), full_page=name not in ("map",))
            written.append(path)

        shot("/", "home", "landing")
        shot("/map?type=order", "map", "map")
        shot("/variants?type=order", "variants", "variants")
        shot("/journeys?cause=order%20communication", "journeys", "journeys")
        first = page.locator("#journeys a").first.get_attribute("href")
        shot(first.lstrip("#"), "journey", "timeline")
        browser.close()
    return written


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", type=Path, required=True, help="DuckDB file of the store (its snapshot is read)")
    parser.add_argument("--out", type=Path, default=Path("docs/img"), help="folder for the PNGs")
    args = parser.parse_args()
    for path in rendered(args.db, args.out):
        print(f"wrote {path}")


if __name__ == "__main__":
    main()
