"""Output schemas of the register API, generated from the listing declarations."""

from __future__ import annotations

from typing import Any

from marshmallow import Schema, fields
from sqlalchemy import Boolean, Date, Integer

from diarium.projections.queries import LISTINGS, Listing
from diarium.projections.registers import build
from diarium.web.schemas.cases import Text

_TABLES = build("sqlite")  # column types are the same on every dialect
COMPUTED = {
    "status": Text(metadata={"description": "Derived from the dates and today"}),
    "overdue": fields.Boolean(metadata={"description": "Past due and not done"}),
    "withheld": fields.List(
        Text(),
        metadata={"description": "Secret fields withheld from this caller (OSL 5:2, 5:5)"},
    ),
}


def _field(column: Any) -> fields.Field:
    if isinstance(column.type, Date):
        return fields.Date(allow_none=column.nullable)
    if isinstance(column.type, Boolean):
        return fields.Boolean(allow_none=column.nullable)
    if isinstance(column.type, Integer):
        return fields.Integer(allow_none=column.nullable)
    return Text(allow_none=column.nullable)


def _camel(name: str) -> str:
    return "".join(part.capitalize() for part in name.split("_"))


class ConsistencySchema(Schema):
    projection = Text(metadata={"description": "The projection behind the register"})
    position = fields.Integer(
        metadata={"description": "The register is complete up to this notification id"}
    )
    head = fields.Integer(metadata={"description": "The last notification id in the log"})
    lag = fields.Integer(metadata={"description": "head - position"})
    min_position = fields.Integer(allow_none=True)
    reached = fields.Boolean(
        metadata={"description": "Whether position >= min_position (true without one)"}
    )


class ProjectionStatusSchema(Schema):
    name = Text()
    generation = fields.Integer()
    state = Text(metadata={"description": "active | building | retired"})
    position = fields.Integer()
    head = fields.Integer()
    lag = fields.Integer()
    events = fields.Integer(metadata={"description": "Events applied to this generation"})
    updated_at = Text()
    fingerprint = Text(
        allow_none=True,
        metadata={"description": "Schema fingerprint of the code that built this generation"},
    )
    schema = Text(
        metadata={"description": "current | outdated (built by other code: being rebuilt)"}
    )
    failures = fields.Integer(metadata={
        "description": "Events recorded as not applied (unacknowledged; docs/registers.md)"
    })
    last_failure = fields.Dict(metadata={
        "description": "position, event_type, originator_id, originator_version, error, "
                       "action (skipped | stopped), recorded_at"
    })
    stopped_before = fields.Integer(metadata={
        "description": "Set when the projection stopped before the event at this position"
    })
    upgraded = fields.Dict(metadata={
        "description": "Set when this process rebuilt the projection for a schema change: "
                       "from_generation, from_fingerprint, generation, fingerprint, at, seconds"
    })


def row_schema(listing: Listing) -> type[Schema]:
    table = _TABLES[listing.projection].table(listing.table, 1)
    declared: dict[str, Any] = {c: _field(table.c[c]) for c in listing.columns}
    declared.update({c: COMPUTED[c] for c in listing.computed})
    return Schema.from_dict(declared, name=f"{_camel(listing.name)}RowSchema")


ROW_SCHEMAS = {name: row_schema(listing) for name, listing in LISTINGS.items()}
PAGE_SCHEMAS = {
    name: Schema.from_dict(
        {
            "register": Text(),
            "items": fields.List(fields.Nested(ROW_SCHEMAS[name])),
            "next_cursor": Text(
                allow_none=True, metadata={"description": "Pass as cursor for the next page"}
            ),
            "sort": Text(),
            "order": Text(),
            "limit": fields.Integer(),
            "consistency": fields.Nested(ConsistencySchema),
        },
        name=f"{_camel(name)}PageSchema",
    )
    for name in LISTINGS
}
