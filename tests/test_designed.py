"""Designed BPMN models: the sample's order journey, refused BPMN elements, label mappings, real normative models."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pytest
from helpers import REAL, ROOT, SMALL_SAMPLE, real

from cxmining.conformance.designed import (
    DesignedModel,
    designed_model,
    designed_models,
    label_mapping,
)
from cxmining.errors import ModelError
from cxmining.mining import pm4py_bridge as pm

MODELS = ROOT / "data" / "sample" / "models"
CCC19 = REAL / "ccc19-cvc-normative"
BPIC2020 = REAL / "bpic2020-travel"
HEAD = ('<?xml version="1.0" encoding="UTF-8"?>\n<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL"'
        ' id="Definitions_1" targetNamespace="http://bpmn.io/schema/bpmn">\n')



def bpmn_file(folder: Path, process: str, before: str = "", name: str = "model.bpmn") -> Path:
    """A BPMN file of one process (`process` is its body), with optional elements (a collaboration) before it."""
    path = folder / name
    path.write_text(f'{HEAD}{before}<bpmn:process id="Process_1">\n{process}\n</bpmn:process>\n</bpmn:definitions>\n',
                    encoding="utf-8")
    return path


def flows(*pairs: str) -> str:
    """Sequence flows `source>target` with ids F1, F2, ..."""
    return "\n".join(f'<bpmn:sequenceFlow id="F{i}" sourceRef="{p.split(">")[0]}" targetRef="{p.split(">")[1]}" />'
                     for i, p in enumerate(pairs, 1))


LINE = ('<bpmn:startEvent id="S" /><bpmn:task id="A" name="Pay" /><bpmn:endEvent id="E" />'
        + flows("S>A", "A>E"))


@pytest.fixture(scope="module")
def small_store(sample_store, tmp_path_factory: pytest.TempPathFactory) -> duckdb.DuckDBPyConnection:
    """A freshly generated small sample, ingested, with journeys and variants."""
    db = sample_store(*SMALL_SAMPLE, tmp_path_factory.mktemp("designed"))
    con = duckdb.connect(str(db), read_only=True)
    yield con
    con.close()


def order_variants(con: duckdb.DuckDBPyConnection) -> list[tuple[tuple[str, ...], int]]:
    """Variants of order journeys, most frequent first."""
    rows = con.execute("""
        SELECT v.activities, count(*) AS n
        FROM case_variants AS cv JOIN journeys AS j ON j.journey_id = cv.case_id JOIN variants AS v USING (variant_id)
        WHERE j.journey_type = 'order' GROUP BY v.activities, v.variant ORDER BY n DESC, v.variant
    """).fetchall()
    return [(tuple(a), n) for a, n in rows]


def fitness(model: DesignedModel, activities: tuple[str, ...]) -> float:
    return pm.trace_fitness(activities, model.net, model.initial_marking, model.final_marking)


def test_sample_model_speaks_the_sample_vocabulary(small_store: duckdb.DuckDBPyConnection) -> None:
    seen = {r[0] for r in small_store.execute("SELECT DISTINCT unnest(activities) FROM variants").fetchall()}
    models = designed_models(MODELS / "models.yaml", seen)
    assert set(models) == {"order"}
    order = models["order"]
    assert order.name == "order"
    assert order.labels <= seen and not order.unmatched_labels
    assert {"Add to cart", "Order delivered", "Return requested", "Refund issued", "Item exchanged"} <= order.labels
    assert not any(label.startswith("Call:") for label in order.labels)  # calls are the deviations to surface
    assert "Call: order status" in order.unused_activities
    assert len(order.sha256) == 64 and order.sha256 == designed_model(MODELS / "order_journey.bpmn").sha256


def test_happy_path_fits_and_a_call_does_not(small_store: duckdb.DuckDBPyConnection) -> None:
    order = designed_model(MODELS / "order_journey.bpmn")
    variants = order_variants(small_store)
    happy = next(a for a, _ in variants if "Complete purchase" in a and a[-1] == "Order delivered" and set(a) <= order.labels)
    assert fitness(order, happy) == 1.0
    with_call = next(a for a, _ in variants if "Call: order status" in a)
    assert fitness(order, with_call) < 1.0
    assert fitness(order, (*happy[:-1], "Call: order status", happy[-1])) < 1.0
    returned = ("Search", "View product", "Log in", "Add to cart", "View product", "Add to cart", "Start checkout",
                "Complete purchase", "Order placed", "Order paid", "Order shipped", "Track order online",
                "Track order online", "Order delivered", "Return requested", "Return received", "Item exchanged")
    assert fitness(order, returned) == 1.0


@pytest.mark.parametrize(("process", "before", "expected"), [
    ('<bpmn:startEvent id="S" /><bpmn:task id="A" name="Pay" /><bpmn:endEvent id="E" /><bpmn:endEvent id="E2" />'
     '<bpmn:boundaryEvent id="B" name="Payment failed" attachedToRef="A"><bpmn:errorEventDefinition /></bpmn:boundaryEvent>'
     + flows("S>A", "A>E", "B>E2"), "", "boundaryEvent 'Payment failed' is not supported"),
    ('<bpmn:startEvent id="S" /><bpmn:subProcess id="SP" name="Handle return"><bpmn:startEvent id="S2" />'
     '<bpmn:task id="A" name="Return received" /><bpmn:endEvent id="E2" />' + flows("S2>A", "A>E2").replace('"F', '"G')
     + '</bpmn:subProcess><bpmn:endEvent id="E" />' + flows("S>SP", "SP>E"), "", "subProcess 'Handle return' is not supported"),
    (LINE, ('<bpmn:collaboration id="C"><bpmn:participant id="P1" processRef="Process_1" />'
            '<bpmn:participant id="P2" name="Bank" /><bpmn:messageFlow id="M" name="payment order" sourceRef="A" '
            'targetRef="P2" /></bpmn:collaboration>'), "messageFlow 'payment order' is not supported"),
    ('<bpmn:startEvent id="S" /><bpmn:callActivity id="CA" calledElement="x" /><bpmn:endEvent id="E" />'
     + flows("S>CA", "CA>E"), "", "callActivity 'CA' is not supported"),
    ('<bpmn:startEvent id="S" /><bpmn:inclusiveGateway id="O1" name="What to add?" /><bpmn:task id="A" name="A" />'
     '<bpmn:task id="B" name="B" /><bpmn:inclusiveGateway id="O2" /><bpmn:endEvent id="E" />'
     + flows("S>O1", "O1>A", "O1>B", "A>O2", "B>O2", "O2>E"), "", "inclusiveGateway 'What to add?' is not supported"),
    ('<bpmn:startEvent id="S" /><bpmn:eventBasedGateway id="G" name="Wait" /><bpmn:endEvent id="E" />'
     + flows("S>G", "G>E"), "", "eventBasedGateway 'Wait' is not supported"),
    ('<bpmn:startEvent id="S" /><bpmn:task id="A" name="Pay"><bpmn:standardLoopCharacteristics /></bpmn:task>'
     '<bpmn:endEvent id="E" />' + flows("S>A", "A>E"), "", "task 'Pay' with standardLoopCharacteristics is not supported"),
    ('<bpmn:startEvent id="S" /><bpmn:task id="A" name="Pay" /><bpmn:task id="B" name="Ship" /><bpmn:endEvent id="E" />'
     + flows("S>A", "A>B", "A>E", "B>E"), "", "task 'Pay' with 2 outgoing flows is not supported"),
    ('<bpmn:task id="A" name="Pay" /><bpmn:endEvent id="E" />' + flows("A>E"), "", "has no startEvent"),
])
def test_unsupported_elements_are_refused_in_one_line(tmp_path: Path, process: str, before: str, expected: str) -> None:
    path = bpmn_file(tmp_path, process, before)
    with pytest.raises(ModelError) as error:
        designed_model(path)
    message = str(error.value)
    assert message.startswith(f"{path}: ") and expected in message and "\n" not in message
    assert "; " in message.split(expected)[1]  # says what to do


def test_pools_lanes_and_intermediate_events_are_flattened(tmp_path: Path) -> None:
    lanes = ('<bpmn:laneSet id="L"><bpmn:lane id="L1" name="Web"><bpmn:flowNodeRef>S</bpmn:flowNodeRef>'
             '<bpmn:flowNodeRef>A</bpmn:flowNodeRef></bpmn:lane><bpmn:lane id="L2" name="Shop">'
             '<bpmn:flowNodeRef>B</bpmn:flowNodeRef><bpmn:flowNodeRef>E</bpmn:flowNodeRef></bpmn:lane></bpmn:laneSet>')
    body = (lanes + '<bpmn:startEvent id="S" /><bpmn:task id="A" name="Pay" /><bpmn:intermediateCatchEvent id="T" '
            'name="2 days"><bpmn:timerEventDefinition /></bpmn:intermediateCatchEvent><bpmn:userTask id="B" name="Ship" />'
            '<bpmn:endEvent id="E" />' + flows("S>A", "A>T", "T>B", "B>E"))
    pool = '<bpmn:collaboration id="C"><bpmn:participant id="P1" name="Shop" processRef="Process_1" /></bpmn:collaboration>'
    model = designed_model(bpmn_file(tmp_path, body, pool))
    assert model.labels == {"Pay", "Ship"}
    assert fitness(model, ("Pay", "Ship")) == 1.0
    assert fitness(model, ("Pay",)) < 1.0


def test_a_collaboration_of_processes_needs_a_choice(tmp_path: Path) -> None:
    path = tmp_path / "two.bpmn"
    second = ('<bpmn:startEvent id="S9" /><bpmn:task id="A9" name="Book" /><bpmn:endEvent id="E9" />'
              '<bpmn:sequenceFlow id="G1" sourceRef="S9" targetRef="A9" /><bpmn:sequenceFlow id="G2" sourceRef="A9" targetRef="E9" />')
    path.write_text(
        f'{HEAD}<bpmn:collaboration id="C"><bpmn:participant id="P1" name="Customer" processRef="Process_1" />'
        '<bpmn:participant id="P2" name="Bank" processRef="Process_2" /></bpmn:collaboration>'
        f'<bpmn:process id="Process_1">{LINE}</bpmn:process><bpmn:process id="Process_2">{second}</bpmn:process>'
        '</bpmn:definitions>', encoding="utf-8")
    with pytest.raises(ModelError, match=r"collaboration of 2 processes \('Customer', 'Bank'\).*choose one with `process`"):
        designed_model(path)
    assert designed_model(path, process="Bank").labels == {"Book"}
    assert designed_model(path, process="Process_1").labels == {"Pay"}
    with pytest.raises(ModelError, match="process 'Nope' not found"):
        designed_model(path, process="Nope")


def test_label_mapping_renames_by_lane_name_or_id_and_reports_what_is_left(tmp_path: Path) -> None:
    lanes = ('<bpmn:laneSet id="L"><bpmn:lane id="L1" name="Web"><bpmn:flowNodeRef>A</bpmn:flowNodeRef></bpmn:lane>'
             '<bpmn:lane id="L2" name="Shop"><bpmn:flowNodeRef>B</bpmn:flowNodeRef></bpmn:lane></bpmn:laneSet>')
    body = (lanes + '<bpmn:startEvent id="S" /><bpmn:task id="A" name="pay" /><bpmn:task id="B" name="pay" />'
            '<bpmn:task id="C" name="note it" /><bpmn:task id="D" name="ship" /><bpmn:endEvent id="E" />'
            + flows("S>A", "A>B", "B>C", "C>D", "D>E"))
    path = bpmn_file(tmp_path, body)
    labels = tmp_path / "labels.yaml"
    labels.write_text("Web/pay: Order paid\nnote it: null\nD: Order shipped\n", encoding="utf-8")
    mapping = label_mapping(labels)
    assert mapping == {"Web/pay": "Order paid", "note it": "", "D": "Order shipped"}
    model = designed_model(path, mapping, {"Order paid", "Order shipped", "Order delivered"})
    assert model.labels == {"Order paid", "pay", "Order shipped"}
    assert model.unmatched_labels == {"pay"}
    assert model.unused_activities == {"Order delivered"}
    assert fitness(model, ("Order paid", "pay", "Order shipped")) == 1.0  # "note it" became silent
    assert model.sha256 != designed_model(path).sha256  # the mapping is part of the model's identity

    toml = tmp_path / "labels.toml"
    toml.write_text('"Web/pay" = "Order paid"\n"note it" = ""\n', encoding="utf-8")
    assert label_mapping(toml) == {"Web/pay": "Order paid", "note it": ""}
    with pytest.raises(ModelError, match=r"label mapping key 'Shop/ship' names no task"):
        designed_model(path, {"Shop/ship": "Order shipped"})
    labels.write_text("- a list\n", encoding="utf-8")
    with pytest.raises(ModelError, match="expected a table at the top level"):
        label_mapping(labels)


def test_models_config_errors_name_the_entry(tmp_path: Path) -> None:
    bpmn_file(tmp_path, LINE)
    config = tmp_path / "models.yaml"
    config.write_text("order:\n  model: model.bpmn\n  lables: x.yaml\n", encoding="utf-8")
    with pytest.raises(ModelError, match=r"models.yaml: order: lables: Extra inputs are not permitted"):
        designed_models(config)
    config.write_text("order:\n  model: model.bpmn\n  labels: {Pay: Order paid}\n", encoding="utf-8")
    assert designed_models(config)["order"].labels == {"Order paid"}


def test_ccc19_normative_model_matches_its_log() -> None:
    model_path = real(CCC19 / "CCC19 - Model BPMN.bpmn")
    log = pm.formatted_log(real(CCC19 / "CCC19 - Log XES.xes"))
    activities = set(log["concept:name"].astype(str))
    model = designed_model(model_path, log_activities=activities)
    assert len(model.labels) == 29 and model.labels == activities
    assert not model.unmatched_labels and not model.unused_activities
    done = log[log["lifecycle:transition"] == "complete"]
    scores = [fitness(model, variant) for variant in pm.variant_frequencies(done)]
    assert all(0.4 < s < 1.0 for s in scores)  # the challenge's point: every student deviates somewhere


def test_bpic2020_designed_model_needs_flattening_and_a_label_mapping() -> None:
    model_path = real(BPIC2020 / "declaration_documents.designed.bpmn")
    log = pm.formatted_log(real(BPIC2020 / "DomesticDeclarations.xes.gz"))
    activities = set(log["concept:name"].astype(str))
    raw = designed_model(model_path, log_activities=activities)
    assert raw.labels == raw.unmatched_labels == {
        "submit travel request", "prove request", "approve", "prepare payment", "reject request", "prepare resubmission"}
    model = designed_model(model_path, label_mapping(ROOT / "tests" / "data" / "bpic2020_labels.yaml"), activities)
    assert model.unmatched_labels == {"Declaration FINAL_APPROVED by DIRECTOR", "prepare resubmission"}
    assert len(model.labels - model.unmatched_labels) == 6
    assert {"Payment Handled", "Declaration REJECTED by ADMINISTRATION"} <= model.unused_activities
