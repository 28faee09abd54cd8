"""The two pictures of the customer process, as SVG files: the process map and the swimlane view.

Both read the mining tables `dfg`, `start_activities`, `end_activities` and `activity_lanes`;
see docs/pictures.md for what they show and how to read them.
"""

from __future__ import annotations

from cxmining.report.process_map import PictureError, process_map_svg
from cxmining.report.swimlane import swimlane_svg

__all__ = ["PictureError", "process_map_svg", "swimlane_svg"]
