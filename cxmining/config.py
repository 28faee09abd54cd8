"""Reading the small YAML or TOML files users write: mapping files, model configs, label mappings, rules, scenarios."""

from __future__ import annotations

import tomllib
from pathlib import Path
from typing import Any, TypeVar
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import yaml
from pydantic import BaseModel, ConfigDict, ValidationError

from cxmining.errors import CxminingError, first_line

# Where things are unless told otherwise: the demo's landing folder, the store and the run's output folder.
DEFAULT_LANDING = Path("data/sample")
DEFAULT_DB = Path("cxmining.duckdb")
DEFAULT_OUT = Path("out")


class Strict(BaseModel):
    """The base of every settings file's model: unknown keys are mistakes, and settings do not change once read."""

    model_config = ConfigDict(extra="forbid", frozen=True)


Model = TypeVar("Model", bound=BaseModel)


def validated(model: type[Model], raw: Any, where: str, error: type[CxminingError]) -> Model:
    """`raw` as `model`; the first problem raises `error` with one line: `where: field: what`."""
    try:
        return model.model_validate(raw)
    except ValidationError as exc:
        raise error(f"{where}: {first_problem(exc)}") from exc


def config_table(path: Path, error: type[CxminingError]) -> dict:
    """The top-level table of a YAML (or, by suffix, TOML) file; an empty file is an empty table.

    Problems raise `error` with one line naming the file.
    """
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise error(f"{path}: cannot read the file ({exc.strerror})") from exc
    toml = path.suffix == ".toml"
    try:
        raw = tomllib.loads(text) if toml else yaml.safe_load(text)
    except (tomllib.TOMLDecodeError, yaml.YAMLError) as exc:
        first = first_line(exc)
        raise error(f"{path}: not valid {'TOML' if toml else 'YAML'}: {first}") from exc
    raw = raw or {}
    if not isinstance(raw, dict):
        raise error(f"{path}: expected a table at the top level")
    return raw


def first_problem(exc: ValidationError) -> str:
    """The first problem pydantic found, as `where: what` (one line)."""
    err = exc.errors()[0]
    where = ".".join(str(p) for p in err["loc"])
    message = err["msg"].removeprefix("Value error, ")
    return f"{where}: {message}" if where else message


def known_time_zone(zone: str) -> str:
    """`zone` if it is an IANA time zone; else ValueError (for pydantic validators) saying what to write instead."""
    try:
        ZoneInfo(zone)
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise ValueError(f"unknown time zone {zone!r}; use an IANA name such as 'Europe/Amsterdam'") from exc
    return zone


def csv_delimiter(value: str) -> str:
    """The one character that separates a CSV file's fields: `value` itself, or a tab for `\\t` or `tab`; else
    ValueError (for pydantic validators) saying what to write instead."""
    delimiter = "\t" if value in ("\\t", "tab") else value
    if len(delimiter) != 1:
        raise ValueError(f"delimiter must be one character (or \\t for a tab), got {value!r}")
    return delimiter
