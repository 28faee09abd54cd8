"""Everything cxmining asks of pm4py, behind one module: reference statistics, discovery from variants, replay, model files.

The rest of cxmining speaks its own vocabulary (variants as activity tuples with frequencies, DFG arcs as
activity pairs); only this module knows pm4py's objects and keys. pm4py prints its licence banner only
when imported straight from `__main__`, so importing it here keeps scripts and tests quiet.
"""

from __future__ import annotations

import re
import shutil
import time
import warnings
from collections import Counter
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from copy import copy, deepcopy
from dataclasses import dataclass
from pathlib import Path

import pandas as pd
import pm4py
from pm4py.algo.conformance.alignments.petri_net import algorithm as alignments
from pm4py.algo.conformance.tokenreplay import algorithm as token_replay
from pm4py.algo.conformance.tokenreplay.variants import (
    token_replay as token_replay_variant,
)
from pm4py.algo.discovery.inductive.dtypes.im_ds import IMDataStructureUVCL
from pm4py.algo.discovery.inductive.variants.im import IMUVCL
from pm4py.algo.discovery.inductive.variants.imf import IMFUVCL
from pm4py.algo.evaluation.replay_fitness import algorithm as fitness_evaluator
from pm4py.objects.bpmn.importer import importer as bpmn_importer
from pm4py.objects.bpmn.obj import BPMN
from pm4py.objects.dfg.obj import DFG
from pm4py.objects.log.obj import Event, EventLog, Trace
from pm4py.objects.petri_net import semantics
from pm4py.objects.petri_net.obj import Marking, PetriNet
from pm4py.objects.petri_net.utils import check_soundness
from pm4py.objects.petri_net.utils.align_utils import (
    get_visible_transitions_eventually_enabled_by_marking,
)
from pm4py.objects.petri_net.utils.petri_utils import add_arc_from_to, get_places_shortest_path_by_hidden
from pm4py.objects.process_tree.obj import ProcessTree
from pm4py.objects.process_tree.utils.generic import fold, tree_sort
from pm4py.statistics.traces.generic.pandas import case_statistics
from pm4py.util.compression import util as compression_util

from cxmining.errors import CxminingError, StoreError
from cxmining.mining.settings import DiscoverySettings

Variants = Mapping[tuple[str, ...], int]  # activity sequence -> number of cases following it
Arc = tuple[str, str]  # (source activity, target activity)
CASE, ACTIVITY, TIMESTAMP = "case:concept:name", "concept:name", "time:timestamp"


@dataclass(frozen=True)
class ProcessModel:
    """A discovered model in the three forms we publish: process tree, accepting Petri net, BPMN."""

    tree: ProcessTree
    net: PetriNet
    initial_marking: Marking
    final_marking: Marking
    bpmn: BPMN


def formatted_log(path: Path) -> pd.DataFrame:
    """An XES log as pm4py's DataFrame, sorted stably by case and timestamp (pm4py.format_dataframe)."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)  # "install r4pm" advice from the rustxes importer
        log = pm4py.read_xes(str(path))
    return formatted(log)


def xes_events_in_file_order(path: Path) -> pd.DataFrame:
    """The events of an XES file as pm4py's streaming reader returns them, in file order (no sorting, no
    formatting); its errors propagate as pm4py raises them."""
    return pm4py.read_xes(str(path), variant="iterparse", show_progress_bar=False).reset_index(drop=True)


def formatted(log: pd.DataFrame) -> pd.DataFrame:
    """A DataFrame with pm4py's column names, sorted stably by case and timestamp as pm4py expects."""
    return pm4py.format_dataframe(log, case_id=CASE, activity_key=ACTIVITY, timestamp_key=TIMESTAMP)


def dfg_frequencies(log: pd.DataFrame) -> dict[Arc, int]:
    """pm4py's directly-follows counts of a DataFrame log."""
    dfg, _, _ = pm4py.discover_dfg(log, activity_key=ACTIVITY, timestamp_key=TIMESTAMP, case_id_key=CASE)
    return {arc: int(n) for arc, n in dfg.items()}


def dfg_performance(log: pd.DataFrame) -> dict[Arc, dict[str, float]]:
    """pm4py's directly-follows times in seconds (mean, median, min, max, sum, stdev) of a DataFrame log."""
    dfg, _, _ = pm4py.discover_performance_dfg(log, activity_key=ACTIVITY, timestamp_key=TIMESTAMP, case_id_key=CASE)
    return {arc: {k: float(v) for k, v in stats.items()} for arc, stats in dfg.items()}


def start_activities(log: pd.DataFrame) -> dict[str, int]:
    """pm4py's start activities of a DataFrame log, with the number of cases each starts."""
    found = pm4py.get_start_activities(log, activity_key=ACTIVITY, timestamp_key=TIMESTAMP, case_id_key=CASE)
    return {a: int(n) for a, n in found.items()}


def end_activities(log: pd.DataFrame) -> dict[str, int]:
    """pm4py's end activities of a DataFrame log, with the number of cases each ends."""
    found = pm4py.get_end_activities(log, activity_key=ACTIVITY, timestamp_key=TIMESTAMP, case_id_key=CASE)
    return {a: int(n) for a, n in found.items()}


def variant_frequencies(log: pd.DataFrame) -> dict[tuple[str, ...], int]:
    """pm4py's variants of a DataFrame log: activity tuple -> number of cases."""
    found = pm4py.get_variants(log, activity_key=ACTIVITY, timestamp_key=TIMESTAMP, case_id_key=CASE)
    return {tuple(v): int(n) for v, n in found.items()}


def case_durations(log: pd.DataFrame) -> dict[str, float]:
    """pm4py's case durations in seconds (last minus first timestamp), per case id."""
    described = case_statistics.get_cases_description(
        log, parameters={"pm4py:param:case_id_key": CASE, "pm4py:param:timestamp_key": TIMESTAMP}
    )
    return {str(case): float(d["caseDuration"]) for case, d in described.items()}


def frequency_dfg(arcs: Mapping[Arc, int], starts: Mapping[str, int], ends: Mapping[str, int]) -> DFG:
    """A pm4py DFG object (for drawing or DFG-based miners) from our arc, start and end counts."""
    return DFG(dict(arcs), dict(starts), dict(ends))


def performance_dfg(arcs: Mapping[Arc, Mapping[str, float]]) -> dict[Arc, dict[str, float]]:
    """A pm4py performance DFG (arc -> {'mean': s, 'median': s, ...}) from our per-arc times in seconds."""
    return {arc: dict(stats) for arc, stats in arcs.items()}


def discovered_model(variants: Variants, noise: float = DiscoverySettings.noise) -> ProcessModel:
    """Inductive Miner on the variants alone (IMf when noise > 0, else IM): the same tree as on the full log.

    pm4py's miner itself reduces a log to its variant counter before mining, so handing it our variants
    skips reading every event without changing the result.
    """
    if not 0.0 <= noise <= 1.0:
        raise CxminingError(f"noise threshold must be between 0 and 1, got {noise!r}")
    if not variants:
        raise StoreError("no variants to mine: the variants table is empty (no journey events?)")
    log = Counter({tuple(activities): int(n) for activities, n in variants.items()})
    parameters = {"noise_threshold": noise, "multiprocessing": False, "disable_fallthroughs": False}
    # What pm4py's inductive_miner.apply does once it holds a variant counter; apply() itself cannot be given
    # one (its type check compares against typing.Counter and falls through to the DataFrame branch).
    miner = IMFUVCL(parameters) if noise > 0 else IMUVCL(parameters)
    with _variant_dfgs_in_one_pass():
        tree = fold(miner.apply(IMDataStructureUVCL(log), parameters))
    tree_sort(tree)
    return _model(tree)


def variant_dfg(log: Mapping[tuple, int]) -> DFG:
    """pm4py's `discover_dfg_uvcl`: the directly-follows graph, start and end activities of a variant counter, each
    pair counted once per occurrence times the variant's count, the keys in pm4py's order (arcs as first met, start
    and end activities in sorted order), in one pass over the variants instead of one per activity."""
    graph: Counter = Counter()
    starts: dict = {}
    ends: dict = {}
    for trace, n in log.items():
        if trace:
            for pair in zip(trace, trace[1:]):
                graph[pair] += n
            starts[trace[0]] = starts.get(trace[0], 0) + n
            ends[trace[-1]] = ends.get(trace[-1], 0) + n
    dfg = DFG()
    dfg.graph.update(graph)
    dfg.start_activities.update({a: starts[a] for a in sorted(starts)})
    dfg.end_activities.update({a: ends[a] for a in sorted(ends)})
    return dfg


@contextmanager
def _variant_dfgs_in_one_pass() -> Iterator[None]:
    """pm4py's inductive miner with `variant_dfg` in place of `discover_dfg_uvcl`, which it calls for every sub-log
    it considers and which loops over the variants once per activity: 95% of discovery on 42,000 variants. The
    same DFG, so the same tree (tested against pm4py's own miner on the full logs)."""
    original = compression_util.discover_dfg_uvcl
    compression_util.discover_dfg_uvcl = variant_dfg
    try:
        yield
    finally:
        compression_util.discover_dfg_uvcl = original


def discovered_model_of_log(log: pd.DataFrame, noise: float = DiscoverySettings.noise) -> ProcessModel:
    """pm4py's own Inductive Miner on a full DataFrame log (the reference for `discovered_model`)."""
    tree = pm4py.discover_process_tree_inductive(
        log, noise_threshold=noise, activity_key=ACTIVITY, timestamp_key=TIMESTAMP, case_id_key=CASE
    )
    return _model(tree)


def _model(tree: ProcessTree) -> ProcessModel:
    net, im, fm = pm4py.convert_to_petri_net(tree)
    return ProcessModel(tree, net, im, fm, pm4py.convert_to_bpmn(tree))


def replay_fitness(log: pd.DataFrame, model: ProcessModel) -> float:
    """Token-based replay log fitness (0..1) of a DataFrame log on the model's Petri net."""
    result = fitness_evaluator.apply(
        log, model.net, model.initial_marking, model.final_marking,
        variant=fitness_evaluator.Variants.TOKEN_BASED,
        parameters={
            "pm4py:param:activity_key": ACTIVITY, "pm4py:param:timestamp_key": TIMESTAMP,
            "pm4py:param:case_id_key": CASE, "show_progress_bar": False,
        },
    )
    return float(result["log_fitness"])


def model_files(model: ProcessModel, out: Path) -> dict[str, Path]:
    """Write the model as `process_model.pnml`, `.bpmn` and `.tree.txt` into `out`; return the paths by kind."""
    out.mkdir(parents=True, exist_ok=True)
    paths = {
        "pnml": out / "process_model.pnml",
        "bpmn": out / "process_model.bpmn",
        "tree": out / "process_model.tree.txt",
    }
    pm4py.write_pnml(model.net, model.initial_marking, model.final_marking, str(paths["pnml"]))
    # the BPMN diagram's layout is drawn by Graphviz; without it the file holds the model without a diagram
    pm4py.write_bpmn(model.bpmn, str(paths["bpmn"]), auto_layout=shutil.which("dot") is not None)
    paths["tree"].write_text(str(model.tree) + "\n", encoding="utf-8")
    return paths


def bpmn_activities(path: Path) -> set[str]:
    """Names of the tasks of a BPMN file, read back with pm4py (checks the file is usable)."""
    model = pm4py.read_bpmn(str(path))
    return {node.get_name() for node in model.get_nodes() if isinstance(node, BPMN.Task)}


# --- conformance ---

Move = tuple[str | None, str | None]  # (log activity, model label); None on the side that does not move
SKIP = ">>"  # pm4py's "no move" marker in alignments
LOG_MOVE_COST = MODEL_MOVE_COST = 10000  # pm4py's standard alignment costs (align_utils.STD_MODEL_LOG_MOVE_COST)
SILENT_MOVE_COST = 1  # pm4py's align_utils.STD_TAU_COST


@dataclass(frozen=True)
class VariantAlignment:
    """One variant aligned to a net; fitness, costs and moves are None/empty when its time limit was hit."""

    fitness: float | None
    cost: int | None  # pm4py's alignment cost: 10000 per log move or model move on a visible task
    worst_cost: int | None  # cost of the worst sensible alignment of this trace: the denominator of its fitness
    moves: list[Move]  # silent (tau) model moves left out
    timed_out: bool
    seconds: float  # wall time spent aligning it


@dataclass(frozen=True)
class VariantReplay:
    """Token-based replay of one variant: fitness, whether it fits, and its token counts."""

    fitness: float
    is_fitting: bool
    produced: int
    consumed: int
    missing: int
    remaining: int


def sink_marking(net: PetriNet) -> Marking:
    """One token on every place without outgoing arcs: the final marking of a workflow net that does not state one."""
    sinks = [place for place in net.places if not place.out_arcs]
    if not sinks:
        raise CxminingError("the Petri net has no place without outgoing arcs; give its final marking explicitly")
    return Marking({place: 1 for place in sinks})


def accepting_net(path: Path) -> tuple[PetriNet, Marking, Marking]:
    """A PNML file as (net, initial marking, final marking); a missing final marking becomes `sink_marking`."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)  # "imported without a specified final marking"
        net, im, fm = pm4py.read_pnml(str(path))
    return net, im, (fm if fm else sink_marking(net))


def net_file(net: PetriNet, im: Marking, fm: Marking, path: Path) -> Path:
    """The net with both markings written as PNML at `path` (read back by `accepting_net`): what a cluster's worker is
    given instead of the model."""
    path.parent.mkdir(parents=True, exist_ok=True)
    pm4py.write_pnml(net, im, fm, str(path))
    return path


def _variant_log(variants: Sequence[tuple[str, ...]]) -> EventLog:
    """An EventLog with one trace per variant."""
    return EventLog([Trace([Event({ACTIVITY: a}) for a in activities]) for activities in variants])


_GENERATED_NAME = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}|n\d+|p_\d+|t_\d+|tau_\d+|skip_\d+|init_loop_\d+|loop_\d+", re.I)


class _FixedOrder(set):
    """A set that iterates in a fixed order. pm4py enumerates a net's places and transitions and keeps the first
    optimal alignment it meets; a plain set of pm4py objects iterates in memory-address order, so equally good
    alignments would win at random from one run to the next."""

    def __init__(self, items: list) -> None:
        super().__init__(items)
        self._order = items

    def __iter__(self):  # noqa: ANN204 - the set protocol
        return iter(self._order)


def _name_key(name: str) -> str:
    """A node's name, or '' when it is generated afresh on every conversion (a UUID or a counter)."""
    return "" if _GENERATED_NAME.fullmatch(str(name)) else str(name)


def canonical_order(net: PetriNet) -> PetriNet:
    """A view of the net (the same places, transitions and arcs) that iterates them in an order that does not change
    between runs; read it, do not add to it.

    Transitions are ordered by label, then name, then the names of the places around them (two rounds of refinement,
    so that transitions with generated names are placed by their neighbours); places likewise. Whatever ties remain
    are between nodes that look alike from every side, whose alignments read the same. This is the documented
    tie-break of our alignments: among equally good ones, the one pm4py's search meets first in this order.
    """
    place_key = {p: (_name_key(p.name),) for p in net.places}
    trans_key = {t: (t.label or "", _name_key(t.name)) for t in net.transitions}
    for _ in range(2):
        trans_key = {t: (*trans_key[t][:2], tuple(sorted(place_key[a.source] for a in t.in_arcs)),
                         tuple(sorted(place_key[a.target] for a in t.out_arcs))) for t in net.transitions}
        place_key = {p: (place_key[p][0], tuple(sorted(trans_key[a.source][:2] for a in p.in_arcs)),
                         tuple(sorted(trans_key[a.target][:2] for a in p.out_arcs))) for p in net.places}
    ordered = copy(net)  # the same places, transitions and arcs, in containers of its own: the caller's net is untouched
    ordered._PetriNet__places = _FixedOrder(sorted(net.places, key=lambda p: place_key[p]))  # pm4py's name-mangled sets
    ordered._PetriNet__transitions = _FixedOrder(sorted(net.transitions, key=lambda t: trans_key[t]))
    return ordered


def alignment_fitness(cost: int, worst_cost: int) -> float:
    """A trace's fitness from its alignment's cost and worst cost, as pm4py makes it: deviating moves over the worst
    alignment's moves (silent moves' unit costs dropped by the integer division)."""
    denominator = worst_cost // MODEL_MOVE_COST
    return 1 - (cost // MODEL_MOVE_COST) / denominator if denominator > 0 else 0.0


def require_final_marking_reachable(net: PetriNet, im: Marking, fm: Marking) -> None:
    """Raise a CxminingError unless the net can reach its final marking from its initial one (pm4py's easy
    soundness): no alignment exists otherwise."""
    if not check_soundness.check_easy_soundness_net_in_fin_marking(net, im, fm):
        raise CxminingError("the model cannot reach its final marking from its initial one (not easy sound); "
                            "check the final marking")


def variant_alignments(
    variants: Sequence[tuple[str, ...]], net: PetriNet, im: Marking, fm: Marking, max_seconds: float
) -> list[VariantAlignment]:
    """pm4py's optimal alignment of each variant under pm4py's standard costs, each stopped after `max_seconds`.

    The search is pm4py's Dijkstra variant (`dijkstra_less_memory`) given pm4py's standard costs explicitly (10000 per
    log move and per model move on a visible task, 1 per silent move), so costs, worst costs and fitness equal those
    of pm4py's default A* exactly. Unlike the A*, it expands the net's transitions in the net's own order, so with
    `canonical_order` the same one of several equally good alignments is chosen on every run (the documented
    tie-break, docs/conformance.md).
    """
    require_final_marking_reachable(net, im, fm)
    net = canonical_order(net)
    variant = alignments.Variants.VERSION_DIJKSTRA_LESS_MEMORY
    parameters = {
        "pm4py:param:activity_key": ACTIVITY, "show_progress_bar": False,
        "model_cost_function": {t: MODEL_MOVE_COST if t.label is not None else SILENT_MOVE_COST for t in net.transitions},
    }
    # the model's worst-case cost, once: pm4py's apply_trace would work it out again for every trace (its default is
    # evaluated before the precomputed value is looked at), so it is switched off there and the fitness made here the
    # way pm4py makes it
    worst = variant.value.get_best_worst_cost(net, im, fm, parameters=dict(parameters))
    parameters |= {"max_align_time_trace": max_seconds, "enable_best_worst_cost": False}
    found = []
    for trace in _variant_log(variants):
        began = time.perf_counter()
        costs = {"trace_cost_function": [LOG_MOVE_COST] * len(trace)}
        result = alignments.apply_trace(trace, net, im, fm, parameters=parameters | costs, variant=variant)
        seconds = time.perf_counter() - began
        if result is None:
            found.append(VariantAlignment(None, None, None, [], timed_out=True, seconds=seconds))
            continue
        worst_cost = LOG_MOVE_COST * len(trace) + worst  # pm4py's "bwc": the trace's moves on their own, plus the model's
        fitness = alignment_fitness(result["cost"], worst_cost)
        moves = [(None if a == SKIP else a, None if b == SKIP else b) for a, b in result["alignment"] if b is not None]
        found.append(VariantAlignment(float(fitness), int(result["cost"]), int(worst_cost), moves, False, seconds))
    return found


def variant_replays(variants: Sequence[tuple[str, ...]], net: PetriNet, im: Marking, fm: Marking) -> list[VariantReplay]:
    """pm4py's token-based replay of each variant, with the parameters of its log fitness evaluation."""
    parameters = {"pm4py:param:activity_key": ACTIVITY, "consider_remaining_in_fitness": True,
                  "cleaning_token_flood": False, "show_progress_bar": False}
    replayed = token_replay.apply(_variant_log(variants), net, im, fm, parameters=parameters)
    return [
        VariantReplay(float(r["trace_fitness"]), bool(r["trace_is_fit"]), int(r["produced_tokens"]),
                      int(r["consumed_tokens"]), int(r["missing_tokens"]), int(r["remaining_tokens"]))
        for r in replayed
    ]


PREFIX_REPLAY = {  # the token replay of pm4py's ETConformance precision (etconformance_token.apply)
    token_replay_variant.Parameters.SHOW_PROGRESS_BAR: False,
    token_replay_variant.Parameters.CONSIDER_REMAINING_IN_FITNESS: False,
    token_replay_variant.Parameters.TRY_TO_REACH_FINAL_MARKING_THROUGH_HIDDEN: False,
    token_replay_variant.Parameters.STOP_IMMEDIATELY_UNFIT: True,
    token_replay_variant.Parameters.WALK_THROUGH_HIDDEN_TRANS: True,
    token_replay_variant.Parameters.CLEANING_TOKEN_FLOOD: False,
    token_replay_variant.Parameters.ACTIVITY_KEY: ACTIVITY,
}


def prefix_replays(
    prefixes: Sequence[tuple[str, ...]], net: PetriNet, im: Marking, fm: Marking
) -> list[tuple[bool, list[str]]]:
    """For each log prefix, what pm4py's token-based ETConformance precision takes from replaying it: whether the
    prefix fits, and the visible labels the net enables after it, through silent transitions (sorted). One replay per
    prefix, as `etconformance_token.apply` does: the reference for `PrefixReplayer`."""
    replayed = token_replay.apply(_variant_log(prefixes), net, im, fm, parameters=PREFIX_REPLAY,
                                  variant=token_replay.Variants.TOKEN_REPLAY) if prefixes else []
    return [(bool(r["trace_is_fit"]), sorted({t.label for t in r["enabled_transitions_in_marking"] if t.label is not None}))
            for r in replayed]


class PrefixReplayer:
    """What pm4py's token replay for ETConformance precision (`prefix_replays`) finds after each prefix, one event at
    a time, each step replayed by pm4py once per marking.

    pm4py's replay goes through a trace event by event, and what it fires for an event (the silent transitions that
    enable the event's transition, then that transition; nothing for an activity the net lacks) depends only on the
    marking and that event: the transitions visited and the other caches are reset at every event, and the
    markings it records are never read. So the replay of a prefix is a walk through a table of steps (marking,
    activity) -> marking after it, or none where pm4py stops (the prefix, and every longer one, does not fit); a step
    missing from the table is filled by pm4py's own replay of a one-event trace from that marking, for every label at
    once. The markings a model reaches are few, so pm4py runs a few hundred times however many prefixes there are.
    Equal to `prefix_replays` on every prefix of Helpdesk, CCC19 and BPIC 2020 (tests) and of road-traffic fines.
    """

    def __init__(self, net: PetriNet, im: Marking, fm: Marking) -> None:
        self.net, self.fm = net, fm
        self.labels = sorted({t.label for t in net.transitions if t.label is not None})
        self.parameters = {**PREFIX_REPLAY, token_replay_variant.Parameters.PLACES_SHORTEST_PATH_BY_HIDDEN:
                           get_places_shortest_path_by_hidden(net, token_replay_variant.TechnicalParameters.MAX_REC_DEPTH.value)}
        self.start = frozenset(im.items())
        self.markings: dict[frozenset, Marking] = {self.start: copy(im)}
        self.steps: dict[frozenset, dict[str, frozenset | None]] = {}  # marking -> activity -> marking after, or None
        self.enabled: dict[frozenset, list[str]] = {}  # marking -> visible labels eventually enabled (sorted)

    def replays(self, variants: Sequence[tuple[str, ...]]) -> dict[tuple[str, ...], tuple[bool, list[str]]]:
        """Each proper prefix of the variants: whether it fits, and the visible labels enabled after it ([] if not)."""
        found: dict[tuple[str, ...], tuple[bool, list[str]]] = {}
        for variant in variants:
            marking: frozenset | None = self.start
            for end in range(1, len(variant)):
                activity = variant[end - 1]
                if marking is not None:
                    step = self.steps[marking] if marking in self.steps else self._steps_from(marking)
                    marking = step.get(activity, marking)  # an activity the net lacks fires nothing
                prefix = variant[:end]
                if prefix not in found:
                    found[prefix] = (False, []) if marking is None else (True, self._enabled_after(marking))
        return found

    def _steps_from(self, marking: frozenset) -> dict[str, frozenset | None]:
        """pm4py's replay of each label alone from `marking`: the marking after it, None where pm4py stops."""
        start = self.markings[marking]
        replayed = token_replay.apply(_variant_log([(label,) for label in self.labels]), self.net, copy(start), self.fm,
                                      parameters=self.parameters, variant=token_replay.Variants.TOKEN_REPLAY)
        steps: dict[str, frozenset | None] = {}
        for label, result in zip(self.labels, replayed, strict=True):
            after, fits = copy(start), False
            for transition in result["activated_transitions"]:  # the silent transitions fired, then the visible one
                after = semantics.execute(transition, self.net, after)
                if transition.label is not None:
                    fits = True
                    break
            key = frozenset(after.items()) if fits else None
            if key is not None:
                self.markings.setdefault(key, after)
            steps[label] = key
        self.steps[marking] = steps
        return steps

    def _enabled_after(self, marking: frozenset) -> list[str]:
        if marking not in self.enabled:
            self.enabled[marking] = sorted({t.label for t in get_visible_transitions_eventually_enabled_by_marking(
                self.net, self.markings[marking])})
        return self.enabled[marking]


def initially_enabled_labels(net: PetriNet, im: Marking) -> list[str]:
    """The visible labels the net enables from its initial marking, through silent transitions (sorted)."""
    return sorted({t.label for t in get_visible_transitions_eventually_enabled_by_marking(net, im)})


# --- designed models (BPMN) ---


def bpmn_of_xml(xml: bytes) -> BPMN:
    """pm4py's BPMN graph of a BPMN 2.0 XML document (pm4py.read_bpmn, from bytes instead of a file)."""
    return bpmn_importer.deserialize(xml)


def bpmn_net(bpmn: BPMN) -> tuple[PetriNet, Marking, Marking]:
    """pm4py's accepting Petri net of a BPMN graph: tasks become transitions labelled with their names."""
    return pm4py.convert_to_petri_net(bpmn)


def trace_fitness(activities: tuple[str, ...], net: PetriNet, im: Marking, fm: Marking) -> float:
    """Token-based replay fitness (0..1) of one activity sequence; an activity the net lacks costs fitness too.

    pm4py's replay skips events whose activity labels no transition, so a journey with calls would fit a model
    without calls. Each such activity gets a transition whose input place is never marked: replaying it counts
    one missing and one remaining token, as for any step the model does not allow at that point.
    """
    unknown = sorted(set(activities) - {t.label for t in net.transitions})
    if unknown:
        net, im, fm = deepcopy((net, im, fm))  # copied together, the markings keep pointing at the copied places
        for label in unknown:
            blocked, after = PetriNet.Place(f"never marked: {label}"), PetriNet.Place(f"after: {label}")
            outside = PetriNet.Transition(f"outside the model: {label}", label)
            net.places.update((blocked, after))
            net.transitions.add(outside)
            add_arc_from_to(blocked, outside, net)
            add_arc_from_to(outside, after, net)
    log = pd.DataFrame({
        CASE: "trace", ACTIVITY: list(activities),
        TIMESTAMP: pd.date_range("2000-01-01", periods=len(activities), freq="s", tz="UTC"),
    })
    replayed = pm4py.conformance_diagnostics_token_based_replay(
        log, net, im, fm, activity_key=ACTIVITY, timestamp_key=TIMESTAMP, case_id_key=CASE
    )
    return float(replayed[0]["trace_fitness"])


# --- model footprints and drawing ---

BpmnNode = tuple[str, str, str]  # (id, kind: start, end, task, xor, and, other, name)


def net_directly_follows(net: PetriNet, im: Marking, fm: Marking) -> set[Arc]:
    """Pairs of visible labels the net lets directly follow each other (pm4py footprints: sequence and parallel)."""
    footprint = pm4py.discover_footprints(net, im, fm)
    # pm4py lists a pair the net allows both ways under 'parallel' only; each direction is a directly-follows arc
    return {(str(a), str(b)) for a, b in (*footprint["sequence"], *footprint["parallel"])}


def bpmn_graph(bpmn: BPMN) -> tuple[list[BpmnNode], list[Arc]]:
    """The nodes (id, kind, name) and sequence flows (source id, target id) of a BPMN graph, sorted by id."""
    kinds = ((BPMN.StartEvent, "start"), (BPMN.EndEvent, "end"), (BPMN.Task, "task"),
             (BPMN.ExclusiveGateway, "xor"), (BPMN.ParallelGateway, "and"))
    nodes = [
        (str(n.get_id()), next((k for cls, k in kinds if isinstance(n, cls)), "other"), str(n.get_name() or ""))
        for n in bpmn.get_nodes()
    ]
    flows = [(str(f.get_source().get_id()), str(f.get_target().get_id())) for f in bpmn.get_flows()]
    return sorted(nodes), sorted(flows)


@dataclass(frozen=True)
class ObjectCentricLog:
    """An object-centric event log as pm4py reads it, in plain frames with fixed column names.

    `events` (event_id, activity, ts in naive UTC, position, then the file's event attributes) keeps pm4py's event order, which
    `position` numbers from 0: pm4py's flattening breaks timestamp ties by it. `objects` (object_id, object_type,
    then the object attributes), `relations` (event_id, object_id, object_type, qualifier) and `o2o` (from_object_id,
    to_object_id, qualifier) are pm4py's tables as they are.
    """

    events: pd.DataFrame
    objects: pd.DataFrame
    relations: pd.DataFrame
    o2o: pd.DataFrame
    version: str  # "2.0" or "1.0"


def object_centric_log(path: Path, version: str) -> ObjectCentricLog:
    """An OCEL file read by pm4py: OCEL 2.0 (SQLite, JSON or XML, by pm4py.read_ocel2) or OCEL 1.0 JSON
    (pm4py.read_ocel); pm4py's errors propagate as it raises them."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # pm4py's advice on optional packages
        ocel = pm4py.read_ocel2(str(path)) if version == "2.0" else pm4py.read_ocel(str(path))
    eid, oid, otype = ocel.event_id_column, ocel.object_id_column, ocel.object_type_column
    events = ocel.events.rename(columns={eid: "event_id", ocel.event_activity: "activity",
                                         ocel.event_timestamp: "ts"}).reset_index(drop=True)
    events = events[["event_id", "activity", "ts", *[c for c in events.columns if c not in ("event_id", "activity", "ts")]]]
    events.insert(3, "position", range(len(events)))
    events["ts"] = pd.to_datetime(events["ts"], utc=True).dt.tz_localize(None)  # naive UTC, as the store keeps time
    objects = ocel.objects.rename(columns={oid: "object_id", otype: "object_type"}).reset_index(drop=True)
    relations = ocel.relations.rename(columns={eid: "event_id", oid: "object_id", otype: "object_type",
                                               ocel.qualifier: "qualifier"})
    relations = relations.reindex(columns=["event_id", "object_id", "object_type", "qualifier"]).reset_index(drop=True)
    o2o = pd.DataFrame(columns=["from_object_id", "to_object_id", "qualifier"], dtype="string")
    if ocel.o2o is not None and len(ocel.o2o):
        o2o = ocel.o2o.rename(columns={oid: "from_object_id", f"{oid}_2": "to_object_id", ocel.qualifier: "qualifier"})
        o2o = o2o.reindex(columns=["from_object_id", "to_object_id", "qualifier"]).reset_index(drop=True)
    return ObjectCentricLog(events, objects[["object_id", "object_type", *[c for c in objects.columns
                                                                          if c not in ("object_id", "object_type")]]],
                            relations, o2o, version)
