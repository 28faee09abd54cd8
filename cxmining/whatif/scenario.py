"""What-if scenario files: a regime to simulate against today's (docs/whatif.md)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Literal

from pydantic import Field

from cxmining.config import Strict, config_table, validated
from cxmining.errors import CxminingError

RESIMULATE_DRIFT = 0.05  # the nightly run simulates again once the observed calls moved this far (0: every run)


class ScenarioError(CxminingError):
    """A scenario file that cannot be used."""


class Worst(Strict):
    """The products with the most excess information calls (failure_demand_products ranking)."""

    worst: int = Field(ge=1)


class FixDescriptions(Strict):
    """Rewrite product descriptions: a share of their product-information calls no longer happens."""

    # of the products' first product-information calls; `excess`: each product's share above comparable products'
    # rate, so the rewritten description draws the calls an ordinary one does (estimated on every replication)
    share: Annotated[float, Field(ge=0, le=1)] | Literal["excess"]
    products: Literal["flagged"] | Worst | list[str] = "flagged"  # flagged ones, {worst: N}, or product ids


class AccountManagers(Strict):
    """Dedicated account managers with a direct line for some customers: no IVR, no transfers."""

    customers: float = Field(gt=0, le=1)  # share of known customers, those with the most orders first
    managers: int = Field(ge=1)
    hours_per_day: float = Field(8, gt=0, le=24)  # paid hours of each manager per day
    cost_per_hour: float = Field(ge=0)
    repeat_factor: float = Field(1.0, ge=0, le=1)  # repeat calls keep this share of today's chance
    prevents: dict[str, float] = {}  # cause -> share of first calls prevented by keeping in touch


class Changes(Strict):
    """What the scenario changes; anything left out stays as today."""

    fix_descriptions: FixDescriptions | None = None
    account_managers: AccountManagers | None = None
    ivr: dict[str, str] = {}  # call reason -> IVR path all its calls take


class Scenario(Strict):
    """A whole scenario file."""

    name: str = Field(min_length=1)
    description: str = ""
    # per regime; `auto`: as many as the headline changes need to be known precisely (results.precise_enough)
    replications: Annotated[int, Field(ge=2, le=1000)] | Literal["auto"] = "auto"
    seed: int = 1
    agent_cost_per_hour: float = Field(40.0, ge=0)  # contact-centre cost of an hour of handling
    currency: str = Field("EUR", pattern=r"^[A-Z]{3}$")  # ISO 4217 code of every cost in the file and its results
    agents: dict[str, int] = {}  # queue -> agents; queues left out are sized from the data
    changes: Changes = Changes()


def scenario(path: Path) -> Scenario:
    """The scenario in `path` (YAML or TOML); one-line `ScenarioError` naming the file and field on problems."""
    return validated(Scenario, config_table(path, ScenarioError), str(path), ScenarioError)


def scenarios_folder(landing: Path) -> Path:
    """Where a landing folder keeps its what-if scenarios: they ship with the data, like the designed models."""
    return landing / "scenarios"


def folder_scenarios(folder: Path) -> list[tuple[Scenario, Path]]:
    """Every scenario file (YAML) of `folder`, read, in name order; none when the folder does not exist."""
    return [(scenario(path), path) for path in sorted(folder.glob("*.y*ml"))] if folder.is_dir() else []


BASELINE = Scenario(name="today")
