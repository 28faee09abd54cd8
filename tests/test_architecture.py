"""The house rules of docs/architecture.md, checked on the source: stages import only earlier stages, pm4py has one
door, every SQL file defines at most the one relation it is named after."""

from __future__ import annotations

import ast
import re

import pytest
from helpers import ROOT

PACKAGE = ROOT / "cxmining"
# The stages in the order the data flows; a stage may import itself, the stages before it and the shared bridge.
STAGES = ["errors", "config", "cores", "progress", "store", "cluster", "ingest", "eventlog", "journeys", "mining", "pictures", "conformance", "demand",
          "whatif", "compare", "runs", "report", "explore"]
ANYWHERE = {"cxmining.mining.pm4py_bridge"}  # the one door to pm4py: any stage may go through it
OUTSIDE_THE_FLOW = {"synthetic": {"errors", "ingest"}, "cli": set(STAGES) | {"synthetic", "flows", "terminal", "export"},
                    "flows": set(), "terminal": {"errors", "progress"}, "export": {"errors", "store"}}
CREATES = re.compile(r"CREATE\s+(?:OR\s+REPLACE\s+)?(?:TEMP\s+|TEMPORARY\s+)?(?:TABLE|VIEW|MACRO)\s+"
                     r"(?:IF\s+NOT\s+EXISTS\s+)?([A-Za-z_]\w*)", re.IGNORECASE)


def imported_modules(path) -> set[str]:
    """Every module a Python file imports, at any depth (function-level imports included); `from a import b` counts
    as `a.b` when a.b is a module of ours, else as `a`."""
    modules = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            for alias in node.names:
                full = f"{node.module}.{alias.name}"
                ours = (ROOT / full.replace(".", "/")).with_suffix(".py").is_file()
                modules.add(full if ours else node.module)
        elif isinstance(node, ast.Import):
            modules.update(alias.name for alias in node.names)
    return modules


def stage_of(path) -> str:
    relative = path.relative_to(PACKAGE)
    return relative.parts[0] if len(relative.parts) > 1 else relative.stem


MODULES = sorted(p for p in PACKAGE.rglob("*.py") if stage_of(p) not in ("__init__", "__main__"))


@pytest.mark.parametrize("path", MODULES, ids=lambda p: str(p.relative_to(PACKAGE)))
def test_a_stage_imports_only_the_stages_before_it(path) -> None:
    stage = stage_of(path)
    allowed = OUTSIDE_THE_FLOW.get(stage, set(STAGES[: STAGES.index(stage) + 1]) if stage in STAGES else None)
    assert allowed is not None, f"{path}: {stage!r} is not a stage of docs/architecture.md"
    wrong = sorted(m for m in imported_modules(path) if m.startswith("cxmining.") and m not in ANYWHERE
                   and m.split(".")[1] not in allowed | {stage})
    assert not wrong, f"{path.relative_to(ROOT)} ({stage}) imports later stages: {wrong}"


def test_only_its_bridge_imports_r4pm() -> None:
    users = sorted(str(p.relative_to(PACKAGE)) for p in MODULES
                   if any(m == "r4pm" or m.startswith("r4pm.") for m in imported_modules(p)))
    assert users == ["mining/r4pm_bridge.py"]


def test_only_the_bridge_imports_pm4py() -> None:
    users = sorted(str(p.relative_to(PACKAGE)) for p in MODULES
                   if any(m == "pm4py" or m.startswith("pm4py.") for m in imported_modules(p)))
    assert users == ["mining/pm4py_bridge.py"]


def test_there_is_no_grab_bag_module() -> None:
    assert not [p for p in PACKAGE.rglob("*.py") if p.stem in ("utils", "helpers", "misc", "common")]


def test_every_sql_file_creates_at_most_the_relation_it_is_named_after() -> None:
    wrong = {}
    for path in sorted((ROOT / "sql").rglob("*.sql")):
        names = CREATES.findall(path.read_text(encoding="utf-8"))
        # a file that creates nothing is a query; `x_of_y.sql` is another definition of `x` (for y)
        if names and (len(names) > 1 or not (path.stem == names[0] or path.stem.startswith(names[0] + "_of_"))):
            wrong[str(path.relative_to(ROOT))] = names
    assert not wrong


def test_every_sql_file_is_named_in_the_code() -> None:
    """Each file's path appears in the library as written (checks are found by folder), so a reader can follow it."""
    text = "\n".join(p.read_text(encoding="utf-8") for p in PACKAGE.rglob("*.py"))
    unused = [relative for p in sorted((ROOT / "sql").rglob("*.sql"))
              if p.parent.name != "checks" and (relative := str(p.relative_to(ROOT / "sql"))) not in text]
    assert not unused
