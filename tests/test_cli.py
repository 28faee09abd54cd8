"""The `cxmining` command: run, sql and their one-line errors."""

from __future__ import annotations

import io
import logging
import os
import subprocess
import sys
from pathlib import Path

import duckdb
import pytest
from helpers import (
    CALLS_HEADER,
    REAL,
    ROOT,
    WEB_HEADER,
    call_row,
    real,
    run_cli,
    write_lines,
)
from typer.testing import CliRunner

from cxmining.cli import app
from cxmining.ingest.folder import landing_reports


def test_sql_prints_a_table_and_refuses_writes(landing: Path, tmp_path: Path, monkeypatch) -> None:
    write_lines(landing / "calls" / "c.csv", [CALLS_HEADER, call_row("K1"), call_row("K2", reason="product_info")])
    db = tmp_path / "s.duckdb"
    landing_reports(db, landing, "r")
    code, out, _ = run_cli(["sql", "SELECT activity, count(*) AS n FROM events GROUP BY 1 ORDER BY 1", "--db", str(db)],
                          monkeypatch)
    assert code == 0
    assert "Call: order status" in out and "Call: product info" in out
    code, out, _ = run_cli(["sql", "SELECT call_id FROM raw_calls ORDER BY 1", "--db", str(db), "--csv"], monkeypatch)
    assert out.splitlines() == ["call_id", "K1", "K2"]
    code, _, err = run_cli(["sql", "DELETE FROM raw_calls", "--db", str(db)], monkeypatch)
    assert code == 1
    assert err.startswith("error: query failed:") and err.count("\n") == 1
    code, _, err = run_cli(["sql", "SELEC 1", "--db", str(db)], monkeypatch)
    assert code == 1 and "syntax error" in err.lower() and err.count("\n") == 1
    code, _, err = run_cli(["sql", "SELECT 1", "--db", str(tmp_path / "none.duckdb")], monkeypatch)
    assert code == 1 and "no such database" in err
    # read-only in fact: no file written or read outside the store, and no setting can turn that back on
    outside = tmp_path / "outside.csv"
    outside.write_text("secret\nvalue\n")
    for query in (f"COPY (SELECT * FROM raw_calls) TO '{tmp_path / 'copy.csv'}'", f"SELECT * FROM read_csv('{outside}')",
                  f"ATTACH '{tmp_path / 'other.duckdb'}'", "SET enable_external_access = true",
                  f"EXPORT DATABASE '{tmp_path / 'export'}'"):
        code, out, err = run_cli(["sql", query, "--db", str(db)], monkeypatch)
        assert code == 1 and err.startswith("error: query failed:") and err.count("\n") == 1, query
        assert "secret" not in out + err
    assert not (tmp_path / "copy.csv").exists() and not (tmp_path / "other.duckdb").exists()
    assert not (tmp_path / "export").exists()


def test_sql_on_a_store_being_written_says_so_in_one_line(tmp_path: Path, monkeypatch) -> None:
    import subprocess
    import sys

    db = tmp_path / "busy.duckdb"
    writer = subprocess.Popen(
        [sys.executable, "-c", "import duckdb, sys, time\n"
         f"con = duckdb.connect({str(db)!r}); con.execute('CREATE TABLE a AS SELECT 1 AS x')\n"
         "print('writing', flush=True); sys.stdin.read()"],
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    try:
        assert writer.stdout.readline().strip() == "writing"
        code, _, err = run_cli(["sql", "SELECT * FROM a", "--db", str(db)], monkeypatch)
    finally:
        writer.communicate("")
    assert code == 1 and err == (f"error: {db}: in use by another process (PID {writer.pid}), which holds its lock, "
                                 "and it has no snapshot to read yet (the first run publishes one when it ends)\n")


def test_run_loads_then_loads_nothing_new(harness, landing: Path, tmp_path: Path, monkeypatch) -> None:
    write_lines(landing / "calls" / "c.csv", [CALLS_HEADER, call_row("K1"), call_row("K2", started="never")])
    write_lines(landing / "web" / "w.csv", [WEB_HEADER, "W1,S1,V1,,2026-09-01T08:00:00Z,search,/search,,"])
    db, out = tmp_path / "s.duckdb", tmp_path / "out"
    args = ["run", "--landing", str(landing), "--db", str(db), "--out", str(out)]
    code, stdout, _ = run_cli(args, monkeypatch)
    assert code == 0
    assert "events 2, quarantine 1, ingested_files 2" in stdout
    assert "conformance: not computed (no designed models: models/models.yaml in the landing folder or --models" in stdout
    assert (out / "run_summary.json").exists()
    code, stdout, _ = run_cli(args, monkeypatch)
    assert code == 0
    assert "events 2, quarantine 1, ingested_files 2" in stdout


def test_run_can_leave_precision_out(harness, tmp_path: Path, monkeypatch) -> None:
    import shutil

    from cxmining.synthetic import write_sample

    landing = tmp_path / "landing"
    write_sample(landing, customers=60, seed=2027, days=10)
    shutil.copytree(ROOT / "data" / "sample" / "models", landing / "models")
    db = tmp_path / "s.duckdb"
    args = ["run", "--landing", str(landing), "--db", str(db), "--out", str(tmp_path / "out")]
    precision = "SELECT precision FROM conformance_summary"
    code, stdout, err = run_cli([*args, "--no-precision"], monkeypatch)
    assert code == 0, err
    with duckdb.connect(str(db), read_only=True) as con:
        assert con.execute(precision).fetchall() == [(None,)]  # not computed: unknown, not 0 (test_flow computes it)
        fitness, journeys = con.execute("SELECT fitness, journeys FROM conformance_summary").fetchone()
        assert fitness > 0
        fixes = con.execute("SELECT count(*) FROM avoidable_calls").fetchone()[0]
    # the run ends with what an analyst wants first, read from the snapshot, and where the report is
    assert f"conformance of order journeys: fitness {fitness:.3f}, " in stdout
    assert f" of {journeys:,} fitting, precision unknown" in stdout
    assert ("fix first (avoidable calls per month" if fixes else "fix first: nothing flagged") in stdout
    assert stdout.rstrip().splitlines()[-1] == f"report: {tmp_path / 'out' / 'report.html'}"


def test_run_with_a_refused_file_exits_non_zero_with_one_line(harness, landing: Path, tmp_path: Path, monkeypatch) -> None:
    write_lines(landing / "calls" / "c.csv", ["call_id,started_at", "K1,2026-09-01T10:00:00Z"])
    write_lines(landing / "web" / "w.csv", [WEB_HEADER, "W1,S1,V1,,2026-09-01T08:00:00Z,search,/search,,"])
    db = tmp_path / "s.duckdb"
    logged: list[logging.LogRecord] = []
    handler = logging.Handler()
    handler.emit = logged.append  # type: ignore[method-assign]
    flow_log = logging.getLogger("prefect.flow_runs")
    flow_log.addHandler(handler)
    try:
        code, _, err = run_cli(["run", "--landing", str(landing), "--db", str(db), "--out", str(tmp_path / "o")],
                               monkeypatch)
    finally:
        flow_log.removeHandler(handler)
    assert code == 1
    last = err.strip().splitlines()[-1]
    assert last.startswith("error: 1 file(s) refused, first: calls/c.csv line 1: required column 'reason_code' is missing")
    # the flow's own error line says the same, without a traceback burying it
    failed = [r for r in logged if r.levelno >= logging.ERROR]
    assert failed and all(r.exc_info is None and "reason_code" in r.getMessage() for r in failed)


def test_missing_landing_folder_and_mapping_are_one_line_errors(tmp_path: Path, monkeypatch) -> None:
    code, _, err = run_cli(["run", "--landing", str(tmp_path / "nowhere")], monkeypatch)
    assert (code, err) == (1, f"error: {tmp_path / 'nowhere'}: landing folder not found\n")
    code, _, err = run_cli(["run", "--landing", str(tmp_path), "--mapping", str(tmp_path / "m.yaml")], monkeypatch)
    assert (code, err) == (1, f"error: {tmp_path / 'm.yaml'}: mapping file not found\n")


def test_run_passes_every_flow_parameter_with_the_value_given(tmp_path: Path, monkeypatch) -> None:
    """Each parameter of the nightly flow has an option on `cxmining run`, and what is given reaches the flow."""
    import inspect

    from cxmining import flows
    from cxmining.report import headline
    from cxmining.runs import embedded_server
    from pipelines.nightly import nightly

    for name in ("landing", "scenarios"):
        (tmp_path / name).mkdir()
    (tmp_path / "models.yaml").write_text("{}")
    given = {"landing": tmp_path / "landing", "db": tmp_path / "s.duckdb", "out": tmp_path / "out",
             "lookback_days": 9, "quiet_days": 4, "noise": 0.3, "rediscover_drift": 0.07, "models": tmp_path / "models.yaml",
             "scenarios": tmp_path / "scenarios", "resimulate_drift": 0.09, "method": "token_replay", "timeout": 2.5,
             "aligner": "pm4py", "max_states": 1234, "drift_fitness_drop": 0.11, "drift_failure_share_rise": 0.12,
             "drift_avoidable_calls_rise": 0.33}
    args = ["run", "--rebuild", "--no-precision"] + [a for k, v in given.items()
                                                     for a in (f"--{k.replace('_', '-')}", str(v))]
    received: dict = {}

    def flow(**parameters):
        received.update(parameters)
        return {"run_id": "r", "store": {}, "summary": "s", "snapshot": "p", "files": {}, "skipped": {}}

    monkeypatch.setattr(flows, "nightly_flow", lambda: flow)
    monkeypatch.setattr(embedded_server, "embedded_server_url", lambda: "http://test")
    monkeypatch.setattr(headline, "headline_lines", lambda db: [])  # no store behind the stand-in flow
    code, _, err = run_cli(args, monkeypatch)
    assert code == 0, err
    assert set(received) == set(inspect.signature(nightly.fn).parameters)  # every parameter of the flow
    named = {"conformance_method": "method", "variant_timeout_s": "timeout", "conformance_aligner": "aligner",
             "conformance_max_states": "max_states"}
    for parameter, value in received.items():
        if (option := named.get(parameter, parameter)) in given:
            assert value == given[option], option
    assert (received["rebuild"], received["conformance_precision"], received["mapping"]) == (True, False, None)


def test_version_and_bad_settings_are_one_line(tmp_path: Path, monkeypatch) -> None:
    from importlib.metadata import version

    code, out, _ = run_cli(["--version"], monkeypatch)
    assert (code, out) == (0, f"cxmining {version('cxmining')}\n")
    code, _, err = run_cli(["run", "--landing", str(tmp_path), "--method", "guess"], monkeypatch)
    assert (code, err) == (1, "error: conformance method must be one of alignments, token_replay, got 'guess'\n")
    code, _, err = run_cli(["run", "--landing", str(tmp_path), "--models", str(tmp_path / "m.yaml")], monkeypatch)
    assert (code, err) == (1, f"error: {tmp_path / 'm.yaml'}: designed models' config not found\n")


def test_help_lists_the_commands() -> None:
    result = CliRunner().invoke(app, ["--help"])
    assert result.exit_code == 0
    for command in ("sample", "run", "sql", "import-log"):
        assert command in result.output


def test_console_script_runs_the_flow_in_embedded_mode(landing: Path, tmp_path: Path) -> None:
    """The real user path: a subprocess, Prefect's embedded server, no harness."""
    write_lines(landing / "calls" / "c.csv", [CALLS_HEADER, call_row("K1")])
    env = os.environ | {"PREFECT_HOME": str(tmp_path / "prefect-home")}
    cmd = [sys.executable, "-m", "cxmining.cli", "run", "--landing", str(landing), "--db", str(tmp_path / "s.duckdb"),
           "--out", str(tmp_path / "out")]
    proc = subprocess.run(cmd, capture_output=True, text=True, env=env, cwd=ROOT, timeout=180)
    assert proc.returncode == 0, proc.stderr[-2000:]
    logged = proc.stderr + proc.stdout
    assert "calls: 1 file: 1 loaded (read 1 = loaded 1 + quarantined 0 + duplicates 0), 0 skipped (already loaded), " \
           "0 refused" in logged
    assert "calls/c.csv" not in logged  # each file's line is at debug level: one line per source


CCC19 = REAL / "ccc19-cvc-normative"
BPIC2020 = REAL / "bpic2020-travel"


def test_conformance_command_on_real_designed_models(tmp_path: Path, monkeypatch) -> None:
    real(CCC19), real(BPIC2020)
    db = str(tmp_path / "ccc.duckdb")
    code, _, err = run_cli(["import-log", str(CCC19 / "CCC19 - Log XES.xes"), "--db", db, "--out", str(tmp_path / "o1")],
                           monkeypatch)
    assert code == 0, err
    code, out, err = run_cli(["conformance", str(CCC19 / "CCC19 - Model BPMN.bpmn"), "--db", db, "--out", str(tmp_path / "c")], monkeypatch)
    assert code == 0, err
    assert out.startswith("20 journeys, 20 variants: fitness 0.")
    assert "model tasks matching no activity" not in out  # the normative model speaks the log's language
    assert (tmp_path / "c" / "deviation_map_CCC19_-_Model_BPMN.svg").is_file()
    code, out, _ = run_cli(["conformance", str(CCC19 / "CCC19 - Model BPMN.bpmn"), "--db", db, "--out", str(tmp_path / "c")], monkeypatch)
    assert "aligned 0, from cache 20" in out  # the second run aligns nothing new

    db = str(tmp_path / "travel.duckdb")
    run_cli(["import-log", str(BPIC2020 / "DomesticDeclarations.xes.gz"), "--db", db, "--out", str(tmp_path / "o2")],
            monkeypatch)
    model = str(BPIC2020 / "declaration_documents.designed.bpmn")
    code, out, _ = run_cli(["conformance", model, "--db", db, "--out", str(tmp_path / "t")], monkeypatch)
    assert code == 0 and "fitness 0.0000" in out  # without the label mapping nothing matches
    code, out, _ = run_cli(["conformance", model, "--db", db, "--out", str(tmp_path / "t"), "--labels", str(ROOT / "tests" / "data" / "bpic2020_labels.yaml")],
                           monkeypatch)
    assert code == 0 and "10357 journeys" in out and "fitness 0.0000" not in out
    assert "Declaration APPROVED by BUDGET OWNER" in out


def test_under_the_bars_prefect_says_nothing_of_tasks_that_finished_as_they_should(monkeypatch: pytest.MonkeyPatch) -> None:
    from cxmining.terminal import progress_bars

    class Tty(io.StringIO):
        def isatty(self) -> bool:
            return True

    monkeypatch.setattr(sys, "stderr", Tty())
    monkeypatch.delenv("CXMINING_NO_PROGRESS", raising=False)
    seen: list[str] = []
    tasks = logging.getLogger("prefect.task_runs")
    handler = logging.Handler()
    handler.emit = lambda record: seen.append(record.getMessage())  # type: ignore[method-assign]
    tasks.addHandler(handler)
    old_level = tasks.level
    tasks.setLevel(logging.INFO)
    try:
        with progress_bars():
            for message in ("Finished in state Completed()", "journeys: 832 journeys", "Finished in state Failed('x')"):
                tasks.info(message)
        tasks.info("Finished in state Completed()")  # the bars are gone: Prefect's line is back
    finally:
        tasks.removeHandler(handler)
        tasks.setLevel(old_level)
    assert seen == ["journeys: 832 journeys", "Finished in state Failed('x')", "Finished in state Completed()"]


@pytest.mark.parametrize(("set_by_user", "expected"), [(None, "90"), ("30", "30")])
def test_the_embedded_server_gets_time_to_start_unless_the_user_said_otherwise(
        set_by_user: str | None, expected: str, monkeypatch: pytest.MonkeyPatch) -> None:
    from cxmining.cli import main

    name = "PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS"
    if set_by_user is None:
        monkeypatch.delenv(name, raising=False)
    else:
        monkeypatch.setenv(name, set_by_user)
    monkeypatch.setattr(sys, "argv", ["cxmining", "--version"])
    with pytest.raises(SystemExit):
        main()
    assert os.environ[name] == expected
