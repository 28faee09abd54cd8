"""The few lines `cxmining run` ends with: conformance per journey type and the three fixes that save the most calls
(or complaints, e-mails: the contacts as the mapping calls them).

Read from the store (or its snapshot) with the report's own queries, so the terminal and the report agree. Targets
are products, days, pages and IVR paths: no personal data.
"""

from __future__ import annotations

from pathlib import Path

from cxmining.ingest.contact_noun import contact_noun
from cxmining.report.context import CONFORMANCE, DEMAND, DEMAND_SOURCE, records
from cxmining.report.formatting import figure
from cxmining.store import opened, relations

TOP_FIXES = 3


def _known(value: float | None, kind: str) -> str:
    """The value as the report writes it (`formatting.figure`); "unknown" when missing."""
    return "unknown" if value is None else figure(value, kind)


def headline_lines(db: Path) -> list[str]:
    """Fitness, fitting share and precision per journey type, then the top fixes by avoidable calls (complaints, ...)
    per month with their agent (staff) hours; a line saying what would enable a part that was not computed."""
    with opened(db, read_only=True) as con:
        present = relations(con)
        lines: list[str] = []
        checked = records(con, CONFORMANCE) if "conformance_summary" in present else []
        for r in checked:
            lines.append(f"conformance of {r['journey_type']} journeys: fitness {_known(r['fitness'], 'score')}, "
                         f"{_known(r['fitting_share'], 'share')} of {figure(r['journeys'])} fitting, "
                         f"precision {_known(r['precision'], 'score')}")
        if not checked:
            lines.append("conformance: not computed (no designed models: models/models.yaml in the landing folder or "
                         "--models; docs/conformance.md)")
        if DEMAND_SOURCE["avoidable"] not in present:
            lines.append("failure demand: not computed")
            return lines
        fixes = records(con, DEMAND["avoidable"])[:TOP_FIXES]
        noun = contact_noun(con)
        if not fixes:
            lines.append(f"fix first: nothing flagged (no cause draws {noun.plural} beyond what comparable ones get)")
        else:
            lines.append(f"fix first (avoidable {noun.plural} per month; {noun.hours} per month):")
        for rank, f in enumerate(fixes, start=1):
            hours = ("handling time unknown" if f["agent_hours_per_month"] is None
                     else f"{figure(f['agent_hours_per_month'], 'rate')} {noun.hours}")
            lines.append(f"  {rank}. {f['fix']}: {f['target']} ({figure(f['calls_per_month'], 'rate')} {noun.plural}, {hours})")
        return lines
