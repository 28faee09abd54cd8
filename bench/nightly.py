"""Benchmark of the whole night: `cxmining run` cold and with one day added, beside the plain pandas + pm4py pipeline.

    python bench/nightly.py --customers 50000             # about 1M rows (60 daily files per source)
    python bench/nightly.py --customers 500000 --no-plain  # about 10M rows
    python bench/nightly.py --customers 2000 --quick       # a look in a minute

A landing folder is generated once (`cxmining sample`, with the sample's designed models and scenarios, so every
step runs) and cached under --work. Its last day is held back. The cold night runs `cxmining run` on a new store with
every other day; the warm night lands the held-back day and runs again on that store. Both are whole commands in a
subprocess (Prefect's start-up included), timed from outside, with the peak resident memory of the largest process
(GNU time's %M) and each step's seconds and peak from the store's `run_steps`. The plain pipeline
(bench/plain_pipeline.py: pandas read, stitching by phone, DFG, variants, inductive miner, token replay) runs on the
same complete folder in its own process. A Markdown table with the ratios is printed and the figures are written to
<work>/nightly-<customers>.json.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import duckdb

HERE = Path(__file__).resolve().parent


def landing_folder(work: Path, customers: int, seed: int) -> tuple[Path, Path, str]:
    """The generated landing folder (with models and scenarios), the folder its last day is held in, and that day."""
    from cxmining.synthetic import write_sample

    landing, held = work / f"landing-{customers}-{seed}", work / f"held-{customers}-{seed}"
    if not landing.is_dir():
        shutil.rmtree(held, ignore_errors=True)
        write_sample(landing, customers=customers, seed=seed, designed=True)
    days = sorted({p.stem.rsplit("_", 1)[-1] for p in landing.glob("calls/*.csv")} |
                  {p.stem.rsplit("_", 1)[-1] for p in held.glob("calls/*.csv")})
    return landing, held, days[-1]


def hold_back(landing: Path, held: Path, day: str) -> None:
    """Move the files of `day` out of the landing folder."""
    for path in landing.glob(f"*/*_{day}.*"):
        target = held / path.parent.name / path.name
        target.parent.mkdir(parents=True, exist_ok=True)
        path.replace(target)


def land(landing: Path, held: Path) -> int:
    """Move the held-back files into the landing folder; how many rows they hold."""
    rows = 0
    for path in held.glob("*/*"):
        rows += max(sum(1 for _ in path.open("rb")) - 1, 0)
        path.replace(landing / path.parent.name / path.name)
    return rows


def timed_run(landing: Path, db: Path, out: Path, work: Path) -> dict:
    """`cxmining run` as a subprocess: wall seconds, peak MiB of its largest process, each step from run_steps."""
    peak_file = work / "peak.txt"
    env = {**os.environ, "PREFECT_HOME": str(work / ".prefect"), "PREFECT_SERVER_ANALYTICS_ENABLED": "false"}
    command = ["/usr/bin/time", "-f", "%M", "-o", str(peak_file),
               str(Path(sys.executable).with_name("cxmining")), "run", "--landing", str(landing), "--db", str(db),
               "--out", str(out)]
    began = time.perf_counter()
    done = subprocess.run(command, env=env, capture_output=True, text=True)
    wall = time.perf_counter() - began
    if done.returncode not in (0, 3):
        raise SystemExit(f"cxmining run failed ({done.returncode}): {done.stderr[-2000:]}")
    with duckdb.connect(str(db), read_only=True) as con:
        run_id = con.execute("SELECT run_id FROM runs ORDER BY started_at DESC LIMIT 1").fetchone()[0]
        steps = con.execute("SELECT step, seconds, peak_mb FROM run_steps WHERE run_id = $r ORDER BY started_at",
                            {"r": run_id}).fetchall()
        rows = con.execute("SELECT rows_loaded FROM runs WHERE run_id = $r", {"r": run_id}).fetchone()[0]
    # the run resets its high-water mark at every step (run_steps.peak_mb), so GNU time's figure is the last steps'
    # peak only: the process's peak is the larger of the two
    peaks = [peak for _, _, peak in steps if peak is not None] + [int(peak_file.read_text().split()[-1]) / 1024]
    return {"wall_seconds": wall, "peak_mib": max(peaks), "rows_loaded": rows,
            "steps": [{"step": s, "seconds": sec, "peak_mib": peak} for s, sec, peak in steps],
            "step_seconds": sum(sec for _, sec, _ in steps)}


def plain_run(landing: Path, timeout: float) -> dict | None:
    """bench/plain_pipeline.py on the landing folder in its own process; None when it did not finish in `timeout`."""
    try:
        done = subprocess.run([sys.executable, str(HERE / "plain_pipeline.py"), str(landing), "--json"],
                              capture_output=True, text=True, timeout=timeout)
    except subprocess.TimeoutExpired:
        return None
    if done.returncode:
        raise SystemExit(f"plain pipeline failed: {done.stderr[-2000:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def table(customers: int, cold: dict, warm: dict, plain: dict | None, timeout: float | None, added_rows: int) -> str:
    """The figures as Markdown."""
    warm_steps = {s["step"]: s for s in warm["steps"]}
    mb = lambda v: "–" if v is None else f"{v:,.0f}"  # noqa: E731 - a formatter
    lines = [f"### {customers:,} customers: cold night, then one day added ({added_rows:,} rows)", "",
             "| step | cold s | cold peak MiB | warm s | warm peak MiB |", "|---|---|---|---|---|"]
    for s in cold["steps"]:
        w = warm_steps.get(s["step"], {})
        lines.append(f"| {s['step']} | {s['seconds']:.1f} | {mb(s['peak_mib'])} | "
                     f"{w.get('seconds', 0.0):.1f} | {mb(w.get('peak_mib'))} |")
    lines += [f"| **steps** | **{cold['step_seconds']:.1f}** | | **{warm['step_seconds']:.1f}** | |",
              f"| whole command (Prefect start-up included) | {cold['wall_seconds']:.1f} | {mb(cold['peak_mib'])} "
              f"(the run's process) | {warm['wall_seconds']:.1f} | {mb(warm['peak_mib'])} |", ""]
    if plain is None:
        lines.append("Plain pandas + pm4py pipeline: not run." if timeout is None else
                     f"Plain pandas + pm4py pipeline: did not finish within {timeout:.0f} s.")
        return "\n".join(lines)
    lines += ["| plain pandas + pm4py step | s |", "|---|---|"]
    lines += [f"| {step} | {s:.1f} |" for step, s in plain["seconds"].items()]
    lines += [f"| **total** | **{plain['total_seconds']:.1f}** (peak {plain['peak_mib']:,.0f} MiB) |", "",
              f"Cold night against the plain pipeline: steps {plain['total_seconds'] / cold['step_seconds']:.1f}x "
              f"faster, whole command {plain['total_seconds'] / cold['wall_seconds']:.1f}x; a night with one day "
              f"added: steps {plain['total_seconds'] / warm['step_seconds']:.1f}x, whole command "
              f"{plain['total_seconds'] / warm['wall_seconds']:.1f}x. (Plain: {plain['events']:,} events, "
              f"{plain['cases']:,} cases, {plain['variants']:,} variants, fitness {plain['fitness']:.3f}.)"]
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--customers", type=int, default=50_000)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--work", type=Path, default=HERE / "results" / "nightly")
    parser.add_argument("--no-plain", action="store_true", help="leave out the plain pandas + pm4py pipeline")
    parser.add_argument("--plain-timeout", type=float, default=7200.0)
    parser.add_argument("--quick", action="store_true", help="no plain pipeline: the night alone")
    args = parser.parse_args()
    work = args.work.resolve()
    work.mkdir(parents=True, exist_ok=True)
    landing, held, day = landing_folder(work, args.customers, args.seed)
    land(landing, held)
    hold_back(landing, held, day)
    db, out = work / f"store-{args.customers}.duckdb", work / f"out-{args.customers}"
    for stale in work.glob(f"store-{args.customers}*"):
        stale.unlink()
    for stale in work.glob(f".store-{args.customers}*"):
        shutil.rmtree(stale) if stale.is_dir() else stale.unlink()
    print(f"cold night on {landing} (day {day} held back)", file=sys.stderr, flush=True)
    cold = timed_run(landing, db, out, work)
    added = land(landing, held)
    print(f"warm night: {added:,} rows of {day} added", file=sys.stderr, flush=True)
    warm = timed_run(landing, db, out, work)
    plain = None
    if not (args.no_plain or args.quick):
        print("plain pandas + pm4py pipeline", file=sys.stderr, flush=True)
        plain = plain_run(landing, args.plain_timeout)
    report = table(args.customers, cold, warm, plain, None if args.no_plain or args.quick else args.plain_timeout, added)
    (work / f"nightly-{args.customers}.json").write_text(json.dumps(
        {"customers": args.customers, "seed": args.seed, "day_added": day, "rows_added": added, "cold": cold,
         "warm": warm, "plain": plain}, indent=2))
    print(report)


if __name__ == "__main__":
    main()
