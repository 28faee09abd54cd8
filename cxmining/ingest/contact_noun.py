"""What one contact of the calls source is called, and many of them: the mapping names it (`calls.reasons.noun`), the
ingest keeps it in the store (`contact_noun`), and the report and the run's lines speak of "complaints" or "e-mails"
where the contacts are complaints or e-mails. Wording only: the store's columns keep their names (`calls_per_month`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import duckdb

from cxmining.store import opened, relations, transaction

# a few plain words: letters (any script), joined by single spaces, hyphens or apostrophes; no markup, no digits
PLAIN_NOUN = re.compile(r"[^\W\d_]+(?:[ '\-][^\W\d_]+){0,3}")
MAX_CHARS = 30


def plain_noun(text: str, setting: str) -> str:
    """`text` as a noun the report can print, or ValueError naming `setting` and what is wrong with it."""
    if len(text) > MAX_CHARS or not PLAIN_NOUN.fullmatch(text):
        raise ValueError(f"{setting} {text!r} must be a few plain words of letters (at most {MAX_CHARS} characters, "
                         "e.g. complaint or e-mail)")
    return text


@dataclass(frozen=True)
class ContactNoun:
    """One contact of the calls source and many of them, as the report writes them mid-sentence."""

    singular: str = "call"
    plural: str = "calls"

    @property
    def hours(self) -> str:
        """Who spends the handling time: agents at a call centre, staff for complaints, e-mails and letters."""
        return "agent hours" if self.singular == "call" else "staff hours"

    @property
    def verb(self) -> str:
        """What a customer does to make one of these contacts."""
        return "call" if self.singular == "call" else "get in touch"

    def words(self) -> dict[str, str]:
        """The words for a template: `one`, `many`, `hours`, `verb`, and `One`, `Many`, `Hours`, `Verb` to start a
        sentence or a label."""
        words = {"one": self.singular, "many": self.plural, "hours": self.hours, "verb": self.verb}
        return words | {key.capitalize(): text[:1].upper() + text[1:] for key, text in words.items()}


CALLS = ContactNoun()  # the contract's contacts, and every store without a `contact_noun` row


def record_contact_noun(con: duckdb.DuckDBPyConnection, noun: ContactNoun) -> None:
    """Keep the calls mapping's noun in `contact_noun` (no row: calls), where the report and the run's lines read it."""
    with transaction(con):
        con.execute("DELETE FROM contact_noun")
        if noun != CALLS:
            con.execute("INSERT INTO contact_noun VALUES ($singular, $plural)",
                        {"singular": noun.singular, "plural": noun.plural})


def contact_noun(db: str | Path | duckdb.DuckDBPyConnection) -> ContactNoun:
    """What the store's contacts are called: the ingest's `contact_noun`, else calls (a store of the contract's calls,
    of an imported log, or from before the setting); read-only."""
    with opened(db, read_only=True) as con:
        if "contact_noun" not in relations(con):
            return CALLS
        rows = con.execute("SELECT singular, plural FROM contact_noun ORDER BY singular LIMIT 1").fetchall()
    return ContactNoun(*rows[0]) if rows else CALLS  # fetched to the end: the caller's connection is free again
