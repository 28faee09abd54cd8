"""The landing-folder contract: which sources exist, their columns, types and allowed values.

This module is the single source of truth; `docs/contract.md` describes the same
contract for users, and the ingest builds its validation SQL from it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

ColumnType = Literal["text", "integer", "decimal", "timestamp"]
SourceKind = Literal["fact", "dimension"]
ColumnKind = Literal["contract", "attribute", "segment"]

REASON_CODES = (
    "product_info",
    "order_status",
    "delivery_problem",
    "return_request",
    "new_order",
    "payment",
    "account",
    "complaint",
    "other",
)
CALL_OUTCOMES = ("resolved", "transferred", "abandoned", "callback")
WEB_EVENT_TYPES = (
    "login",
    "logout",
    "search",
    "page_view",
    "help_view",
    "contact_view",
    "order_tracking",
    "add_to_cart",
    "remove_from_cart",
    "checkout_start",
    "checkout_error",
    "purchase",
)
ORDER_STATUSES = (
    "placed",
    "paid",
    "shipped",
    "delivered",
    "cancelled",
    "return_requested",
    "returned",
    "refunded",
    "exchanged",
)
SALES_CHANNELS = ("web", "phone", "store")
RETURN_REASONS = (
    "not_as_described",
    "damaged",
    "wrong_size",
    "wrong_item",
    "defective",
    "late_delivery",
    "changed_mind",
    "other",
)


@dataclass(frozen=True)
class Column:
    """One column of a source: its contract name, type and constraints."""

    name: str
    type: ColumnType = "text"
    required: bool = False
    allowed: tuple[str, ...] | None = None
    minimum: float | None = None  # smallest valid number, for integer and decimal columns
    personal: bool = False  # personal data: never shown in reports
    doc: str = ""
    # a mapping's extra column: an event attribute or a customer segment (cxmining.ingest.mapping), not the contract's
    kind: ColumnKind = "contract"
    label: str = ""  # the name problems are reported under (an extra column's attribute or segment name)

    @property
    def shown_name(self) -> str:
        """The name a problem with this column is reported under."""
        return self.label or self.name


@dataclass(frozen=True)
class Source:
    """One landing sub-folder and the raw table its rows are loaded into."""

    name: str
    kind: SourceKind
    key: tuple[str, ...]
    columns: tuple[Column, ...]
    doc: str = ""
    load_order: int = 0
    # Rules across columns: (SQL condition on typed columns that is true when the rule is broken, message).
    row_rules: tuple[tuple[str, str], ...] = ()
    column_names: tuple[str, ...] = field(init=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "column_names", tuple(c.name for c in self.columns))

    @property
    def contract_column_names(self) -> tuple[str, ...]:
        """The columns of the raw table: the contract's, without a mapping's extra columns."""
        return tuple(c.name for c in self.columns if c.kind == "contract")

    def extra_columns(self, kind: ColumnKind) -> tuple[Column, ...]:
        """A mapping's extra columns of one kind (attributes or segments)."""
        return tuple(c for c in self.columns if c.kind == kind)

    @property
    def table(self) -> str:
        """Name of the raw table in DuckDB."""
        return f"raw_{self.name}"

    def column(self, name: str) -> Column:
        """The column called `name`."""
        for c in self.columns:
            if c.name == name:
                return c
        raise KeyError(name)


SOURCES: dict[str, Source] = {
    s.name: s
    for s in (
        Source(
            "products",
            "dimension",
            key=("product_id",),
            load_order=0,
            doc="Product catalogue; the latest delivery of a product wins.",
            columns=(
                Column("product_id", required=True, doc="product identifier"),
                Column("name", required=True, doc="product name as shown on the website"),
                Column("category", required=True, doc="product category"),
                Column("description", doc="product description as shown on the website"),
                Column("price", "decimal", minimum=0, doc="unit price"),
            ),
        ),
        Source(
            "customers",
            "dimension",
            key=("customer_id",),
            load_order=1,
            doc="Customer master data; the latest delivery of a customer wins.",
            columns=(
                Column("customer_id", required=True, doc="customer identifier"),
                Column("phone", personal=True, doc="phone number, any notation"),
                Column("email", personal=True, doc="e-mail address"),
                Column("created_at", "timestamp", doc="when the customer account was created"),
            ),
        ),
        Source(
            "orders",
            "fact",
            key=("order_id", "product_id", "status", "ts"),
            load_order=2,
            doc="One row per status change of an order line.",
            columns=(
                Column("order_id", required=True, doc="order identifier"),
                Column("customer_id", required=True, doc="customer who placed the order"),
                Column("product_id", required=True, doc="product ordered"),
                Column("quantity", "integer", minimum=1, doc="units ordered"),
                Column("status", required=True, allowed=ORDER_STATUSES, doc="status reached"),
                Column("ts", "timestamp", required=True, doc="when the status was reached"),
                Column("sales_channel", allowed=SALES_CHANNELS, doc="where the order was placed"),
                Column("return_reason", allowed=RETURN_REASONS, doc="why it was returned"),
            ),
        ),
        Source(
            "web",
            "fact",
            key=("event_id",),
            load_order=3,
            doc="One row per website event.",
            columns=(
                Column("event_id", required=True, doc="event identifier"),
                Column("session_id", required=True, doc="web session"),
                Column("visitor_id", required=True, doc="cookie of the browser"),
                Column("customer_id", doc="customer, once logged in"),
                Column("ts", "timestamp", required=True, doc="when the event happened"),
                Column("event_type", required=True, allowed=WEB_EVENT_TYPES, doc="what happened"),
                Column("page", doc="page path"),
                Column("product_id", doc="product shown or acted upon"),
                Column("order_id", doc="order concerned"),
            ),
        ),
        Source(
            "calls",
            "fact",
            key=("call_id",),
            load_order=4,
            doc="One row per inbound call to the contact centre.",
            row_rules=(("ended_at < started_at", "ended_at is before started_at"),),
            columns=(
                Column("call_id", required=True, doc="call identifier"),
                Column("caller_number", personal=True, doc="calling phone number"),
                Column("customer_id", doc="customer, when the agent identified them"),
                Column("started_at", "timestamp", required=True, doc="call start"),
                Column("ended_at", "timestamp", doc="call end"),
                Column("ivr_path", doc="menu choices, e.g. main>orders>status"),
                Column("queue", doc="queue the IVR routed the call to"),
                Column("agent_team", doc="team of the answering agent"),
                Column("reason_code", required=True, allowed=REASON_CODES, doc="why the customer called"),
                Column("product_id", doc="product concerned"),
                Column("order_id", doc="order concerned"),
                Column("outcome", required=True, allowed=CALL_OUTCOMES, doc="how the call ended"),
                Column("notes", personal=True, doc="agent's free-text notes"),
            ),
        ),
    )
}


def sources_in_load_order() -> list[Source]:
    """Sources sorted so that dimensions load before the facts that refer to them."""
    return sorted(SOURCES.values(), key=lambda s: s.load_order)
