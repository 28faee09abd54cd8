"""Render a run's report.html to a PNG with headless Chromium, to look at what an analyst sees.

    .venv/bin/python scripts/render_report.py out/report.html /tmp/report.png
    .venv/bin/python scripts/render_report.py out/report.html docs/img/report.png --scale 0.75 --colours 64

Needs a Chromium (Debian: apt-get install chromium); the test suite never does.
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

BROWSERS = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable")


def browser() -> str:
    """Path of the first Chromium-like browser on PATH."""
    for name in BROWSERS:
        found = shutil.which(name)
        if found:
            return found
    sys.exit(f"no Chromium found (tried {', '.join(BROWSERS)}); on Debian: apt-get install chromium")


def screenshot(report: Path, png: Path, width: int, height: int) -> Path:
    """Write a `width` × `height` screenshot of `report` to `png`."""
    png.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as profile:  # a throw-away profile: no state from other runs
        subprocess.run(
            [browser(), "--headless", "--no-sandbox", "--disable-gpu", "--hide-scrollbars", "--no-first-run",
             f"--user-data-dir={profile}", f"--window-size={width},{height}", f"--screenshot={png.resolve()}",
             report.resolve().as_uri()],
            check=True, capture_output=True, timeout=120,
        )
    return png


def trimmed(png: Path, scale: float = 1.0, colours: int | None = None) -> Path:
    """Cut the blank window below the end of the page, then scale and reduce the colours (for docs/img).

    Needs Pillow (matplotlib, a pm4py dependency, brings it); without it the screenshot is left as it is.
    """
    try:
        from PIL import Image, ImageChops
    except ImportError:
        return png
    with Image.open(png) as image:
        picture = image.convert("RGB")
    blank = Image.new("RGB", picture.size, picture.getpixel((picture.width - 1, picture.height - 1)))
    box = ImageChops.difference(picture, blank).getbbox()
    if box:
        picture = picture.crop((0, 0, picture.width, box[3]))
    if scale != 1.0:
        picture = picture.resize((round(picture.width * scale), round(picture.height * scale)), Image.Resampling.LANCZOS)
    if colours:
        picture = picture.quantize(colors=colours, method=Image.Quantize.FASTOCTREE)
    picture.save(png, optimize=True)
    return png


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("report", type=Path, help="report.html of a run")
    parser.add_argument("png", type=Path, help="PNG to write")
    parser.add_argument("--width", type=int, default=1400)
    parser.add_argument("--height", type=int, default=9000, help="window height; the blank rest is cut off")
    parser.add_argument("--scale", type=float, default=1.0, help="resize the picture, e.g. 0.75")
    parser.add_argument("--colours", type=int, default=None, help="reduce to this many colours, e.g. 64 (smaller PNG)")
    args = parser.parse_args()
    if not args.report.is_file():
        sys.exit(f"{args.report}: no such file")
    print(trimmed(screenshot(args.report, args.png, args.width, args.height), args.scale, args.colours))


if __name__ == "__main__":
    main()
