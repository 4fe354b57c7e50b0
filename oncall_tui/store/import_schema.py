"""The interchange format, declared: one pydantic model per record, and the JSON Schema made from them.

Why pydantic v2 rather than a hand-written JSON Schema checked by `jsonschema`:

- one declaration gives the checks, the defaults the store needs and the
  schema integrators read (`json_schema()`, published as
  docs/interchange.schema.json; a test keeps the file equal to it);
- pydantic-core checks records in compiled code: a 200 MB file holds about
  half a million events, which a pure-Python schema validator takes minutes
  over;
- each error carries its location as a tuple, which `import_problems` turns
  into our `cases[3].events[0].direction: reason` lines, all of them;
- checks JSON Schema cannot say (an IANA time zone, an IP address list, a
  timestamp relative to the import's `now`) are plain functions on the field.

Models are strict (a number is not a string, a tuple is not a list) and
forbid unknown fields, so a typo never loses data silently. Free-form objects
(`meta`, an incident's `scope`) are checked by `import_problems.json_value`.
Cross-record rules (duplicate ids, a case naming an unknown customer, an
event id reused with other content) need the whole file and the store: see
`interchange.Checker`.
"""

from __future__ import annotations

import ipaddress
import json
import re
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from functools import cached_property
from typing import Annotated, Any, Literal, Optional
from zoneinfo import ZoneInfo

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    TypeAdapter,
    ValidationInfo,
)
from pydantic_core import PydanticCustomError

from ..core.export_doc import FORMAT
from ..core.incident_text import INCIDENT_STATUSES
from ..core.model import CHANNELS, DIRECTIONS, EVENT_KINDS, STATUSES, TIERS
from ..core.timeutil import format_ts, parse_ts
from .import_problems import shown

ASSET_KINDS = ("server", "domain", "database")

EPOCH = datetime(1970, 1, 1, tzinfo=timezone.utc)
FUTURE_SLACK = timedelta(days=1)


@dataclass(frozen=True)
class TimeWindow:
    """The instants an import accepts: from *earliest* up to *latest*, both included."""

    earliest: datetime
    latest: datetime
    now: datetime

    @cached_property
    def earliest_text(self) -> str:
        return format_ts(self.earliest)

    @cached_property
    def latest_text(self) -> str:
        return format_ts(self.latest)

    @classmethod
    def around(cls, now: datetime) -> "TimeWindow":
        """Not before 1970, not more than a day after *now* (a clock a little ahead is tolerated)."""
        return cls(EPOCH, now + FUTURE_SLACK, now)


_CANONICAL = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}Z\Z")  # ASCII digits only


def _timestamp(value: str, info: ValidationInfo) -> str:
    window = (info.context or {}).get("window")
    if _CANONICAL.match(value):
        # Already in the store's form (every export, most files): a real date is all there is to check,
        # and canonical text sorts as time does.
        try:
            datetime.fromisoformat(value[:-1])
        except ValueError:
            raise PydanticCustomError("timestamp", "{value} is not an ISO 8601 timestamp",
                                      {"value": shown(value)}) from None
        if window is None or window.earliest_text <= value <= window.latest_text:
            return value
    try:
        instant = parse_ts(value)
    except ValueError as exc:
        raise PydanticCustomError("timestamp", "{reason}", {"reason": _short_reason(str(exc), value)}) from None
    if window is not None:
        if instant < window.earliest:
            raise PydanticCustomError("timestamp_range", "{value} is before 1970: not a plausible time here",
                                      {"value": shown(value)})
        if instant > window.latest:
            raise PydanticCustomError(
                "timestamp_range", "{value} is more than a day after now ({now}): check the clock of "
                "whatever wrote it", {"value": shown(value), "now": format_ts(window.now)})
    return format_ts(instant)


def _short_reason(reason: str, value: str) -> str:
    """parse_ts's reason with the (possibly huge) value shown cut."""
    full = repr(value)
    return reason.replace(full, shown(value)) if len(full) > 60 else reason


def _plain_timestamp(value: str) -> str:
    try:
        return format_ts(parse_ts(value))
    except ValueError as exc:
        raise PydanticCustomError("timestamp", "{reason}", {"reason": _short_reason(str(exc), value)}) from None


def _time_zone(value: str) -> str:
    try:
        ZoneInfo(value)
    except Exception:  # ValueError, KeyError, OSError (a name too long for a file), …: all "not a zone"
        raise PydanticCustomError("time_zone", "{value} is not a known IANA time zone (e.g. Europe/Paris)",
                                  {"value": shown(value)}) from None
    return value


def _addresses(version: int):
    def check(value: str) -> str:
        bad = []
        for addr in filter(None, (a.strip() for a in value.split(","))):
            try:
                ok = ipaddress.ip_address(addr).version == version
            except ValueError:
                ok = False
            if not ok:
                bad.append(shown(addr))
        if bad:
            raise PydanticCustomError("address", "{bad} {verb} an IPv{version} address",
                                      {"bad": ", ".join(bad[:5]) + (", …" if len(bad) > 5 else ""),
                                       "verb": "is not" if len(bad) == 1 else "are not", "version": version})
        return value
    return check


# -- field types ------------------------------------------------------------------

#: Text that must hold something besides spaces (ids, names, titles).
Name = Annotated[str, Field(pattern=r"\S", description="not empty")]
#: ISO 8601 with a zone (Z or ±HH:MM); stored in UTC at second precision; not before 1970,
#: not more than a day after the import.
Timestamp = Annotated[str, AfterValidator(_timestamp),
                      Field(json_schema_extra={"format": "date-time",
                                               "description": "ISO 8601 with a zone (Z or +02:00); "
                                                              "from 1970 to one day after the import"})]
TimeZone = Annotated[str, AfterValidator(_time_zone), Field(description="an IANA time zone, e.g. Europe/Paris")]
IPv4s = Annotated[str, AfterValidator(_addresses(4)), Field(description="IPv4 addresses, comma-separated")]
IPv6s = Annotated[str, AfterValidator(_addresses(6)), Field(description="IPv6 addresses, comma-separated")]
JsonObject = dict[str, Any]

# Choices come from the core's tuples: one list of kinds, statuses, … for the whole program.
EventKind = Literal[EVENT_KINDS]
Direction = Literal[DIRECTIONS]
Channel = Literal[CHANNELS]
CaseStatus = Literal[STATUSES]
Tier = Literal[TIERS]
AssetKind = Literal[ASSET_KINDS]
IncidentStatus = Literal[INCIDENT_STATUSES]


class Record(BaseModel):
    """Strict (no coercion) and closed (unknown fields are errors)."""

    model_config = ConfigDict(strict=True, extra="forbid")


class Attachment(Record):
    """A file sent with a message: described here, its content stays in the helpdesk until fetched."""

    name: Name = Field(description="the file name as sent")
    type: Optional[str] = Field(None, description="its MIME type, e.g. application/pdf")
    size: Optional[Annotated[int, Field(ge=0)]] = Field(None, description="bytes")
    ref: Optional[str] = Field(None, description="where to fetch it, e.g. rt:main:attachment:42")


class Event(Record):
    """Something that happened: a message, a note, an action the tool ran, … (append-only)."""

    id: Optional[str] = Field(None, description="stable id; when absent, derived from the container, at, "
                                                "kind, direction, author and body")
    at: Timestamp
    kind: EventKind
    direction: Direction
    author: str
    body: str
    channel: Optional[Channel] = None
    author_region: Optional[str] = None
    meta: Optional[JsonObject] = Field(None, description="any JSON object (kept as given, keys sorted)")
    attachments: Optional[list[Attachment]] = Field(None, description="files sent with it (names, not contents)")


class CaseEvent(Event):
    """A case's event; it may also be filed under an incident."""

    incident: Optional[str] = Field(None, description="an incident in this file or in the store")


class Asset(Record):
    kind: AssetKind
    name: Name
    ipv4: Optional[IPv4s] = None
    ipv6: Optional[IPv6s] = None
    datacenter: Optional[str] = None
    server: Optional[str] = Field(None, description="for a domain or a database: the server hosting it")
    webroot: Optional[str] = None


class Customer(Record):
    id: Name
    name: Name
    language: Optional[str] = Field(None, description="default en")
    timezone: Optional[TimeZone] = Field(None, description="an IANA time zone; default UTC")
    tier: Optional[Tier] = Field(None, description="default standard")
    owner: Optional[str] = None
    emails: Optional[list[str]] = None
    facts: Optional[str] = Field(None, description="free text (contacts, habits); absent: the store's is kept")
    assets: Optional[list[Asset]] = None
    events: Optional[list[Event]] = Field(None, description="the customer's own history (fact revisions)")


class Engineer(Record):
    name: Name
    region: Optional[str] = Field(None, description="APAC, EMEA, AMER")
    city: Optional[str] = None
    timezone: Optional[str] = None


class Incident(Record):
    id: Name
    title: Name
    scope: Optional[JsonObject] = None
    status: Optional[IncidentStatus] = Field(None, description="default investigating")
    opened_at: Timestamp
    opened_by: Optional[str] = None
    resolved_at: Optional[Timestamp] = None
    last_update_at: Optional[Timestamp] = None
    events: Optional[list[Event]] = None


class Case(Record):
    id: Name
    customer: Name = Field(description="a customer in this file or in the store")
    subject: str
    status: CaseStatus = Field(description="pending: waiting on the customer")
    opened_at: Timestamp
    assignee: Optional[str] = None
    summary: Optional[str] = Field(None, description="the living summary; absent: the store's is kept")
    external_ref: Optional[str] = None
    incident: Optional[str] = Field(None, description="an incident in this file or in the store; "
                                                      "absent: the store's link is kept")
    events: Optional[list[CaseEvent]] = None


class Ack(Record):
    case_id: str
    engineer: str
    at: Timestamp


class Handoff(Record):
    id: Name
    author: str
    region: Optional[str] = None
    at: Timestamp
    body: Optional[str] = None
    case_ids: Optional[list[str]] = None
    acks: Optional[list[Ack]] = None
    events: Optional[list[Event]] = Field(None, description="events about the handoff itself (its webhook post)")


class Document(Record):
    """A whole interchange file. Never validated in one piece: each section's records are, one at a time."""

    format: Optional[Literal[FORMAT]] = Field(None, description="the format's name and version")
    exported_at: Optional[Annotated[str, AfterValidator(_plain_timestamp),
                                    Field(json_schema_extra={"format": "date-time"})]] = None
    customers: Optional[list[Customer]] = None
    engineers: Optional[list[Engineer]] = None
    incidents: Optional[list[Incident]] = None
    cases: Optional[list[Case]] = None
    handoffs: Optional[list[Handoff]] = None
    events: Optional[list[Event]] = Field(None, description="events attached to nothing else")


#: Each array section of the document and the model of its records.
SECTIONS: dict[str, type[Record]] = {
    "customers": Customer, "engineers": Engineer, "incidents": Incident, "cases": Case,
    "handoffs": Handoff, "events": Event,
}
#: Top-level fields that are single values, and the adapters checking them.
SCALARS: dict[str, TypeAdapter] = {
    "format": TypeAdapter(Document.model_fields["format"].annotation),
    "exported_at": TypeAdapter(Document.model_fields["exported_at"].annotation),
}


def json_schema() -> dict:
    """The JSON Schema of the interchange document (draft 2020-12), as published in docs/."""
    schema = Document.model_json_schema()
    return {"$schema": "https://json-schema.org/draft/2020-12/schema",
            "title": "oncall-tui interchange document",
            "description": "What `oncall import` reads and `oncall export --format json` writes. "
                           "See docs/import-format.md.",
            **{k: v for k, v in schema.items() if k not in ("title", "description")}}


def schema_text() -> str:
    """docs/interchange.schema.json, exactly (tests/test_import_schema.py keeps the file equal to it)."""
    return json.dumps(json_schema(), ensure_ascii=False, indent=2) + "\n"


if __name__ == "__main__":  # python -m oncall_tui.store.import_schema > docs/interchange.schema.json
    import sys

    sys.stdout.write(schema_text())
