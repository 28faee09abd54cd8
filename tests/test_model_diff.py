"""Designed vs discovered footprints (model_diff) and the deviation map drawn over the design."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from pathlib import Path

import duckdb
import pytest
from helpers import SMALL_SAMPLE

from cxmining.conformance.checking import model_conformance
from cxmining.conformance.designed import designed_models
from cxmining.conformance.deviation_map import deviation_map_svg
from cxmining.conformance.model_diff import model_diff
from cxmining.errors import StoreError

MODELS = Path(__file__).resolve().parent.parent / "data" / "sample" / "models"
NASTY = "Call: <b>x</b> & \"y\""


@pytest.fixture(scope="module")
def store(sample_store, tmp_path_factory: pytest.TempPathFactory) -> tuple[duckdb.DuckDBPyConnection, object]:
    """A small fresh sample with journeys, mining tables and conformance to the sample's order model."""
    db = sample_store(*SMALL_SAMPLE, tmp_path_factory.mktemp("model_diff"))
    model = designed_models(MODELS / "models.yaml")["order"]
    con = duckdb.connect(str(db))
    model_conformance(con, model, "order")
    yield con, model
    con.close()


def test_calls_exist_only_in_reality_and_designed_steps_in_both(store) -> None:
    con, model = store
    diff = model_diff(con, model, "order")
    assert "Order paid" in diff.names("activity", "both")
    assert any(str(a).startswith("Call:") for a in diff.names("activity", "reality"))
    assert not any(str(a).startswith("Call:") for a in diff.names("activity", "both") + diff.names("activity", "design"))
    assert ("Order paid", "Order shipped") in diff.names("transition", "both")
    rows = con.execute("SELECT in_design, in_reality, journeys, frequency FROM model_diff "
                       "WHERE kind = 'transition' AND source = 'Order paid' AND target = 'Order shipped'").fetchall()
    assert len(rows) == 1 and rows[0][:2] == (True, True) and 0 < rows[0][2] <= rows[0][3]
    design_only = con.execute("SELECT count(*) FROM model_diff WHERE in_design AND NOT in_reality AND journeys = 0")
    assert design_only.fetchone()[0] == len(diff.names("activity", "design")) + len(diff.names("transition", "design"))
    model_diff(con, model, "order")  # replaced, not appended
    assert con.execute("SELECT count(*) FROM model_diff").fetchone()[0] == len(diff.rows)


def test_unknown_journey_type_is_one_clear_error(store) -> None:
    con, model = store
    with pytest.raises(StoreError, match="no journeys of type 'nothing'"):
        model_diff(con, model, "nothing")


def test_deviation_map_is_well_formed_and_escapes_data(store, tmp_path: Path) -> None:
    con, model = store
    top = [r[0] for r in con.execute("SELECT activity FROM deviations ORDER BY deviation_id LIMIT 3").fetchall()]
    con.execute("UPDATE deviations SET activity = $a WHERE deviation_id = 1", {"a": NASTY})
    try:
        first = deviation_map_svg(con, model, tmp_path / "a.svg", top=5).read_text(encoding="utf-8")
        second = deviation_map_svg(con, model, tmp_path / "b.svg", top=5).read_text(encoding="utf-8")
    finally:
        con.execute("UPDATE deviations SET activity = $a WHERE deviation_id = 1", {"a": top[0]})
    assert first == second  # deterministic
    root = ET.fromstring(first)
    text = " ".join(t for t in root.itertext())
    assert NASTY in text  # drawn, and read back as text once the XML is parsed
    assert "<b>x</b>" not in first and '& "y"' not in first
    for activity in top[1:]:
        assert activity in text
    assert "fitness" in text and "not drawn" in text


def test_deviation_map_needs_conformance_of_that_model(store, tmp_path: Path) -> None:
    con, model = store
    con.execute("UPDATE conformance_summary SET model_hash = 'other'")
    try:
        with pytest.raises(StoreError, match="not of model 'order'"):
            deviation_map_svg(con, model, tmp_path / "x.svg")
    finally:
        con.execute("UPDATE conformance_summary SET model_hash = $h", {"h": model.sha256})
