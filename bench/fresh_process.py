"""One side of a side-by-side benchmark run in a fresh interpreter, so its time and peak memory are its own."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def fresh_process_report(code: str, *args: str) -> dict:
    """Run `code` with `args` in a new Python process from the checkout's root; the JSON object its last line prints."""
    done = subprocess.run([sys.executable, "-c", code, *args], capture_output=True, text=True, cwd=ROOT)
    if done.returncode != 0:
        raise SystemExit(f"benchmark side failed:\n{done.stderr[-3000:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def child_report(script: Path, mode: str, base: Path, work: Path, *options: str,
                 env: dict[str, str] | None = None) -> tuple[dict, Path]:
    """Run `script --child MODE --db COPY OPTIONS...` in a new Python process on a fresh copy of the store `base` (in
    `work`, named after the mode); the JSON object its last line prints, and the copy."""
    db = Path(shutil.copy(base, work / f"{mode.replace(' ', '-')}.duckdb"))
    done = subprocess.run([sys.executable, str(script), "--child", mode, "--db", str(db), *options], env=env,
                          capture_output=True, text=True)
    if done.returncode:
        raise SystemExit(f"{mode} failed: {done.stderr[-2000:]}")
    return json.loads(done.stdout.strip().splitlines()[-1]), db
