"""r4pm's Rust alignments give pm4py's conformance tables; what r4pm cannot take goes to pm4py."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections import Counter
from pathlib import Path

import duckdb
import pytest
from helpers import REAL, ROOT, SMALL_SAMPLE, real
from pm4py.objects.petri_net.obj import Marking, PetriNet
from pm4py.objects.petri_net.utils.petri_utils import add_arc_from_to

from cxmining.conformance.alignments import optimal_alignments
from cxmining.conformance.checking import conformance_tables
from cxmining.conformance.designed import designed_model, designed_models, label_mapping
from cxmining.errors import CxminingError
from cxmining.eventlog.imported import import_log
from cxmining.mining import pm4py_bridge as pm
from cxmining.mining import r4pm_bridge as rust
from cxmining.mining.statistics import mining_tables

SAMPLE_MODELS = ROOT / "data" / "sample" / "models" / "models.yaml"
TABLES = {  # what does not depend on which of several equally good alignments is chosen
    "variant_conformance": "SELECT variant_id, fitness, cost, is_fitting, timed_out FROM variant_conformance ORDER BY 1",
    "conformance_journeys": "SELECT * FROM conformance_journeys ORDER BY ALL",
}
SUMMARY = "SELECT journeys, variants, fitness, log_fitness, fitting_share, timed_out_variants FROM conformance_summary"
DEVIATIONS = "SELECT * EXCLUDE (deviation_id) FROM deviations ORDER BY ALL"
MOVES = "SELECT variant_id, activities, cost, moves FROM variant_conformance ORDER BY 1"


def imported(path: Path) -> duckdb.DuckDBPyConnection:
    """A :memory: store holding one real log and its mining tables."""
    con = duckdb.connect(":memory:")
    import_log(real(path), con)
    mining_tables(con)
    return con


def helpdesk_case() -> tuple:
    con = imported(REAL / "helpdesk" / "helpdesk.xes.gz")
    variants = {tuple(v): n for v, n in con.execute("SELECT activities, frequency FROM variants").fetchall()}
    model = pm.discovered_model(variants, noise=0.2)
    return con, model.net, model.initial_marking, model.final_marking, None


def ccc19_case() -> tuple:
    folder = REAL / "ccc19-cvc-normative"
    con = imported(folder / "CCC19 - Log XES.xes")
    return (con, *pm.accepting_net(real(folder / "CCC19 - Model PN.pnml")), None)


def bpic2020_case() -> tuple:
    folder = REAL / "bpic2020-travel"
    con = imported(folder / "DomesticDeclarations.xes.gz")
    model = designed_model(real(folder / "declaration_documents.designed.bpmn"),
                           label_mapping(ROOT / "tests" / "data" / "bpic2020_labels.yaml"),
                           {row[0] for row in con.execute('SELECT DISTINCT "concept:name" FROM journey_events').fetchall()})
    return con, model.net, model.initial_marking, model.final_marking, None


def sample_case(folder: Path, sample_store) -> tuple:
    con = duckdb.connect(str(sample_store(*SMALL_SAMPLE, folder)))
    model = designed_models(SAMPLE_MODELS)["order"]
    return con, model.net, model.initial_marking, model.final_marking, "order"


def moves_of(con: duckdb.DuckDBPyConnection) -> dict[int, tuple[tuple[str, ...], int, list[tuple]]]:
    """Each variant's activities, cost and alignment moves, as (log, model) pairs."""
    return {variant_id: (tuple(activities), cost, [(m["log"], m["model"]) for m in moves])
            for variant_id, activities, cost, moves in con.execute(MOVES).fetchall()}


def is_optimal_alignment(moves: list[tuple], activities: tuple[str, ...], cost: int, net, im, fm) -> bool:
    """Whether `moves` align `activities` with the net at `cost` deviating moves: its log side is the trace, its model
    side a run of the net (pm4py aligns it without a deviation), and it has `cost` log and visible model moves."""
    log_side = tuple(log for log, _ in moves if log is not None)
    model_side = tuple(model for _, model in moves if model is not None)
    deviating = sum(1 for log, model in moves if log is None or model is None)
    (replayed,) = pm.variant_alignments([model_side], net, im, fm, 30.0)
    return log_side == activities and replayed.cost < pm.MODEL_MOVE_COST and deviating == cost


@pytest.mark.parametrize("case", ["helpdesk", "ccc19", "bpic2020", "sample"])
def test_r4pm_gives_the_conformance_tables_of_pm4py(case, sample_store, tmp_path) -> None:
    """Fitness and costs per variant and per journey are pm4py's; the deviations too, except where a variant has several
    equally good alignments and the two engines choose different ones: then r4pm's is a valid alignment of that cost."""
    built = {"helpdesk": helpdesk_case, "ccc19": ccc19_case, "bpic2020": bpic2020_case}
    con, net, im, fm, journey_type = built[case]() if case in built else sample_case(tmp_path, sample_store)
    reference = conformance_tables(con, net, im, fm, "pm4py", journey_type=journey_type, with_precision=False,
                                   aligner="pm4py")
    theirs = {name: con.execute(query).fetchall() for name, query in TABLES.items()}
    their_summary, their_deviations, their_moves = (con.execute(SUMMARY).fetchall()[0],
                                                    con.execute(DEVIATIONS).fetchall(), moves_of(con))
    ours_report = conformance_tables(con, net, im, fm, "r4pm", journey_type=journey_type, with_precision=False)
    assert ours_report.pm4py_variants == 0 and reference.pm4py_variants == reference.variants
    assert ours_report.timed_out_variants == reference.timed_out_variants == 0
    for name, query in TABLES.items():
        assert con.execute(query).fetchall() == theirs[name], f"{case}: {name} differs between r4pm and pm4py"
    assert con.execute(SUMMARY).fetchall()[0] == pytest.approx(their_summary, rel=1e-12)
    ours_moves = moves_of(con)
    tied = [v for v in their_moves if Counter(ours_moves[v][2]) != Counter(their_moves[v][2])]
    for variant_id in tied:
        activities, cost, moves = ours_moves[variant_id]
        assert is_optimal_alignment(moves, activities, cost, net, im, fm), f"{case}: variant {variant_id}"
    if not tied:
        assert con.execute(DEVIATIONS).fetchall() == their_deviations
    assert len(tied) <= 0.35 * len(their_moves)  # ties are the exception (CCC19's long surgical traces: up to 6 of 20)
    aligned_by = con.execute("SELECT aligner, count(*), min(states_visited) > 0 FROM alignment_cache "
                             "WHERE model_hash = 'r4pm' GROUP BY ALL").fetchall()
    assert aligned_by == [("r4pm", ours_report.variants, True)]


def one_task_net(label: str = "Pay") -> tuple[PetriNet, Marking, Marking]:
    """start -> label -> end."""
    net = PetriNet("one task")
    start, end, task = PetriNet.Place("start"), PetriNet.Place("end"), PetriNet.Transition("t", label)
    net.places.update((start, end))
    net.transitions.add(task)
    add_arc_from_to(start, task, net)
    add_arc_from_to(task, end, net)
    return net, Marking({start: 1}), Marking({end: 1})


def test_the_token_bound_comes_from_a_place_invariant() -> None:
    net, im, fm = one_task_net()
    assert rust.token_bound(net, im) == 1
    many = Marking({place: 300 for place in im})
    assert rust.token_bound(net, many) == 300
    assert "300 tokens" in rust.net_refusal(rust.rust_net(net, many, Marking({p: 300 for p in fm})))
    # a transition that produces without consuming: no invariant bounds the net
    source = PetriNet.Transition("source", "Call")
    net.transitions.add(source)
    add_arc_from_to(source, next(p for p in net.places if p.name == "end"), net)
    assert rust.token_bound(net, im) is None
    assert "no place invariant" in rust.net_refusal(rust.rust_net(net, im, fm))


def test_what_r4pm_cannot_take_is_aligned_by_pm4py(monkeypatch) -> None:
    model = designed_models(SAMPLE_MODELS)["order"]
    net, im, fm = model.net, model.initial_marking, model.final_marking
    variants = [("Order placed", "Order paid", "Order shipped", "Order delivered"),
                ("Order placed", "Call: order status", "Order shipped", "Order delivered", "Order delivered"),
                ("Search",) * 40, ()]
    reference = optimal_alignments(variants, net, im, fm, aligner="pm4py")
    assert [a.aligner for a in reference] == ["pm4py"] * 4
    mixed = optimal_alignments(variants, net, im, fm)
    assert [a.aligner for a in mixed] == ["r4pm", "r4pm", "r4pm", "pm4py"]  # the empty trace is pm4py's
    # the state bound: r4pm gives up after one state and pm4py finishes under its time limit
    bounded = optimal_alignments(variants, net, im, fm, max_states=1)
    assert [(a.aligner, a.states_visited) for a in bounded] == [("pm4py", 1)] * 3 + [("pm4py", None)]
    # traces longer than r4pm can index
    monkeypatch.setattr(rust, "EVENT_LIMIT", 10)
    long = optimal_alignments(variants, net, im, fm)
    assert [a.aligner for a in long] == ["r4pm", "r4pm", "pm4py", "pm4py"]
    for found in (mixed, bounded, long):
        assert [(a.alignment.cost, a.alignment.worst_cost, a.alignment.fitness, Counter(a.alignment.moves))
                for a in found] == [(a.alignment.cost, a.alignment.worst_cost, a.alignment.fitness,
                                     Counter(a.alignment.moves)) for a in reference]


def test_a_net_r4pm_cannot_count_is_aligned_by_pm4py_alone() -> None:
    net, im, fm = one_task_net()
    net.transitions.add(source := PetriNet.Transition("source", "Call"))
    add_arc_from_to(source, next(p for p in net.places if p.name == "start"), net)
    found = optimal_alignments([("Pay",), ("Call", "Pay", "Pay")], net, im, fm)
    assert [(a.aligner, a.states_visited, a.alignment.cost) for a in found] == [
        ("pm4py", None, 0), ("pm4py", None, 2 * pm.LOG_MOVE_COST)]  # the extra Pay has no token


def test_bad_settings_and_unreachable_final_markings_are_refused() -> None:
    net, im, fm = one_task_net()
    with pytest.raises(CxminingError, match="aligner"):
        optimal_alignments([("Pay",)], net, im, fm, aligner="prom")  # type: ignore[arg-type]
    with pytest.raises(CxminingError, match="max_states"):
        optimal_alignments([("Pay",)], net, im, fm, max_states=0)
    with pytest.raises(CxminingError, match="final marking"):
        optimal_alignments([("Pay",)], net, im, Marking({next(iter(im)): 2}))


ALIGN_TIED = """
import json, sys
from pathlib import Path
from cxmining.conformance.alignments import optimal_alignments
from cxmining.mining import pm4py_bridge as pm
net, im, fm = pm.bpmn_net(pm.bpmn_of_xml(Path(sys.argv[1]).read_bytes()))
found = optimal_alignments([tuple(v) for v in json.loads(sys.argv[2])], net, im, fm, aligner=sys.argv[3])
print(json.dumps([[a.aligner, a.alignment.cost, a.alignment.moves] for a in found]))
"""


def test_r4pm_chooses_among_equally_good_alignments_one_of_pm4py_cost_on_every_cold_run() -> None:
    """r4pm's choice between ties may change from process to process (the cache keeps the first one: docs/conformance.md);
    each choice is a valid alignment of pm4py's optimal cost."""
    from test_conformance import TIED

    model = ROOT / "data" / "sample" / "models" / "order_journey.bpmn"
    net, im, fm = pm.bpmn_net(pm.bpmn_of_xml(model.read_bytes()))

    def cold(aligner: str, seed: int) -> list:
        out = subprocess.run([sys.executable, "-c", ALIGN_TIED, str(model), json.dumps(TIED), aligner], check=True,
                             text=True, capture_output=True, env={**os.environ, "PYTHONHASHSEED": str(seed)}).stdout
        return json.loads(out)

    reference = cold("pm4py", 1)
    for seed in (1, 2):
        ours = cold("r4pm", seed)
        assert [(aligner, cost) for aligner, cost, _ in ours] == [("r4pm", cost) for _, cost, _ in reference]
        for (_, cost, moves), activities in zip(ours, TIED, strict=True):
            assert is_optimal_alignment([tuple(m) for m in moves], activities, cost // pm.MODEL_MOVE_COST, net, im, fm)
