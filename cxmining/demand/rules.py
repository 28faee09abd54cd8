"""The demand rules file: how contacts are classified as failure or value demand (docs/demand.md)."""

from __future__ import annotations

from importlib import resources
from pathlib import Path
from typing import Literal

from pydantic import Field, field_validator, model_validator

from cxmining.config import Strict, config_table, validated
from cxmining.errors import CxminingError

ORDER_STAGES = ("no order", "before order", "awaiting shipment", "in transit", "delivered", "cancelled", "returning")
TRIGGERS = ("checkout_error", "help_page")


class DemandRulesError(CxminingError):
    """A demand rules file that cannot be used."""


class Windows(Strict):
    """Time windows of the context rules."""

    repeat_days: float = Field(7, gt=0, le=365)
    checkout_error_hours: float = Field(24, gt=0, le=24 * 30)
    help_page_hours: float = Field(24, gt=0, le=24 * 30)
    product_view_days: float = Field(14, gt=0, le=365)


class Tests(Strict):
    """Thresholds of the statistics behind every `flagged` column."""

    alpha: float = Field(0.01, gt=0, lt=1)  # Benjamini-Hochberg false discovery rate
    min_excess: float = Field(3, ge=0)  # failures above expectation needed to flag
    min_ratio: float = Field(2.0, ge=1)  # observed / expected needed to flag
    min_reference: int = Field(30, ge=1)  # exposures a comparison group needs


class Condition(Strict):
    """When a rule applies; every given field must hold."""

    channel: list[Literal["phone", "web"]] | None = None
    reason_code: list[str] | None = None
    page: list[str] | None = None  # prefixes of the web page
    order_stage: list[Literal[ORDER_STAGES]] | None = None  # type: ignore[valid-type]
    repeat: bool | None = None
    previous_outcome: list[str] | None = None
    after: list[Literal[TRIGGERS]] | None = None  # type: ignore[valid-type]
    unexpected_step: bool | None = None


class Rule(Strict):
    """One classification rule."""

    name: str = Field(min_length=1)
    when: Condition = Condition()
    demand: Literal["failure", "value"]
    cause: str = Field(min_length=1)


class CodeDemand(Strict):
    """What one reason code of the code list is: failure or value demand, and its cause."""

    demand: Literal["failure", "value"]
    cause: str = Field(min_length=1)


CODE_RULE_NAME = "code list: {cause} ({demand} demand)"  # the rule a code list's entries with one demand and cause make


class DemandRules(Strict):
    """A whole rules file."""

    windows: Windows = Windows()
    web_contacts: list[str] = ["help_view", "contact_view"]
    order_status_reasons: list[str] = ["order_status"]
    product_info_reasons: list[str] = ["product_info"]
    description_return_reasons: list[str] = ["not_as_described"]
    website_triggers: list[str] = ["checkout_error", "help_view"]
    tests: Tests = Tests()
    rules: list[Rule] = Field(min_length=1)
    # The organisation's own reason codes tied to demand: tried after the leading repeat rules, before the others
    codes: dict[str, CodeDemand] = Field(default_factory=dict)

    @field_validator("codes")
    @classmethod
    def _codes_named(cls, codes: dict[str, CodeDemand]) -> dict[str, CodeDemand]:
        if any(not code.strip() for code in codes):
            raise ValueError("codes: a code is empty")
        return codes

    @model_validator(mode="after")
    def _code_rules_named_apart(self) -> DemandRules:
        taken = {rule.name for rule in self.rules} & {rule.name for rule in code_rules(self)}
        if taken:
            raise ValueError(f"rule {sorted(taken)[0]!r} has the name of a rule the code list makes: rename it")
        return self

    @field_validator("rules")
    @classmethod
    def _names_unique(cls, rules: list[Rule]) -> list[Rule]:
        seen: set[str] = set()
        for rule in rules:
            if rule.name in seen:
                raise ValueError(f"two rules are named {rule.name!r}")
            seen.add(rule.name)
        return rules


def default_rules_path() -> Path:
    """The rules file shipped with cxmining."""
    return Path(str(resources.files("cxmining.demand") / "default_rules.yaml"))


def demand_rules(path: Path | None = None) -> DemandRules:
    """The rules of `path` (YAML or TOML), or the shipped defaults; one-line `DemandRulesError` on problems."""
    path = path or default_rules_path()
    return validated(DemandRules, config_table(path, DemandRulesError), str(path), DemandRulesError)


def code_rules(rules: DemandRules) -> list[Rule]:
    """The code list as rules: one per demand and cause, matching its codes, in the order the list first names them."""
    grouped: dict[tuple[str, str], list[str]] = {}
    for code, meaning in rules.codes.items():
        grouped.setdefault((meaning.demand, meaning.cause), []).append(code)
    return [Rule(name=CODE_RULE_NAME.format(cause=cause, demand=demand), when=Condition(reason_code=codes),
                 demand=demand, cause=cause)
            for (demand, cause), codes in grouped.items()]


def ordered_rules(rules: DemandRules) -> list[Rule]:
    """Every rule in priority order: the file's leading repeat rules (`repeat: true`), the code list's, the file's
    others. A repeat stays a repeat whatever its code; a code the list does not name falls to the generic rules."""
    lead = next((i for i, rule in enumerate(rules.rules) if rule.when.repeat is not True), len(rules.rules))
    return [*rules.rules[:lead], *code_rules(rules), *rules.rules[lead:]]


def rule_rows(rules: DemandRules) -> list[tuple]:
    """The rules as rows of the `demand_rules` table, in priority order (1 = tried first)."""
    return [
        (
            priority, r.name, r.demand, r.cause, r.when.channel, r.when.reason_code, r.when.page,
            r.when.order_stage, r.when.repeat, r.when.previous_outcome, r.when.after, r.when.unexpected_step,
        )
        for priority, r in enumerate(ordered_rules(rules), start=1)
    ]
