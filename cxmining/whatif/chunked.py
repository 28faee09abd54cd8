"""The what-if replications on a cluster's workers (`--cluster`, docs/scaling.md), in the shape of `cores.Workers`.

The coordinator writes the shared argument of the replications (the calibrated model, the regimes, the seed, the
resample flag) once, as a pickle under `<store>.parts/whatif/`; the replications are split into chunks, which the
cluster's tasks map (`map_chunks`, given by the flow); each chunk runs on a worker from that file (`chunk_results`),
so a worker is given a path and never opens the store. Replication i is the same wherever it runs, so the rows are
those of one process, and `simulation.paired_replications` keeps its rounds as they are.
"""

from __future__ import annotations

import pickle
import uuid
from collections.abc import Callable, Iterable
from functools import lru_cache
from pathlib import Path
from typing import Any, TypeVar

from cxmining.cluster import partitions_folder, partitions_removed

Item = TypeVar("Item")
Result = TypeVar("Result")
PER_TASK = 1  # replications per task: a round adds only ROUND (4) of them, and a replication outweighs a task's cost
# `map_chunks(shared file, function, chunks)`: `[chunk_results(shared file, function, chunk) for chunk in chunks]`,
# each call somewhere on the cluster, the results in the order of the chunks.
ChunkMapper = Callable[[Path, Callable[[Any, Any], Any], list[list[Any]]], list[list[Any]]]


def whatif_folder(db: str | Path) -> Path:
    """Where a night's what-if files for the cluster's workers go: `<store>.parts/whatif/`."""
    return partitions_folder(db) / "whatif"


def shared_file(folder: Path, shared: Any) -> Path:
    """`shared` pickled into a new file of `folder` (created), named uniquely so a worker's cached copy is never stale."""
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"shared-{uuid.uuid4().hex}.pickle"
    written = path.with_suffix(".part")
    with written.open("wb") as out:
        pickle.dump(shared, out, protocol=pickle.HIGHEST_PROTOCOL)
    written.rename(path)  # a worker never reads half a file
    return path


@lru_cache(maxsize=1)  # a worker reads the file once for all its chunks; one model at a time in memory
def _loaded(path: Path) -> Any:
    with path.open("rb") as source:
        return pickle.load(source)  # noqa: S301 - the coordinator's own file, beside the store it trusts


def chunk_results(shared: Path, function: Callable[[Any, Item], Result], items: list[Item]) -> list[Result]:
    """`[function(the content of shared, item) for item in items]`: one chunk, run by a worker from the file `shared`."""
    content = _loaded(shared)
    return [function(content, item) for item in items]


class ChunkedWorkers:
    """`Workers`' shape on a cluster (`with ChunkedWorkers(shared, folder, map_chunks) as w: w.map(function, items)`):
    `shared` is written to a file of `folder` on entering and removed on leaving; `map` sends the items in chunks of
    `per_task` to `map_chunks`."""

    def __init__(self, shared: Any, folder: Path, map_chunks: ChunkMapper, per_task: int = PER_TASK) -> None:
        self.shared, self.folder, self.map_chunks, self.per_task = shared, folder, map_chunks, per_task
        self.path: Path | None = None

    def __enter__(self) -> ChunkedWorkers:
        self.path = shared_file(self.folder, self.shared)
        return self

    def __exit__(self, *exc: object) -> None:
        if self.path is not None:
            self.path.unlink(missing_ok=True)
        if not any(self.folder.glob("*")):  # another simulation's file keeps the folder
            partitions_removed(self.folder)

    def map(self, function: Callable[[Any, Item], Result], items: Iterable[Item]) -> list[Result]:
        """`[function(shared, item) for item in items]`, in order, each chunk run where `map_chunks` sends it;
        `function` must be a module-level function (it is pickled by name)."""
        assert self.path is not None, "ChunkedWorkers.map outside its `with`"
        items = list(items)
        chunks = [items[i:i + self.per_task] for i in range(0, len(items), self.per_task)]
        return [result for chunk in self.map_chunks(self.path, function, chunks) for result in chunk]
