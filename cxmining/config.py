"""Reading the small YAML or TOML files users write: mapping files, model configs, label mappings."""

from __future__ import annotations

import tomllib
from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import yaml
from pydantic import ValidationError

from cxmining.errors import CxminingError


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
        first = str(exc).splitlines()[0]
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
