"""Competitor comparison: other companies' journeys and published figures next to our own, KPI by KPI.

Benchmark data lives in tables of its own (benchmark_events, benchmark_kpis) and never mixes with our journeys. The
KPIs of our order journeys and of every imported log are computed by the same SQL (sql/competitors/), so both sides
are measured the same way (docs/benchmark.md).
"""

from __future__ import annotations

import csv
from dataclasses import dataclass, field
from fnmatch import fnmatchcase
from pathlib import Path
from typing import Any, Literal

import duckdb
import polars as pl
from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    ValidationError,
    field_validator,
    model_validator,
)

from cxmining.config import (
    Strict,
    config_table,
    csv_delimiter,
    first_problem,
    known_time_zone,
    validated,
)
from cxmining.errors import (
    CxminingError,
    LandingError,
    MappingError,
    StoreError,
    first_line,
)
from cxmining.eventlog.reader import (
    XES_ACTIVITY,
    XES_CASE,
    XES_TIMESTAMP,
    CsvDialect,
    LogMapping,
    LogTables,
    known_timezone,
    load_source,
    log_tables,
    naive_time_zone,
    parse_source,
)
from cxmining.store import (
    opened,
    registered,
    relations,
    run_sql,
    sql_text,
    transaction,
    utc_now,
)

OURS = "ours"  # the company name of our own figures
TABLE_FILES = {"benchmark_events": "competitors/benchmark_events.sql", "benchmark_kpis": "competitors/benchmark_kpis.sql"}
WORKING_FILES = (  # order matters: each reads the ones before
    "competitors/kpi_events.sql", "competitors/kpi_journeys.sql", "competitors/measured_kpis.sql",
    "competitors/kpi_values.sql", "competitors/kpi_comparison.sql",
)
WORKING_TABLES = ("kpi_failure_contacts", "benchmark_metrics", "kpi_events", "kpi_journeys", "measured_kpis",
                  "kpi_values", "kpi_comparison")
KPI_SUFFIXES = (".yaml", ".yml", ".toml")
KPI_COLUMNS = ("company", "metric", "value", "n", "source", "period", "note")
OUTPUT_SUFFIXES = (".csv", ".md")
MAPPING_OPTIONS = {role: f"columns.{role}" for role in ("case", "activity", "timestamp", "channel", "failure_demand")}
TRUE_TEXT, FALSE_TEXT = ("true", "yes", "y", "1", "failure"), ("false", "no", "n", "0", "value")


class BenchmarkError(CxminingError):
    """A benchmark file, mapping or company name that cannot be used."""


@dataclass(frozen=True)
class Metric:
    """One KPI of the comparison: its name in files and tables, a readable label and its unit."""

    name: str
    label: str
    unit: Literal["per order", "per journey", "share", "hours", "days"]


METRICS = (
    Metric("steps_per_order", "Steps per order (mean)", "per order"),
    Metric("steps_per_order_median", "Steps per order (median)", "per order"),
    Metric("contacts_per_order", "Contacts per order (mean)", "per order"),
    Metric("calls_per_order", "Calls per order (mean)", "per order"),
    Metric("channel_switches_per_journey", "Channel switches per journey (mean)", "per journey"),
    Metric("channel_switch_share", "Journeys that switch channel", "share"),
    Metric("hours_to_order", "Time to order (mean)", "hours"),
    Metric("hours_to_order_median", "Time to order (median)", "hours"),
    Metric("days_to_delivery", "Time to delivery (mean)", "days"),
    Metric("days_to_delivery_median", "Time to delivery (median)", "days"),
    Metric("failure_demand_journey_share", "Journeys with failure demand", "share"),
    Metric("failure_demand_contact_share", "Contacts that are failure demand", "share"),
)
METRIC_UNITS = {m.name: m.unit for m in METRICS}


# --- published figures --------------------------------------------------------------------------------------------


class PublishedFigure(BaseModel):
    """One row of a KPI table: a company's published value of one metric."""

    model_config = ConfigDict(extra="forbid", frozen=True, str_strip_whitespace=True)

    company: str = Field(min_length=1)
    metric: str
    value: float = Field(allow_inf_nan=False)
    n: int | None = Field(None, ge=1)
    source: str | None = None
    period: str | None = None
    note: str | None = None

    @field_validator("metric")
    @classmethod
    def _known_metric(cls, metric: str) -> str:
        if metric not in METRIC_UNITS:
            raise ValueError(f"unknown metric {metric!r} (metrics: {', '.join(METRIC_UNITS)})")
        return metric

    @model_validator(mode="after")
    def _share_is_a_fraction(self) -> PublishedFigure:
        if METRIC_UNITS[self.metric] == "share" and not 0 <= self.value <= 1:
            raise ValueError(f"{self.metric} is a share between 0 and 1 (write 0.35 for 35%), not {self.value:g}")
        if self.value < 0:
            raise ValueError(f"{self.metric} cannot be negative ({self.value:g})")
        return self


def company_name(name: str | None, path: Path) -> str | None:
    """The company name checked: not empty and not our own label."""
    if name is None:
        return None
    name = name.strip()
    if not name:
        raise BenchmarkError(f"{path}: --company must not be empty")
    if name.lower() == OURS:
        raise BenchmarkError(f"{path}: --company {name!r} is reserved for our own figures; choose another name")
    return name


def _kpi_rows(path: Path) -> tuple[list[dict[str, Any]], dict[str, Any]]:
    """The raw rows of a KPI table (CSV, or YAML/TOML with a `kpis` list) and the file-level defaults."""
    if path.suffix.lower() in KPI_SUFFIXES:
        raw = config_table(path, BenchmarkError)
        unknown = sorted(set(raw) - {"company", "source", "period", "kpis"})
        if unknown:
            raise BenchmarkError(f"{path}: unknown key {unknown[0]!r} (keys: company, source, period, kpis)")
        rows = raw.get("kpis")
        if not isinstance(rows, list) or not all(isinstance(r, dict) for r in rows):
            raise BenchmarkError(f"{path}: kpis must be a list of figures, each with metric and value")
        defaults = {k: raw[k] for k in ("company", "source", "period") if raw.get(k) is not None}
        return rows, defaults
    try:
        with path.open(newline="", encoding="utf-8-sig") as handle:
            reader = csv.DictReader(handle)
            header = reader.fieldnames or []
            unknown = [c for c in header if c not in KPI_COLUMNS]
            if unknown:
                raise BenchmarkError(f"{path}: unknown column {unknown[0]!r} (columns of a KPI table: "
                                     f"{', '.join(KPI_COLUMNS)})")
            missing = [c for c in ("metric", "value") if c not in header]
            if missing:
                raise BenchmarkError(f"{path}: required column {missing[0]!r} is missing; header has: {', '.join(header)}")
            rows = [{k: v for k, v in row.items() if v not in ("", None)} for row in reader]
    except (OSError, UnicodeDecodeError, csv.Error) as exc:
        raise BenchmarkError(f"{path}: cannot read the KPI table ({first_line(exc)})") from exc
    return rows, {}


def published_figures(path: str | Path, company: str | None = None) -> list[PublishedFigure]:
    """The figures of a KPI table, validated; `company` fills rows without one and must match rows with one."""
    path = Path(path)
    company = company_name(company, path)
    if not path.is_file():
        raise BenchmarkError(f"{path}: no such file")
    rows, defaults = _kpi_rows(path)
    if not rows:
        raise BenchmarkError(f"{path}: the KPI table has no figures")
    figures: list[PublishedFigure] = []
    seen: dict[tuple[str, str], int] = {}
    for number, row in enumerate(rows, start=1):
        values = defaults | ({"company": company} if company else {}) | row
        if company and row.get("company") not in (None, company):
            raise BenchmarkError(f"{path} row {number}: company {row['company']!r} is not --company {company!r}")
        if "company" not in values:
            raise BenchmarkError(f"{path} row {number}: no company (add a company column or give --company)")
        try:
            figure = PublishedFigure(**{k: (str(v) if k in ("company", "source", "period") else v)
                                        for k, v in values.items()})
        except ValidationError as exc:
            raise BenchmarkError(f"{path} row {number}: {first_problem(exc)}") from exc
        key = (figure.company, figure.metric)
        if key in seen:
            raise BenchmarkError(f"{path} row {number}: {figure.metric} of {figure.company} is given twice "
                                 f"(first at row {seen[key]})")
        seen[key] = number
        figures.append(figure)
    if any(f.company.lower() == OURS for f in figures):
        raise BenchmarkError(f"{path}: company {OURS!r} is reserved for our own figures; choose another name")
    return figures


# --- benchmark event logs -----------------------------------------------------------------------------------------


class LogColumns(Strict):
    """Which columns of the log hold what; channel and failure_demand may be null (the log does not say)."""

    case: str = XES_CASE
    activity: str = XES_ACTIVITY
    timestamp: str = XES_TIMESTAMP
    channel: str | None = "channel"
    failure_demand: str | None = None  # yes/no, true/false, 1/0, failure/value; empty is no


class LogActivities(Strict):
    """Which activities mean what: exact names or shell-style patterns (`Phone:*`)."""

    order_placed: list[str] = Field(default_factory=lambda: ["Order placed"])
    order_delivered: list[str] = Field(default_factory=lambda: ["Order delivered"])
    calls: list[str] = Field(default_factory=lambda: ["Call:*"])
    contacts: list[str] = Field(default_factory=lambda: ["View help page", "View contact page"])
    failure_demand: list[str] = Field(default_factory=list)


class BenchmarkMapping(Strict):
    """How to read a benchmark event log; the defaults read a log in our own vocabulary with XES column names."""

    columns: LogColumns = Field(default_factory=LogColumns)
    activities: LogActivities = Field(default_factory=LogActivities)
    system_channels: list[str] = Field(default_factory=lambda: ["order"])  # not the customer's: no switches
    timestamp_format: str | None = None
    timezone: str = "UTC"
    delimiter: str = ","
    encoding: Literal["utf-8", "utf-16", "latin-1"] = "utf-8"
    source: str | None = None
    period: str | None = None

    @field_validator("timezone")
    @classmethod
    def _known_zone(cls, zone: str) -> str:
        return known_time_zone(zone)

    @field_validator("delimiter")
    @classmethod
    def _one_character(cls, delimiter: str) -> str:
        csv_delimiter(delimiter)
        return delimiter


@dataclass(frozen=True)
class ImportedBenchmark:
    """What one import wrote."""

    kind: Literal["kpis", "events"]
    companies: tuple[str, ...]
    rows: int
    replaced: int  # rows of these companies deleted first
    journeys: int = 0
    order_journeys: int = 0
    unmatched: list[str] = field(default_factory=list)  # mapping patterns that matched no activity


def benchmark_mapping(path: str | Path | None) -> BenchmarkMapping:
    """The mapping of a benchmark event log from a YAML or TOML file; None gives the defaults."""
    if path is None:
        return BenchmarkMapping()
    path = Path(path)
    if not path.is_file():
        raise BenchmarkError(f"{path}: mapping file not found")
    return validated(BenchmarkMapping, config_table(path, BenchmarkError), str(path), BenchmarkError)


def log_reading(mapping: BenchmarkMapping) -> tuple[LogMapping, CsvDialect, dict[str, str]]:
    """The benchmark mapping as the event-log reader's settings: its column mapping, its CSV dialect and the extra
    columns (channel, failure_demand) the benchmark reads besides case, activity and timestamp."""
    columns = mapping.columns
    reading = LogMapping(case=columns.case, activity=columns.activity, timestamp=columns.timestamp,
                         timestamp_format=mapping.timestamp_format, timezone=mapping.timezone)
    extra = {role: column for role, column in (("channel", columns.channel),
                                               ("failure_demand", columns.failure_demand)) if column is not None}
    return reading, CsvDialect(mapping.delimiter, mapping.encoding), extra


def _parse_log(con: duckdb.DuckDBPyConnection, tables: LogTables, path: Path, mapping: BenchmarkMapping) -> None:
    """Read the log into `tables.parsed` with the event-log reader; stop at the first row that cannot be an event."""
    reading, dialect, extra = log_reading(mapping)
    columns, _ = load_source(con, path, reading, dialect, tables, extra, MAPPING_OPTIONS)
    parse_source(con, tables, columns, reading, naive_time_zone(path, known_timezone(mapping.timezone)))
    for role in ("channel", "failure_demand"):
        if role not in columns.extra:  # the log does not say: a column of NULLs
            con.execute(f"ALTER TABLE {tables.parsed} ADD COLUMN {role} VARCHAR")
    first = con.execute(FIRST_PROBLEM.format(parsed=tables.parsed),
                        {"true": list(TRUE_TEXT), "false": list(FALSE_TEXT)}).fetchall()
    if first:
        row, problem, count = first[0]
        more = f" ({count} rows have problems)" if count > 1 else ""
        raise BenchmarkError(f"{path} row {row}: {problem}{more}")
    if not con.execute(f"SELECT count(*) FROM {tables.parsed}").fetchall()[0][0]:
        raise BenchmarkError(f"{path}: the log has no events")


def _activity_roles(con: duckdb.DuckDBPyConnection, parsed: str, path: Path,
                    mapping: BenchmarkMapping) -> tuple[pl.DataFrame, list[str]]:
    """Each activity of the log with what it means (from the mapping's patterns), and the patterns matching nothing."""
    activities = [a for (a,) in con.execute(f"SELECT DISTINCT activity FROM {parsed} ORDER BY 1").fetchall()]
    lists = mapping.activities.model_dump()
    roles = {"activity": activities} | {
        role: [any(fnmatchcase(a, p) for p in patterns) for a in activities] for role, patterns in lists.items()
    }
    if not any(roles["order_placed"]):
        raise BenchmarkError(f"{path}: no activity means an order placed (activities.order_placed: "
                             f"{lists['order_placed']}); activities of the log: {', '.join(activities[:15])}")
    frame = pl.DataFrame(roles, schema={"activity": pl.String} | {r: pl.Boolean for r in lists})
    return frame, [f"activities.{role}: {p!r}" for role, patterns in lists.items() for p in patterns
                   if not any(fnmatchcase(a, p) for a in activities)]


# A failure-demand value is yes/no, true/false, 1/0 or failure/value (any case); empty means no; else NULL.
FAILURE_FLAG = """CASE WHEN list_contains($true, lower(p.failure_demand)) THEN true
     WHEN p.failure_demand IS NULL OR list_contains($false, lower(p.failure_demand)) THEN false END"""
FIRST_PROBLEM = """
SELECT row_number, problem, count(*) OVER ()
FROM (
    SELECT p.row_number,
           CASE WHEN p.problem = 'unparseable timestamp' THEN p.problem || ' ''' || p.ts_text || ''''
                WHEN p.problem IS NOT NULL THEN p.problem
                WHEN (""" + FAILURE_FLAG + """) IS NULL
                THEN 'failure-demand value ''' || lower(p.failure_demand) || ''' is not yes/no, true/false or 1/0'
           END AS problem
    FROM {parsed} AS p
)
WHERE problem IS NOT NULL
ORDER BY row_number
LIMIT 1
"""
INSERT_EVENTS = """
INSERT INTO benchmark_events
SELECT $company, p.case_id, row_number() OVER (PARTITION BY p.case_id ORDER BY p.ts, p.row_number), p.activity, p.ts,
       CASE WHEN list_contains($system_channels, p.channel) THEN NULL ELSE p.channel END,
       r.order_placed, r.order_delivered, r.contacts OR r.calls, r.calls,
       CASE WHEN $failure_known THEN (""" + FAILURE_FLAG + """) OR r.failure_demand END,
       $source, $period, $source_file, p.row_number, $imported_at
FROM {parsed} AS p
JOIN {roles} AS r USING (activity)
"""
LOG_COUNTS = """
SELECT count(DISTINCT case_id), count(DISTINCT case_id) FILTER (WHERE is_order_placed), count(*)
FROM benchmark_events WHERE company = $company
"""


def _replace_company(con: duckdb.DuckDBPyConnection, companies: list[str]) -> int:
    """Delete every row of these companies from both benchmark tables (inside the caller's transaction)."""
    deleted = 0
    for table, relative in TABLE_FILES.items():
        con.execute(sql_text(relative))
        deleted += con.execute(f"SELECT count(*) FROM {table} WHERE list_contains($companies, company)",
                               {"companies": companies}).fetchall()[0][0]
        con.execute(f"DELETE FROM {table} WHERE list_contains($companies, company)", {"companies": companies})
    return deleted


def import_benchmark_log(path: str | Path, db: str | Path | duckdb.DuckDBPyConnection, company: str,
                         mapping: BenchmarkMapping | None = None) -> ImportedBenchmark:
    """Import another company's journeys (an XES, CSV or Parquet event log) into benchmark_events, replacing that
    company."""
    mapping = mapping or BenchmarkMapping()
    path = Path(path)
    name = company_name(company, path)
    if not path.is_file():
        raise BenchmarkError(f"{path}: no such file")
    failure_known = mapping.columns.failure_demand is not None or bool(mapping.activities.failure_demand)
    with opened(db) as con, log_tables(con) as tables:
        try:
            _parse_log(con, tables, path, mapping)
        except (MappingError, LandingError) as exc:  # the reader's one-line errors, as this command's
            raise BenchmarkError(str(exc)) from exc
        roles, unmatched = _activity_roles(con, tables.parsed, path, mapping)
        with registered(con, f"{tables.parsed}_roles", roles) as roles_name, transaction(con):
            replaced = _replace_company(con, [name])
            con.execute(INSERT_EVENTS.format(parsed=tables.parsed, roles=roles_name), {
                "company": name, "system_channels": mapping.system_channels, "failure_known": failure_known,
                "source": mapping.source or path.name, "period": mapping.period, "source_file": path.name,
                "imported_at": utc_now(), "true": list(TRUE_TEXT), "false": list(FALSE_TEXT),
            })
        journeys, orders, rows = con.execute(LOG_COUNTS, {"company": name}).fetchall()[0]
    return ImportedBenchmark("events", (name,), rows, replaced, journeys, orders, unmatched)


def import_published_figures(path: str | Path, db: str | Path | duckdb.DuckDBPyConnection,
                             company: str | None = None) -> ImportedBenchmark:
    """Import a KPI table into benchmark_kpis, replacing every company it names."""
    path = Path(path)
    figures = published_figures(path, company)
    companies = list(dict.fromkeys(f.company for f in figures))
    imported_at = utc_now()
    with opened(db) as con, transaction(con):
        replaced = _replace_company(con, companies)
        con.executemany("INSERT INTO benchmark_kpis VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)", [
            (f.company, f.metric, f.value, f.n, f.source, f.period, path.name, number, imported_at)
            for number, f in enumerate(figures, start=1)
        ])
    return ImportedBenchmark("kpis", tuple(companies), len(figures), replaced)


def is_kpi_table(path: Path) -> bool:
    """A YAML/TOML file, or a CSV with a `metric` column, is a KPI table; anything else is an event log."""
    if path.suffix.lower() in KPI_SUFFIXES:
        return True
    if not path.name.lower().endswith(".csv") or not path.is_file():
        return False
    with path.open(newline="", encoding="utf-8-sig", errors="replace") as handle:
        header = next(csv.reader(handle), [])
    return "metric" in header


def import_benchmark(path: str | Path, db: str | Path | duckdb.DuckDBPyConnection, company: str | None = None,
                     mapping: str | Path | None = None) -> ImportedBenchmark:
    """Import a KPI table or (with or without a mapping file) an event log of another company."""
    path = Path(path)
    if not path.is_file():
        raise BenchmarkError(f"{path}: no such file")
    if mapping is None and is_kpi_table(path):
        return import_published_figures(path, db, company)
    if company is None:
        raise BenchmarkError(f"{path}: an event log needs --company (whose journeys these are)")
    return import_benchmark_log(path, db, company, benchmark_mapping(mapping))


# --- the comparison -----------------------------------------------------------------------------------------------


def _working_tables(con: duckdb.DuckDBPyConnection, db: object) -> None:
    """Build the temporary KPI tables, ending with kpi_comparison (the shape of benchmark_comparison)."""
    present = relations(con)
    if "journeys" not in present or not con.execute(
            "SELECT count(*) FROM duckdb_columns() WHERE table_name = 'journey_events' AND column_name = 'source'"
    ).fetchall()[0][0]:
        raise StoreError(f"{db}: no journeys built from landing files yet (run `cxmining run` first)")
    for table, relative in TABLE_FILES.items():  # nothing imported yet: empty stand-ins, for this connection only
        if table not in present:
            con.execute(sql_text(relative).replace("CREATE TABLE IF NOT EXISTS", "CREATE TEMP TABLE", 1))
    failure_known = "contact_demand" in present
    con.execute("CREATE OR REPLACE TEMP TABLE kpi_failure_contacts AS "
                + ("SELECT contact_id AS event_id FROM contact_demand WHERE demand = 'failure'" if failure_known
                   else "SELECT CAST(NULL AS VARCHAR) AS event_id WHERE false"))
    con.execute("CREATE OR REPLACE TEMP TABLE benchmark_metrics (position INTEGER, metric VARCHAR, label VARCHAR, "
                "unit VARCHAR)")
    con.executemany("INSERT INTO benchmark_metrics VALUES (?, ?, ?, ?)",
                    [(i, m.name, m.label, m.unit) for i, m in enumerate(METRICS, start=1)])
    params = {"failure_known": failure_known, "computed_at": utc_now()}
    for relative in WORKING_FILES:
        run_sql(con, relative, params)


def _drop_working_tables(con: duckdb.DuckDBPyConnection) -> None:
    for name in (*WORKING_TABLES, *TABLE_FILES):
        con.execute(f"DROP TABLE IF EXISTS temp.{name}")


def comparison_rows(db: str | Path | duckdb.DuckDBPyConnection, store: bool = False) -> pl.DataFrame:
    """Every company's KPIs next to ours, one row per metric and company (ours first); `store` also writes
    benchmark_comparison. A path is opened read-only unless `store`."""
    with opened(db, read_only=not store and isinstance(db, (str, Path))) as con:
        try:
            _working_tables(con, db)
            if store:
                con.execute(sql_text("competitors/benchmark_comparison.sql"))
            return con.sql("SELECT * FROM kpi_comparison").pl()
        finally:
            _drop_working_tables(con)


def side_by_side(rows: pl.DataFrame) -> pl.DataFrame:
    """The comparison rows as one row per metric: ours, then per company its value, n and difference from ours."""
    wide = pl.DataFrame([(m.name, m.label, m.unit) for m in METRICS], schema=["metric", "label", "unit"], orient="row")
    ours = rows.filter(pl.col("company") == OURS).select("metric", pl.col("value").alias(OURS),
                                                         pl.col("n").alias(f"{OURS}_n"))
    wide = wide.join(ours, on="metric", how="left")
    for company in rows.filter(pl.col("company") != OURS)["company"].unique(maintain_order=True):
        theirs = rows.filter(pl.col("company") == company).select(
            "metric", pl.col("value").alias(company), pl.col("n").alias(f"{company}_n"),
            pl.col("difference").alias(f"{company}_diff"))
        wide = wide.join(theirs, on="metric", how="left")
    return wide


def kpi_comparison(db: str | Path | duckdb.DuckDBPyConnection, store: bool = False) -> pl.DataFrame:
    """Side by side, one row per metric: metric, label, unit, ours, ours_n, and per company `<company>`,
    `<company>_n`, `<company>_diff` (theirs - ours). `store` also writes the table benchmark_comparison."""
    return side_by_side(comparison_rows(db, store))


def formatted(value: float | None, unit: str, signed: bool = False) -> str:
    """A KPI value for people: shares in per cent, counts and times with sensible decimals."""
    if value is None:
        return "–"
    sign = "+" if signed else ""
    if unit == "share":
        return f"{100 * value:{sign}.1f}{' pp' if signed else '%'}"
    return f"{value:{sign},.{1 if unit in ('hours', 'days') else 2}f}"


def comparison_markdown(rows: pl.DataFrame) -> str:
    """The comparison as a Markdown table (value, n in brackets, difference from ours) and the sources below it."""
    companies = [c for c in rows["company"].unique(maintain_order=True) if c != OURS]
    cells = {(r["metric"], r["company"]): r for r in rows.iter_rows(named=True)}
    header = ["KPI", "unit", "ours", *companies]
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    for m in METRICS:
        row = [m.label, m.unit]
        for company in [OURS, *companies]:
            r = cells.get((m.name, company))
            if r is None or r["value"] is None:
                row.append("–")
                continue
            text = formatted(r["value"], m.unit) + (f" (n={r['n']:,})" if r["n"] is not None else "")
            if company != OURS and r["difference"] is not None:
                text += f", {formatted(r['difference'], m.unit, signed=True)}"
            row.append(text)
        lines.append("| " + " | ".join(row) + " |")
    sources = rows.filter(pl.col("value").is_not_null()).select("company", "basis", "source", "period").unique(
        maintain_order=True)
    lines += ["", "Sources:"] + [
        f"- {s['company']}: {'measured from journeys' if s['basis'] == 'journeys' else 'published'}; "
        f"{s['source'] or 'source not given'}{'; ' + s['period'] if s['period'] else ''}"
        for s in sources.iter_rows(named=True)]
    return "\n".join(lines) + "\n"


def written_comparison(rows: pl.DataFrame, out: Path) -> Path:
    """Write the comparison: .csv (side by side) or .md (the Markdown table)."""
    suffix = out.suffix.lower()
    if suffix not in OUTPUT_SUFFIXES:
        raise BenchmarkError(f"--out {out}: the output must end in {', '.join(OUTPUT_SUFFIXES)}")
    out.parent.mkdir(parents=True, exist_ok=True)
    if suffix == ".csv":
        side_by_side(rows).write_csv(out)
    else:
        out.write_text(comparison_markdown(rows), encoding="utf-8")
    return out
