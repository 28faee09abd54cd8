"""Mapping files: how a real export's columns, values and conventions map onto the contract."""

from __future__ import annotations

import re
from dataclasses import replace
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
from cxmining.ingest.contract import SOURCES, Column, ColumnType, Source

REASON_PLACEHOLDER = "{reason}"
EXTRA_NAME = re.compile(r"[a-z][a-z0-9_]{0,39}")  # an attribute's or segment's name: it becomes part of SQL names
# Names of columns (or of what they are called) that usually hold personal data, in English and Dutch: refused as an
# attribute unless marked `personal: true` (then kept out of every report, export and view), and never a segment. A
# heuristic: it cannot know every export's names, so the mapping's author still decides (docs/contract.md).
PERSONAL_NAME = re.compile(
    r"phone|mobile|msisdn|e-?mail|(^|[^a-z])mail|address|adres|street|straat|house|huisnummer|postcode|postal|zip|"
    r"birth|geboorte|(^|[^a-z])dob($|[^a-z])|iban|bank|bsn|ssn|social|national.?id|tax.?id|passport|paspoort|licen[cs]e|"
    r"rijbewijs|initials|voorletters|tussenvoegsel|telefoon|(^|[^a-z])tel($|[^a-z])|note|notitie|comment|opmerking|"
    r"remark|free.?text|message|bericht|description|ip.?addr|card|password|wachtwoord|"
    r"(^|[^a-z])[fl]name($|[^a-z])|naam|name($|[^a-z])",
    re.IGNORECASE)
# ...but a name of a thing is not a person's: page_name, product_name, theme_name
NOT_A_PERSON = re.compile(
    r"(page|product|file|host|site|domain|brand|category|theme|topic|queue|team|service|process|event|activity|"
    r"channel|campaign|company|shop|store|office|department|country|city|region|form|step|action|app|device|browser|"
    r"plan|tariff|product|article|item|sku)[ _-]?name($|[^a-z])",
    re.IGNORECASE)


def looks_personal(name: str) -> bool:
    """Whether a column's name (or an attribute's) suggests personal data (PERSONAL_NAME, except NOT_A_PERSON)."""
    found = PERSONAL_NAME.search(name)
    return bool(found) and not (NOT_A_PERSON.search(name) and not PERSONAL_NAME.search(NOT_A_PERSON.sub("", name)))


ATTRIBUTE_SOURCES = ("calls", "web")  # one row, one event: the sources whose rows can carry event attributes
# compare's built-in segments: a declared segment may not take their names
BUILT_IN_SEGMENTS = ("sales_channel", "journey_type", "category")


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


class Attribute(Strict):
    """One further column of a source carried into the store as an event attribute (`event_attributes`)."""

    column: str = Field(min_length=1)  # the column in the delivered file
    type: ColumnType = "text"
    personal: bool = False  # personal data: stored, never shown (the `event_attributes` view leaves it out)
    doc: str = ""  # what it means, for the data dictionary (`attribute_dictionary`)


class Segment(Strict):
    """One column of a source that tells a customer's segment (age category, region, office): `customer_segments`."""

    column: str = Field(min_length=1)
    doc: str = ""


def _spelled_out(value: object) -> object:
    """An attribute or segment given as just its column's name, as a table."""
    return {"column": value} if isinstance(value, str) else value


class SourceMapping(Strict):
    """Per-source settings: column renames, value maps, CSV dialect and the zone of naive timestamps."""

    source: str = ""
    # contract column -> column in the file, or a list of columns whose values are joined with '|' (a key the file
    # does not have as one column, e.g. event_id: [SessionID, TIMESTAMP])
    columns: dict[str, str | list[str]] = Field(default_factory=dict)
    values: dict[str, dict[str, str]] = Field(default_factory=dict)  # contract column -> {file value: contract value}
    defaults: dict[str, str] = Field(default_factory=dict)  # contract column -> value when the file has none
    timezone: str = "UTC"  # zone of timestamps that carry no offset
    delimiter: str = ","
    encoding: Literal["utf-8", "utf-16", "latin-1"] = "utf-8"
    # timestamps further back than this before the run, or more than a day after it, are implausible (quarantined)
    plausible_years: int = Field(30, ge=1, le=200)
    reasons: OwnReasons = Field(default_factory=OwnReasons)  # calls only: the organisation's own reason codes
    attributes: dict[str, Attribute] = Field(default_factory=dict)  # name -> a further column kept on each event
    segments: dict[str, Segment] = Field(default_factory=dict)  # name -> a column telling the customer's segment

    @field_validator("attributes", "segments", mode="before")
    @classmethod
    def _short_form(cls, value: object) -> object:
        return {k: _spelled_out(v) for k, v in value.items()} if isinstance(value, dict) else value

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
        for name, found in self.columns.items():
            if isinstance(found, list) and (len(found) < 2 or SOURCES[self.source].column(name).type != "text"):
                kind = SOURCES[self.source].column(name).type
                raise ValueError(f"columns: {name}: a list of columns is joined into one text value, so it needs two "
                                 f"or more columns and a text column" + (f" ({name} is {kind})" if kind != "text" else
                                                                         f" (it has {len(found)})"))
        if self.attributes and self.source not in ATTRIBUTE_SOURCES:
            raise ValueError(f"attributes: {self.source} rows are not one event each; attributes are kept for "
                             f"{' and '.join(ATTRIBUTE_SOURCES)} only")
        if self.segments and "customer_id" not in known:
            raise ValueError(f"segments: {self.source} rows name no customer, so they cannot tell a customer's segment")
        if taken := sorted(set(self.attributes) & set(known)):
            raise ValueError(f"attributes: {taken[0]!r} is a column of {self.source} already; name the attribute "
                             "otherwise (e.g. export_" + taken[0] + ")")
        for kind, extras in (("attributes", self.attributes), ("segments", self.segments)):
            for name, extra in extras.items():
                _check_extra(kind, name, extra.column, getattr(extra, "personal", False))
        return self

    def read_source(self, name: str) -> Source:
        """Source `name` as this mapping of it reads it: the organisation's own reason codes take any non-empty code (the
        allowed list is dropped, every other rule stays), and the attributes and segments are further columns
        (`a_<name>`, `s_<name>`), typed and checked like the contract's."""
        source = SOURCES[name]
        columns = tuple(replace(c, allowed=None) if c.name == "reason_code" and self.own_reasons_template else c
                        for c in source.columns)
        extras = tuple(Column(f"a_{name}", a.type, personal=a.personal, doc=a.doc, kind="attribute", label=name)
                       for name, a in self.attributes.items())
        extras += tuple(Column(f"s_{name}", doc=s.doc, kind="segment", label=name) for name, s in self.segments.items())
        return replace(source, columns=columns + extras)

    @property
    def own_reasons_template(self) -> str | None:
        """The activity template of the organisation's own reason codes; None: the contract's fixed codes."""
        return self.reasons.activity if self.reasons.own else None

    def file_column(self, column: Column) -> str:
        """Name of the column in the delivered file that holds `column` of `read_source` (a contract column, an
        attribute or a segment; a joined key's columns with ' + ')."""
        if column.kind == "attribute":
            return self.attributes[column.label].column
        if column.kind == "segment":
            return self.segments[column.label].column
        found = self.columns.get(column.name, column.name)
        return " + ".join(found) if isinstance(found, list) else found

    def joined_columns(self, contract_column: str) -> tuple[str, ...]:
        """The columns of the file whose values are joined into `contract_column`; empty: it is one column."""
        found = self.columns.get(contract_column)
        return tuple(found) if isinstance(found, list) else ()


def _check_extra(kind: str, name: str, column: str, personal: bool) -> None:
    """ValueError when an attribute's or segment's name cannot be used, or it looks like personal data unmarked."""
    if not EXTRA_NAME.fullmatch(name):
        raise ValueError(f"{kind}: {name!r} is not a usable name: lower-case letters, digits and _, "
                         "starting with a letter, at most 40 characters")
    if kind == "segments" and name in BUILT_IN_SEGMENTS:
        raise ValueError(f"segments: {name!r} is a built-in segment of compare; choose another name")
    personal_like = looks_personal(name) or looks_personal(column)
    if kind == "segments" and (personal_like or personal):
        raise ValueError(f"segments: {name!r} (column {column!r}) looks like personal data; a segment is shown in "
                         "reports, so personal data cannot be one")
    if personal_like and not personal:
        raise ValueError(f"attributes: {name!r} (column {column!r}) looks like personal data: leave it out, or add "
                         "`personal: true` to keep it in the store and out of every report, export and view")


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
