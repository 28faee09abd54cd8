"""Designed (normative) models: BPMN files checked, flattened, relabelled to the log's activities and converted.

pm4py reads much of BPMN but converts only tasks, start/end events and exclusive/parallel gateways to a Petri
net; anything else is dropped together with the flows around it, which silently cuts the model apart. So the
XML is checked first and every element pm4py would mishandle is either rewritten (pools, lanes, plain
intermediate events) or refused with a `ModelError` saying what to change.
"""

from __future__ import annotations

import hashlib
import json
import xml.etree.ElementTree as ET
from dataclasses import dataclass, field
from pathlib import Path

from cxmining.config import Strict, config_table, validated
from cxmining.errors import ModelError
from cxmining.mining import pm4py_bridge as pm
from cxmining.mining.pm4py_bridge import BPMN, Marking, PetriNet

MODEL_NS = "http://www.omg.org/spec/BPMN/20100524/MODEL"
FLOW_NODES = ("task", "Task", "Event", "Gateway", "subProcess", "SubProcess", "transaction", "callActivity")

# element (local name) -> (why pm4py cannot convert it, what the modeller can do instead)
UNSUPPORTED: dict[str, tuple[str, str]] = {
    "boundaryEvent": ("pm4py drops boundary events and the path leaving them",
                      "model the exception as an exclusive gateway after the task"),
    "subProcess": ("pm4py does not expand sub-processes, it drops them with their flows",
                   "draw its steps inline in the parent process"),
    "adHocSubProcess": ("pm4py does not expand sub-processes, it drops them with their flows",
                        "draw its steps inline in the parent process"),
    "transaction": ("pm4py does not read transactions, it drops them with their flows",
                    "draw its steps inline in the parent process"),
    "callActivity": ("pm4py does not resolve called processes, it drops the call with its flows",
                     "replace it with a task or draw the called steps inline"),
    "eventBasedGateway": ("pm4py drops event-based gateways with their flows",
                          "use an exclusive gateway"),
    "inclusiveGateway": ("pm4py lets every branch be skipped, so a case taking no branch at all would fit",
                         "model the allowed combinations with exclusive and parallel gateways"),
    "complexGateway": ("pm4py does not read complex gateways", "use exclusive or parallel gateways"),
    "messageFlow": ("pm4py ignores message flows, so the hand-over between pools is lost",
                    "model the exchange as tasks of one process"),
    "standardLoopCharacteristics": ("pm4py ignores loop markers, so the task could run only once",
                                    "draw the loop with an exclusive gateway"),
    "multiInstanceLoopCharacteristics": ("pm4py ignores multi-instance markers, so the task could run only once",
                                         "draw the repetition with an exclusive gateway"),
}
LINK = ("pm4py does not join link events, so the flow stops there", "draw the sequence flow instead of the link")


@dataclass(frozen=True, eq=False)
class DesignedModel:
    """A designed model ready for conformance checking, with what its labels cover in the log."""

    name: str
    path: Path
    sha256: str  # of the file content, the label mapping and the chosen process: the cache key of results
    bpmn: BPMN = field(repr=False)  # task names already mapped to log activities
    net: PetriNet = field(repr=False)
    initial_marking: Marking = field(repr=False)
    final_marking: Marking = field(repr=False)
    labels: frozenset[str]  # visible task labels after mapping
    unmatched_labels: frozenset[str]  # labels that are no activity of the log (empty when no log was given)
    unused_activities: frozenset[str]  # log activities no task stands for


class ModelEntry(Strict):
    """One journey type of a models config: its BPMN file, label mapping and process."""

    model: str  # BPMN file, relative to the config file
    labels: str | dict[str, str | None] | None = None  # mapping file (relative) or inline mapping
    process: str | None = None  # id of the process to use when the file holds several pools


def designed_model(
    path: Path,
    labels: dict[str, str] | None = None,
    log_activities: set[str] | None = None,
    *,
    process: str | None = None,
    name: str | None = None,
) -> DesignedModel:
    """The BPMN file at `path`, checked, flattened, relabelled with `labels` and converted to a Petri net."""
    try:
        content = path.read_bytes()
        root = ET.fromstring(content)
    except OSError as exc:
        raise ModelError(f"{path}: cannot read the model ({exc.strerror})") from exc
    except ET.ParseError as exc:
        raise ModelError(f"{path}: not valid XML ({exc})") from exc
    if _local(root.tag) != "definitions" or not root.tag.startswith(f"{{{MODEL_NS}}}"):
        raise ModelError(f"{path}: not a BPMN 2.0 file (root element is {_local(root.tag)!r}, expected definitions)")
    chosen = _chosen_process(path, root, process)
    _check_supported(path, root, chosen)
    lanes = _lanes(chosen)
    _flatten(root, chosen)
    mapping = labels or {}
    _relabel(path, chosen, lanes, mapping)
    bpmn = pm.bpmn_of_xml(ET.tostring(root))
    net, im, fm = pm.bpmn_net(bpmn)
    found = frozenset(t.label for t in net.transitions if t.label is not None)
    activities = frozenset(log_activities) if log_activities is not None else None
    return DesignedModel(
        name=name or path.stem,
        path=path,
        sha256=_model_hash(content, mapping, process),
        bpmn=bpmn, net=net, initial_marking=im, final_marking=fm,
        labels=found,
        unmatched_labels=found - activities if activities is not None else frozenset(),
        unused_activities=activities - found if activities is not None else frozenset(),
    )


def label_mapping(path: Path) -> dict[str, str]:
    """A YAML or TOML file of `model label: log activity`; an empty (or null) activity makes the task silent.

    A key is a task's name, `<lane>/<name>` (for tasks of the same name in different lanes) or a task id.
    """
    raw = config_table(path, ModelError)
    if not all(isinstance(k, str) and (v is None or isinstance(v, str)) for k, v in raw.items()):
        raise ModelError(f"{path}: expected `model label: log activity` pairs of text (or null for a silent task)")
    return {k: v or "" for k, v in raw.items()}


def designed_models(config: Path, log_activities: set[str] | None = None) -> dict[str, DesignedModel]:
    """The designed model of each journey type in a models config (YAML), paths relative to its folder."""
    found = {}
    for journey_type, body in config_table(config, ModelError).items():
        entry = validated(ModelEntry, body, f"{config}: {journey_type}", ModelError)
        if isinstance(entry.labels, str):
            mapping = label_mapping(config.parent / entry.labels)
        else:
            mapping = {k: v or "" for k, v in (entry.labels or {}).items()}
        found[str(journey_type)] = designed_model(
            config.parent / entry.model, mapping, log_activities, process=entry.process, name=str(journey_type)
        )
    return found


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def _bpmn(local: str) -> str:
    return f"{{{MODEL_NS}}}{local}"


def _label(element: ET.Element) -> str:
    return (element.get("name") or "").strip() or element.get("id", "?")


def _flow_nodes(process: ET.Element) -> list[ET.Element]:
    return [e for e in process if _local(e.tag).endswith(FLOW_NODES)]


def _chosen_process(path: Path, root: ET.Element, process: str | None) -> ET.Element:
    """The process to convert: the only one with flow nodes, or the one named by `process` (id or pool name)."""
    processes = root.findall(_bpmn("process"))
    pools = {p.get("processRef"): p.get("name") for p in root.iter(_bpmn("participant"))}
    if process is not None:
        for candidate in processes:
            if process in (candidate.get("id"), candidate.get("name"), pools.get(candidate.get("id"))):
                return candidate
        raise ModelError(f"{path}: process {process!r} not found (give a process id or pool name)")
    drawn = [p for p in processes if _flow_nodes(p)]
    if not drawn:
        raise ModelError(f"{path}: no process with tasks, events or gateways found")
    if len(drawn) > 1:
        names = ", ".join(repr(pools.get(p.get("id")) or p.get("name") or p.get("id")) for p in drawn)
        raise ModelError(f"{path}: collaboration of {len(drawn)} processes ({names}) is not supported as a whole "
                         "(pm4py would merge them into one net); choose one with `process`")
    return drawn[0]


def _check_supported(path: Path, root: ET.Element, process: ET.Element) -> None:
    """Raise ModelError on the first element of `process` (or message flow of the file) pm4py mishandles."""
    parent = {child: element for element in process.iter() for child in element}
    for element in [*root.iter(_bpmn("messageFlow")), *process.iter()]:
        local = _local(element.tag)
        if local not in UNSUPPORTED:
            continue
        why, todo = UNSUPPORTED[local]
        if local.endswith("LoopCharacteristics"):
            owner = parent[element]
            raise ModelError(f"{path}: {_local(owner.tag)} '{_label(owner)}' with {local} is not supported "
                             f"({why}); {todo}")
        raise ModelError(f"{path}: {local} '{_label(element)}' is not supported ({why}); {todo}")
    outgoing: dict[str, int] = {}
    for flow in process.iter(_bpmn("sequenceFlow")):
        outgoing[flow.get("sourceRef", "")] = outgoing.get(flow.get("sourceRef", ""), 0) + 1
    for node in _flow_nodes(process):
        local = _local(node.tag)
        if local.endswith("Event") and node.find(_bpmn("linkEventDefinition")) is not None:
            raise ModelError(f"{path}: {local} '{_label(node)}' with a link is not supported ({LINK[0]}); {LINK[1]}")
        if not local.endswith("Gateway") and outgoing.get(node.get("id", ""), 0) > 1:
            raise ModelError(
                f"{path}: {local} '{_label(node)}' with {outgoing[node.get('id', '')]} outgoing flows is not supported "
                "(BPMN runs them in parallel, pm4py makes them a choice); add a gateway after it"
            )
    kinds = {_local(n.tag) for n in _flow_nodes(process)}
    for needed, why in (("startEvent", "no case could start"), ("endEvent", "no case could complete")):
        if needed not in kinds:
            raise ModelError(f"{path}: process '{_label(process)}' has no {needed} (in pm4py's Petri net {why}); "
                             "add one")


def _lanes(process: ET.Element) -> dict[str, str]:
    """Flow node id -> name of the innermost lane holding it."""
    found = {}
    for lane in process.iter(_bpmn("lane")):  # document order: a nested lane comes after (and wins over) its parent
        for ref in lane.findall(_bpmn("flowNodeRef")):
            found[(ref.text or "").strip()] = (lane.get("name") or "").strip()
    return found


def _flatten(root: ET.Element, process: ET.Element) -> None:
    """Keep only `process` without its lanes; plain intermediate events become silent pass-through steps."""
    for other in [e for e in root if _local(e.tag) in ("collaboration", "process") and e is not process]:
        root.remove(other)
    for lanes in process.findall(_bpmn("laneSet")):
        process.remove(lanes)
    for node in _flow_nodes(process):
        if _local(node.tag) in ("intermediateCatchEvent", "intermediateThrowEvent"):
            # a waiting point or signal does not appear in a log: an exclusive gateway with one way in and one
            # way out is what pm4py turns into a silent transition
            node.tag = _bpmn("exclusiveGateway")
            for child in [c for c in node if _local(c.tag) not in ("incoming", "outgoing")]:
                node.remove(child)


def _relabel(path: Path, process: ET.Element, lanes: dict[str, str], mapping: dict[str, str]) -> None:
    """Rename tasks to log activities by id, `<lane>/<name>` or name; every mapping key must name a task."""
    used = set()
    for task in (n for n in _flow_nodes(process) if _local(n.tag).lower().endswith("task")):
        name = (task.get("name") or "").replace("\r", " ").replace("\n", " ").strip()
        task_id = task.get("id", "")
        for key in (task_id, f"{lanes.get(task_id, '')}/{name}", name):
            if key in mapping:
                used.add(key)
                name = mapping[key]
                break
        task.set("name", name)
    unknown = sorted(set(mapping) - used)
    if unknown:
        raise ModelError(f"{path}: label mapping key {unknown[0]!r} names no task (by id, <lane>/<name> or name)")


def _model_hash(content: bytes, mapping: dict[str, str], process: str | None) -> str:
    settings = json.dumps({"labels": mapping, "process": process}, sort_keys=True).encode("utf-8")
    return hashlib.sha256(content + b"\0" + settings).hexdigest()
