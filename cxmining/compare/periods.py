"""Before/after comparison of two periods of journeys: every measure tested, the false discovery rate controlled.

Journeys belong to the period their first event falls in and are measured over their first `follow_up_days`
days, only when complete at both edges of the data: journeys still running at the end of the data, and journeys
that may have begun before it (starting within `lead_in_days` of its first event, or orders placed before it), are
left out of journey measures; calls belong to the period they were made in. Shares get a two-proportion z test (Fisher's exact test when counts are small),
means Welch's t test, medians the Mann-Whitney U test; Benjamini-Hochberg q values over all of them decide
what is significant, and the significant changes are ranked by a standardised effect size (docs/compare.md).
"""

from __future__ import annotations

import json
import math
import re
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from pathlib import Path

import duckdb
import numpy as np
import polars as pl
from scipy import stats

from cxmining.demand.statistics import false_discovery_q_values
from cxmining.errors import CxminingError
from cxmining.ingest.extras import declared_segments
from cxmining.journeys import JourneyRules
from cxmining.store import opened, relations, require, run_sql

SEGMENTS = ("sales_channel", "category", "journey_type")
ALL = "(all)"  # the segment name of a measure taken over every journey or call
WORKING_FILES = (  # order matters: each relation reads the ones before it
    "compare/compare_periods.sql",
    "compare/compare_segments.sql",
    "compare/compare_journeys.sql",
    "compare/compare_calls.sql",
    "compare/compare_volumes.sql",
    "compare/compare_shares.sql",
    "compare/compare_means.sql",
    "compare/compare_durations.sql",
    "compare/compare_variants.sql",
)
DEVIATION_FILE = "compare/compare_deviation_shares.sql"  # only when the store holds conformance results
REQUIRED_TABLES = ("journeys", "case_variants", "variants", "raw_products", "raw_orders")
MIN_EVENTS = 5  # a share needs this many hits, and this many misses, over both periods to be tested
MIN_EXPECTED = 5  # below this expected cell count, Fisher's exact test replaces the z test
MEASURE_COLUMNS = {
    "unit": pl.String, "measure": pl.String, "segment": pl.String, "statistic": pl.String,
    "before": pl.Float64, "after": pl.Float64, "change": pl.Float64, "n_before": pl.Int64, "n_after": pl.Int64,
    "hits_before": pl.Int64, "hits_after": pl.Int64, "test": pl.String, "effect": pl.Float64, "p_value": pl.Float64,
}
OUTPUT_SUFFIXES = (".csv", ".json", ".md")
FINDING_KEYS = ("measure", "segment", "statistic", "before", "after", "change", "n_before", "n_after",
                "effect", "test", "p_value", "q_value", "significant")


class ComparisonError(CxminingError):
    """The periods, segment or settings of a comparison cannot be used."""


@dataclass(frozen=True)
class Period:
    """Days from `start` (inclusive) to `end` (exclusive), UTC; None leaves that side open."""

    start: date | None = None
    end: date | None = None

    def __str__(self) -> str:
        return f"{self.start or ''}..{self.end or ''}"

    def overlaps(self, other: Period) -> bool:
        """Whether some instant lies in both periods."""
        lo = max(self.start or date.min, other.start or date.min)
        hi = min(self.end or date.max, other.end or date.max)
        return lo < hi


@dataclass(frozen=True)
class Comparison:
    """Two periods of journeys compared: volumes, every measure with its test, and the variants only one period has."""

    before: Period
    after: Period
    segment: str | None
    alpha: float
    follow_up_days: int
    repeat_days: int
    lead_in_days: int
    volumes: pl.DataFrame  # per period: journeys, measured_journeys, calls
    measures: pl.DataFrame  # every measure: MEASURE_COLUMNS plus q_value and significant
    variants: pl.DataFrame  # compare_variants: appeared and vanished variants with their counts and p_value

    @property
    def findings(self) -> list[dict]:
        """The significant changes, largest effect first, as plain dicts (FINDING_KEYS)."""
        found = self.measures.filter(pl.col("significant")).sort(
            pl.col("effect").abs(), "q_value", "measure", "segment", descending=[True, False, False, False])
        return found.select(FINDING_KEYS).to_dicts()

    @property
    def near_misses(self) -> list[dict]:
        """Changes with p < alpha on their own that the correction for many tests does not confirm, largest effect first."""
        found = self.measures.filter(~pl.col("significant") & (pl.col("p_value") < self.alpha)).sort(
            pl.col("effect").abs(), "p_value", "measure", "segment", descending=[True, False, False, False])
        return found.select(FINDING_KEYS).to_dicts()


def parsed_period(text: str, name: str = "period") -> Period:
    """A period from 'YYYY-MM-DD..YYYY-MM-DD' (end exclusive; either side may be left empty for an open end).

    Whether it is empty or reversed is checked by period_comparison, which names the period.
    """
    match = re.fullmatch(r"\s*(\d{4}-\d{2}-\d{2})?\s*\.\.\s*(\d{4}-\d{2}-\d{2})?\s*", text)
    if not match:
        raise ComparisonError(f"{name} period {text!r} is not START..END with ISO dates, e.g. 2026-09-01..2026-10-07")
    try:
        start, end = (date.fromisoformat(part) if part else None for part in match.groups())
    except ValueError as exc:
        raise ComparisonError(f"{name} period {text!r}: {exc}") from None
    return Period(start, end)


def change_periods(change: date, days: int | None = None) -> tuple[Period, Period]:
    """`days` days before `change` and `days` days from it on; everything before and everything after when None."""
    if days is None:
        return Period(None, change), Period(change, None)
    if days < 1:
        raise ComparisonError(f"days must be at least 1, got {days}")
    return Period(change - timedelta(days=days), change), Period(change, change + timedelta(days=days))


def period_comparison(
    db: str | Path | duckdb.DuckDBPyConnection,
    before: Period,
    after: Period,
    segment: str | None = None,
    follow_up_days: int = 14,
    repeat_days: int = 7,
    alpha: float = 0.05,
    min_n: int = 10,
    lead_in_days: int = JourneyRules().lookback_days,
) -> Comparison:
    """Compare the journeys and calls of two periods of the store; every measure overall and per `segment` value."""
    _check_settings(before, after, segment, follow_up_days, repeat_days, alpha, min_n, lead_in_days)
    params = {
        "before_start": _instant(before.start), "before_end": _instant(before.end),
        "after_start": _instant(after.start), "after_end": _instant(after.end),
        "segment": segment, "follow_up_days": follow_up_days, "repeat_days": repeat_days,
        "lead_in_days": lead_in_days,
    }
    with opened(db, read_only=True) as con:
        require(con, REQUIRED_TABLES, "compare needs the journeys and mining tables of a landing-folder store "
                "(`cxmining run`)")
        present = relations(con)
        _check_segment(con, segment)
        try:
            for relative in WORKING_FILES:
                run_sql(con, relative, params)
            volumes = con.sql("SELECT * FROM compare_volumes").pl()
            _check_volumes(con, volumes, before, after)
            shares = con.sql("SELECT * FROM compare_shares").pl()
            if "conformance_journeys" in present:
                run_sql(con, DEVIATION_FILE, params)
                shares = pl.concat([shares, con.sql("SELECT * FROM compare_deviation_shares").pl()])
            means = con.sql("SELECT * FROM compare_means").pl()
            durations = con.sql("SELECT * FROM compare_durations").pl()
            variants = con.sql("SELECT * FROM compare_variants").pl()
        finally:  # a connection passed in stays clean
            for relative in (*WORKING_FILES, DEVIATION_FILE):
                con.execute(f"DROP TABLE IF EXISTS {Path(relative).stem}")
    tested = pl.concat([share_tests(shares, min_n), mean_tests(means, min_n), median_tests(durations, min_n)])
    return Comparison(before, after, segment, alpha, follow_up_days, repeat_days, lead_in_days, volumes,
                      with_q_values(tested, alpha), with_variant_p_values(variants))


def share_tests(shares: pl.DataFrame, min_n: int) -> pl.DataFrame:
    """Each share (hits of n in each period) with its change, Cohen's h and the p value of a z or Fisher test."""
    rows = []
    for s in shares.iter_rows(named=True):
        hb, nb, ha, na = s["hits_before"], s["n_before"], s["hits_after"], s["n_after"]
        pb, pa = (hb / nb if nb else None), (ha / na if na else None)
        row = {**_measure(s, "share", pb, pa, nb, na), "hits_before": hb, "hits_after": ha}
        hits, misses = hb + ha, nb + na - hb - ha
        if nb >= min_n and na >= min_n and hits >= MIN_EVENTS and misses >= MIN_EVENTS:
            test, p = proportion_p_value(hb, nb, ha, na)
            row |= {"test": test, "p_value": p,
                    "effect": 2 * math.asin(math.sqrt(pa)) - 2 * math.asin(math.sqrt(pb))}
        rows.append(row)
    return pl.DataFrame(rows, schema=MEASURE_COLUMNS)


def proportion_p_value(hits_before: int, n_before: int, hits_after: int, n_after: int) -> tuple[str, float]:
    """Two-sided p value that both periods share one rate: pooled z test, or Fisher's exact test for small counts."""
    pooled = (hits_before + hits_after) / (n_before + n_after)
    expected = min(pooled, 1 - pooled) * min(n_before, n_after)
    if expected < MIN_EXPECTED:
        table = [[hits_before, n_before - hits_before], [hits_after, n_after - hits_after]]
        return "fisher", float(stats.fisher_exact(table).pvalue)
    se = math.sqrt(pooled * (1 - pooled) * (1 / n_before + 1 / n_after))
    z = (hits_after / n_after - hits_before / n_before) / se
    return "z", float(2 * stats.norm.sf(abs(z)))


def mean_tests(means: pl.DataFrame, min_n: int) -> pl.DataFrame:
    """Each mean with its change, Cohen's d and the p value of Welch's t test."""
    rows = []
    for m in means.iter_rows(named=True):
        nb, na = m["n_before"], m["n_after"]
        row = _measure(m, "mean", m["mean_before"], m["mean_after"], nb, na)
        if nb >= min_n and na >= min_n:
            sb, sa = m["sd_before"] or 0.0, m["sd_after"] or 0.0
            pooled = math.sqrt(((nb - 1) * sb**2 + (na - 1) * sa**2) / (nb + na - 2))
            if pooled == 0:  # every journey has the same value in both periods
                p, effect = (1.0, 0.0) if m["mean_before"] == m["mean_after"] else (0.0, math.inf)
            else:
                p = float(stats.ttest_ind_from_stats(m["mean_after"], sa, na, m["mean_before"], sb, nb,
                                                     equal_var=False).pvalue)
                effect = (m["mean_after"] - m["mean_before"]) / pooled
            row |= {"test": "welch", "p_value": 1.0 if math.isnan(p) else p, "effect": effect}
        rows.append(row)
    return pl.DataFrame(rows, schema=MEASURE_COLUMNS)


def median_tests(durations: pl.DataFrame, min_n: int) -> pl.DataFrame:
    """Each median duration with its change, an effect from the Mann-Whitney U statistic, and its p value."""
    rows = []
    for (unit, measure, segment), group in durations.group_by("unit", "measure", "segment", maintain_order=True):
        before = group.filter(pl.col("period") == "before")["seconds"].to_numpy()
        after = group.filter(pl.col("period") == "after")["seconds"].to_numpy()
        key = {"unit": unit, "measure": f"median {measure}", "segment": segment}
        row = _measure(key, "median", _median(before), _median(after), len(before), len(after))
        if len(before) >= min_n and len(after) >= min_n:
            found = stats.mannwhitneyu(after, before, alternative="two-sided", method="asymptotic")
            # P(after > before) + half the ties, as the standardised difference it equals for normal data
            above = min(max(found.statistic / (len(after) * len(before)), 1e-9), 1 - 1e-9)
            p = float(found.pvalue)
            row |= {"test": "mann-whitney", "p_value": 1.0 if math.isnan(p) else p,
                    "effect": math.sqrt(2) * float(stats.norm.ppf(above))}
        rows.append(row)
    return pl.DataFrame(rows, schema=MEASURE_COLUMNS)


def with_variant_p_values(variants: pl.DataFrame) -> pl.DataFrame:
    """Appeared and vanished variants with Fisher's exact p value of their share (not corrected for many tests)."""
    p = [float(stats.fisher_exact([[b, nb - b], [a, na - a]]).pvalue) for b, a, nb, na in
         variants.select("journeys_before", "journeys_after", "n_before", "n_after").iter_rows()]
    return variants.with_columns(p_value=pl.Series(p, dtype=pl.Float64))


def with_q_values(measures: pl.DataFrame, alpha: float) -> pl.DataFrame:
    """Measures with Benjamini-Hochberg q values over all tested ones, and whether q < alpha."""
    tested = measures["p_value"].is_not_null().to_numpy()
    q = [None] * measures.height
    adjusted = false_discovery_q_values(measures["p_value"].drop_nulls().to_numpy())
    for i, value in zip(tested.nonzero()[0], adjusted, strict=True):
        q[i] = float(value)
    measures = measures.with_columns(q_value=pl.Series(q, dtype=pl.Float64))
    return measures.with_columns(significant=pl.col("q_value").fill_null(1.0) < alpha).sort(
        "unit", "measure", "segment")


def comparison_tables(comparison: Comparison, top: int = 20) -> dict[str, pl.DataFrame]:
    """Readable tables of a comparison: periods, significant changes (largest effect first), near misses, variants."""
    periods = comparison.volumes.select(
        pl.col("period"),
        pl.Series("days", [str(comparison.before), str(comparison.after)]),
        "journeys", "measured_journeys", "calls")
    variants = comparison.variants.group_by("change", maintain_order=True).head(max(top // 4, 1)).select(
        "change", "variant_id", pl.col("steps").alias("variant"), "journeys_before", "journeys_after",
        pl.col("p_value").map_elements(lambda p: f"{p:.2g}", return_dtype=pl.String).alias("p"))
    return {"periods": periods, "changes": _changes(comparison.findings[:top]),
            "near_misses": _changes(comparison.near_misses[:max(top // 4, 1)]), "variants": variants}


def comparison_text(comparison: Comparison, top: int = 20, markdown: bool = False) -> str:
    """The comparison as readable text (or Markdown): periods, significant changes, variants appeared and vanished."""
    tables = comparison_tables(comparison, top)
    tested = comparison.measures.filter(pl.col("p_value").is_not_null()).height
    scope = "overall" if comparison.segment is None else f"overall and per {comparison.segment}"
    heading = "## " if markdown else ""
    unmeasured = comparison.volumes.filter(pl.col("measured_journeys") == 0)["period"].to_list()
    note = "" if not unmeasured else (
        f" (no journey of the {' and '.join(unmeasured)} period is complete in the store: begun in it, with "
        f"{comparison.follow_up_days} days after its start; its journey measures are not compared)")
    parts = [
        f"{heading}Before {comparison.before} vs after {comparison.after}",
        _table(tables["periods"], markdown),
        f"journeys are measured over their first {comparison.follow_up_days} days, those begun in the store's first "
        f"{comparison.lead_in_days} days left out{note}; repeat calls within "
        f"{comparison.repeat_days} days; {scope}",
        f"{heading}Significant changes, largest effect first: {len(comparison.findings)} of {tested} tested measures "
        f"(Benjamini-Hochberg q < {comparison.alpha})",
        _table(tables["changes"], markdown) if tables["changes"].height else "no significant change",
        f"{heading}Not confirmed: p < {comparison.alpha} on its own, but not after the correction (may be chance)",
        _table(tables["near_misses"], markdown) if tables["near_misses"].height else "none",
        f"{heading}Variants followed in only one period, largest first (p: Fisher's exact test, uncorrected)",
        _table(tables["variants"], markdown) if tables["variants"].height else "none",
    ]
    return "\n\n".join(parts) + "\n"


def written_comparison(comparison: Comparison, path: Path, top: int = 20) -> Path:
    """Write the comparison to `path`: .csv (every measure), .json (everything) or .md (the readable tables)."""
    suffix = path.suffix.lower()
    if suffix not in OUTPUT_SUFFIXES:
        raise ComparisonError(f"{path}: the output must end in {', '.join(OUTPUT_SUFFIXES)}")
    path.parent.mkdir(parents=True, exist_ok=True)
    if suffix == ".csv":
        comparison.measures.write_csv(path)
    elif suffix == ".md":
        path.write_text(comparison_text(comparison, top, markdown=True), encoding="utf-8")
    else:
        document = {
            "before": str(comparison.before), "after": str(comparison.after), "segment": comparison.segment,
            "alpha": comparison.alpha, "follow_up_days": comparison.follow_up_days, "lead_in_days": comparison.lead_in_days,
            "repeat_days": comparison.repeat_days,
            "volumes": comparison.volumes.with_columns(pl.col("start_ts", "end_ts").cast(pl.String)).to_dicts(),
            "findings": comparison.findings, "measures": comparison.measures.to_dicts(),
            "variants": comparison.variants.to_dicts(),
        }
        path.write_text(json.dumps(_plain(document), indent=1, allow_nan=False) + "\n", encoding="utf-8")
    return path


def _check_segment(con: duckdb.DuckDBPyConnection, segment: str | None) -> None:
    if segment is None or segment in SEGMENTS:
        return
    known = [*SEGMENTS, *declared_segments(con)]
    if segment in known:
        return
    raise ComparisonError(f"unknown segment {segment!r}; choose one of {', '.join(known)} (a mapping's `segments:` "
                          "adds its own, docs/contract.md)")


def _check_settings(before: Period, after: Period, segment: str | None, follow_up_days: int, repeat_days: int,
                    alpha: float, min_n: int, lead_in_days: int) -> None:
    for name, found in (("before", before), ("after", after)):
        if found.start is not None and found.end is not None and found.start >= found.end:
            raise ComparisonError(f"{name} period {found} is empty or reversed (the end is exclusive)")
    if before.overlaps(after):
        raise ComparisonError(f"before period {before} and after period {after} overlap")
    for name, value in (("follow_up_days", follow_up_days), ("repeat_days", repeat_days)):
        if not isinstance(value, int) or not 0 < value <= 365:
            raise ComparisonError(f"{name} must be a whole number of days from 1 to 365, got {value!r}")
    if not isinstance(lead_in_days, int) or not 0 <= lead_in_days <= 365:
        raise ComparisonError(f"lead_in_days must be a whole number of days from 0 to 365, got {lead_in_days!r}")
    if not 0 < alpha < 1:
        raise ComparisonError(f"alpha must lie between 0 and 1, got {alpha!r}")
    if min_n < 2:
        raise ComparisonError(f"min_n must be at least 2, got {min_n!r}")


def _check_volumes(con: duckdb.DuckDBPyConnection, volumes: pl.DataFrame, before: Period, after: Period) -> None:
    first, last = con.execute("SELECT min(start_ts)::DATE, max(start_ts)::DATE FROM journeys").fetchall()[0]
    for name, found in (("before", before), ("after", after)):
        if not volumes.filter(pl.col("period") == name)["journeys"].sum():
            held = f"the store's journeys start from {first} to {last}" if first else "the store holds no journeys"
            raise ComparisonError(f"{name} period {found} holds no journeys; {held}")


def _instant(day: date | None) -> datetime | None:
    return None if day is None else datetime(day.year, day.month, day.day)


def _median(values: np.ndarray) -> float | None:
    return float(np.median(values)) if len(values) else None


def _measure(row: dict, statistic: str, before: float | None, after: float | None, n_before: int, n_after: int) -> dict:
    change = None if before is None or after is None else after - before
    return {"unit": row["unit"], "measure": row["measure"], "segment": row["segment"], "statistic": statistic,
            "before": before, "after": after, "change": change, "n_before": n_before, "n_after": n_after}


def _changes(found: list[dict]) -> pl.DataFrame:
    """Findings as a readable table: values in their units, counts, p and q."""
    return pl.DataFrame([{
        "rank": str(i), "measure": f["measure"], "segment": f["segment"],
        "before": _shown(f["statistic"], f["before"]), "after": _shown(f["statistic"], f["after"]),
        "change": _shown(f["statistic"], f["change"], signed=True),
        "n": f"{f['n_before']} / {f['n_after']}", "p": f"{f['p_value']:.2g}", "q": f"{f['q_value']:.2g}",
    } for i, f in enumerate(found, start=1)], schema=dict.fromkeys(
        ("rank", "measure", "segment", "before", "after", "change", "n", "p", "q"), pl.String))


def _shown(statistic: str, value: float | None, signed: bool = False) -> str:
    """A value as a reader wants it: shares in % (points for changes), durations in s/min/h/d."""
    if value is None:
        return ""
    sign = "+" if signed and value > 0 else ""
    if statistic == "share":
        return f"{sign}{100 * value:.1f}{' pp' if signed else '%'}"
    if statistic == "median":
        for size, name in ((86400, "d"), (3600, "h"), (60, "min")):
            if abs(value) >= size:
                return f"{sign}{value / size:.1f} {name}"
        return f"{sign}{value:.0f} s"
    return f"{sign}{value:.2f}"


def _table(frame: pl.DataFrame, markdown: bool) -> str:
    with pl.Config(tbl_formatting="ASCII_MARKDOWN" if markdown else "UTF8_FULL_CONDENSED",
                   tbl_hide_column_data_types=True, tbl_hide_dataframe_shape=True, tbl_rows=-1, tbl_cols=-1,
                   fmt_str_lengths=120, tbl_width_chars=240, tbl_cell_numeric_alignment="RIGHT"):
        return str(frame)


def _plain(value: object) -> object:
    """JSON-ready: infinite or NaN numbers become null (JSON has no such numbers)."""
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_plain(v) for v in value]
    if isinstance(value, float) and not math.isfinite(value):
        return None
    return value
