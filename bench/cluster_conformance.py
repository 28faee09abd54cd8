"""Benchmark: conformance in one process vs its new variants aligned in batches on a Dask LocalCluster (docs/scaling.md).

    python bench/cluster_conformance.py                                  # 20,000 customers, r4pm, LocalCluster(2)
    python bench/cluster_conformance.py --aligner pm4py --batch 200 --workers 2 --work /tmp/cluster-conformance

The input is a sample of `--customers` customers (`cxmining sample`'s generator, seed 7) loaded, stitched and mined
once (cached in --work as base-<customers>.duckdb), checked against the sample's designed models
(data/sample/models/models.yaml) with an empty alignment cache: every variant in scope is aligned (a cold night, the
most a night aligns). Each run starts from a copy of it, in a fresh subprocess that reports its own peak RSS (VmHWM):

  one process:   cxmining.conformance.outputs.conformance_outputs (what the nightly `conformance` task runs)
  cluster:       model_batches, then batch_results on each batch through a plain dask.distributed Client (the
                 workers' peaks read on the workers), then batched_outcome (precision, publishing, model diff and
                 deviation map, in the coordinator); each step timed apart
  prefect-dask:  the nightly flow's subflow (pipelines/partitioned_conformance.py) with DaskTaskRunner(LocalCluster):
                 what `cxmining run --cluster local:N` runs, the cluster's start-up included, Prefect's server not

The parent checks that the stores' conformance tables are equal (with r4pm, moves and deviations left out: its choice
among equally good alignments is not fixed from one process to the next, docs/conformance.md) and writes
bench/results/cluster_conformance.json.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from pathlib import Path

import duckdb
from fresh_process import child_environment, child_report, sample_store
from scale import peak_rss_mb

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(ROOT))  # this checkout's cxmining and pipelines, here as in the children (PYTHONPATH)
MODELS = ROOT / "data" / "sample" / "models" / "models.yaml"
TABLES = {  # what each run publishes; r4pm's tie-dependent columns and tables in TIES instead
    "variant_conformance": "SELECT * FROM variant_conformance ORDER BY variant_id",
    "conformance_journeys": "SELECT * FROM conformance_journeys ORDER BY journey_id",
    "deviations": "SELECT * FROM deviations ORDER BY ALL",
    "conformance_summary": "SELECT * EXCLUDE (seconds, computed_at) FROM conformance_summary",
}
TIES = {"variant_conformance": "SELECT * EXCLUDE (moves) FROM variant_conformance ORDER BY variant_id",
        "deviations": "SELECT sum(journeys) FROM deviations"}


def base_store(work: Path, customers: int) -> Path:
    """The sample of `customers` customers with journeys and mining tables (built once)."""
    return sample_store(work, customers, seed=7, through="statistics")


def settings_of(aligner: str):  # noqa: ANN201 - ConformanceSettings, imported in the child
    from cxmining.conformance.settings import ConformanceSettings

    return ConformanceSettings(aligner=aligner)  # type: ignore[arg-type]


def one_process(db: Path, out: Path, aligner: str, workers: int, size: int) -> dict:
    from cxmining.conformance.outputs import conformance_outputs

    began = time.perf_counter()
    outcomes = conformance_outputs(db, MODELS, out, settings_of(aligner))
    return {"seconds": time.perf_counter() - began, "coordinator_peak_mb": peak_rss_mb(),
            "variants": sum(o.report.computed_variants for o in outcomes)}


def on_cluster(db: Path, out: Path, aligner: str, workers: int, size: int) -> dict:
    from distributed import Client, LocalCluster

    from cxmining.conformance.batches import batch_results
    from cxmining.conformance.outputs import batched_outcome, checked_models, model_batches

    settings = settings_of(aligner)
    began = time.perf_counter()
    with LocalCluster(n_workers=workers, threads_per_worker=1, processes=True, dashboard_address=":0") as cluster, \
            Client(cluster) as client:
        started = time.perf_counter()
        steps, variants, batches = {"batches": 0.0, "workers": 0.0, "publish": 0.0}, 0, 0
        for journey_type in checked_models(db, MODELS):
            lap = time.perf_counter()
            written = model_batches(db, MODELS, journey_type, settings, size)
            steps["batches"] += time.perf_counter() - lap
            lap = time.perf_counter()
            results = client.gather(client.map(batch_results, written.batches, net=written.net, settings=settings,
                                               pure=False))
            steps["workers"] += time.perf_counter() - lap
            lap = time.perf_counter()
            batched_outcome(db, MODELS, journey_type, out, settings, written, results)
            steps["publish"] += time.perf_counter() - lap
            variants, batches = variants + written.variants, batches + len(written.batches)
        ended = time.perf_counter()
        worker_peaks = client.run(peak_rss_mb)
    return {"seconds": ended - started, "cluster_start_seconds": started - began, "steps": steps,
            "variants": variants, "batches": batches, "coordinator_peak_mb": peak_rss_mb(),
            "worker_peaks_mb": sorted(worker_peaks.values())}


def through_prefect(db: Path, out: Path, aligner: str, workers: int, size: int) -> dict:
    from cxmining.cluster import Cluster
    from cxmining.runs.embedded_server import embedded_server_url
    from pipelines.partitioned_conformance import conformance_on

    embedded_server_url()  # Prefect's temporary server, started before the clock
    began = time.perf_counter()
    outcomes = conformance_on(Cluster(workers=workers))(db, MODELS, out, settings_of(aligner), size)
    return {"seconds": time.perf_counter() - began, "coordinator_peak_mb": peak_rss_mb(),
            "variants": sum(o.report.computed_variants for o in outcomes)}


MODES = {"one process": one_process, "cluster": on_cluster, "prefect-dask": through_prefect}


def same_conformance(one: Path, other: Path, aligner: str) -> bool:
    """The conformance tables of two stores are equal (r4pm's tie-dependent ones as TIES says)."""
    with duckdb.connect(str(one), read_only=True) as a, duckdb.connect(str(other), read_only=True) as b:
        for name, query in TABLES.items():
            query = TIES.get(name, query) if aligner == "r4pm" else query
            if a.execute(query).fetchall() != b.execute(query).fetchall():
                print(f"{name} differs", file=sys.stderr)
                return False
    return True


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--customers", type=int, default=20_000)
    parser.add_argument("--aligner", choices=("r4pm", "pm4py"), default="r4pm")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--batch", type=int, default=200, help="variants per batch (--conformance-batch)")
    parser.add_argument("--work", type=Path, default=Path("/tmp/cxmining-cluster-conformance"))
    parser.add_argument("--modes", default=",".join(MODES), help="comma-separated: " + ", ".join(MODES))
    parser.add_argument("--child", help=argparse.SUPPRESS)
    parser.add_argument("--db", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        result = MODES[args.child](args.db, args.db.with_suffix(".out"), args.aligner, args.workers, args.batch)
        print(json.dumps(result))
        return
    args.work.mkdir(parents=True, exist_ok=True)
    base = base_store(args.work, args.customers)
    env = child_environment()
    results, stores = {}, {}
    for mode in args.modes.split(","):
        results[mode], stores[mode] = child_report(Path(__file__), mode, base, args.work, "--aligner", args.aligner,
                                                    "--workers", str(args.workers), "--batch", str(args.batch), env=env)
        r = results[mode]
        print(f"{mode:>12}: {r['seconds']:6.1f} s for {r['variants']} variants, coordinator peak "
              f"{r['coordinator_peak_mb']:5.0f} MB"
              + (f", workers' peaks {', '.join(f'{m:.0f}' for m in r['worker_peaks_mb'])} MB; {r['batches']} batches "
                 f"{r['steps']['batches']:.1f} s, workers {r['steps']['workers']:.1f} s, publish "
                 f"{r['steps']['publish']:.1f} s, cluster start {r['cluster_start_seconds']:.1f} s" if "steps" in r else ""))
    if "one process" in stores:
        for mode, db in stores.items():
            if mode != "one process":
                equal = same_conformance(stores["one process"], db, args.aligner)
                results[mode]["same_as_one_process"] = equal
                print(f"{mode}: the same conformance as one process: {equal}")
    report = {"customers": args.customers, "aligner": args.aligner, "workers": args.workers, "batch": args.batch,
              "cpus": os.cpu_count(), "results": results}
    (HERE / "results").mkdir(exist_ok=True)
    (HERE / "results" / f"cluster_conformance-{args.aligner}.json").write_text(json.dumps(report, indent=2))


if __name__ == "__main__":
    main()
