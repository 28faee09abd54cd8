"""Mapping files: how a real export's columns, values and conventions map onto the contract."""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import (
    Field,
    ValidationError,
    ValidationInfo,
    field_validator,
    model_validator,
)

from cxmining.config import (
    Strict,
    config_table,
    csv_delimiter,
    first_problem,
    known_time_zone,
)
from cxmining.errors import MappingError
from cxmining.ingest.contact_noun import CALLS, ContactNoun, plain_noun
from cxmining.ingest.contract import SOURCES


REASON_PLACEHOLDER = "{reason}"


class OwnReasons(Strict):
    """The `reasons` setting of the calls section: the organisation's own reason codes instead of the contract's."""

    own: bool = False  # any non-empty text is a reason code, kept as delivered
    activity: str = Field(f"Call: {REASON_PLACEHOLDER}", min_length=1)  # each call's activity; {reason} is its code
    noun: str = CALLS.singular  # what one contact is called in the report, e.g. complaint (with or without own codes)
    plural: str = ""  # many of them; default: the noun with an s

    @field_validator("noun", "plural")
    @classmethod
    def _plain(cls, text: str, info: ValidationInfo) -> str:
        return text if info.field_name == "plural" and not text else plain_noun(text, f"reasons.{info.field_name}")

    @model_validator(mode="after")
    def _template(self) -> OwnReasons:
        if REASON_PLACEHOLDER not in self.activity:
            raise ValueError(f"reasons.activity {self.activity!r} must contain {REASON_PLACEHOLDER} (the call's reason code)")
        if not self.own and "activity" in self.model_fields_set:
            raise ValueError("reasons.activity applies to the organisation's own codes only: add own: true")
        if self.plural and "noun" not in self.model_fields_set:
            raise ValueError("reasons.plural needs the noun it is the plural of: add noun")
        return self

    @property
    def contact_noun(self) -> ContactNoun:
        """What one contact of the calls is called, and many of them."""
        return ContactNoun(self.noun, self.plural or f"{self.noun}s")


class SourceMapping(Strict):
    """Per-source settings: column renames, value maps, CSV dialect and the zone of naive timestamps."""

    source: str = ""
    columns: dict[str, str] = Field(default_factory=dict)  # contract column -> column in the file
    values: dict[str, dict[str, str]] = Field(default_factory=dict)  # contract column -> {file value: contract value}
    defaults: dict[str, str] = Field(default_factory=dict)  # contract column -> value when the file has none
    timezone: str = "UTC"  # zone of timestamps that carry no offset
    delimiter: str = ","
    encoding: Literal["utf-8", "utf-16", "latin-1"] = "utf-8"
    # timestamps further back than this before the run, or more than a day after it, are implausible (quarantined)
    plausible_years: int = Field(30, ge=1, le=200)
    reasons: OwnReasons = Field(default_factory=OwnReasons)  # calls only: the organisation's own reason codes

    @field_validator("timezone")
    @classmethod
    def _known_zone(cls, zone: str) -> str:
        return known_time_zone(zone)

    @field_validator("delimiter")
    @classmethod
    def _one_char(cls, delimiter: str) -> str:
        return csv_delimiter(delimiter)  # `\t` or `tab` for a tab, as in event-log and benchmark mappings

    @model_validator(mode="after")
    def _contract_columns(self) -> SourceMapping:
        if not self.source:
            return self
        if self.reasons.own and self.source != "calls":
            raise ValueError("reasons: own reason codes are a setting of the calls section only")
        known = SOURCES[self.source].column_names
        for name in [*self.columns, *self.values, *self.defaults]:
            if name not in known:
                raise ValueError(f"{name!r} is not a column of {self.source} (columns: {', '.join(known)})")
        return self

    @property
    def own_reasons_template(self) -> str | None:
        """The activity template of the organisation's own reason codes; None: the contract's fixed codes."""
        return self.reasons.activity if self.reasons.own else None

    def file_column(self, contract_column: str) -> str:
        """Name of the column in the delivered file that holds `contract_column`."""
        return self.columns.get(contract_column, contract_column)


class ExportMapping(Strict):
    """A whole mapping file of a real export: one optional section per landing source."""

    sources: dict[str, SourceMapping] = Field(default_factory=dict)

    def for_source(self, source: str) -> SourceMapping:
        """Settings of `source`, or the defaults when the file has no section for it."""
        return self.sources.get(source, SourceMapping(source=source))


def load_mapping(path: Path | None) -> ExportMapping:
    """The mapping in a YAML or TOML file; no file means the landing folder follows the contract as is."""
    if path is None:
        return ExportMapping()
    raw = config_table(path, MappingError)
    unknown = sorted(set(raw) - set(SOURCES))
    if unknown:
        raise MappingError(f"{path}: unknown source {unknown[0]!r} (sources: {', '.join(SOURCES)})")
    sources = {}
    for name, body in raw.items():
        if not isinstance(body or {}, dict):
            raise MappingError(f"{path}: section {name!r} must be a table of settings")
        try:
            sources[name] = SourceMapping(source=name, **(body or {}))
        except ValidationError as exc:
            raise MappingError(f"{path}: {name}: {first_problem(exc)}") from exc
    return ExportMapping(sources=sources)
