"""Which lanes the customer sees: the line of visibility of the swimlane view (LOVEM), and the lanes' order.

Above the line sit the parts of the organisation the customer meets (the website, the contact centre, a store);
below it the back office that acts out of sight (payments, fulfilment, returns handling). A landing folder may hold
`lanes.yaml` to say otherwise for its own lanes (docs/pictures.md):

    order: [Website, Contact centre, Store, Sales, Payments, Fulfilment, Returns]   # top to bottom; others follow
    visible: [Website, Contact centre, Store, Sales]                              # above the line of visibility
"""

from __future__ import annotations

from pathlib import Path

from pydantic import Field

from cxmining.config import Strict, config_table, validated
from cxmining.errors import CxminingError
from cxmining.pictures.process_map import LANE_ORDER

LANES_FILE = "lanes.yaml"


class LanesError(CxminingError):
    """A lanes file that cannot be used."""


class LaneLayout(Strict):
    """The lanes' order top to bottom, and those the customer sees (above the line of visibility)."""

    order: tuple[str, ...] = LANE_ORDER
    visible: frozenset[str] = Field(default=frozenset({"Website", "Contact centre", "Store", "Sales"}))

    def rank(self, lane: str, no_lane: str) -> tuple[int, int, str]:
        """Sort key: visible lanes first, each group in `order`, then other lanes by name, the lane-less last."""
        listed = self.order.index(lane) if lane in self.order else len(self.order) + (lane == no_lane)
        return (0 if lane in self.visible else 1, listed, lane)


def unknown_lanes(layout: LaneLayout, lanes: set[str]) -> list[str]:
    """The lanes a layout names that the data does not have (a typo such as `Websitee`, or a lane not delivered)."""
    return sorted((set(layout.order) | layout.visible) - lanes)


def lane_layout(landing: Path | None) -> LaneLayout:
    """The layout of a landing folder's `lanes.yaml`, or the default one when there is none (or no folder)."""
    path = None if landing is None else Path(landing) / LANES_FILE
    if path is None or not path.is_file():
        return LaneLayout()
    return validated(LaneLayout, config_table(path, LanesError), str(path), LanesError)
